/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The rdma-core backend: devices, protection domains, memory registration,
 * queue pairs and their completion queues (one each, rdma-cq.c), and the
 * transport table the core calls through.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"
#include "rdma/rdma-priv.h"
#include "rdma/rdma-transport.h"
#include "util/alloc.h"

/*
 * Free one device slot's verbs objects (its channels' QPs and CQs must be
 * gone, its completion channels off the threads). Registrations that
 * outlive the device (rings, the application's memory) lose only their
 * part on this device.
 */
static void dev_close(struct rtp_tp *tp, int d)
{
	struct rtp_dev *dev = &tp->devs[d];

	if (dev->srq)
		ibv_destroy_srq(dev->srq);
	dev->srq = NULL;
	dev->srq_filled = false;
	pthread_mutex_lock(&tp->mr_lock);
	for (unsigned int i = 0; i < tp->nmrs; i++) {
		if (tp->mrs[i]->priv[d])
			ibv_dereg_mr(tp->mrs[i]->priv[d]);
		tp->mrs[i]->priv[d] = NULL;
	}
	pthread_mutex_unlock(&tp->mr_lock);
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++) {
		/* EBUSY: a CQ on it outlived its channel. */
		int r = dev->ccs[i].cc ? ibv_destroy_comp_channel(dev->ccs[i].cc) : 0;

		if (r)
			rtp_warn(tp->t, "cannot destroy a completion channel (%d)", r);
		dev->ccs[i].cc = NULL;
	}
	if (dev->pd)
		ibv_dealloc_pd(dev->pd);
	dev->pd = NULL;
	dev->ctx = NULL;
	dev->removing = false;
}

static void devs_close(struct rtp_tp *tp)
{
	for (int d = 0; d < tp->ndev; d++)
		dev_close(tp, d);
	tp->ndev = 0;
	if (tp->ctx_list)
		rdma_free_devices(tp->ctx_list);
	tp->ctx_list = NULL;
}

/* PD and a completion channel per completion thread for @ctx, in slot
 * @d; the channels' CQs come with them (tp_ch_create). */
static int dev_open(struct rtp_tp *tp, int d, struct ibv_context *ctx)
{
	struct rtp_dev *dev = &tp->devs[d];
	unsigned int i;

	memset(dev, 0, sizeof(*dev));
	dev->ctx = ctx;
	if (d >= tp->ndev)
		tp->ndev = d + 1;
	if (ibv_query_device(ctx, &dev->attr))
		return -errno;
	dev->node_guid = be64toh(dev->attr.node_guid);
	dev->pd = ibv_alloc_pd(ctx);
	if (!dev->pd)
		return -ENOMEM;
	for (i = 0; i < tp->nthreads; i++) {
		dev->ccs[i].cc = ibv_create_comp_channel(ctx);
		if (!dev->ccs[i].cc)
			return -errno;
	}
	return 0;
}

static int devs_open(struct rtp_tp *tp)
{
	int n = 0, d, r;

	tp->ctx_list = rdma_get_devices(&n);
	if (!tp->ctx_list || n <= 0)
		return -ENODEV;
	if (n > SRPT_MAX_DEVICES)
		n = SRPT_MAX_DEVICES;
	for (d = 0; d < n; d++) {
		r = dev_open(tp, d, tp->ctx_list[d]);
		if (r)
			return r;
	}
	return 0;
}

static int dev_index(struct rtp_tp *tp, struct ibv_context *ctx)
{
	for (int d = 0; ctx && d < tp->ndev; d++)
		if (tp->devs[d].ctx == ctx)
			return d;
	return -1;
}

