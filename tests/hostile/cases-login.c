/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Login cases: one RDMA/CM connect each, with a 56-byte login request
 * that is good or broken in one field, and the exact LOGIN_RSP or
 * LOGIN_REJ that must come back.
 */
#include <errno.h>
#include <string.h>

#include "hostile.h"

#define IB_CM_REJ_CONSUMER_DEFINED 28

/* What a case changes in the default login. */
enum mut {
	M_IU_LEN,	/* it_iu_len = value */
	M_BUF_FMT,	/* buf_fmt = value */
	M_MC,		/* multi-channel action = value */
	M_IMM_OFF,	/* imm_data_offset = value (0xffff: it_iu_len + 1) */
	M_TPORT,	/* 1: id_ext half wrong, 2: ioc_guid half, 3: both */
	M_OPCODE,	/* byte 11 = value */
};

struct login_case {
	enum mut mut;
	uint32_t value;
	uint32_t reason;	/* 0: must be accepted */
};

static void mutate(struct w_login *l, const struct login_case *lc)
{
	switch (lc->mut) {
	case M_IU_LEN:
		l->it_iu_len = lc->value;
		break;
	case M_BUF_FMT:
		l->buf_fmt = (uint16_t)lc->value;
		break;
	case M_MC:
		l->flags = (uint8_t)((l->flags & ~3u) | lc->value);
		break;
	case M_IMM_OFF:
		l->imm_off = (uint16_t)(lc->value == 0xffff ? l->it_iu_len + 1 :
					lc->value);
		break;
	case M_TPORT:
		if (lc->value & 1)
			l->tport[7] ^= 0x5a;
		if (lc->value & 2)
			l->tport[15] ^= 0xa5;
		break;
	case M_OPCODE:
		l->opcode = (uint8_t)lc->value;
		break;
	}
}

/* LOGIN_REJ: 0 opcode 0xC2 | 4 reason | 8 tag | 24 buf_fmt. */
static int check_rej(const struct hconn *c, int r, const struct w_login *l,
		     uint32_t reason)
{
	if (r == HC_ACCEPTED)
		return failf("expected LOGIN_REJ 0x%08x, got the login accepted",
			     reason);
	if (r != HC_REJECTED)
		return failf("expected LOGIN_REJ 0x%08x, got %s (CM event %d)",
			     reason, strerror(-r), c->cm_event);
	if (c->cm_status != IB_CM_REJ_CONSUMER_DEFINED)
		return failf("expected a consumer-defined CM reject (28), got CM reject status %d",
			     c->cm_status);
	if (c->pdata_len < W_LOGIN_REJ_LEN)
		return failf("expected 32 bytes of LOGIN_REJ, got %u bytes of private data",
			     c->pdata_len);
	if (c->pdata[0] != W_LOGIN_REJ)
		return failf("expected LOGIN_REJ opcode 0xc2, got 0x%02x",
			     c->pdata[0]);
	if (r32(c->pdata + 4) != reason)
		return failf("expected LOGIN_REJ reason 0x%08x, got 0x%08x",
			     reason, r32(c->pdata + 4));
	if (r64(c->pdata + 8) != l->tag)
		return failf("expected the login tag 0x%016llx echoed, got 0x%016llx",
			     (unsigned long long)l->tag,
			     (unsigned long long)r64(c->pdata + 8));
	if (r16(c->pdata + 24) != 0x0006)
		return failf("expected LOGIN_REJ buf_fmt 0x0006, got 0x%04x",
			     r16(c->pdata + 24));
	return 0;
}

/* LOGIN_RSP: 0 opcode 0xC0 | 4 credits | 8 tag | 16 max_it | 20 max_ti |
 * 24 buf_fmt | 26 flags. @imm: whether IMMED_SUPP must be set. */
