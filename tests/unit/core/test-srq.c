/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * SRPT_TARGET_SRQ: channels of one device share one pool of receive
 * buffers. The pool is made and posted by the first channel, IUs of every
 * channel arrive through it with immediate data intact, no channel posts
 * receives of its own, and every buffer comes back to the pool: after
 * responses, and when the IUs holding them die with their channel.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/byteorder.h"
#include "harness.h"

#define SRQ_SIZE 16
#define QD 8
#define REMOTE_LEN (64u << 10)

static const uint8_t lun1[8] = { 0x00, 0x01 };

struct srq_env {
	struct app *a;
	uint8_t *remote;
	uint32_t rkey;
	uint64_t next_tag;
};

static void env_init(struct srq_env *e)
{
	memset(e, 0, sizeof(*e));
	e->a = app_alloc();
	e->a->auto_complete = false;
	e->a->opts.queue_depth = QD;
	e->a->opts.flags = SRPT_TARGET_SRQ;
	e->a->opts.srq_size = SRQ_SIZE;
	ck_assert_int_eq(app_start(e->a), 0);
	e->remote = calloc(1, REMOTE_LEN);
	ck_assert_ptr_nonnull(e->remote);
	e->rkey = fake_remote_add(e->a->f, e->remote, REMOTE_LEN);
	e->next_tag = 0x500;
}

static void env_end(struct srq_env *e, struct fake_conn *any)
{
	app_finish(e->a);
	/* every buffer is back in the pool */
	ck_assert_uint_eq(fake_rq_len(any), SRQ_SIZE);
	app_check(e->a);
	app_free(e->a);
	free(e->remote);
}

static void cdb_rw(uint8_t cdb[16], uint8_t op, uint32_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_be32(cdb + 2, 0x42);
	put_be16(cdb + 7, (uint16_t)blocks);
}

/* Deliver a 4 KiB READ; the application holds it. */
static uint64_t deliver_read(struct srq_env *e, struct fake_conn *c)
{
	struct cmd_spec s = { .tag = e->next_tag++ };
	uint8_t iu[256];
	unsigned int held = app_held(e->a);
	int n;

	memcpy(s.lun, lun1, 8);
	cdb_rw(s.cdb, 0x28, 8);
	s.fmt_in = SRPT_DATA_FMT_DIRECT;
	s.direct.va = (uintptr_t)e->remote;
	s.direct.key = e->rkey;
	s.direct.len = 4096;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	ck_assert_uint_eq(app_held(e->a), held + 1);
	return s.tag;
}

static struct srpt_io *send_read(struct srq_env *e, struct fake_conn *c,
				 uint64_t *tag)
{
	*tag = deliver_read(e, c);
	return app_take_tag(e->a, *tag);
}

static struct srpt_io *send_imm_write(struct srq_env *e, struct fake_conn *c,
				      const uint8_t *data, uint64_t *tag)
{
	struct cmd_spec s = { .tag = e->next_tag++ };
	uint8_t iu[68 + 4096];
	unsigned int held = app_held(e->a);
	int n;

	memcpy(s.lun, lun1, 8);
	cdb_rw(s.cdb, 0x2a, 8);
	s.fmt_out = SRPT_DATA_FMT_IMM;
	s.total_len = 4096;
	s.imm = data;
	s.imm_offset = 68;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(c, iu, (uint32_t)n), 0);
	ck_assert_uint_eq(app_held(e->a), held + 1);
	*tag = s.tag;
	return app_take_tag(e->a, s.tag);
}

