/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Completion queues of the rdma-core transport (libsrpt/rdma/rdma-cq.c,
 * tp_ch_create/tp_destroy_id): a CQ of its own per channel, sized for
 * what it can post, on its thread's completion channel; the thread polls
 * the CQ that fired. The verbs and librdmacm calls involved are defined
 * here, so they replace the libraries' for this program: no device is
 * needed.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "door.h"
#include "rdma/rdma-priv.h"
#include "rdma/rdma-transport.h"
#include "util/alloc.h"

#define MAX_OBJS 256
#define MAX_LOG 64

/* ---- the fake provider ---- */

static struct ibv_device device;
static struct ibv_context ctx;
static struct ibv_comp_channel ccs[RTP_MAX_THREADS];
static struct rtp_tp *tp;
static struct srpt_tp_target *t;
static struct srpt_target_opts opts;

struct fake_cq {
	struct ibv_cq cq;
	int comp_vector;
	unsigned int acks;
	unsigned int pending;	/* completions the next polls return */
	bool destroyed;
};

struct fake_qp {
	struct ibv_qp qp;
	struct ibv_qp_init_attr attr;
	bool destroyed;
};

static struct fake_cq *cqs[MAX_OBJS];
static unsigned int ncq, ncq_destroyed;
static struct fake_qp *qps[MAX_OBJS];
static unsigned int nqp;
static int fail_cq, fail_qp;	/* errno for the next create, 0: succeed */

/* Arms and polls in the order they happened. */
static struct {
	char op;	/* 'a' armed, 'p' polled */
	struct ibv_cq *cq;
} oplog[2 * MAX_OBJS];
static unsigned int nlog;

/* CQ events waiting on the completion channels, oldest first. */
static struct {
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
} events[MAX_LOG];
static unsigned int nevents;

static void log_op(char op, struct ibv_cq *cq)
{
	ck_assert_uint_lt(nlog, 2 * MAX_OBJS);
	oplog[nlog].op = op;
	oplog[nlog++].cq = cq;
}

static int fake_poll_cq(struct ibv_cq *cq, int n, struct ibv_wc *wc)
{
	struct fake_cq *f = (struct fake_cq *)cq;
	int i;

	ck_assert(!f->destroyed);
	log_op('p', cq);
	for (i = 0; i < n && f->pending; i++, f->pending--) {
		memset(&wc[i], 0, sizeof(wc[i]));
		wc[i].wr_id = 1;
		wc[i].status = IBV_WC_SUCCESS;
	}
	return i;
}

static int fake_req_notify_cq(struct ibv_cq *cq, int solicited)
{
	ck_assert(!((struct fake_cq *)cq)->destroyed);
	log_op('a', cq);
	return 0;
}

struct ibv_cq *ibv_create_cq(struct ibv_context *context, int cqe,
			     void *cq_context, struct ibv_comp_channel *channel,
			     int comp_vector)
{
	struct fake_cq *f;

	if (fail_cq) {
		errno = fail_cq;
		fail_cq = 0;
		return NULL;
	}
	ck_assert_uint_lt(ncq, MAX_OBJS);
	f = calloc(1, sizeof(*f));
	ck_assert_ptr_nonnull(f);
	f->cq.context = context;
	f->cq.channel = channel;
	f->cq.cq_context = cq_context;
	f->cq.cqe = cqe;
	f->comp_vector = comp_vector;
	cqs[ncq++] = f;
	return &f->cq;
}

/* Which thread's completion channel @cq reports to. */
static unsigned int cq_thread(struct ibv_cq *cq)
{
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++)
		if (cq->channel == &ccs[i])
			return i;
	ck_abort_msg("a CQ on no thread's completion channel");
	return 0;
}

int ibv_destroy_cq(struct ibv_cq *cq)
{
	struct fake_cq *f = (struct fake_cq *)cq;
	struct rtp_thread *th = &tp->threads[cq_thread(cq)];
	struct rtp_cq *rcq;

	ck_assert(!f->destroyed);
	/* Never while a QP still uses it. */
	for (unsigned int i = 0; i < nqp; i++)
		if (!qps[i]->destroyed)
			ck_assert(qps[i]->attr.send_cq != cq &&
				  qps[i]->attr.recv_cq != cq);
	/* Under its thread's lock (held here, by the caller), and off
	 * the thread's list already. */
	ck_assert_int_eq(pthread_mutex_trylock(&th->lock), EBUSY);
	cds_list_for_each_entry(rcq, &th->cqs, link)
		ck_assert_ptr_ne(rcq->cq, cq);
	f->destroyed = true;
	ncq_destroyed++;
	return 0;
}