int rtp_dev_of(struct rtp_tp *tp, struct ibv_context *ctx)
{
	return dev_index(tp, ctx);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Register @mr on device @d too (mr_lock held). */
static int mr_reg_dev(struct rtp_tp *tp, struct srpt_tp_mr *mr, int d)
{
	struct ibv_mr *m = ibv_reg_mr(tp->devs[d].pd, mr->addr, mr->len,
				      IBV_ACCESS_LOCAL_WRITE);

	if (!m)
		return errno ? -errno : -ENOMEM;
	mr->priv[d] = m;
	mr->lkey[d] = m->lkey;
	return 0;
}

/* A device the process has not opened yet (it appeared after listen, or
 * came back after a removal): give it a slot, a completion channel on
 * every thread, and watch its async events. CM thread only. */
static int dev_adopt(struct rtp_tp *tp, struct ibv_context *ctx)
{
	int d, r;

	for (d = 0; d < SRPT_MAX_DEVICES; d++)
		if (!tp->devs[d].ctx)
			break;
	if (d == SRPT_MAX_DEVICES)
		return -ENOSPC;
	r = dev_open(tp, d, ctx);
	/* Everything registered so far must be usable on it too. */
	pthread_mutex_lock(&tp->mr_lock);
	for (unsigned int i = 0; !r && i < tp->nmrs; i++)
		r = mr_reg_dev(tp, tp->mrs[i], d);
	pthread_mutex_unlock(&tp->mr_lock);
	for (unsigned int i = 0; !r && i < tp->nthreads; i++)
		r = rtp_thread_add_cc(tp, i, &tp->devs[d].ccs[i]);
	if (!r) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)d };

		fcntl(ctx->async_fd, F_SETFL, fcntl(ctx->async_fd, F_GETFL) | O_NONBLOCK);
		if (epoll_ctl(tp->epfd, EPOLL_CTL_ADD, ctx->async_fd, &ev))
			r = -errno;
	}
	if (r) {
		for (unsigned int i = 0; i < tp->nthreads; i++)
			if (tp->devs[d].ccs[i].cc)
				rtp_thread_del_cc(tp, i, &tp->devs[d].ccs[i]);
		dev_close(tp, d);
		return r;
	}
	rtp_notice(tp->t, "RDMA device %s added", ibv_get_device_name(ctx->device));
	return d;
}

/* Swap in a fresh device list: librdmacm marks removed devices dead on
 * the refresh and closes them once the old list lets go of them. */
static void devs_refresh(struct rtp_tp *tp)
{
	struct ibv_context **list;
	int n = 0;

	list = rdma_get_devices(&n);
	/* Free the old list even when no device is left: its references
	 * keep a removed device open. */
	if (tp->ctx_list)
		rdma_free_devices(tp->ctx_list);
	tp->ctx_list = list;
	for (int i = 0; list && i < n; i++)
		if (dev_index(tp, list[i]) < 0)
			dev_adopt(tp, list[i]);
}

static int listen_on(struct rtp_tp *tp)
{
	struct rdma_cm_id *id;
	int r;

	if (rdma_create_id(tp->ec, &id, NULL, RDMA_PS_TCP))
		return -errno;
	if (rdma_bind_addr(id, (struct sockaddr *)&tp->listen_addr) ||
	    rdma_listen(id, 128)) {
		r = -errno;
		rdma_destroy_id(id);
		return r;
	}
	tp->listen_id = id;
	return 0;
}

/*
 * DEVICE_REMOVAL (CM thread, after the event was acknowledged): close the
 * device's channels; its resources go in rtp_devs_housekeeping() once
 * they have drained, so the kernel can finish removing the device.
 */
void rtp_dev_removed(struct rtp_tp *tp, int d)
{
	struct rtp_dev *dev = &tp->devs[d];

	if (d < 0 || !dev->ctx || dev->removing)
		return;
	dev->removing = true;
	rtp_err(tp->t, "RDMA device %s removed: closing its channels",
		ibv_get_device_name(dev->ctx->device));
	srpt_ev_device_gone(tp->t, d);
	if (tp->listen_id && tp->listen_id->verbs == dev->ctx) {
		rdma_destroy_id(tp->listen_id);
		tp->listen_id = NULL;
		tp->next_relisten_ms = now_ms() + 1000;
		rtp_err(tp->t, "no longer listening: the device that carried the address is gone; "
			"listening again once an RDMA device carries it");
	}
}

