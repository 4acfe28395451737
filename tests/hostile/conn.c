/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* RDMA/CM connections of the hostile initiator: see conn.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"

#define WR_RECV (1ull << 63)

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hc_cfg_default(struct hconn_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nrx = 64;
	cfg->ntx = 32;
	cfg->mode = HC_QP;
	cfg->timeout_ms = 10000;
	cfg->retry_count = 7;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ? -errno : 0;
}

/* Records what an event means for the connection, then acks it. */
static int cm_take(struct hconn *c, struct rdma_cm_event *e)
{
	int type = e->event;

	if (type == RDMA_CM_EVENT_DISCONNECTED)
		c->disconnected = 1;
	if (type == RDMA_CM_EVENT_ESTABLISHED ||
	    type == RDMA_CM_EVENT_CONNECT_RESPONSE ||
	    type == RDMA_CM_EVENT_REJECTED) {
		unsigned int n = e->param.conn.private_data_len;

		if (n > sizeof(c->pdata))
			n = sizeof(c->pdata);
		c->pdata_len = e->param.conn.private_data ? n : 0;
		if (c->pdata_len)
			memcpy(c->pdata, e->param.conn.private_data, n);
		c->cm_status = e->status;
	} else if (type != RDMA_CM_EVENT_DISCONNECTED &&
		   type != RDMA_CM_EVENT_TIMEWAIT_EXIT) {
		c->cm_status = e->status;
	}
	rdma_ack_cm_event(e);
	return type;
}

/* Returns the next CM event's type, or -ETIMEDOUT. */
static int cm_next(struct hconn *c, int64_t deadline)
{
	struct rdma_cm_event *e;
	struct pollfd p = { .fd = c->ec->fd, .events = POLLIN };

	for (;;) {
		int64_t left;

		if (rdma_get_cm_event(c->ec, &e) == 0)
			return cm_take(c, e);
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		poll(&p, 1, (int)left);
	}
}

static int cm_wait_for(struct hconn *c, int want, int64_t deadline)
{
	int ev = cm_next(c, deadline);

	if (ev < 0)
		return ev;
	c->cm_event = ev;
	return ev == want ? 0 : -ECONNREFUSED;
}

static int post_recv(struct hconn *c, unsigned int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(c->rx + (size_t)i * HC_RX_SLOT),
		.length = HC_RX_SLOT,
		.lkey = c->rx_mr->lkey,
	};
	struct ibv_recv_wr wr = {
		.wr_id = WR_RECV | i, .sg_list = &sge, .num_sge = 1,
	}, *bad;

	return ibv_post_recv(c->qp, &wr, &bad) ? -errno : 0;
}

static void cq_drain(struct hconn *c)
{
	struct ibv_wc wc[16];
	int n;

	while ((n = ibv_poll_cq(c->cq, 16, wc)) > 0) {
		for (int i = 0; i < n; i++) {
			int recv = !!(wc[i].wr_id & WR_RECV);
			unsigned int slot = (unsigned int)(wc[i].wr_id & 0xffffff);

			if (wc[i].status != IBV_WC_SUCCESS) {
				if (!c->wc_status) {
					c->wc_status = wc[i].status;
					c->wc_recv = recv;
				}
				if (!recv)
					c->tx_done++;
				continue;
			}
			if (!recv) {
				c->tx_done++;
				continue;
			}
			if (c->q_n < HC_QMAX) {
				struct hiu *q = &c->q[(c->q_head + c->q_n) % HC_QMAX];
				uint32_t len = wc[i].byte_len;

				if (len > HC_RX_SLOT)
					len = HC_RX_SLOT;
				q->data = malloc(len ? len : 1);
				if (q->data) {
					memcpy(q->data, c->rx + (size_t)slot * HC_RX_SLOT,
					       len);
					q->len = len;
					c->q_n++;
				}
			}
			post_recv(c, slot);
		}
	}
}

static void cm_drain(struct hconn *c)
{
	struct rdma_cm_event *e;

	while (rdma_get_cm_event(c->ec, &e) == 0)
		cm_take(c, e);
}

/* One wait for completions or CM events, at most until @deadline. */
static void wait_some(struct hconn *c, int64_t deadline)
{
	struct pollfd p[2] = {
		{ .fd = c->cc ? c->cc->fd : -1, .events = POLLIN },
		{ .fd = c->ec->fd, .events = POLLIN },
	};
	int64_t left = deadline - now_ms();
	struct ibv_cq *cq;
	void *ctx;

	if (left < 0)
		left = 0;
	if (poll(p, 2, (int)left) <= 0)
		return;
	if (p[0].revents && ibv_get_cq_event(c->cc, &cq, &ctx) == 0) {
		ibv_ack_cq_events(cq, 1);
		ibv_req_notify_cq(c->cq, 0);
	}
	cq_drain(c);
	if (p[1].revents)
		cm_drain(c);
}

