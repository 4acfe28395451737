/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The one posting path. Everything that goes on a channel's send queue
 * (responses and their DATA-IN, task management responses, T_LOGOUTs,
 * DATA-OUT and descriptor table READs) goes through srpt_sq_submit():
 *
 * 1. a response first needs a spare io, so that its IU's receive buffer
 *    can go back before it (srpt_io_take_spare(); it waits on rsp_wait);
 * 2. its chain is built (xfer.c), which gives the exact number of work
 *    requests it takes;
 * 3. that many send queue slots are reserved, or the io waits on sq_wait
 *    in order, with the count it needs;
 * 4. it is posted under post_lock, unless the channel drains.
 *
 * Slots come back with completions (srpt_sq_done()), and a kick posts
 * waiting ios in order while slots last: a loop, never a recursion, and
 * nothing here finishes an io. A chain that cannot be posted (the
 * channel drains, or the post failed and the channel must end) goes to
 * sq_dead; its io is finished on the dispatch thread once the channel is
 * DISCONNECTED, when no work request of it can still be moving data.
 * So no application callback ever runs inside a call the application
 * made, and buffers are never reused under an unfinished transfer.
 *
 * One wake-up per I/O: a response SEND is posted unsignaled where it
 * may be (sq_signal() has the rules), so a READ or a WRITE with
 * immediate data costs the completion thread the receive only. On an
 * RC send queue work requests complete in order, so a completion says
 * that everything posted before it completed as well: every chain gets
 * a position under post_lock (the order the transport puts them on the
 * queue), unsignaled responses wait on ch->sq_unsig in that order, and
 * any later completion finishes those before it (srpt_sq_reclaim()),
 * the drain's included; the drain timeout finishes what is left. A
 * failed unsignaled SEND completes with its own id (verbs reports every
 * work request that fails), and successful ones before a failure give
 * none: so reclaiming by position is right in both cases, and the
 * posted flag makes sure each io is finished exactly once. Only then
 * does the io's release notification run: the HCA is done with the
 * response and the data.
 */
#include <errno.h>

#include "core/core.h"

static bool sq_try_reserve(struct srpt_channel *ch, uint32_t n)
{
	int avail = atomic_load(&ch->sq_avail);

	do {
		if (avail < (int)n)
			return false;
	} while (!atomic_compare_exchange_weak(&ch->sq_avail, &avail,
					       avail - (int)n));
	return true;
}

/* The io's chain will never complete: finish it on the dispatch thread
 * once the channel is DISCONNECTED. A failed post also ends the
 * channel: its data path is broken. */
static void sq_bury(struct srpt_io *io, bool failed)
{
	struct srpt_channel *ch = io->ch;

	pthread_mutex_lock(&ch->sq_lock);
	cds_list_add_tail(&io->sq_link, &ch->sq_dead);
	pthread_mutex_unlock(&ch->sq_lock);
	srpt_ch_queue_ev(ch, SRPT_EV_IO_DEAD | (failed ? SRPT_EV_FATAL : 0));
}

/*
 * Reserve @n slots for @io, or park it (false). The count of parked ios
 * goes up before the reservation is tried under the lock, and a
 * completion adds its slots before it reads that count: so either the
 * reservation sees the slots, or the completion sees a parked io and
 * kicks. An io is never parked once the channel drains (the close
 * empties sq_wait under the same lock after it set DRAINING): it is
 * buried instead.
 */
static bool sq_acquire(struct srpt_channel *ch, struct srpt_io *io, uint32_t n)
{
	if (!atomic_load(&ch->sq_nparked) && sq_try_reserve(ch, n))
		return true;
	pthread_mutex_lock(&ch->sq_lock);
	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING) {
		cds_list_add_tail(&io->sq_link, &ch->sq_dead);
		pthread_mutex_unlock(&ch->sq_lock);
		srpt_ch_queue_ev(ch, SRPT_EV_IO_DEAD);
		return false;
	}
	atomic_fetch_add(&ch->sq_nparked, 1);
	if (cds_list_empty(&ch->sq_wait) && sq_try_reserve(ch, n)) {
		atomic_fetch_sub(&ch->sq_nparked, 1);
		pthread_mutex_unlock(&ch->sq_lock);
		return true;
	}
	io->sq_need = n;
	cds_list_add_tail(&io->sq_link, &ch->sq_wait);
	pthread_mutex_unlock(&ch->sq_lock);
	return false;
}

/* At least one chain in this many asks for a completion, so that slots
 * and ios come back in steady batches. */
#define SQ_SIGNAL_EVERY 16

