/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The end of a channel when the drain completion never comes: the drain
 * timer, completions that arrive afterwards (dropped and counted, no
 * use-after-free), and completions that carry the QP number of a channel
 * that is gone when a new channel got the same number.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/byteorder.h"

static int deliver_cmd(struct fake_conn *c, uint64_t tag)
{
	struct cmd_spec s = { .tag = tag };
	uint8_t iu[64];
	int n = mk_cmd(&s, iu, sizeof(iu));

	ck_assert_int_gt(n, 0);
	return fake_deliver(c, iu, (uint32_t)n);
}

/* Live -> closed -> DRAINING with the DREP in; a reference held. */
static struct srpt_channel *to_draining(struct app *a, struct fake_conn *c)
{
	struct srpt_channel *ch = fake_conn_channel_ref(c);

	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(srpt_channel_close(ch), 0);
	ck_assert_int_eq(app_dispatch(a), -1);	/* no timer yet */
	ck_assert_int_eq(fake_disconnected(c), 0);
	/* the drain timer runs from here */
	ck_assert_int_eq(app_dispatch(a), (int)a->opts.drain_timeout_ms);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
	return ch;
}

START_TEST(test_drain_timeout)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_channel *ch;
	struct srpt_stats s0, s1;
	struct app_ch r;

	a->opts.drain_timeout_ms = 500;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);
	ck_assert_int_eq(deliver_cmd(c, 1), 0);	/* answered at once */
	ch = to_draining(a, c);
	/* everything flushes but the drain write */
	fake_flush(c, FAKE_FLUSH_NO_DRAIN);
	ck_assert_int_eq(app_dispatch(a), 500);
	fake_advance(a->f, 499);
	ck_assert_int_eq(app_dispatch(a), 1);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
	ck_assert_uint_eq(a->drained, 0);
	fake_advance(a->f, 1);
	ck_assert_int_eq(app_dispatch(a), -1);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	ck_assert_uint_eq(a->drained, 1);
	app_stats(a, &s0);
	ck_assert_uint_eq(s0.drain_timeouts, 1);
	/* the drain completion comes after all: dropped */
	ck_assert_int_eq(fake_complete_drain(c, FAKE_FLUSH_ERR), 1);
	app_stats(a, &s1);
	ck_assert_uint_eq(s1.late_completions, s0.late_completions + 1);
	fake_advance(a->f, 10000);
	app_dispatch(a);
	ck_assert(app_conn_ch(a, c, &r));
	ck_assert_str_eq(r.log, "RTDX");
	srpt_channel_unref(ch);
	app_end(a);
}
END_TEST

/*
 * The timeout fires with responses and an RDMA READ still posted: their
 * ios are finished by the timeout (the READ's callback sees an error),
 * on_drained follows once the application is done, and the completions
 * that come later are dropped.
 */
static int fetch_status = 1;
static void fetch_cb(struct srpt_io *io, int status, void *arg)
{
	struct srpt_io_result res = { .size = sizeof(res), .status = 2,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	fetch_status = status;
	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
}

START_TEST(test_drain_timeout_inflight)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_channel *ch;
	struct srpt_stats s0, s1;
	uint8_t *remote = calloc(1, 8192), *mem;
	uint32_t rkey;
	struct cmd_spec w = { .tag = 0x77, .fmt_out = SRPT_DATA_FMT_DIRECT };
	uint8_t iu[128];
	struct srpt_io *io;
	int n;

	a->auto_complete = false;
	ck_assert_int_eq(app_start(a), 0);
	rkey = fake_remote_add(a->f, remote, 8192);
	mem = app_mem(a, 8192);
	c = app_login_live(a, 1);
	/* two responses posted */
	ck_assert_int_eq(deliver_cmd(c, 1), 0);
	ck_assert_int_eq(deliver_cmd(c, 2), 0);
	app_complete_all(a);
	/* one RDMA READ posted */
	w.direct = (struct srpt_buf_desc){ (uintptr_t)remote, rkey, 4096 };
	n = mk_cmd(&w, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	io = app_take_tag(a, 0x77);
	ck_assert_int_eq(srpt_io_fetch_data(io, &(struct srpt_sge){ mem, 4096,
			 a->mr }, 1, fetch_cb, NULL), 0);
	ck_assert_uint_eq(fake_sq_len(c), 3);
	/* one more with the application */
	ck_assert_int_eq(deliver_cmd(c, 3), 0);
	ch = to_draining(a, c);
	fake_flush_recvs(c, UINT32_MAX);
	fake_advance(a->f, a->opts.drain_timeout_ms);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	/* the READ was given up on with the channel */
	ck_assert_int_eq(fetch_status, -ESHUTDOWN);
	/* the app still owns command 3 */
	ck_assert_uint_eq(a->drained, 0);
	app_stats(a, &s0);
	/* The two responses went unsignaled: they give no completion at
	 * all; the READ's comes late. */
	ck_assert(fake_sq_get(c, 0)->unsignaled);
	ck_assert(fake_sq_get(c, 1)->unsignaled);
	ck_assert(!fake_sq_get(c, 2)->unsignaled);
	ck_assert_int_eq(fake_complete_sends(c, UINT32_MAX, 0), 3);
	app_stats(a, &s1);
	ck_assert_uint_eq(s1.late_completions, s0.late_completions + 1);
	app_complete_all(a);
	app_dispatch(a);
	ck_assert_uint_eq(a->drained, 1);
	srpt_channel_unref(ch);
	app_end(a);
	free(remote);
}
END_TEST

/* A completion that comes while on_drained is still pending. */
START_TEST(test_late_while_pending)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_channel *ch;
	struct srpt_stats s0, s1;

	a->drained_verdict = SRPT_DRAINED_PENDING;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);
	ch = to_draining(a, c);
	fake_flush(c, FAKE_FLUSH_NO_DRAIN);
	fake_advance(a->f, a->opts.drain_timeout_ms);
	app_dispatch(a);
	ck_assert_uint_eq(a->drained, 1);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	app_stats(a, &s0);
	ck_assert_int_eq(fake_complete_drain(c, FAKE_FLUSH_ERR), 1);
	app_stats(a, &s1);
	ck_assert_uint_eq(s1.late_completions, s0.late_completions + 1);
	/* not unregistered until the application says so */
	ck_assert_int_eq(fake_conn_channel(c) == ch, 1);
	srpt_channel_unref(ch);
	app_end(a);	/* calls srpt_channel_drained_done() */
}
END_TEST

