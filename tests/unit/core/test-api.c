/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The API a storage target builds on: the release notification of a
 * command's memory, abort visibility (on_abort, srpt_io_is_aborted, the
 * task tag in on_tmf), extensible structs, registering before listening,
 * introspection, per-login parameters, and IUs of the target's own
 * (SRP_T_LOGOUT, SRP_AER_REQ).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "util/byteorder.h"

/* ---- the release notification ---- */

struct rel {
	struct app *a;
	int calls;
	struct srpt_io *io;
	uint64_t tag;
	int in_call;		/* set around the application's own calls */
};

static void on_release(struct srpt_io *io, void *arg)
{
	struct rel *r = arg;

	if (r->in_call)
		fake_error(r->a->f, "a release notification inside the application's call");
	r->calls++;
	r->io = io;
	r->tag = srpt_io_get_info(io)->tag;
}

static void complete_rel(struct srpt_io *io, struct rel *r,
			 const struct srpt_sge *sg, unsigned int nsge)
{
	struct srpt_io_result res = {
		.size = sizeof(res), .data = sg, .nsge = nsge,
		.expected_len = SRPT_LEN_AS_DESCRIBED,
		.release = on_release, .release_arg = r,
	};

	r->in_call++;
	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	r->in_call--;
}

/* After the response's SEND completed, not before: then the memory the
 * READ named may be reused. */
START_TEST(test_release_after_send)
{
	struct dp d;
	struct rel r = { 0 };
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;

	dp_init(&d, 0, 0);
	r.a = d.a;
	s = dp_read_spec(&d, 8192, 0);
	io = dp_cmd(&d, &s);
	sg = (struct srpt_sge){ d.mem, 8192, d.a->mr };
	dp_fill(d.mem, 8192, 3);
	complete_rel(io, &r, &sg, 1);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_uint_eq(r.tag, s.tag);
	ck_assert_mem_eq(d.remote, d.mem, 8192);
	app_assert_clean(d.a);
	dp_end(&d);
}
END_TEST

/* A command aborted or on a closing channel: nothing is sent, and the
 * notification comes from the dispatch thread, not inside the call. */
START_TEST(test_release_aborted)
{
	struct dp d;
	struct rel r = { 0 };
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;

	dp_init(&d, 0, 0);
	r.a = d.a;
	s = dp_read_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	if (_i) {
		srpt_channel_close(fake_conn_channel(d.c));
		app_dispatch(d.a);
	} else {
		struct srpt_tsk_mgmt tm = {
			.tag = 0x77, .tsk_mgmt_func = SRPT_TSK_ABORT_TASK,
			.task_tag = s.tag, .lun = { 0, 1 },
		};
		uint8_t iu[SRPT_TSK_MGMT_LEN];

		srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
		ck_assert_int_eq(dp_deliver(&d, iu, sizeof(iu)), 0);
	}
	ck_assert(srpt_io_is_aborted(io));
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	complete_rel(io, &r, &sg, 1);
	ck_assert_int_eq(r.calls, 0);
	app_dispatch(d.a);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_uint_eq(r.tag, s.tag);
	app_assert_clean(d.a);
	dp_end(&d);
}
END_TEST

/* ---- abort visibility ---- */

struct ab {
	int calls;
	uint64_t tag;
	bool complete;		/* the application completes it in on_abort */
	struct app *a;
};

static struct ab ab;