START_TEST(test_srq_shared_by_channels)
{
	static uint8_t data[4096], got[4096], src[4096];
	struct srq_env e;
	struct fake_conn *c1, *c2;
	struct fake_conn_info i1, i2;
	struct srpt_io *r, *w;
	struct srpt_rsp rsp;
	uint64_t rtag, wtag;
	struct srpt_sge sg = { got, sizeof(got), NULL };
	struct srpt_sge out = { src, sizeof(src), NULL };
	struct srpt_io_result res = { .size = sizeof(res),
		.data = &out, .nsge = 1, .expected_len = SRPT_LEN_AS_DESCRIBED,
	};

	env_init(&e);
	c1 = app_login_live(e.a, 1);
	c2 = app_login_live(e.a, 2);
	/* one pool, posted once, no ring of the channels' own */
	ck_assert_uint_eq(fake_rq_len(c1), SRQ_SIZE);
	ck_assert_uint_eq(fake_rq_len(c2), SRQ_SIZE);
	ck_assert_ptr_null(fake_conn_channel(c1)->rx_mem);
	ck_assert_ptr_null(fake_conn_channel(c2)->rx_mem);
	ck_assert_uint_eq(fake_op_calls(e.a->f, FAKE_OP_SRQ_POST), SRQ_SIZE);

	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)(i * 13 + 1);
		src[i] = (uint8_t)(i * 5 + 3);
	}
	r = send_read(&e, c1, &rtag);
	w = send_imm_write(&e, c2, data, &wtag);
	ck_assert_ptr_eq(srpt_io_get_channel(r), fake_conn_channel(c1));
	ck_assert_ptr_eq(srpt_io_get_channel(w), fake_conn_channel(c2));
	ck_assert_uint_eq(fake_rq_len(c1), SRQ_SIZE - 2);

	/* the immediate data came through the shared buffer */
	ck_assert_int_eq(srpt_io_fetch_data(w, &sg, 1,
					    (srpt_io_data_fn)abort, NULL), 1);
	ck_assert_mem_eq(got, data, sizeof(data));
	ck_assert_int_eq(srpt_io_complete(w, &(struct srpt_io_result){ .size = sizeof(struct srpt_io_result),
		.expected_len = SRPT_LEN_AS_DESCRIBED }), 0);
	ck_assert_int_eq(srpt_io_complete(r, &res), 0);
	/* both buffers went back before the responses */
	ck_assert_uint_eq(fake_rq_len(c1), SRQ_SIZE);
	ck_assert_int_eq(fake_complete_sends(c1, 1, 0), 1);
	ck_assert_int_eq(fake_complete_sends(c2, 1, 0), 1);
	ck_assert_mem_eq(e.remote, src, sizeof(src));
	app_last_rsp(c1, &rsp);
	ck_assert_uint_eq(rsp.tag, rtag);
	ck_assert_uint_eq(rsp.status, 0);
	app_last_rsp(c2, &rsp);
	ck_assert_uint_eq(rsp.tag, wtag);
	ck_assert_uint_eq(rsp.status, 0);

	fake_conn_info(c1, &i1);
	fake_conn_info(c2, &i2);
	ck_assert_uint_eq(i1.post_recv_calls, 0);
	ck_assert_uint_eq(i2.post_recv_calls, 0);
	app_assert_clean(e.a);
	env_end(&e, c1);
}
END_TEST

/* IUs whose channel goes away while they hold shared buffers: commands
 * the application still owns, an I_LOGOUT (never answered), an IU that
 * arrived before the channel was live and one after it closed. */
START_TEST(test_srq_buffers_come_back)
{
	struct srq_env e;
	struct fake_conn *c1, *c2, *c3;
	uint8_t logout[16] = { SRPT_OP_I_LOGOUT };
	uint8_t iu[256];
	struct cmd_spec s = { .tag = 0x77 };
	int n;

	env_init(&e);
	c1 = app_login_live(e.a, 1);
	for (int i = 0; i < 3; i++)
		deliver_read(&e, c1);	/* app_finish() completes them */
	ck_assert_uint_eq(fake_rq_len(c1), SRQ_SIZE - 3);

	c2 = app_login_live(e.a, 2);
	ck_assert_int_eq(fake_deliver(c2, logout, sizeof(logout)), 0);
	app_dispatch(e.a);

	/* c3: an IU before the RTU, then the login fails */
	c3 = app_login(e.a, 3);
	memcpy(s.lun, lun1, 8);
	cdb_rw(s.cdb, 0x00, 0);
	n = mk_cmd(&s, iu, sizeof(iu));
	fake_conn_error(c3);
	ck_assert_int_eq(fake_deliver(c3, iu, (uint32_t)n), 0);
	app_dispatch(e.a);
	env_end(&e, c1);
}
END_TEST

/* A shared buffer is as large as the target's largest IU, but a channel
 * negotiated less: a longer IU is what a ring of its own would have
 * refused with a length error; the channel closes, the buffer returns. */
