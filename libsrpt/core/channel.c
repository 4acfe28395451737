/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Channel objects: references, rings, and the teardown of the seed:
 * disconnect (DREQ) -> close (DRAINING: QP to error, zero-length write)
 * -> its flush (DISCONNECTED, no completion follows) -> on_drained (the
 * application's unregister step) -> CM id destroyed, table entry removed,
 * reference dropped -> the last reference frees QP and rings, and the
 * memory after an RCU grace period.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "core/events.h"
#include "util/alloc.h"
#include "util/export.h"

struct srpt_channel *srpt_ch_alloc(struct srpt_target *t, void *conn)
{
	struct srpt_channel *ch = srpt_zalloc(sizeof(*ch), "channel");

	if (!ch)
		return NULL;
	ch->t = t;
	ch->tp.t = &t->tp;
	ch->tp.conn = conn;
	ch->tp.dev = 0;
	atomic_init(&ch->ref, 1);
	atomic_init(&ch->state, SRPT_CH_CONNECTING);
	pthread_mutex_init(&ch->tp.post_lock, NULL);
	pthread_mutex_init(&ch->io_lock, NULL);
	pthread_mutex_init(&ch->lock, NULL);
	pthread_mutex_init(&ch->sq_lock, NULL);
	pthread_cond_init(&ch->idle_cond, NULL);
	CDS_INIT_LIST_HEAD(&ch->wait_list);
	CDS_INIT_LIST_HEAD(&ch->sq_wait);
	CDS_INIT_LIST_HEAD(&ch->sq_dead);
	CDS_INIT_LIST_HEAD(&ch->rel_later);
	CDS_INIT_LIST_HEAD(&ch->sq_unsig);
	CDS_INIT_LIST_HEAD(&ch->rsp_wait);
	CDS_INIT_LIST_HEAD(&ch->nexus_link);
	CDS_INIT_LIST_HEAD(&ch->t_link);
	atomic_fetch_add(&t->nalive, 1);
	pthread_mutex_lock(&t->lock);
	ch->id = t->next_id++;
	pthread_mutex_unlock(&t->lock);
	return ch;
}

/*
 * The channel goes on t->channels, where srpt_target_disable() and the
 * others that walk the list find it: only once its login facts are all
 * written, since the dispatch thread may answer it from there at once.
 */
void srpt_ch_publish(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;

	pthread_mutex_lock(&t->lock);
	cds_list_add_tail(&ch->t_link, &t->channels);
	t->nchannels++;
	pthread_mutex_unlock(&t->lock);
}

static void channel_free_rcu(struct rcu_head *head)
{
	struct srpt_channel *ch = caa_container_of(head, struct srpt_channel,
						   rcu);

	/* After the grace period: every lookup that touched the channel
	 * is over. */
	srpt_qp_node_retire(&ch->qp_node);
	srpt_free(ch);
}


static void channel_release(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	uint32_t i;

	if (ch->has_qp && t->tp_ops->ch_free)
		t->tp_ops->ch_free(&ch->tp);
	for (i = 0; ch->ios && i < ch->nio; i++) {
		/* IUs that died with the channel (never live, I_LOGOUT)
		 * still hold shared buffers: back to the pool. */
		if (ch->ios[i].rx_slot != SRPT_NO_SLOT && srpt_ch_srq(ch) &&
		    ch->has_qp)
			srpt_srq_post_count(t, ch->tp.dev,
					    ch->ios[i].rx_slot);
		srpt_mr_free(t, ch->ios[i].bounce_mr);
		srpt_free(ch->ios[i].bounce);
		srpt_table_put(&ch->ios[i]);
	}
	srpt_mr_free(t, ch->rx_mr);
	srpt_mr_free(t, ch->tx_mr);
	srpt_free(ch->ios);
	srpt_free(ch->io_free);
	srpt_free(ch->io_priv);
	srpt_free(ch->rx_mem);
	srpt_free(ch->tx_mem);
	srpt_free(ch->login_pdata);
	pthread_cond_destroy(&ch->idle_cond);
	pthread_mutex_destroy(&ch->tp.post_lock);
	pthread_mutex_destroy(&ch->io_lock);
	pthread_mutex_destroy(&ch->lock);
	pthread_mutex_destroy(&ch->sq_lock);
	/* Completion threads may still hold the pointer from a table lookup
	 * that lost the get-unless-zero race: free after a grace period. */
	srpt_qp_node_release(&ch->qp_node);
	if (srpt_rcu_registered) {
		urcu_memb_call_rcu(&ch->rcu, channel_free_rcu);
	} else {
		/* An application thread dropped the last reference. */
		urcu_memb_register_thread();
		urcu_memb_call_rcu(&ch->rcu, channel_free_rcu);
		urcu_memb_unregister_thread();
	}
	/* The target's last unref waits for this (target.c). */
	pthread_mutex_lock(&t->lock);
	if (atomic_fetch_sub(&t->nalive, 1) == 1)
		pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* Only with a reference in hand: a count that reached zero never comes
 * back (builds without NDEBUG check it; test-stress.c provokes it). */
void srpt_ch_hold(struct srpt_channel *ch)
{
	long old = atomic_fetch_add_explicit(&ch->ref, 1,
					     memory_order_relaxed);

	assert(old > 0);
	(void)old;
}

/* The last put frees: every earlier put released what its holder did
 * (acq_rel), and the last one acquires all of it. */
void srpt_ch_drop(struct srpt_channel *ch)
{
	if (atomic_fetch_sub_explicit(&ch->ref, 1, memory_order_acq_rel) == 1)
		channel_release(ch);
}

/* transport.h: the same, from the transport's side of the door. */
void srpt_tp_channel_hold(struct srpt_tp_channel *tpc)
{
	srpt_ch_hold(srpt_ch_of(tpc));
}

void srpt_tp_channel_drop(struct srpt_tp_channel *tpc)
{
	srpt_ch_drop(srpt_ch_of(tpc));
}

/* A lookup's pin: fails once the count reached zero (the channel is
 * being freed, after a grace period). */
bool srpt_ch_hold_unless_zero(struct srpt_channel *ch)
{
	long v = atomic_load_explicit(&ch->ref, memory_order_relaxed);

	do {
		if (!v)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&ch->ref, &v, v + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
}

bool srpt_ch_qp_hold(struct srpt_qp_node *node)
{
	return srpt_ch_hold_unless_zero(caa_container_of(node,
							 struct srpt_channel,
							 qp_node));
}

struct srpt_channel *srpt_ch_lookup(struct srpt_target *t, uint32_t qp_num)
{
	struct srpt_qp_node *n = srpt_qp_table_get(&t->qps, qp_num);

	return n ? caa_container_of(n, struct srpt_channel, qp_node) : NULL;
}

/*
 * Receive buffers, and io contexts each with a response buffer: all made
 * at login, so the I/O path never allocates one. Spare ios let receive
 * buffers go back to the QP while their responses are still being sent
 * (srpt_io_rx_bind()).
 */
int srpt_ch_rings_init(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	size_t rx_stride = (ch->it_iu_len + 63) & ~(size_t)63;
	size_t tx_stride = (ch->ti_iu_len + 63) & ~(size_t)63;
	size_t priv_stride = (t->opts.io_priv_size + 15) & ~(size_t)15;
	uint32_t i;
	int r;

	/* With a shared receive queue the nrx buffers are only counted,
	 * not owned: the accounting of spare ios is the same. */
	ch->tp.nrx = ch->credits + SRPT_SPARE_RX;
	ch->nio = ch->tp.nrx + SRPT_IO_SPARE(ch->tp.nrx);
	if (!srpt_ch_srq(ch))
		ch->rx_mem = srpt_aligned_zalloc(4096, rx_stride * ch->tp.nrx,
						 "rx-ring");
	ch->tx_mem = srpt_aligned_zalloc(4096, tx_stride * ch->nio, "tx-ring");
	ch->ios = srpt_zalloc(sizeof(*ch->ios) * ch->nio, "io-ring");
	ch->io_free = srpt_zalloc(sizeof(*ch->io_free) * ch->nio, "io-free");
	if (priv_stride)
		ch->io_priv = srpt_aligned_zalloc(16, priv_stride * ch->nio,
						  "io-priv");
	if ((!ch->rx_mem && !srpt_ch_srq(ch)) || !ch->tx_mem || !ch->ios ||
	    !ch->io_free || (priv_stride && !ch->io_priv))
		return -ENOMEM;
	atomic_store_explicit(&ch->tally_ios, ch->ios, memory_order_release);
	if (ch->rx_mem) {
		r = srpt_mr_new(t, ch->rx_mem, rx_stride * ch->tp.nrx, "ring-mr",
				&ch->rx_mr);
		if (r)
			return r;
	}
	r = srpt_mr_new(t, ch->tx_mem, tx_stride * ch->nio, "ring-mr",
			&ch->tx_mr);
	if (r)
		return r;
	for (i = 0; i < ch->nio; i++) {
		struct srpt_io *io = &ch->ios[i];

		io->ch = ch;
		io->index = i;
		io->rx_slot = SRPT_NO_SLOT;
		io->tx_buf = ch->tx_mem + tx_stride * i;
		if (ch->io_priv)
			io->priv = ch->io_priv + priv_stride * i;
		atomic_init(&io->state, SRPT_IO_FREE);
		CDS_INIT_LIST_HEAD(&io->wait_link);
		/* Lowest index on top: the same few ios (and their bounce
		 * buffers) serve a light load. */
		ch->io_free[ch->nio - 1 - i] = i;
	}
	ch->nio_free = ch->nio;
	ch->io_unreserved = ch->nio - ch->tp.nrx;
	atomic_store(&ch->req_lim, (int)ch->credits);
	return 0;
}

/* ---- teardown steps, dispatch thread only ---- */

static void call_on_dreq(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;

	if (!ch->accepted || ch->on_dreq_called)
		return;
	ch->on_dreq_called = true;
	/* No command may be delivered after on_dreq: leave LIVE, then wait
	 * for deliveries that saw LIVE just before (they are short; the
	 * last one wakes us, iu.c). */
	srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING);
	atomic_store(&ch->dreq_waiting, true);
	pthread_mutex_lock(&ch->lock);
	while (atomic_load(&ch->delivering))
		pthread_cond_wait(&ch->idle_cond, &ch->lock);
	pthread_mutex_unlock(&ch->lock);
	if (t->ops.on_dreq)
		t->ops.on_dreq(ch, t->userdata);
	/* Nothing the application sends for a command it holds reaches
	 * the initiator any more: let it stop the backend work. */
	srpt_tm_notify(ch, true);
}

static void ch_unregister(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;

	if (ch->unregistered)
		return;
	ch->unregistered = true;
	srpt_nexus_leave(ch);
	/* Leave the table before the QP can go: its number may be reused. */
	if (ch->in_table) {
		srpt_qp_table_del(&t->qps, &ch->qp_node);
		ch->in_table = false;
	}
	if (ch->tp.conn && t->tp_ops->destroy_id)
		t->tp_ops->destroy_id(&ch->tp);
	ch->tp.conn = NULL;
	/* What the channel moved stays in the target's counters: moved
	 * there in the same step that takes it off the list they are read
	 * from, so a reader never sees them go down. Drained and
	 * disconnected, the channel counts nothing more. */
	pthread_mutex_lock(&t->lock);
	cds_list_del(&ch->t_link);
	srpt_counters_add(&t->gone_io, &ch->cnt);
	srpt_tally_fold(t, ch);
	t->nchannels--;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	srpt_info(t, "channel %llu: unregistered", (unsigned long long)ch->id);
	srpt_ch_drop(ch);	/* the reference taken at allocation */
}

static void ch_maybe_drained(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	int r = SRPT_DRAINED_DONE;

	if (srpt_ch_state(ch) != SRPT_CH_DISCONNECTED || ch->on_drained_called ||
	    atomic_load(&ch->io_outstanding))
		return;
	ch->on_drained_called = true;
	/* Armed before the call: the application may hand its unregister
	 * step to a thread that calls srpt_channel_drained_done() before
	 * on_drained has returned (tests/unit/core/test-reentry.c). A call
	 * made although on_drained then returns DONE is harmless: the
	 * unregister step is idempotent. The armed call owns a reference:
	 * the channel outlives it even when the unregister below drops the
	 * last other one meanwhile. */
	srpt_ch_hold(ch);
	atomic_store(&ch->drained_pending, true);
	if (ch->on_req_called && t->ops.on_drained)
		r = t->ops.on_drained(ch, t->userdata);
	if (r == SRPT_DRAINED_PENDING)
		return;
	if (atomic_exchange(&ch->drained_pending, false))
		srpt_ch_drop(ch);	/* not called: its reference is ours */
	ch_unregister(ch);
}

static void ch_drain_check(struct srpt_channel *ch)
{
	if (srpt_ch_state(ch) != SRPT_CH_DRAINING)
		return;
	if (!ch->drain_timed_out &&
	    !(atomic_load(&ch->drain_done) && atomic_load(&ch->rx_posted) <= 0))
		return;
	if (ch->drain_timed_out) {
		atomic_fetch_add(&ch->t->stats.drain_timeouts, 1);
		srpt_warn(ch->t, "channel %llu: no drain completion after %u ms; closing anyway",
			  (unsigned long long)ch->id, ch->t->opts.drain_timeout_ms);
	}
	srpt_ch_set_state(ch, SRPT_CH_DISCONNECTED);
	/* Completions are dropped from now on: after a timeout, finish the
	 * ios they would have finished (tests/unit/core, drain timeout);
	 * and the ios whose chains never went out. */
	if (ch->drain_timed_out)
		srpt_io_reclaim_posted(ch);
	srpt_io_finish_dead(ch);
	ch_maybe_drained(ch);
}

/*
 * The zero-length write whose flush completion is the channel's last. A
 * QP on a shared receive queue may still take receives from it after it
 * went to the error state, until the Last WQE Reached event: the write
 * goes after that event, so its completion also comes after every
 * receive completion of the QP (one CQ, in order), and no late receive
 * can be handed to a newer channel that reuses the QP number. Providers
 * that never report the event (ch->tp.caps) skip the wait. post_lock held.
 */
static void ch_post_drain(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	int r;

	if (ch->drain_posted || ch->drain_failed)
		return;
	if (srpt_ch_srq(ch) && ch->tp.caps.srq_last_wqe && !ch->last_wqe)
		return;
	r = t->tp_ops->post_drain(&ch->tp, srpt_wr_id(ch, SRPT_WR_DRAIN, 0));
	ch->drain_posted = r == 0;
	ch->drain_failed = r != 0;
	if (r)
		srpt_warn(t, "channel %llu: drain write failed (%d); waiting for the timeout",
			  (unsigned long long)ch->id, r);
}

/* The seed's close: DRAINING, QP to error, zero-length write. */
static void ch_close(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;

	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING)
		return;
	call_on_dreq(ch);
	pthread_mutex_lock(&ch->tp.post_lock);
	srpt_ch_set_state(ch, SRPT_CH_DRAINING);
	if (ch->has_qp) {
		t->tp_ops->qp_to_error(&ch->tp);
		ch_post_drain(ch);
	}
	pthread_mutex_unlock(&ch->tp.post_lock);
	srpt_sq_flush_parked(ch);
	if (!ch->has_qp) {
		/* Nothing was ever posted: nothing to wait for. */
		atomic_store(&ch->drain_done, true);
	} else {
		ch->drain_deadline = t->tp_ops->now_ms(&t->tp) + t->opts.drain_timeout_ms;
	}
	ch_drain_check(ch);
}

static void ch_last_wqe(struct srpt_channel *ch)
{
	ch->last_wqe = true;
	if (srpt_ch_state(ch) != SRPT_CH_DRAINING || !ch->has_qp)
		return;
	pthread_mutex_lock(&ch->tp.post_lock);
	ch_post_drain(ch);
	pthread_mutex_unlock(&ch->tp.post_lock);
}

/* Start a disconnect: DREQ for an established or accepted channel, a
 * reject for one whose login is still open. */
static void ch_disconnect(struct srpt_channel *ch, uint32_t reject_reason)
{
	struct srpt_target *t = ch->t;
	enum srpt_channel_state s = srpt_ch_state(ch);

	if (s >= SRPT_CH_DISCONNECTING)
		return;
	if (s == SRPT_CH_CONNECTING && !ch->accepted) {
		srpt_login_answer(ch, false, reject_reason);
		return;
	}
	srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING);
	call_on_dreq(ch);
	if (!ch->tp.conn || t->tp_ops->disconnect(&ch->tp))
		ch_close(ch);
}

