/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Work requests on real verbs. A chain is built on the stack and posted
 * with one ibv_post_send() (more only for transfers with very many
 * pieces): RDMA WRITEs or READs, unsignaled, then the signaled SEND of the
 * response, or the last READ signaled.
 */
#include <errno.h>
#include <string.h>

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

int rdma_post_drain(struct srpt_channel *ch, uint64_t wr_id)
{
	struct ibv_send_wr wr, *bad;
	struct ibv_qp *qp = ch_qp(ch);

	if (!qp)
		return -EINVAL;
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
	return flush_chunk(&b);
}
