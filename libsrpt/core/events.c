/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Entry points for transports: see core/events.h. */
#include <errno.h>

#include "core/core.h"
#include "core/events.h"

void srpt_ev_established(struct srpt_tp_channel *tpc)
{
	srpt_ch_queue_ev(srpt_ch_of(tpc), SRPT_EV_ESTABLISHED);
}

void srpt_ev_conn_error(struct srpt_tp_channel *tpc)
{
	srpt_ch_queue_ev(srpt_ch_of(tpc), SRPT_EV_CONN_ERROR);
}

void srpt_ev_disconnected(struct srpt_tp_channel *tpc)
{
	srpt_ch_queue_ev(srpt_ch_of(tpc), SRPT_EV_DISCONNECTED);
}

void srpt_ev_timewait_exit(struct srpt_tp_channel *tpc)
{
	srpt_ch_queue_ev(srpt_ch_of(tpc), SRPT_EV_TIMEWAIT);
}

void srpt_ev_fatal(struct srpt_tp_channel *tpc)
{
	srpt_ch_queue_ev(srpt_ch_of(tpc), SRPT_EV_FATAL);
}

void srpt_ev_qp_event(struct srpt_tp_target *tpt, uint32_t qp_num,
		      enum srpt_qp_event ev)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch = srpt_ch_lookup(t, qp_num);

	if (!ch)
		return;
	if (ev == SRPT_QP_COMM_EST)
		srpt_ch_queue_ev(ch, SRPT_EV_ESTABLISHED);
	else if (ev == SRPT_QP_FATAL)
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	else if (ev == SRPT_QP_LAST_WQE_REACHED)
		srpt_ch_queue_ev(ch, SRPT_EV_LAST_WQE);
	srpt_ch_drop(ch);
}

void srpt_ev_device_gone(struct srpt_tp_target *tpt, int dev)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch;

	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(ch, &t->channels, t_link)
		if (ch->tp.dev == dev)
			srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	pthread_mutex_unlock(&t->lock);
}

unsigned int srpt_core_dev_channels(struct srpt_tp_target *tpt, int dev)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch;
	unsigned int n = 0;

	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(ch, &t->channels, t_link)
		n += ch->tp.dev == dev;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static void drain_progress(struct srpt_channel *ch)
{
	if (srpt_ch_state(ch) == SRPT_CH_DRAINING &&
	    atomic_load(&ch->drain_done) && atomic_load(&ch->rx_posted) <= 0)
		srpt_ch_queue_ev(ch, SRPT_EV_DRAIN_DONE);
}

/*
 * A receive completed on @ch in buffer @slot: hand the IU over, or, for a
 * flush or an IU longer than @max_len, close the channel. Returns whether
 * an io took the buffer.
 */
static bool rx_complete(struct srpt_channel *ch, uint32_t slot, int status,
			uint32_t byte_len, uint32_t max_len)
{
	struct srpt_io *io = NULL;

	if (!status && byte_len <= max_len)
		io = srpt_io_rx_bind(ch, slot, byte_len);
	if (io) {
		/* The caller's pin lasts until after this returns:
		 * on_cmd's srpt_io_complete() need not take one. */
		struct srpt_channel *outer = srpt_tl_pinned;

		srpt_tl_pinned = ch;
		srpt_iu_receive(ch, io);
		srpt_tl_pinned = outer;
		return true;
	}
	if (srpt_ch_state(ch) < SRPT_CH_DRAINING)
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	return false;
}

/*
 * A receive of a device's shared queue: the QP number says whose IU it
 * is. A buffer no live channel takes goes straight back to the queue.
 */
static int srq_completion(struct srpt_target *t, uint32_t qp_num,
			  uint64_t wr_id, int status, uint32_t byte_len)
{
	uint64_t dev = wr_id >> SRPT_WRID_ID_SHIFT;
	uint32_t idx = (uint32_t)(wr_id & SRPT_WRID_INDEX_MASK);
	struct srpt_channel *ch;

	if (dev >= SRPT_MAX_DEVICES || !t->srq[dev].mem || idx >= t->srq[dev].n) {
		atomic_fetch_add(&t->stats.late_completions, 1);
		return -ENOENT;
	}
	ch = srpt_ch_lookup(t, qp_num);
	if (ch && (ch->tp.dev != (int)dev ||
		   srpt_ch_state(ch) == SRPT_CH_DISCONNECTED)) {
		srpt_ch_drop(ch);
		ch = NULL;
	}
	if (!ch) {
		atomic_fetch_add(&t->stats.late_completions, 1);
		srpt_srq_post_count(t, (int)dev, idx);
		return -ENOENT;
	}
	/* A shared buffer fits the target's largest IU: one longer than
	 * this channel negotiated is what its own ring would have refused
	 * with a length error. */
	if (!rx_complete(ch, idx, status, byte_len, ch->it_iu_len))
		srpt_srq_post_count(t, (int)dev, idx);
	srpt_ch_drop(ch);
	return 0;
}