int ibv_get_cq_event(struct ibv_comp_channel *channel, struct ibv_cq **cq,
		     void **cq_context)
{
	for (unsigned int i = 0; i < nevents; i++) {
		if (events[i].cc != channel)
			continue;
		*cq = events[i].cq;
		*cq_context = (*cq)->cq_context;
		memmove(&events[i], &events[i + 1],
			sizeof(events[0]) * (nevents - i - 1));
		nevents--;
		return 0;
	}
	errno = EAGAIN;
	return -1;
}

void ibv_ack_cq_events(struct ibv_cq *cq, unsigned int n)
{
	((struct fake_cq *)cq)->acks += n;
}

int rdma_create_qp(struct rdma_cm_id *id, struct ibv_pd *pd,
		   struct ibv_qp_init_attr *attr)
{
	struct fake_qp *f;

	if (fail_qp) {
		errno = fail_qp;
		return -1;
	}
	ck_assert_uint_lt(nqp, MAX_OBJS);
	f = calloc(1, sizeof(*f));
	ck_assert_ptr_nonnull(f);
	f->qp.context = id->verbs;
	f->qp.qp_num = 100 + nqp;
	f->attr = *attr;
	qps[nqp++] = f;
	id->qp = &f->qp;
	return 0;
}

void rdma_destroy_qp(struct rdma_cm_id *id)
{
	struct fake_qp *f = (struct fake_qp *)id->qp;

	ck_assert(!f->destroyed);
	f->destroyed = true;
	id->qp = NULL;
}

int rdma_destroy_id(struct rdma_cm_id *id)
{
	free(id);
	return 0;
}

/* In parentheses: verbs.h makes the name a macro. */
int (ibv_query_port)(struct ibv_context *context, uint8_t port_num,
		     struct _compat_ibv_port_attr *port_attr)
{
	return ENOSYS;
}

struct ibv_srq *ibv_create_srq(struct ibv_pd *pd,
			       struct ibv_srq_init_attr *attr)
{
	return calloc(1, sizeof(struct ibv_srq));
}

/* ---- a transport with one device and its threads, no thread running ---- */

static void setup(void)
{
	memset(&ctx, 0, sizeof(ctx));
	device.transport_type = IBV_TRANSPORT_IB;
	ctx.device = &device;
	ctx.ops.poll_cq = fake_poll_cq;
	ctx.ops.req_notify_cq = fake_req_notify_cq;
	ctx.num_comp_vectors = 1;
	t = calloc(1, sizeof(*t));
	tp = calloc(1, sizeof(*tp));
	ck_assert(t && tp);
	memset(&opts, 0, sizeof(opts));
	t->opts = &opts;
	t->priv = tp;
	tp->t = t;
	tp->nthreads = 2;
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++) {
		pthread_mutex_init(&tp->threads[i].lock, NULL);
		CDS_INIT_LIST_HEAD(&tp->threads[i].cqs);
		tp->threads[i].tp = tp;
		tp->threads[i].index = i;
		tp->threads[i].epfd = tp->threads[i].stopfd =
			tp->threads[i].morefd = -1;
		ccs[i].context = &ctx;
		ccs[i].fd = -1;
		tp->devs[0].ccs[i].cc = &ccs[i];
	}
	tp->ndev = 1;
	tp->devs[0].ctx = &ctx;
	tp->devs[0].pd = (struct ibv_pd *)&ctx;	/* never looked into */
	tp->devs[0].attr.max_cqe = 32767;
	tp->devs[0].attr.max_qp_wr = 16384;
	tp->devs[0].attr.max_sge = 16;
	tp->devs[0].attr.max_srq_wr = 16384;
	ncq = ncq_destroyed = nqp = nlog = nevents = 0;
	fail_cq = fail_qp = 0;
}

