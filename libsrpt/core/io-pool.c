/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * io contexts and receive buffers: an IU that arrives takes a free io,
 * its receive buffer goes back to the QP (or the shared queue) before
 * the response that returns its credit, and the io goes back on the free
 * stack when its last work request completed. Nothing here calls out of
 * this file but the transport's post_recv.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"

#define WRID_ID_MASK ((1ull << 40) - 1)

_Thread_local bool srpt_rcu_registered;
_Thread_local struct srpt_channel *srpt_tl_pinned;

uint64_t srpt_wr_id(const struct srpt_channel *ch, enum srpt_wr_type type,
		    uint32_t index)
{
	return (ch->id & WRID_ID_MASK) << SRPT_WRID_ID_SHIFT |
	       (uint64_t)type << SRPT_WRID_TYPE_SHIFT |
	       (index & SRPT_WRID_INDEX_MASK);
}

bool srpt_ch_srq(const struct srpt_channel *ch)
{
	return ch->t->opts.flags & SRPT_TARGET_SRQ;
}

static uint32_t rx_stride(const struct srpt_channel *ch)
{
	return (ch->it_iu_len + 63) & ~63u;
}

static uint8_t *rx_addr(const struct srpt_channel *ch, uint32_t slot)
{
	const struct srpt_srq *q = &ch->t->srq[ch->tp.dev];

	if (srpt_ch_srq(ch))
		return q->mem + (size_t)q->stride * slot;
	return ch->rx_mem + (size_t)rx_stride(ch) * slot;
}

/* Receive buffer @slot goes back to the channel's own QP: under post_lock,
 * the channel short of DRAINING. */
static int rx_post_locked(struct srpt_channel *ch, uint32_t slot)
{
	struct srpt_tp_sge sge = {
		.addr = (uintptr_t)rx_addr(ch, slot),
		.len = rx_stride(ch),
		.lkey = ch->rx_mr->tp.lkey[ch->tp.dev],
	};
	uint64_t wr_id = srpt_wr_id(ch, SRPT_WR_RECV, slot);
	int r;

	atomic_fetch_add(&ch->rx_posted, 1);
	r = ch->t->tp_ops->post_recv(&ch->tp, &sge, &wr_id, 1);
	if (r)
		atomic_fetch_sub(&ch->rx_posted, 1);
	return r;
}

/* Receive buffer @slot goes back: to the channel's QP, or to the shared
 * queue (always, also while the channel closes: the pool is shared). A
 * receive that cannot be posted on a live channel ends it: the
 * initiator would find its credit without a buffer. Returns whether a
 * receive was posted, for the caller to count (post_recv_calls). */
bool srpt_rx_post(struct srpt_channel *ch, uint32_t slot)
{
	bool posted = false;
	int r = 0;

	if (srpt_ch_srq(ch))
		return srpt_srq_post(ch->t, ch->tp.dev, slot);
	pthread_mutex_lock(&ch->tp.post_lock);
	if (srpt_ch_state(ch) < SRPT_CH_DRAINING) {
		r = rx_post_locked(ch, slot);
		posted = !r;
	}
	pthread_mutex_unlock(&ch->tp.post_lock);
	if (r)
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	return posted;
}

/*
 * An IU arrived in receive buffer @slot: give it a free io, with every
 * trace of the io's previous command wiped here, in one place. Every
 * posted receive buffer has a free io promised to it (io_unreserved
 * counts the others), so this fails only on a bookkeeping bug; the
 * channel then closes rather than lose the IU silently.
 */
struct srpt_io *srpt_io_rx_bind(struct srpt_channel *ch, uint32_t slot,
				uint32_t len)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(&ch->io_lock);
	if (ch->nio_free)
		io = &ch->ios[ch->io_free[--ch->nio_free]];
	pthread_mutex_unlock(&ch->io_lock);
	if (!io) {
		atomic_fetch_add(&ch->t->stats.io_starved, 1);
		srpt_err(ch->t, "channel %llu: no free io for an IU",
			 (unsigned long long)ch->id);
		return NULL;
	}
	io->rx_slot = slot;
	io->rx_buf = rx_addr(ch, slot);
	io->rx_len = len;
	memset(&io->info, 0, sizeof(io->info));
	memset(&io->cmd, 0, sizeof(io->cmd));
	io->rsp_posted = false;
	io->rsp_len = 0;
	io->xfer_len = 0;
	io->nlocal = 0;
	memset(&io->pos, 0, sizeof(io->pos));
	memset(&io->next, 0, sizeof(io->next));
	io->sq_need = 0;
	io->data_done = NULL;
	io->data_arg = NULL;
	io->copy_nsge = 0;
	io->release_fn = NULL;
	io->release_arg = NULL;
	atomic_store(&io->abort_note, 0);
	io->tm_func = 0;
	io->tm_task_tag = 0;
	return io;
}

/*
 * An io for an IU of the target's own (no receive buffer of its own): a
 * free io that no posted receive buffer is promised, or NULL.
 */
