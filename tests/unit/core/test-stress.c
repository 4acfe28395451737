/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Multi-threaded stress, made for ThreadSanitizer: the fake's dispatch
 * thread runs the lifecycle; initiator threads log in, deliver IUs, play
 * the hardware (completions, flushes, DREPs) and disconnect in every way;
 * application threads complete commands and finish deferred decisions
 * and unregister steps; a chaos thread disables and re-enables the port,
 * fires async QP events at random QP numbers and pushes the clock past
 * drain timeouts. At the end everything must be drained and freed, every
 * channel's callbacks must follow the contract, and TSan must stay quiet.
 *
 * Bounded: SRPT_STRESS_LOGINS logins in all (default 2000), at most
 * SRPT_STRESS_SECONDS seconds (default 20) of logging in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/byteorder.h"

#define LOGIN_THREADS 3
#define APP_THREADS 2
#define SLICES 4096			/* 4 KiB slices of app memory */
#define REMOTE_PER_THREAD (1u << 20)

enum work_kind { W_IO, W_DECIDE, W_DRAINED };

struct work {
	enum work_kind kind;
	void *p;
};

struct stress {
	struct app *a;
	uint8_t *remote;
	uint32_t rkey;
	uint8_t *plain;			/* unregistered app memory */
	atomic_uint slice;

	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct work *q;
	unsigned int qhead, qtail, qcap;
	bool qstop;

	unsigned int target_logins;
	atomic_uint logins;
	struct timespec t0;
	double seconds;
	atomic_bool chaos_stop;

	unsigned int dispatch_seed;	/* dispatch thread only */
	atomic_ulong accepted, ios, tms, timeouts_pushed, stuck;
};

static struct stress S;

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - S.t0.tv_sec) +
	       (double)(t.tv_nsec - S.t0.tv_nsec) / 1e9;
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

/* ---- the application's work queue ---- */

static void push(enum work_kind kind, void *p)
{
	pthread_mutex_lock(&S.qlock);
	if (S.qtail - S.qhead == S.qcap) {
		unsigned int n = S.qcap ? 2 * S.qcap : 256;
		struct work *q = calloc(n, sizeof(*q));

		for (unsigned int i = 0; i < S.qcap; i++)
			q[i] = S.q[(S.qhead + i) % S.qcap];
		S.qtail -= S.qhead;
		S.qhead = 0;
		free(S.q);
		S.q = q;
		S.qcap = n;
	}
	S.q[S.qtail++ % S.qcap] = (struct work){ kind, p };
	pthread_cond_signal(&S.qcond);
	pthread_mutex_unlock(&S.qlock);
}

static bool pop(struct work *w)
{
	pthread_mutex_lock(&S.qlock);
	while (S.qhead == S.qtail && !S.qstop)
		pthread_cond_wait(&S.qcond, &S.qlock);
	if (S.qhead == S.qtail) {
		pthread_mutex_unlock(&S.qlock);
		return false;
	}
	*w = S.q[S.qhead++ % S.qcap];
	pthread_mutex_unlock(&S.qlock);
	return true;
}

static uint8_t *slice(void)
{
	return S.a->mem + 4096 * (atomic_fetch_add(&S.slice, 1) % SLICES);
}

static void give_back(struct srpt_io *io, const struct srpt_io_result *res)
{
	app_owned_add(S.a, srpt_io_get_channel(io), -1);
	srpt_io_complete(io, res);
}

