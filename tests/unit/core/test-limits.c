/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * What one peer can take from the others: channels (per initiator and
 * per target, draining ones counted until they are gone) and the log
 * (lines a peer causes are rate-limited, with a count of what was left
 * out; lifecycle lines are not).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/byteorder.h"

static uint32_t reject_reason(struct fake_conn *c)
{
	struct fake_conn_info ci;
	struct srpt_login_rej rej;

	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_REJECT);
	ck_assert_int_eq(srpt_login_rej_decode(ci.answer_buf, ci.answer_len,
					       &rej), 0);
	return rej.reason;
}

START_TEST(test_initiator_channel_limit)
{
	struct app *a = app_alloc();
	struct fake_conn *c[6];

	a->opts.max_channels = 8;
	a->opts.max_initiator_channels = 4;
	ck_assert_int_eq(app_start(a), 0);
	for (int i = 0; i < 4; i++)
		c[i] = app_login_live(a, 1);
	/* the fifth of initiator 1 is refused ... */
	c[4] = app_login(a, 1);
	ck_assert_uint_eq(reject_reason(c[4]),
			  SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
	/* ... another initiator's first is not */
	c[5] = app_login_live(a, 2);
	/* a channel that is still draining counts; once gone, room again */
	srpt_channel_close(fake_conn_channel(c[0]));
	app_dispatch(a);
	ck_assert_uint_eq(reject_reason(app_login(a, 1)),
			  SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
	fake_disconnected(c[0]);
	app_dispatch(a);
	fake_flush(c[0], FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(a);
	app_login_live(a, 1);
	app_end(a);
}
END_TEST

START_TEST(test_target_channel_limit)
{
	struct app *a = app_alloc();

	a->opts.max_channels = 3;
	ck_assert_int_eq(app_start(a), 0);
	ck_assert_uint_eq(a->opts.max_initiator_channels, 0);
	for (int i = 0; i < 3; i++)
		app_login_live(a, 10 + (unsigned int)i);
	ck_assert_uint_eq(reject_reason(app_login(a, 20)),
			  SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES);
	app_end(a);
}
END_TEST

/* The documented defaults and bounds. */
START_TEST(test_limit_options)
{
	struct app *a = app_alloc();
	struct srpt_target *t;

	a->opts.max_initiator_channels = 10;
	a->opts.max_channels = 5;	/* fewer than one initiator's */
	ck_assert_int_eq(srpt_target_new_tp(&t, &a->opts, &fake_tp_ops, NULL), -EINVAL);
	a->opts.max_channels = 65537;
	a->opts.max_initiator_channels = 0;
	ck_assert_int_eq(srpt_target_new_tp(&t, &a->opts, &fake_tp_ops, NULL), -EINVAL);
	a->opts.max_channels = 0;
	a->opts.table_pool_size = 4096;	/* less than one table */
	ck_assert_int_eq(srpt_target_new_tp(&t, &a->opts, &fake_tp_ops, NULL), -EINVAL);
	a->opts.table_pool_size = 0;
	ck_assert_int_eq(app_start(a), 0);
	ck_assert_uint_eq(a->t->opts.max_channels, 256);
	ck_assert_uint_eq(a->t->opts.max_initiator_channels, 64);
	ck_assert_uint_eq(a->t->opts.table_pool_size, 1u << 20);
	app_end(a);
}
END_TEST

/* ---- the log ---- */

struct logcap {
	pthread_mutex_t lock;
	unsigned int lines, suppressed_lines;
	unsigned long suppressed;
	unsigned int lifecycle;
};

static void log_hook(int level, const char *line, void *ud)
{
	struct logcap *l = ud;
	unsigned long n;

	pthread_mutex_lock(&l->lock);
	l->lines++;
	if (sscanf(line, "%lu log messages caused by initiators suppressed",
		   &n) == 1) {
		l->suppressed_lines++;
		l->suppressed += n;
	}
	if (strstr(line, ": live"))
		l->lifecycle++;
	pthread_mutex_unlock(&l->lock);
}

START_TEST(test_log_flood)
{
	struct app *a = app_alloc();
	struct logcap l = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct fake_conn *c;
	struct srpt_stats st;
	uint8_t iu[64];
	int n;

	a->opts.log = log_hook;
	a->opts.log_userdata = &l;
	a->opts.log_level = SRPT_LOG_INFO;
	a->opts.queue_depth = 16;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);
	/* 2000 task management requests at line rate (each one a NOTICE):
	 * answered all, logged at most a window's worth */
	for (int i = 0; i < 2000; i++) {
		struct srpt_tsk_mgmt tm = {
			.tag = 0x100 + (uint64_t)i,
			.tsk_mgmt_func = SRPT_TSK_LUN_RESET,
		};

		n = srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
		ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
		fake_complete_sends(c, UINT32_MAX, 0);
	}
	ck_assert_uint_eq(fake_sent_count(c), 2000);
	ck_assert_uint_le(l.lines, 40);
	app_stats(a, &st);
	ck_assert_uint_ge(st.log_suppressed, 1960);
	/* a later window says how many were left out */
	fake_advance(a->f, 6000);
	app_login_live(a, 2);
	ck_assert_uint_eq(l.suppressed_lines, 1);
	ck_assert_uint_eq(l.suppressed, st.log_suppressed);
	/* lifecycle lines are never suppressed */
	ck_assert_uint_eq(l.lifecycle, 2);
	app_end(a);
}
END_TEST

static Suite *limits_suite(void)
{
	Suite *s = suite_create("core-limits");
	TCase *tc = tcase_create("limits");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_initiator_channel_limit);
	tcase_add_test(tc, test_target_channel_limit);
	tcase_add_test(tc, test_limit_options);
	tcase_add_test(tc, test_log_flood);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(limits_suite)