struct srpt_io *srpt_io_take_free(struct srpt_channel *ch)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(&ch->io_lock);
	if (ch->nio_free && ch->io_unreserved) {
		io = &ch->ios[ch->io_free[--ch->nio_free]];
		ch->io_unreserved--;
	}
	pthread_mutex_unlock(&ch->io_lock);
	if (!io)
		return NULL;
	io->rx_slot = SRPT_NO_SLOT;
	io->rx_buf = NULL;
	io->rx_len = 0;
	io->has_spare = false;
	memset(&io->info, 0, sizeof(io->info));
	io->rsp_posted = false;
	io->xfer_len = 0;
	io->nlocal = 0;
	io->release_fn = NULL;
	atomic_store(&io->abort_note, 0);
	return io;
}

/*
 * A response returns its IU's credit, and the initiator may use it as
 * soon as the response arrives, before this side sees the SEND complete.
 * So the IU's receive buffer must be back on the QP before the response
 * goes out. The io itself stays busy until the SEND completes; the
 * buffer's next IU takes a spare free io. Returns false, with the io
 * parked on rsp_wait, when there is no spare: the response then waits
 * for an io to come back (srpt_io_put()), rather than leave the
 * initiator a credit without a receive buffer (RNR, and the Linux
 * initiator reconnects). Returns 1 with the spare, 0 parked, or
 * -ESHUTDOWN when the channel drains (the close empties rsp_wait under
 * io_lock after it set DRAINING, so nothing is parked after that).
 */
int srpt_io_take_spare(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	int r;

	if (io->rx_slot == SRPT_NO_SLOT || io->has_spare)
		return 1;
	pthread_mutex_lock(&ch->io_lock);
	if (ch->io_unreserved > 0) {
		ch->io_unreserved--;
		io->has_spare = true;
		/* The last one: its response must be signaled (sq.c). */
		io->sig_now = !ch->io_unreserved;
		r = 1;
	} else if (srpt_ch_state(ch) >= SRPT_CH_DRAINING) {
		r = -ESHUTDOWN;
	} else {
		/* From here on whoever unparks it owns it. */
		cds_list_add_tail(&io->sq_link, &ch->rsp_wait);
		r = 0;
	}
	pthread_mutex_unlock(&ch->io_lock);
	if (!r)
		atomic_fetch_add(&ch->t->stats.rsp_waits, 1);
	return r;
}

/* The io's receive buffer went back early (posted or not): it is no
 * longer the io's. */
static void rx_given_back(struct srpt_io *io)
{
	io->rx_slot = SRPT_NO_SLOT;
	io->rx_buf = NULL;	/* the next IU may land there any moment */
	srpt_tally(&io->tally.rx_early, 1);
}

/*
 * Right before the response is posted (its work requests are built, the
 * IU is no longer needed): the receive buffer goes back. On a ring of
 * the channel's own this is done by srpt_io_rx_early_locked(), in the
 * response's own post_lock section; here with a shared receive queue.
 */
void srpt_io_rx_early(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	if (io->rx_slot == SRPT_NO_SLOT)
		return;
	if (srpt_rx_post(ch, io->rx_slot))
		srpt_tally(&io->tally.post_recv_calls, 1);
	rx_given_back(io);
}

/*
 * The same, for a ring of the channel's own, under post_lock: the post of
 * the response follows in the same section, so the lock is taken once.
 * The receive is posted only if @post (the channel is short of
 * DRAINING); the slot is given up either way. Returns the post's error:
 * the caller queues SRPT_EV_FATAL once it has let go of the lock.
 */
int srpt_io_rx_early_locked(struct srpt_io *io, bool post)
{
	int r = 0;

	if (io->rx_slot == SRPT_NO_SLOT)
		return 0;
	if (post) {
		r = rx_post_locked(io->ch, io->rx_slot);
		if (!r)
			srpt_tally(&io->tally.post_recv_calls, 1);
	}
	rx_given_back(io);
	return r;
}

/*
 * The io is free again. A receive buffer it still holds goes back to the
 * QP with this io promised to it; otherwise the io is a spare, and the
 * first response waiting for one gets it: it is returned, holding the
 * spare, for the caller to post (srpt_sq_resume()).
 */
struct srpt_io *srpt_io_put(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_io *next = NULL;
	uint32_t slot = io->rx_slot;
	bool spare = slot == SRPT_NO_SLOT || io->has_spare;

	io->rx_slot = SRPT_NO_SLOT;
	io->rx_buf = NULL;
	io->rx_len = 0;
	io->has_spare = false;
	io->sig_now = false;
	/* Counted before the io goes back on the free stack: from then on
	 * it is the next IU's (stats.h). */
	if (slot != SRPT_NO_SLOT) {
		if (srpt_rx_post(ch, slot))
			srpt_tally(&io->tally.post_recv_calls, 1);
		srpt_tally(&io->tally.rx_late, 1);
	}
	pthread_mutex_lock(&ch->io_lock);
	ch->io_free[ch->nio_free++] = io->index;
	if (spare) {
		if (!cds_list_empty(&ch->rsp_wait)) {
			next = cds_list_first_entry(&ch->rsp_wait,
						    struct srpt_io, sq_link);
			cds_list_del(&next->sq_link);
			next->has_spare = true;
			/* Spares are short: signaled, as in take_spare. */
			next->sig_now = true;
		} else {
			ch->io_unreserved++;
		}
	}
	pthread_mutex_unlock(&ch->io_lock);
	return next;
}