static void hook_abort(struct app *a, struct srpt_io *io)
{
	ab.calls++;
	ab.tag = srpt_io_get_info(io)->tag;
	if (!srpt_io_is_aborted(io))
		fake_error(a->f, "on_abort for a command that is not aborted");
	if (ab.complete) {
		struct srpt_io_result res = {
			.size = sizeof(res),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		/* the application gives it back from the note itself */
		app_take_tag(a, ab.tag);
		srpt_io_complete(io, &res);
	}
}

/* ABORT TASK: on_tmf hears the task tag, on_abort the command; when the
 * application completes it right there, the answer goes out at once. */
START_TEST(test_abort_visible)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_tsk_mgmt tm = {
		.tag = 0x78, .tsk_mgmt_func = SRPT_TSK_ABORT_TASK,
		.lun = { 0, 1 },
	};
	uint8_t iu[SRPT_TSK_MGMT_LEN];
	unsigned int sent;

	memset(&ab, 0, sizeof(ab));
	ab.complete = _i;
	dp_init(&d, 0, 0);
	d.a->hooks.on_abort = hook_abort;
	s = dp_read_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	if (_i)	/* back in the held list: hook_abort takes it */
		app_owned_add(d.a, fake_conn_channel(d.c), 0);
	tm.task_tag = s.tag;
	srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
	sent = fake_sent_count(d.c);
	ck_assert_int_eq(dp_deliver(&d, iu, sizeof(iu)), 0);
	ck_assert_uint_eq(d.a->last_tmf.func, SRPT_TSK_ABORT_TASK);
	ck_assert_uint_eq(d.a->last_tmf.tag, 0x78);
	ck_assert_uint_eq(d.a->last_tmf.task_tag, s.tag);
	ck_assert_int_eq(ab.calls, 1);
	ck_assert_uint_eq(ab.tag, s.tag);
	if (!_i) {
		/* held: the answer waits for it */
		ck_assert_uint_eq(fake_sent_count(d.c), sent);
		dp_complete(io, NULL, 0);
	}
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
	dp_complete_all(&d);
	dp_end(&d);
}
END_TEST

/* A closing channel tells on_abort of every command the application
 * holds, once. */
START_TEST(test_abort_on_close)
{
	struct dp d;
	struct srpt_io *io[3];

	memset(&ab, 0, sizeof(ab));
	dp_init(&d, 0, 0);
	d.a->hooks.on_abort = hook_abort;
	for (int i = 0; i < 3; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 512 * (uint64_t)i);

		io[i] = dp_cmd(&d, &s);
	}
	srpt_channel_close(fake_conn_channel(d.c));
	app_dispatch(d.a);
	ck_assert_int_eq(ab.calls, 3);
	fake_disconnected(d.c);
	app_dispatch(d.a);
	ck_assert_int_eq(ab.calls, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert(srpt_io_is_aborted(io[i]));
		dp_complete(io[i], NULL, 0);
	}
	dp_end(&d);
}
END_TEST

/* ---- extensible structs ---- */

START_TEST(test_struct_sizes)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	struct {
		struct srpt_io_result res;
		uint64_t later;
	} big = { .res = { .size = sizeof(big),
			   .expected_len = SRPT_LEN_AS_DESCRIBED }, 7 };
	struct srpt_io_result small = { .size = 8 };
	struct srpt_rsp rsp;

	dp_init(&d, 0, 0);
	/* a result of a newer program with a field we do not know set:
	 * refused, the command answered HARDWARE ERROR */
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_io_complete(io, &big.res), -E2BIG);
	app_last_rsp(d.c, &rsp);
	ck_assert_uint_eq(rsp.status, 2);
	ck_assert_uint_eq(rsp.sense[2], 0x04);
	/* ... and with it zero: taken */
	big.later = 0;
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_io_complete(io, &big.res), 0);
	dp_expect_rsp(&d, s.tag, 0);
	/* too small to be one */
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_io_complete(io, &small), -EINVAL);
	dp_complete_all(&d);
	dp_end(&d);
}
END_TEST

/* ---- registering before listening ---- */