START_TEST(test_srq_iu_longer_than_negotiated)
{
	struct srq_env e;
	struct srpt_login_req req;
	struct fake_conn *c;
	uint8_t iu[1024] = { SRPT_OP_CMD };

	env_init(&e);
	fake_login_req_init(e.a->f, &req, 1);
	req.req_it_iu_len = 512;
	c = fake_connect(e.a->f, &req);
	app_dispatch(e.a);
	fake_established(c);
	app_dispatch(e.a);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(c)),
			 SRPT_CH_LIVE);
	ck_assert_int_eq(fake_deliver(c, iu, sizeof(iu)), 0);
	app_dispatch(e.a);
	ck_assert_uint_eq(app_held(e.a), 0);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c)),
			 SRPT_CH_DISCONNECTING);
	ck_assert_uint_eq(fake_rq_len(c), SRQ_SIZE);
	env_end(&e, c);
}
END_TEST

/* The queue cannot be made: the login is refused, and the next one,
 * once it can, makes and fills it. */
START_TEST(test_srq_create_fails)
{
	struct srq_env e;
	struct fake_conn *c1, *c2;
	struct fake_conn_info ci;

	env_init(&e);
	fake_fail_nth(e.a->f, FAKE_OP_SRQ_CREATE, 1, ENOMEM);
	c1 = app_login(e.a, 1);
	fake_conn_info(c1, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_REJECT);
	c2 = app_login_live(e.a, 2);
	ck_assert_uint_eq(fake_rq_len(c2), SRQ_SIZE);
	deliver_read(&e, c2);
	env_end(&e, c2);
}
END_TEST

/*
 * A QP on a shared receive queue may take receives after it went to the
 * error state, until Last WQE Reached: the drain write goes after that
 * event, so its completion is the channel's last (no receive of the old
 * QP can reach a newer channel that reuses its number).
 */
START_TEST(test_srq_drain_after_last_wqe)
{
	struct srq_env e;
	struct fake_conn *c;
	struct fake_conn_info ci;
	struct srpt_channel *ch;

	env_init(&e);
	fake_set_last_wqe(e.a->f, true, false);
	c = app_login_live(e.a, 1);
	ch = srpt_channel_ref(fake_conn_channel(c));
	srpt_channel_close(ch);
	app_dispatch(e.a);
	fake_disconnected(c);
	app_dispatch(e.a);
	fake_conn_info(c, &ci);
	ck_assert(ci.qp_error);
	ck_assert_uint_eq(ci.drains, 0);	/* waits for the event */
	ck_assert_int_eq(fake_conn_qp_event(c, SRPT_QP_LAST_WQE_REACHED), 0);
	app_dispatch(e.a);
	fake_conn_info(c, &ci);
	ck_assert_uint_eq(ci.drains, 1);
	fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(e.a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	srpt_channel_unref(ch);
	c = app_login_live(e.a, 2);
	env_end(&e, c);
}
END_TEST

/* A provider that never reports it (soft-RoCE): the drain goes at once;
 * one that says it does but never does: the drain timeout ends it. */
START_TEST(test_srq_last_wqe_absent)
{
	for (int caps = 0; caps < 2; caps++) {
		struct srq_env e;
		struct fake_conn *c;
		struct fake_conn_info ci;
		struct srpt_channel *ch;

		env_init(&e);
		fake_set_last_wqe(e.a->f, caps, false);
		c = app_login_live(e.a, 1);
		ch = srpt_channel_ref(fake_conn_channel(c));
		srpt_channel_close(ch);
		fake_disconnected(c);
		app_dispatch(e.a);
		fake_conn_info(c, &ci);
		ck_assert_uint_eq(ci.drains, caps ? 0 : 1);
		if (caps) {
			fake_advance(e.a->f, e.a->opts.drain_timeout_ms + 1);
			app_dispatch(e.a);
		} else {
			fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
			app_dispatch(e.a);
		}
		ck_assert_int_eq(srpt_channel_get_state(ch),
				 SRPT_CH_DISCONNECTED);
		srpt_channel_unref(ch);
		c = app_login_live(e.a, 2);
		env_end(&e, c);
	}
}
END_TEST

static Suite *srq_suite(void)
{
	Suite *s = suite_create("core-srq");
	TCase *tc = tcase_create("srq");

	tcase_add_test(tc, test_srq_shared_by_channels);
	tcase_add_test(tc, test_srq_buffers_come_back);
	tcase_add_test(tc, test_srq_iu_longer_than_negotiated);
	tcase_add_test(tc, test_srq_create_fails);
	tcase_add_test(tc, test_srq_drain_after_last_wqe);
	tcase_add_test(tc, test_srq_last_wqe_absent);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(srq_suite)
