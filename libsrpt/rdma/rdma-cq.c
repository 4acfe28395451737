/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Completion threads. Every channel has a CQ of its own, sized for all it
 * can post, so no queue shared between channels bounds how many there can
 * be. Channels are given to the threads in turn; a thread sleeps on one
 * completion channel per device, where the CQs of all its channels on
 * that device report (no spinning when idle, no descriptor per channel).
 * The event names the CQ that fired and only that CQ is polled.
 * Completions are drained in batches and handed to the core, which finds
 * the channel by QP number in its RCU table.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/events.h"
#include "rdma/rdma-priv.h"

#define POLL_BATCH 32
/* CQ events taken from one completion channel per wake-up: a busy CQ
 * fires again as soon as it is re-armed, and the thread's other
 * descriptors must get their turn (epoll is level-triggered, the rest
 * comes back at once). */
#define CC_EVENTS 16

/* Batches one drain takes from a CQ before the thread's other CQs get
 * their turn: a peer that keeps its CQ full must not starve them. */
#define DRAIN_BATCHES 4

/* Returns how many completions it took; *cut: it stopped at the budget
 * with a full last batch, so completions may be left. */
static unsigned int drain_cq(struct rtp_tp *tp, struct ibv_cq *cq, bool *cut)
{
	struct ibv_wc wc[POLL_BATCH];
	unsigned int total = 0, batches = 0;
	int n, i;

	do {
		n = ibv_poll_cq(cq, POLL_BATCH, wc);
		for (i = 0; i < n; i++) {
			/* The unsignaled work requests inside a chain only
			 * complete when they fail or are flushed, and carry
			 * no id; the chain's last one reports for them. (An
			 * unsignaled response carries its id: core/sq.c.) */
			if (!wc[i].wr_id)
				continue;
			srpt_ev_completion(tp->t, wc[i].qp_num, wc[i].wr_id,
					   wc[i].status == IBV_WC_SUCCESS ? 0 :
					   (int)wc[i].status, wc[i].byte_len);
		}
		/* What the callbacks posted goes out per poll, not per
		 * completion (rdma-post.c). */
		rtp_batch_flush();
		if (n > 0)
			total += (unsigned int)n;
	} while (n == POLL_BATCH && ++batches < DRAIN_BATCHES);
	*cut = n == POLL_BATCH;
	return total;
}

/* Whether @rcq has completions left, kept in th->nmore and morefd;
 * under th->lock. */
static void set_more(struct rtp_thread *th, struct rtp_cq *rcq, bool more)
{
	uint64_t v = 1;

	if (rcq->more == more)
		return;
	rcq->more = more;
	if (more) {
		if (th->nmore++ == 0 && write(th->morefd, &v, sizeof(v)) < 0)
			rtp_warn(th->tp->t, "completion thread %u: eventfd write failed",
				 th->index);
	} else if (--th->nmore == 0) {
		/* Non-blocking: empty already is fine. */
		if (read(th->morefd, &v, sizeof(v)) < 0)
			v = 0;
	}
}

static unsigned int drain_rcq(struct rtp_thread *th, struct rtp_cq *rcq)
{
	bool cut;
	unsigned int n = drain_cq(th->tp, rcq->cq, &cut);

	set_more(th, rcq, cut);
	return n;
}

/* The CQs whose last drain was cut short, once more each. */
static unsigned int poll_more(struct rtp_thread *th)
{
	struct rtp_cq *rcq;
	unsigned int n = 0;

	cds_list_for_each_entry(rcq, &th->cqs, link)
		if (rcq->more)
			n += drain_rcq(th, rcq);
	return n;
}

unsigned int rtp_thread_poll_all(struct rtp_thread *th)
{
	struct rtp_cq *rcq;
	unsigned int n = 0;

	cds_list_for_each_entry(rcq, &th->cqs, link)
		n += drain_rcq(th, rcq);
	return n;
}

/* Opt-in busy polling: never sleep, for hardware where the interrupt
 * path costs more than a core. */
static void busy_poll(struct rtp_thread *th)
{
	struct rtp_tp *tp = th->tp;

	while (!atomic_load_explicit(&tp->stop, memory_order_relaxed)) {
		pthread_mutex_lock(&th->lock);
		rtp_thread_poll_all(th);
		pthread_mutex_unlock(&th->lock);
		/* Relocking at once would keep the CM thread out, and it
		 * takes the lock at every login and logout. */
		while (atomic_load_explicit(&th->waiters, memory_order_relaxed))
			sched_yield();
	}
}

