/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Work requests on real verbs. The core hands over chains it has already
 * cut to the channel's limits (at most SRPT_TP_CHAIN_MAX_WR work
 * requests): RDMA WRITEs or READs, unsignaled, then the SEND of the
 * response, or the last READ or WRITE, signaled unless the core says
 * otherwise (a response whose completion a later one implies). Each goes
 * out with one ibv_post_send().
 *
 * A completion thread batches: the chains its callbacks post while it
 * works through one poll of its CQ wait per channel and go out with one
 * ibv_post_send() per channel when the poll is done. On soft-RoCE each
 * post call runs the send path in the calling thread and wakes the
 * initiator's softirq thread; one call per batch instead of one per I/O
 * saves those wake-ups (bench/README.md, profile).
 */
#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "rdma/rdma-priv.h"


static struct ibv_qp *ch_qp(struct srpt_tp_channel *ch)
{
	struct rtp_conn *rc = ch->conn;

	return rc && rc->id ? rc->id->qp : NULL;
}

int rtp_post_recv(struct srpt_tp_channel *ch, const struct srpt_tp_sge *sge,
		  const uint64_t *wr_id, unsigned int n)
{
	struct ibv_recv_wr wr[16], *bad;
	struct ibv_sge sg[16];
	struct ibv_qp *qp = ch_qp(ch);
	unsigned int i;

	if (!qp || n > 16)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		sg[i].addr = sge[i].addr;
		sg[i].length = sge[i].len;
		sg[i].lkey = sge[i].lkey;
		wr[i].wr_id = wr_id[i];
		wr[i].sg_list = &sg[i];
		wr[i].num_sge = 1;
		wr[i].next = i + 1 < n ? &wr[i + 1] : NULL;
	}
	return -ibv_post_recv(qp, wr, &bad);
}

/* Chains waiting for the end of their thread's poll (ch->priv). */
struct rtp_pend {
	struct ibv_send_wr wr[RTP_PEND_WR];
	struct ibv_sge sge[RTP_PEND_SGE];
	unsigned int nwr, nsge;
	bool lost;	/* chains failed at a close: do not post the drain */
};

/* The batch of the calling completion thread, NULL in other threads. */
static __thread struct rtp_batch *tl_batch;

int rtp_pend_alloc(struct srpt_tp_channel *ch)
{
	ch->priv = srpt_zalloc(sizeof(struct rtp_pend), "rdma-pend");
	return ch->priv ? 0 : -ENOMEM;
}

void rtp_pend_free(struct srpt_tp_channel *ch)
{
	srpt_free(ch->priv);
	ch->priv = NULL;
}

/*
 * Post what @ch has waiting; under its post_lock. On failure the ids of
 * the signaled work requests that did not go out are stored in @failed
 * when it is given.
 */
static int pend_post(struct srpt_tp_channel *ch, uint64_t *failed,
		     unsigned int *nfailed)
{
	struct rtp_pend *p = ch->priv;
	struct ibv_send_wr *bad = NULL, *w;
	struct ibv_qp *qp = ch_qp(ch);
	int r;

	if (!p || !p->nwr)
		return 0;
	p->wr[p->nwr - 1].next = NULL;
	r = qp ? ibv_post_send(qp, p->wr, &bad) : EINVAL;
	if (r && failed) {
		for (w = bad ? bad : p->wr; w; w = w->next)
			if (w->wr_id)
				failed[(*nfailed)++] = w->wr_id;
	}
	p->nwr = p->nsge = 0;
	return -r;
}

void rtp_batch_begin(struct rtp_batch *b)
{
	b->n = 0;
	tl_batch = b;
}

void rtp_batch_flush(void)
{
	struct rtp_batch *b = tl_batch;
	uint64_t failed[RTP_PEND_WR];
	unsigned int i, j, nf;

	for (i = 0; b && i < b->n; i++) {
		struct srpt_tp_channel *ch = b->ch[i];
		uint32_t qp_num = ch->qp_num;

		nf = 0;
		pthread_mutex_lock(&ch->post_lock);
		pend_post(ch, failed, &nf);
		pthread_mutex_unlock(&ch->post_lock);
		for (j = 0; j < nf; j++)
			b->failed(ch, qp_num, failed[j]);
		srpt_tp_channel_drop(ch);
	}
	if (b)
		b->n = 0;
}

void rtp_batch_end(void)
{
	rtp_batch_flush();
	tl_batch = NULL;
}

void rtp_pend_flush(struct srpt_tp_channel *ch)
{
	struct rtp_pend *p = ch->priv;

	if (pend_post(ch, NULL, NULL))
		p->lost = true;
}

int rtp_post_drain(struct srpt_tp_channel *ch, uint64_t wr_id)
{
	struct ibv_send_wr wr, *bad;
	struct ibv_qp *qp = ch_qp(ch);
	struct rtp_pend *p = ch->priv;

	if (!qp)
		return -EINVAL;
	/* The drain must come after everything posted before it. If
	 * waiting chains could not go out, neither does the drain: the
	 * core's drain timeout then finishes their ios. */
	rtp_pend_flush(ch);
	if (p && p->lost)
		return -EIO;
	/* A zero-length RDMA WRITE needs no memory key (IB C9-88). */
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.send_flags = IBV_SEND_SIGNALED;
	return -ibv_post_send(qp, &wr, &bad);
}

