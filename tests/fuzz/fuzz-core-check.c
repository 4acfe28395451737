/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * What the target posted, as the initiator and its HCA see it, and the
 * invariants of fuzz-core.c. Posted chains are judged in post order, each
 * before it is completed (sends are completed one at a time for that), so
 * that an RDMA transfer is checked against the state of its command at
 * the moment it was posted: a chain's RDMA before the SEND it carries.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-core.h"

static struct fc_conn *conn_k(struct fc *z, const struct fc_iu *iu)
{
	return &z->conns[iu->conn];
}

/* ---- the login ---- */

static void login_seen(struct fc *z, struct fc_conn *k,
		       const struct fake_conn_info *ci)
{
	struct srpt_login_rsp rsp;

	if (srpt_login_rsp_decode(ci->answer_buf, ci->answer_len, &rsp))
		fc_fail(z, FC_INV_CREDIT, "conn %u: the accept carries no SRP_LOGIN_RSP",
			ci->idx);
	k->accepted = true;
	k->granted = k->view = rsp.req_lim_delta;
	k->ti_len = rsp.max_ti_iu_len;
	k->imm_off = rsp.rsp_flags & SRPT_LOGIN_RSP_IMMED_SUPP ?
		     k->req_imm_off : 0;
	fc_trace(z, "  login accepted: %lld credits, ti %u, imm %u",
		 (long long)k->granted, k->ti_len, k->imm_off);
	if (k->granted < 1)
		fc_fail(z, FC_INV_CREDIT, "conn %u: %lld credits granted",
			ci->idx, (long long)k->granted);
}

/* ---- invariant 2: RDMA only where an outstanding command said ---- */

/* Every byte of [va, va + len) in one of @n ranges. */
static bool covered(uint64_t va, uint32_t len, const struct fc_range *r,
		    uint32_t n, uint32_t *hint)
{
	uint64_t pos = va, end = va + len;

	while (pos < end) {
		uint32_t j, i;

		for (j = 0; j < n; j++) {
			i = (*hint + j) % n;
			if (pos >= r[i].va && pos < r[i].va + r[i].len)
				break;
		}
		if (j == n)
			return false;
		*hint = i;
		pos = r[i].va + r[i].len < end ? r[i].va + r[i].len : end;
	}
	return true;
}

static void check_read(struct fc *z, struct fc_iu *iu,
		       const struct srpt_tp_rdma *r, uint32_t *hint)
{
	uint32_t h = 0;

	if (!iu->delivered && (covered(r->raddr, r->len, iu->table, 2, &h)))
		return;		/* the descriptor table, before on_cmd */
	if (iu->fetching && covered(r->raddr, r->len, iu->out, iu->nout, hint)) {
		iu->read_done += r->len;
		if (iu->read_done > iu->read_allow)
			fc_fail(z, FC_INV_RDMA, "tag %#llx: RDMA READs of %llu bytes, the application fetched %llu",
				(unsigned long long)iu->tag,
				(unsigned long long)iu->read_done,
				(unsigned long long)iu->read_allow);
		return;
	}
	fc_fail(z, FC_INV_RDMA, "RDMA READ of %u bytes at +%llu for tag %#llx, which is neither its descriptor table before delivery nor DATA-OUT it is fetching (dir %d, delivered %d, fetching %d)",
		r->len, (unsigned long long)(r->raddr - (uintptr_t)iu->region),
		(unsigned long long)iu->tag, iu->dir, iu->delivered,
		iu->fetching);
}

static void check_write(struct fc *z, struct fc_iu *iu,
			const struct srpt_tp_rdma *r, uint32_t *hint)
{
	if (!iu->write_ok)
		fc_fail(z, FC_INV_RDMA, "RDMA WRITE of %u bytes at +%llu for tag %#llx, which the application never completed with DATA-IN (dir %d, delivered %d)",
			r->len,
			(unsigned long long)(r->raddr - (uintptr_t)iu->region),
			(unsigned long long)iu->tag, iu->dir, iu->delivered);
	if (!covered(r->raddr, r->len, iu->in, iu->nin, hint))
		fc_fail(z, FC_INV_RDMA, "RDMA WRITE of %u bytes at +%llu for tag %#llx is outside its DATA-IN descriptors",
			r->len,
			(unsigned long long)(r->raddr - (uintptr_t)iu->region),
			(unsigned long long)iu->tag);
	iu->write_done += r->len;
	if (iu->write_done > iu->write_allow)
		fc_fail(z, FC_INV_RDMA, "tag %#llx: RDMA WRITEs of %llu bytes, the application gave %llu",
			(unsigned long long)iu->tag,
			(unsigned long long)iu->write_done,
			(unsigned long long)iu->write_allow);
}

