/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The lifecycle event queue. Lifecycle events from any thread set bits on
 * their channel and queue it once; the dispatch thread (the transport's CM
 * thread, or a test) runs them in order. So every state transition and
 * every lifecycle callback happens on one thread per target, while the I/O
 * path runs on completion threads without taking any target-wide lock.
 */
#include "core/core.h"
#include "core/events.h"

void srpt_target_wake(struct srpt_target *t)
{
	if (t->tp_ops && t->tp_ops->wake)
		t->tp_ops->wake(&t->tp);
}

void srpt_ch_queue_ev(struct srpt_channel *ch, unsigned int ev)
{
	struct srpt_target *t = ch->t;
	bool queued_now = false;

	atomic_fetch_or(&ch->ev, ev);
	pthread_mutex_lock(&t->ctl_lock);
	if (!ch->ev_queued) {
		ch->ev_queued = true;
		srpt_ch_hold(ch);
		cds_list_add_tail(&ch->ctl_link, &t->ctl_queue);
		queued_now = true;
	}
	pthread_mutex_unlock(&t->ctl_lock);
	if (queued_now)
		srpt_target_wake(t);
}

/* The channel's last outstanding io went back to the ring: on_drained
 * may be due. */
void srpt_ch_io_done(struct srpt_channel *ch)
{
	if (srpt_ch_state(ch) == SRPT_CH_DISCONNECTED)
		srpt_ch_queue_ev(ch, SRPT_EV_IO_IDLE);
}

static struct srpt_channel *ctl_pop(struct srpt_target *t)
{
	struct srpt_channel *ch = NULL;

	pthread_mutex_lock(&t->ctl_lock);
	if (!cds_list_empty(&t->ctl_queue)) {
		ch = cds_list_first_entry(&t->ctl_queue, struct srpt_channel,
					  ctl_link);
		cds_list_del(&ch->ctl_link);
		ch->ev_queued = false;
	}
	pthread_mutex_unlock(&t->ctl_lock);
	return ch;
}

static bool ctl_pending(struct srpt_target *t)
{
	bool pending;

	pthread_mutex_lock(&t->ctl_lock);
	pending = !cds_list_empty(&t->ctl_queue);
	pthread_mutex_unlock(&t->ctl_lock);
	return pending;
}

/* Fire drain timeouts; return ms until the next one, or -1. */
static int run_timers(struct srpt_target *t)
{
	uint64_t now = t->tp_ops->now_ms(&t->tp);
	uint64_t next = UINT64_MAX;
	struct srpt_channel *ch;

	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(ch, &t->channels, t_link) {
		if (srpt_ch_state(ch) != SRPT_CH_DRAINING ||
		    ch->drain_timed_out || !ch->drain_deadline)
			continue;
		if (ch->drain_deadline <= now) {
			ch->drain_timed_out = true;
			srpt_ch_queue_ev(ch, SRPT_EV_DRAIN_TIMEOUT);
		} else if (ch->drain_deadline < next) {
			next = ch->drain_deadline;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (next == UINT64_MAX)
		return -1;
	return (int)(next - now);
}

int srpt_core_dispatch(struct srpt_tp_target *tpt)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch;
	int timeout;

	do {
		while ((ch = ctl_pop(t))) {
			unsigned int ev = atomic_exchange(&ch->ev, 0);

			srpt_ch_handle_events(ch, ev);
			srpt_ch_drop(ch);
		}
		timeout = run_timers(t);
		/* a fired timer or another thread may have queued more */
	} while (ctl_pending(t));
	return timeout;
}
