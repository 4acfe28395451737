/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Re-entrancy: the application calls the library from inside each
 * callback (close, accept, reject, ref/unref, disable, lookups), and
 * finishes an unregister step left pending from another thread.
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

enum cb { CB_REQ, CB_RTU, CB_DREQ, CB_DRAINED, CB_CMD, CB_COUNT };
enum act { A_CLOSE, A_ACCEPT, A_REJECT, A_REF, A_DISABLE, A_FIND, A_COUNT };

static const char *const cb_names[CB_COUNT] = {
	"on_req", "on_rtu", "on_dreq", "on_drained", "on_cmd",
};
static const char *const act_names[A_COUNT] = {
	"close", "accept", "reject", "ref/unref", "disable", "find",
};

/* What the call returns from inside each callback. */
static const int want_rc[CB_COUNT][A_COUNT] = {
	/*              close      accept     reject     ref  disable find */
	[CB_REQ]     = { 0,         0,         0,         0,   0,      0 },
	[CB_RTU]     = { 0,         -EALREADY, -EALREADY, 0,   0,      0 },
	[CB_DREQ]    = { -EALREADY, -ESTALE,   -ESTALE,   0,   0,      0 },
	[CB_DRAINED] = { -EALREADY, -ESTALE,   -ESTALE,   0,   0,      0 },
	[CB_CMD]     = { 0,         -EALREADY, -EALREADY, 0,   0,      0 },
};

struct cell {
	enum cb cb;
	enum act act;
	bool done;
	int rc;
	struct srpt_channel *kept;	/* a reference kept past on_drained */
};

static int visit(struct srpt_channel *ch, void *arg)
{
	int *n = arg;

	(*n)++;
	return srpt_channel_get_state(ch) > SRPT_CH_DISCONNECTED ? -1 : 0;
}

static void act(struct app *a, struct srpt_channel *ch, enum cb cb)
{
	struct cell *c = a->arg;
	struct srpt_channel *found = NULL;
	int n = 0;

	if (c->cb != cb || c->done)
		return;
	c->done = true;
	switch (c->act) {
	case A_CLOSE:
		c->rc = srpt_channel_close(ch);
		break;
	case A_ACCEPT:
		c->rc = srpt_channel_accept(ch);
		break;
	case A_REJECT:
		c->rc = srpt_channel_reject(ch,
					    SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
		break;
	case A_REF:
		c->rc = srpt_channel_ref(ch) == ch ? 0 : -1;
		if (cb == CB_DRAINED)
			c->kept = ch;	/* dropped later, elsewhere */
		else
			srpt_channel_unref(ch);
		break;
	case A_DISABLE:
		c->rc = srpt_target_disable(srpt_channel_get_target(ch));
		break;
	case A_FIND:
		c->rc = srpt_target_find_channel(a->t, srpt_channel_get_id(ch),
						 &found);
		if (!c->rc && found != ch)
			c->rc = -1;
		srpt_channel_unref(found);
		if (!c->rc)
			c->rc = srpt_target_foreach_channel(a->t, visit, &n);
		if (!c->rc && n < 1)
			c->rc = -2;
		if (!c->rc && srpt_channel_get_login(ch)->req_it_iu_len != 8260)
			c->rc = -3;
		break;
	default:
		break;
	}
}

static int h_req(struct app *a, struct srpt_channel *ch,
		 const struct srpt_login_info *login)
{
	struct cell *c = a->arg;

	act(a, ch, CB_REQ);
	/* a decision made through the API is reported as deferred */
	if (c->cb == CB_REQ && (c->act == A_ACCEPT || c->act == A_REJECT))
		return SRPT_LOGIN_DEFER;
	return SRPT_LOGIN_ACCEPT;
}

static void h_rtu(struct app *a, struct srpt_channel *ch)
{
	act(a, ch, CB_RTU);
}

static void h_dreq(struct app *a, struct srpt_channel *ch)
{
	act(a, ch, CB_DREQ);
}

static int h_drained(struct app *a, struct srpt_channel *ch)
{
	act(a, ch, CB_DRAINED);
	return SRPT_DRAINED_DONE;
}

static void h_cmd(struct app *a, struct srpt_channel *ch, struct srpt_io *io)
{
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };

	act(a, ch, CB_CMD);
	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
}