static int check_rsp_fields(const struct hconn *c, const struct w_login *l,
			    int imm, uint8_t mc)
{
	if (c->pdata_len < W_LOGIN_RSP_LEN)
		return failf("expected a 52-byte LOGIN_RSP, got %u bytes",
			     c->pdata_len);
	if (c->pdata[0] != W_LOGIN_RSP)
		return failf("expected LOGIN_RSP opcode 0xc0, got 0x%02x",
			     c->pdata[0]);
	if (r64(c->pdata + 8) != l->tag)
		return failf("expected the login tag 0x%016llx echoed, got 0x%016llx",
			     (unsigned long long)l->tag,
			     (unsigned long long)r64(c->pdata + 8));
	if (c->credits == 0)
		return failf("expected req_lim_delta > 0, got 0");
	if (c->max_it < 64 || c->max_it > l->it_iu_len)
		return failf("expected 64 <= max_it_iu_len <= %u, got %u",
			     l->it_iu_len, c->max_it);
	if (c->max_ti < W_RSP_LEN + 4)
		return failf("expected max_ti_iu_len >= 40, got %u", c->max_ti);
	if (c->buf_fmt != 0x0006)
		return failf("expected LOGIN_RSP buf_fmt 0x0006, got 0x%04x",
			     c->buf_fmt);
	if (!!(c->rsp_flags & W_RSP_IMMED_SUPP) != imm)
		return failf("expected IMMED_SUPP %s (rsp_flags 0x%02x, imm_data_offset %u, it_iu_len %u)",
			     imm ? "set" : "clear", c->rsp_flags, l->imm_off,
			     l->it_iu_len);
	if ((c->rsp_flags & W_RSP_MC_MASK) != mc)
		return failf("expected multi-channel result %u, got %u", mc,
			     c->rsp_flags & W_RSP_MC_MASK);
	return 0;
}

static int case_login(const void *arg)
{
	const struct login_case *lc = arg;
	struct w_login l;
	struct hconn_cfg cfg;
	struct hconn c;
	int r, fail;

	login_default(&l);
	mutate(&l, lc);
	cfg_default(&cfg);
	r = hc_connect(&c, &l, &cfg);
	if (lc->reason) {
		fail = check_rej(&c, r, &l, lc->reason);
	} else if (r != HC_ACCEPTED) {
		fail = failf("expected the login to be accepted, got %s",
			     r == HC_REJECTED ? "LOGIN_REJ" : strerror(-r));
		if (r == HC_REJECTED && c.pdata_len >= 8)
			notef("reject reason 0x%08x", r32(c.pdata + 4));
	} else {
		int imm = (l.flags & W_IMMED_REQUESTED) && l.imm_off >= 52 &&
			  l.imm_off < l.it_iu_len;

		fail = check_rsp_fields(&c, &l, imm,
					(l.flags & 3) == W_MC_MULTI ?
					W_RSP_MC_MAINTAINED : W_RSP_MC_NO_CHAN);
		if (!fail)
			fail = expect_alive(&c, "the login");
	}
	hc_close(&c);
	return fail;
}

/* SINGLE on a nexus that has a channel: the old one is closed. */
static int case_single_terminates(const void *arg)
{
	struct w_login l1, l2;
	struct hconn a, b;
	int fail;

	login_default(&l1);
	if (sess_open(&a, &l1, NULL)) {
		hc_close(&a);
		return 1;
	}
	l2 = l1;
	l2.tag = new_tag();
	if (sess_open(&b, &l2, NULL)) {
		hc_close(&b);
		hc_close(&a);
		return 1;
	}
	fail = check_rsp_fields(&b, &l2, 1, W_RSP_MC_TERMINATED);
	if (!fail)
		fail = expect_gone(&a, "a second SINGLE login of the same nexus");
	if (!fail)
		fail = expect_alive(&b, "the SINGLE login");
	hc_close(&b);
	hc_close(&a);
	return fail;
}

/* MULTI on a nexus that has a channel: both stay. */
static int case_multi_maintained(const void *arg)
{
	struct w_login l1, l2;
	struct hconn a, b;
	int fail;

	login_default(&l1);
	if (sess_open(&a, &l1, NULL)) {
		hc_close(&a);
		return 1;
	}
	l2 = l1;
	l2.tag = new_tag();
	l2.flags = W_MC_MULTI | W_IMMED_REQUESTED;
	if (sess_open(&b, &l2, NULL)) {
		hc_close(&b);
		hc_close(&a);
		return 1;
	}
	fail = check_rsp_fields(&b, &l2, 1, W_RSP_MC_MAINTAINED);
	if (!fail)
		fail = expect_alive(&a, "a MULTI login of the same nexus");
	if (!fail)
		fail = expect_alive(&b, "the MULTI login");
	hc_close(&b);
	hc_close(&a);
	return fail;
}

#define LC(n, m, v, rs, w) { n, case_login, \
	&(const struct login_case){ m, v, rs }, w }

