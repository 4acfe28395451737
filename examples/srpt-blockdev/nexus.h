/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_NEXUS_H
#define SRPT_BLOCKDEV_NEXUS_H
/*
 * srpt-blockdev's I_T nexuses: one per initiator port logged in to the
 * target port, however many channels it has (SRP multichannel), each
 * with the SCSI emulation's state of a nexus (its unit attention). A
 * channel holds its nexus from the accepted login to its on_drained,
 * after which none of its commands runs; the last one frees it.
 */
#include <pthread.h>
#include <stdint.h>

#include "scsi.h"

struct nexus {
	struct nexus *next;
	uint8_t initiator[16];
	uint8_t target[16];
	unsigned int channels;
	struct scsi_nexus nx;
};

struct nexus_list {
	pthread_mutex_t lock;
	struct nexus *head;
};

/**
 * nexus_get() - the nexus of a login, new if it has no channel yet
 * @nl: the list (zero-initialised but for the lock:
 *      PTHREAD_MUTEX_INITIALIZER)
 * @initiator: the initiator port id of the login (16 bytes)
 * @target: the target port id of the login (16 bytes)
 * @t: the SCSI description a new nexus starts from
 *
 * Return: the nexus with one more channel, or NULL without memory.
 * Context: any thread.
 */
struct nexus *nexus_get(struct nexus_list *nl, const uint8_t *initiator,
			const uint8_t *target, const struct scsi_target_desc *t);

/**
 * nexus_put() - a channel let go of its nexus
 * @nl: the list
 * @n: what nexus_get() returned, or NULL
 *
 * Return: nothing; the last channel frees the nexus.
 * Context: any thread, once no command of the channel runs.
 */
void nexus_put(struct nexus_list *nl, struct nexus *n);

#endif
