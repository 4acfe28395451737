/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The application of the core fuzzer (see fuzz-core.h): target callbacks
 * that check the lifecycle contract as they run, and what it does with
 * commands: hold them for a later step (how another thread is modelled
 * here), answer them with or without DATA-IN from registered or bounce
 * memory, with CHECK CONDITION or an invalid result, or fetch DATA-OUT.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-core.h"

/* The fuzzer runs one input at a time on one thread: the DATA-OUT
 * callback, which only gets its own argument, finds the state here. */
static struct fc *fc_cur;

static const char *state_name(struct srpt_channel *ch)
{
	return srpt_channel_state_name(srpt_channel_get_state(ch));
}

uint8_t fc_app_data(const struct fc_iu *iu, uint64_t i)
{
	return fc_pattern(iu->tag ^ 0x2222, i);
}

/* ---- held commands ---- */

static void held_add(struct fc *z, struct fc_iu *iu)
{
	z->held[z->nheld++] = (unsigned int)(iu - z->ius);
}

void fc_held_drop(struct fc *z, struct fc_iu *iu)
{
	unsigned int idx = (unsigned int)(iu - z->ius);

	for (unsigned int i = 0; i < z->nheld; i++) {
		if (z->held[i] == idx) {
			z->held[i] = z->held[--z->nheld];
			break;
		}
	}
	iu->io = NULL;
}

/* ---- memory ---- */

/* Registered memory is never reused within an input: the library may
 * read it until the response is acknowledged. */
static uint8_t *pool_get(struct fc *z, uint32_t len)
{
	size_t at = (z->pool_used + 63) & ~(size_t)63;

	if (!z->mr || !len || len > FC_POOL_LEN - at)
		return NULL;
	z->pool_used = at + len;
	return z->pool + at;
}

/* Cut @len bytes at @buf into @n pieces of @mr. */
static void split(struct srpt_sge *sg, unsigned int n, uint8_t *buf,
		  uint32_t len, struct srpt_mr *mr)
{
	uint32_t each = len / n;

	for (unsigned int i = 0; i < n; i++) {
		sg[i].addr = buf + (size_t)each * i;
		sg[i].len = i + 1 < n ? each : len - each * (n - 1);
		sg[i].mr = mr;
	}
}

/* ---- answering ---- */

static const uint8_t sense_ill[18] = {
	0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00,
};

/* DATA-IN for @iu: registered when asked and there is room. */
static uint8_t *data_in(struct fc *z, struct fc_iu *iu, uint32_t len,
			bool reg, struct srpt_mr **mr)
{
	uint8_t *buf = reg ? pool_get(z, len) : NULL;

	*mr = buf ? z->mr : NULL;
	if (!buf) {
		buf = malloc(len ? len : 1);
		if (!buf)
			abort();
	}
	for (uint32_t i = 0; i < len; i++)
		buf[i] = fc_app_data(iu, i);
	return buf;
}

/*
 * The release notification of a command: the HCA is done with its
 * response and the data it was sent from, so no chain carrying that
 * response may still be on the send queue of a working QP (an
 * unsignaled response is reclaimed from a later completion, never
 * before its own chain left the queue), and it comes once.
 */
static void on_release(struct srpt_io *io, void *arg)
{
	struct fc_iu *iu = arg;
	struct fc *z = fc_cur;
	struct fc_conn *k = &z->conns[iu->conn];
	unsigned int n = fake_sq_len(k->c);
	struct fake_conn_info ci;

	(void)io;
	if (iu->released++)
		fc_fail(z, FC_INV_CALLBACK, "tag %#llx: release notification %u times",
			(unsigned long long)iu->tag, iu->released);
	/* A drain that timed out gives up on a QP in the error state: its
	 * chains will not run, flushed or not. */
	fake_conn_info(k->c, &ci);
	if (ci.qp_error)
		return;
	for (unsigned int i = 0; i < n; i++) {
		const struct fake_wr *wr = fake_sq_get(k->c, i);
		struct srpt_rsp rsp;

		if (!wr || wr->kind != FAKE_WR_CHAIN || !wr->send_len ||
		    wr->send[0] != SRPT_OP_RSP ||
		    srpt_rsp_decode(wr->send, wr->send_len, &rsp))
			continue;
		if (rsp.tag == iu->tag)
			fc_fail(z, FC_INV_CALLBACK, "tag %#llx: release notification while its response is still on the send queue",
				(unsigned long long)iu->tag);
	}
}