START_TEST(test_reg_before_listen)
{
	struct app *a = app_alloc();
	struct srpt_target *t;
	struct srpt_mr *mr = NULL;
	static uint8_t mem[8192];
	struct fake_conn *c;
	struct cmd_spec s = { .tag = 5, .fmt_in = SRPT_DATA_FMT_DIRECT };
	uint8_t *remote = calloc(1, 8192);
	struct srpt_io *io;
	uint8_t iu[128];
	int n;

	a->auto_complete = false;
	ck_assert_int_eq(srpt_target_new_tp(&t, &a->opts, &fake_tp_ops,
					    a->f), 0);
	ck_assert_int_eq(srpt_target_reg_mem(t, mem, sizeof(mem), &mr), 0);
	ck_assert_uint_eq(fake_op_calls(a->f, FAKE_OP_REG_MEM), 0);
	a->t = t;
	ck_assert_int_eq(fake_target_listen(a->f, t), 0);
	ck_assert_uint_eq(fake_op_calls(a->f, FAKE_OP_REG_MEM), 1);
	c = app_login_live(a, 1);
	s.direct = (struct srpt_buf_desc){ (uintptr_t)remote,
		fake_remote_add(a->f, remote, 8192), 8192 };
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	io = app_take_tag(a, 5);
	memset(mem, 0x5c, sizeof(mem));
	{
		struct srpt_sge sg = { mem, sizeof(mem), mr };
		struct srpt_io_result res = {
			.size = sizeof(res), .data = &sg, .nsge = 1,
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	}
	/* zero copy from the early registration (the fake checks keys) */
	ck_assert_int_eq(fake_complete_sends(c, 1, 0), 1);
	ck_assert_mem_eq(remote, mem, sizeof(mem));
	app_assert_clean(a);
	srpt_target_dereg_mem(t, mr);
	app_end(a);
	free(remote);
}
END_TEST

/* ---- introspection ---- */

START_TEST(test_info_and_stats)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;
	struct srpt_channel_info info = { .size = sizeof(info) };
	struct srpt_io_stats st = { .size = sizeof(st) };
	struct srpt_target_stats ts = { .size = sizeof(ts) };
	struct srpt_io_stats tio = { .size = sizeof(tio) };
	struct dp_fetch fc = { .complete = true };

	dp_init(&d, 0, 0);
	ck_assert_int_eq(srpt_channel_get_info(fake_conn_channel(d.c), &info),
			 0);
	ck_assert_int_eq(info.state, SRPT_CH_LIVE);
	ck_assert_uint_eq(info.credits, d.a->opts.queue_depth);
	ck_assert_int_eq(info.credits_held, (int)d.a->opts.queue_depth);
	ck_assert_str_eq(info.device, "fake0");
	ck_assert_uint_eq(info.imm_data_offset, 68);
	ck_assert(info.login_time_sec > 0);
	/* a READ of 8 KiB and a WRITE of 4 KiB */
	s = dp_read_spec(&d, 8192, 0);
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_channel_get_info(fake_conn_channel(d.c), &info),
			 0);
	ck_assert_uint_eq(info.cmds_outstanding, 1);
	ck_assert_int_eq(info.credits_held, (int)d.a->opts.queue_depth - 1);
	sg = (struct srpt_sge){ d.mem, 8192, d.a->mr };
	dp_complete(io, &sg, 1);
	s = dp_write_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	sg.len = 4096;
	ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done, &fc), 0);
	dp_complete_all(&d);
	ck_assert_int_eq(srpt_channel_get_stats(fake_conn_channel(d.c), &st),
			 0);
	ck_assert_uint_eq(st.cmds, 2);
	ck_assert_uint_eq(st.cmds_in, 1);
	ck_assert_uint_eq(st.cmds_out, 1);
	ck_assert_uint_eq(st.bytes_in, 8192);
	ck_assert_uint_eq(st.bytes_out, 4096);
	ck_assert_uint_eq(st.rsps, 2);
	ck_assert_int_eq(srpt_target_get_stats(d.a->t, &ts, &tio), 0);
	ck_assert_uint_eq(tio.cmds, 2);
	ck_assert_uint_eq(ts.logins, 1);
	ck_assert_uint_eq(ts.channels, 1);
	/* a size from before this version's: refused */
	info.size = 16;
	ck_assert_int_eq(srpt_channel_get_info(fake_conn_channel(d.c), &info),
			 -EINVAL);
	dp_end(&d);
}
END_TEST

/* A closing channel's counts stay in the target's: read while an
 * application reference keeps the channel after it left the target's
 * list, and after its last reference, they never go down. */
