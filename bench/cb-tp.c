/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The null transport of srpt-core-bench: the core's ops table with the
 * rdma transport's own posting functions (rtp_post_chain, rtp_post_recv,
 * the batch of rdma-post.c) over the null provider of cb-verbs.c, and
 * nothing where the CM or a device would be. Logins go through the core
 * as they would from RDMA/CM, run on the calling thread's dispatch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srpt/proto.h>
#include <srpt/target.h>

#include "util/alloc.h"
#include "core-bench.h"

#define CB_GUID 0x0002c903000c0be0ull
#define CB_QPN_BASE 0x100

static struct cb_target *the_target;

static int op_listen(struct srpt_tp_target *t, const struct sockaddr *addr)
{
	t->guid_default = CB_GUID;
	return 0;
}

static void op_stop(struct srpt_tp_target *t)
{
}

static void op_wake(struct srpt_tp_target *t)
{
	atomic_fetch_add(&the_target->wakes, 1);
}

static uint64_t op_now_ms(struct srpt_tp_target *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int op_reg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
	static atomic_uint next_key = 1;
	uint32_t key = atomic_fetch_add(&next_key, 1);

	for (int d = 0; d < SRPT_MAX_DEVICES; d++)
		mr->lkey[d] = key;
	return 0;
}

static void op_dereg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
}

static int op_ch_create(struct srpt_tp_channel *ch)
{
	struct cb_chan *c = ch->conn;	/* its rtp_conn comes first */
	int r = rtp_pend_alloc(ch);

	if (r)
		return r;
	c->ch = ch;
	ch->qp_num = c->qp.qp_num;
	ch->dev = 0;
	ch->caps.max_send_sge = c->rc.max_sge;
	ch->caps.max_read_sge = c->rc.max_sge_rd;
	ch->caps.max_msg = c->rc.max_msg;
	ch->caps.srq_last_wqe = true;
	strcpy(ch->dev_name, "null0");
	ch->port = 1;
	return 0;
}

static int op_accept(struct srpt_tp_channel *ch, const void *pdata,
		     uint8_t len)
{
	((struct cb_chan *)ch->conn)->accepted = true;
	return 0;
}

static int op_reject(struct srpt_tp_channel *ch, const void *pdata,
		     uint8_t len)
{
	return 0;
}

static int op_disconnect(struct srpt_tp_channel *ch)
{
	return 0;
}

static int op_qp_to_error(struct srpt_tp_channel *ch)
{
	rtp_pend_flush(ch);
	return 0;
}

static int op_post_drain(struct srpt_tp_channel *ch, uint64_t wr_id)
{
	return 0;
}

static void op_destroy_id(struct srpt_tp_channel *ch)
{
}

static void op_ch_free(struct srpt_tp_channel *ch)
{
	rtp_pend_free(ch);
}

static int op_post_recv(struct srpt_tp_channel *ch,
			const struct srpt_tp_sge *sge, const uint64_t *wr_id,
			unsigned int n)
{
	int r;

	CB_ENTER(CB_ST_REPOST);
	r = rtp_post_recv(ch, sge, wr_id, n);
	CB_EXIT();
	return r;
}

static int op_post_chain(struct srpt_tp_channel *ch,
			 const struct srpt_tp_chain *chain)
{
	int r;

	CB_ENTER(CB_ST_POST);
	r = rtp_post_chain(ch, chain);
	CB_EXIT();
	return r;
}

const struct srpt_tp_ops cb_tp_ops = {
	.name = "null",
	.listen = op_listen,
	.stop = op_stop,
	.wake = op_wake,
	.now_ms = op_now_ms,
	.reg_mem = op_reg_mem,
	.dereg_mem = op_dereg_mem,
	.ch_create = op_ch_create,
	.accept = op_accept,
	.reject = op_reject,
	.disconnect = op_disconnect,
	.qp_to_error = op_qp_to_error,
	.post_drain = op_post_drain,
	.destroy_id = op_destroy_id,
	.ch_free = op_ch_free,
	.post_recv = op_post_recv,
	.post_chain = op_post_chain,
};

void cb_dispatch_if_woken(struct cb_target *ct)
{
	static unsigned int seen;
	unsigned int w = atomic_load(&ct->wakes);

	if (w != seen) {
		seen = w;
		srpt_core_dispatch(&ct->t->tp);
	}
}