void fc_app_complete(struct fc *z, struct fc_iu *iu, enum fc_action a)
{
	struct srpt_io *io = iu->io;
	struct srpt_sge sg[17];
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	uint8_t *buf = NULL, *sense = NULL;
	struct srpt_mr *mr = NULL;
	uint32_t len = iu->data_len > 4 * FC_MAX_DATA ? 4 * FC_MAX_DATA :
		       iu->data_len;
	unsigned int n = 1 + (iu->tag & 1);
	int r;

	if (!io || iu->fetching)
		return;
	fc_held_drop(z, iu);
	if (a == FC_DONE_SHORT)
		len /= 2;
	if (iu->dir == SRPT_DIR_IN && len && a != FC_DONE_CHECK) {
		buf = data_in(z, iu, len, a != FC_DONE_UNREG, &mr);
		if (len < n)
			n = 1;
		split(sg, n, buf, len, mr);
		res.data = sg;
		res.nsge = n;
	}
	if (a == FC_DONE_CHECK) {
		/* sometimes more sense than any response can hold */
		uint32_t sl = iu->tag % 3 ? 18 : 300;

		sense = calloc(1, sl);
		if (!sense)
			abort();
		memcpy(sense, sense_ill, sizeof(sense_ill));
		res.status = 2;
		res.sense = sense;
		res.sense_len = sl;
	}
	if (a == FC_DONE_BAD) {
		for (unsigned int i = res.nsge; i < 17; i++)
			sg[i] = (struct srpt_sge){ sg, 1, NULL };
		res.data = sg;
		res.nsge = 17;
	}
	if (a == FC_DONE_SHORT)
		res.expected_len = iu->data_len;
	iu->write_ok = res.nsge && res.nsge <= 16;
	iu->write_allow += iu->write_ok ? len : 0;
	if (iu->tag & 2) {
		res.release = on_release;
		res.release_arg = iu;
	}
	r = srpt_io_complete(io, &res);
	/* A refused completion keeps the command the application's. */
	if (!r && (iu->tag & 2))
		iu->release_armed = true;
	fc_trace(z, "  complete tag %#llx: action %d, %u bytes in %u pieces: %d",
		 (unsigned long long)iu->tag, a, res.nsge ? len : 0, res.nsge,
		 r);
	if (!mr)
		free(buf);	/* bounce data is copied before the call returns */
	free(sense);
}

/* ---- DATA-OUT ---- */

static void fetch_done(struct srpt_io *io, int status, void *arg)
{
	struct fc_iu *iu = arg;
	struct fc *z = fc_cur;

	fc_trace(z, "  data_done tag %#llx: %d", (unsigned long long)iu->tag,
		 status);
	if (!iu->fetching || iu->io != io)
		fc_fail(z, FC_INV_CALLBACK, "data_done for tag %#llx without a fetch under way",
			(unsigned long long)iu->tag);
	iu->fetching = false;
	if (!status)
		fc_check_data_out(z, iu);
	if (iu->done_after_fetch)
		fc_app_complete(z, iu, FC_DONE_REG);
}

/* @how: bit 0 registered, bits 1-2 pieces, bit 3 short, bit 4 answer
 * as soon as the data is in. */
void fc_app_fetch(struct fc *z, struct fc_iu *iu, uint8_t how)
{
	struct srpt_sge sg[3];
	uint32_t len = iu->data_len > 4 * FC_MAX_DATA ? 4 * FC_MAX_DATA :
		       iu->data_len;
	unsigned int n = 1 + ((how >> 1) & 3) % 3;
	uint8_t *buf;
	int r;

	if (!iu->io || iu->fetching)
		return;
	if (how & 8)
		len /= 2;
	if (len < n)
		n = 1;
	if (iu->app_buf_owned)
		free(iu->app_buf);
	iu->app_buf_owned = false;
	buf = how & 1 ? pool_get(z, len) : NULL;
	if (!buf) {
		buf = calloc(1, len ? len : 1);
		if (!buf)
			abort();
		iu->app_buf_owned = true;
	}
	iu->app_buf = buf;
	split(sg, n, buf, len, iu->app_buf_owned ? NULL : z->mr);
	iu->done_after_fetch = how & 0x10;
	iu->fetch_xfer = len < iu->data_len ? len : iu->data_len;
	iu->read_allow += iu->fetch_xfer;
	iu->fetching = true;
	r = srpt_io_fetch_data(iu->io, sg, n, fetch_done, iu);
	fc_trace(z, "  fetch tag %#llx: %u bytes in %u pieces, %s: %d",
		 (unsigned long long)iu->tag, len, n,
		 iu->app_buf_owned ? "bounce" : "registered", r);
	if (r == 0)
		return;		/* fetch_done comes (or already came) */
	if (!iu->fetching)
		fc_fail(z, FC_INV_CALLBACK, "srpt_io_fetch_data() returned %d after calling data_done",
			r);
	iu->fetching = false;
	if (r < 0) {
		iu->read_allow -= iu->fetch_xfer;
		return;
	}
	fc_check_data_out(z, iu);	/* 1: the data is in place */
	if (iu->done_after_fetch)
		fc_app_complete(z, iu, FC_DONE_REG);
}

