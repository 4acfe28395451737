/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Logins: validate the request, make the channel's rings and QP, ask the
 * application (on_req), and answer with SRP_LOGIN_RSP or SRP_LOGIN_REJ.
 * Also the I_T nexus grouping that multi-channel actions act on.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "core/core.h"
#include "core/events.h"
#include "util/alloc.h"
#include "util/byteorder.h"
#include "util/export.h"
#include "util/struct-copy.h"

#define SRPT_BUF_FMT_ALL (SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT)

int srpt_ev_build_reject(const void *pdata, uint8_t len, uint32_t reason,
			 void *rej, uint8_t rej_len)
{
	struct srpt_login_rej r = {
		.reason = reason,
		.buf_fmt = SRPT_BUF_FMT_ALL,
	};

	/* The tag is at byte 0 of the RDMA/CM form; echo what we have. */
	if (pdata && len >= 8)
		memcpy(&r.tag, pdata, 8);
	return srpt_login_rej_encode(&r, rej, rej_len);
}

int srpt_ev_connect_request(struct srpt_tp_target *tpt, void *conn,
			    const void *pdata, uint8_t len,
			    const struct sockaddr *src,
			    const struct sockaddr *dst,
			    struct srpt_tp_channel **ret)
{
	struct srpt_target *t = srpt_target_of(tpt);
	struct srpt_channel *ch;

