/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Task management over an I_T nexus of several channels, as the Linux
 * initiator opens them (ch_count channels, task management on one): the
 * task set functions and ABORT TASK reach every channel of the nexus,
 * LUN RESET every nexus; commands of other LUNs, and the task set of
 * other nexuses, are untouched. On one channel: ABORT TASK of a command
 * the application holds or whose DATA-OUT is being fetched, ABORT TASK
 * SET and LUN RESET (answered once the last aborted command is done, with
 * every credit), and the answers to unknown, unsupported, refused and
 * short requests.
 */
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "util/byteorder.h"

#define NCH 3	/* channels A and B of initiator 1, C of initiator 2 */

struct nx {
	struct app *a;
	struct fake_conn *c[NCH];
	uint64_t tag[NCH][2];		/* per channel: LUN 1, LUN 2 */
	struct srpt_io *io[NCH][2];
};

static void nx_init(struct nx *x)
{
	memset(x, 0, sizeof(*x));
	x->a = app_alloc();
	x->a->auto_complete = false;
	ck_assert_int_eq(app_start(x->a), 0);
	x->c[0] = app_login_live(x->a, 1);
	x->c[1] = app_login_live(x->a, 1);
	x->c[2] = app_login_live(x->a, 2);
	for (int i = 0; i < NCH; i++) {
		for (int l = 0; l < 2; l++) {
			struct cmd_spec s = {
				.tag = 0x1000 + (uint64_t)(i * 16 + l),
			};
			uint8_t iu[128];
			int n;

			s.lun[1] = (uint8_t)(l + 1);
			n = mk_cmd(&s, iu, sizeof(iu));
			ck_assert_int_eq(fake_deliver(x->c[i], iu,
						      (uint32_t)n), 0);
			x->tag[i][l] = s.tag;
			x->io[i][l] = app_take_tag(x->a, s.tag);
			ck_assert_ptr_nonnull(x->io[i][l]);
		}
	}
}

static void deliver_tm(struct fake_conn *c, uint64_t tag, uint8_t func,
		       uint8_t lun, uint64_t task_tag)
{
	struct srpt_tsk_mgmt tm = {
		.tag = tag,
		.tsk_mgmt_func = func,
		.task_tag = task_tag,
	};
	uint8_t iu[SRPT_TSK_MGMT_LEN];

	tm.lun[1] = lun;
	ck_assert_int_eq(srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu)),
			 SRPT_TSK_MGMT_LEN);
	ck_assert_int_eq(fake_deliver(c, iu, sizeof(iu)), 0);
}

static bool sent_tag(struct fake_conn *c, uint64_t tag)
{
	for (unsigned int i = 0; i < fake_sent_count(c); i++) {
		struct srpt_rsp r;

		app_rsp_at(c, i, &r);
		if (r.tag == tag)
			return true;
	}
	return false;
}

/*
 * @func on channel A for LUN 1 must abort exactly the commands @hit
 * (bit i*2+l: channel i, LUN l+1): they get no response, the others get
 * theirs, and the task management response waits for the last aborted
 * one.
 */
static void run(uint8_t func, uint64_t task_tag, unsigned int hit)
{
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	struct nx x;
	int left = __builtin_popcount(hit);

	nx_init(&x);
	deliver_tm(x.c[0], 0x7e, func, 1, task_tag);
	/* complete every command in turn; the answer comes with the last
	 * aborted one, not before */
	for (int k = 0; k < NCH * 2; k++) {
		int i = k / 2, l = k % 2;

		ck_assert_msg(sent_tag(x.c[0], 0x7e) == (left == 0),
			      "task management answered with %d aborted commands left",
			      left);
		ck_assert_int_eq(srpt_io_complete(x.io[i][l], &res), 0);
		fake_complete_sends(x.c[i], UINT32_MAX, 0);
		if (hit & (1u << k))
			left--;
	}
	ck_assert(sent_tag(x.c[0], 0x7e));
	for (int i = 0; i < NCH; i++) {
		fake_complete_sends(x.c[i], UINT32_MAX, 0);
		for (int l = 0; l < 2; l++)
			ck_assert_msg(sent_tag(x.c[i], x.tag[i][l]) !=
				      !!(hit & (1u << (i * 2 + l))),
				      "channel %c LUN %d: %s", 'A' + i, l + 1,
				      hit & (1u << (i * 2 + l)) ?
				      "aborted, yet answered" :
				      "not covered, yet not answered");
	}
	app_end(x.a);
}

