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

/* Post the chain in @cb, for which io->sq_wrs slots are reserved. */
static void sq_post(struct srpt_io *io, struct srpt_chain_buf *cb)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_target *t = ch->t;
	int r;

	/* Before the post: its completion may come at once, on another
	 * thread, and go on from here. */
	io->pos = io->next;
	if (cb->last && io->xop == SRPT_XFER_RSP)
		srpt_io_rx_early(io);
	pthread_mutex_lock(&ch->tp.post_lock);
	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING) {
		r = -ESHUTDOWN;
	} else {
		atomic_store(&io->posted, true);
		r = t->tp_ops->post_chain(&ch->tp, &cb->chain);
		if (r)
			atomic_store(&io->posted, false);
	}
	pthread_mutex_unlock(&ch->tp.post_lock);
	if (r) {
		/* No kick from here: that is what could recurse. The
		 * channel is ending; its waiting ios are buried with it. */
		atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
		io->sq_wrs = 0;
		if (r != -ESHUTDOWN)
			srpt_warn(t, "channel %llu: post failed (%d); closing",
				  (unsigned long long)ch->id, r);
		sq_bury(io, r != -ESHUTDOWN);
		return;
	}
	atomic_fetch_add(&t->stats.post_chain_calls, 1);
	atomic_fetch_add(&t->stats.signaled_wrs, 1);
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