static void teardown(void)
{
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++) {
		ck_assert(cds_list_empty(&tp->threads[i].cqs));
		pthread_mutex_destroy(&tp->threads[i].lock);
	}
	for (unsigned int i = 0; i < ncq; i++)
		free(cqs[i]);
	for (unsigned int i = 0; i < nqp; i++)
		free(qps[i]);
	free(tp->devs[0].srq);
	free(tp);
	free(t);
}

/* A channel as the core has it at login, 128 credits by default. */
static struct srpt_tp_channel *ch_new(uint32_t nrx)
{
	struct srpt_tp_channel *ch = calloc(1, sizeof(*ch));
	struct rtp_conn *rc = srpt_zalloc(sizeof(*rc), "test-conn");
	struct rdma_cm_id *id = calloc(1, sizeof(*id));

	ck_assert(ch && rc && id);
	id->verbs = &ctx;
	rc->id = id;
	ch->t = t;
	ch->conn = rc;
	ch->nrx = nrx;
	ch->sq_size = nrx * 8 < 8192 ? nrx * 8 : 8192;
	return ch;
}

/* What the core does at the end: the id (and QP and CQ) first. */
static void ch_del(struct srpt_tp_channel *ch)
{
	srpt_rdma_tp_ops.destroy_id(ch);
	ch->conn = NULL;
	srpt_rdma_tp_ops.ch_free(ch);
	free(ch);
}

static struct fake_qp *ch_qp(struct srpt_tp_channel *ch)
{
	struct rtp_conn *rc = ch->conn;

	return (struct fake_qp *)rc->id->qp;
}

static struct ibv_cq *ch_cq(struct srpt_tp_channel *ch)
{
	struct rtp_conn *rc = ch->conn;

	return rc->cq.cq;
}

static unsigned int list_len(struct rtp_thread *th)
{
	struct rtp_cq *rcq;
	unsigned int n = 0;

	cds_list_for_each_entry(rcq, &th->cqs, link)
		n++;
	return n;
}

/* ---- tests ---- */

/* Each channel gets a CQ of its own, sized for every send (and the
 * drain) and every receive, on the completion channel of the thread it
 * is given in turn; its QP uses it for both queues. */
START_TEST(test_cq_per_channel)
{
	struct srpt_tp_channel *ch[5];
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
		ck_assert_uint_eq(ncq, i + 1);
		ck_assert_ptr_eq(ch_cq(ch[i]), &cqs[i]->cq);
		ck_assert_int_eq(cqs[i]->cq.cqe, 1056 + 1 + 132);
		ck_assert_ptr_eq(cqs[i]->cq.channel, &ccs[i % 2]);
		ck_assert_int_lt(cqs[i]->comp_vector, ctx.num_comp_vectors);
		ck_assert_ptr_eq(ch_qp(ch[i])->attr.send_cq, ch_cq(ch[i]));
		ck_assert_ptr_eq(ch_qp(ch[i])->attr.recv_cq, ch_cq(ch[i]));
		ck_assert_uint_eq(ch_qp(ch[i])->attr.cap.max_send_wr, 1056 + 1);
		ck_assert_uint_eq(ch_qp(ch[i])->attr.cap.max_recv_wr, 132);
		ck_assert_uint_eq(ch[i]->qp_num, ch_qp(ch[i])->qp.qp_num);
	}
	ck_assert_uint_eq(list_len(&tp->threads[0]), 3);
	ck_assert_uint_eq(list_len(&tp->threads[1]), 2);
	for (i = 0; i < 5; i++) {
		ch_del(ch[i]);
		ck_assert_uint_eq(ncq_destroyed, i + 1);
		ck_assert(cqs[i]->destroyed);
	}
	ck_assert_uint_eq(nqp, 5);
}
END_TEST

/* Issue 12: the old shared CQ of 32768 entries per thread took about 27
 * channels of 128 credits. Now only the device bounds it. */
START_TEST(test_many_channels)
{
	struct srpt_tp_channel *ch[200];
	unsigned int i;

	tp->nthreads = 1;
	for (i = 0; i < 200; i++) {
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
	}
	ck_assert_uint_eq(ncq, 200);
	ck_assert_uint_eq(list_len(&tp->threads[0]), 200);
	for (i = 0; i < 200; i++)
		ch_del(ch[i]);
	ck_assert_uint_eq(ncq_destroyed, 200);
}
END_TEST

