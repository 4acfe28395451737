/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The public io API: what a command asks for, bringing its DATA-OUT into
 * the application's memory, and its completion (DATA-IN, status, sense,
 * residuals). Nothing here runs an application callback: a transfer
 * that cannot go out is finished later, on a library thread.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "core/scsi.h"
#include "util/export.h"
#include "util/struct-copy.h"

SRPT_EXPORT const struct srpt_io_info *srpt_io_get_info(struct srpt_io *io)
{
	return &io->info;
}

SRPT_EXPORT void *srpt_io_get_priv(struct srpt_io *io)
{
	return io->priv;
}

SRPT_EXPORT struct srpt_channel *srpt_io_get_channel(struct srpt_io *io)
{
	return io->ch;
}

SRPT_EXPORT bool srpt_io_is_aborted(struct srpt_io *io)
{
	return io && (atomic_load(&io->aborted) ||
		      srpt_ch_state(io->ch) != SRPT_CH_LIVE);
}

/* DATA-OUT arrived in io->local (or could not be read): copy it out of
 * the bounce buffer if it went there, and give the io back to the
 * application. */
void srpt_io_data_arrived(struct srpt_io *io, int status)
{
	uint32_t left = io->xfer_len, off = 0;

	if (!status) {
		for (unsigned int i = 0; i < io->copy_nsge && left; i++) {
			uint32_t l = io->copy_sg[i].len < left ?
				     io->copy_sg[i].len : left;

			memcpy(io->copy_sg[i].addr, io->bounce + off, l);
			off += l;
			left -= l;
		}
	}
	io->copy_nsge = 0;
	if (!status)
		srpt_tally(&io->tally.bytes_out, io->xfer_len);
	atomic_store(&io->state, SRPT_IO_APP);
	io->data_done(io, status, io->data_arg);
}

static int io_fetch_data(struct srpt_io *io, const struct srpt_sge *sg,
			 unsigned int nsge, srpt_io_data_fn done, void *arg)
{
	uint64_t total;
	uint32_t xfer;
	int r;

	if (!sg || !nsge || nsge > SRPT_MAX_IO_SGE || !done ||
	    io->info.dir != SRPT_DIR_OUT)
		return -EINVAL;
	total = srpt_sg_total(sg, nsge);
	xfer = total < io->info.data_len ? (uint32_t)total : io->info.data_len;
	if (io->info.imm) {
		const uint8_t *src = io->cmd.data_out.imm_data;

		srpt_tally(&io->tally.bytes_out, xfer);
		for (unsigned int i = 0; i < nsge && xfer; i++) {
			uint32_t l = sg[i].len < xfer ? sg[i].len : xfer;

			memcpy(sg[i].addr, src, l);
			src += l;
			xfer -= l;
		}
		return 1;
	}
	if (!xfer)
		return 1;
	if (srpt_ch_state(io->ch) != SRPT_CH_LIVE)
		return -ESHUTDOWN;
	r = srpt_xfer_set_local(io, sg, nsge, xfer);
	if (r)
		return r;
	io->copy_nsge = 0;
	if (io->bounce && io->local[0].addr == (uintptr_t)io->bounce) {
		memcpy(io->copy_sg, sg, nsge * sizeof(*sg));
		io->copy_nsge = nsge;
	}
	io->data_done = done;
	io->data_arg = arg;
	srpt_xfer_start(io, SRPT_XFER_DATA_OUT, xfer);
	atomic_store(&io->state, SRPT_IO_FETCHING);
	srpt_sq_submit(io);
	return 0;
}

static void residual(const struct srpt_io *io, uint32_t expected,
		     uint32_t actual, uint8_t *flags, uint32_t *din,
		     uint32_t *dout)
{
	uint32_t described = io->info.data_len;

	*flags = 0;
	*din = *dout = 0;
	if (io->info.dir == SRPT_DIR_IN) {
		if (expected > described) {
			*flags = SRPT_RSP_DIOVER;
			*din = expected - described;
		} else if (actual < described) {
			*flags = SRPT_RSP_DIUNDER;
			*din = described - actual;
		}
	} else if (io->info.dir == SRPT_DIR_OUT) {
		if (expected > described) {
			*flags = SRPT_RSP_DOOVER;
			*dout = expected - described;
		} else if (expected < described) {
			*flags = SRPT_RSP_DOUNDER;
			*dout = described - expected;
		}
	}
}

/* The DATA-IN of a read: the application's pieces, or a copy of them in
 * the bounce buffer. Returns the bytes to send, or a negative errno. */
