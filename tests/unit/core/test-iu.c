/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Information units as they arrive: every malformed IU gets its defined
 * answer (a logout, CHECK CONDITION, or nothing and the channel closes)
 * whatever lies past its end; immediate data on a channel that did not
 * negotiate it is refused; IUs that arrive before the channel is live
 * wait and are delivered in order.
 */
#include <errno.h>
#include <string.h>

#include "dp.h"
#include "util/byteorder.h"

/* ---- malformed IUs ---- */

enum bad_iu {
	B_ZERO, B_SHORT8, B_SHORT20, B_OPCODE, B_CRED_RSP, B_AER_RSP,
	B_FMT, B_ADD_CDB, B_IMM_PAST, B_IMM_HDR_CUT, B_DESC_CUT, B_I_LOGOUT,
	B_TOO_LONG, B_COUNT,
};

/* Build bad IU @k; returns its length. */
static uint32_t bad_iu(struct dp *d, enum bad_iu k, uint8_t *iu, size_t cap)
{
	struct cmd_spec s = dp_read_spec(d, 512, 0);
	static uint8_t data[600];
	int n;

	memset(iu, 0, cap);
	switch (k) {
	case B_ZERO:
		return 0;
	case B_SHORT8:
		iu[0] = SRPT_OP_CMD;
		return 8;
	case B_SHORT20:
		n = mk_cmd(&s, iu, cap);
		return 20;
	case B_OPCODE:
		iu[0] = 0x7f;
		put_tag(iu + 8, 0x42);
		return 16;
	case B_CRED_RSP:
		iu[0] = SRPT_OP_CRED_RSP;
		put_tag(iu + 8, 0x43);
		return 16;
	case B_AER_RSP:
		iu[0] = SRPT_OP_AER_RSP;
		put_tag(iu + 8, 0x44);
		return 16;
	case B_FMT:
		n = mk_cmd(&s, iu, cap);
		iu[5] = 0x05;		/* DATA-IN format 5: reserved */
		return (uint32_t)n;
	case B_ADD_CDB:
		n = mk_cmd(&s, iu, cap);
		iu[31] = 40 << 2;	/* 160 more CDB bytes than sent */
		return (uint32_t)n;
	case B_IMM_PAST:
	case B_IMM_HDR_CUT:
		s.fmt_in = 0;
		s.fmt_out = SRPT_DATA_FMT_IMM;
		s.imm = data;
		s.total_len = 512;
		s.imm_offset = 68;
		n = mk_cmd(&s, iu, cap);
		if (k == B_IMM_HDR_CUT)
			return 50;	/* inside the 4-byte header */
		ck_assert_int_eq(n, 68 + 512);
		return 68 + 500;	/* 12 bytes of data missing */
	case B_DESC_CUT:
		n = mk_cmd(&s, iu, cap);
		ck_assert_int_eq(n, 64);
		return 60;		/* inside the descriptor */
	case B_I_LOGOUT:
		iu[0] = SRPT_OP_I_LOGOUT;
		put_tag(iu + 8, 0x45);
		return 16;
	case B_TOO_LONG:
		return 0;
	default:
		break;
	}
	return 0;
}

/*
 * Every malformed IU gets its defined answer. The receive buffer is
 * filled with a sentinel before the copy and the bytes past byte_len are
 * poisoned (ASan); the answer must not change with the sentinel.
 */
