/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The backend of files and block devices: io_uring. Everything runs on
 * the poller thread that took the command from libsrpt (bd_poll()): the
 * backend I/O goes to that poller's ring, and its completion comes back
 * on the same thread.
 */
#include <string.h>

#include "blockdev.h"

static __thread struct bd_poller *this_poller;

int bd_poll(void *arg)
{
	struct bd_poller *p = arg;

	this_poller = p;
	return srpt_target_poll(p->bd->t, p->idx, 64);
}

/* Start backend I/O on this thread's ring (a command that reaches here
 * on another thread posts it to the first poller). */
static void submit(struct bd_cmd *c)
{
	struct bd_poller *p = this_poller ? this_poller : &c->bd->pollers[0];
	int r = reactor_submit(p->reactor, &c->op.uring);

	if (r)
		bd_backend_done(c, r);
}

static uint64_t byte_off(const struct bd_cmd *c, uint64_t lba)
{
	return lba * c->b->block_size;
}

static void io_done(struct uring_op *op, int res, void *arg)
{
	(void)op;
	bd_backend_done(arg, res);
}

static void uring_read(struct bd_cmd *c)
{
	uring_prep_read(&c->op.uring, c->b->fd, byte_off(c, c->task.io.lba),
			&c->buf, io_done, c);
	submit(c);
}

static void uring_write(struct bd_cmd *c)
{
	const struct scsi_io *o = &c->task.io;

	uring_prep_write(&c->op.uring, c->b->fd, byte_off(c, o->lba), &c->buf,
			 o->fua ? URING_FUA : 0, io_done, c);
	submit(c);
}

/* Every WRITE answered so far has completed in the backing: one
 * fdatasync covers them all. */
static void uring_sync(struct bd_cmd *c)
{
	uring_prep_sync(&c->op.uring, c->b->fd, io_done, c);
	submit(c);
}

/* UNMAP: one range after the other. */
static void uring_unmap_next(struct bd_cmd *c);

static void unmap_done(struct uring_op *op, int res, void *arg)
{
	struct bd_cmd *c = arg;

	(void)op;
	if (res) {
		bd_backend_done(c, res);
		return;
	}
	c->range++;
	uring_unmap_next(c);
}

static void uring_unmap_next(struct bd_cmd *c)
{
	const struct scsi_io *u = &c->task.io;
	const struct scsi_unmap_range *rg;

	if (c->range == u->nranges) {
		bd_backend_done(c, 0);
		return;
	}
	rg = &u->ranges[c->range];
	uring_prep_punch(&c->op.uring, c->b->fd, byte_off(c, rg->lba),
			 (uint64_t)rg->nblk * c->b->block_size, unmap_done, c);
	submit(c);
}

static void uring_unmap(struct bd_cmd *c)
{
	c->range = 0;
	uring_unmap_next(c);
}

/* WRITE SAME of a pattern: a pool buffer full of it, written again and
 * again over the range. */
static void write_same_next(struct bd_cmd *c);

static void write_same_done(struct uring_op *op, int res, void *arg)
{
	struct bd_cmd *c = arg;

	(void)op;
	if (res) {
		bd_backend_done(c, res);
		return;
	}
	c->done += c->buf.len / c->b->block_size;
	write_same_next(c);
}

static void write_same_next(struct bd_cmd *c)
{
	const struct scsi_io *w = &c->task.io;
	uint32_t bs = c->b->block_size;
	uint64_t left = w->nblk - c->done;
	uint32_t cap = c->buf.n * POOL_CHUNK_SIZE;

	if (!left) {
		bd_backend_done(c, 0);
		return;
	}
	c->buf.len = left * bs < cap ? (uint32_t)(left * bs) : cap;
	uring_prep_write(&c->op.uring, c->b->fd, byte_off(c, w->lba + c->done),
			 &c->buf, 0, write_same_done, c);
	submit(c);
}

static void uring_write_same(struct bd_cmd *c)
{
	const struct scsi_io *w = &c->task.io;
	uint32_t bs = c->b->block_size;
	uint64_t bytes = (uint64_t)w->nblk * bs;

	if (w->zero && ((w->unmap && c->b->can_punch) || c->b->can_zero)) {
		if (w->unmap && c->b->can_punch)
			uring_prep_punch(&c->op.uring, c->b->fd,
					 byte_off(c, w->lba), bytes, io_done, c);
		else
			uring_prep_zero(&c->op.uring, c->b->fd,
					byte_off(c, w->lba), bytes, io_done, c);
		submit(c);
		return;
	}
	if (pool_get(c->bd->pool, bytes < POOL_MAX_BYTES ?
		     (uint32_t)bytes : POOL_MAX_BYTES, &c->buf)) {
		bd_cmd_busy(c);
		return;
	}
	for (unsigned int i = 0; i < c->buf.n; i++) {
		uint8_t *chunk = c->buf.chunk[i];

		for (uint32_t off = 0; off < POOL_CHUNK_SIZE; off += bs) {
			if (w->zero || !c->task.buf)
				memset(chunk + off, 0, bs);
			else
				memcpy(chunk + off, c->task.buf, bs);
		}
	}
	c->done = 0;
	write_same_next(c);
}

const struct bd_backend_ops bd_uring_ops = {
	.read = uring_read,
	.write = uring_write,
	.sync = uring_sync,
	.unmap = uring_unmap,
	.write_same = uring_write_same,
};