static void fetch_cb(struct srpt_io *io, int status, void *arg)
{
	struct srpt_io_result res = { .size = sizeof(res), .status = status ? 2 : 0,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	give_back(io, &res);
}

static void do_io(struct srpt_io *io, unsigned int *seed)
{
	const struct srpt_io_info *info = srpt_io_get_info(io);
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	bool bounce = rand_r(seed) % 4 == 0;
	struct srpt_sge sg = { bounce ? S.plain : slice(), 4096,
			       bounce ? NULL : S.a->mr };
	int r;

	if (info->data_len < sg.len)
		sg.len = info->data_len;
	switch (info->dir) {
	case SRPT_DIR_IN:
		res.data = &sg;
		res.nsge = sg.len ? 1 : 0;
		give_back(io, &res);
		break;
	case SRPT_DIR_OUT:
		/* bounce: the library copies into S.plain; only the fetch
		 * into registered slices is safe to run concurrently */
		sg.addr = slice();
		sg.mr = S.a->mr;
		r = srpt_io_fetch_data(io, &sg, 1, fetch_cb, NULL);
		if (r != 0) {
			res.status = r < 0 ? 2 : 0;
			give_back(io, &res);
		}
		break;
	default:
		give_back(io, &res);
		break;
	}
}

static void *app_thread(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct work w;

	while (pop(&w)) {
		switch (w.kind) {
		case W_IO:
			do_io(w.p, &seed);
			break;
		case W_DECIDE:
			if (rand_r(&seed) % 3)
				srpt_channel_accept(w.p);
			else
				srpt_channel_reject(w.p,
					SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
			srpt_channel_unref(w.p);
			break;
		case W_DRAINED:
			if (srpt_channel_drained_done(w.p))
				fake_error(S.a->f, "drained_done failed");
			break;
		}
	}
	return NULL;
}

/* ---- callbacks (the dispatch thread, and completion threads) ---- */

static int h_req(struct app *a, struct srpt_channel *ch,
		 const struct srpt_login_info *login)
{
	unsigned int r = rand_r(&S.dispatch_seed) % 100;

	if (r < 85)
		return SRPT_LOGIN_ACCEPT;
	if (r < 93) {
		push(W_DECIDE, srpt_channel_ref(ch));
		return SRPT_LOGIN_DEFER;
	}
	return SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
}

static void h_rtu(struct app *a, struct srpt_channel *ch)
{
	if (rand_r(&S.dispatch_seed) % 50 == 0)
		srpt_channel_close(ch);
}

static int h_drained(struct app *a, struct srpt_channel *ch)
{
	if (rand_r(&S.dispatch_seed) % 8)
		return SRPT_DRAINED_DONE;
	push(W_DRAINED, ch);
	return SRPT_DRAINED_PENDING;
}

static void h_cmd(struct app *a, struct srpt_channel *ch, struct srpt_io *io)
{
	const struct srpt_io_info *info = srpt_io_get_info(io);

	app_owned_add(a, ch, 1);
	atomic_fetch_add(&S.ios, 1);
	/* now and then answered right in the callback */
	if (info->dir == SRPT_DIR_NONE && (info->tag & 7) == 0) {
		struct srpt_io_result res = { .size = sizeof(res),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		give_back(io, &res);
		return;
	}
	push(W_IO, io);
}

/* ---- the initiators and the hardware ---- */

struct ini {
	unsigned int id;
	unsigned int seed;
	uint8_t *remote;		/* this initiator's part */
	unsigned int roff;
	uint64_t tag;
};

static void deliver_random(struct ini *in, struct fake_conn *c)
{
	static uint8_t imm[2048];
	struct cmd_spec s = { .tag = in->tag++ };
	struct srpt_buf_desc first;
	uint8_t iu[4096];
	unsigned int k = rand_r(&in->seed) % 7;
	int n;

	s.lun[1] = (uint8_t)(rand_r(&in->seed) % 2);
	/* the last 4 KiB hold the initiator's descriptor table */
	in->roff = (in->roff + 4096) % (REMOTE_PER_THREAD - 4096);
	s.direct = (struct srpt_buf_desc){ (uintptr_t)in->remote + in->roff,
					   S.rkey, 4096 };
	switch (k) {
	case 0:
	case 1:
		s.fmt_in = SRPT_DATA_FMT_DIRECT;
		break;
	case 2:
		s.fmt_out = SRPT_DATA_FMT_DIRECT;
		break;
	case 3:
		s.fmt_out = SRPT_DATA_FMT_IMM;
		s.imm = imm;
		s.total_len = sizeof(imm);
		s.imm_offset = 68;
		break;
	case 4: {
		/* ABORT TASK of an earlier tag, or a LUN RESET */
		struct srpt_tsk_mgmt tm = {
			.tag = s.tag,
			.tsk_mgmt_func = rand_r(&in->seed) % 4 ?
					 SRPT_TSK_ABORT_TASK :
					 SRPT_TSK_LUN_RESET,
			.task_tag = s.tag - 1 - rand_r(&in->seed) % 3,
		};

		srpt_tsk_mgmt_encode(&tm, iu, SRPT_TSK_MGMT_LEN);
		atomic_fetch_add(&S.tms, 1);
		fake_deliver(c, iu, SRPT_TSK_MGMT_LEN);
		return;
	}
	case 5: {
		/* a READ whose descriptors are in initiator memory: its
		 * table read may complete while the channel closes, and
		 * must then never reach on_cmd after on_dreq */
		uint8_t *table = in->remote + REMOTE_PER_THREAD - 4096;

		for (int i = 0; i < 4; i++) {
			put_be64(table + 16 * i, (uintptr_t)in->remote +
				 in->roff + 1024 * (unsigned int)i);
			put_be32(table + 16 * i + 8, S.rkey);
			put_be32(table + 16 * i + 12, 1024);
		}
		first = (struct srpt_buf_desc){ (uintptr_t)in->remote +
						in->roff, S.rkey, 1024 };
		s.fmt_in = SRPT_DATA_FMT_INDIRECT;
		s.list = &first;	/* one of four inline */
		s.nlist = 1;
		s.table_cnt = 4;
		s.table = (struct srpt_buf_desc){ (uintptr_t)table, S.rkey,
						  64 };
		s.total_len = 4096;
		break;
	}
	default:
		break;
	}
	n = mk_cmd(&s, iu, sizeof(iu));
	if (n > 0)
		fake_deliver(c, iu, (uint32_t)n);
}

/*
 * One step of the hardware and the peer. A lazy channel's QP flushes
 * only its receives: its responses and its drain write stay posted until
 * the drain timer has ended the channel (then they come, late).
 */
static void hw_step(struct ini *in, struct fake_conn *c, unsigned int spin,
		    bool lazy)
{
	struct fake_conn_info ci;

	fake_conn_info(c, &ci);
	if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED] && ci.id_alive &&
	    rand_r(&in->seed) % 4 == 0)
		fake_disconnected(c);
	if (ci.qp_error && lazy) {
		fake_flush_recvs(c, UINT32_MAX);
	} else if (ci.qp_error) {
		unsigned int o = rand_r(&in->seed) % 16;

		fake_flush(c, o == 0 ? FAKE_FLUSH_NO_DRAIN :
			   (enum fake_flush_order)(o % 3));
	} else if (ci.sq) {
		fake_complete_sends(c, 1 + rand_r(&in->seed) % 4, 0);
	}
	/* stuck (a drain that never completes, or a peer that never
	 * answers): let time pass for everybody */
	if (spin && spin % 50 == 0) {
		if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED] &&
		    ci.id_alive)
			fake_disconnected(c);
		fake_advance(S.a->f, S.a->opts.drain_timeout_ms + 1);
		atomic_fetch_add(&S.timeouts_pushed, 1);
	}
}