START_TEST(test_target_stats_never_drop)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;
	struct srpt_channel *ch;
	struct srpt_io_stats tio = { .size = sizeof(tio) };
	struct srpt_stats s0, s1;

	dp_init(&d, 0, 0);
	ch = srpt_channel_ref(fake_conn_channel(d.c));
	s = dp_read_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	dp_complete(io, &sg, 1);
	dp_complete_all(&d);
	ck_assert_int_eq(srpt_target_get_stats(d.a->t, NULL, &tio), 0);
	ck_assert_uint_eq(tio.cmds, 1);
	ck_assert_uint_eq(tio.bytes_in, 4096);
	app_stats(d.a, &s0);
	ck_assert_uint_eq(s0.cmds, 1);
	ck_assert_uint_eq(s0.rsp_sent, 1);
	ck_assert_uint_ge(s0.post_chain_calls, 1);
	ck_assert_uint_ge(s0.post_recv_calls, 1);
	app_finish(d.a);
	/* unregistered, still referenced */
	ck_assert_uint_eq(srpt_target_channel_count(d.a->t), 1);
	memset(&tio, 0, sizeof(tio));
	tio.size = sizeof(tio);
	ck_assert_int_eq(srpt_target_get_stats(d.a->t, NULL, &tio), 0);
	ck_assert_uint_eq(tio.cmds, 1);
	ck_assert_uint_eq(tio.bytes_in, 4096);
	srpt_channel_unref(ch);
	memset(&tio, 0, sizeof(tio));
	tio.size = sizeof(tio);
	ck_assert_int_eq(srpt_target_get_stats(d.a->t, NULL, &tio), 0);
	ck_assert_uint_eq(tio.cmds, 1);
	ck_assert_uint_eq(tio.bytes_in, 4096);
	/* ... and so do the core's own, which the ios of the channel
	 * counted (core/stats.h) */
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.cmds, 1);
	ck_assert_uint_eq(s1.rsp_sent, 1);
	ck_assert_uint_ge(s1.post_chain_calls, s0.post_chain_calls);
	ck_assert_uint_ge(s1.signaled_wrs, s0.signaled_wrs);
	ck_assert_uint_ge(s1.post_recv_calls, s0.post_recv_calls);
	ck_assert_uint_ge(s1.rx_early + s1.rx_late, 1);
	app_check(d.a);
	app_free(d.a);
	free(d.remote);
}
END_TEST

/* ---- per-login parameters ---- */

static int req_params(struct app *a, struct srpt_channel *ch,
		      const struct srpt_login_info *login)
{
	struct srpt_login_params p = {
		.size = sizeof(p), .credits = 4, .max_it_iu_len = 1024,
		.max_ti_iu_len = 64, .no_imm_data = true,
		.multichannel = SRPT_LOGIN_MC_SINGLE,
	};
	struct srpt_login_params bad = p;

	bad.credits = 1000;
	if (srpt_channel_set_login_params(ch, &bad) != -EINVAL)
		fake_error(a->f, "credits over the target's limit taken");
	if (srpt_channel_set_login_params(ch, &p))
		fake_error(a->f, "login params refused");
	return SRPT_LOGIN_ACCEPT;
}

START_TEST(test_login_params)
{
	struct app *a = app_alloc();
	struct fake_conn *c, *c2;
	struct fake_conn_info ci;
	struct srpt_login_rsp rsp;
	struct srpt_login_params p = { .size = sizeof(p) };

	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);	/* MULTI, kept */
	a->hooks.on_req = req_params;
	c2 = app_login_live(a, 1);	/* MULTI, made SINGLE */
	fake_conn_info(c2, &ci);
	ck_assert_int_eq(srpt_login_rsp_decode(ci.answer_buf, ci.answer_len,
					       &rsp), 0);
	ck_assert_uint_eq(rsp.req_lim_delta, 4);
	ck_assert_uint_eq(rsp.max_it_iu_len, 1024);
	ck_assert_uint_eq(rsp.max_ti_iu_len, 64);
	ck_assert(!(rsp.rsp_flags & SRPT_LOGIN_RSP_IMMED_SUPP));
	ck_assert_uint_eq(rsp.rsp_flags & 3, SRPT_LOGIN_RSP_TERMINATED);
	app_dispatch(a);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c)),
			 SRPT_CH_DISCONNECTING);
	/* once answered: too late */
	ck_assert_int_eq(srpt_channel_set_login_params(fake_conn_channel(c2),
						       &p), -EALREADY);
	app_end(a);
}
END_TEST

/* ---- IUs of the target's own ---- */

START_TEST(test_target_logout)
{
	struct dp d;
	struct fake_conn_info ci;
	const uint8_t *p;
	uint32_t len;
	struct srpt_t_logout lo;

	dp_init(&d, 0, 0);
	ck_assert_int_eq(srpt_channel_logout(fake_conn_channel(d.c), 0), 0);
	p = fake_sent(d.c, fake_sent_count(d.c) - 1, &len);
	ck_assert_int_eq(srpt_t_logout_decode(p, len, &lo), 0);
	ck_assert_uint_eq(lo.reason, 0);
	/* A disconnect now would flush the SRP_T_LOGOUT off the send
	 * queue: the DREQ waits for its completion. */
	app_dispatch(d.a);
	fake_conn_info(d.c, &ci);
	ck_assert_uint_eq(ci.disconnects, 0);
	ck_assert_uint_eq(fake_sq_len(d.c), 1);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	app_dispatch(d.a);
	fake_conn_info(d.c, &ci);
	ck_assert_uint_eq(ci.disconnects, 1);	/* and then the DREQ */
	ck_assert_int_eq(srpt_channel_logout(fake_conn_channel(d.c), 0),
			 -ESTALE);
	dp_complete_all(&d);
	dp_end(&d);
}
END_TEST