static void check_rdma(struct fc *z, struct fc_conn *k,
		       const struct fake_wr *wr)
{
	uint32_t hint = 0;

	for (unsigned int i = 0; i < wr->nrdma; i++) {
		const struct srpt_tp_rdma *r = &wr->rdma[i];
		struct fc_iu *iu = fc_iu_by_rkey(z, r->rkey);

		if (!iu)
			fc_fail(z, FC_INV_RDMA, "RDMA %s with rkey %#x, which no command named",
				wr->rdma_read ? "READ" : "WRITE", r->rkey);
		if (conn_k(z, iu) != k || !iu->sent)
			fc_fail(z, FC_INV_RDMA, "RDMA %s for tag %#llx, which this channel never received",
				wr->rdma_read ? "READ" : "WRITE",
				(unsigned long long)iu->tag);
		if (iu->answers)
			fc_fail(z, FC_INV_RDMA, "RDMA %s of %u bytes for tag %#llx after its SRP_RSP (stale transfer state)",
				wr->rdma_read ? "READ" : "WRITE", r->len,
				(unsigned long long)iu->tag);
		if (wr->rdma_read)
			check_read(z, iu, r, &hint);
		else
			check_write(z, iu, r, &hint);
	}
}

/* ---- invariants 1 and 3: responses and credits ---- */

static bool tm_matches(const struct fc_iu *tm, const struct fc_iu *iu)
{
	if (tm->tm_func == SRPT_TSK_ABORT_TASK)
		return iu->tag == tm->task_tag;
	/* the target cannot know the LUN of what it could not decode */
	return !iu->decoded || !memcmp(iu->lun, tm->lun, 8);
}

/* Whether task management @tm reaches the channel of @iu: LUN RESET
 * every channel; the others those of its I_T nexus (one initiator port
 * may log in several channels). */
static bool tm_scope(struct fc *z, const struct fc_iu *tm,
		     const struct fc_iu *iu)
{
	return tm->tm_func == SRPT_TSK_LUN_RESET ||
	       z->conns[iu->conn].initiator == z->conns[tm->conn].initiator;
}

/* A task management request sent after @iu, in its scope, and not yet
 * answered: it may have aborted @iu, and waits for commands elsewhere. */
static bool tm_pending_over(struct fc *z, const struct fc_iu *iu)
{
	for (const struct fc_iu *tm = iu + 1; tm < z->ius + z->nius; tm++)
		if (tm->kind == FC_TM && tm->sent && tm->tm_ok &&
		    !tm->answers && tm_scope(z, tm, iu) && tm_matches(tm, iu))
			return true;
	return false;
}

/*
 * A task management function took effect (@now: on_tmf, as it happens)
 * or completed: what it aborted needs no response. It covers what its
 * channel received before it (a channel keeps its order, even for IUs
 * parked until the RTU). Channels keep no order between each other: a
 * request parked on a channel that was not yet live takes effect when
 * that channel goes live, and then covers what the other channels of its
 * scope received meanwhile, although the initiator sent it later.
 */
void fc_tm_resolve(struct fc *z, const struct fc_iu *tm, bool now)
{
	for (struct fc_iu *iu = z->ius; iu < z->ius + z->nius; iu++) {
		if (iu >= tm && (!now || iu->conn == tm->conn))
			continue;
		if (tm_scope(z, tm, iu) && iu->sent && iu->kind == FC_CMD &&
		    !iu->answers && tm_matches(tm, iu))
			iu->resolved = true;
	}
}

