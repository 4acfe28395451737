/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A SCSI command's way through srpt-blockdev: the SCSI emulation decodes
 * it (examples/scsi), the data moves between the initiator and pool
 * chunks by RDMA, and io_uring moves the same chunks to and from the
 * backing; the answer goes out when the backing has done its part, so an
 * answered WRITE is in the file (and durable, with FUA or write through),
 * and an answered SYNCHRONIZE CACHE covers every WRITE answered before.
 *
 * Everything runs on the poller thread that took the command from
 * libsrpt (bd_poll()): the backend I/O goes to that poller's ring, and
 * its completion comes back on the same thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "blockdev.h"

/* SAM status: the target cannot take the command now (no buffers); the
 * initiator retries and may lower its queue depth. */
#define STATUS_TASK_SET_FULL 0x28

static __thread struct bd_poller *this_poller;

int bd_poll(void *arg)
{
	struct bd_poller *p = arg;

	this_poller = p;
	return srpt_target_poll(p->bd->t, p->idx, 64);
}

static struct bd_cmd *cmd_of(struct srpt_io *io)
{
	return srpt_io_get_priv(io);
}

/*
 * Hand the command back with the task's final status and @nsge pieces
 * of data in. Pool chunks the command still holds come back by the
 * release notification, once the library no longer reads them.
 */
static void reply(struct srpt_io *io, struct bd_cmd *c,
		  const struct srpt_sge *sg, unsigned int nsge)
{
	struct scsi_task *task = &c->task;
	struct srpt_io_result res = { .size = sizeof(res) };
	struct bd_lun *lun = c->lun;
	void *heap;

	res.status = task->status;
	res.sense = task->sense_len ? task->sense : NULL;
	res.sense_len = task->sense_len;
	res.expected_len = task->status ? SRPT_LEN_AS_DESCRIBED :
			   scsi_task_expected_len(task);
	res.data = sg;
	res.nsge = nsge;
	if (c->buf.n) {
		res.release = pool_release;
		res.release_arg = &c->buf;
	}
	/* Generated data is copied before srpt_io_complete() returns. */
	heap = scsi_task_detach_buffer(task);
	srpt_io_complete(io, &res);
	free(heap);
	/* The backing is done with: the data in is in pool chunks. */
	lun_put(lun);
}

/* Answer with @res, which carries nothing of the task. */
static void complete(struct srpt_io *io, struct bd_cmd *c,
		     const struct srpt_io_result *res)
{
	struct bd_lun *lun = c->lun;

	scsi_task_release(&c->task);
	srpt_io_complete(io, res);
	lun_put(lun);
}

static void finish(struct srpt_io *io, struct bd_cmd *c)
{
	pool_put(&c->buf);
	scsi_task_finish(&c->bd->desc, &c->task);
	reply(io, c, NULL, 0);
}

static void failed(struct srpt_io *io, struct bd_cmd *c, int err)
{
	pool_put(&c->buf);
	scsi_task_backend_failed(&c->task, err);
	reply(io, c, NULL, 0);
}

/* No buffers for the data now: TASK SET FULL, which the initiator
 * retries, rather than an error. */
