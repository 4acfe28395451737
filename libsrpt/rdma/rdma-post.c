/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Work requests on real verbs. A chain is built on the stack and posted
 * with one ibv_post_send() (more only for transfers with very many
 * pieces): RDMA WRITEs or READs, unsignaled, then the signaled SEND of the
 * response, or the last READ signaled.
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

#define CHUNK_WR 64
#define CHUNK_SGE 256

static struct ibv_qp *ch_qp(struct srpt_channel *ch)
{
	struct rdma_conn *rc = ch->conn;

	return rc && rc->id ? rc->id->qp : NULL;
}

int rdma_post_recv(struct srpt_channel *ch, const struct srpt_tp_sge *sge,
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

/* Chains waiting for the end of their thread's poll (ch->tp). */
struct rdma_pend {
	struct ibv_send_wr wr[RDMA_PEND_WR];
	struct ibv_sge sge[RDMA_PEND_SGE];
	unsigned int nwr, nsge;
	bool lost;	/* chains failed at a close: do not post the drain */
};

/* The batch of the calling completion thread, NULL in other threads. */
static __thread struct rdma_batch *tl_batch;

int rdma_pend_alloc(struct srpt_channel *ch)
{
	ch->tp = srpt_zalloc(sizeof(struct rdma_pend), "rdma-pend");
	return ch->tp ? 0 : -ENOMEM;
}

void rdma_pend_free(struct srpt_channel *ch)
{
	srpt_free(ch->tp);
	ch->tp = NULL;
}

/*
 * Post what @ch has waiting; under its post_lock. On failure the ids of
 * the signaled work requests that did not go out are stored in @failed
 * when it is given.
 */
static int pend_post(struct srpt_channel *ch, uint64_t *failed,
		     unsigned int *nfailed)
{
	struct rdma_pend *p = ch->tp;
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

void rdma_batch_begin(struct rdma_batch *b)
{
	b->n = 0;
	tl_batch = b;
}

void rdma_batch_flush(void)
{
	struct rdma_batch *b = tl_batch;
	uint64_t failed[RDMA_PEND_WR];
	unsigned int i, j, nf;

	for (i = 0; b && i < b->n; i++) {
		struct srpt_channel *ch = b->ch[i];
		uint32_t qp_num = ch->qp_num;

		nf = 0;
		pthread_mutex_lock(&ch->post_lock);
		pend_post(ch, failed, &nf);
		pthread_mutex_unlock(&ch->post_lock);
		for (j = 0; j < nf; j++)
			b->failed(ch, qp_num, failed[j]);
		srpt_channel_put(ch);
	}
	if (b)
		b->n = 0;
}

void rdma_batch_end(void)
{
	rdma_batch_flush();
	tl_batch = NULL;
}

void rdma_pend_flush(struct srpt_channel *ch)
{
	struct rdma_pend *p = ch->tp;

	if (pend_post(ch, NULL, NULL))
		p->lost = true;
}

int rdma_post_drain(struct srpt_channel *ch, uint64_t wr_id)
{
	struct ibv_send_wr wr, *bad;
	struct ibv_qp *qp = ch_qp(ch);
	struct rdma_pend *p = ch->tp;

	if (!qp)
		return -EINVAL;
	/* The drain must come after everything posted before it. If
	 * waiting chains could not go out, neither does the drain: the
	 * core's drain timeout then finishes their ios. */
	rdma_pend_flush(ch);
	if (p && p->lost)
		return -EIO;
	/* A zero-length RDMA WRITE needs no memory key (IB C9-88). */
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.send_flags = IBV_SEND_SIGNALED;
	return -ibv_post_send(qp, &wr, &bad);
}

int rdma_qp_to_error(struct srpt_channel *ch)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };
	struct ibv_qp *qp = ch_qp(ch);

	if (!qp)
		return -EINVAL;
	/* A T_LOGOUT or response posted just before the close goes out
	 * first, as it would have without batching. */
	rdma_pend_flush(ch);
	return -ibv_modify_qp(qp, &attr, IBV_QP_STATE);
}

struct chain_builder {
	struct ibv_send_wr wr[CHUNK_WR];
	struct ibv_sge sge[CHUNK_SGE];
	unsigned int nwr, nsge;
	struct ibv_qp *qp;
	unsigned int posts;
};

static int flush_chunk(struct chain_builder *b)
{
	struct ibv_send_wr *bad;
	int r;

	if (!b->nwr)
		return 0;
	b->wr[b->nwr - 1].next = NULL;
	r = ibv_post_send(b->qp, b->wr, &bad);
	b->posts++;
	b->nwr = 0;
	b->nsge = 0;
	return -r;
}