static void one_login(struct ini *in)
{
	struct srpt_login_req req;
	struct fake_conn *c;
	struct fake_conn_info ci;
	unsigned int spin;
	bool lazy = rand_r(&in->seed) % 8 == 0;
	struct srpt_channel *pin;

	fake_login_req_init(S.a->f, &req, in->id);
	if (rand_r(&in->seed) % 4 == 0)
		req.req_flags &= ~SRPT_LOGIN_IMMED_REQUESTED;
	c = fake_connect(S.a->f, &req);
	/* a lazy channel is also pinned, so that its QP (and what is
	 * posted on it) outlives its unregistration */
	pin = lazy ? fake_conn_channel_ref(c) : NULL;
	/* the answer comes from the dispatch thread */
	for (spin = 0;; spin++) {
		fake_conn_info(c, &ci);
		if (ci.answer != FAKE_ANS_NONE || !ci.id_alive)
			break;
		if (spin > 200000) {
			fake_error(S.a->f, "conn %u: no answer", ci.idx);
			atomic_fetch_add(&S.stuck, 1);
			srpt_channel_unref(pin);
			return;
		}
		if (spin > 100)
			usleep(50);
	}
	if (ci.answer == FAKE_ANS_ACCEPT) {
		unsigned int nio = rand_r(&in->seed) % 12;

		atomic_fetch_add(&S.accepted, 1);
		switch (rand_r(&in->seed) % 3) {
		case 0:
			fake_established(c);
			break;
		case 1:
			fake_conn_qp_event(c, SRPT_QP_COMM_EST);
			break;
		default:
			break;	/* the first IU establishes it */
		}
		for (unsigned int i = 0; i < nio; i++) {
			deliver_random(in, c);
			if (rand_r(&in->seed) % 2)
				fake_complete_sends(c, UINT32_MAX, 0);
		}
		if (!lazy)
			fake_complete_sends(c, UINT32_MAX, 0);
		switch (rand_r(&in->seed) % 7) {
		case 0: {
			struct srpt_channel *ch = fake_conn_channel_ref(c);

			srpt_channel_close(ch);
			srpt_channel_unref(ch);
			break;
		}
		case 1:
			fake_disconnected(c);		/* the peer's DREQ */
			break;
		case 2:
			fake_conn_qp_event(c, SRPT_QP_FATAL);
			break;
		case 3:
			fake_conn_error(c);
			break;
		case 4:
			fake_timewait_exit(c);
			break;
		case 5:
			fake_cm_fatal(c);
			break;
		default: {
			/* the initiator logs out */
			uint8_t iu[SRPT_I_LOGOUT_LEN];
			struct srpt_i_logout lo = { .tag = 1 };

			srpt_i_logout_encode(&lo, iu, sizeof(iu));
			fake_deliver(c, iu, sizeof(iu));
			break;
		}
		}
	}
	/* play the hardware until the channel is unregistered */
	for (spin = 0;; spin++) {
		fake_conn_info(c, &ci);
		if (!ci.id_alive)
			break;
		if (spin > 20000) {
			fake_error(S.a->f, "conn %u: never unregistered",
				   ci.idx);
			atomic_fetch_add(&S.stuck, 1);
			break;
		}
		hw_step(in, c, spin, lazy);
		usleep(spin < 50 ? 20 : 200);
	}
	/* leftovers of a channel that is gone: stale completions */
	fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
	srpt_channel_unref(pin);
}