/* A device with few CQEs: the send queue shrinks so that the CQ still
 * takes everything; with no room for a send queue, no channel. */
START_TEST(test_max_cqe_lowers_send_queue)
{
	struct srpt_tp_channel *a = ch_new(132), *b = ch_new(132);

	tp->devs[0].attr.max_cqe = 1000;
	ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(a), 0);
	ck_assert_uint_eq(a->sq_size, 1000 - 1 - 132);
	ck_assert_int_eq(cqs[0]->cq.cqe, 1000);
	ck_assert_uint_eq(ch_qp(a)->attr.cap.max_send_wr, a->sq_size + 1);
	tp->devs[0].attr.max_cqe = 132 + 2;
	ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(b), -ENOSPC);
	ck_assert_uint_eq(ncq, 1);
	ck_assert_uint_eq(nqp, 1);
	ch_del(b);
	ch_del(a);
	ck_assert_uint_eq(ncq_destroyed, 1);
}
END_TEST

/* ibv_create_cq fails: the login fails with its error, nothing is left. */
START_TEST(test_cq_create_fails)
{
	struct srpt_tp_channel *a = ch_new(132);

	fail_cq = ENOMEM;
	ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(a), -ENOMEM);
	ck_assert_uint_eq(ncq, 0);
	ck_assert_uint_eq(nqp, 0);
	ck_assert(cds_list_empty(&tp->threads[0].cqs));
	ch_del(a);
	ck_assert_uint_eq(ncq_destroyed, 0);
}
END_TEST

/* The QP cannot be made: the CQ made for it goes at once. */
START_TEST(test_qp_create_fails)
{
	struct srpt_tp_channel *a = ch_new(132);

	fail_qp = ENOMEM;
	ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(a), -ENOMEM);
	ck_assert_uint_eq(ncq, 1);
	ck_assert_uint_eq(ncq_destroyed, 1);
	ck_assert_ptr_null(ch_cq(a));
	ch_del(a);
	ck_assert_uint_eq(ncq_destroyed, 1);
}
END_TEST

/* With a shared receive queue the QP has no receive queue, but its
 * receives from the shared one complete on its CQ: still sized for nrx. */
START_TEST(test_srq_cq_covers_receives)
{
	struct srpt_tp_channel *a = ch_new(132);

	opts.flags = SRPT_TARGET_SRQ;
	opts.srq_size = 1024;
	ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(a), 0);
	ck_assert_ptr_nonnull(ch_qp(a)->attr.srq);
	ck_assert_uint_eq(ch_qp(a)->attr.cap.max_recv_wr, 0);
	ck_assert_int_eq(cqs[0]->cq.cqe, 1056 + 1 + 132);
	ch_del(a);
}
END_TEST

/* An event names its CQ: the thread acknowledges it, re-arms that CQ
 * and then polls it, and touches no other. */
START_TEST(test_event_polls_the_cq_that_fired)
{
	struct srpt_tp_channel *ch[3];
	struct rtp_thread *th = &tp->threads[0];
	unsigned int i;

	tp->nthreads = 1;
	for (i = 0; i < 3; i++) {
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
		/* Armed when made, before its QP can complete. */
		ck_assert_uint_eq(nlog, i + 1);
		ck_assert_int_eq(oplog[i].op, 'a');
		ck_assert_ptr_eq(oplog[i].cq, ch_cq(ch[i]));
	}
	nlog = 0;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[1]);
	pthread_mutex_lock(&th->lock);
	rtp_thread_cc_ready(th, &tp->devs[0].ccs[0], 0);
	pthread_mutex_unlock(&th->lock);
	ck_assert_uint_eq(nlog, 2);
	ck_assert_int_eq(oplog[0].op, 'a');
	ck_assert_ptr_eq(oplog[0].cq, ch_cq(ch[1]));
	ck_assert_int_eq(oplog[1].op, 'p');
	ck_assert_ptr_eq(oplog[1].cq, ch_cq(ch[1]));
	ck_assert_uint_eq(cqs[1]->acks, 1);
	ck_assert_uint_eq(cqs[0]->acks + cqs[2]->acks, 0);

	/* Two waiting: both, in order. */
	nlog = 0;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[2]);
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	pthread_mutex_lock(&th->lock);
	rtp_thread_cc_ready(th, &tp->devs[0].ccs[0], 0);
	pthread_mutex_unlock(&th->lock);
	ck_assert_uint_eq(nlog, 4);
	ck_assert_ptr_eq(oplog[1].cq, ch_cq(ch[2]));
	ck_assert_ptr_eq(oplog[3].cq, ch_cq(ch[0]));
	ck_assert_uint_eq(nevents, 0);

	/* A completion channel taken off the thread is left alone. */
	nlog = 0;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	tp->devs[0].ccs[0].dead = true;
	rtp_thread_cc_ready(th, &tp->devs[0].ccs[0], 0);
	ck_assert_uint_eq(nlog, 0);
	ck_assert_uint_eq(nevents, 1);
	nevents = 0;
	for (i = 0; i < 3; i++)
		ch_del(ch[i]);
}
END_TEST

