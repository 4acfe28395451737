/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The null verbs provider of srpt-core-bench, and the initiator behind
 * it. libibverbs' data path calls (ibv_post_send, ibv_post_recv,
 * ibv_poll_cq) are inline jumps through the context's ops, so a context
 * of our own takes the place of a device: a work request completes the
 * moment it is posted, an RDMA transfer moves no byte, and a response
 * SEND reaches the initiator at once, which answers it with its next
 * command while it has fewer than iodepth outstanding.
 *
 * Only the 64-byte command header is written into a receive buffer per
 * command (tag included): the immediate data behind it is what a NIC's
 * DMA would have put there, not work of the target's CPU.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <srpt/proto.h>

#include "core-bench.h"

_Thread_local uint64_t cb_round;

#define chan_of(p, member) \
	((struct cb_chan *)((char *)(p) - offsetof(struct cb_chan, member)))

static void cq_push(struct cb_chan *c, uint64_t wr_id, uint32_t len)
{
	struct ibv_wc *wc;

	if (c->cq_n == CB_CQ_MAX)
		abort();	/* the core posted more than it has room for */
	wc = &c->cqe[(c->cq_head + c->cq_n++) % CB_CQ_MAX];
	wc->wr_id = wr_id;
	wc->status = IBV_WC_SUCCESS;
	wc->byte_len = len;
	wc->qp_num = c->qp.qp_num;
}

static int null_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
			  struct ibv_send_wr **bad)
{
	struct cb_chan *c = chan_of(qp, qp);
	bool event = false;

	CB_ENTER(CB_ST_PROVIDER);
	c->post_send_calls++;
	for (; wr; wr = wr->next) {
		if (wr->opcode == IBV_WR_SEND && c->inflight) {
			/* the response reached the initiator */
			c->inflight--;
			c->done++;
		}
		/* An unsignaled work request that succeeds leaves no trace
		 * in the CQ, as on hardware. */
		if (wr->send_flags & IBV_SEND_SIGNALED) {
			c->signaled++;
			cq_push(c, wr->wr_id, 0);
			event = true;
		}
	}
	c->cq_events += event;
	CB_EXIT();
	return 0;
}

static int null_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
			  struct ibv_recv_wr **bad)
{
	struct cb_chan *c = chan_of(qp, qp);

	CB_ENTER(CB_ST_PROVIDER);
	c->post_recv_calls++;
	for (; wr; wr = wr->next) {
		unsigned int i = (c->rq_head + c->rq_n) % CB_RQ_MAX;

		if (c->rq_n == CB_RQ_MAX) {
			*bad = wr;
			CB_EXIT();
			return ENOMEM;
		}
		c->rq_id[i] = wr->wr_id;
		c->rq_addr[i] = (uint8_t *)(uintptr_t)wr->sg_list[0].addr;
		c->rq_n++;
	}
	CB_EXIT();
	return 0;
}

/* The initiator's next command into the oldest posted receive. */
static void send_cmd(struct cb_chan *c)
{
	unsigned int i = c->rq_head;
	uint8_t *buf = c->rq_addr[i];
	uint64_t tag = c->next_tag++;

	c->rq_head = (c->rq_head + 1) % CB_RQ_MAX;
	c->rq_n--;
	if (c->write)
		memcpy(buf, c->iu_write, c->write_hdr);
	else
		memcpy(buf, c->iu_read, c->read_hdr);
	memcpy(buf + 8, &tag, 8);	/* opaque to the target */
	c->inflight++;
	cq_push(c, c->rq_id[i], c->write ? c->write_len : c->read_len);
}