#define HIT(ch, lun) (1u << ((ch) * 2 + (lun) - 1))

START_TEST(test_abort_task_set_nexus)
{
	run(SRPT_TSK_ABORT_TASK_SET, 0, HIT(0, 1) | HIT(1, 1));
}
END_TEST

START_TEST(test_clear_task_set_nexus)
{
	run(SRPT_TSK_CLEAR_TASK_SET, 0, HIT(0, 1) | HIT(1, 1));
}
END_TEST

START_TEST(test_lun_reset_every_nexus)
{
	run(SRPT_TSK_LUN_RESET, 0, HIT(0, 1) | HIT(1, 1) | HIT(2, 1));
}
END_TEST

/* ABORT TASK on A of a command that travels on B: found. */
START_TEST(test_abort_task_other_channel)
{
	run(SRPT_TSK_ABORT_TASK, 0x1000 + 16, HIT(1, 1));
}
END_TEST

/* ... but not one of another nexus, nor one of another LUN. */
START_TEST(test_abort_task_scope)
{
	struct nx x;

	nx_init(&x);
	deliver_tm(x.c[0], 0x7f, SRPT_TSK_ABORT_TASK, 1, x.tag[2][0]);
	ck_assert(sent_tag(x.c[0], 0x7f));
	deliver_tm(x.c[0], 0x80, SRPT_TSK_ABORT_TASK, 1, x.tag[1][1]);
	ck_assert(sent_tag(x.c[0], 0x80));
	for (int i = 0; i < NCH; i++)
		for (int l = 0; l < 2; l++) {
			struct srpt_io_result res = { .size = sizeof(res),
				.expected_len = SRPT_LEN_AS_DESCRIBED,
			};

			ck_assert_int_eq(srpt_io_complete(x.io[i][l], &res), 0);
		}
	for (int i = 0; i < NCH; i++) {
		fake_complete_sends(x.c[i], UINT32_MAX, 0);
		for (int l = 0; l < 2; l++)
			ck_assert(sent_tag(x.c[i], x.tag[i][l]));
	}
	app_end(x.a);
}
END_TEST

/* ---- one channel ---- */

static void expect_tm_rsp(struct dp *d, uint64_t tag, uint8_t code,
			  uint32_t delta)
{
	struct srpt_rsp rsp;

	app_last_rsp(d->c, &rsp);
	ck_assert_uint_eq(rsp.tag, tag);
	ck_assert(rsp.flags & SRPT_RSP_RSPVALID);
	ck_assert_uint_eq(rsp.resp_data_len, 4);
	ck_assert_uint_eq(rsp.resp_data[3], code);
	ck_assert_uint_eq(rsp.req_lim_delta, delta);
}

START_TEST(test_abort_task)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	unsigned int sent;

	dp_init(&d, 0, 0);
	s = dp_read_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	sent = fake_sent_count(d.c);
	deliver_tm(d.c, 0xab, SRPT_TSK_ABORT_TASK, 1, s.tag);
	ck_assert_uint_eq(d.a->tmfs, 1);
	/* not answered while the command is with the application */
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	dp_complete(io, &(struct srpt_sge){ d.mem, 4096, d.a->mr }, 1);
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
	/* one credit for the TM, one for the aborted command */
	expect_tm_rsp(&d, 0xab, SRPT_TSK_MGMT_COMPLETE, 2);
	ck_assert(!sent_tag(d.c, s.tag));
	fake_complete_sends(d.c, UINT32_MAX, 0);
	dp_end(&d);
}
END_TEST

