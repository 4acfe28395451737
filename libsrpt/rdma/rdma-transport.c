/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The rdma-core backend: devices, protection domains, memory registration,
 * queue pairs, and the transport table the core calls through.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"
#include "rdma/rdma-priv.h"
#include "rdma/rdma-transport.h"
#include "util/alloc.h"

static void devs_close(struct rdma_tp *tp)
{
	for (int d = 0; d < tp->ndev; d++) {
		struct rdma_dev *dev = &tp->devs[d];

		for (unsigned int i = 0; i < RDMA_MAX_THREADS; i++) {
			if (dev->cqs[i].cq)
				ibv_destroy_cq(dev->cqs[i].cq);
			if (dev->cqs[i].cc)
				ibv_destroy_comp_channel(dev->cqs[i].cc);
		}
		if (dev->pd)
			ibv_dealloc_pd(dev->pd);
	}
	tp->ndev = 0;
	if (tp->ctx_list)
		rdma_free_devices(tp->ctx_list);
	tp->ctx_list = NULL;
}

static int devs_open(struct rdma_tp *tp)
{
	int n = 0, d;
	unsigned int i;

	tp->ctx_list = rdma_get_devices(&n);
	if (!tp->ctx_list || n <= 0)
		return -ENODEV;
	if (n > SRPT_MAX_DEVICES)
		n = SRPT_MAX_DEVICES;
	for (d = 0; d < n; d++) {
		struct rdma_dev *dev = &tp->devs[d];

		dev->ctx = tp->ctx_list[d];
		tp->ndev = d + 1;
		if (ibv_query_device(dev->ctx, &dev->attr))
			return -errno;
		dev->node_guid = be64toh(dev->attr.node_guid);
		dev->pd = ibv_alloc_pd(dev->ctx);
		if (!dev->pd)
			return -ENOMEM;
		for (i = 0; i < tp->nthreads; i++) {
			struct rdma_cq *rcq = &dev->cqs[i];
			int cqe = dev->attr.max_cqe < RDMA_CQE ?
				  dev->attr.max_cqe : RDMA_CQE;

			rcq->cc = ibv_create_comp_channel(dev->ctx);
			if (!rcq->cc)
				return -errno;
			rcq->cq = ibv_create_cq(dev->ctx, cqe, rcq, rcq->cc, (int)i);
			if (!rcq->cq)
				return -errno;
			rcq->size = rcq->cq->cqe;
		}
	}
	return 0;
}

static int dev_index(struct rdma_tp *tp, struct ibv_context *ctx)
{
	for (int d = 0; d < tp->ndev; d++)
		if (tp->devs[d].ctx == ctx)
			return d;
	return -1;
}

static void tp_stop(struct srpt_target *t)
{
	struct rdma_tp *tp = rdma_tp(t);
	uint64_t one = 1;

	if (!tp)
		return;
	atomic_store(&tp->stop, true);
	if (tp->cm_started) {
		if (write(tp->wakefd, &one, sizeof(one)) < 0)
			srpt_err(t, "cannot wake the CM thread");
		pthread_join(tp->cm_thread, NULL);
	}
	rdma_threads_stop(tp);
	if (tp->listen_id)
		rdma_destroy_id(tp->listen_id);
	devs_close(tp);
	if (tp->ec)
		rdma_destroy_event_channel(tp->ec);
	if (tp->epfd >= 0)
		close(tp->epfd);
	if (tp->wakefd >= 0)
		close(tp->wakefd);
	srpt_free(tp);
	t->tp = NULL;
}