const struct hcase login_cases[] = {
	LC("login-good", M_IU_LEN, 8260, 0,
	   "default login: LOGIN_RSP 0xC0, tag echoed, credits, buf_fmt 6, IMMED_SUPP"),
	LC("login-it-iu-len-0", M_IU_LEN, 0, W_REJ_IU_LEN,
	   "req_it_iu_len 0 -> LOGIN_REJ 0x00010002"),
	LC("login-it-iu-len-63", M_IU_LEN, 63, W_REJ_IU_LEN,
	   "req_it_iu_len 63 -> LOGIN_REJ 0x00010002"),
	LC("login-it-iu-len-64", M_IU_LEN, 64, 0,
	   "req_it_iu_len 64 -> accepted, no immediate data (68 > 64)"),
	LC("login-it-iu-len-1m", M_IU_LEN, 1u << 20, W_REJ_IU_LEN,
	   "req_it_iu_len 1 MiB -> LOGIN_REJ 0x00010002"),
	LC("login-it-iu-len-4g", M_IU_LEN, 0xffffffffu, W_REJ_IU_LEN,
	   "req_it_iu_len 0xffffffff -> LOGIN_REJ 0x00010002"),
	LC("login-buf-fmt-0", M_BUF_FMT, 0, W_REJ_BUF_FMT,
	   "req_buf_fmt 0 -> LOGIN_REJ 0x00010004"),
	LC("login-buf-fmt-0001", M_BUF_FMT, 0x0001, W_REJ_BUF_FMT,
	   "req_buf_fmt 0x0001 -> LOGIN_REJ 0x00010004"),
	LC("login-buf-fmt-fff8", M_BUF_FMT, 0xfff8, W_REJ_BUF_FMT,
	   "req_buf_fmt 0xfff8 -> LOGIN_REJ 0x00010004"),
	LC("login-buf-fmt-direct", M_BUF_FMT, 0x0002, 0,
	   "req_buf_fmt 0x0002 (direct only) -> accepted"),
	LC("login-mc-2", M_MC, 2, W_REJ_MULTICHAN,
	   "multi-channel action 2 -> LOGIN_REJ 0x00010005"),
	LC("login-mc-3", M_MC, 3, W_REJ_MULTICHAN,
	   "multi-channel action 3 -> LOGIN_REJ 0x00010005"),
	LC("login-imm-off-0", M_IMM_OFF, 0, 0,
	   "IMMED_REQUESTED, imm_data_offset 0 -> accepted without IMMED_SUPP"),
	LC("login-imm-off-10", M_IMM_OFF, 10, 0,
	   "IMMED_REQUESTED, imm_data_offset 10 -> accepted without IMMED_SUPP"),
	LC("login-imm-off-47", M_IMM_OFF, 47, 0,
	   "IMMED_REQUESTED, imm_data_offset 47 -> accepted without IMMED_SUPP"),
	LC("login-imm-off-past-iu", M_IMM_OFF, 0xffff, 0,
	   "IMMED_REQUESTED, imm_data_offset > it_iu_len -> accepted without IMMED_SUPP"),
	LC("login-imm-off-65534", M_IMM_OFF, 0xfffe, 0,
	   "IMMED_REQUESTED, imm_data_offset 65534 -> accepted without IMMED_SUPP"),
	LC("login-tport-both", M_TPORT, 3, W_REJ_ASSOCIATE,
	   "target port id wrong in both halves -> LOGIN_REJ 0x00010003"),
	LC("login-tport-id-ext", M_TPORT, 1, W_REJ_ASSOCIATE,
	   "target port id: id_ext half wrong -> LOGIN_REJ 0x00010003"),
	LC("login-tport-guid", M_TPORT, 2, W_REJ_ASSOCIATE,
	   "target port id: ioc_guid half wrong -> LOGIN_REJ 0x00010003"),
	LC("login-opcode-01", M_OPCODE, 0x01, W_REJ_UNABLE_ESTABLISH,
	   "opcode 0x01 at byte 11 -> LOGIN_REJ 0x00010000"),
	LC("login-opcode-ff", M_OPCODE, 0xff, W_REJ_UNABLE_ESTABLISH,
	   "opcode 0xff at byte 11 -> LOGIN_REJ 0x00010000"),
	{ "login-single-terminates", case_single_terminates, NULL,
	  "two SINGLE logins of one nexus: TERMINATED, the first is disconnected" },
	{ "login-multi-maintained", case_multi_maintained, NULL,
	  "SINGLE then MULTI of one nexus: MAINTAINED, both usable" },
	{ NULL, NULL, NULL, NULL },
};