/* Aborting a command whose DATA-OUT is being fetched. */
START_TEST(test_abort_fetching)
{
	struct dp d;
	struct cmd_spec s;
	struct dp_fetch fc = { .complete = true };
	struct srpt_io *io;
	unsigned int sent;

	dp_init(&d, 0, 0);
	s = dp_write_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_io_fetch_data(io, &(struct srpt_sge){ d.mem,
			 4096, d.a->mr }, 1, dp_fetch_done, &fc), 0);
	sent = fake_sent_count(d.c);
	deliver_tm(d.c, 0xac, SRPT_TSK_ABORT_TASK, 1, s.tag);
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);	/* READ */
	ck_assert_int_eq(fc.calls, 1);
	expect_tm_rsp(&d, 0xac, SRPT_TSK_MGMT_COMPLETE, 2);
	ck_assert(!sent_tag(d.c, s.tag));
	fake_complete_sends(d.c, UINT32_MAX, 0);
	dp_end(&d);
}
END_TEST

START_TEST(test_abort_task_set)
{
	struct dp d;
	struct srpt_io *io[3];
	uint64_t tags[3];
	unsigned int sent;

	dp_init(&d, 0, 0);
	for (int i = 0; i < 3; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		if (i == 2)
			s.lun[1] = 2;	/* another LUN: not affected */
		tags[i] = s.tag;
		io[i] = dp_cmd(&d, &s);
	}
	sent = fake_sent_count(d.c);
	deliver_tm(d.c, 0xad, _i ? SRPT_TSK_LUN_RESET : SRPT_TSK_ABORT_TASK_SET,
		   1, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	dp_complete_len(io[0], NULL, 0, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	dp_complete_len(io[2], NULL, 0, 0);	/* answered normally */
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
	dp_complete_len(io[1], NULL, 0, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 2);
	/* the credit of an aborted command rides on the next response,
	 * whichever it is: 3 commands + 1 TM = 4 credits in 2 responses */
	{
		struct srpt_rsp r1, r2;

		app_rsp_at(d.c, sent, &r1);
		app_rsp_at(d.c, sent + 1, &r2);
		ck_assert_uint_eq(r1.tag, tags[2]);
		ck_assert_uint_eq(r1.req_lim_delta + r2.req_lim_delta, 4);
	}
	expect_tm_rsp(&d, 0xad, SRPT_TSK_MGMT_COMPLETE, 2);
	ck_assert(!sent_tag(d.c, tags[0]));
	ck_assert(!sent_tag(d.c, tags[1]));
	ck_assert(sent_tag(d.c, tags[2]));
	fake_complete_sends(d.c, UINT32_MAX, 0);
	dp_end(&d);
}
END_TEST

static int tmf_incorrect_lun(struct app *a, struct srpt_channel *ch,
			     uint8_t func, const uint8_t lun[8])
{
	return SRPT_TSK_MGMT_INCORRECT_LUN;
}

START_TEST(test_tm_answers)
{
	struct dp d;

	dp_init(&d, 0, 0);
	/* ABORT TASK of a tag nobody knows: FUNCTION COMPLETE */
	deliver_tm(d.c, 0x1, SRPT_TSK_ABORT_TASK, 1, 0x5555);
	expect_tm_rsp(&d, 0x1, SRPT_TSK_MGMT_COMPLETE, 1);
	/* unknown and unsupported functions */
	deliver_tm(d.c, 0x2, 0x80, 1, 0);
	expect_tm_rsp(&d, 0x2, SRPT_TSK_MGMT_FUNC_NOT_SUPP, 1);
	deliver_tm(d.c, 0x3, SRPT_TSK_CLEAR_ACA, 1, 0);
	expect_tm_rsp(&d, 0x3, SRPT_TSK_MGMT_FUNC_NOT_SUPP, 1);
	/* the application's answer */
	d.a->hooks.on_tmf = tmf_incorrect_lun;
	deliver_tm(d.c, 0x4, SRPT_TSK_LUN_RESET, 1, 0);
	expect_tm_rsp(&d, 0x4, SRPT_TSK_MGMT_INCORRECT_LUN, 1);
	d.a->hooks.on_tmf = NULL;
	/* a short TM: INVALID */
	{
		uint8_t iu[20] = { SRPT_OP_TSK_MGMT };

		put_tag(iu + 8, 0x5);
		ck_assert_int_eq(fake_deliver(d.c, iu, sizeof(iu)), 0);
		expect_tm_rsp(&d, 0x5, SRPT_TSK_MGMT_INVALID, 1);
	}
	fake_complete_sends(d.c, UINT32_MAX, 0);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(d.c)),
			 SRPT_CH_LIVE);
	dp_end(&d);
}
END_TEST