static void take_rsp(struct fc *z, struct fc_conn *k, const uint8_t *p,
		     uint32_t len)
{
	struct srpt_rsp rsp;
	struct fc_iu *iu;

	if (srpt_rsp_decode(p, len, &rsp))
		fc_fail(z, FC_INV_RSP, "a malformed SRP_RSP of %u bytes", len);
	iu = fc_iu_by_tag(z, rsp.tag);
	fc_trace(z, "  SRP_RSP tag %#llx: status %#x flags %#x delta %u",
		 (unsigned long long)rsp.tag, rsp.status, rsp.flags,
		 rsp.req_lim_delta);
	if (!iu || conn_k(z, iu) != k || !iu->sent || iu->short_iu)
		fc_fail(z, FC_INV_RSP, "SRP_RSP with tag %#llx, which this channel never received",
			(unsigned long long)rsp.tag);
	if (iu->kind == FC_OTHER)
		fc_fail(z, FC_INV_RSP, "SRP_RSP for tag %#llx, an IU that is no request",
			(unsigned long long)rsp.tag);
	if (++iu->answers > 1)
		fc_fail(z, FC_INV_RSP, "a second SRP_RSP for tag %#llx",
			(unsigned long long)rsp.tag);
	if (iu->io || iu->fetching)
		fc_fail(z, FC_INV_RSP, "SRP_RSP for tag %#llx while the application still owns the command",
			(unsigned long long)rsp.tag);
	k->view += rsp.req_lim_delta;
	if (k->view > k->granted)
		fc_fail(z, FC_INV_CREDIT, "the initiator holds %lld credits, more than the %lld granted",
			(long long)k->view, (long long)k->granted);
	if (iu->kind == FC_TM && iu->tm_ok &&
	    (rsp.flags & SRPT_RSP_RSPVALID) && rsp.resp_data_len >= 4 &&
	    (rsp.resp_data[3] == SRPT_TSK_MGMT_COMPLETE ||
	     rsp.resp_data[3] == SRPT_TSK_MGMT_SUCCEEDED))
		fc_tm_resolve(z, iu, false);
}

static void take_send(struct fc *z, struct fc_conn *k, unsigned int i)
{
	uint32_t len = 0;
	const uint8_t *p = fake_sent(k->c, i, &len);

	if (!p)
		return;
	if (!len || len > k->ti_len)
		fc_fail(z, FC_INV_RSP, "a %u-byte SEND; the initiator takes %u",
			len, k->ti_len);
	switch (p[0]) {
	case SRPT_OP_RSP:
		take_rsp(z, k, p, len);
		break;
	case SRPT_OP_T_LOGOUT:
		fc_trace(z, "  SRP_T_LOGOUT");
		k->tlogout = true;
		break;
	case SRPT_OP_CRED_REQ: {
		/* credits no response carried (an aborted command's); the
		 * initiator answers with SRP_CRED_RSP, as ib_srp does */
		struct srpt_cred_req cr;

		if (srpt_cred_req_decode(p, len, &cr))
			fc_fail(z, FC_INV_RSP, "a malformed SRP_CRED_REQ of %u bytes",
				len);
		fc_trace(z, "  SRP_CRED_REQ tag %#llx delta %u",
			 (unsigned long long)cr.tag, cr.req_lim_delta);
		if (!cr.req_lim_delta)
			fc_fail(z, FC_INV_CREDIT, "an SRP_CRED_REQ with no credit");
		k->view += cr.req_lim_delta;
		if (k->view > k->granted)
			fc_fail(z, FC_INV_CREDIT, "the initiator holds %lld credits, more than the %lld granted",
				(long long)k->view, (long long)k->granted);
		if (k->ncred_due < 8)
			k->cred_due[k->ncred_due++] = cr.tag;
		break;
	}
	default:
		fc_fail(z, FC_INV_RSP, "the target sent an IU with opcode %#x",
			p[0]);
	}
}

/* ---- following the fake ---- */

static void post_seen(struct fc *z, struct fc_conn *k,
		      const struct fake_wr *wr)
{
	k->last_seq = wr->seq;
	if (wr->kind == FAKE_WR_DRAIN) {
		k->drain_seen = true;
		return;
	}
	if (wr->kind != FAKE_WR_CHAIN)
		return;
	if (k->drain_seen)
		fc_fail(z, FC_INV_DRAIN, "a chain posted after the drain write");
	check_rdma(z, k, wr);
	if (wr->send_len)
		take_send(z, k, k->sent_seen++);
}

/* Judge what @k's target posted since the last call. */
void fc_sync(struct fc *z, struct fc_conn *k)
{
	unsigned int n, i;

	if (!k->accepted) {
		struct fake_conn_info ci;

		fake_conn_info(k->c, &ci);
		if (ci.answer != FAKE_ANS_ACCEPT)
			return;
		login_seen(z, k, &ci);
	}
	n = fake_sq_len(k->c);
	/* New entries are at the tail: find the first one. */
	for (i = n; i > 0; i--)
		if (fake_sq_get(k->c, i - 1)->seq <= k->last_seq)
			break;
	for (; i < n; i++)
		post_seen(z, k, fake_sq_get(k->c, i));
	/* SENDs of chains that went with the QP before we saw them */
	while (k->sent_seen < fake_sent_count(k->c))
		take_send(z, k, k->sent_seen++);
}