/* A T_LOGOUT whose send fails still ends in the disconnect. */
START_TEST(test_target_logout_send_fails)
{
	struct dp d;
	struct fake_conn_info ci;

	dp_init(&d, 0, 0);
	ck_assert_int_eq(srpt_channel_logout(fake_conn_channel(d.c), 7), 0);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, -EIO), 1);
	app_dispatch(d.a);
	fake_conn_info(d.c, &ci);
	ck_assert_uint_eq(ci.disconnects, 1);
	dp_complete_all(&d);
	dp_end(&d);
}
END_TEST

START_TEST(test_aer)
{
	static const uint8_t sense[18] = { 0x70, 0, 0x06, [7] = 10,
					   [12] = 0x2a, [13] = 0x09 };
	static const uint8_t lun[8] = { 0, 1 };
	struct dp d;
	struct srpt_aer_req aer;
	struct srpt_aer_rsp ans;
	uint8_t iu[SRPT_AER_RSP_LEN];
	const uint8_t *p;
	uint32_t len;
	unsigned int sent;
	struct srpt_channel *ch;

	dp_init(&d, 0, 0);
	ch = fake_conn_channel(d.c);
	ck_assert_int_eq(srpt_channel_send_aer(ch, lun, sense, 0), -EINVAL);
	ck_assert_int_eq(srpt_channel_send_aer(ch, lun, sense, sizeof(sense)),
			 0);
	sent = fake_sent_count(d.c);
	p = fake_sent(d.c, sent - 1, &len);
	ck_assert_int_eq(srpt_aer_req_decode(p, len, &aer), 0);
	ck_assert_mem_eq(aer.lun, lun, 8);
	ck_assert_uint_eq(aer.sense_len, sizeof(sense));
	ck_assert_mem_eq(aer.sense, sense, sizeof(sense));
	dp_complete_all(&d);
	/* the answer is taken quietly; a second one is unexpected */
	ans.tag = aer.tag;
	srpt_aer_rsp_encode(&ans, iu, sizeof(iu));
	ck_assert_int_eq(dp_deliver(&d, iu, sizeof(iu)), 0);
	ck_assert_uint_eq(fake_sent_count(d.c), sent);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_LIVE);
	/* as many unanswered as there are spare receive buffers */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(srpt_channel_send_aer(ch, lun, sense, 18), 0);
	ck_assert_int_eq(srpt_channel_send_aer(ch, lun, sense, 18), -EBUSY);
	dp_complete_all(&d);
	dp_end(&d);
}
END_TEST

/* ---- the log level, changed at run time ---- */

static int lines;

static void count_line(int level, const char *msg, void *ud)
{
	lines++;
}

START_TEST(test_log_level)
{
	struct app *a = app_alloc();

	a->opts.log = count_line;
	a->opts.log_level = SRPT_LOG_ERR;
	ck_assert_int_eq(app_start(a), 0);
	lines = 0;
	app_login_live(a, 1);
	ck_assert_int_eq(lines, 0);
	ck_assert_int_eq(srpt_target_set_log_level(a->t, SRPT_LOG_DEBUG), 0);
	app_login_live(a, 2);
	ck_assert_int_gt(lines, 0);
	app_end(a);
}
END_TEST

static Suite *api_suite(void)
{
	Suite *s = suite_create("core-api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_release_after_send);
	tcase_add_loop_test(tc, test_release_aborted, 0, 2);
	tcase_add_loop_test(tc, test_abort_visible, 0, 2);
	tcase_add_test(tc, test_abort_on_close);
	tcase_add_test(tc, test_struct_sizes);
	tcase_add_test(tc, test_reg_before_listen);
	tcase_add_test(tc, test_info_and_stats);
	tcase_add_test(tc, test_target_stats_never_drop);
	tcase_add_test(tc, test_login_params);
	tcase_add_test(tc, test_target_logout);
	tcase_add_test(tc, test_target_logout_send_fails);
	tcase_add_test(tc, test_aer);
	tcase_add_test(tc, test_log_level);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(api_suite)