/*
 * QP number reuse: a channel ends by timeout with receives and a
 * response still posted; its id and QP go, a new channel gets the same
 * QP number, and the stale completions (same QP number, the old
 * channel's work request ids) reach the core. They must be dropped
 * without touching the new channel.
 */
START_TEST(test_qp_number_reuse)
{
	struct app *a = app_alloc();
	struct fake_conn *ca, *cb;
	struct fake_conn_info ia, ib;
	struct srpt_channel *ch;
	struct srpt_stats s0, s1;
	uint64_t rx_wr, tx_wr, drain_wr;
	const struct fake_wr *wr;
	uint8_t iu[64];
	struct cmd_spec s = { .tag = 0x55 };
	int n;

	a->auto_complete = false;
	ck_assert_int_eq(app_start(a), 0);
	ca = app_login_live(a, 1);
	ck_assert_int_eq(deliver_cmd(ca, 1), 0);
	app_complete_all(a);
	ch = to_draining(a, ca);
	wr = fake_sq_get(ca, 0);
	ck_assert_int_eq(wr->kind, FAKE_WR_CHAIN);
	tx_wr = wr->wr_id;
	wr = fake_sq_get(ca, 1);
	ck_assert_int_eq(wr->kind, FAKE_WR_DRAIN);
	drain_wr = wr->wr_id;
	rx_wr = srpt_wr_id(ch, SRPT_WR_RECV, 3);
	fake_conn_info(ca, &ia);
	srpt_channel_unref(ch);
	/* nothing completes: the timeout ends it */
	fake_advance(a->f, a->opts.drain_timeout_ms);
	app_dispatch(a);
	fake_conn_info(ca, &ia);
	ck_assert_uint_eq(ia.destroys, 1);
	ck_assert_uint_eq(ia.frees, 1);
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 0);

	cb = app_login_live(a, 2);
	fake_conn_info(cb, &ib);
	ck_assert_uint_eq(ib.qpn, ia.qpn);
	app_stats(a, &s0);
	/* a receive with data, a send and the drain of the old channel */
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_complete_raw(a->f, ia.qpn, rx_wr, 0,
					   (uint32_t)n), -ENOENT);
	ck_assert_int_eq(fake_complete_raw(a->f, ia.qpn, tx_wr, 0, 0),
			 -ENOENT);
	ck_assert_int_eq(fake_complete_raw(a->f, ia.qpn, drain_wr, 5, 0),
			 -ENOENT);
	/* a made-up id of the new channel with an index out of its ring */
	ch = fake_conn_channel(cb);
	ck_assert_int_eq(fake_complete_raw(a->f, ib.qpn,
			 srpt_wr_id(ch, SRPT_WR_SEND, 100000), 0, 0), -ENOENT);
	app_stats(a, &s1);
	ck_assert_uint_eq(s1.late_completions, s0.late_completions + 4);
	ck_assert_uint_eq(a->cmds, 1);
	/* the new channel works */
	ck_assert_int_eq(fake_deliver(cb, iu, (uint32_t)n), 0);
	ck_assert_uint_eq(a->cmds, 2);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_LIVE);
	app_end(a);
}
END_TEST