/*
 * A LUN RESET finds a command whose response went out unsignaled and
 * completed silently: the command is still a task until a completion
 * says its SEND is done, so the target asks for one with a fence, and
 * the TM response follows the fence's completion, not before.
 */
START_TEST(test_lun_reset_fences_unsignaled)
{
	struct dp d;
	unsigned int sent;

	dp_init(&d, 32, 0);
	{
		struct cmd_spec s = dp_read_spec(&d, 4096, 0);

		dp_complete(dp_cmd(&d, &s),
			    &(struct srpt_sge){ d.mem, 4096, d.a->mr }, 1);
	}
	ck_assert(dp_last_wr(&d)->unsignaled);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	sent = fake_sent_count(d.c);
	deliver_tm(d.c, 0x9, SRPT_TSK_LUN_RESET, 1, 0);
	app_dispatch(d.a);
	/* no answer yet: a fence went out instead */
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	ck_assert_uint_eq(fake_sq_len(d.c), 1);
	ck_assert(fake_sq_get(d.c, 0)->fence);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
	expect_tm_rsp(&d, 0x9, SRPT_TSK_MGMT_COMPLETE, 1);
	fake_complete_sends(d.c, UINT32_MAX, 0);
	dp_end(&d);
}
END_TEST

/*
 * LUN RESET on A aborts C's command (another nexus): no response will
 * carry its credit on C, so once C has nothing in flight the target
 * sends it with an SRP_CRED_REQ; the answer is taken quietly, and an
 * SRP_CRED_RSP nobody asked for ends the channel.
 */
START_TEST(test_cred_req_for_aborted_credit)
{
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	struct srpt_cred_req cr;
	struct srpt_cred_rsp ans;
	const uint8_t *p;
	uint8_t iu[SRPT_CRED_RSP_LEN];
	uint32_t len;
	unsigned int sent;
	struct nx x;

	nx_init(&x);
	/* C's LUN 2 command first: C then holds only the aborted one */
	ck_assert_int_eq(srpt_io_complete(x.io[2][1], &res), 0);
	fake_complete_sends(x.c[2], UINT32_MAX, 0);
	deliver_tm(x.c[0], 0x7e, SRPT_TSK_LUN_RESET, 1, 0);
	sent = fake_sent_count(x.c[2]);
	ck_assert_int_eq(srpt_io_complete(x.io[2][0], &res), 0);
	/* C's response to its LUN 2 command went unsignaled and is still
	 * outstanding: a fence asks for the completion that ends it, and
	 * then nothing is in flight. */
	ck_assert_uint_eq(fake_sent_count(x.c[2]), sent);
	ck_assert_uint_eq(fake_sq_len(x.c[2]), 1);
	ck_assert(fake_sq_get(x.c[2], 0)->fence);
	ck_assert_int_eq(fake_complete_sends(x.c[2], 1, 0), 1);
	ck_assert_uint_eq(fake_sent_count(x.c[2]), sent + 1);
	p = fake_sent(x.c[2], sent, &len);
	ck_assert_uint_eq(p[0], SRPT_OP_CRED_REQ);
	ck_assert_int_eq(srpt_cred_req_decode(p, len, &cr), 0);
	ck_assert_uint_eq(cr.req_lim_delta, 1);
	fake_complete_sends(x.c[2], UINT32_MAX, 0);
	ans.tag = cr.tag;
	srpt_cred_rsp_encode(&ans, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(x.c[2], iu, sizeof(iu)), 0);
	app_dispatch(x.a);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(x.c[2])),
			 SRPT_CH_LIVE);
	ck_assert_uint_eq(fake_sent_count(x.c[2]), sent + 1);
	/* the same answer again is one nobody asked for */
	ck_assert_int_eq(fake_deliver(x.c[2], iu, sizeof(iu)), 0);
	p = fake_sent(x.c[2], sent + 1, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p[0], SRPT_OP_T_LOGOUT);
	for (int i = 0; i < 2; i++)
		for (int l = 0; l < 2; l++)
			ck_assert_int_eq(srpt_io_complete(x.io[i][l], &res), 0);
	app_end(x.a);
}
END_TEST

