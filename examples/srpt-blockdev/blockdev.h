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
	struct uring_op op;
	struct blockdev *bd;
	struct bd_lun *lun;		/* held until the answer */
	const struct backing *b;	/* lun's */
	uint64_t done;			/* WRITE SAME: blocks written */
	unsigned int range;		/* UNMAP: the next range */
};

/* libsrpt's on_cmd (cmd.c). */
void bd_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *userdata);

/* The poll hook of a reactor (cmd.c): libsrpt's completions on this
 * thread, which then submits backend I/O to its own ring. */
int bd_poll(void *arg);

#endif