/* Busy polling: every CQ of the thread, and only those; none armed. */
START_TEST(test_busy_poll_polls_every_cq_of_its_thread)
{
	struct srpt_tp_channel *ch[4];
	unsigned int i;

	opts.flags = SRPT_TARGET_BUSY_POLL;
	for (i = 0; i < 4; i++) {
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
	}
	ck_assert_uint_eq(nlog, 0);
	rtp_thread_poll_all(&tp->threads[1]);
	ck_assert_uint_eq(nlog, 2);
	ck_assert_ptr_eq(oplog[0].cq, ch_cq(ch[1]));
	ck_assert_ptr_eq(oplog[1].cq, ch_cq(ch[3]));
	/* A channel gone is not polled any more. */
	ch_del(ch[1]);
	nlog = 0;
	rtp_thread_poll_all(&tp->threads[1]);
	ck_assert_uint_eq(nlog, 1);
	ck_assert_ptr_eq(oplog[0].cq, ch_cq(ch[3]));
	ch_del(ch[0]);
	ch_del(ch[2]);
	ch_del(ch[3]);
}
END_TEST

/* SRPT_TARGET_APP_POLL: no thread is started; each poller's descriptor is
 * what the application waits on, and srpt_target_poll() does one round of
 * what the thread would, within its budget. */
START_TEST(test_app_poll)
{
	struct srpt_tp_channel *ch[3];
	int efd[2];
	uint64_t one = 1;

	opts.flags = SRPT_TARGET_APP_POLL;
	tp->nthreads = 2;
	for (int i = 0; i < 2; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ck_assert_int_ge(efd[i], 0);
		ccs[i].fd = efd[i];
	}
	ck_assert_int_eq(rtp_threads_start(tp), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert(!tp->threads[i].started);
		ck_assert_int_ge(tp->threads[i].epfd, 0);
		ck_assert_int_eq(srpt_rdma_tp_ops.poll_fd(t, (unsigned int)i),
				 tp->threads[i].epfd);
	}
	ck_assert_int_eq(srpt_rdma_tp_ops.poll_fd(t, 2), -EINVAL);
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 2, 0), -EINVAL);
	for (int i = 0; i < 3; i++) {	/* threads 0, 1, 0 */
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
	}
	/* Nothing ready: nothing done. */
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 0), 0);

	/* 40 completions on channel 0: all of them, to the core. */
	cqs[0]->pending = 40;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	ck_assert_int_eq(write(efd[0], &one, sizeof(one)), sizeof(one));
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 1, 0), 0);
	door.completions = 0;
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 0), 40);
	ck_assert_uint_eq(door.completions, 40);
	ck_assert_uint_eq(cqs[0]->acks, 1);

	/* A budget: the CQ that reaches it is drained whole (it was
	 * re-armed), the next one waits for the next call. */
	cqs[0]->pending = 10;
	cqs[2]->pending = 10;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[2]);
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 5), 10);
	ck_assert_uint_eq(nevents, 1);
	ck_assert_uint_eq(cqs[2]->pending, 10);
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 5), 10);
	ck_assert_uint_eq(nevents, 0);
	ck_assert_uint_eq(door.completions, 60);

	for (int i = 0; i < 3; i++)
		ch_del(ch[i]);
	rtp_threads_stop(tp);
	for (int i = 0; i < 2; i++) {
		close(efd[i]);
		ccs[i].fd = -1;
	}
}
END_TEST

