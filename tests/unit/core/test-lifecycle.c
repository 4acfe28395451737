/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Lifecycle orderings, generated: for each set of events that the seed
 * (ib_srpt-session-management.txt) lets happen concurrently to a channel
 * in a given state, every permutation, and for each permutation every way
 * of cutting it into dispatch batches (events of one batch coalesce on
 * the channel before the dispatch thread sees them). Every run finishes
 * the teardown and checks the contract: on_drained exactly once and last
 * for every channel on_req saw, on_rtu/on_dreq only if accepted, states
 * only forward, the right wire answer, nothing left, no leak (LSan, one
 * forked child per run).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "util/byteorder.h"

#define NEV 4
#define NPERM 24			/* 4! */
#define NMASK (1 << (NEV - 1))		/* batch cuts between 4 events */

enum ev {
	/* a connecting channel, accepted, not yet established */
	E_DREQ, E_RTU, E_COMM_EST, E_FIRST_IU,
	/* a live channel */
	E_CLOSE, E_DISC, E_TIMEWAIT, E_QP_FATAL, E_DREQ_RECV, E_DREP,
	/* a draining channel */
	E_DRAIN_DONE, E_RECV_FLUSH, E_SEND_DONE, E_DRAIN_TIMEOUT, E_APP_DONE,
	/* a pending login (on_req deferred) */
	E_DISABLE, E_ACCEPT, E_REJECT, E_CONN_ERROR,
	/* an accepted login whose REP the peer rejects */
	E_REJ,
	E_COUNT,
};

static const char *const ev_names[E_COUNT] = {
	"DREQ", "RTU", "COMM_EST", "FIRST_IU",
	"CLOSE", "DISCONNECTED", "TIMEWAIT_EXIT", "QP_FATAL", "DREQ", "DREP",
	"DRAIN_DONE", "RECV_FLUSH", "SEND_DONE", "DRAIN_TIMEOUT", "APP_DONE",
	"DISABLE", "ACCEPT", "REJECT", "CONN_ERROR",
	"REJ",
};

struct run;

struct evset {
	const char *name;
	enum ev ev[NEV];
	void (*setup)(struct run *r);
	void (*check)(struct run *r);
	/* physically impossible orders are skipped */
	bool (*allowed)(const enum ev *order);
};

struct run {
	const struct evset *set;
	struct app *a;
	struct fake_conn *c;
	struct srpt_channel *ch;	/* a reference held by the test */
	enum ev order[NEV];
	unsigned int batch[NEV];	/* dispatch batch of each event */
	int rc[NEV];			/* what each injection returned */
	unsigned int mask;
};

/* ---- helpers ---- */

