/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Completion threads. Each owns one CQ per device, shared by the channels
 * placed on it, and sleeps on the CQs' completion channels (no spinning
 * when idle). Completions are drained in batches and handed to the core,
 * which finds the channel by QP number in its RCU table.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/events.h"
#include "rdma/rdma-priv.h"

#define POLL_BATCH 32

static void drain_cq(struct rdma_tp *tp, struct ibv_cq *cq)
{
	struct ibv_wc wc[POLL_BATCH];
	int n, i;

	do {
		n = ibv_poll_cq(cq, POLL_BATCH, wc);
		for (i = 0; i < n; i++) {
			/* Unsignaled work requests only complete when they
			 * are flushed; they carry no id. */
			if (!wc[i].wr_id)
				continue;
			srpt_ev_completion(tp->t, wc[i].qp_num, wc[i].wr_id,
					   wc[i].status == IBV_WC_SUCCESS ? 0 :
					   (int)wc[i].status, wc[i].byte_len);
		}
		/* What the callbacks posted goes out per poll, not per
		 * completion (rdma-post.c). */
		rdma_batch_flush();
	} while (n == POLL_BATCH);
}

/* Opt-in busy polling: never sleep, for hardware where the interrupt
 * path costs more than a core. */
static void busy_poll(struct rdma_thread *th)
{
	struct rdma_tp *tp = th->tp;

	while (!atomic_load_explicit(&tp->stop, memory_order_relaxed)) {
		pthread_mutex_lock(&th->lock);
		for (int d = 0; d < tp->ndev; d++)
			if (tp->devs[d].cqs[th->index].cq &&
			    !tp->devs[d].cqs[th->index].dead)
				drain_cq(tp, tp->devs[d].cqs[th->index].cq);
		pthread_mutex_unlock(&th->lock);
	}
}

/* What a batch could not post: the core closes the channel, and keeps
 * the chain's buffers until its send queue is known to be empty (a
 * prefix of the chain may have gone out). */
static void batch_failed(struct srpt_channel *ch, uint32_t qp_num,
			 uint64_t wr_id)
{
	srpt_ev_post_failed(ch->t, qp_num, wr_id);
}

static void *comp_thread(void *arg)
{
	struct rdma_thread *th = arg;
	struct rdma_tp *tp = th->tp;
	struct epoll_event ev[8];
	struct rdma_batch batch = { .failed = batch_failed };

	srpt_rcu_thread_online();
	rdma_batch_begin(&batch);
	if (tp->t->opts.flags & SRPT_TARGET_BUSY_POLL)
		busy_poll(th);
	while (!atomic_load(&tp->stop)) {
		int n = epoll_wait(th->epfd, ev, 8, -1);

		pthread_mutex_lock(&th->lock);
		for (int i = 0; i < n; i++) {
			struct rdma_cq *rcq = ev[i].data.ptr;
			struct ibv_cq *cq;
			void *ctx;

			/* NULL: the stop eventfd; no cq: taken away since */
			if (!rcq || !rcq->cq || rcq->dead)
				continue;
			if (ibv_get_cq_event(rcq->cc, &cq, &ctx))
				continue;
			ibv_ack_cq_events(cq, 1);
			/* Re-arm first, then poll: nothing slips between. */
			ibv_req_notify_cq(cq, 0);
			drain_cq(tp, cq);
		}
		pthread_mutex_unlock(&th->lock);
	}
	rdma_batch_end();
	srpt_rcu_thread_offline();
	return NULL;
}

int rdma_thread_add_cq(struct rdma_tp *tp, unsigned int th_index,
		       struct rdma_cq *rcq)
{
	struct rdma_thread *th = &tp->threads[th_index];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = rcq };

	fcntl(rcq->cc->fd, F_SETFL, fcntl(rcq->cc->fd, F_GETFL) | O_NONBLOCK);
	if (epoll_ctl(th->epfd, EPOLL_CTL_ADD, rcq->cc->fd, &ev))
		return -errno;
	ibv_req_notify_cq(rcq->cq, 0);
	return 0;
}

/* Take a CQ away from its thread; afterwards the caller may destroy it. */
void rdma_thread_del_cq(struct rdma_tp *tp, unsigned int th_index,
			struct rdma_cq *rcq)
{
	struct rdma_thread *th = &tp->threads[th_index];

	if (th->epfd >= 0)
		epoll_ctl(th->epfd, EPOLL_CTL_DEL, rcq->cc->fd, NULL);
	pthread_mutex_lock(&th->lock);
	/* The thread may still hold an epoll result for it: it sees
	 * no cq and skips it. */
	rcq->dead = true;
	pthread_mutex_unlock(&th->lock);
}

int rdma_threads_start(struct rdma_tp *tp)
{
	unsigned int i;
	int d, r;

	for (i = 0; i < tp->nthreads; i++) {
		struct rdma_thread *th = &tp->threads[i];
		struct epoll_event ev = { .events = EPOLLIN };

		th->tp = tp;
		th->index = i;
		th->epfd = epoll_create1(EPOLL_CLOEXEC);
		th->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (th->epfd < 0 || th->stopfd < 0)
			return -errno;
		ev.data.ptr = NULL;
		epoll_ctl(th->epfd, EPOLL_CTL_ADD, th->stopfd, &ev);
		for (d = 0; d < tp->ndev; d++) {
			r = rdma_thread_add_cq(tp, i, &tp->devs[d].cqs[i]);
			if (r)
				return r;
		}
		if (pthread_create(&th->th, NULL, comp_thread, th))
			return -EAGAIN;
		th->started = true;
	}
	return 0;
}

void rdma_threads_stop(struct rdma_tp *tp)
{
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < tp->nthreads; i++) {
		struct rdma_thread *th = &tp->threads[i];

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
		th->epfd = th->stopfd = -1;
	}
}
