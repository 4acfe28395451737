/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RAMDISK_STAGING_H
#define SRPT_RAMDISK_STAGING_H

#include <stddef.h>
#include <stdint.h>

#include <srpt/srpt.h>

/*
 * --staging: READs are sent from a pool of registered buffers instead of
 * straight from the disk, the way a target with a cache or a buffer pool
 * works. A buffer goes back to the pool on libsrpt's release
 * notification, and is overwritten with a poison pattern there: if the
 * library still read from it afterwards, the initiator would see the
 * poison (fio --verify would say so).
 */
struct staging;

#define STAGING_BUF (512u << 10)

/* @n buffers of STAGING_BUF bytes, registered with @t (before listen);
 * one pool per process. */
int staging_new(struct srpt_target *t, unsigned int n, struct staging **ret);
void staging_free(struct staging *s);
/* A buffer and its registration, or NULL when all are in use. */
void *staging_get(struct staging *s, struct srpt_mr **mr);
/* The release notification of a command whose data came from @arg. */
void staging_release(struct srpt_io *io, void *arg);
/* Buffers given out and back so far. */
uint64_t staging_released(struct staging *s);

#endif