static void dev_release(struct rtp_tp *tp, int d)
{
	struct rtp_dev *dev = &tp->devs[d];
	char name[64];

	snprintf(name, sizeof(name), "%s", ibv_get_device_name(dev->ctx->device));
	/* Its channels, and their QPs and CQs, are gone already. */
	for (unsigned int i = 0; i < tp->nthreads; i++)
		if (dev->ccs[i].cc)
			rtp_thread_del_cc(tp, i, &dev->ccs[i]);
	epoll_ctl(tp->epfd, EPOLL_CTL_DEL, dev->ctx->async_fd, NULL);
	dev_close(tp, d);
	rtp_notice(tp->t, "RDMA device %s released", name);
}

/* CM thread, every round: finish removals, look for devices, listen again. */
void rtp_devs_housekeeping(struct rtp_tp *tp)
{
	bool released = false;

	for (int d = 0; d < tp->ndev; d++) {
		if (tp->devs[d].removing &&
		    !srpt_core_dev_channels(tp->t, d)) {
			dev_release(tp, d);
			released = true;
		}
	}
	if (released) {
		devs_refresh(tp);
		if (!tp->ctx_list || !tp->ctx_list[0])
			rtp_warn(tp->t, "no RDMA device is left: librdmacm keeps the removed "
				 "device open until a device list refresh succeeds, so its "
				 "removal completes only when this process exits or another "
				 "RDMA device appears");
	}
	if (!tp->listen_id && now_ms() >= tp->next_relisten_ms) {
		devs_refresh(tp);
		if (listen_on(tp) == 0) {
			tp->next_relisten_ms = 0;
			rtp_notice(tp->t, "listening again");
		} else {
			tp->next_relisten_ms = now_ms() + 1000;
		}
	}
}

int rtp_housekeeping_timeout(struct rtp_tp *tp)
{
	for (int d = 0; d < tp->ndev; d++)
		if (tp->devs[d].removing)
			return 200;
	return tp->listen_id ? -1 : 1000;
}

static void tp_stop(struct srpt_tp_target *t)
{
	struct rtp_tp *tp = rtp_tp(t);
	uint64_t one = 1;

	if (!tp)
		return;
	atomic_store(&tp->stop, true);
	if (tp->cm_started) {
		if (write(tp->wakefd, &one, sizeof(one)) < 0)
			rtp_err(t, "cannot wake the CM thread");
		pthread_join(tp->cm_thread, NULL);
	}
	rtp_threads_stop(tp);
	if (tp->listen_id)
		rdma_destroy_id(tp->listen_id);
	devs_close(tp);
	if (tp->ec)
		rdma_destroy_event_channel(tp->ec);
	if (tp->epfd >= 0)
		close(tp->epfd);
	if (tp->wakefd >= 0)
		close(tp->wakefd);
	pthread_mutex_destroy(&tp->mr_lock);
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++)
		pthread_mutex_destroy(&tp->threads[i].lock);
	free(tp->mrs);
	srpt_free(tp);
	t->priv = NULL;
}

static int tp_listen(struct srpt_tp_target *t, const struct sockaddr *addr)
{
	struct rtp_tp *tp = srpt_zalloc(sizeof(*tp), "rdma-tp");
	int r, d;

	if (!tp)
		return -ENOMEM;
	tp->t = t;
	tp->epfd = tp->wakefd = -1;
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++)
		tp->threads[i].epfd = tp->threads[i].stopfd =
			tp->threads[i].morefd = -1;
	for (unsigned int i = 0; i < RTP_MAX_THREADS; i++) {
		pthread_mutex_init(&tp->threads[i].lock, NULL);
		CDS_INIT_LIST_HEAD(&tp->threads[i].cqs);
	}
	pthread_mutex_init(&tp->mr_lock, NULL);
	memcpy(&tp->listen_addr, addr, addr->sa_family == AF_INET6 ?
	       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	tp->nthreads = t->opts->completion_threads < RTP_MAX_THREADS ?
		       t->opts->completion_threads : RTP_MAX_THREADS;
	t->priv = tp;
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
	r = rtp_threads_start(tp);
	if (!r)
		r = rtp_cm_start(tp);
	if (r)
		goto fail;
	rtp_notice(t, "listening on %s with %d RDMA device(s)",
		   addr->sa_family == AF_INET6 ? "IPv6" : "IPv4", tp->ndev);
	return 0;
fail:
	tp_stop(t);
	return r;
}