static void ch_established(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;

	if (srpt_ch_state(ch) != SRPT_CH_CONNECTING || !ch->accepted)
		return;
	/* IUs parked while connecting go first: hold newcomers back until
	 * the replay below is over. */
	atomic_store(&ch->replaying, true);
	srpt_ch_set_state(ch, SRPT_CH_LIVE);
	srpt_info(t, "channel %llu: live", (unsigned long long)ch->id);
	if (t->ops.on_rtu)
		t->ops.on_rtu(ch, t->userdata);
	srpt_iu_replay_wait_list(ch);
}

/* Ios handed back with nothing to send whose release notification must
 * not run inside the application's call (io.c). */
static void release_later_run(struct srpt_channel *ch)
{
	for (;;) {
		struct srpt_io *io = NULL;

		pthread_mutex_lock(&ch->sq_lock);
		if (!cds_list_empty(&ch->rel_later)) {
			io = cds_list_first_entry(&ch->rel_later,
						  struct srpt_io, sq_link);
			cds_list_del(&io->sq_link);
		}
		pthread_mutex_unlock(&ch->sq_lock);
		if (!io)
			return;
		srpt_io_release(io);
	}
}

void srpt_ch_handle_events(struct srpt_channel *ch, unsigned int ev)
{
	if (ev & SRPT_EV_CONNECT_REQ)
		srpt_login_handle(ch);
	if (ev & SRPT_EV_APP_ACCEPT)
		srpt_login_answer(ch, true, 0);
	if (ev & SRPT_EV_APP_REJECT)
		srpt_login_answer(ch, false, ch->reject_reason);
	if (ev & SRPT_EV_ESTABLISHED)
		ch_established(ch);
	if (ev & SRPT_EV_CONN_ERROR)
		ch_close(ch);
	if (ev & SRPT_EV_APP_CLOSE)
		ch_disconnect(ch, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES);
	if (ev & SRPT_EV_DISCONNECTED) {
		/* A DREQ (answer it) or the DREP to ours: either way, close. */
		ch_disconnect(ch, SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL);
		ch_close(ch);
	}
	if (ev & (SRPT_EV_TIMEWAIT | SRPT_EV_FATAL))
		ch_close(ch);
	if (ev & SRPT_EV_LAST_WQE)
		ch_last_wqe(ch);
	if (ev & (SRPT_EV_DRAIN_DONE | SRPT_EV_DRAIN_TIMEOUT))
		ch_drain_check(ch);
	if (ev & SRPT_EV_FENCE)
		srpt_sq_fence(ch);
	if (ev & SRPT_EV_IO_DEAD)
		srpt_io_finish_dead(ch);
	if (ev & SRPT_EV_IO_RELEASE)
		release_later_run(ch);
	if (ev & SRPT_EV_IO_IDLE)
		ch_maybe_drained(ch);
	if (ev & SRPT_EV_DRAINED_DONE)
		ch_unregister(ch);
}

