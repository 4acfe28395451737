/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The backend of RBD images: librbd's asynchronous API (backing-rbd.h).
 * A command's requests all start on the thread that has the command
 * (a poller's) and end on librbd's threads, where bd_backend_done()
 * answers it: nothing is started from librbd's threads. The pool
 * buffers are handed to librbd as they are (no copy).
 */
#include "blockdev.h"

static void rbd_done(struct backing_rbd_op *op, int res, void *arg)
{
	(void)op;
	bd_backend_done(arg, res);
}

static struct backing_rbd_op *begin(struct bd_cmd *c)
{
	backing_rbd_begin((struct backing *)c->b, &c->op.rbd, rbd_done, c);
	return &c->op.rbd;
}

static uint64_t byte_off(const struct bd_cmd *c, uint64_t lba)
{
	return lba * c->b->block_size;
}

static void rbd_read(struct bd_cmd *c)
{
	struct backing_rbd_op *op = begin(c);

	backing_rbd_read(op, byte_off(c, c->task.io.lba), &c->buf);
	backing_rbd_end(op);
}

/* FUA: the write and a flush together; the flush covers the write,
 * which started before it. */
static void rbd_write(struct bd_cmd *c)
{
	struct backing_rbd_op *op = begin(c);

	backing_rbd_write(op, byte_off(c, c->task.io.lba), &c->buf);
	if (c->task.io.fua)
		backing_rbd_flush(op);
	backing_rbd_end(op);
}

static void rbd_sync(struct bd_cmd *c)
{
	struct backing_rbd_op *op = begin(c);

	backing_rbd_flush(op);
	backing_rbd_end(op);
}

/* Every range at once: they are disjoint or, if not, all end as zeros
 * whatever the order. */
static void rbd_unmap(struct bd_cmd *c)
{
	const struct scsi_io *u = &c->task.io;
	struct backing_rbd_op *op = begin(c);

	for (unsigned int i = 0; i < u->nranges; i++)
		backing_rbd_discard(op, byte_off(c, u->ranges[i].lba),
				    (uint64_t)u->ranges[i].nblk *
				    c->b->block_size);
	backing_rbd_end(op);
}

/* One request for the whole range: librbd repeats the block itself. */
static void rbd_write_same(struct bd_cmd *c)
{
	const struct scsi_io *w = &c->task.io;
	uint64_t off = byte_off(c, w->lba);
	uint64_t len = (uint64_t)w->nblk * c->b->block_size;
	struct backing_rbd_op *op = begin(c);

	if (w->zero && w->unmap && c->b->can_punch)
		backing_rbd_discard(op, off, len);
	else
		backing_rbd_write_same(op, off, len,
				       w->zero ? NULL : c->task.buf,
				       c->b->block_size);
	backing_rbd_end(op);
}

const struct bd_backend_ops bd_rbd_ops = {
	.read = rbd_read,
	.write = rbd_write,
	.sync = rbd_sync,
	.unmap = rbd_unmap,
	.write_same = rbd_write_same,
};