static void tp_wake(struct srpt_tp_target *t)
{
	struct rtp_tp *tp = rtp_tp(t);
	uint64_t one = 1;

	if (tp && write(tp->wakefd, &one, sizeof(one)) < 0)
		rtp_err(t, "cannot wake the CM thread");
}

static uint64_t tp_now_ms(struct srpt_tp_target *t)
{
	return now_ms();
}

static int mr_track(struct rtp_tp *tp, struct srpt_tp_mr *mr)
{
	int r = 0;

	pthread_mutex_lock(&tp->mr_lock);
	if (tp->nmrs == tp->capmrs) {
		unsigned int cap = tp->capmrs ? tp->capmrs * 2 : 16;
		struct srpt_tp_mr **n = realloc(tp->mrs, cap * sizeof(*n));

		if (n) {
			tp->mrs = n;
			tp->capmrs = cap;
		} else {
			r = -ENOMEM;
		}
	}
	if (!r)
		tp->mrs[tp->nmrs++] = mr;
	pthread_mutex_unlock(&tp->mr_lock);
	return r;
}

/* mr_lock held */
static void mr_untrack_locked(struct rtp_tp *tp, struct srpt_tp_mr *mr)
{
	for (unsigned int i = 0; i < tp->nmrs; i++) {
		if (tp->mrs[i] == mr) {
			tp->mrs[i] = tp->mrs[--tp->nmrs];
			break;
		}
	}
}

static void mr_untrack(struct rtp_tp *tp, struct srpt_tp_mr *mr)
{
	pthread_mutex_lock(&tp->mr_lock);
	mr_untrack_locked(tp, mr);
	pthread_mutex_unlock(&tp->mr_lock);
}

static void mr_dereg_all(struct srpt_tp_mr *mr)
{
	for (int d = 0; d < SRPT_MAX_DEVICES; d++) {
		if (mr->priv[d])
			ibv_dereg_mr(mr->priv[d]);
		mr->priv[d] = NULL;
	}
}

static int tp_reg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
	struct rtp_tp *tp = rtp_tp(t);
	int r;

	if (!tp)
		return -ENODEV;
	/* Under mr_lock, so a device release cannot miss this one. */
	r = mr_track(tp, mr);
	if (r)
		return r;
	pthread_mutex_lock(&tp->mr_lock);
	for (int d = 0; d < tp->ndev && !r; d++)
		if (tp->devs[d].pd && !tp->devs[d].removing)
			r = mr_reg_dev(tp, mr, d);
	pthread_mutex_unlock(&tp->mr_lock);
	if (r) {
		mr_untrack(tp, mr);
		mr_dereg_all(mr);
	}
	return r;
}

static void tp_dereg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
	struct rtp_tp *tp = rtp_tp(t);

	if (tp) {
		/* One critical section: a device release in between would
		 * leave this MR holding its PD. */
		pthread_mutex_lock(&tp->mr_lock);
		mr_untrack_locked(tp, mr);
		mr_dereg_all(mr);
		pthread_mutex_unlock(&tp->mr_lock);
	} else {
		mr_dereg_all(mr);
	}
}