static int null_poll_cq(struct ibv_cq *cq, int n, struct ibv_wc *wc)
{
	struct cb_chan *c = chan_of(cq, cq);
	int k = 0;

	CB_ENTER(CB_ST_PROVIDER);
	/*
	 * New commands go behind what already completed, as on a wire, and
	 * only once per round of the polling thread: what the initiator
	 * sends in answer to this round's responses arrives by the next.
	 * (Refilled at every call, a CQ never returns fewer than the 32
	 * drain_cq asks for, and drain_cq never lets go of it.)
	 */
	if (c->round != cb_round) {
		c->round = cb_round;
		c->may_issue = true;
	}
	if (c->may_issue && c->issue && c->inflight < c->iodepth && c->rq_n &&
	    c->cq_n < (unsigned int)n)
		c->cq_events++;		/* the commands of this round arrive */
	while (c->may_issue && c->issue && c->inflight < c->iodepth && c->rq_n &&
	       c->cq_n < (unsigned int)n)
		send_cmd(c);
	c->may_issue = false;
	while (k < n && c->cq_n) {
		wc[k++] = c->cqe[c->cq_head];
		c->cq_head = (c->cq_head + 1) % CB_CQ_MAX;
		c->cq_n--;
	}
	CB_EXIT();
	return k;
}

void cb_chan_init_qp(struct cb_chan *c, uint32_t qp_num)
{
	c->ctx.ops.post_send = null_post_send;
	c->ctx.ops.post_recv = null_post_recv;
	c->ctx.ops.poll_cq = null_poll_cq;
	c->qp.context = &c->ctx;
	c->qp.qp_num = qp_num;
	c->cq.context = &c->ctx;
	c->rcq.cq = &c->cq;
	c->id.qp = &c->qp;
	c->rc.id = &c->id;
	/* what an mlx5 port reports, about */
	c->rc.max_inline = 64;
	c->rc.max_sge = 16;
	c->rc.max_sge_rd = 16;
	c->rc.max_msg = 1u << 30;
	c->rc.initiator_depth = 16;
}

int cb_chan_build_ius(struct cb_chan *c, uint32_t rkey)
{
	static uint8_t imm[CB_IO_LEN];
	uint8_t buf[CB_IMM_OFFSET + CB_IO_LEN];
	struct srpt_cmd cmd;
	int n;

	/* READ(10) of 8 blocks of 512 at LBA 0x1234, LUN 1 */
	memset(&cmd, 0, sizeof(cmd));
	cmd.lun[1] = 1;
	cmd.cdb = (const uint8_t[16]){ 0x28, 0, 0, 0, 0x12, 0x34, 0, 0, 8 };
	cmd.cdb_len = 16;
	cmd.data_in_fmt = SRPT_DATA_FMT_DIRECT;
	cmd.data_in_desc_cnt = 1;
	cmd.data_in.fmt = SRPT_DATA_FMT_DIRECT;
	cmd.data_in.direct.va = 0x7f0000000000ull;
	cmd.data_in.direct.key = rkey;
	cmd.data_in.direct.len = CB_IO_LEN;
	n = srpt_cmd_encode(&cmd, buf, sizeof(buf));
	if (n <= 0 || (size_t)n > sizeof(c->iu_read))
		return n < 0 ? n : -ENOSPC;
	memcpy(c->iu_read, buf, (size_t)n);
	c->read_hdr = c->read_len = (uint32_t)n;

	/* WRITE(10) of the same, its data immediate at offset 68 */
	memset(&cmd, 0, sizeof(cmd));
	cmd.lun[1] = 1;
	cmd.cdb = (const uint8_t[16]){ 0x2a, 0, 0, 0, 0x12, 0x34, 0, 0, 8 };
	cmd.cdb_len = 16;
	cmd.data_out_fmt = SRPT_DATA_FMT_IMM;
	cmd.data_out_desc_cnt = 1;
	cmd.data_out.fmt = SRPT_DATA_FMT_IMM;
	cmd.data_out.total_len = CB_IO_LEN;
	cmd.data_out.imm_offset = CB_IMM_OFFSET;
	cmd.data_out.imm_data = imm;
	n = srpt_cmd_encode(&cmd, buf, sizeof(buf));
	if (n != CB_IMM_OFFSET + CB_IO_LEN)
		return n < 0 ? n : -EINVAL;
	memcpy(c->iu_write, buf, CB_IMM_OFFSET);
	c->write_hdr = CB_IMM_OFFSET;
	c->write_len = (uint32_t)n;
	return 0;
}