/* ---- public functions ---- */

SRPT_EXPORT int srpt_channel_accept(struct srpt_channel *ch)
{
	int open = 0;

	if (!ch)
		return -EINVAL;
	if (srpt_ch_state(ch) >= SRPT_CH_DISCONNECTING ||
	    atomic_load(&ch->close_requested))
		return -ESTALE;
	if (!atomic_compare_exchange_strong(&ch->decision, &open, 1))
		return -EALREADY;
	srpt_ch_queue_ev(ch, SRPT_EV_APP_ACCEPT);
	return 0;
}

SRPT_EXPORT int srpt_channel_reject(struct srpt_channel *ch, uint32_t reason)
{
	int open = 0;

	if (!ch || reason < SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL ||
	    reason > SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED)
		return -EINVAL;
	if (srpt_ch_state(ch) >= SRPT_CH_DISCONNECTING ||
	    atomic_load(&ch->close_requested))
		return -ESTALE;
	if (!atomic_compare_exchange_strong(&ch->decision, &open, 2))
		return -EALREADY;
	ch->reject_reason = reason;
	srpt_ch_queue_ev(ch, SRPT_EV_APP_REJECT);
	return 0;
}

SRPT_EXPORT int srpt_channel_close(struct srpt_channel *ch)
{
	if (!ch)
		return -EINVAL;
	if (srpt_ch_state(ch) >= SRPT_CH_DISCONNECTING ||
	    atomic_exchange(&ch->close_requested, true))
		return -EALREADY;
	srpt_ch_queue_ev(ch, SRPT_EV_APP_CLOSE);
	return 0;
}

