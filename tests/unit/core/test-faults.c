/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Fault injection: one scenario (logins, I/O with registered and bounce
 * memory, task management, a SINGLE login ending another channel, a
 * deferred login, teardown) is run again and again with one failure
 * injected, walked over every allocation (srpt_fault_hook) and over
 * every call of every transport op that can fail. Whatever fails, each
 * channel on_req saw gets on_drained exactly once, nothing is left, and
 * nothing leaks (LSan, one forked child per failure point).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"
#include "util/alloc.h"
#include "util/byteorder.h"

#define MAX_ALLOCS 128

/* Calls of each failable op the walk covers (the coverage test checks
 * that the scenario makes no more). */
static const unsigned int op_max[FAKE_OP_FAILABLE] = {
	[FAKE_OP_LISTEN] = 1,
	[FAKE_OP_REG_MEM] = 24,
	[FAKE_OP_CH_CREATE] = 6,
	[FAKE_OP_ACCEPT] = 6,
	[FAKE_OP_REJECT] = 4,
	[FAKE_OP_DISCONNECT] = 6,
	[FAKE_OP_QP_TO_ERROR] = 6,
	[FAKE_OP_POST_DRAIN] = 6,
	[FAKE_OP_POST_RECV] = 64,
	[FAKE_OP_POST_CHAIN] = 32,
	[FAKE_OP_SRQ_CREATE] = 4,
	[FAKE_OP_SRQ_POST] = 48,
};

/* The walks run twice: channels with receive rings of their own, and on
 * a shared receive queue (SRPT_TARGET_SRQ). */
static bool srq_mode;

static unsigned long alloc_calls, alloc_fail_at;
static bool alloc_fired;
static char alloc_site[64];

static int alloc_hook(const char *site)
{
	if (++alloc_calls != alloc_fail_at)
		return 0;
	alloc_fired = true;
	snprintf(alloc_site, sizeof(alloc_site), "%s", site);
	return 1;
}

static struct srpt_io *take_one(struct app *a)
{
	return app_held(a) ? app_take(a, 0) : NULL;
}