/* Is @fd readable now? */
static bool readable(int fd)
{
	struct epoll_event ev;

	return epoll_wait(fd, &ev, 1, 0) > 0;
}

/* A peer that keeps its CQ full gets a budget per turn (4 batches of
 * 32), and the thread's other CQs their turn in between; the completions
 * left keep the poller's descriptor readable (no CQ event comes for
 * them) until they are taken, or their CQ is destroyed. */
START_TEST(test_busy_cq_does_not_starve_others)
{
	struct srpt_tp_channel *ch[2];
	struct rtp_thread *th = &tp->threads[0];
	uint64_t one = 1, v;
	unsigned int total = 0, rounds = 0;
	int efd, n;

	opts.flags = SRPT_TARGET_APP_POLL;
	tp->nthreads = 1;
	efd = eventfd(0, EFD_NONBLOCK);
	ck_assert_int_ge(efd, 0);
	ccs[0].fd = efd;
	ck_assert_int_eq(rtp_threads_start(tp), 0);
	for (int i = 0; i < 2; i++) {
		ch[i] = ch_new(132);
		ck_assert_int_eq(srpt_rdma_tp_ops.ch_create(ch[i]), 0);
	}
	door.completions = 0;
	cqs[0]->pending = 1000;
	cqs[1]->pending = 5;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[1]);
	ck_assert_int_eq(write(efd, &one, sizeof(one)), sizeof(one));
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 0), 128 + 5);
	ck_assert_uint_eq(cqs[0]->pending, 1000 - 128);
	ck_assert_uint_eq(cqs[1]->pending, 0);
	ck_assert_uint_eq(th->nmore, 1);
	/* The CQ events are taken: only the completions left wake us. */
	ck_assert_int_eq(read(efd, &v, sizeof(v)), sizeof(v));
	ck_assert(readable(th->epfd));
	while ((n = srpt_rdma_tp_ops.poll(t, 0, 0)) > 0) {
		ck_assert_int_le(n, 128);
		total += (unsigned int)n;
		ck_assert_uint_lt(++rounds, 20);
	}
	ck_assert_uint_eq(total, 1000 - 128);
	ck_assert_uint_eq(door.completions, 1005);
	ck_assert_uint_eq(th->nmore, 0);
	ck_assert(!readable(th->epfd));

	/* Destroyed with completions left: nothing stays marked. */
	cqs[0]->pending = 1000;
	events[nevents].cc = &ccs[0];
	events[nevents++].cq = ch_cq(ch[0]);
	ck_assert_int_eq(write(efd, &one, sizeof(one)), sizeof(one));
	ck_assert_int_eq(srpt_rdma_tp_ops.poll(t, 0, 0), 128);
	ck_assert_int_eq(read(efd, &v, sizeof(v)), sizeof(v));
	ck_assert_uint_eq(th->nmore, 1);
	ch_del(ch[0]);
	ck_assert_uint_eq(th->nmore, 0);
	ck_assert(!readable(th->epfd));
	ch_del(ch[1]);
	rtp_threads_stop(tp);
	close(efd);
	ccs[0].fd = -1;
}
END_TEST

static Suite *cq_suite(void)
{
	Suite *s = suite_create("rdma-cq");
	TCase *tc = tcase_create("cq");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cq_per_channel);
	tcase_add_test(tc, test_many_channels);
	tcase_add_test(tc, test_max_cqe_lowers_send_queue);
	tcase_add_test(tc, test_cq_create_fails);
	tcase_add_test(tc, test_qp_create_fails);
	tcase_add_test(tc, test_srq_cq_covers_receives);
	tcase_add_test(tc, test_event_polls_the_cq_that_fired);
	tcase_add_test(tc, test_busy_poll_polls_every_cq_of_its_thread);
	tcase_add_test(tc, test_app_poll);
	tcase_add_test(tc, test_busy_cq_does_not_starve_others);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