static int tp_listen(struct srpt_target *t, const struct sockaddr *addr)
{
	struct rdma_tp *tp = srpt_zalloc(sizeof(*tp), "rdma-tp");
	int r, d;

	if (!tp)
		return -ENOMEM;
	tp->t = t;
	tp->epfd = tp->wakefd = -1;
	for (unsigned int i = 0; i < RDMA_MAX_THREADS; i++)
		tp->threads[i].epfd = tp->threads[i].stopfd = -1;
	tp->nthreads = t->opts.completion_threads < RDMA_MAX_THREADS ?
		       t->opts.completion_threads : RDMA_MAX_THREADS;
	t->tp = tp;
	r = devs_open(tp);
	if (r)
		goto fail;
	tp->ec = rdma_create_event_channel();
	if (!tp->ec) {
		r = -errno;
		goto fail;
	}
	if (rdma_create_id(tp->ec, &tp->listen_id, NULL, RDMA_PS_TCP)) {
		r = -errno;
		goto fail;
	}
	if (rdma_bind_addr(tp->listen_id, (struct sockaddr *)addr)) {
		r = -errno;
		if (r == -ENODEV || r == -EINVAL)
			r = -EADDRNOTAVAIL;
		goto fail;
	}
	if (rdma_listen(tp->listen_id, 128)) {
		r = -errno;
		goto fail;
	}
	d = tp->listen_id->verbs ? dev_index(tp, tp->listen_id->verbs) : 0;
	t->guid_default = tp->devs[d < 0 ? 0 : d].node_guid;
	tp->epfd = epoll_create1(EPOLL_CLOEXEC);
	tp->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tp->epfd < 0 || tp->wakefd < 0) {
		r = -errno;
		goto fail;
	}
	r = rdma_threads_start(tp);
	if (!r)
		r = rdma_cm_start(tp);
	if (r)
		goto fail;
	srpt_notice(t, "listening on %s with %d RDMA device(s)",
		    addr->sa_family == AF_INET6 ? "IPv6" : "IPv4", tp->ndev);
	return 0;
fail:
	tp_stop(t);
	return r;
}

static void tp_wake(struct srpt_target *t)
{
	struct rdma_tp *tp = rdma_tp(t);
	uint64_t one = 1;

	if (tp && write(tp->wakefd, &one, sizeof(one)) < 0)
		srpt_err(t, "cannot wake the CM thread");
}

