/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_BLOCKDEV_H
#define SRPT_BLOCKDEV_BLOCKDEV_H
/*
 * What srpt-blockdev's parts share: the target, the SCSI description of
 * its LUNs, their backings, the buffer pool and the pollers.
 */
#include <stdatomic.h>

#include <srpt/srpt.h>

#include "backing.h"
#include "backing-rbd.h"
#include "failover.h"
#include "luns.h"
#include "nexus.h"
#include "options.h"
#include "pool.h"
#include "reactor.h"
#include "scsi.h"
#include "uring.h"
#ifdef BD_HAVE_JSON_C
#include "service.h"
#endif

struct blockdev;
struct bd_cmd;

/**
 * struct bd_backend_ops - what a LUN's backing does for a command
 * @read: read the command's blocks into its pool buffer (&bd_cmd.buf,
 *        whole blocks)
 * @write: write the pool buffer's data, durably first with FUA
 * @sync: SYNCHRONIZE CACHE: make every write answered so far durable
 * @unmap: deallocate UNMAP's ranges (the task's io.ranges), which then
 *         read zeros
 * @write_same: WRITE SAME (the task's io: a block of data, or zeros,
 *              perhaps unmapped)
 *
 * Each starts the backing's work for the command and ends it with
 * bd_backend_done() (or bd_cmd_busy() when buffers ran out), on the
 * caller's thread or another. cmd-uring.c has files and block devices
 * (io_uring), cmd-rbd.c RBD images (librbd).
 */
struct bd_backend_ops {
	void (*read)(struct bd_cmd *c);
	void (*write)(struct bd_cmd *c);
	void (*sync)(struct bd_cmd *c);
	void (*unmap)(struct bd_cmd *c);
	void (*write_same)(struct bd_cmd *c);
};

extern const struct bd_backend_ops bd_uring_ops;	/* cmd-uring.c */
extern const struct bd_backend_ops bd_rbd_ops;		/* cmd-rbd.c */

/* One poller: its ring, driven by its reactor thread, which also polls
 * libsrpt's poller of the same number. */
struct bd_poller {
	struct blockdev *bd;
	unsigned int idx;
	struct uring *ring;
	struct reactor *reactor;
};

struct blockdev {
	struct srpt_target *t;
	struct options opt;
	struct scsi_target_desc desc;
	struct lun_table luns;		/* desc's LUNs */
	struct nexus_list nexuses;	/* the logged-in initiators */
	struct pool *pool;
	struct srpt_mr *pool_mr;
	struct bd_poller *pollers;
	unsigned int npollers;
	atomic_ullong busy;		/* commands answered BUSY: no buffers */
	struct failover failover;	/* --rbd-lock */
	bool failover_on;		/* its thread runs */
#ifdef BD_HAVE_JSON_C
	struct ctl_server *ctl;		/* --control */
	struct svc svc;			/* what it serves */
#endif
};

/* What one command needs, in its private space (io_priv_size): nothing
 * is allocated per I/O. */
struct bd_cmd {
	struct scsi_task task;
	struct pool_buf buf;
	union {
		struct uring_op uring;		/* cmd-uring.c */
		struct backing_rbd_op rbd;	/* cmd-rbd.c */
	} op;
	struct blockdev *bd;
	struct srpt_io *io;
	struct bd_lun *lun;		/* held until the answer */
	const struct backing *b;	/* lun's */
	const struct bd_backend_ops *ops;	/* b's */
	uint64_t done;			/* WRITE SAME: blocks written */
	unsigned int range;		/* UNMAP: the next range */
};

/**
 * bd_backend_done() - the backing did its part of a command: answer it
 * @c: the command
 * @res: 0, or a negative errno (the sense: scsi_task_backend_failed())
 *
 * Context: any thread (a poller's, or librbd's).
 */
void bd_backend_done(struct bd_cmd *c, int res);

/**
 * bd_cmd_busy() - answer TASK SET FULL: no buffers for the command now
 * @c: the command, holding no buffer
 *
 * Context: any thread.
 */
void bd_cmd_busy(struct bd_cmd *c);

/* libsrpt's on_cmd (cmd.c). */
void bd_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *userdata);

/* The poll hook of a reactor (cmd-uring.c): libsrpt's completions on this
 * thread, which then submits backend I/O to its own ring. */
int bd_poll(void *arg);

#endif