void fc_sync_all(struct fc *z)
{
	for (unsigned int i = 0; i < z->nconns; i++)
		fc_sync(z, &z->conns[i]);
}

/* ---- invariant 7: data arrives intact ---- */

/* After a successful WRITE chain: the initiator got the app's bytes. */
static void check_written(struct fc *z, const struct srpt_tp_rdma *r,
			  unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct fc_iu *iu = fc_iu_by_rkey(z, r[i].rkey);
		const uint8_t *p = (const uint8_t *)(uintptr_t)r[i].raddr;

		for (uint32_t j = 0; iu && j < r[i].len; j++)
			if (p[j] != fc_app_data(iu, iu->write_checked + j))
				fc_fail(z, FC_INV_DATA, "DATA-IN of tag %#llx differs from the application's at byte %llu",
					(unsigned long long)iu->tag,
					(unsigned long long)(iu->write_checked + j));
		if (iu)
			iu->write_checked += r[i].len;
	}
}

/* The application's buffer holds the initiator's DATA-OUT, in order. */
void fc_check_data_out(struct fc *z, struct fc_iu *iu)
{
	uint32_t at = 0;

	if (iu->imm) {
		if (memcmp(iu->app_buf, iu->imm, iu->fetch_xfer))
			fc_fail(z, FC_INV_DATA, "immediate data of tag %#llx arrived changed",
				(unsigned long long)iu->tag);
		return;
	}
	for (uint32_t i = 0; i < iu->nout && at < iu->fetch_xfer; i++) {
		uint32_t l = iu->out[i].len < iu->fetch_xfer - at ?
			     iu->out[i].len : iu->fetch_xfer - at;

		if (memcmp(iu->app_buf + at,
			   (const void *)(uintptr_t)iu->out[i].va, l))
			fc_fail(z, FC_INV_DATA, "DATA-OUT of tag %#llx differs from the initiator's in bytes %u..%u",
				(unsigned long long)iu->tag, at, at + l);
		at += l;
	}
}

/* ---- completing sends ---- */

/* Complete the chain at the head of @k's send queue; 1 if there was one. */
int fc_complete_one(struct fc *z, struct fc_conn *k, int status)
{
	const struct fake_wr *wr;
	struct srpt_tp_rdma *r = NULL;
	unsigned int n = 0;
	int done;

	fc_sync(z, k);
	wr = fake_sq_get(k->c, 0);
	if (!wr || wr->kind != FAKE_WR_CHAIN)
		return 0;
	if (!status && !wr->rdma_read && wr->nrdma) {
		n = wr->nrdma;
		r = malloc(n * sizeof(*r));
		if (!r)
			abort();
		memcpy(r, wr->rdma, n * sizeof(*r));
	}
	done = fake_complete_sends(k->c, 1, status);
	if (done == 1)
		check_written(z, r, n);
	free(r);
	fc_sync(z, k);
	return done;
}

/* Error-complete everything, in one of four orders (as fake_flush()). */
void fc_flush(struct fc *z, struct fc_conn *k, unsigned int order)
{
	bool recv_first = order % 4 == 1, drain_early = order % 4 == 2;

	if (recv_first)
		fake_flush_recvs(k->c, UINT32_MAX);
	while (fc_complete_one(z, k, FAKE_FLUSH_ERR))
		;
	if (drain_early)
		fake_complete_drain(k->c, FAKE_FLUSH_ERR);
	if (!recv_first)
		fake_flush_recvs(k->c, UINT32_MAX);
	if (order % 4 == 0 || recv_first)
		fake_complete_drain(k->c, FAKE_FLUSH_ERR);
	fc_sync(z, k);
}

/* ---- after every step ---- */

static bool app_owns(struct fc *z, unsigned int ki)
{
	for (unsigned int i = 0; i < z->nius; i++)
		if (z->ius[i].conn == ki && (z->ius[i].io || z->ius[i].fetching))
			return true;
	return false;
}

/* Nothing posted and nothing held on any channel: task management, which
 * waits for the commands it aborts on every channel of its scope (the
 * I_T nexus, or every nexus for LUN RESET), must have answered. */
static bool all_quiet(struct fc *z)
{
	for (unsigned int i = 0; i < z->nconns; i++)
		if (fake_sq_len(z->conns[i].c) || app_owns(z, i))
			return false;
	return true;
}

/*
 * A live channel after a dispatch has no event pending. If nothing is
 * posted and the application holds nothing, nothing can be parked either:
 * every accepted request must have been answered (invariant 1) and every
 * credit returned (invariant 3). An IU that ends the channel must have.
 */