START_TEST(test_malformed)
{
	enum bad_iu k = (enum bad_iu)_i;
	uint8_t answer[2][512];
	uint32_t alen[2] = { 0, 0 };
	bool closes = false;

	for (int pass = 0; pass < 2; pass++) {
		struct dp d;
		uint8_t iu[2048];
		uint32_t len;
		unsigned int sent;
		int rc;

		dp_init(&d, 0, 0);
		len = bad_iu(&d, k, iu, sizeof(iu));
		sent = fake_sent_count(d.c);
		if (k == B_TOO_LONG) {
			/* more than the negotiated IU size: the hardware
			 * fails the receive */
			static uint8_t big[9000];

			rc = fake_deliver(d.c, big, sizeof(big));
			ck_assert_int_eq(rc, -EMSGSIZE);
		} else {
			rc = fake_deliver_sentinel(d.c, iu, len,
						   pass ? 0xff : 0x00);
			ck_assert_int_eq(rc, 0);
		}
		ck_assert_uint_eq(d.a->cmds, 0);
		if (fake_sent_count(d.c) > sent) {
			const uint8_t *p = fake_sent(d.c, sent, &alen[pass]);

			ck_assert_uint_le(alen[pass], sizeof(answer[0]));
			memcpy(answer[pass], p, alen[pass]);
		}
		app_dispatch(d.a);
		closes = srpt_channel_get_state(fake_conn_channel(d.c)) !=
			 SRPT_CH_LIVE;
		fake_complete_sends(d.c, UINT32_MAX, 0);
		dp_end(&d);
	}
	ck_assert_uint_eq(alen[0], alen[1]);
	ck_assert_mem_eq(answer[0], answer[1], alen[0]);

	switch (k) {
	case B_ZERO:
	case B_SHORT8:
	case B_OPCODE:
	case B_CRED_RSP:
	case B_AER_RSP: {
		struct srpt_t_logout lo;
		static const uint32_t reason[] = {
			[B_ZERO] = SRPT_T_LOGOUT_INVALID_IU_LEN,
			[B_SHORT8] = SRPT_T_LOGOUT_INVALID_IU_LEN,
			[B_OPCODE] = SRPT_T_LOGOUT_INVALID_IU_TYPE,
			[B_CRED_RSP] = SRPT_T_LOGOUT_UNEXPECTED_RSP,
			[B_AER_RSP] = SRPT_T_LOGOUT_UNEXPECTED_RSP,
		};

		ck_assert_int_eq(srpt_t_logout_decode(answer[0], alen[0], &lo),
				 0);
		ck_assert_uint_eq(lo.reason, reason[k]);
		if (k >= B_OPCODE)
			ck_assert_uint_eq(lo.tag, 0x42 + (k - B_OPCODE));
		ck_assert(closes);
		break;
	}
	case B_SHORT20:
	case B_FMT:
	case B_ADD_CDB:
	case B_IMM_PAST:
	case B_IMM_HDR_CUT:
	case B_DESC_CUT: {
		struct srpt_rsp rsp;

		ck_assert_int_eq(srpt_rsp_decode(answer[0], alen[0], &rsp), 0);
		ck_assert_uint_eq(rsp.tag, 0x100);
		ck_assert_uint_eq(rsp.status, 2);
		ck_assert_uint_eq(rsp.sense[2], 0x05);
		ck_assert_uint_eq(rsp.sense[12], 0x0e);
		ck_assert_uint_eq(rsp.sense[13], 0x03);
		ck_assert(!closes);
		break;
	}
	case B_I_LOGOUT:
	case B_TOO_LONG:
		ck_assert_uint_eq(alen[0], 0);
		ck_assert(closes);
		break;
	default:
		break;
	}
}
END_TEST

/* Immediate data on a channel that did not negotiate it. */
START_TEST(test_imm_not_negotiated)
{
	struct app *a = app_alloc();
	struct srpt_login_req req;
	struct fake_conn *c;
	struct cmd_spec s = { .tag = 9 };
	static uint8_t data[512];
	uint8_t iu[1024];
	struct srpt_rsp rsp;
	int n;

	a->auto_complete = false;
	ck_assert_int_eq(app_start(a), 0);
	fake_login_req_init(a->f, &req, 1);
	req.req_flags &= ~SRPT_LOGIN_IMMED_REQUESTED;
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	fake_established(c);
	app_dispatch(a);
	s.fmt_out = SRPT_DATA_FMT_IMM;
	s.imm = data;
	s.total_len = sizeof(data);
	s.imm_offset = 68;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	ck_assert_uint_eq(a->cmds, 0);
	app_last_rsp(c, &rsp);
	ck_assert_uint_eq(rsp.tag, 9);
	ck_assert_uint_eq(rsp.status, 2);
	app_end(a);
}
END_TEST

/* ---- the wait list ---- */

START_TEST(test_replay_in_order)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	uint8_t iu[128];
	struct app_ch r;

	if (_i)
		a->req_verdict = SRPT_LOGIN_DEFER;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login(a, 1);
	/* The QP comes with the accept; an initiator sends once it has it
	 * (the REP), and its IUs may beat its RTU: 0, accepted in on_req;
	 * 1, accepted later, the RTU comes after the IUs; 2, accepted
	 * later, no RTU at all (the first IU establishes the channel). */
	if (_i) {
		ck_assert_int_eq(srpt_channel_accept(fake_conn_channel(c)), 0);
		app_dispatch(a);
	}
	for (int i = 0; i < 5; i++) {
		struct cmd_spec s = { .tag = 0x10 + i };
		int n = mk_cmd(&s, iu, sizeof(iu));

		ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	}
	ck_assert_uint_eq(a->cmds, 0);
	if (_i == 1)
		fake_established(c);
	app_dispatch(a);
	ck_assert_uint_eq(a->cmds, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(a->cmd_log[i], 0x10 + i);
	ck_assert(app_conn_ch(a, c, &r));
	ck_assert_str_eq(r.log, "RT");
	ck_assert_uint_eq(fake_sent_count(c), 5);
	app_end(a);
}
END_TEST

static Suite *iu_suite(void)
{
	Suite *s = suite_create("core-iu");
	TCase *tc = tcase_create("iu");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_malformed, 0, B_COUNT);
	tcase_add_test(tc, test_imm_not_negotiated);
	tcase_add_loop_test(tc, test_replay_in_order, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(iu_suite)