/* Completions for QP numbers nobody has. */
START_TEST(test_unknown_qp)
{
	struct app *a = app_new();
	struct srpt_stats s;

	ck_assert_int_eq(fake_complete_raw(a->f, 0xabcdef, 1, 0, 0), -ENOENT);
	fake_qp_event(a->f, 0xabcdef, SRPT_QP_FATAL);
	fake_qp_event(a->f, 0xabcdef, SRPT_QP_COMM_EST);
	app_stats(a, &s);
	ck_assert_uint_eq(s.late_completions, 1);
	app_end(a);
}
END_TEST

/* A drain that the transport could not post: the timer ends it. */
START_TEST(test_drain_post_fails)
{
	struct app *a = app_new();
	struct fake_conn *c = app_login_live(a, 1);
	struct srpt_channel *ch = fake_conn_channel_ref(c);

	fake_fail_nth(a->f, FAKE_OP_POST_DRAIN, 1, EIO);
	srpt_channel_close(ch);
	app_dispatch(a);
	fake_disconnected(c);
	app_dispatch(a);
	ck_assert(fake_fail_fired(a->f, FAKE_OP_POST_DRAIN));
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
	fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
	fake_advance(a->f, a->opts.drain_timeout_ms);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	ck_assert_uint_eq(a->drained, 1);
	srpt_channel_unref(ch);
	app_end(a);
}
END_TEST

/* Device removal closes the channels on that device only. */
START_TEST(test_device_gone)
{
	struct app *a = app_new();
	struct fake_conn *c0, *c1;

	c0 = app_login_live(a, 1);
	fake_set_next_dev(a->f, 1);
	c1 = app_login_live(a, 2);
	fake_device_gone(a->f, 1);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(c0)),
			 SRPT_CH_LIVE);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c1)),
			 SRPT_CH_DRAINING);
	/* QP fatal by number */
	fake_conn_qp_event(c0, SRPT_QP_FATAL);
	app_dispatch(a);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c0)),
			 SRPT_CH_DRAINING);
	app_end(a);
}
END_TEST

/* A receive error on a live channel closes it. */
START_TEST(test_recv_error)
{
	struct app *a = app_new();
	struct fake_conn *c = app_login_live(a, 1);

	ck_assert_int_eq(fake_flush_recvs(c, 1), 1);
	app_dispatch(a);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c)),
			 SRPT_CH_DRAINING);
	app_end(a);
}
END_TEST

/* shutdown with channels in every state (threaded dispatch) */
START_TEST(test_shutdown_threaded)
{
	struct app *a = app_alloc();
	struct fake_conn *c[4];

	a->strict = false;
	ck_assert_int_eq(app_start(a), 0);
	c[0] = app_login_live(a, 1);
	c[1] = app_login_live(a, 2);
	c[2] = app_login(a, 3);
	ck_assert_int_eq(srpt_channel_close(fake_conn_channel(c[1])), 0);
	app_dispatch(a);
	c[3] = app_login(a, 4);
	ck_assert_int_eq(fake_start_dispatch(a->f), 0);
	/* the peer side: answer DREQs and flush, from this thread */
	srpt_target_disable(a->t);
	for (int round = 0; round < 2000 &&
	     srpt_target_channel_count(a->t); round++) {
		for (int i = 0; i < 4; i++) {
			struct fake_conn_info ci;

			fake_conn_info(c[i], &ci);
			if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED])
				fake_disconnected(c[i]);
			if (ci.qp_error)
				fake_flush(c[i], FAKE_FLUSH_SEND_RECV_DRAIN);
		}
		usleep(1000);
	}
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 0);
	ck_assert_int_eq(srpt_target_shutdown(a->t), 0);
	app_check(a);
	/* the last reference stops the transport (and its thread) */
	srpt_target_unref(a->t);
	a->t = NULL;
	ck_assert_uint_eq(fake_op_calls(a->f, FAKE_OP_STOP), 1);
	app_free(a);
}
END_TEST

static Suite *drain_suite(void)
{
	Suite *s = suite_create("core-drain");
	TCase *tc = tcase_create("drain");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_drain_timeout);
	tcase_add_test(tc, test_drain_timeout_inflight);
	tcase_add_test(tc, test_late_while_pending);
	tcase_add_test(tc, test_qp_number_reuse);
	tcase_add_test(tc, test_unknown_qp);
	tcase_add_test(tc, test_drain_post_fails);
	tcase_add_test(tc, test_device_gone);
	tcase_add_test(tc, test_recv_error);
	tcase_add_test(tc, test_shutdown_threaded);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(drain_suite)