static int64_t data_in(struct srpt_io *io, const struct srpt_io_result *res)
{
	uint64_t total = srpt_sg_total(res->data, res->nsge);
	uint32_t xfer = total < io->info.data_len ? (uint32_t)total :
			io->info.data_len;
	uint32_t off = 0, left = xfer;
	int r;

	r = srpt_xfer_set_local(io, res->data, res->nsge, xfer);
	if (r)
		return r;
	if (io->nlocal == 1 && io->local[0].addr == (uintptr_t)io->bounce) {
		for (unsigned int i = 0; i < res->nsge && left; i++) {
			uint32_t l = res->data[i].len < left ?
				     res->data[i].len : left;

			memcpy(io->bounce + off, res->data[i].addr, l);
			off += l;
			left -= l;
		}
	}
	return xfer;
}

/* The size of version 1.0 of the result: every program gives at least
 * it. */
#define RESULT_V1_SIZE (offsetof(struct srpt_io_result, release_arg) + \
			sizeof(void *))

/* An io the application hands back with nothing to send ends here, but
 * its release notification must not run inside the application's call:
 * the dispatch thread ends it. */
static void release_later(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	if (!io->release_fn) {
		srpt_io_release(io);
		return;
	}
	pthread_mutex_lock(&ch->sq_lock);
	cds_list_add_tail(&io->sq_link, &ch->rel_later);
	pthread_mutex_unlock(&ch->sq_lock);
	srpt_ch_queue_ev(ch, SRPT_EV_IO_RELEASE);
}

static int io_complete(struct srpt_io *io, const struct srpt_io_result *in)
{
	static const uint8_t hw_error[SENSE_FIXED_LEN] = {
		[0] = 0x70, [2] = SENSE_HARDWARE_ERROR,
		[7] = SENSE_FIXED_LEN - 8,
		[12] = ASC_INTERNAL_TARGET_FAILURE >> 8,
		[13] = ASC_INTERNAL_TARGET_FAILURE & 0xff,
	};
	struct srpt_io_result copy, *res = &copy;
	uint32_t expected, din, dout;
	int64_t xfer = 0;
	uint8_t flags;
	int r = -EINVAL;

	if (!in || in->size < RESULT_V1_SIZE ||
	    (r = srpt_copy_struct(&copy, sizeof(copy), in, in->size))) {
		res = NULL;
		if (in && in->size >= RESULT_V1_SIZE) {
			/* what it may be freed after is known */
			io->release_fn = in->release;
			io->release_arg = in->release_arg;
		}
	} else {
		io->release_fn = res->release;
		io->release_arg = res->release_arg;
	}
	if (atomic_load(&io->aborted) ||
	    srpt_ch_state(io->ch) != SRPT_CH_LIVE) {
		release_later(io);
		return res ? 0 : r;
	}
	if (!res || (res->nsge && !res->data) || res->nsge > SRPT_MAX_IO_SGE)
		goto bad;
	expected = res->expected_len == SRPT_LEN_AS_DESCRIBED ?
		   io->info.data_len : res->expected_len;
	io->nlocal = 0;
	if (io->info.dir == SRPT_DIR_IN && res->nsge) {
		xfer = data_in(io, res);
		if (xfer < 0)
			goto bad;
	}
	residual(io, expected, (uint32_t)xfer, &flags, &din, &dout);
	srpt_rsp_status(io, res->status, res->sense, res->sense_len, flags,
			din, dout, (uint32_t)xfer);
	return 0;
bad:
	io->nlocal = 0;
	srpt_rsp_status(io, SAM_STAT_CHECK_CONDITION, hw_error,
			sizeof(hw_error), 0, 0, 0, 0);
	return r ? r : -EINVAL;
}

/*
 * The application's threads hold no reference of their own: once the io
 * is handed back (or its chain posted), its completion may end the
 * channel's last command, and on_drained and the last put may run on the
 * dispatch thread while this thread still uses the channel (kicking
 * waiting ios): a channel was released twice once in
 * tests/unit/core/test-stress.c under TSan. The io is the application's
 * on entry, so the channel is still registered and can be pinned. Called
 * from inside the receive completion that delivered the io (on_cmd
 * answering at once), the completion's own pin covers the call
 * (srpt_tl_pinned): two atomic updates of the channel's count fewer per
 * call on the hot path.
 */
SRPT_EXPORT int srpt_io_fetch_data(struct srpt_io *io, const struct srpt_sge *sg,
				   unsigned int nsge, srpt_io_data_fn done,
				   void *arg)
{
	struct srpt_channel *ch;
	int r;

	if (!io || atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	ch = io->ch;
	if (ch == srpt_tl_pinned)
		return io_fetch_data(io, sg, nsge, done, arg);
	srpt_ch_hold(ch);
	r = io_fetch_data(io, sg, nsge, done, arg);
	srpt_ch_drop(ch);
	return r;
}

SRPT_EXPORT int srpt_io_complete(struct srpt_io *io,
				 const struct srpt_io_result *res)
{
	struct srpt_channel *ch;
	int r;

	if (!io || atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	ch = io->ch;
	if (ch == srpt_tl_pinned)	/* see srpt_io_fetch_data() */
		return io_complete(io, res);
	srpt_ch_hold(ch);
	r = io_complete(io, res);
	srpt_ch_drop(ch);
	return r;
}