static struct ibv_send_wr *new_wr(struct chain_builder *b, unsigned int sges,
				  int *err)
{
	struct ibv_send_wr *wr;

	if (b->nwr == CHUNK_WR || b->nsge + sges > CHUNK_SGE) {
		*err = flush_chunk(b);
		if (*err)
			return NULL;
	}
	wr = &b->wr[b->nwr];
	memset(wr, 0, sizeof(*wr));
	if (b->nwr)
		b->wr[b->nwr - 1].next = wr;
	wr->sg_list = &b->sge[b->nsge];
	b->nwr++;
	return wr;
}

/*
 * Keep a chain that fits in one post for the end of the calling
 * completion thread's poll; under @ch's post_lock. Returns false when it
 * must be posted now: not a completion thread, no room.
 */
static bool pend_add(struct srpt_channel *ch, const struct chain_builder *b)
{
	struct rdma_batch *bt = tl_batch;
	struct rdma_pend *p = ch->tp;
	unsigned int i;

	if (!bt || !p || p->nwr + b->nwr > RDMA_PEND_WR ||
	    p->nsge + b->nsge > RDMA_PEND_SGE)
		return false;
	if (!p->nwr) {
		if (bt->n == RDMA_BATCH_CH)
			return false;
		/* Held until the flush: the channel's memory, ch->tp
		 * included, outlives it. */
		srpt_channel_get(ch);
		bt->ch[bt->n++] = ch;
	}
	for (i = 0; i < b->nwr; i++) {
		struct ibv_send_wr *w = &p->wr[p->nwr];

		*w = b->wr[i];
		w->sg_list = &p->sge[p->nsge];
		memcpy(w->sg_list, b->wr[i].sg_list,
		       sizeof(*w->sg_list) * (size_t)b->wr[i].num_sge);
		p->nsge += (unsigned int)b->wr[i].num_sge;
		if (p->nwr)
			p->wr[p->nwr - 1].next = w;
		p->nwr++;
	}
	return true;
}

int rdma_post_chain(struct srpt_channel *ch, const struct srpt_tp_chain *c)
{
	struct rdma_conn *rc = ch->conn;
	struct chain_builder b;
	struct ibv_send_wr *wr = NULL;
	unsigned int ri, li = 0;
	uint32_t loff = 0;
	uint32_t max_sge = c->rdma_read ? rc->max_sge_rd : rc->max_sge;
	int err = 0;

	b.qp = ch_qp(ch);
	if (!b.qp)
		return -EINVAL;
	b.nwr = b.nsge = b.posts = 0;
	if (max_sge > 16)
		max_sge = 16;
	for (ri = 0; ri < c->nrdma; ri++) {
		uint32_t rleft = c->rdma[ri].len, roff = 0;

		while (rleft) {
			uint32_t wlen = 0;

			wr = new_wr(&b, max_sge, &err);
			if (!wr)
				return err;
			wr->opcode = c->rdma_read ? IBV_WR_RDMA_READ :
				     IBV_WR_RDMA_WRITE;
			wr->wr.rdma.remote_addr = c->rdma[ri].raddr + roff;
			wr->wr.rdma.rkey = c->rdma[ri].rkey;
			/* One work request moves at most the port's largest
			 * message; longer buffers are split. */
			while (rleft && (uint32_t)wr->num_sge < max_sge &&
			       wlen < rc->max_msg) {
				struct ibv_sge *s;
				uint32_t l;

				if (li >= c->nsge)
					return -EINVAL;
				l = c->sge[li].len - loff;
				if (l > rleft)
					l = rleft;
				if (l > rc->max_msg - wlen)
					l = rc->max_msg - wlen;
				s = &wr->sg_list[wr->num_sge++];
				s->addr = c->sge[li].addr + loff;
				s->length = l;
				s->lkey = c->sge[li].lkey;
				b.nsge++;
				loff += l;
				if (loff == c->sge[li].len) {
					li++;
					loff = 0;
				}
				rleft -= l;
				roff += l;
				wlen += l;
			}
		}
	}
	if (c->send.len) {
		wr = new_wr(&b, 1, &err);
		if (!wr)
			return err;
		wr->opcode = IBV_WR_SEND;
		wr->sg_list[0].addr = c->send.addr;
		wr->sg_list[0].length = c->send.len;
		wr->sg_list[0].lkey = c->send.lkey;
		wr->num_sge = 1;
		b.nsge++;
		if (c->send.len <= rc->max_inline)
			wr->send_flags |= IBV_SEND_INLINE;
	}
	if (!wr)
		return -EINVAL;
	wr->wr_id = c->wr_id;
	wr->send_flags |= IBV_SEND_SIGNALED;
	if (!b.posts && pend_add(ch, &b))
		return 0;
	return flush_chunk(&b);
}