static void *ini_thread(void *arg)
{
	struct ini *in = arg;

	srpt_rcu_thread_online();
	while (atomic_fetch_add(&S.logins, 1) < S.target_logins &&
	       elapsed() < S.seconds)
		one_login(in);
	srpt_rcu_thread_offline();
	return NULL;
}

static int count_visit(struct srpt_channel *ch, void *arg)
{
	(*(int *)arg) += srpt_channel_get_state(ch) <= SRPT_CH_DISCONNECTED;
	return 0;
}

static void *chaos_thread(void *arg)
{
	unsigned int seed = 99;

	srpt_rcu_thread_online();
	while (!atomic_load(&S.chaos_stop)) {
		unsigned int r = rand_r(&seed) % 100;

		if (r < 3) {
			srpt_target_disable(S.a->t);
			usleep(500);
			srpt_target_enable(S.a->t);
		} else if (r < 25) {
			fake_qp_event(S.a->f, 0x100 + rand_r(&seed) % 16,
				      r < 8 ? SRPT_QP_FATAL :
				      SRPT_QP_COMM_EST);
		} else if (r < 30) {
			fake_advance(S.a->f, 200);
		} else if (r < 60) {
			struct srpt_channel *ch;
			int n = 0;

			srpt_target_foreach_channel(S.a->t, count_visit, &n);
			if (!srpt_target_find_channel(S.a->t,
						      1 + rand_r(&seed) % 64,
						      &ch)) {
				(void)srpt_channel_get_state(ch);
				(void)srpt_channel_get_login(ch)->tag;
				srpt_channel_unref(ch);
			}
		}
		usleep(200 + rand_r(&seed) % 800);
	}
	srpt_rcu_thread_offline();
	return NULL;
}