/* ---- callbacks ---- */

static struct fc_conn *conn_by_id(struct fc *z, uint64_t id)
{
	for (unsigned int i = 0; i < z->nconns; i++)
		if (z->conns[i].ch_id == id)
			return &z->conns[i];
	return NULL;
}

static int cb_on_req(struct srpt_channel *ch,
		     const struct srpt_login_info *login, void *ud)
{
	struct fc *z = ud;
	uint64_t id = srpt_channel_get_id(ch);
	struct fc_conn *k = conn_by_id(z, id);

	if (!k)
		fc_fail(z, FC_INV_CALLBACK, "on_req for channel %llu, which no login made",
			(unsigned long long)id);
	if (k->reqs++)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_req twice",
			(unsigned long long)id);
	if (srpt_channel_get_state(ch) != SRPT_CH_CONNECTING ||
	    srpt_channel_get_login(ch) != login)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_req in state %s",
			(unsigned long long)id, state_name(ch));
	k->ch = ch;
	srpt_channel_set_userdata(ch, k);
	k->deferred = k->verdict == SRPT_LOGIN_DEFER;
	fc_trace(z, "  on_req channel %llu: %#x", (unsigned long long)id,
		 k->verdict);
	return k->verdict;
}

struct fc_conn *fc_conn_of(struct fc *z, struct srpt_channel *ch)
{
	struct fc_conn *k = srpt_channel_get_userdata(ch);

	if (!k || k < z->conns || k >= z->conns + z->nconns || !k->reqs)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: a callback before on_req",
			(unsigned long long)srpt_channel_get_id(ch));
	if (k->drained)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: a callback after on_drained",
			(unsigned long long)k->ch_id);
	return k;
}

static void cb_on_rtu(struct srpt_channel *ch, void *ud)
{
	struct fc *z = ud;
	struct fc_conn *k = fc_conn_of(z, ch);

	if (k->rtus++ || srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_rtu number %u in state %s",
			(unsigned long long)k->ch_id, k->rtus, state_name(ch));
	fc_trace(z, "  on_rtu channel %llu", (unsigned long long)k->ch_id);
}

static void cb_on_dreq(struct srpt_channel *ch, void *ud)
{
	struct fc *z = ud;
	struct fc_conn *k = fc_conn_of(z, ch);

	if (k->dreqs++)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_dreq twice",
			(unsigned long long)k->ch_id);
	fc_trace(z, "  on_dreq channel %llu", (unsigned long long)k->ch_id);
}

static int cb_on_drained(struct srpt_channel *ch, void *ud)
{
	struct fc *z = ud;
	struct fc_conn *k = fc_conn_of(z, ch);
	unsigned int ki = (unsigned int)(k - z->conns);

	if (srpt_channel_get_state(ch) != SRPT_CH_DISCONNECTED)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_drained in state %s",
			(unsigned long long)k->ch_id, state_name(ch));
	for (unsigned int i = 0; i < z->nius; i++) {
		const struct fc_iu *iu = &z->ius[i];

		if (iu->conn == ki && (iu->io || iu->fetching))
			fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_drained while the application still owns tag %#llx",
				(unsigned long long)k->ch_id,
				(unsigned long long)iu->tag);
	}
	k->drained++;
	k->ch = NULL;
	fc_trace(z, "  on_drained channel %llu%s", (unsigned long long)k->ch_id,
		 k->drain_pending ? ": pending" : "");
	if (!k->drain_pending)
		return SRPT_DRAINED_DONE;
	k->pending = ch;
	return SRPT_DRAINED_PENDING;
}

/* The command on_cmd got is the one sent, unchanged. */
static struct fc_iu *cmd_check(struct fc *z, struct fc_conn *k,
			       struct srpt_channel *ch, struct srpt_io *io)
{
	const struct srpt_io_info *info = srpt_io_get_info(io);
	struct fc_iu *iu = fc_iu_by_tag(z, info->tag);