int rtp_qp_to_error(struct srpt_tp_channel *ch)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };
	struct ibv_qp *qp = ch_qp(ch);

	if (!qp)
		return -EINVAL;
	/* A T_LOGOUT or response posted just before the close goes out
	 * first, as it would have without batching. */
	rtp_pend_flush(ch);
	return -ibv_modify_qp(qp, &attr, IBV_QP_STATE);
}

/*
 * Keep @nwr work requests (@nsge pieces) for the end of the calling
 * completion thread's poll; under @ch's post_lock. Returns false when
 * they must be posted now: not a completion thread, no room.
 */
static bool pend_add(struct srpt_tp_channel *ch, const struct ibv_send_wr *wr,
		     unsigned int nwr, unsigned int nsge)
{
	struct rtp_batch *bt = tl_batch;
	struct rtp_pend *p = ch->priv;
	unsigned int i;

	if (!bt || !p || p->nwr + nwr > RTP_PEND_WR ||
	    p->nsge + nsge > RTP_PEND_SGE)
		return false;
	if (!p->nwr) {
		if (bt->n == RTP_BATCH_CH)
			return false;
		/* Held until the flush: the channel's memory, ch->priv
		 * included, outlives it. */
		srpt_tp_channel_hold(ch);
		bt->ch[bt->n++] = ch;
	}
	for (i = 0; i < nwr; i++) {
		struct ibv_send_wr *w = &p->wr[p->nwr];

		*w = wr[i];
		w->sg_list = &p->sge[p->nsge];
		memcpy(w->sg_list, wr[i].sg_list,
		       sizeof(*w->sg_list) * (size_t)wr[i].num_sge);
		p->nsge += (unsigned int)wr[i].num_sge;
		if (p->nwr)
			p->wr[p->nwr - 1].next = w;
		p->nwr++;
	}
	return true;
}

/*
 * The core built the chain within this channel's limits (ch->caps) and
 * SRPT_TP_CHAIN_MAX_*: it maps one to one onto work requests and goes out
 * with one ibv_post_send(), now or at the end of the thread's poll.
 */
int rtp_post_chain(struct srpt_tp_channel *ch, const struct srpt_tp_chain *c)
{
	struct rtp_conn *rc = ch->conn;
	struct ibv_send_wr wr[SRPT_TP_CHAIN_MAX_WR], *bad;
	struct ibv_sge sge[SRPT_TP_CHAIN_MAX_SGE];
	struct ibv_qp *qp = ch_qp(ch);
	unsigned int i, nsge = 0;

	if (!qp || !c->nwr || c->nwr > SRPT_TP_CHAIN_MAX_WR)
		return -EINVAL;
	for (i = 0; i < c->nwr; i++) {
		const struct srpt_tp_wr *in = &c->wr[i];
		struct ibv_send_wr *w = &wr[i];

		if (nsge + in->nsge > SRPT_TP_CHAIN_MAX_SGE)
			return -EINVAL;
		memset(w, 0, sizeof(*w));
		/* nsge 0: a fence, a zero-length RDMA WRITE (no key needed,
		 * IB C9-88) */
		w->sg_list = &sge[nsge];
		w->num_sge = (int)in->nsge;
		for (unsigned int j = 0; j < in->nsge; j++, nsge++) {
			sge[nsge].addr = in->sge[j].addr;
			sge[nsge].length = in->sge[j].len;
			sge[nsge].lkey = in->sge[j].lkey;
		}
		switch (in->op) {
		case SRPT_TP_WRITE:
		case SRPT_TP_READ:
			w->opcode = in->op == SRPT_TP_READ ? IBV_WR_RDMA_READ :
				    IBV_WR_RDMA_WRITE;
			w->wr.rdma.remote_addr = in->raddr;
			w->wr.rdma.rkey = in->rkey;
			break;
		case SRPT_TP_SEND:
			w->opcode = IBV_WR_SEND;
			if (in->nsge == 1 && in->sge[0].len <= rc->max_inline)
				w->send_flags |= IBV_SEND_INLINE;
			break;
		}
		w->next = i + 1 < c->nwr ? &wr[i + 1] : NULL;
	}
	/* An unsignaled chain still carries its id: verbs completes a work
	 * request that fails or is flushed whether it was signaled or not. */
	wr[c->nwr - 1].wr_id = c->wr_id;
	if (!c->unsignaled)
		wr[c->nwr - 1].send_flags |= IBV_SEND_SIGNALED;
	if (pend_add(ch, wr, c->nwr, nsge))
		return 0;
	/* Chains go on the queue in the order they were handed over: the
	 * core reclaims unsignaled ones by that position (core/sq.c). So
	 * what this channel has waiting goes first. If that fails, so does
	 * this chain; the core then closes the channel, and the drain is not
	 * posted (the drain timeout finishes what was lost). */
	rtp_pend_flush(ch);
	if (ch->priv && ((struct rtp_pend *)ch->priv)->lost)
		return -EIO;
	return -ibv_post_send(qp, wr, &bad);
}