SRPT_EXPORT int srpt_channel_drained_done(struct srpt_channel *ch)
{
	if (!ch || !atomic_exchange(&ch->drained_pending, false))
		return -EINVAL;
	srpt_ch_queue_ev(ch, SRPT_EV_DRAINED_DONE);
	srpt_ch_drop(ch);	/* the one ch_maybe_drained() armed us with */
	return 0;
}

SRPT_EXPORT struct srpt_channel *srpt_channel_ref(struct srpt_channel *ch)
{
	if (ch)
		srpt_ch_hold(ch);
	return ch;
}

SRPT_EXPORT struct srpt_channel *srpt_channel_unref(struct srpt_channel *ch)
{
	if (ch)
		srpt_ch_drop(ch);
	return NULL;
}

SRPT_EXPORT enum srpt_channel_state srpt_channel_get_state(struct srpt_channel *ch)
{
	return srpt_ch_state(ch);
}

SRPT_EXPORT uint64_t srpt_channel_get_id(struct srpt_channel *ch)
{
	return ch->id;
}

SRPT_EXPORT const struct srpt_login_info *
srpt_channel_get_login(struct srpt_channel *ch)
{
	return &ch->login;
}

SRPT_EXPORT struct srpt_target *srpt_channel_get_target(struct srpt_channel *ch)
{
	return ch->t;
}

SRPT_EXPORT void *srpt_channel_set_userdata(struct srpt_channel *ch,
					    void *userdata)
{
	return atomic_exchange(&ch->userdata, userdata);
}

SRPT_EXPORT void *srpt_channel_get_userdata(struct srpt_channel *ch)
{
	return atomic_load(&ch->userdata);
}

SRPT_EXPORT int srpt_channel_logout(struct srpt_channel *ch, uint32_t reason)
{
	int r;

	if (!ch)
		return -EINVAL;
	srpt_ch_hold(ch);	/* the send may end its last io */
	r = srpt_rsp_target_logout(ch, reason);
	srpt_ch_drop(ch);
	return r;
}

SRPT_EXPORT int srpt_channel_send_aer(struct srpt_channel *ch,
				      const uint8_t lun[8],
				      const uint8_t *sense, uint32_t sense_len)
{
	int r;

	if (!ch || !lun || !sense || !sense_len)
		return -EINVAL;
	srpt_ch_hold(ch);
	r = srpt_rsp_aer(ch, lun, sense, sense_len);
	srpt_ch_drop(ch);
	return r;
}
