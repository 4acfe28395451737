/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The data path through the fake: what on_cmd sees, what gets posted for
 * reads and writes (the hot-path counters of the performance issue: one
 * post call and one signaled work request per I/O, no allocation with
 * registered memory), descriptors, residuals, sense data, credits, task
 * management, the wait list, and send queue parking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/byteorder.h"

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static void complete_data(struct srpt_io *io, const struct srpt_sge *sg,
			  unsigned int nsge, uint32_t expected)
{
	struct srpt_io_result res = {
		.status = 0,
		.data = sg,
		.nsge = nsge,
		.expected_len = expected,
	};

	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
}

/* ---- send queue parking ---- */

START_TEST(test_sq_parking)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_stats st;
	uint8_t iu[128];
	uint8_t *remote = calloc(1, 65536);
	uint32_t rkey;
	uint8_t *mem;

	a->auto_complete = false;
	a->opts.queue_depth = 16;
	ck_assert_int_eq(app_start(a), 0);
	fake_set_sq_cap(a->f, 8);	/* 7 slots for chains, 1 for the drain */
	rkey = fake_remote_add(a->f, remote, 65536);
	mem = app_mem(a, 65536);
	c = app_login_live(a, 1);
	for (int i = 0; i < 16; i++) {
		struct cmd_spec s = { .tag = 0x100 + i, .fmt_in =
				      SRPT_DATA_FMT_DIRECT };
		int n;

		s.direct = (struct srpt_buf_desc){ (uintptr_t)remote + 4096 * i,
						   rkey, 4096 };
		n = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	}
	ck_assert_uint_eq(app_held(a), 16);
	fill(mem, 65536, 5);
	for (int i = 0; i < 16; i++) {
		struct srpt_io *io = app_take_tag(a, 0x100 + i);

		complete_data(io, &(struct srpt_sge){ mem + 4096 * i, 4096,
			      a->mr }, 1, SRPT_LEN_AS_DESCRIBED);
	}
	/* each chain takes two slots (WRITE + SEND, counted with its local
	 * piece: 3): only some fit, the rest are parked */
	ck_assert_uint_lt(fake_sq_len(c), 16);
	while (fake_sq_len(c))
		fake_complete_sends(c, 1, 0);
	ck_assert_uint_eq(fake_sent_count(c), 16);
	ck_assert_mem_eq(remote, mem, 65536);
	app_stats(a, &st);
	ck_assert_uint_eq(st.post_chain_calls, 16);
	app_end(a);
	free(remote);
}
END_TEST

/* Parked chains of a channel that closes are given back. */
START_TEST(test_sq_parking_close)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	uint8_t iu[128];

	a->auto_complete = false;
	a->opts.queue_depth = 16;
	ck_assert_int_eq(app_start(a), 0);
	fake_set_sq_cap(a->f, 4);
	c = app_login_live(a, 1);
	for (int i = 0; i < 12; i++) {
		struct cmd_spec s = { .tag = 0x100 + i };
		int n = mk_cmd(&s, iu, sizeof(iu));

		ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	}
	app_complete_all(a);
	ck_assert_uint_le(fake_sq_len(c), 3);
	srpt_channel_close(fake_conn_channel(c));
	app_end(a);
}
END_TEST

static Suite *datapath_suite(void)
{
	Suite *s = suite_create("core-datapath");
	TCase *tc = tcase_create("datapath");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sq_parking);
	tcase_add_test(tc, test_sq_parking_close);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(datapath_suite)