static void *unref_thread(void *arg)
{
	srpt_channel_unref(arg);
	return NULL;
}

START_TEST(test_reentry)
{
	struct cell cell = { .cb = (enum cb)(_i / A_COUNT),
			     .act = (enum act)(_i % A_COUNT) };
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct fake_conn_info ci;
	struct cmd_spec s = { .tag = 5 };
	uint8_t iu[64];
	int n;

	snprintf(a->ctx, sizeof(a->ctx), "%s from %s", act_names[cell.act],
		 cb_names[cell.cb]);
	a->arg = &cell;
	a->hooks.on_req = h_req;
	a->hooks.on_rtu = h_rtu;
	a->hooks.on_dreq = h_dreq;
	a->hooks.on_drained = h_drained;
	a->hooks.on_cmd = h_cmd;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login(a, 1);
	fake_conn_info(c, &ci);
	if (ci.answer == FAKE_ANS_ACCEPT) {
		fake_established(c);
		app_dispatch(a);
		n = mk_cmd(&s, iu, sizeof(iu));
		fake_deliver(c, iu, (uint32_t)n);
		app_dispatch(a);
		fake_complete_sends(c, UINT32_MAX, 0);
	}
	app_finish(a);
	ck_assert_msg(cell.done, "%s: the callback never ran", a->ctx);
	ck_assert_msg(cell.rc == want_rc[cell.cb][cell.act],
		      "%s: returned %d, want %d", a->ctx, cell.rc,
		      want_rc[cell.cb][cell.act]);
	/* what the answer on the wire must be */
	fake_conn_info(c, &ci);
	if (cell.cb == CB_REQ && (cell.act == A_CLOSE || cell.act == A_REJECT ||
				  cell.act == A_DISABLE))
		ck_assert_msg(ci.answer == FAKE_ANS_REJECT, "%s: not rejected",
			      a->ctx);
	else
		ck_assert_msg(ci.answer == FAKE_ANS_ACCEPT, "%s: not accepted",
			      a->ctx);
	if (cell.kept) {
		pthread_t th;

		/* the memory stays until the last reference, dropped by a
		 * thread the library never saw */
		ck_assert_uint_eq(srpt_target_channel_count(a->t), 1);
		ck_assert_int_eq(srpt_channel_get_state(cell.kept),
				 SRPT_CH_DISCONNECTED);
		ck_assert_int_eq(pthread_create(&th, NULL, unref_thread,
						cell.kept), 0);
		pthread_join(th, NULL);
	}
	app_check(a);
	app_free(a);
}
END_TEST

/* ---- unregister steps left pending ---- */

struct pending {
	struct srpt_channel *ch;
	atomic_int rc;
	int delay_us;
};

static void *drained_done_thread(void *arg)
{
	struct pending *p = arg;

	if (p->delay_us)
		usleep((useconds_t)p->delay_us);
	p->rc = srpt_channel_drained_done(p->ch);
	return NULL;
}

/* The application hands the unregister step to another thread, which
 * (here: always) finishes before on_drained has even returned. */
static int h_drained_handoff(struct app *a, struct srpt_channel *ch)
{
	struct pending *p = a->arg;
	pthread_t th;

	p->ch = ch;
	ck_assert_int_eq(pthread_create(&th, NULL, drained_done_thread, p), 0);
	if (!p->delay_us)
		pthread_join(th, NULL);
	else
		pthread_detach(th);
	return SRPT_DRAINED_PENDING;
}

