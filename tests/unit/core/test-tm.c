/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Task management over an I_T nexus of several channels, as the Linux
 * initiator opens them (ch_count channels, task management on one): the
 * task set functions and ABORT TASK reach every channel of the nexus,
 * LUN RESET every nexus; commands of other LUNs, and the task set of
 * other nexuses, are untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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
	uint8_t iu[64];
	int n;

	tm.lun[1] = lun;
	n = srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
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
	struct srpt_io_result res = { .expected_len = SRPT_LEN_AS_DESCRIBED };
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
			struct srpt_io_result res = {
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

static Suite *tm_suite(void)
{
	Suite *s = suite_create("core-tm");
	TCase *tc = tcase_create("nexus");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_abort_task_set_nexus);
	tcase_add_test(tc, test_clear_task_set_nexus);
	tcase_add_test(tc, test_lun_reset_every_nexus);
	tcase_add_test(tc, test_abort_task_other_channel);
	tcase_add_test(tc, test_abort_task_scope);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(tm_suite)