static void complete_check(struct srpt_io *io)
{
	struct srpt_io_result res = { .size = sizeof(res), .status = 2,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	srpt_io_complete(io, &res);
}

static void fetch_cb(struct srpt_io *io, int status, void *arg)
{
	struct srpt_io_result res = { .size = sizeof(res), .status = status ? 2 : 0,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	srpt_io_complete(io, &res);
}

static void deliver(struct fake_conn *c, const struct cmd_spec *s)
{
	uint8_t iu[8400];
	int n = mk_cmd(s, iu, sizeof(iu));

	ck_assert_int_gt(n, 0);
	fake_deliver(c, iu, (uint32_t)n);
}

static bool live(struct fake_conn *c)
{
	struct srpt_channel *ch = fake_conn_channel(c);

	return ch && srpt_channel_get_state(ch) == SRPT_CH_LIVE;
}

static int count_visit(struct srpt_channel *ch, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void io_round(struct app *a, struct fake_conn *c, uint8_t *remote,
		     uint32_t rkey, uint8_t *plain)
{
	static uint8_t imm[4096];
	struct cmd_spec s;
	struct srpt_io *io;

	if (!live(c))
		return;
	/* READ 4 KiB from registered memory, then through a bounce */
	for (int bounce = 0; bounce < 2; bounce++) {
		memset(&s, 0, sizeof(s));
		s.tag = 0x10 + bounce;
		s.fmt_in = SRPT_DATA_FMT_DIRECT;
		s.direct = (struct srpt_buf_desc){ (uintptr_t)remote, rkey, 4096 };
		deliver(c, &s);
		if ((io = take_one(a))) {
			struct srpt_sge sg = { bounce || !a->mr ? plain : a->mem,
					       4096, bounce ? NULL : a->mr };
			struct srpt_io_result res = { .size = sizeof(res),
				.data = &sg, .nsge = 1,
				.expected_len = SRPT_LEN_AS_DESCRIBED,
			};

			srpt_io_complete(io, &res);
		}
		fake_complete_sends(c, UINT32_MAX, 0);
	}
	/* WRITE 4 KiB by RDMA READ into a bounce buffer */
	memset(&s, 0, sizeof(s));
	s.tag = 0x20;
	s.fmt_out = SRPT_DATA_FMT_DIRECT;
	s.direct = (struct srpt_buf_desc){ (uintptr_t)remote, rkey, 4096 };
	deliver(c, &s);
	if ((io = take_one(a))) {
		struct srpt_sge sg = { plain, 4096, NULL };

		if (srpt_io_fetch_data(io, &sg, 1, fetch_cb, NULL) < 0)
			complete_check(io);
	}
	fake_complete_sends(c, UINT32_MAX, 0);
	fake_complete_sends(c, UINT32_MAX, 0);
	/* WRITE with immediate data */
	memset(&s, 0, sizeof(s));
	s.tag = 0x30;
	s.fmt_out = SRPT_DATA_FMT_IMM;
	s.imm = imm;
	s.total_len = sizeof(imm);
	s.imm_offset = 68;
	deliver(c, &s);
	if ((io = take_one(a))) {
		struct srpt_sge sg = { plain, 4096, NULL };

		srpt_io_fetch_data(io, &sg, 1, fetch_cb, NULL);
		complete_check(io);
	}
	/* READ whose descriptor table is in initiator memory: the table
	 * pool, the table's RDMA READ, then the data */
	memset(&s, 0, sizeof(s));
	s.tag = 0x38;
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	{
		uint8_t *table = remote + 4096;
		static struct srpt_buf_desc first;

		for (int i = 0; i < 2; i++) {
			put_be64(table + 16 * i, (uintptr_t)remote + 2048 *
				 (unsigned int)i);
			put_be32(table + 16 * i + 8, rkey);
			put_be32(table + 16 * i + 12, 2048);
		}
		first = (struct srpt_buf_desc){ (uintptr_t)remote, rkey, 2048 };
		s.list = &first;	/* one of two inline */
		s.nlist = 1;
		s.table_cnt = 2;
		s.table = (struct srpt_buf_desc){ (uintptr_t)table, rkey, 32 };
		s.total_len = 4096;
	}
	deliver(c, &s);
	fake_complete_sends(c, UINT32_MAX, 0);
	if ((io = take_one(a))) {
		struct srpt_sge sg = { plain, 4096, NULL };
		struct srpt_io_result res = { .size = sizeof(res),
			.data = &sg, .nsge = 1,
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		srpt_io_complete(io, &res);
	}
	fake_complete_sends(c, UINT32_MAX, 0);
	/* ABORT TASK of a command the app holds */
	memset(&s, 0, sizeof(s));
	s.tag = 0x40;
	deliver(c, &s);
	{
		struct srpt_tsk_mgmt tm = { .tag = 0x41, .task_tag = 0x40,
			.tsk_mgmt_func = SRPT_TSK_ABORT_TASK };
		uint8_t iu[SRPT_TSK_MGMT_LEN];

		srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
		fake_deliver(c, iu, sizeof(iu));
	}
	app_complete_all(a);
	fake_complete_sends(c, UINT32_MAX, 0);
}

/* The scenario; every step copes with whatever failed before. */
static void scenario(struct app *a)
{
	struct srpt_login_req req;
	struct fake_conn *c1, *c2, *c3;
	uint8_t *remote = calloc(1, 8192), *plain = calloc(1, 4096);
	uint32_t rkey;
	int n = 0;

	a->auto_complete = false;
	a->opts.queue_depth = 2;
	a->opts.io_priv_size = 64;	/* its allocation is walked too */
	if (srq_mode) {
		a->opts.flags |= SRPT_TARGET_SRQ;
		a->opts.srq_size = 16;
	}
	if (app_start(a)) {
		a->t = NULL;
		goto out;
	}
	a->mem = calloc(1, 65536);
	a->mem_len = 65536;
	if (srpt_target_reg_mem(a->t, a->mem, 65536, &a->mr))
		a->mr = NULL;
	rkey = fake_remote_add(a->f, remote, 8192);

	c1 = app_login(a, 1);
	fake_established(c1);
	app_dispatch(a);
	io_round(a, c1, remote, rkey, plain);

	/* SINGLE on the same nexus ends c1 */
	fake_login_req_init(a->f, &req, 1);
	req.req_flags &= ~3;
	c2 = fake_connect(a->f, &req);
	app_dispatch(a);
	fake_established(c2);
	app_dispatch(a);
	io_round(a, c2, remote, rkey, plain);

	/* a deferred login, accepted later */
	a->req_verdict = SRPT_LOGIN_DEFER;
	c3 = app_login(a, 3);
	a->req_verdict = SRPT_LOGIN_ACCEPT;
	if (fake_conn_channel(c3))
		srpt_channel_accept(fake_conn_channel(c3));
	app_dispatch(a);
	fake_established(c3);
	app_dispatch(a);

	/* an ACL reject */
	a->req_verdict = SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
	app_login(a, 4);
	a->req_verdict = SRPT_LOGIN_ACCEPT;

	srpt_target_foreach_channel(a->t, count_visit, &n);
	if (fake_conn_channel(c2))
		srpt_channel_close(fake_conn_channel(c2));
	app_dispatch(a);
	fake_disconnected(c2);
	app_dispatch(a);
	fake_flush(c2, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(a);
	app_finish(a);
out:
	free(remote);
	free(plain);
}

/* What the scenario does without failures, per mode: allocations, and
 * calls of each failable op. test_coverage, the first test, counts them
 * into memory shared with the forked children of the later tests. */
struct dry {
	unsigned long allocs[2];
	unsigned long ops[2][FAKE_OP_FAILABLE];
};
static struct dry *dry;

/* The scenario without failures: the walks below cover all of it. */
START_TEST(test_coverage)
{
	struct app *a = app_alloc();

	srq_mode = _i;
	alloc_calls = 0;
	alloc_fail_at = 0;
	srpt_fault_hook = alloc_hook;
	scenario(a);
	srpt_fault_hook = NULL;
	dry->allocs[srq_mode] = alloc_calls;
	for (int op = 0; op < FAKE_OP_FAILABLE; op++)
		dry->ops[srq_mode][op] = fake_op_calls(a->f, (enum fake_op)op);
	ck_assert_uint_gt(a->reqs, 3);
	ck_assert_uint_gt(a->cmds, 8);
	fprintf(stderr, "fault scenario%s: %lu allocations",
		srq_mode ? " (SRQ)" : "", alloc_calls);
	ck_assert_uint_lt(alloc_calls, MAX_ALLOCS);
	for (int op = 0; op < FAKE_OP_FAILABLE; op++) {
		unsigned long n = fake_op_calls(a->f, (enum fake_op)op);

		fprintf(stderr, ", %s %lu", fake_op_name((enum fake_op)op), n);
		ck_assert_msg(n <= op_max[op], "%s called %lu times",
			      fake_op_name((enum fake_op)op), n);
	}
	fprintf(stderr, "\n");
	app_check(a);
	app_free(a);
}
END_TEST


START_TEST(test_alloc_failure)
{
	struct app *a;

	srq_mode = _i >= MAX_ALLOCS;
	_i %= MAX_ALLOCS;
	/* Every run injects a failure: past the scenario's last
	 * allocation there is nothing to walk. */
	if ((unsigned long)_i >= dry->allocs[srq_mode])
		return;
	a = app_alloc();
	alloc_calls = 0;
	alloc_fail_at = (unsigned long)_i + 1;
	alloc_fired = false;
	srpt_fault_hook = alloc_hook;
	scenario(a);
	srpt_fault_hook = NULL;
	snprintf(a->ctx, sizeof(a->ctx), "allocation %lu (%s)%s",
		 alloc_fail_at, alloc_fired ? alloc_site : "not reached",
		 srq_mode ? ", SRQ" : "");
	ck_assert_msg(alloc_fired, "%s: the failure was never injected",
		      a->ctx);
	app_check(a);
	app_free(a);
}
END_TEST

static int fault_op_of(int i, unsigned int *nth)
{
	for (int op = 0; op < FAKE_OP_FAILABLE; op++) {
		if ((unsigned int)i < op_max[op]) {
			*nth = (unsigned int)i + 1;
			return op;
		}
		i -= (int)op_max[op];
	}
	return -1;
}

static int total_op_runs(void)
{
	int n = 0;

	for (int op = 0; op < FAKE_OP_FAILABLE; op++)
		n += (int)op_max[op];
	return n;
}

START_TEST(test_op_failure)
{
	static const int errs[] = { ENOMEM, EIO, EAGAIN, ENODEV };
	unsigned int nth = 0;
	struct app *a;
	int op;

	srq_mode = _i >= total_op_runs();
	op = fault_op_of(_i % total_op_runs(), &nth);
	ck_assert_int_ge(op, 0);
	/* Only calls the scenario makes: each run injects a failure. */
	if (nth > dry->ops[srq_mode][op])
		return;
	a = app_alloc();
	fake_fail_nth(a->f, (enum fake_op)op, nth, errs[nth % 4]);
	scenario(a);
	snprintf(a->ctx, sizeof(a->ctx), "%s call %u fails%s%s",
		 fake_op_name((enum fake_op)op), nth,
		 fake_fail_fired(a->f, (enum fake_op)op) ? "" :
		 " (not reached)", srq_mode ? ", SRQ" : "");
	ck_assert_msg(fake_fail_fired(a->f, (enum fake_op)op),
		      "%s: the failure was never injected", a->ctx);
	app_check(a);
	app_free(a);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("core-faults");
	TCase *tc = tcase_create("faults");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_coverage, 0, 2);
	tcase_add_loop_test(tc, test_alloc_failure, 0, 2 * MAX_ALLOCS);
	tcase_add_loop_test(tc, test_op_failure, 0, 2 * total_op_runs());
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int nf;

	dry = mmap(NULL, sizeof(*dry), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dry == MAP_FAILED)
		return 1;
	sr = srunner_create(faults_suite());
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