static size_t tur_iu(uint8_t *buf, size_t cap, uint64_t tag)
{
	struct cmd_spec s = { .tag = tag };
	int n = mk_cmd(&s, buf, cap);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static int deliver_tur(struct run *r, uint64_t tag)
{
	uint8_t iu[64];
	size_t n = tur_iu(iu, sizeof(iu), tag);

	return fake_deliver(r->c, iu, (uint32_t)n);
}

static int pos_of(const struct run *r, enum ev e)
{
	for (int i = 0; i < NEV; i++)
		if (r->order[i] == e)
			return i;
	return -1;
}

static unsigned int batch_of(const struct run *r, enum ev e)
{
	int i = pos_of(r, e);

	return i < 0 ? ~0u : r->batch[i];
}

static void inject(struct run *r, int k)
{
	struct app *a = r->a;
	int rc = 0;

	switch (r->order[k]) {
	case E_DREQ:
	case E_DISC:
	case E_DREQ_RECV:
	case E_DREP:
		rc = fake_disconnected(r->c);
		break;
	case E_RTU:
		rc = fake_established(r->c);
		break;
	case E_COMM_EST:
		rc = fake_conn_qp_event(r->c, SRPT_QP_COMM_EST);
		break;
	case E_FIRST_IU:
		rc = deliver_tur(r, 0x1000 + k);
		break;
	case E_CLOSE:
		rc = srpt_channel_close(r->ch);
		break;
	case E_TIMEWAIT:
		rc = fake_timewait_exit(r->c);
		break;
	case E_QP_FATAL:
		rc = fake_conn_qp_event(r->c, SRPT_QP_FATAL);
		break;
	case E_DRAIN_DONE:
		rc = fake_complete_drain(r->c, FAKE_FLUSH_ERR);
		break;
	case E_RECV_FLUSH:
		rc = fake_flush_recvs(r->c, UINT32_MAX);
		break;
	case E_SEND_DONE:
		rc = fake_complete_sends(r->c, UINT32_MAX, FAKE_FLUSH_ERR);
		break;
	case E_DRAIN_TIMEOUT:
		fake_advance(a->f, a->opts.drain_timeout_ms + 1);
		break;
	case E_APP_DONE:
		app_complete_all(a);
		break;
	case E_DISABLE:
		rc = srpt_target_disable(a->t);
		break;
	case E_ACCEPT:
		rc = srpt_channel_accept(r->ch);
		break;
	case E_REJECT:
		rc = srpt_channel_reject(r->ch,
					 SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
		break;
	case E_CONN_ERROR:
	case E_REJ:
		rc = fake_conn_error(r->c);
		break;
	default:
		ck_abort_msg("unknown event");
	}
	r->rc[k] = rc;
}

static void hold_channel(struct run *r)
{
	r->ch = fake_conn_channel_ref(r->c);
	ck_assert_ptr_nonnull(r->ch);
}

/* ---- setups ---- */

static void setup_connecting(struct run *r)
{
	struct fake_conn_info ci;

	r->c = app_login(r->a, 1);
	fake_conn_info(r->c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	hold_channel(r);
	ck_assert_int_eq(srpt_channel_get_state(r->ch), SRPT_CH_CONNECTING);
}

static void setup_live(struct run *r)
{
	r->c = app_login_live(r->a, 1);
	hold_channel(r);
}

/* Live, two responses posted and not completed, one command still with
 * the application; then the close: DREQ, its DREP, DRAINING. */
static void setup_draining(struct run *r)
{
	struct app *a = r->a;
	struct fake_conn_info ci;
	struct srpt_io *io;

	a->auto_complete = false;
	setup_live(r);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(deliver_tur(r, 0x500 + i), 0);
	ck_assert_uint_eq(app_held(a), 3);
	for (int i = 0; i < 2; i++) {
		struct srpt_io_result res = { .size = sizeof(res),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		io = app_take(a, 0);
		ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	}
	ck_assert_int_eq(srpt_channel_close(r->ch), 0);
	app_dispatch(a);
	ck_assert_int_eq(fake_disconnected(r->c), 0);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_get_state(r->ch), SRPT_CH_DRAINING);
	fake_conn_info(r->c, &ci);
	ck_assert(ci.qp_error);
	ck_assert(ci.drain_in_sq);
	ck_assert_uint_eq(ci.sq, 3);	/* two responses and the drain */
}

/* Same, but nothing left with the application. */
static void setup_draining_done(struct run *r)
{
	setup_draining(r);
	app_complete_all(r->a);
}

static void setup_pending(struct run *r)
{
	struct fake_conn_info ci;

	r->a->req_verdict = SRPT_LOGIN_DEFER;
	r->c = app_login(r->a, 1);
	fake_conn_info(r->c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_NONE);
	ck_assert(!ci.has_qp);	/* it comes with the accept */
	hold_channel(r);
}

/* ---- physical constraints ---- */

/* The drain write is the last work request of the send queue: the
 * responses posted before it complete first. */
static bool sends_before_drain(const enum ev *o)
{
	int s = -1, d = -1;

	for (int i = 0; i < NEV; i++) {
		if (o[i] == E_SEND_DONE)
			s = i;
		if (o[i] == E_DRAIN_DONE)
			d = i;
	}
	return s < 0 || d < 0 || s < d;
}

/* ---- per-set oracles ---- */

static bool has(const char *log, char c)
{
	return strchr(log, c) != NULL;
}

/* A connecting channel becomes live iff something that establishes it
 * reaches the dispatch thread no later than what closes it (in one batch
 * ESTABLISHED is handled before the close events). */
static void check_establish(struct run *r, const enum ev *est, int nest,
			    const enum ev *cls, int ncls)
{
	unsigned int first_est = ~0u, first_cls = ~0u;
	struct app_ch rec;
	int i, k;

	for (k = 0; k < NEV; k++) {
		for (i = 0; i < nest; i++)
			if (r->order[k] == est[i] && r->rc[k] == 0 &&
			    r->batch[k] < first_est)
				first_est = r->batch[k];
		for (i = 0; i < ncls; i++)
			if (r->order[k] == cls[i] && r->batch[k] < first_cls)
				first_cls = r->batch[k];
	}
	ck_assert(app_conn_ch(r->a, r->c, &rec));
	ck_assert_msg(has(rec.log, 'T') == (first_est <= first_cls),
		      "%s: log %s, first establishing batch %u, first closing batch %u",
		      r->a->ctx, rec.log, first_est, first_cls);
	/* an IU the hardware took before the close reached the dispatch
	 * thread is executed once the channel is live; later ones are
	 * dropped with the channel */
	k = pos_of(r, E_FIRST_IU);
	if (k >= 0)
		ck_assert_msg(rec.cmds == (r->rc[k] == 0 &&
					   r->batch[k] <= first_cls &&
					   has(rec.log, 'T') ? 1u : 0u),
			      "%s: %u commands, IU rc %d", r->a->ctx,
			      rec.cmds, r->rc[k]);
	ck_assert_msg(fake_sent_count(r->c) == rec.cmds,
		      "%s: %u responses for %u commands", r->a->ctx,
		      fake_sent_count(r->c), rec.cmds);
}

static void check_connecting(struct run *r)
{
	static const enum ev est[] = { E_RTU, E_COMM_EST, E_FIRST_IU };
	static const enum ev cls[] = { E_DREQ };

	check_establish(r, est, 3, cls, 1);
}

static void check_rej(struct run *r)
{
	static const enum ev est[] = { E_RTU, E_FIRST_IU };
	static const enum ev cls[] = { E_REJ, E_CLOSE };

	check_establish(r, est, 2, cls, 2);
}

/* A DREQ goes out iff the first close the dispatch thread handles is
 * the application's or the peer's DREQ (TIMEWAIT and QP errors close
 * the QP without one). */
static void check_live(struct run *r)
{
	static const enum ev dreq[] = { E_CLOSE, E_DISC, E_DREQ_RECV, E_DREP };
	unsigned int first = ~0u, first_dreq = ~0u;
	struct fake_conn_info ci;
	struct app_ch rec;

	for (int k = 0; k < NEV; k++) {
		if (r->batch[k] < first)
			first = r->batch[k];
		for (int i = 0; i < 4; i++)
			if (r->order[k] == dreq[i] && r->batch[k] < first_dreq)
				first_dreq = r->batch[k];
	}
	fake_conn_info(r->c, &ci);
	ck_assert_msg(ci.disconnects == (first_dreq == first ? 1u : 0u),
		      "%s: %u DREQs", r->a->ctx, ci.disconnects);
	ck_assert(app_conn_ch(r->a, r->c, &rec));
	ck_assert_str_eq(rec.log, "RTDX");
	/* srpt_channel_close() succeeds only before any close was handled */
	{
		int k = pos_of(r, E_CLOSE);

		if (k >= 0)
			ck_assert_msg(r->rc[k] == (r->batch[k] == first ?
						   0 : -EALREADY),
				      "%s: close returned %d", r->a->ctx,
				      r->rc[k]);
	}
}

static void check_draining(struct run *r)
{
	struct app_ch rec;
	struct srpt_stats s;

	ck_assert(app_conn_ch(r->a, r->c, &rec));
	ck_assert_msg(!strcmp(rec.log, "RTDX"), "%s: log %s", r->a->ctx,
		      rec.log);
	app_stats(r->a, &s);
	/* With the drain and the receive flushes in, the channel is
	 * DISCONNECTED: a timeout after them in a later batch must not
	 * fire. */
	if (pos_of(r, E_DRAIN_DONE) >= 0 && pos_of(r, E_DRAIN_TIMEOUT) >= 0 &&
	    batch_of(r, E_DRAIN_TIMEOUT) > batch_of(r, E_DRAIN_DONE) &&
	    batch_of(r, E_DRAIN_TIMEOUT) > batch_of(r, E_RECV_FLUSH))
		ck_assert_msg(s.drain_timeouts == 0, "%s: timeout after the drain",
			      r->a->ctx);
}

/*
 * The pending login: a small model of the rules (first decision wins at
 * the call; the dispatch handles ACCEPT, REJECT, CONN_ERROR, CLOSE in
 * that order within a batch; a disabled port turns an accept into a
 * reject with INSUFFICIENT RESOURCES; a login closed without ever being
 * accepted has no QP to drain, so its id is gone by the next batch and a
 * CM event for it finds nothing).
 */
static void check_pending(struct run *r)
{
	enum { OPEN, ANSWERED_OK, CLOSED } st = OPEN;
	int decision = 0, want_rc[NEV] = { 0 };
	bool enabled = true, accepted = false;
	enum fake_answer answer = FAKE_ANS_NONE;
	uint32_t reason = 0;
	struct fake_conn_info ci;
	struct app_ch rec;
	int k = 0;

	while (k < NEV) {
		bool acc = false, rej = false, cerr = false, cls = false;
		unsigned int b = r->batch[k];

		for (; k < NEV && r->batch[k] == b; k++) {
			switch (r->order[k]) {
			case E_ACCEPT:
			case E_REJECT:
				if (st == CLOSED) {
					want_rc[k] = -ESTALE;
				} else if (decision) {
					want_rc[k] = -EALREADY;
				} else {
					decision = r->order[k] == E_ACCEPT ?
						   1 : 2;
					acc = decision == 1;
					rej = decision == 2;
				}
				break;
			case E_DISABLE:
				enabled = false;
				cls = true;
				break;
			case E_CONN_ERROR:
				if (st == CLOSED && !accepted)
					want_rc[k] = -ENOENT;
				cerr = true;
				break;
			default:
				break;
			}
		}
		if (acc && st == OPEN && !accepted) {
			if (!enabled) {
				answer = FAKE_ANS_REJECT;
				reason = SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
				st = CLOSED;
			} else {
				answer = FAKE_ANS_ACCEPT;
				accepted = true;
				st = ANSWERED_OK;
			}
		}
		if (rej && st == OPEN && !accepted) {
			answer = FAKE_ANS_REJECT;
			reason = SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
			st = CLOSED;
		}
		if (cerr)
			st = CLOSED;
		if (cls && st == OPEN) {
			answer = FAKE_ANS_REJECT;
			reason = SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
			st = CLOSED;
		} else if (cls) {
			st = CLOSED;
		}
	}
	for (k = 0; k < NEV; k++)
		ck_assert_msg(r->rc[k] == want_rc[k],
			      "%s: %s returned %d, want %d", r->a->ctx,
			      ev_names[r->order[k]], r->rc[k], want_rc[k]);
	fake_conn_info(r->c, &ci);
	ck_assert_msg(ci.answer == answer, "%s: answer %d, want %d",
		      r->a->ctx, ci.answer, answer);
	if (answer == FAKE_ANS_REJECT) {
		struct srpt_login_rej rej;

		ck_assert_int_eq(srpt_login_rej_decode(ci.answer_buf,
						       ci.answer_len, &rej), 0);
		ck_assert_msg(rej.reason == reason, "%s: reason 0x%x, want 0x%x",
			      r->a->ctx, rej.reason, reason);
	}
	ck_assert(app_conn_ch(r->a, r->c, &rec));
	ck_assert_str_eq(rec.log, accepted ? "RDX" : "RX");
}

static const struct evset sets[] = {
	{ "connecting", { E_DREQ, E_RTU, E_COMM_EST, E_FIRST_IU },
	  setup_connecting, check_connecting, NULL },
	{ "live", { E_CLOSE, E_DISC, E_TIMEWAIT, E_QP_FATAL },
	  setup_live, check_live, NULL },
	{ "live-dreq-drep", { E_CLOSE, E_DREQ_RECV, E_DREP, E_TIMEWAIT },
	  setup_live, check_live, NULL },
	{ "draining-timeout", { E_DRAIN_DONE, E_RECV_FLUSH, E_SEND_DONE,
				E_DRAIN_TIMEOUT },
	  setup_draining_done, check_draining, sends_before_drain },
	{ "draining-app", { E_DRAIN_DONE, E_RECV_FLUSH, E_SEND_DONE,
			    E_APP_DONE },
	  setup_draining, check_draining, sends_before_drain },
	{ "draining-app-timeout", { E_DRAIN_TIMEOUT, E_RECV_FLUSH,
				    E_SEND_DONE, E_APP_DONE },
	  setup_draining, check_draining, NULL },
	{ "pending-login", { E_DISABLE, E_ACCEPT, E_REJECT, E_CONN_ERROR },
	  setup_pending, check_pending, NULL },
	{ "rej-after-qp", { E_REJ, E_RTU, E_CLOSE, E_FIRST_IU },
	  setup_connecting, check_rej, NULL },
};
#define NSETS (sizeof(sets) / sizeof(sets[0]))

/* The @n-th permutation of 0..NEV-1 in lexicographic order. */
static void nth_perm(unsigned int n, int *p)
{
	int pool[NEV], left = NEV, fact = 1;

	for (int i = 0; i < NEV; i++) {
		pool[i] = i;
		if (i)
			fact *= i;
	}
	for (int i = 0; i < NEV; i++) {
		int j = (int)n / fact;

		n %= (unsigned int)fact;
		p[i] = pool[j];
		memmove(pool + j, pool + j + 1,
			(size_t)(left - j - 1) * sizeof(int));
		left--;
		if (left)
			fact /= left;
	}
}

/* One ordering on a target shared by the runs of one permutation. */
static void run_one(struct app *a, const struct evset *set, unsigned int perm,
		    unsigned int mask)
{
	struct run r = { .set = set, .a = a, .mask = mask };
	int p[NEV], len;
	unsigned int b = 0;

	nth_perm(perm, p);
	for (int k = 0; k < NEV; k++) {
		r.order[k] = set->ev[p[k]];
		r.batch[k] = b;
		/* bit k set: a dispatch runs between events k and k+1 */
		if (k < NEV - 1 && (mask & (1u << k)))
			b++;
	}
	if (set->allowed && !set->allowed(r.order))
		return;
	len = snprintf(a->ctx, sizeof(a->ctx), "%s:", set->name);
	for (int k = 0; k < NEV; k++)
		len += snprintf(a->ctx + len, sizeof(a->ctx) - (size_t)len,
				"%s%s", k && r.batch[k] == r.batch[k - 1] ?
				"+" : " ", ev_names[r.order[k]]);
	/* what earlier runs changed */
	srpt_target_enable(a->t);
	a->req_verdict = SRPT_LOGIN_ACCEPT;
	a->auto_complete = true;
	set->setup(&r);
	for (int k = 0; k < NEV; k++) {
		inject(&r, k);
		if (k == NEV - 1 || r.batch[k + 1] != r.batch[k])
			app_dispatch(a);
	}
	app_assert_clean(a);
	app_finish(a);
	if (r.ch) {
		/* the test's own reference kept the memory, not the channel */
		ck_assert_int_eq(srpt_channel_get_state(r.ch),
				 SRPT_CH_DISCONNECTED);
		srpt_channel_unref(r.ch);
	}
	set->check(&r);
	app_check(a);
}

/*
 * One forked child per (set, permutation): every batching of it runs on
 * one target, each finished and checked before the next (a target's
 * teardown waits for liburcu's call_rcu batching, ~10 ms).
 */
static void run_perm(const struct evset *set, unsigned int perm)
{
	struct app *a = app_new();

	for (unsigned int mask = 0; mask < NMASK; mask++)
		run_one(a, set, perm, mask);
	app_free(a);
}

START_TEST(test_connecting)
{
	run_perm(&sets[0], (unsigned int)_i);
}
END_TEST

START_TEST(test_live)
{
	run_perm(&sets[1], (unsigned int)_i);
}
END_TEST

START_TEST(test_live_dreq_drep)
{
	run_perm(&sets[2], (unsigned int)_i);
}
END_TEST

START_TEST(test_draining_timeout)
{
	run_perm(&sets[3], (unsigned int)_i);
}
END_TEST

START_TEST(test_draining_app)
{
	run_perm(&sets[4], (unsigned int)_i);
}
END_TEST

START_TEST(test_draining_app_timeout)
{
	run_perm(&sets[5], (unsigned int)_i);
}
END_TEST

START_TEST(test_pending_login)
{
	run_perm(&sets[6], (unsigned int)_i);
}
END_TEST

START_TEST(test_rej_after_qp)
{
	run_perm(&sets[7], (unsigned int)_i);
}
END_TEST

/* The generator itself: 24 distinct permutations. */
START_TEST(test_generator)
{
	int seen[NPERM] = { 0 };

	for (unsigned int n = 0; n < NPERM; n++) {
		int p[NEV], code = 0, used = 0;

		nth_perm(n, p);
		for (int i = 0; i < NEV; i++) {
			ck_assert(!(used & (1 << p[i])));
			used |= 1 << p[i];
			code = code * NEV + p[i];
		}
		for (unsigned int m = 0; m < n; m++)
			ck_assert_int_ne(seen[m], code);
		seen[n] = code;
	}
}
END_TEST

static Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("core-lifecycle");
	TCase *tc = tcase_create("orderings");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_generator);
	tcase_add_loop_test(tc, test_connecting, 0, NPERM);
	tcase_add_loop_test(tc, test_live, 0, NPERM);
	tcase_add_loop_test(tc, test_live_dreq_drep, 0, NPERM);
	tcase_add_loop_test(tc, test_draining_timeout, 0, NPERM);
	tcase_add_loop_test(tc, test_draining_app, 0, NPERM);
	tcase_add_loop_test(tc, test_draining_app_timeout, 0, NPERM);
	tcase_add_loop_test(tc, test_pending_login, 0, NPERM);
	tcase_add_loop_test(tc, test_rej_after_qp, 0, NPERM);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(lifecycle_suite)