START_TEST(test_drained_pending_other_thread)
{
	struct pending p = { .rc = 1, .delay_us = _i ? 20000 : 0 };
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_channel *ch;

	a->arg = &p;
	a->hooks.on_drained = h_drained_handoff;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);
	ch = fake_conn_channel_ref(c);
	srpt_channel_close(ch);
	app_dispatch(a);
	fake_disconnected(c);
	app_dispatch(a);
	fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(a);
	ck_assert_uint_eq(a->drained, 1);
	for (int i = 0; i < 2000 && p.rc == 1; i++)
		usleep(1000);
	ck_assert_int_eq(p.rc, 0);
	app_dispatch(a);
	/* unregistered: the id is gone, only our reference is left */
	ck_assert_ptr_null(fake_conn_channel(c));
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 1);
	ck_assert_int_eq(srpt_channel_drained_done(ch), -EINVAL);
	srpt_channel_unref(ch);
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 0);
	/* the hook's thread did it, not the harness */
	pthread_mutex_lock(&a->lock);
	a->npending = 0;
	pthread_mutex_unlock(&a->lock);
	app_end(a);
}
END_TEST

/* PENDING, and the registration stays visible until drained_done. */
START_TEST(test_drained_pending_later)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct srpt_channel *ch, *found;
	struct pending p = { .rc = 1 };
	pthread_t th;

	a->drained_verdict = SRPT_DRAINED_PENDING;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login_live(a, 1);
	ch = fake_conn_channel(c);
	srpt_channel_close(ch);
	app_dispatch(a);
	fake_disconnected(c);
	app_dispatch(a);
	fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(a);
	ck_assert_uint_eq(a->drained, 1);
	ck_assert_ptr_eq(fake_conn_channel(c), ch);
	ck_assert_int_eq(srpt_target_find_channel(a->t,
			 srpt_channel_get_id(ch), &found), 0);
	srpt_channel_unref(found);
	/* nothing moves until the application is done */
	for (int i = 0; i < 3; i++) {
		fake_advance(a->f, 100000);
		app_dispatch(a);
	}
	ck_assert_ptr_eq(fake_conn_channel(c), ch);
	/* take it over from the app's pending list: done by hand */
	pthread_mutex_lock(&a->lock);
	a->npending = 0;
	pthread_mutex_unlock(&a->lock);
	p.ch = ch;
	ck_assert_int_eq(pthread_create(&th, NULL, drained_done_thread, &p), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(p.rc, 0);
	ck_assert(fake_take_wake(a->f));
	app_dispatch(a);
	ck_assert_ptr_null(fake_conn_channel(c));
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 0);
	app_end(a);
}
END_TEST

/* Callbacks that close other channels and the port. */
static int h_req_close_others(struct app *a, struct srpt_channel *ch,
			      const struct srpt_login_info *login)
{
	struct srpt_channel *other = a->arg;

	if (other)
		srpt_channel_close(other);
	return SRPT_LOGIN_ACCEPT;
}

START_TEST(test_close_other_from_on_req)
{
	struct app *a = app_alloc();
	struct fake_conn *c1, *c2;

	a->hooks.on_req = h_req_close_others;
	ck_assert_int_eq(app_start(a), 0);
	c1 = app_login_live(a, 1);
	a->arg = fake_conn_channel(c1);
	c2 = app_login(a, 2);
	a->arg = NULL;
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(c1)),
			 SRPT_CH_DISCONNECTING);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(c2)),
			 SRPT_CH_CONNECTING);
	app_end(a);
}
END_TEST

static Suite *reentry_suite(void)
{
	Suite *s = suite_create("core-reentry");
	TCase *tc = tcase_create("reentry");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_reentry, 0, CB_COUNT * A_COUNT);
	tcase_add_loop_test(tc, test_drained_pending_other_thread, 0, 2);
	tcase_add_test(tc, test_drained_pending_later);
	tcase_add_test(tc, test_close_other_from_on_req);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(reentry_suite)