START_TEST(test_stress)
{
	pthread_t ini[LOGIN_THREADS], app[APP_THREADS], chaos;
	struct ini ins[LOGIN_THREADS];
	struct srpt_stats st;
	struct app *a;
	unsigned int i, n;

	memset(&S, 0, sizeof(S));
	pthread_mutex_init(&S.qlock, NULL);
	pthread_cond_init(&S.qcond, NULL);
	S.target_logins = env_uint("SRPT_STRESS_LOGINS", 2000);
	S.seconds = env_uint("SRPT_STRESS_SECONDS", 20);
	S.dispatch_seed = 7;
	a = S.a = app_alloc();
	a->strict = false;
	a->auto_complete = false;
	a->hooks.on_req = h_req;
	a->hooks.on_rtu = h_rtu;
	a->hooks.on_drained = h_drained;
	a->hooks.on_cmd = h_cmd;
	a->opts.queue_depth = 8;
	a->opts.drain_timeout_ms = 1000;
	if (_i) {
		/* the second run: every channel on one shared queue */
		a->opts.flags |= SRPT_TARGET_SRQ;
		a->opts.srq_size = 1024;
	}
	ck_assert_int_eq(app_start(a), 0);
	fake_set_record_sent(a->f, false);
	fake_set_poison(a->f, false);
	S.remote = calloc(LOGIN_THREADS, REMOTE_PER_THREAD);
	S.rkey = fake_remote_add(a->f, S.remote,
				 (uint64_t)LOGIN_THREADS * REMOTE_PER_THREAD);
	app_mem(a, (size_t)SLICES * 4096);
	S.plain = calloc(1, 4096);
	clock_gettime(CLOCK_MONOTONIC, &S.t0);

	ck_assert_int_eq(fake_start_dispatch(a->f), 0);
	for (i = 0; i < APP_THREADS; i++)
		ck_assert_int_eq(pthread_create(&app[i], NULL, app_thread,
						(void *)(uintptr_t)(i + 1)), 0);
	ck_assert_int_eq(pthread_create(&chaos, NULL, chaos_thread, NULL), 0);
	for (i = 0; i < LOGIN_THREADS; i++) {
		ins[i] = (struct ini){
			.id = 10 + i, .seed = 1000 + i,
			.remote = S.remote + (size_t)i * REMOTE_PER_THREAD,
			.tag = (uint64_t)i << 40,
		};
		ck_assert_int_eq(pthread_create(&ini[i], NULL, ini_thread,
						&ins[i]), 0);
	}
	for (i = 0; i < LOGIN_THREADS; i++)
		pthread_join(ini[i], NULL);
	atomic_store(&S.chaos_stop, true);
	pthread_join(chaos, NULL);

	/* what is left: answer, flush, time out, until nothing is */
	for (unsigned int round = 0; round < 5000 &&
	     srpt_target_channel_count(a->t); round++) {
		n = fake_conn_count(a->f);
		for (i = 0; i < n; i++) {
			struct fake_conn *c = fake_conn_at(a->f, i);
			struct fake_conn_info ci;

			fake_conn_info(c, &ci);
			if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED] &&
			    ci.id_alive)
				fake_disconnected(c);
			if (ci.sq || ci.rq)
				fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
		}
		if (round % 100 == 99)
			fake_advance(a->f, a->opts.drain_timeout_ms + 1);
		usleep(1000);
	}
	pthread_mutex_lock(&S.qlock);
	S.qstop = true;
	pthread_cond_broadcast(&S.qcond);
	pthread_mutex_unlock(&S.qlock);
	for (i = 0; i < APP_THREADS; i++)
		pthread_join(app[i], NULL);
	/* The harness would finish these: the app threads did. */
	pthread_mutex_lock(&a->lock);
	a->npending = 0;
	pthread_mutex_unlock(&a->lock);

	app_stats(a, &st);
	{
		unsigned long after_dreq = 0;

		pthread_mutex_lock(&a->lock);
		for (size_t k = 0; k < a->nchs; k++)
			after_dreq += a->chs[k].cmds_after_dreq;
		pthread_mutex_unlock(&a->lock);
		fprintf(stderr,
			"stress: %u logins (%lu accepted) in %.1f s, %lu commands, %lu TMs, "
			"%lu on_cmd after on_dreq, %lu drain timeouts, %lu late completions, "
			"%lu clock pushes\n",
			fake_conn_count(a->f), atomic_load(&S.accepted),
			elapsed(), atomic_load(&S.ios), atomic_load(&S.tms),
			after_dreq, (unsigned long)st.drain_timeouts,
			(unsigned long)st.late_completions,
			atomic_load(&S.timeouts_pushed));
		/* The contract: no command is delivered after on_dreq. */
		ck_assert_uint_eq(after_dreq, 0);
	}
	ck_assert_uint_eq(atomic_load(&S.stuck), 0);
	ck_assert_uint_gt(fake_conn_count(a->f), 10);
	srpt_target_dereg_mem(a->t, a->mr);
	a->mr = NULL;
	app_check(a);
	srpt_target_unref(a->t);	/* stops the dispatch thread */
	a->t = NULL;
	ck_assert_uint_eq(fake_check_final(a->f), 0);
	app_free(a);
	free(S.remote);
	free(S.plain);
	free(S.q);
}
END_TEST

static Suite *stress_suite(void)
{
	Suite *s = suite_create("core-stress");
	TCase *tc = tcase_create("stress");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_stress, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(stress_suite)
