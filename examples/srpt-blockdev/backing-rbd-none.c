/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A build without librbd: an rbd: LUN fails to open with a sentence that
 * says so. No backing is ever an RBD image here, so the operations are
 * never called; they end their operation with -EOPNOTSUPP all the same.
 */
#include <errno.h>
#include <stdio.h>

#include "backing.h"
#include "backing-rbd.h"

bool backing_rbd_available(void)
{
	return false;
}

bool backing_rbd_in_callback(void)
{
	return false;
}

int backing_rbd_open(struct backing *b, const char *spec,
		     const struct backing_opts *opts)
{
	(void)opts;
	snprintf(b->why, sizeof(b->why),
		 "rbd:%s: RBD images are not available: srpt-blockdev was built without librbd (install librbd-dev and build again)",
		 spec);
	return -ENOTSUP;
}

void backing_rbd_close(struct backing *b)
{
	b->rbd = NULL;
}

int backing_rbd_reopen(struct backing *b)
{
	(void)b;
	return -ENOTSUP;
}

void backing_rbd_begin(struct backing *b, struct backing_rbd_op *op,
		       backing_rbd_done_fn done, void *arg)
{
	(void)b;
	op->done = done;
	op->arg = arg;
	op->rbd = NULL;
	op->image = NULL;
	atomic_init(&op->pending, 1);
	atomic_init(&op->err, -EOPNOTSUPP);
}

void backing_rbd_end(struct backing_rbd_op *op)
{
	op->done(op, atomic_load(&op->err), op->arg);
}

void backing_rbd_read(struct backing_rbd_op *op, uint64_t off,
		      const struct pool_buf *buf)
{
	(void)op, (void)off, (void)buf;
}

void backing_rbd_write(struct backing_rbd_op *op, uint64_t off,
		       const struct pool_buf *buf)
{
	(void)op, (void)off, (void)buf;
}

void backing_rbd_flush(struct backing_rbd_op *op)
{
	(void)op;
}

void backing_rbd_discard(struct backing_rbd_op *op, uint64_t off,
			 uint64_t len)
{
	(void)op, (void)off, (void)len;
}

void backing_rbd_write_same(struct backing_rbd_op *op, uint64_t off,
			    uint64_t len, const void *block,
			    uint32_t block_len)
{
	(void)op, (void)off, (void)len, (void)block, (void)block_len;
}

int backing_rbd_lock_acquire(struct backing *b)
{
	(void)b;
	return -ENOTSUP;
}

int backing_rbd_lock_owner(struct backing *b, char *owner, size_t len)
{
	(void)b, (void)len;
	owner[0] = '\0';
	return -ENOTSUP;
}

int backing_rbd_lock_break(struct backing *b, const char *owner)
{
	(void)b, (void)owner;
	return -ENOTSUP;
}

int backing_rbd_beat_write(struct backing *b, const void *data, size_t len)
{
	(void)b, (void)data, (void)len;
	return -ENOTSUP;
}

int backing_rbd_beat_read(struct backing *b, void *data, size_t len)
{
	(void)b, (void)data, (void)len;
	return -ENOTSUP;
}
