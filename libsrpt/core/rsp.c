/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * What the library sends on its own account: SRP_RSP (credits returned
 * on every one), task management responses, SRP_T_LOGOUT, and
 * SRP_CRED_REQ for credits no response is there to carry, SRP_AER_REQ. Only a
 * response built from srpt_io_complete() moves data; every other one is
 * started here with a transfer of zero bytes, so it can never carry
 * another command's buffers.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "core/scsi.h"
#include "util/byteorder.h"

/* The tag of a request of the target's own: the top bit set, so it never
 * looks like what an initiator sent. */
#define TREQ_TAG_BIT (1ull << 63)

static void rsp_go(struct srpt_io *io, struct srpt_rsp *r, uint32_t xfer)
{
	struct srpt_channel *ch = io->ch;
	int delta = 1 + atomic_exchange(&ch->req_lim_delta, 0);
	int n;

	r->tag = io->info.tag;
	r->req_lim_delta = (uint32_t)delta;
	n = srpt_rsp_encode(r, io->tx_buf, ch->ti_iu_len);
	if (n < 0) {
		/* Cannot happen (sense is cut to fit, ti_iu_len >= 40):
		 * keep the credits for the next response. */
		atomic_fetch_add(&ch->req_lim_delta, delta);
		srpt_err(ch->t, "channel %llu: cannot encode a response (%d)",
			 (unsigned long long)ch->id, n);
		srpt_io_release(io);
		return;
	}
	atomic_fetch_add(&ch->req_lim, delta);
	srpt_tally(&io->tally.rsps, 1);
	srpt_tally(&io->tally.bytes_in, xfer);
	io->rsp_len = (uint32_t)n;
	io->rsp_posted = true;
	srpt_xfer_start(io, SRPT_XFER_RSP, xfer);
	atomic_store(&io->state, SRPT_IO_SENDING);
	srpt_sq_submit(io);
}

/*
 * An SRP_RSP with SCSI @status; @xfer bytes of DATA-IN from io->local go
 * first (only srpt_io_complete() passes any).
 */
void srpt_rsp_status(struct srpt_io *io, uint8_t status, const uint8_t *sense,
		     uint32_t sense_len, uint8_t flags, uint32_t din_res,
		     uint32_t dout_res, uint32_t xfer)
{
	uint32_t room = io->ch->ti_iu_len - SRPT_RSP_LEN;
	struct srpt_rsp r = {
		.flags = flags,
		.status = status,
		.data_in_res_cnt = din_res,
		.data_out_res_cnt = dout_res,
	};

	if (sense && sense_len) {
		r.sense = sense;
		r.sense_len = sense_len < room ? sense_len : room;
		r.flags |= SRPT_RSP_SNSVALID;
	}
	rsp_go(io, &r, xfer);
}

/* CHECK CONDITION with fixed-format sense @key and @ascq (asc << 8 |
 * ascq), no data: the library's answer to a command it refuses. */
void srpt_rsp_check(struct srpt_io *io, uint8_t key, uint16_t ascq)
{
	uint8_t s[SENSE_FIXED_LEN] = { 0 };

	atomic_fetch_add(&io->ch->t->stats.bad_ius, 1);
	atomic_fetch_add(&io->ch->cnt.bad_ius, 1);
	s[0] = 0x70;		/* current error, fixed format */
	s[2] = key;
	s[7] = SENSE_FIXED_LEN - 8;
	s[12] = (uint8_t)(ascq >> 8);
	s[13] = (uint8_t)ascq;
	srpt_rsp_status(io, SAM_STAT_CHECK_CONDITION, s, sizeof(s), 0, 0, 0, 0);
}

void srpt_rsp_tm(struct srpt_io *io, uint8_t code)
{
	uint8_t data[SRPT_TSK_MGMT_RSP_DATA_LEN] = { 0, 0, 0, code };
	struct srpt_rsp r = {
		.flags = SRPT_RSP_RSPVALID,
		.resp_data = data,
		.resp_data_len = sizeof(data),
	};

	rsp_go(io, &r, 0);
}

/* Tell the initiator why, and end the channel. */
void srpt_rsp_logout(struct srpt_io *io, uint32_t reason)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_t_logout lo = { .reason = reason };
	int n;

	atomic_fetch_add(&ch->t->stats.bad_ius, 1);
	atomic_fetch_add(&ch->cnt.bad_ius, 1);
	if (io->rx_len >= 16)
		lo.tag = get_tag(io->rx_buf + 8);
	srpt_log_peer(ch->t, SRPT_LOG_WARNING,
		      "channel %llu: bad IU (opcode 0x%02x, %u bytes): logging out, reason %u",
		      (unsigned long long)ch->id,
		      io->rx_len ? io->rx_buf[0] : 0, io->rx_len, reason);
	n = srpt_t_logout_encode(&lo, io->tx_buf, ch->ti_iu_len);
	srpt_ch_queue_ev(ch, SRPT_EV_APP_CLOSE);
	if (n <= 0) {
		srpt_io_release(io);
		return;
	}
	io->rsp_len = (uint32_t)n;
	srpt_xfer_start(io, SRPT_XFER_IU, 0);
	atomic_store(&io->state, SRPT_IO_SENDING);
	srpt_sq_submit(io);
}

/* Send @n bytes of an IU of the target's own from @io (taken with
 * srpt_io_take_free()); it counts as outstanding until sent. */