/*
 * Whether the chain in @cb must ask for a completion of its own; under
 * post_lock, with its slots reserved. Only the last chain of a response
 * may go unsignaled; everything else is signaled because something
 * waits for exactly its completion:
 * - a chain that does not end the io (RDMA READs of DATA-OUT or of a
 *   descriptor table, DATA-IN WRITEs the response does not fit behind):
 *   the io goes on from its completion;
 * - IUs of the target's own (SRP_T_LOGOUT: the disconnect waits for it;
 *   SRP_CRED_REQ, SRP_AER_REQ: rare, and they hold an unreserved io);
 * - a response with a release notification: the application's memory
 *   must come back promptly (its pool is sized by its own rules);
 * - a response holding a descriptor table of the target's bounded pool;
 * - a response that took the last spare io (sig_now): a later response
 *   that has to wait for a spare (srpt_io_take_spare()) is then sure to
 *   get one from this completion;
 * - fewer free slots than the longest chain: a chain parked for slots
 *   (sq_acquire()) is then sure to get them from a completion to come,
 *   and the send queue never fills with work requests nobody reclaims;
 * - every SQ_SIGNAL_EVERY-th chain (at most half the send queue).
 * The last work request before a drain needs no signal: the drain write
 * is signaled, and its completion (or flush) reclaims everything posted
 * before it. Whoever waits on an io that may sit on sq_unsig (task
 * management, credits due) posts a fence (srpt_sq_fence()).
 */
static bool sq_signal(struct srpt_channel *ch, const struct srpt_io *io,
		      const struct srpt_chain_buf *cb)
{
	uint32_t every = ch->tp.sq_size / 2;

	if (!cb->last || io->xop != SRPT_XFER_RSP)
		return true;
	if (io->release_fn || io->table || io->sig_now)
		return true;
	if (atomic_load(&ch->sq_avail) < (int)srpt_xfer_max_wr(ch))
		return true;
	if (every > SQ_SIGNAL_EVERY)
		every = SQ_SIGNAL_EVERY;
	return ch->sq_run + 1 >= every;
}

/* A chain was posted at position @seq; under post_lock. */
static void sq_posted(struct srpt_channel *ch, uint64_t seq, bool signaled)
{
	ch->sq_seq = seq;
	if (signaled) {
		ch->sq_last_sig = seq;
		ch->sq_run = 0;
	} else {
		ch->sq_run++;
	}
}

/* Post the chain in @cb, for which io->sq_wrs slots are reserved. */
static void sq_post(struct srpt_io *io, struct srpt_chain_buf *cb)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_target *t = ch->t;
	/* A response's receive buffer goes back before it, in the same
	 * post_lock section (io-pool.c), unless the queue is shared. */
	bool early = cb->last && io->xop == SRPT_XFER_RSP;
	bool signaled = true;
	int r, rx_r = 0;

	/* Before the post: its completion may come at once, on another
	 * thread, and go on from here. */
	io->pos = io->next;
	if (early && srpt_ch_srq(ch)) {
		srpt_io_rx_early(io);
		early = false;
	}
	pthread_mutex_lock(&ch->tp.post_lock);
	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING) {
		if (early)
			srpt_io_rx_early_locked(io, false);
		r = -ESHUTDOWN;
	} else {
		if (early)
			rx_r = srpt_io_rx_early_locked(io, true);
		signaled = sq_signal(ch, io, cb);
		cb->chain.unsignaled = !signaled;
		io->sq_seq = ch->sq_seq + 1;
		atomic_store(&io->posted, true);
		r = t->tp_ops->post_chain(&ch->tp, &cb->chain);
		if (r) {
			atomic_store(&io->posted, false);
		} else {
			/* Counted before the unlock: once it is posted, a
			 * completion may go on with the io on another
			 * thread, but its next chain waits for this lock. */
			srpt_tally(&io->tally.post_chain_calls, 1);
			if (signaled)
				srpt_tally(&io->tally.signaled_wrs, 1);
			sq_posted(ch, io->sq_seq, signaled);
			if (!signaled) {
				cds_list_add_tail(&io->unsig_link, &ch->sq_unsig);
				io->unsig = true;
				atomic_fetch_add(&ch->sq_unsig_n, 1);
			}
		}
	}
	pthread_mutex_unlock(&ch->tp.post_lock);
	if (rx_r)
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	if (r) {
		/* No kick from here: that is what could recurse. The
		 * channel is ending; its waiting ios are buried with it. */
		atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
		io->sq_wrs = 0;
		if (r != -ESHUTDOWN)
			srpt_warn(t, "channel %llu: post failed (%d); closing",
				  (unsigned long long)ch->id, r);
		sq_bury(io, r != -ESHUTDOWN);
	}
}