void fc_check_quiescent(struct fc *z, struct fc_conn *k)
{
	struct srpt_channel *ch = fake_conn_channel(k->c);
	unsigned int ki = (unsigned int)(k - z->conns);
	bool quiet, tm_waiting = false;

	if (!ch || !k->accepted ||
	    srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		return;
	if (k->tlogout || k->must_end)
		fc_fail(z, FC_INV_RSP, "channel %llu: %s, yet it is still live after a dispatch",
			(unsigned long long)k->ch_id,
			k->tlogout ? "SRP_T_LOGOUT sent" :
			"it received an IU that must end it (logout, no request, no tag)");
	if (fake_sq_len(k->c) || app_owns(z, ki) || z->post_failed)
		return;
	quiet = all_quiet(z);
	for (unsigned int i = 0; i < z->nius; i++) {
		const struct fc_iu *iu = &z->ius[i];

		if (iu->kind == FC_TM && !quiet) {
			/* its credit comes back with its answer */
			if (iu->conn == ki && iu->sent && iu->credit &&
			    !iu->answers)
				tm_waiting = true;
			continue;
		}
		if (iu->kind == FC_CMD && !quiet && tm_pending_over(z, iu))
			continue;	/* aborted, maybe: the TM answers */
		if (iu->conn == ki && iu->sent && iu->credit &&
		    !iu->answers && !iu->resolved)
			fc_fail(z, FC_INV_RSP, "channel %llu: tag %#llx (%s, dir %d, %u bytes, %u+%u pieces, %s) has no SRP_RSP at a quiescent point",
				(unsigned long long)k->ch_id,
				(unsigned long long)iu->tag,
				iu->kind == FC_CMD ? "SRP_CMD" : "SRP_TSK_MGMT",
				iu->dir, iu->data_len, iu->nout, iu->nin,
				!iu->decoded ? "malformed" :
				iu->delivered ? "delivered" : "not delivered");
	}
	if (!tm_waiting && k->view != k->granted)
		fc_fail(z, FC_INV_CREDIT, "channel %llu: at a quiescent point the initiator holds %lld credits of %lld",
			(unsigned long long)k->ch_id, (long long)k->view,
			(long long)k->granted);
}

void fc_check_step(struct fc *z)
{
	/* ours first: they say which command, the fake's what broke */
	fc_sync_all(z);
	z->post_failed |= fake_fail_fired(z->f, FAKE_OP_POST_CHAIN);
	if (fake_errors(z->f))
		fc_fail(z, FC_INV_DRAIN, "the fake transport counted %u violations:\n%s",
			fake_errors(z->f), fake_error_text(z->f));
	if (!z->dispatched || z->teardown)
		return;
	for (unsigned int i = 0; i < z->nconns; i++)
		fc_check_quiescent(z, &z->conns[i]);
}

/* Invariant 5 at the end: on_req, [on_rtu], [on_dreq], on_drained. */
void fc_check_final(struct fc *z)
{
	/* every command completed with a release notification heard it
	 * once, whatever ended its channel */
	for (unsigned int i = 0; i < z->nius; i++) {
		const struct fc_iu *iu = &z->ius[i];

		if (iu->release_armed && iu->released != 1)
			fc_fail(z, FC_INV_TEARDOWN, "tag %#llx: release notification %u times",
				(unsigned long long)iu->tag, iu->released);
	}
	for (unsigned int i = 0; i < z->nconns; i++) {
		struct fc_conn *k = &z->conns[i];
		struct fake_conn_info ci;

		fake_conn_info(k->c, &ci);
		if (!k->reqs && (k->rtus || k->dreqs || k->drained))
			fc_fail(z, FC_INV_CALLBACK, "conn %u: callbacks without on_req", i);
		if (!k->reqs)
			continue;
		if (k->drained != 1)
			fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_drained called %u times",
				(unsigned long long)k->ch_id, k->drained);
		if (!!k->dreqs != !!ci.accepts)
			fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_dreq %s, but the login was %saccepted",
				(unsigned long long)k->ch_id,
				k->dreqs ? "called" : "not called",
				ci.accepts ? "" : "not ");
		if (k->rtus && !ci.accepts)
			fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_rtu without an accept",
				(unsigned long long)k->ch_id);
	}
	if (z->nheld)
		fc_fail(z, FC_INV_TEARDOWN, "the application still holds %u commands",
			z->nheld);
}