/* CM thread: device @d's shared receive queue, made on first use. */
static int dev_srq(struct rtp_tp *tp, int d, uint32_t n)
{
	struct rtp_dev *dev = &tp->devs[d];
	struct ibv_srq_init_attr a;

	if (dev->srq)
		return 0;
	if (!dev->attr.max_srq_wr || n > (uint32_t)dev->attr.max_srq_wr)
		return -EOPNOTSUPP;
	memset(&a, 0, sizeof(a));
	a.attr.max_wr = n;
	a.attr.max_sge = 1;
	dev->srq = ibv_create_srq(dev->pd, &a);
	return dev->srq ? 0 : (errno ? -errno : -ENOMEM);
}

static int tp_srq_create(struct srpt_tp_target *t, int d, uint32_t n)
{
	struct rtp_tp *tp = rtp_tp(t);
	int r = dev_srq(tp, d, n);

	if (r)
		return r;
	if (tp->devs[d].srq_filled)
		return 0;
	tp->devs[d].srq_filled = true;
	return 1;
}

static int tp_srq_post(struct srpt_tp_target *t, int d,
		       const struct srpt_tp_sge *sge, uint64_t wr_id)
{
	struct rtp_tp *tp = rtp_tp(t);
	struct ibv_srq *srq = tp ? tp->devs[d].srq : NULL;
	struct ibv_sge sg = { sge->addr, sge->len, sge->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sg, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return srq ? -ibv_post_srq_recv(srq, &wr, &bad) : -ENODEV;
}

/*
 * The channel's CQ takes every work request it can post back, if only as
 * a flush: the send queue, the drain, and the receives (with a shared
 * queue, those this channel's credits and spare receives let in, nrx). A
 * device with fewer CQEs gets a shorter send queue.
 */
static int ch_cqe(struct srpt_tp_channel *ch, const struct rtp_dev *dev)
{
	uint32_t max = (uint32_t)dev->attr.max_cqe;

	if (ch->nrx + 3 > max)
		return -ENOSPC;
	if (ch->sq_size + 1 + ch->nrx > max)
		ch->sq_size = max - 1 - ch->nrx;
	return (int)(ch->sq_size + 1 + ch->nrx);
}

static int tp_ch_create(struct srpt_tp_channel *ch)
{
	struct rtp_tp *tp = rtp_tp(ch->t);
	struct rtp_conn *rc = ch->conn;
	struct ibv_qp_init_attr qa;
	struct rtp_dev *dev;
	unsigned int th;
	int d, cqe, r;

	d = dev_index(tp, rc->id->verbs);
	if (d < 0)	/* a device that came after listen (any-address) */
		d = dev_adopt(tp, rc->id->verbs);
	if (d < 0 || tp->devs[d].removing)
		return -ENODEV;
	dev = &tp->devs[d];
	if (ch->sq_size > (uint32_t)dev->attr.max_qp_wr - 1)
		ch->sq_size = (uint32_t)dev->attr.max_qp_wr - 1;
	if (ch->nrx > (uint32_t)dev->attr.max_qp_wr)
		return -ENOSPC;
	cqe = ch_cqe(ch, dev);
	if (cqe < 0)
		return cqe;
	if (ch->t->opts->flags & SRPT_TARGET_SRQ) {
		r = dev_srq(tp, d, ch->t->opts->srq_size);
		if (r)
			return r;
	}
	th = atomic_fetch_add(&tp->next_thread, 1) % tp->nthreads;
	r = rtp_cq_create(tp, d, th, cqe, &rc->cq);
	if (r)
		return r;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = rc->cq.cq;
	qa.recv_cq = rc->cq.cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = ch->sq_size + 1;
	qa.cap.max_recv_wr = ch->nrx;
	if (ch->t->opts->flags & SRPT_TARGET_SRQ) {
		qa.srq = dev->srq;
		qa.cap.max_recv_wr = 0;
	}
	qa.cap.max_send_sge = dev->attr.max_sge < 16 ? (uint32_t)dev->attr.max_sge : 16;
	qa.cap.max_recv_sge = 1;
	qa.cap.max_inline_data = 256;
	if (rdma_create_qp(rc->id, dev->pd, &qa)) {
		qa.cap.max_inline_data = 0;
		if (rdma_create_qp(rc->id, dev->pd, &qa)) {
			r = errno ? -errno : -ENOMEM;
			rtp_cq_destroy(tp, &rc->cq);
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
	snprintf(ch->dev_name, sizeof(ch->dev_name), "%s",
		 ibv_get_device_name(dev->ctx->device));
	ch->port = rc->id->port_num;
	ch->caps.max_send_sge = rc->max_sge;
	ch->caps.max_read_sge = rc->max_sge_rd;
	ch->caps.max_msg = rc->max_msg;
	/* soft-RoCE (vendor id 0xffffff) and iWARP providers do not report
	 * Last WQE Reached for QPs on a shared receive queue. */
	ch->caps.srq_last_wqe = dev->attr.vendor_id != 0xffffff &&
				dev->ctx->device->transport_type !=
				IBV_TRANSPORT_IWARP;
	/* Without it the channel's chains are posted one by one. */
	rtp_pend_alloc(ch);
	return 0;
}

static int tp_accept(struct srpt_tp_channel *ch, const void *pdata, uint8_t len)
{
	struct rtp_tp *tp = rtp_tp(ch->t);
	struct rtp_conn *rc = ch->conn;
	struct rtp_dev *dev = &tp->devs[ch->dev];
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
	if (rdma_accept(rc->id, &p))
		return -errno;
	/* The CM leaves the RNR NAK timer at its 655 ms maximum: an IU that
	 * finds no receive buffer (an initiator beyond its credits) would
	 * stall the whole connection that long. 12 asks for 0.64 ms. */
	if (rc->id->qp) {
		struct ibv_qp_attr a = { .min_rnr_timer = 12 };

		if (ibv_modify_qp(rc->id->qp, &a, IBV_QP_MIN_RNR_TIMER))
			rtp_dbg(ch->t, "QP %u: cannot shorten the RNR timer (%d)",
				ch->qp_num, errno);
	}
	return 0;
}

static int tp_reject(struct srpt_tp_channel *ch, const void *pdata, uint8_t len)
{
	struct rtp_conn *rc = ch->conn;

	return rdma_reject(rc->id, pdata, len) ? -errno : 0;
}

static int tp_disconnect(struct srpt_tp_channel *ch)
{
	struct rtp_conn *rc = ch->conn;

	/* rdma_disconnect() moves the QP to error: what waits goes first. */
	pthread_mutex_lock(&ch->post_lock);
	rtp_pend_flush(ch);
	pthread_mutex_unlock(&ch->post_lock);
	return rdma_disconnect(rc->id) ? -errno : 0;
}

static void tp_destroy_id(struct srpt_tp_channel *ch)
{
	struct rtp_conn *rc = ch->conn;

	if (!rc || !rc->id)
		return;
	/* librdmacm wants the QP gone before its id, and a CQ cannot go
	 * while a QP uses it. */
	if (rc->id->qp)
		rdma_destroy_qp(rc->id);
	rdma_destroy_id(rc->id);
	rc->id = NULL;
	rtp_cq_destroy(rtp_tp(ch->t), &rc->cq);
	srpt_free(rc);
}

static void tp_ch_free(struct srpt_tp_channel *ch)
{
	/* The rest went with the id (tp_destroy_id); rings are the
	 * core's. */
	rtp_pend_free(ch);
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
	.qp_to_error = rtp_qp_to_error,
	.post_drain = rtp_post_drain,
	.destroy_id = tp_destroy_id,
	.ch_free = tp_ch_free,
	.post_recv = rtp_post_recv,
	.srq_create = tp_srq_create,
	.srq_post = tp_srq_post,
	.post_chain = rtp_post_chain,
	.poll_fd = rtp_poll_fd,
	.poll = rtp_poll,
};