/* Build, reserve, post; or park. */
static void sq_go(struct srpt_io *io)
{
	struct srpt_chain_buf cb;

	srpt_xfer_build(io, &cb);
	if (!sq_acquire(io->ch, io, cb.chain.nwr))
		return;
	io->sq_wrs = cb.chain.nwr;
	sq_post(io, &cb);
}

void srpt_sq_submit(struct srpt_io *io)
{
	/* A response's IU buffer goes back before it: that needs a spare
	 * io, or the response waits for one (srpt_io_put()). */
	if (io->xop == SRPT_XFER_RSP) {
		int r = srpt_io_take_spare(io);

		if (r < 0)
			sq_bury(io, false);
		if (r <= 0)
			return;
	}
	sq_go(io);
}

/* A response that waited on rsp_wait got its spare io. */
void srpt_sq_resume(struct srpt_io *io)
{
	sq_go(io);
}

/* Post parked ios, in order, while slots last. */
void srpt_sq_kick(struct srpt_channel *ch)
{
	for (;;) {
		struct srpt_chain_buf cb;
		struct srpt_io *io;

		pthread_mutex_lock(&ch->sq_lock);
		if (cds_list_empty(&ch->sq_wait)) {
			pthread_mutex_unlock(&ch->sq_lock);
			return;
		}
		io = cds_list_first_entry(&ch->sq_wait, struct srpt_io, sq_link);
		if (!sq_try_reserve(ch, io->sq_need)) {
			pthread_mutex_unlock(&ch->sq_lock);
			return;
		}
		cds_list_del(&io->sq_link);
		atomic_fetch_sub(&ch->sq_nparked, 1);
		pthread_mutex_unlock(&ch->sq_lock);
		srpt_xfer_build(io, &cb);
		io->sq_wrs = io->sq_need;
		if (cb.chain.nwr != io->sq_need) {
			/* The same chain must come out (xfer.c). */
			srpt_err(ch->t, "channel %llu: io %u: chain of %u work requests, %u reserved",
				 (unsigned long long)ch->id, io->index,
				 cb.chain.nwr, io->sq_need);
			atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
			io->sq_wrs = 0;
			sq_bury(io, true);
			continue;
		}
		sq_post(io, &cb);
	}
}

/* A chain of @io completed (or was flushed): its slots come back. */
void srpt_sq_done(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
	io->sq_wrs = 0;
}

/* The transport could not post a chain it had accepted (batched posts):
 * treated as a failed post. */
void srpt_sq_post_failed(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	/* An unsignaled response that never went out is not on the queue
	 * either: off the reclaim list, before anything reuses the io. */
	pthread_mutex_lock(&ch->tp.post_lock);
	if (io->unsig) {
		cds_list_del(&io->unsig_link);
		io->unsig = false;
		atomic_fetch_sub(&ch->sq_unsig_n, 1);
	}
	pthread_mutex_unlock(&ch->tp.post_lock);
	srpt_warn(ch->t, "channel %llu: a batched post failed; closing",
		  (unsigned long long)ch->id);
	atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
	io->sq_wrs = 0;
	sq_bury(io, true);
}

static struct srpt_io *pop(pthread_mutex_t *lock, struct cds_list_head *list)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(lock);
	if (!cds_list_empty(list)) {
		io = cds_list_first_entry(list, struct srpt_io, sq_link);
		cds_list_del(&io->sq_link);
	}
	pthread_mutex_unlock(lock);
	return io;
}

/* The channel drains: waiting ios will never be posted. */
void srpt_sq_flush_parked(struct srpt_channel *ch)
{
	struct srpt_io *io;

	while ((io = pop(&ch->sq_lock, &ch->sq_wait))) {
		atomic_fetch_sub(&ch->sq_nparked, 1);
		sq_bury(io, false);
	}
	while ((io = pop(&ch->io_lock, &ch->rsp_wait)))
		sq_bury(io, false);
}

struct srpt_io *srpt_sq_pop_dead(struct srpt_channel *ch)
{
	return pop(&ch->sq_lock, &ch->sq_dead);
}

/* ios one pass of srpt_sq_reclaim() takes off the list under the lock. */
#define RECLAIM_BATCH 32

/*
 * A work request at position @seq of @ch's send queue completed (or was
 * flushed): every unsignaled response posted at or before it is done
 * with, and is finished here, in post order, as a sent response. @self,
 * the io whose completion this is, is only taken off the list: its
 * caller finishes it with its own status. Completion context of @ch, or
 * the drain's.
 */