static void task_set_full(struct srpt_io *io, struct bd_cmd *c)
{
	struct srpt_io_result res = { .size = sizeof(res),
				      .status = STATUS_TASK_SET_FULL,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	atomic_fetch_add(&c->bd->busy, 1);
	complete(io, c, &res);
}

/* Start backend I/O on this thread's ring (a command that reaches here
 * on another thread posts it to the first poller). */
static void submit(struct srpt_io *io, struct bd_cmd *c)
{
	struct bd_poller *p = this_poller ? this_poller : &c->bd->pollers[0];
	int r = reactor_submit(p->reactor, &c->op);

	if (r)
		failed(io, c, r);
}

static uint64_t byte_off(const struct bd_cmd *c, uint64_t lba)
{
	return lba * c->b->block_size;
}

static void io_done(struct uring_op *op, int res, void *arg)
{
	struct srpt_io *io = arg;
	struct bd_cmd *c = cmd_of(io);

	(void)op;

	if (res)
		failed(io, c, res);
	else
		finish(io, c);
}

static void read_done(struct uring_op *op, int res, void *arg)
{
	struct srpt_io *io = arg;
	struct bd_cmd *c = cmd_of(io);
	struct srpt_sge sg[POOL_MAX_CHUNKS];
	unsigned int n;

	(void)op;

	if (res) {
		failed(io, c, res);
		return;
	}
	/* Whole blocks were read; the initiator gets what it described. */
	c->buf.len = c->task.len;
	n = pool_buf_sge(&c->buf, c->bd->pool_mr, sg);
	scsi_task_finish(&c->bd->desc, &c->task);
	reply(io, c, sg, n);
}

/* UNMAP: one range after the other. */
static void unmap_next(struct srpt_io *io, struct bd_cmd *c);

static void unmap_done(struct uring_op *op, int res, void *arg)
{
	struct srpt_io *io = arg;
	struct bd_cmd *c = cmd_of(io);

	(void)op;

	if (res) {
		failed(io, c, res);
		return;
	}
	c->range++;
	unmap_next(io, c);
}

static void unmap_next(struct srpt_io *io, struct bd_cmd *c)
{
	const struct scsi_io *u = &c->task.io;
	const struct scsi_unmap_range *rg;

	if (c->range == u->nranges) {
		finish(io, c);
		return;
	}
	rg = &u->ranges[c->range];
	uring_prep_punch(&c->op, c->b->fd, byte_off(c, rg->lba),
			 (uint64_t)rg->nblk * c->b->block_size, unmap_done, io);
	submit(io, c);
}

/* WRITE SAME of a pattern: a pool buffer full of it, written again and
 * again over the range. */
static void write_same_next(struct srpt_io *io, struct bd_cmd *c);

static void write_same_done(struct uring_op *op, int res, void *arg)
{
	struct srpt_io *io = arg;
	struct bd_cmd *c = cmd_of(io);

	(void)op;

	if (res) {
		failed(io, c, res);
		return;
	}
	c->done += c->buf.len / c->b->block_size;
	write_same_next(io, c);
}

static void write_same_next(struct srpt_io *io, struct bd_cmd *c)
{
	const struct scsi_io *w = &c->task.io;
	uint32_t bs = c->b->block_size;
	uint64_t left = w->nblk - c->done;
	uint32_t cap = c->buf.n * POOL_CHUNK_SIZE;

	if (!left) {
		finish(io, c);
		return;
	}
	c->buf.len = left * bs < cap ? (uint32_t)(left * bs) : cap;
	uring_prep_write(&c->op, c->b->fd, byte_off(c, w->lba + c->done),
			 &c->buf, 0, write_same_done, io);
	submit(io, c);
}

static void write_same(struct srpt_io *io, struct bd_cmd *c)
{
	const struct scsi_io *w = &c->task.io;
	uint32_t bs = c->b->block_size;
	uint64_t bytes = (uint64_t)w->nblk * bs;

	if (w->zero && ((w->unmap && c->b->can_punch) || c->b->can_zero)) {
		if (w->unmap && c->b->can_punch)
			uring_prep_punch(&c->op, c->b->fd, byte_off(c, w->lba),
					 bytes, io_done, io);
		else
			uring_prep_zero(&c->op, c->b->fd, byte_off(c, w->lba),
					bytes, io_done, io);
		submit(io, c);
		return;
	}
	if (pool_get(c->bd->pool, bytes < POOL_MAX_BYTES ?
		     (uint32_t)bytes : POOL_MAX_BYTES, &c->buf)) {
		task_set_full(io, c);
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
	write_same_next(io, c);
}

/* The data out is in: what the backing must do with it. */
static void backend(struct srpt_io *io, struct bd_cmd *c)
{
	const struct scsi_io *o = &c->task.io;

	if (o->kind != SCSI_IO_NONE && !c->b) {
		/* the emulation named no LUN of ours: never so */
		failed(io, c, -EIO);
		return;
	}
	switch (o->kind) {
	case SCSI_IO_WRITE:
		uring_prep_write(&c->op, c->b->fd, byte_off(c, o->lba),
				 &c->buf, o->fua ? URING_FUA : 0, io_done, io);
		submit(io, c);
		return;
	case SCSI_IO_SYNC:
		/* Every WRITE answered so far has completed in the backing:
		 * one fdatasync covers them all. */
		uring_prep_sync(&c->op, c->b->fd, io_done, io);
		submit(io, c);
		return;
	case SCSI_IO_UNMAP:
		c->range = 0;
		unmap_next(io, c);
		return;
	case SCSI_IO_WRITE_SAME:
		write_same(io, c);
		return;
	default:
		finish(io, c);
		return;
	}
}

static void data_out_done(struct srpt_io *io, int status, void *arg)
{
	struct bd_cmd *c = arg;

	if (status) {
		/* The initiator's buffer could not be read: ABORTED
		 * COMMAND, which the initiator retries. */
		static const uint8_t aborted[18] = {
			0x70, 0, 0x0b, 0, 0, 0, 0, 10,
		};
		struct srpt_io_result res = { .size = sizeof(res),
			.status = SCSI_STATUS_CHECK_CONDITION,
			.sense = aborted, .sense_len = sizeof(aborted),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		pool_put(&c->buf);
		complete(io, c, &res);
		return;
	}
	scsi_task_data_out_done(&c->bd->desc, &c->task);
	if (c->task.status != SCSI_STATUS_GOOD) {
		pool_put(&c->buf);
		reply(io, c, NULL, 0);
		return;
	}
	backend(io, c);
}

static void data_out(struct srpt_io *io, struct bd_cmd *c,
		     const struct srpt_sge *sg, unsigned int n)
{
	int r = srpt_io_fetch_data(io, sg, n, data_out_done, c);

	if (r == 1)
		data_out_done(io, 0, c);
	else if (r < 0)
		data_out_done(io, r, c);
}

void bd_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *userdata)
{
	struct blockdev *bd = userdata;
	const struct srpt_io_info *info = srpt_io_get_info(io);
	struct bd_cmd *c = cmd_of(io);
	struct scsi_task *task = &c->task;
	struct nexus *nx = srpt_channel_get_userdata(ch);
	struct srpt_sge sg[POOL_MAX_CHUNKS];

	c->bd = bd;
	c->buf.n = 0;
	task->lun8 = info->lun;
	task->cdb = info->cdb;
	task->cdb_len = info->cdb_len;
	task->init_dir = info->dir == SRPT_DIR_IN ? SCSI_DIR_IN :
			 info->dir == SRPT_DIR_OUT ? SCSI_DIR_OUT : SCSI_DIR_NONE;
	task->init_len = info->data_len;
	/* The LUN the emulation finds in its slot is held before the read
	 * section ends, so a removal waits for this command (luns.h). The
	 * library's threads are liburcu readers (srpt_target_poll() too). */
	urcu_memb_read_lock();
	scsi_task_start_nexus(&bd->desc, nx ? &nx->nx : NULL, task);
	c->lun = lun_hold(scsi_task_lun(task));
	urcu_memb_read_unlock();
	/* The LUN's backing, for what the medium must do now or after the
	 * data out (UNMAP learns its ranges only then). */
	c->b = c->lun ? &c->lun->b : NULL;
	if (task->status != SCSI_STATUS_GOOD) {
		reply(io, c, NULL, 0);
		return;
	}
	if (task->io.kind == SCSI_IO_NONE) {
		/* Generated data (INQUIRY, MODE SENSE...) or nothing. */
		if (task->dir == SCSI_DIR_IN && task->len) {
			sg[0] = (struct srpt_sge){ .addr = task->buf,
						   .len = task->len };
			reply(io, c, sg, 1);
		} else if (task->dir == SCSI_DIR_OUT && task->len) {
			sg[0] = (struct srpt_sge){ .addr = task->buf,
						   .len = task->len };
			data_out(io, c, sg, 1);
		} else {
			finish(io, c);
		}
		return;
	}
	if (!c->b) {
		failed(io, c, -EIO);
		return;
	}
	switch (task->io.kind) {
	case SCSI_IO_READ: {
		uint32_t bs = c->b->block_size;
		uint32_t len = (task->len + bs - 1) / bs * bs;

		if (!len) {
			finish(io, c);
			return;
		}
		if (pool_get(bd->pool, len, &c->buf)) {
			task_set_full(io, c);
			return;
		}
		uring_prep_read(&c->op, c->b->fd, byte_off(c, task->io.lba),
				&c->buf, read_done, io);
		submit(io, c);
		return;
	}
	case SCSI_IO_WRITE:
		if (!task->len) {
			finish(io, c);
			return;
		}
		if (pool_get(bd->pool, task->len, &c->buf)) {
			task_set_full(io, c);
			return;
		}
		data_out(io, c, sg, pool_buf_sge(&c->buf, bd->pool_mr, sg));
		return;
	default:
		/* UNMAP's list or WRITE SAME's block first, when there is
		 * one; then the backing. */
		if (task->dir == SCSI_DIR_OUT && task->len) {
			sg[0] = (struct srpt_sge){ .addr = task->buf,
						   .len = task->len };
			data_out(io, c, sg, 1);
			return;
		}
		backend(io, c);
		return;
	}
}