static uint64_t tp_now_ms(struct srpt_target *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int tp_reg_mem(struct srpt_target *t, struct srpt_mr *mr)
{
	struct rdma_tp *tp = rdma_tp(t);

	if (!tp)
		return -ENODEV;
	for (int d = 0; d < tp->ndev; d++) {
		struct ibv_mr *m = ibv_reg_mr(tp->devs[d].pd, mr->addr, mr->len,
					      IBV_ACCESS_LOCAL_WRITE);

		if (!m) {
			int r = -errno;

			while (d--)
				ibv_dereg_mr(mr->tp[d]);
			return r ? r : -ENOMEM;
		}
		mr->tp[d] = m;
		mr->lkey[d] = m->lkey;
	}
	return 0;
}

static void tp_dereg_mem(struct srpt_target *t, struct srpt_mr *mr)
{
	for (int d = 0; d < SRPT_MAX_DEVICES; d++) {
		if (mr->tp[d])
			ibv_dereg_mr(mr->tp[d]);
		mr->tp[d] = NULL;
	}
}

static int tp_ch_create(struct srpt_channel *ch)
{
	struct rdma_tp *tp = rdma_tp(ch->t);
	struct rdma_conn *rc = ch->conn;
	struct ibv_qp_init_attr qa;
	struct rdma_dev *dev;
	unsigned int th;
	int d, cqe;

	d = dev_index(tp, rc->id->verbs);
	if (d < 0)
		return -ENODEV;
	dev = &tp->devs[d];
	if (ch->sq_size > (uint32_t)dev->attr.max_qp_wr - 1)
		ch->sq_size = (uint32_t)dev->attr.max_qp_wr - 1;
	if (ch->nrx > (uint32_t)dev->attr.max_qp_wr)
		return -ENOSPC;
	/* Every posted work request can come back as a flush. */
	cqe = (int)(ch->sq_size + ch->nrx + 1);
	th = atomic_fetch_add(&tp->next_thread, 1) % tp->nthreads;
	rc->cq = &dev->cqs[th];
	if (atomic_fetch_add(&rc->cq->used, cqe) + cqe > rc->cq->size) {
		atomic_fetch_sub(&rc->cq->used, cqe);
		rc->cq = NULL;
		return -ENOSPC;
	}
	rc->cqe = cqe;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = rc->cq->cq;
	qa.recv_cq = rc->cq->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = ch->sq_size + 1;
	qa.cap.max_recv_wr = ch->nrx;
	qa.cap.max_send_sge = dev->attr.max_sge < 16 ? (uint32_t)dev->attr.max_sge : 16;
	qa.cap.max_recv_sge = 1;
	qa.cap.max_inline_data = 256;
	if (rdma_create_qp(rc->id, dev->pd, &qa)) {
		qa.cap.max_inline_data = 0;
		if (rdma_create_qp(rc->id, dev->pd, &qa)) {
			int r = -errno;

			atomic_fetch_sub(&rc->cq->used, cqe);
			rc->cq = NULL;
			return r;
		}
	}
	rc->max_inline = qa.cap.max_inline_data;
	rc->max_sge = qa.cap.max_send_sge;
	rc->max_sge_rd = dev->attr.max_sge_rd && (uint32_t)dev->attr.max_sge_rd <
			 rc->max_sge ? (uint32_t)dev->attr.max_sge_rd : rc->max_sge;
	{
		struct ibv_port_attr pa;

		rc->max_msg = 1u << 30;
		if (!ibv_query_port(dev->ctx, rc->id->port_num, &pa) &&
		    pa.max_msg_sz && pa.max_msg_sz < rc->max_msg)
			rc->max_msg = pa.max_msg_sz;
	}
	ch->qp_num = rc->id->qp->qp_num;
	ch->dev = d;
	return 0;
}

static int tp_accept(struct srpt_channel *ch, const void *pdata, uint8_t len)
{
	struct rdma_tp *tp = rdma_tp(ch->t);
	struct rdma_conn *rc = ch->conn;
	struct rdma_dev *dev = &tp->devs[ch->dev];
	struct rdma_conn_param p;

	memset(&p, 0, sizeof(p));
	p.private_data = pdata;
	p.private_data_len = len;
	p.initiator_depth = rc->initiator_depth ? rc->initiator_depth : 4;
	if (p.initiator_depth > dev->attr.max_qp_init_rd_atom)
		p.initiator_depth = (uint8_t)dev->attr.max_qp_init_rd_atom;
	p.responder_resources = dev->attr.max_qp_rd_atom < 4 ?
				(uint8_t)dev->attr.max_qp_rd_atom : 4;
	p.rnr_retry_count = 7;
	p.flow_control = 1;
	return rdma_accept(rc->id, &p) ? -errno : 0;
}

static int tp_reject(struct srpt_channel *ch, const void *pdata, uint8_t len)
{
	struct rdma_conn *rc = ch->conn;

	return rdma_reject(rc->id, pdata, len) ? -errno : 0;
}

static int tp_disconnect(struct srpt_channel *ch)
{
	struct rdma_conn *rc = ch->conn;

	return rdma_disconnect(rc->id) ? -errno : 0;
}

static void tp_destroy_id(struct srpt_channel *ch)
{
	struct rdma_conn *rc = ch->conn;

	if (!rc || !rc->id)
		return;
	/* librdmacm wants the QP gone before its id. */
	if (rc->id->qp)
		rdma_destroy_qp(rc->id);
	rdma_destroy_id(rc->id);
	rc->id = NULL;
	if (rc->cq) {
		atomic_fetch_sub(&rc->cq->used, rc->cqe);
		rc->cq = NULL;
	}
	srpt_free(rc);
}

static void tp_ch_free(struct srpt_channel *ch)
{
	/* Everything went with the id (tp_destroy_id); rings are the
	 * core's. */
}

const struct srpt_tp_ops srpt_rdma_tp_ops = {
	.name = "rdma",
	.listen = tp_listen,
	.stop = tp_stop,
	.wake = tp_wake,
	.now_ms = tp_now_ms,
	.reg_mem = tp_reg_mem,
	.dereg_mem = tp_dereg_mem,
	.ch_create = tp_ch_create,
	.accept = tp_accept,
	.reject = tp_reject,
	.disconnect = tp_disconnect,
	.qp_to_error = rdma_qp_to_error,
	.post_drain = rdma_post_drain,
	.destroy_id = tp_destroy_id,
	.ch_free = tp_ch_free,
	.post_recv = rdma_post_recv,
	.post_chain = rdma_post_chain,
};