/* The CM thread's way in: a busy poller waits for it. */
static void lock_from_cm(struct rtp_thread *th)
{
	atomic_fetch_add(&th->waiters, 1);
	pthread_mutex_lock(&th->lock);
	atomic_fetch_sub(&th->waiters, 1);
}

unsigned int rtp_thread_cc_ready(struct rtp_thread *th,
				 struct rtp_compch *c, unsigned int max)
{
	unsigned int n = 0;
	struct ibv_cq *cq;
	void *ctx;

	/* The marker of CQs with completions left (morefd). */
	if (c == RTP_MORE)
		return poll_more(th);
	/* Taken away since epoll returned it. */
	if (!c->cc || c->dead)
		return 0;
	for (int i = 0; i < CC_EVENTS && (!max || n < max); i++) {
		/* The CQ is alive: rtp_cq_destroy() takes our lock, and
		 * the events nobody took go with the CQ. */
		if (ibv_get_cq_event(c->cc, &cq, &ctx))
			break;
		/* At once, under the lock: a destroy never waits for us. */
		ibv_ack_cq_events(cq, 1);
		/* Re-arm first, then poll: nothing slips between. */
		ibv_req_notify_cq(cq, 0);
		n += drain_rcq(th, ctx);
	}
	return n;
}

/* What a batch could not post: the core closes the channel, and keeps
 * the chain's buffers until its send queue is known to be empty (a
 * prefix of the chain may have gone out). */
static void batch_failed(struct srpt_tp_channel *ch, uint32_t qp_num,
			 uint64_t wr_id)
{
	srpt_ev_post_failed(ch->t, qp_num, wr_id);
}

static void *comp_thread(void *arg)
{
	struct rtp_thread *th = arg;
	struct rtp_tp *tp = th->tp;
	struct epoll_event ev[8];
	struct rtp_batch batch = { .failed = batch_failed };

	rtp_thread_begin(tp, SRPT_THREAD_COMPLETION, th->index);
	srpt_rcu_thread_online();
	rtp_batch_begin(&batch);
	if (tp->t->opts->flags & SRPT_TARGET_BUSY_POLL)
		busy_poll(th);
	while (!atomic_load(&tp->stop)) {
		int n = epoll_wait(th->epfd, ev, 8, -1);

		pthread_mutex_lock(&th->lock);
		for (int i = 0; i < n; i++)
			/* NULL: the stop eventfd */
			if (ev[i].data.ptr)
				rtp_thread_cc_ready(th, ev[i].data.ptr, 0);
		pthread_mutex_unlock(&th->lock);
	}
	rtp_batch_end();
	srpt_rcu_thread_offline();
	rtp_thread_end(tp, SRPT_THREAD_COMPLETION, th->index);
	return NULL;
}

/*
 * SRPT_TARGET_APP_POLL: the application's thread does what comp_thread
 * would, one round at a time. Its CQ events come to th->epfd, which it
 * waits on itself (rtp_poll_fd()).
 */
int rtp_poll_fd(struct srpt_tp_target *t, unsigned int idx)
{
	struct rtp_tp *tp = rtp_tp(t);

	return idx < tp->nthreads ? tp->threads[idx].epfd : -EINVAL;
}

int rtp_poll(struct srpt_tp_target *t, unsigned int idx, unsigned int max)
{
	struct rtp_tp *tp = rtp_tp(t);
	struct rtp_batch batch = { .failed = batch_failed };
	struct epoll_event ev[8];
	struct rtp_thread *th;
	unsigned int done = 0;
	bool rcu;
	int n;

	if (idx >= tp->nthreads)
		return -EINVAL;
	th = &tp->threads[idx];
	/* Lookups run under RCU: the thread is registered for the call
	 * unless it already is (a library thread, or a nested call). */
	rcu = !srpt_rcu_thread_is_online();
	if (rcu)
		srpt_rcu_thread_online();
	rtp_batch_begin(&batch);
	pthread_mutex_lock(&th->lock);
	n = epoll_wait(th->epfd, ev, 8, 0);
	for (int i = 0; i < n && (!max || done < max); i++)
		if (ev[i].data.ptr)
			done += rtp_thread_cc_ready(th, ev[i].data.ptr,
						    max ? max - done : 0);
	pthread_mutex_unlock(&th->lock);
	rtp_batch_end();
	if (rcu)
		srpt_rcu_thread_offline();
	return (int)done;
}