/*
 * A LUN RESET on C waits for A's command, and C closes meanwhile: C is
 * drained but for the waiting request, which keeps it registered. The
 * command's end, on A's side, answers the request on a channel that can
 * no longer send: the answer is dropped, and only then does C reach
 * on_drained and go, once; A carries on. (The race this guards, C
 * freed while A's thread still buries the answer, is what core-stress
 * found: srpt_tm_one_done() pins C for it.)
 */
START_TEST(test_tm_outlives_its_channel)
{
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	struct srpt_channel *chc;
	unsigned long drained;
	unsigned int sent;
	struct nx x;

	nx_init(&x);
	deliver_tm(x.c[2], 0x7e, SRPT_TSK_LUN_RESET, 1, 0);
	/* everything but A's LUN 1 command ends: the request waits for it */
	for (int i = 0; i < NCH; i++) {
		for (int l = 0; l < 2; l++)
			if (i || l)
				ck_assert_int_eq(srpt_io_complete(x.io[i][l],
								  &res), 0);
		fake_complete_sends(x.c[i], UINT32_MAX, 0);
	}
	app_dispatch(x.a);
	for (int i = 0; i < NCH; i++)
		fake_complete_sends(x.c[i], UINT32_MAX, 0);
	ck_assert(!sent_tag(x.c[2], 0x7e));
	/* C closes, its peer's DREP comes, everything posted flushes */
	chc = fake_conn_channel_ref(x.c[2]);
	ck_assert_ptr_nonnull(chc);
	ck_assert_int_eq(srpt_channel_close(chc), 0);
	app_dispatch(x.a);
	ck_assert_int_eq(fake_disconnected(x.c[2]), 0);
	app_dispatch(x.a);
	fake_flush(x.c[2], FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(x.a);
	ck_assert_int_eq(srpt_channel_get_state(chc), SRPT_CH_DISCONNECTED);
	drained = x.a->drained;
	ck_assert_uint_eq(srpt_target_channel_count(x.a->t), NCH);
	sent = fake_sent_count(x.c[2]);
	/* A's command ends: the request is over, with nobody to tell */
	ck_assert_int_eq(srpt_io_complete(x.io[0][0], &res), 0);
	app_dispatch(x.a);
	ck_assert_uint_eq(fake_sent_count(x.c[2]), sent);
	ck_assert(!sent_tag(x.c[2], 0x7e));
	ck_assert_uint_eq(x.a->drained, drained + 1);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(x.c[0])),
			 SRPT_CH_LIVE);
	srpt_channel_unref(chc);
	ck_assert_uint_eq(srpt_target_channel_count(x.a->t), NCH - 1);
	fake_complete_sends(x.c[0], UINT32_MAX, 0);
	app_end(x.a);
}
END_TEST

static Suite *tm_suite(void)
{
	Suite *s = suite_create("core-tm");
	TCase *tc = tcase_create("nexus");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_task_set_nexus);
	tcase_add_test(tc, test_clear_task_set_nexus);
	tcase_add_test(tc, test_lun_reset_every_nexus);
	tcase_add_test(tc, test_lun_reset_fences_unsignaled);
	tcase_add_test(tc, test_abort_task_other_channel);
	tcase_add_test(tc, test_abort_task_scope);
	tcase_add_test(tc, test_cred_req_for_aborted_credit);
	tcase_add_test(tc, test_tm_outlives_its_channel);
	suite_add_tcase(s, tc);

	tc = tcase_create("channel");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_task);
	tcase_add_test(tc, test_abort_fetching);
	tcase_add_loop_test(tc, test_abort_task_set, 0, 2);
	tcase_add_test(tc, test_tm_answers);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(tm_suite)