	if (!k->rtus || k->dreqs || srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_cmd for tag %#llx %s (state %s)",
			(unsigned long long)k->ch_id,
			(unsigned long long)info->tag,
			k->dreqs ? "after on_dreq" : "before on_rtu",
			state_name(ch));
	if (!iu || &z->conns[iu->conn] != k || !iu->sent ||
	    iu->kind != FC_CMD)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_cmd for tag %#llx, which this channel never received as SRP_CMD",
			(unsigned long long)k->ch_id,
			(unsigned long long)info->tag);
	if (iu->delivered || srpt_io_get_channel(io) != ch)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_cmd twice for tag %#llx",
			(unsigned long long)k->ch_id,
			(unsigned long long)iu->tag);
	if (!iu->decoded || info->dir != iu->dir ||
	    info->data_len != iu->data_len || memcmp(info->lun, iu->lun, 8))
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_cmd for tag %#llx says dir %d, %u bytes; sent dir %d, %u bytes (decodes: %d)",
			(unsigned long long)k->ch_id,
			(unsigned long long)iu->tag, info->dir, info->data_len,
			iu->dir, iu->data_len, iu->decoded);
	return iu;
}

static void cb_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *ud)
{
	struct fc *z = ud;
	struct fc_conn *k = fc_conn_of(z, ch);
	struct fc_iu *iu = cmd_check(z, k, ch, io);
	void *priv = srpt_io_get_priv(io);

	fc_trace(z, "  on_cmd tag %#llx: action %d", (unsigned long long)iu->tag,
		 iu->action);
	if (priv)
		memset(priv, 0x5c, z->opts.io_priv_size);
	iu->delivered = true;
	iu->io = io;
	held_add(z, iu);
	switch (iu->action) {
	case FC_HOLD:
		break;
	case FC_FETCH_REG:
	case FC_FETCH_UNREG:
		fc_app_fetch(z, iu, (iu->action == FC_FETCH_REG) |
			     (iu->done_after_fetch ? 0x10 : 0) |
			     (uint8_t)((iu->tag & 3) << 1));
		break;
	default:
		fc_app_complete(z, iu, iu->action);
		break;
	}
}

static int cb_on_tmf(struct srpt_channel *ch, const struct srpt_tmf_info *tmf,
		     void *ud)
{
	uint8_t func = tmf->func;
	const uint8_t *lun = tmf->lun;
	struct fc *z = ud;
	struct fc_conn *k = fc_conn_of(z, ch);

	if (k->dreqs || srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		fc_fail(z, FC_INV_CALLBACK, "channel %llu: on_tmf in state %s%s",
			(unsigned long long)k->ch_id, state_name(ch),
			k->dreqs ? ", after on_dreq" : "");
	fc_trace(z, "  on_tmf channel %llu: func %#x lun %u",
		 (unsigned long long)k->ch_id, func, lun[1]);
	/* LUN 3 does not exist for this application */
	if (lun[1] == 3)
		return SRPT_TSK_MGMT_INCORRECT_LUN;
	/* The request takes effect when this returns: the commands it
	 * covers (on every channel of its scope) are aborted now, and get
	 * no response even if its own answer never comes (its channel may
	 * close first). */
	for (unsigned int i = 0; i < z->nius; i++) {
		struct fc_iu *iu = &z->ius[i];

		if (&z->conns[iu->conn] == k && iu->kind == FC_TM &&
		    iu->tag == tmf->tag) {
			if (iu->tmf_seen || iu->tm_func != func ||
			    memcmp(iu->lun, lun, 8) ||
			    (func == SRPT_TSK_ABORT_TASK &&
			     iu->task_tag != tmf->task_tag))
				fc_fail(z, FC_INV_CALLBACK, "on_tmf for tag %#llx does not say what was sent",
					(unsigned long long)iu->tag);
			iu->tmf_seen = true;
			fc_tm_resolve(z, iu, true);
			break;
		}
	}
	return 0;
}

void fc_app_init(struct fc *z)
{
	fc_cur = z;
	z->ops.on_req = cb_on_req;
	z->ops.on_rtu = cb_on_rtu;
	z->ops.on_dreq = cb_on_dreq;
	z->ops.on_drained = cb_on_drained;
	z->ops.on_cmd = cb_on_cmd;
	z->ops.on_tmf = cb_on_tmf;
	z->ops.size = sizeof(z->ops);
}