int rtp_thread_add_cc(struct rtp_tp *tp, unsigned int th_index,
		      struct rtp_compch *c)
{
	struct rtp_thread *th = &tp->threads[th_index];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	fcntl(c->cc->fd, F_SETFL, fcntl(c->cc->fd, F_GETFL) | O_NONBLOCK);
	return epoll_ctl(th->epfd, EPOLL_CTL_ADD, c->cc->fd, &ev) ? -errno : 0;
}

/* Take a completion channel away from its thread (its CQs are gone);
 * afterwards the caller may destroy it. */
void rtp_thread_del_cc(struct rtp_tp *tp, unsigned int th_index,
		       struct rtp_compch *c)
{
	struct rtp_thread *th = &tp->threads[th_index];

	if (th->epfd >= 0)
		epoll_ctl(th->epfd, EPOLL_CTL_DEL, c->cc->fd, NULL);
	lock_from_cm(th);
	/* The thread may still hold an epoll result for it: it sees it
	 * dead and skips it. */
	c->dead = true;
	pthread_mutex_unlock(&th->lock);
}

int rtp_cq_create(struct rtp_tp *tp, int d, unsigned int th_index, int cqe,
		  struct rtp_cq *rcq)
{
	struct rtp_dev *dev = &tp->devs[d];
	struct rtp_thread *th = &tp->threads[th_index];
	int nvec = dev->ctx->num_comp_vectors;

	rcq->th = th_index;
	rcq->cq = ibv_create_cq(dev->ctx, cqe, rcq, dev->ccs[th_index].cc,
				nvec > 0 ? (int)(th_index % (unsigned int)nvec) : 0);
	if (!rcq->cq)
		return errno ? -errno : -ENOMEM;
	/* Armed before its QP exists: no completion goes unnoticed. A busy
	 * poller reads no events. */
	if (!(tp->t->opts->flags & SRPT_TARGET_BUSY_POLL))
		ibv_req_notify_cq(rcq->cq, 0);
	lock_from_cm(th);
	cds_list_add_tail(&rcq->link, &th->cqs);
	pthread_mutex_unlock(&th->lock);
	return 0;
}

void rtp_cq_destroy(struct rtp_tp *tp, struct rtp_cq *rcq)
{
	struct rtp_thread *th;
	int r;

	if (!rcq->cq)
		return;
	th = &tp->threads[rcq->th];
	/* Under the thread's lock it is not polling this CQ, and it has
	 * acknowledged every event it took for it, so ibv_destroy_cq()
	 * does not wait; events still queued go with the CQ. */
	lock_from_cm(th);
	set_more(th, rcq, false);
	cds_list_del(&rcq->link);
	r = ibv_destroy_cq(rcq->cq);
	pthread_mutex_unlock(&th->lock);
	if (r)
		rtp_warn(tp->t, "cannot destroy a channel's CQ (%d)", r);
	rcq->cq = NULL;
}

int rtp_threads_start(struct rtp_tp *tp)
{
	unsigned int i;
	int d, r;

	for (i = 0; i < tp->nthreads; i++) {
		struct rtp_thread *th = &tp->threads[i];
		struct epoll_event ev = { .events = EPOLLIN };

		th->tp = tp;
		th->index = i;
		th->epfd = epoll_create1(EPOLL_CLOEXEC);
		th->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		th->morefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (th->epfd < 0 || th->stopfd < 0 || th->morefd < 0)
			return -errno;
		ev.data.ptr = NULL;
		epoll_ctl(th->epfd, EPOLL_CTL_ADD, th->stopfd, &ev);
		ev.data.ptr = RTP_MORE;
		epoll_ctl(th->epfd, EPOLL_CTL_ADD, th->morefd, &ev);
		for (d = 0; d < tp->ndev; d++) {
			r = rtp_thread_add_cc(tp, i, &tp->devs[d].ccs[i]);
			if (r)
				return r;
		}
		/* The application's threads poll instead. */
		if (tp->t->opts->flags & SRPT_TARGET_APP_POLL)
			continue;
		r = rtp_thread_create(&th->th, comp_thread, th);
		if (r)
			return r;
		th->started = true;
	}
	return 0;
}

void rtp_threads_stop(struct rtp_tp *tp)
{
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < tp->nthreads; i++) {
		struct rtp_thread *th = &tp->threads[i];

		if (th->started) {
			if (write(th->stopfd, &one, sizeof(one)) < 0)
				continue;
			pthread_join(th->th, NULL);
			th->started = false;
		}
		if (th->epfd >= 0)
			close(th->epfd);
		if (th->stopfd >= 0)
			close(th->stopfd);
		if (th->morefd >= 0)
			close(th->morefd);
		th->epfd = th->stopfd = th->morefd = -1;
	}
}