void srpt_sq_reclaim(struct srpt_channel *ch, uint64_t seq,
		     const struct srpt_io *self)
{
	struct srpt_io *done[RECLAIM_BATCH];
	unsigned int n, taken;

	if (!atomic_load(&ch->sq_unsig_n))
		return;
	do {
		n = taken = 0;
		pthread_mutex_lock(&ch->tp.post_lock);
		while (taken < RECLAIM_BATCH && !cds_list_empty(&ch->sq_unsig)) {
			struct srpt_io *io = cds_list_first_entry(&ch->sq_unsig,
					struct srpt_io, unsig_link);

			if (io->sq_seq > seq)
				break;
			cds_list_del(&io->unsig_link);
			io->unsig = false;
			taken++;
			if (io != self)
				done[n++] = io;
		}
		if (taken)
			atomic_fetch_sub(&ch->sq_unsig_n, (int)taken);
		pthread_mutex_unlock(&ch->tp.post_lock);
		/* Off the list, the posted flag decides who finishes each:
		 * a flush completion of its own, or the drain timeout. */
		for (unsigned int i = 0; i < n; i++)
			if (atomic_exchange(&done[i]->posted, false))
				srpt_io_finish(done[i], SRPT_WR_SEND, 0);
	} while (taken == RECLAIM_BATCH);
}

/*
 * Someone waits for ios that may sit on sq_unsig with no signaled work
 * request behind them (task management for an aborted io, credits due
 * with only such ios outstanding): post a signaled zero-length write
 * whose completion reclaims them. At most one is in flight; one asked
 * for meanwhile follows it. Without a free slot none is needed: the
 * chain that took the last ones was signaled (sq_signal()). Any thread
 * with no core lock held (it calls the transport, which may take locks
 * of its own that it holds around calls into the core).
 */
void srpt_sq_fence(struct srpt_channel *ch)
{
	static const struct srpt_tp_wr wr = { .op = SRPT_TP_WRITE };
	struct srpt_tp_chain c = {
		.wr = &wr,
		.nwr = 1,
		.wr_id = srpt_wr_id(ch, SRPT_WR_FENCE, 0),
	};
	struct srpt_target *t = ch->t;
	struct srpt_io *tail;
	int r = 0;

	if (!atomic_load(&ch->sq_unsig_n))
		return;
	pthread_mutex_lock(&ch->tp.post_lock);
	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING ||
	    cds_list_empty(&ch->sq_unsig))
		goto out;
	tail = cds_list_entry(ch->sq_unsig.prev, struct srpt_io, unsig_link);
	if (tail->sq_seq < ch->sq_last_sig)
		goto out;	/* a signaled one follows it already */
	if (ch->fence_out) {
		ch->fence_again = true;
		goto out;
	}
	if (!sq_try_reserve(ch, 1))
		goto out;
	r = t->tp_ops->post_chain(&ch->tp, &c);
	if (r) {
		atomic_fetch_add(&ch->sq_avail, 1);
		goto out;
	}
	ch->fence_out = true;
	ch->fence_seq = ch->sq_seq + 1;
	sq_posted(ch, ch->fence_seq, true);
	atomic_fetch_add(&t->stats.signaled_wrs, 1);
out:
	pthread_mutex_unlock(&ch->tp.post_lock);
	if (r) {
		srpt_warn(t, "channel %llu: fence post failed (%d); closing",
			  (unsigned long long)ch->id, r);
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	}
}

/* The fence write completed (or was flushed): what was posted before it
 * is done with; its slot comes back. Completion context of @ch. */
void srpt_sq_fence_done(struct srpt_channel *ch, int status)
{
	uint64_t seq;
	bool again;

	pthread_mutex_lock(&ch->tp.post_lock);
	seq = ch->fence_seq;
	again = ch->fence_again;
	ch->fence_out = false;
	ch->fence_again = false;
	pthread_mutex_unlock(&ch->tp.post_lock);
	if (status && srpt_ch_state(ch) < SRPT_CH_DRAINING)
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
	srpt_sq_reclaim(ch, seq, NULL);
	atomic_fetch_add(&ch->sq_avail, 1);
	if (again)
		srpt_sq_fence(ch);
	srpt_sq_kick(ch);
}

/* The drain timed out: the reclaim list is dropped (the posted flags,
 * which the caller then clears, decide who finishes each io), and the
 * fence is forgotten. Dispatch thread, channel DISCONNECTED. */
void srpt_sq_unsig_forget(struct srpt_channel *ch)
{
	pthread_mutex_lock(&ch->tp.post_lock);
	while (!cds_list_empty(&ch->sq_unsig)) {
		struct srpt_io *io = cds_list_first_entry(&ch->sq_unsig,
				struct srpt_io, unsig_link);

		cds_list_del(&io->unsig_link);
		io->unsig = false;
	}
	atomic_store(&ch->sq_unsig_n, 0);
	ch->fence_out = false;
	ch->fence_again = false;
	pthread_mutex_unlock(&ch->tp.post_lock);
}