static void send_own(struct srpt_io *io, int n)
{
	atomic_fetch_add(&io->ch->io_outstanding, 1);
	io->rsp_len = (uint32_t)n;
	srpt_xfer_start(io, SRPT_XFER_IU, 0);
	atomic_store(&io->state, SRPT_IO_SENDING);
	srpt_sq_submit(io);
}

/* A tag for a request of the target's own whose answer is awaited, or 0
 * when as many are unanswered as there are spare receive buffers. */
static uint64_t treq_new(struct srpt_channel *ch)
{
	uint64_t tag = 0;

	pthread_mutex_lock(&ch->io_lock);
	if (ch->ntreq < SRPT_SPARE_RX) {
		tag = TREQ_TAG_BIT | ++ch->treq_seq;
		ch->treq_tag[ch->ntreq++] = tag;
	}
	pthread_mutex_unlock(&ch->io_lock);
	return tag;
}

/* srpt_channel_logout(): SRP_T_LOGOUT, then, once it is sent, the
 * disconnect (srpt_io_end). */
int srpt_rsp_target_logout(struct srpt_channel *ch, uint32_t reason)
{
	struct srpt_t_logout lo = { .reason = reason };
	struct srpt_io *io;
	int n;

	if (srpt_ch_state(ch) != SRPT_CH_LIVE)
		return -ESTALE;
	io = srpt_io_take_free(ch);
	if (!io)
		return -EBUSY;
	n = srpt_t_logout_encode(&lo, io->tx_buf, ch->ti_iu_len);
	srpt_log_peer(ch->t, SRPT_LOG_NOTICE,
		      "channel %llu: logging the initiator out, reason %u",
		      (unsigned long long)ch->id, reason);
	io->close_after = true;
	send_own(io, n);
	return 0;
}

/* srpt_channel_send_aer(): SRP_AER_REQ, answered by SRP_AER_RSP. It
 * carries credits that are due, as every IU of the target may. */
int srpt_rsp_aer(struct srpt_channel *ch, const uint8_t lun[8],
		 const uint8_t *sense, uint32_t sense_len)
{
	struct srpt_aer_req aer = { .sense = sense };
	uint32_t room = ch->ti_iu_len - SRPT_AER_REQ_LEN;
	struct srpt_io *io;
	int delta, n;

	if (srpt_ch_state(ch) != SRPT_CH_LIVE)
		return -ESTALE;
	io = srpt_io_take_free(ch);
	if (!io)
		return -EBUSY;
	aer.tag = treq_new(ch);
	if (!aer.tag) {
		atomic_fetch_add(&ch->io_outstanding, 1);
		srpt_io_release(io);
		return -EBUSY;
	}
	memcpy(aer.lun, lun, 8);
	aer.sense_len = sense_len < room ? sense_len : room;
	delta = atomic_exchange(&ch->req_lim_delta, 0);
	aer.req_lim_delta = (uint32_t)delta;
	n = srpt_aer_req_encode(&aer, io->tx_buf, ch->ti_iu_len);
	if (n < 0) {
		atomic_fetch_add(&ch->req_lim_delta, delta);
		srpt_rsp_treq_answered(ch, aer.tag);
		atomic_fetch_add(&ch->io_outstanding, 1);
		srpt_io_release(io);
		return n;
	}
	atomic_fetch_add(&ch->req_lim, delta);
	atomic_fetch_add(&ch->cnt.aer_reqs, 1);
	io->info.tag = aer.tag;
	send_own(io, n);
	return 0;
}

/*
 * Credits are due (an aborted command's, which no response carried) and
 * nothing in flight will answer on this channel: send them with an
 * SRP_CRED_REQ. Without a free io, or with as many requests unanswered as
 * there are spare receive buffers for the answers, they wait for the next
 * response instead.
 */
void srpt_rsp_cred_req(struct srpt_channel *ch)
{
	struct srpt_cred_req cr = { 0 };
	struct srpt_io *io;
	int delta, n;

	if (srpt_ch_state(ch) != SRPT_CH_LIVE ||
	    atomic_load(&ch->req_lim_delta) <= 0)
		return;
	io = srpt_io_take_free(ch);
	if (!io)
		return;
	cr.tag = treq_new(ch);
	delta = cr.tag ? atomic_exchange(&ch->req_lim_delta, 0) : 0;
	if (delta <= 0) {
		if (cr.tag)
			srpt_rsp_treq_answered(ch, cr.tag);
		atomic_fetch_add(&ch->io_outstanding, 1);
		srpt_io_release(io);
		return;
	}
	cr.req_lim_delta = (uint32_t)delta;
	n = srpt_cred_req_encode(&cr, io->tx_buf, ch->ti_iu_len);
	atomic_fetch_add(&ch->req_lim, delta);
	atomic_fetch_add(&ch->t->stats.cred_reqs, 1);
	atomic_fetch_add(&ch->cnt.cred_reqs, 1);
	io->info.tag = cr.tag;
	send_own(io, n);
}

/* An answer to one of the target's own requests: true if it was one
 * (and it is no longer awaited). */
bool srpt_rsp_treq_answered(struct srpt_channel *ch, uint64_t tag)
{
	bool found = false;

	pthread_mutex_lock(&ch->io_lock);
	for (uint32_t i = 0; i < ch->ntreq; i++) {
		if (ch->treq_tag[i] == tag) {
			ch->treq_tag[i] = ch->treq_tag[--ch->ntreq];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&ch->io_lock);
	return found;
}