	ch = srpt_ch_alloc(t, conn);
	if (!ch)
		return -ENOMEM;
	ch->login_pdata = srpt_zalloc(len ? len : 1, "login-pdata");
	if (!ch->login_pdata) {
		/* Not yet visible to anyone: the reference is all. */
		ch->tp.conn = NULL;
		srpt_ch_drop(ch);
		return -ENOMEM;
	}
	memcpy(ch->login_pdata, pdata, len);
	ch->login_pdata_len = len;
	if (src)
		memcpy(&ch->login.src, src, src->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	if (dst)
		memcpy(&ch->login.dst, dst, dst->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	if (ret)
		*ret = &ch->tp;
	srpt_ch_publish(ch);
	srpt_ch_queue_ev(ch, SRPT_EV_CONNECT_REQ);
	return 0;
}

static void send_reject(struct srpt_channel *ch, uint32_t reason)
{
	struct srpt_target *t = ch->t;
	uint8_t rej[SRPT_LOGIN_REJ_LEN];
	int n;

	n = srpt_ev_build_reject(ch->login_pdata, ch->login_pdata_len, reason,
				 rej, sizeof(rej));
	atomic_fetch_add(&t->stats.login_rejects, 1);
	if (reason >= SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL &&
	    reason <= SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED)
		atomic_fetch_add(&t->login_rejects[reason -
				 SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL], 1);
	srpt_log_peer(t, SRPT_LOG_NOTICE, "channel %llu: login rejected: %s (0x%08x)",
		    (unsigned long long)ch->id,
		    srpt_login_rej_reason_name(reason), reason);
	if (ch->tp.conn && n > 0)
		t->tp_ops->reject(&ch->tp, rej, (uint8_t)n);
}

/*
 * The channel limits. Every channel counts until it is unregistered,
 * draining ones too: they hold their QP and rings. Dispatch thread: the
 * other channels' login facts are written here only.
 */
static uint32_t check_limits(struct srpt_channel *ch,
			     const struct srpt_login_req *req)
{
	struct srpt_target *t = ch->t;
	struct srpt_channel *o;
	unsigned int total = 0, mine = 0;

	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(o, &t->channels, t_link) {
		if (o == ch)
			continue;
		total++;
		if (o->on_req_called &&
		    !memcmp(o->login.initiator_port_id, req->initiator_port_id,
			    16))
			mine++;
	}
	pthread_mutex_unlock(&t->lock);
	if (total >= t->opts.max_channels)
		return SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	if (mine >= t->opts.max_initiator_channels)
		return SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
	return 0;
}

static uint32_t validate(struct srpt_channel *ch, const struct srpt_login_req *req)
{
	struct srpt_target *t = ch->t;
	uint8_t want[16];
	uint8_t mca = req->req_flags & SRPT_MULTICHAN_MASK;

	if (req->req_it_iu_len < 64 || req->req_it_iu_len > t->opts.max_it_iu_len)
		return SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE;
	if (!atomic_load(&t->enabled))
		return SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	put_be64(want, t->id_ext);
	put_be64(want + 8, t->ioc_guid);
	if (memcmp(want, req->target_port_id, 16))
		return SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL;
	if (!(req->req_buf_fmt & SRPT_BUF_FMT_ALL) ||
	    (req->req_buf_fmt & ~SRPT_BUF_FMT_ALL))
		return SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT;
	if (mca != SRPT_MULTICHAN_SINGLE && mca != SRPT_MULTICHAN_MULTI)
		return SRPT_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED;
	return check_limits(ch, req);
}

/* What the login gets: the target's limits, lowered by what the
 * application chose for it (srpt_channel_set_login_params(), checked
 * there against the same limits). */
static void negotiate(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	const struct srpt_login_params *p = &ch->params;
	uint32_t off = ch->login.imm_data_offset;

	ch->credits = p->credits ? p->credits : t->opts.queue_depth;
	ch->it_iu_len = ch->login.req_it_iu_len;
	if (p->max_it_iu_len && p->max_it_iu_len < ch->it_iu_len)
		ch->it_iu_len = p->max_it_iu_len;
	ch->ti_iu_len = p->max_ti_iu_len ? p->max_ti_iu_len :
			t->opts.max_ti_iu_len;
	/* Immediate data needs room for the command, its 4-byte header and
	 * some data; an offset that leaves none is simply not granted. */
	ch->imm_offset = 0;
	if (ch->login.immed_requested && !p->no_imm_data &&
	    off >= SRPT_CMD_LEN + SRPT_IMM_HDR_LEN && off < ch->it_iu_len)
		ch->imm_offset = off;
}

static int make_resources(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	int r;

	r = srpt_ch_rings_init(ch);
	if (r)
		return r;
	ch->tp.sq_size = ch->tp.nrx * 8 < 8192 ? ch->tp.nrx * 8 : 8192;
	r = t->tp_ops->ch_create(&ch->tp);	/* may lower sq_size */
	if (r)
		return r;
	ch->has_qp = true;
	atomic_store(&ch->sq_avail, (int)ch->tp.sq_size - 1);	/* 1: drain */
	r = srpt_qp_table_add(&t->qps, &ch->qp_node, ch->tp.qp_num);
	if (r)
		return r;
	ch->in_table = true;
	if (srpt_ch_srq(ch))
		return srpt_srq_ensure(t, ch->tp.dev);
	for (uint32_t i = 0; i < ch->tp.nrx; i++)
		if (srpt_rx_post(ch, i))
			atomic_fetch_add(&t->stats.post_recv_calls, 1);
	return 0;
}

void srpt_login_handle(struct srpt_channel *ch)
{
	struct srpt_target *t = ch->t;
	struct srpt_login_req req;
	uint32_t reason = SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	int verdict, open = 0;

	if (srpt_ch_state(ch) != SRPT_CH_CONNECTING)
		return;
	if (srpt_login_req_rdma_decode(ch->login_pdata, ch->login_pdata_len,
				       &req))
		goto reject;
	ch->login.tag = req.tag;
	memcpy(ch->login.initiator_port_id, req.initiator_port_id, 16);
	memcpy(ch->login.target_port_id, req.target_port_id, 16);
	ch->login.req_it_iu_len = req.req_it_iu_len;
	ch->login.req_buf_fmt = req.req_buf_fmt;
	ch->login.req_flags = req.req_flags;
	ch->login.multichannel = req.req_flags & SRPT_MULTICHAN_MASK;
	ch->login.immed_requested = !!(req.req_flags & SRPT_LOGIN_IMMED_REQUESTED);
	ch->login.imm_data_offset = req.imm_data_offset;
	reason = validate(ch, &req);
	if (reason)
		goto reject;

	/* The rings and the QP come with the accept, sized as the
	 * application chose in on_req (srpt_login_answer()). */
	ch->on_req_called = true;
	verdict = t->ops.on_req(ch, &ch->login, t->userdata);
	if (verdict == SRPT_LOGIN_DEFER)
		return;
	if (verdict == SRPT_LOGIN_ACCEPT) {
		if (atomic_compare_exchange_strong(&ch->decision, &open, 1))
			srpt_login_answer(ch, true, 0);
		return;
	}
	if (verdict < SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL ||
	    verdict > SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED)
		verdict = SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	if (atomic_compare_exchange_strong(&ch->decision, &open, 2))
		srpt_login_answer(ch, false, (uint32_t)verdict);
	return;

reject:
	atomic_store(&ch->decision, 2);
	srpt_login_answer(ch, false, reason);
}

/* ---- I_T nexus ---- */

static struct srpt_nexus *nexus_get(struct srpt_target *t,
				    const struct srpt_channel *ch)
{
	struct srpt_nexus *nx;

	cds_list_for_each_entry(nx, &t->nexuses, link) {
		if (!memcmp(nx->i_port_id, ch->login.initiator_port_id, 16) &&
		    !memcmp(nx->t_port_id, ch->login.target_port_id, 16))
			return nx;
	}
	nx = srpt_zalloc(sizeof(*nx), "nexus");
	if (!nx)
		return NULL;
	memcpy(nx->i_port_id, ch->login.initiator_port_id, 16);
	memcpy(nx->t_port_id, ch->login.target_port_id, 16);
	CDS_INIT_LIST_HEAD(&nx->channels);
	cds_list_add_tail(&nx->link, &t->nexuses);
	return nx;
}

void srpt_nexus_leave(struct srpt_channel *ch)
{
	struct srpt_nexus *nx = ch->nexus;

	if (!nx)
		return;
	cds_list_del(&ch->nexus_link);
	ch->nexus = NULL;
	if (cds_list_empty(&nx->channels)) {
		cds_list_del(&nx->link);
		srpt_free(nx);
	}
}

/* SINGLE closes the nexus's other channels; MULTI keeps them. */
static uint8_t nexus_join(struct srpt_channel *ch)
{
	struct srpt_nexus *nx = nexus_get(ch->t, ch);
	struct srpt_channel *other;
	bool terminated = false;

	if (!nx)
		return 0xff;
	if (ch->login.multichannel == SRPT_MULTICHAN_SINGLE ||
	    ch->params.multichannel == SRPT_LOGIN_MC_SINGLE) {
		cds_list_for_each_entry(other, &nx->channels, nexus_link) {
			if (srpt_ch_state(other) < SRPT_CH_DISCONNECTING) {
				srpt_ch_queue_ev(other, SRPT_EV_APP_CLOSE);
				terminated = true;
			}
		}
	}
	cds_list_add_tail(&ch->nexus_link, &nx->channels);
	ch->nexus = nx;
	if (ch->login.multichannel == SRPT_MULTICHAN_MULTI &&
	    ch->params.multichannel != SRPT_LOGIN_MC_SINGLE)
		return SRPT_LOGIN_RSP_MAINTAINED;
	return terminated ? SRPT_LOGIN_RSP_TERMINATED : SRPT_LOGIN_RSP_NO_CHAN;
}

static void close_after_reject(struct srpt_channel *ch)
{
	/* The seed: a rejected request is closed and freed asynchronously. */
	srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
}

void srpt_login_answer(struct srpt_channel *ch, bool accept, uint32_t reason)
{
	struct srpt_target *t = ch->t;
	struct srpt_login_rsp rsp;
	uint8_t buf[SRPT_LOGIN_RSP_LEN];
	uint8_t mc;
	int n;

	if (srpt_ch_state(ch) != SRPT_CH_CONNECTING || ch->accepted ||
	    ch->drain_posted || ch->unregistered)
		return;
	if (accept && atomic_load(&ch->close_requested)) {
		/* Closed before it was answered: reject instead. */
		accept = false;
		reason = SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	}
	if (accept && !atomic_load(&t->enabled)) {
		accept = false;
		reason = SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	}
	if (accept) {
		int r;

		negotiate(ch);
		r = make_resources(ch);
		if (r) {
			srpt_err(t, "channel %llu: cannot set up the channel: %s",
				 (unsigned long long)ch->id, strerror(-r));
			accept = false;
			reason = SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		}
	}
	if (!accept) {
		atomic_store(&ch->decision, 2);
		send_reject(ch, reason);
		srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING);
		close_after_reject(ch);
		return;
	}
	mc = nexus_join(ch);
	if (mc == 0xff) {
		send_reject(ch, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES);
		srpt_ch_set_state(ch, SRPT_CH_DISCONNECTING);
		close_after_reject(ch);
		return;
	}
	memset(&rsp, 0, sizeof(rsp));
	rsp.req_lim_delta = ch->credits;
	rsp.tag = ch->login.tag;
	rsp.max_it_iu_len = ch->it_iu_len;
	rsp.max_ti_iu_len = ch->ti_iu_len;
	rsp.buf_fmt = SRPT_BUF_FMT_ALL;
	rsp.rsp_flags = mc | (ch->imm_offset ? SRPT_LOGIN_RSP_IMMED_SUPP : 0);
	n = srpt_login_rsp_encode(&rsp, buf, sizeof(buf));
	ch->accepted = true;
	clock_gettime(CLOCK_REALTIME, &ch->login_time);
	atomic_fetch_add(&t->stats.logins, 1);
	if (n < 0 || t->tp_ops->accept(&ch->tp, buf, (uint8_t)n)) {
		srpt_err(t, "channel %llu: accept failed", (unsigned long long)ch->id);
		srpt_ch_queue_ev(ch, SRPT_EV_FATAL);
		return;
	}
	srpt_log_peer(t, SRPT_LOG_NOTICE, "channel %llu: login accepted, %u credits, IU %u bytes%s, %s",
		    (unsigned long long)ch->id, ch->credits, ch->it_iu_len,
		    ch->imm_offset ? ", immediate data" : "",
		    ch->login.multichannel == SRPT_MULTICHAN_MULTI ?
		    "multi-channel" : "single-channel");
}

/* The size of version 1.0 of the params: every program gives at least
 * it. */
#define PARAMS_V1_SIZE (offsetof(struct srpt_login_params, multichannel) + 1)

SRPT_EXPORT int srpt_channel_set_login_params(struct srpt_channel *ch,
					      const struct srpt_login_params *in)
{
	struct srpt_target *t;
	struct srpt_login_params p;
	int r;

	if (!ch || !in || in->size < PARAMS_V1_SIZE)
		return -EINVAL;
	r = srpt_copy_struct(&p, sizeof(p), in, in->size);
	if (r)
		return r;
	t = ch->t;
	if ((p.credits && (p.credits < 2 || p.credits > t->opts.queue_depth)) ||
	    (p.max_it_iu_len && (p.max_it_iu_len < 64 ||
				 p.max_it_iu_len > t->opts.max_it_iu_len)) ||
	    (p.max_ti_iu_len && (p.max_ti_iu_len < 40 ||
				 p.max_ti_iu_len > t->opts.max_ti_iu_len)) ||
	    p.multichannel > SRPT_LOGIN_MC_SINGLE)
		return -EINVAL;
	/* Read on the dispatch thread when the login is answered: set
	 * before the decision is taken (accept, or on_req's return). */
	if (atomic_load(&ch->decision))
		return -EALREADY;
	ch->params = p;
	return 0;
}