static int count_alloc(const char *site)
{
	atomic_fetch_add(&the_target->allocs, 1);
	return 0;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (uint8_t)(v >> (8 * (7 - b)));
}

/* Log in channel @i as an RDMA/CM connection request would. */
static int login(struct cb_target *ct, unsigned int i)
{
	struct cb_chan *c = ct->chans[i];
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(5555) };
	struct srpt_tp_channel *ch = NULL;
	struct srpt_login_req req;
	uint64_t id_ext, ioc_guid, tag = 0x5e55000000000000ull + i;
	uint8_t pdata[SRPT_LOGIN_REQ_RDMA_LEN];
	int r, n;

	r = srpt_target_get_port_id(ct->t, &id_ext, &ioc_guid);
	if (r)
		return r;
	memset(&req, 0, sizeof(req));
	memcpy(&req.tag, &tag, sizeof(tag));
	req.req_it_iu_len = CB_IMM_OFFSET + 8192;
	req.req_buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT;
	req.req_flags = SRPT_MULTICHAN_MULTI | SRPT_LOGIN_IMMED_REQUESTED;
	req.imm_data_offset = CB_IMM_OFFSET;
	/* one initiator port, every channel of it a queue of its own */
	put_be64(req.initiator_port_id, 0x10);
	put_be64(req.initiator_port_id + 8, 0xfe80000000000001ull);
	put_be64(req.target_port_id, id_ext);
	put_be64(req.target_port_id + 8, ioc_guid);
	n = srpt_login_req_rdma_encode(&req, pdata, sizeof(pdata));
	if (n != SRPT_LOGIN_REQ_RDMA_LEN)
		return n < 0 ? n : -EINVAL;
	inet_pton(AF_INET, "192.0.2.2", &src.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr);
	cb_chan_init_qp(c, CB_QPN_BASE + i);
	r = srpt_ev_connect_request(&ct->t->tp, &c->rc, pdata, (uint8_t)n,
				    (const struct sockaddr *)&src,
				    (const struct sockaddr *)&dst, &ch);
	if (r)
		return r;
	srpt_core_dispatch(&ct->t->tp);
	if (!c->accepted || c->ch != ch)
		return -ECONNREFUSED;
	srpt_ev_established(ch);
	srpt_core_dispatch(&ct->t->tp);
	if (srpt_ch_state(srpt_ch_of(ch)) != SRPT_CH_LIVE)
		return -ENOTCONN;
	return cb_chan_build_ius(c, 0x1234);
}

int cb_target_new(struct cb_target *ct, unsigned int nchan,
		  const struct srpt_target_ops *ops, void *userdata)
{
	struct srpt_target_opts opts = {
		.size = sizeof(opts),
		.ops = ops,
		.userdata = userdata,
		.queue_depth = 128,
		.max_channels = nchan,
		.max_initiator_channels = nchan,
	};
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(5555) };
	int r;

	the_target = ct;
	ct->nchan = nchan;
	ct->chans = calloc(nchan, sizeof(*ct->chans));
	ct->tp = calloc(1, sizeof(*ct->tp));
	ct->mem_len = 256 * CB_IO_LEN;
	ct->mem = aligned_alloc(4096, ct->mem_len);
	if (!ct->chans || !ct->tp || !ct->mem)
		return -ENOMEM;
	memset(ct->mem, 0x5a, ct->mem_len);
	for (unsigned int i = 0; i < nchan; i++) {
		ct->chans[i] = aligned_alloc(64, sizeof(struct cb_chan));
		if (!ct->chans[i])
			return -ENOMEM;
		memset(ct->chans[i], 0, sizeof(struct cb_chan));
	}
	srpt_fault_hook = count_alloc;
	srpt_rcu_thread_online();
	r = srpt_target_new_tp(&ct->t, &opts, &cb_tp_ops, ct);
	if (r)
		return r;
	ct->tp->t = &ct->t->tp;
	inet_pton(AF_INET, "192.0.2.1", &addr.sin_addr);
	r = srpt_target_listen(ct->t, (const struct sockaddr *)&addr);
	if (r)
		return r;
	r = srpt_target_reg_mem(ct->t, ct->mem, ct->mem_len, &ct->mr);
	if (r)
		return r;
	for (unsigned int i = 0; i < nchan; i++) {
		r = login(ct, i);
		if (r)
			return r;
	}
	return 0;
}