/*
 * The channel and io a send-queue completion names: pinned, and only if
 * the channel is the one that posted it (a QP number can be reused by a
 * newer channel; the id in the work request tells) and completions still
 * count. NULL otherwise.
 */
static struct srpt_channel *wr_channel(struct srpt_target *t, uint32_t qp_num,
				       uint64_t wr_id)
{
	struct srpt_channel *ch = srpt_ch_lookup(t, qp_num);
	enum srpt_wr_type type;
	uint32_t idx;

	if (!ch)
		return NULL;
	type = (enum srpt_wr_type)((wr_id >> SRPT_WRID_TYPE_SHIFT) & 0xf);
	idx = (uint32_t)(wr_id & SRPT_WRID_INDEX_MASK);
	if ((wr_id >> SRPT_WRID_ID_SHIFT) != (ch->id & ((1ull << 40) - 1)) ||
	    srpt_ch_state(ch) == SRPT_CH_DISCONNECTED ||
	    (type != SRPT_WR_DRAIN &&
	     idx >= (type == SRPT_WR_RECV ? ch->tp.nrx : ch->nio))) {
		srpt_ch_drop(ch);
		return NULL;
	}
	return ch;
}

int srpt_ev_completion(struct srpt_tp_target *tpt, uint32_t qp_num,
		       uint64_t wr_id, int status, uint32_t byte_len)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch;
	enum srpt_wr_type type;
	uint32_t idx;

	type = (enum srpt_wr_type)((wr_id >> SRPT_WRID_TYPE_SHIFT) & 0xf);
	if (type == SRPT_WR_SRQ_RECV)
		return srq_completion(t, qp_num, wr_id, status, byte_len);
	ch = wr_channel(t, qp_num, wr_id);
	if (!ch)
		goto late;
	idx = (uint32_t)(wr_id & SRPT_WRID_INDEX_MASK);
	switch (type) {
	case SRPT_WR_RECV:
		atomic_fetch_sub(&ch->rx_posted, 1);
		/* the hardware enforces the ring buffer's length */
		rx_complete(ch, idx, status, byte_len, UINT32_MAX);
		drain_progress(ch);
		break;
	case SRPT_WR_SEND:
	case SRPT_WR_WRITE:
	case SRPT_WR_READ:
	case SRPT_WR_TABLE:
		/* Everything posted before it is done with (sq.c); this io
		 * too, if its response went unsignaled and failed. */
		srpt_sq_reclaim(ch, ch->ios[idx].sq_seq, &ch->ios[idx]);
		/* The drain timeout may have finished the io already. */
		if (!atomic_exchange(&ch->ios[idx].posted, false)) {
			srpt_ch_drop(ch);
			goto late;
		}
		if (status && srpt_ch_state(ch) < SRPT_CH_DRAINING)
			srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
		srpt_io_finish(&ch->ios[idx], type, status);
		break;
	case SRPT_WR_FENCE:
		srpt_sq_fence_done(ch, status);
		break;
	case SRPT_WR_DRAIN:
		/* The drain write is the last thing posted: unsignaled
		 * responses still waiting are done with. */
		srpt_sq_reclaim(ch, UINT64_MAX, NULL);
		atomic_store(&ch->drain_done, true);
		drain_progress(ch);
		break;
	default:
		srpt_ch_drop(ch);
		goto late;
	}
	srpt_ch_drop(ch);
	return 0;
late:
	atomic_fetch_add(&t->stats.late_completions, 1);
	return -ENOENT;
}

int srpt_ev_post_failed(struct srpt_tp_target *tpt, uint32_t qp_num, uint64_t wr_id)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch = wr_channel(t, qp_num, wr_id);
	enum srpt_wr_type type;
	uint32_t idx;

	if (!ch)
		return -ENOENT;
	type = (enum srpt_wr_type)((wr_id >> SRPT_WRID_TYPE_SHIFT) & 0xf);
	idx = (uint32_t)(wr_id & SRPT_WRID_INDEX_MASK);
	if (type == SRPT_WR_FENCE) {
		/* The fence never went out: another may, after the close. */
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	} else if (type != SRPT_WR_RECV && type != SRPT_WR_DRAIN) {
		if (atomic_exchange(&ch->ios[idx].posted, false))
			srpt_sq_post_failed(&ch->ios[idx]);
		else
			/* A later completion took the io as sent (an
			 * unsignaled response reclaimed by position): the
			 * channel must end all the same. */
			srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	}
	srpt_ch_drop(ch);
	return 0;
}

void srpt_rcu_thread_online(void)
{
	if (!srpt_rcu_registered) {
		urcu_memb_register_thread();
		srpt_rcu_registered = true;
	}
}

void srpt_rcu_thread_offline(void)
{
	if (srpt_rcu_registered) {
		urcu_memb_unregister_thread();
		srpt_rcu_registered = false;
	}
}

bool srpt_rcu_thread_is_online(void)
{
	return srpt_rcu_registered;
}