static int make_qp(struct hconn *c, const struct hconn_cfg *cfg)
{
	struct ibv_qp_init_attr qa;

	memset(&qa, 0, sizeof(qa));
	qa.send_cq = c->cq;
	qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = c->ntx;
	qa.cap.max_recv_wr = c->nrx;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (cfg->mode == HC_QP) {
		if (rdma_create_qp(c->id, c->pd, &qa))
			return -errno;
		c->qp = c->id->qp;
		return 0;
	}
	c->qp = ibv_create_qp(c->pd, &qa);
	return c->qp ? 0 : -errno;
}

static int own_qp_modify(struct hconn *c, enum ibv_qp_state st)
{
	struct ibv_qp_attr a;
	int mask;

	memset(&a, 0, sizeof(a));
	a.qp_state = st;
	if (rdma_init_qp_attr(c->id, &a, &mask))
		return -errno;
	return ibv_modify_qp(c->qp, &a, mask) ? -errno : 0;
}

static int setup(struct hconn *c, const struct hconn_cfg *cfg, int64_t deadline)
{
	int r;

	c->ec = rdma_create_event_channel();
	if (!c->ec)
		return -errno;
	r = set_nonblock(c->ec->fd);
	if (r)
		return r;
	if (rdma_create_id(c->ec, &c->id, c, RDMA_PS_TCP))
		return -errno;
	if (rdma_resolve_addr(c->id, NULL, (struct sockaddr *)&cfg->dest,
			      2000))
		return -errno;
	r = cm_wait_for(c, RDMA_CM_EVENT_ADDR_RESOLVED, deadline);
	if (r)
		return r;
	if (rdma_resolve_route(c->id, 2000))
		return -errno;
	r = cm_wait_for(c, RDMA_CM_EVENT_ROUTE_RESOLVED, deadline);
	if (r)
		return r;
	c->pd = ibv_alloc_pd(c->id->verbs);
	c->cc = ibv_create_comp_channel(c->id->verbs);
	if (!c->pd || !c->cc)
		return -ENOMEM;
	r = set_nonblock(c->cc->fd);
	if (r)
		return r;
	c->cq = ibv_create_cq(c->id->verbs, (int)(c->nrx + c->ntx + 8), c,
			      c->cc, 0);
	if (!c->cq)
		return -errno;
	ibv_req_notify_cq(c->cq, 0);
	c->rx = aligned_alloc(4096, (size_t)c->nrx * HC_RX_SLOT);
	c->tx = aligned_alloc(4096, (size_t)c->ntx * HC_TX_SLOT);
	if (!c->rx || !c->tx)
		return -ENOMEM;
	memset(c->rx, 0, (size_t)c->nrx * HC_RX_SLOT);
	memset(c->tx, 0, (size_t)c->ntx * HC_TX_SLOT);
	c->rx_mr = ibv_reg_mr(c->pd, c->rx, (size_t)c->nrx * HC_RX_SLOT,
			      IBV_ACCESS_LOCAL_WRITE);
	c->tx_mr = ibv_reg_mr(c->pd, c->tx, (size_t)c->ntx * HC_TX_SLOT, 0);
	if (!c->rx_mr || !c->tx_mr)
		return -errno;
	r = make_qp(c, cfg);
	if (r)
		return r;
	if (cfg->mode == HC_OWN_QP) {
		r = own_qp_modify(c, IBV_QPS_INIT);
		if (r)
			return r;
	}
	for (unsigned int i = 0; i < c->nrx; i++) {
		r = post_recv(c, i);
		if (r)
			return r;
	}
	return 0;
}

