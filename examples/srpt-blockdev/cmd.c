/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A SCSI command's way through srpt-blockdev: the SCSI emulation decodes
 * it (examples/scsi), the data moves between the initiator and pool
 * chunks by RDMA, and io_uring moves the same chunks to and from the
 * backing; the answer goes out when the backing has done its part, so an
 * answered WRITE is in the file (and durable, with FUA or write through),
 * and an answered SYNCHRONIZE CACHE covers every WRITE answered before.
 *
 * What the backing does is its LUN's backend's (struct bd_backend_ops):
 * io_uring for files and block devices (cmd-uring.c), librbd for RBD
 * images (cmd-rbd.c). A command starts on the poller thread that took it
 * from libsrpt; its backend ends it in bd_backend_done(), on that thread
 * (io_uring) or on one of librbd's: what follows is safe on any thread
 * (srpt_io_complete(), the pool, the task's own state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "blockdev.h"

/* SAM status: the target cannot take the command now (no buffers); the
 * initiator retries and may lower its queue depth. */
#define STATUS_TASK_SET_FULL 0x28

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

void bd_cmd_busy(struct bd_cmd *c)
{
	task_set_full(c->io, c);
}

/*
 * The backing was taken from this process (Ceph blocklisted it after
 * another took the image's lock over): the command gets NOT READY,
 * TARGET PORT IN UNAVAILABLE STATE, and so does every later one, so
 * that REPORT TARGET PORT GROUPS tells multipath to stay away from this
 * port. Said once.
 */
static void lost_backing(struct bd_cmd *c)
{
	struct blockdev *bd = c->bd;

	if (!bd->opt.alua_group ||
	    scsi_target_get_alua_state(&bd->desc) == SCSI_ALUA_UNAVAILABLE)
		return;
	scsi_target_set_alua_state(&bd->desc, SCSI_ALUA_UNAVAILABLE);
	fprintf(stderr, "srpt-blockdev: ALUA port group %u: unavailable: the backing was taken from this process (blocklisted)\n",
		bd->opt.alua_group);
}

void bd_backend_done(struct bd_cmd *c, int res)
{
	struct srpt_io *io = c->io;
	struct srpt_sge sg[POOL_MAX_CHUNKS];
	unsigned int n;

	if (res == -ESHUTDOWN)
		lost_backing(c);
	if (res) {
		failed(io, c, res);
		return;
	}
	if (c->task.io.kind != SCSI_IO_READ) {
		finish(io, c);
		return;
	}
	/* Whole blocks were read; the initiator gets what it described. */
	c->buf.len = c->task.len;
	n = pool_buf_sge(&c->buf, c->bd->pool_mr, sg);
	scsi_task_finish(&c->bd->desc, &c->task);
	reply(io, c, sg, n);
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
		c->ops->write(c);
		return;
	case SCSI_IO_SYNC:
		c->ops->sync(c);
		return;
	case SCSI_IO_UNMAP:
		c->ops->unmap(c);
		return;
	case SCSI_IO_WRITE_SAME:
		c->ops->write_same(c);
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
	c->io = io;
	c->buf.n = 0;
	c->ops = NULL;
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
	if (c->b)
		c->ops = c->b->rbd ? &bd_rbd_ops : &bd_uring_ops;
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
		c->ops->read(c);
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