int hc_connect(struct hconn *c, const struct w_login *login,
	       const struct hconn_cfg *cfg)
{
	uint8_t pd[W_LOGIN_REQ_RDMA_LEN];
	struct rdma_conn_param p;
	int64_t deadline = now_ms() + cfg->timeout_ms;
	int r, ev;

	memset(c, 0, sizeof(*c));
	c->nrx = cfg->nrx;
	c->ntx = cfg->ntx;
	c->mode = cfg->mode;
	c->timeout_ms = cfg->timeout_ms;
	c->cm_event = -1;
	r = setup(c, cfg, deadline);
	if (r)
		return r;
	w_login_encode(login, pd);
	memset(&p, 0, sizeof(p));
	p.private_data = pd;
	p.private_data_len = sizeof(pd);
	/* As the Linux initiator does: the target may read 4 at a time. */
	p.responder_resources = 4;
	p.initiator_depth = 0;
	p.flow_control = 1;
	p.retry_count = cfg->retry_count;
	p.rnr_retry_count = 7;
	if (cfg->mode == HC_OWN_QP)
		p.qp_num = c->qp->qp_num;
	if (rdma_connect(c->id, &p))
		return -errno;
	ev = cm_next(c, deadline);
	if (ev < 0)
		return ev;
	c->cm_event = ev;
	if (ev == RDMA_CM_EVENT_REJECTED)
		return HC_REJECTED;
	if (ev != RDMA_CM_EVENT_ESTABLISHED &&
	    ev != RDMA_CM_EVENT_CONNECT_RESPONSE)
		return -ECONNREFUSED;
	/* SRP_LOGIN_RSP: 0 opcode | 4 req_lim_delta | 8 tag |
	 * 16 max_it_iu_len | 20 max_ti_iu_len | 24 buf_fmt | 26 flags */
	if (c->pdata_len >= W_LOGIN_RSP_LEN) {
		c->credits = r32(c->pdata + 4);
		c->max_it = r32(c->pdata + 16);
		c->max_ti = r32(c->pdata + 20);
		c->buf_fmt = r16(c->pdata + 24);
		c->rsp_flags = c->pdata[26];
	}
	return HC_ACCEPTED;
}

int hc_own_qp_rts(struct hconn *c)
{
	int r = own_qp_modify(c, IBV_QPS_RTR);

	return r ? r : own_qp_modify(c, IBV_QPS_RTS);
}

int hc_establish(struct hconn *c)
{
	return rdma_establish(c->id) ? -errno : 0;
}

void hc_close(struct hconn *c)
{
	while (c->q_n) {
		free(c->q[c->q_head].data);
		c->q_head = (c->q_head + 1) % HC_QMAX;
		c->q_n--;
	}
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	else if (c->qp)
		ibv_destroy_qp(c->qp);
	c->qp = NULL;
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->rx_mr)
		ibv_dereg_mr(c->rx_mr);
	if (c->tx_mr)
		ibv_dereg_mr(c->tx_mr);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->cc)
		ibv_destroy_comp_channel(c->cc);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->ec)
		rdma_destroy_event_channel(c->ec);
	free(c->rx);
	free(c->tx);
	memset(c, 0, sizeof(*c));
}

int hc_gone(const struct hconn *c)
{
	return c->disconnected || c->wc_status;
}

int hc_send(struct hconn *c, const void *buf, uint32_t len)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	unsigned int slot;
	struct ibv_sge sge;
	struct ibv_send_wr wr, *bad;

	if (len > HC_TX_SLOT)
		return -EMSGSIZE;
	while (c->tx_posted - c->tx_done >= c->ntx) {
		cq_drain(c);
		if (c->tx_posted - c->tx_done < c->ntx)
			break;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_some(c, deadline);
	}
	slot = (unsigned int)(c->tx_posted % c->ntx);
	memcpy(c->tx + (size_t)slot * HC_TX_SLOT, buf, len);
	sge.addr = (uintptr_t)(c->tx + (size_t)slot * HC_TX_SLOT);
	sge.length = len;
	sge.lkey = c->tx_mr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = slot;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = len ? &sge : NULL;
	wr.num_sge = len ? 1 : 0;
	if (ibv_post_send(c->qp, &wr, &bad))
		return -errno;
	c->tx_posted++;
	return 0;
}

int hc_recv(struct hconn *c, uint8_t *buf, uint32_t cap, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		cq_drain(c);
		if (c->q_n) {
			struct hiu *q = &c->q[c->q_head];
			uint32_t len = q->len;

			memcpy(buf, q->data, len < cap ? len : cap);
			free(q->data);
			c->q_head = (c->q_head + 1) % HC_QMAX;
			c->q_n--;
			return (int)len;
		}
		cm_drain(c);
		if (hc_gone(c))
			return -ECONNRESET;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_some(c, deadline);
	}
}

int hc_wait_gone(struct hconn *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		cq_drain(c);
		cm_drain(c);
		if (hc_gone(c))
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_some(c, deadline);
	}
}

int hc_wait_sends(struct hconn *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		cq_drain(c);
		if (c->tx_done >= c->tx_posted)
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		wait_some(c, deadline);
	}
}

int hb_alloc(struct hconn *c, struct hbuf *b, size_t len, int fill)
{
	memset(b, 0, sizeof(*b));
	b->p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
	if (!b->p)
		return -ENOMEM;
	memset(b->p, fill, len);
	b->len = len;
	b->mr = ibv_reg_mr(c->pd, b->p, len, IBV_ACCESS_LOCAL_WRITE |
			   IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE);
	if (!b->mr) {
		free(b->p);
		b->p = NULL;
		return -errno;
	}
	return 0;
}

void hb_free(struct hbuf *b)
{
	if (b->mr)
		ibv_dereg_mr(b->mr);
	free(b->p);
	memset(b, 0, sizeof(*b));
}
