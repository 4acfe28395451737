/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The library's threads (libsrpt/rdma/rdma-thread.c): every signal
 * blocked from the first instruction, the completion CPUs the
 * application chose, its start and stop hooks called on the thread
 * itself, in that order.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>

#include "door.h"
#include "rdma/rdma-priv.h"

static struct srpt_target_opts opts;
static struct srpt_tp_target tpt;
static struct rtp_tp tp;

/* What the hooks and the thread saw, on the thread. */
static struct seen {
	int start_kind, stop_kind;
	unsigned int start_index, stop_index;
	void *start_ud, *stop_ud;
	pthread_t start_self, stop_self;
	bool start_cpu_set;		/* affinity was in place for start */
	bool all_blocked;
	int order;			/* 1 start, 2 body, 3 stop */
	int start_order, body_order, stop_order;
	cpu_set_t cpus;
} seen;

static void start_hook(int kind, unsigned int index, void *ud)
{
	cpu_set_t set;

	seen.start_kind = kind;
	seen.start_index = index;
	seen.start_ud = ud;
	seen.start_self = pthread_self();
	seen.start_order = ++seen.order;
	CPU_ZERO(&set);
	pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
	seen.start_cpu_set = CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set);
}

static void stop_hook(int kind, unsigned int index, void *ud)
{
	seen.stop_kind = kind;
	seen.stop_index = index;
	seen.stop_ud = ud;
	seen.stop_self = pthread_self();
	seen.stop_order = ++seen.order;
}

struct body_arg {
	int kind;
	unsigned int index;
	pthread_t self;
};

static void *body(void *p)
{
	struct body_arg *a = p;
	sigset_t cur;

	a->self = pthread_self();
	rtp_thread_begin(&tp, a->kind, a->index);
	seen.body_order = ++seen.order;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	seen.all_blocked = sigismember(&cur, SIGINT) &&
			   sigismember(&cur, SIGTERM) &&
			   sigismember(&cur, SIGUSR1) &&
			   sigismember(&cur, SIGHUP) &&
			   sigismember(&cur, SIGPIPE);
	CPU_ZERO(&seen.cpus);
	pthread_getaffinity_np(pthread_self(), sizeof(seen.cpus), &seen.cpus);
	rtp_thread_end(&tp, a->kind, a->index);
	return NULL;
}

static void run(int kind, unsigned int index)
{
	struct body_arg a = { .kind = kind, .index = index };
	pthread_t th;

	ck_assert_int_eq(rtp_thread_create(&th, body, &a), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert(pthread_equal(a.self, th));
}

static void setup(void)
{
	memset(&opts, 0, sizeof(opts));
	memset(&seen, 0, sizeof(seen));
	memset(&door, 0, sizeof(door));
	tpt.opts = &opts;
	tp.t = &tpt;
}

/* A completion thread: CPU first, then the start hook, the work, the
 * stop hook; all on the thread itself, every signal blocked. */
START_TEST(test_completion_thread)
{
	static const unsigned int cpus[] = { 0 };
	static int ud;
	sigset_t before, after;

	opts.completion_cpus = cpus;
	opts.ncompletion_cpus = 1;
	opts.thread_start = start_hook;
	opts.thread_stop = stop_hook;
	opts.thread_userdata = &ud;
	pthread_sigmask(SIG_BLOCK, NULL, &before);
	run(SRPT_THREAD_COMPLETION, 3);
	/* The caller's own mask is as it was. */
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	ck_assert_int_eq(sigismember(&after, SIGUSR1),
			 sigismember(&before, SIGUSR1));
	ck_assert_int_eq(sigismember(&after, SIGINT),
			 sigismember(&before, SIGINT));

	ck_assert(seen.all_blocked);
	ck_assert_int_eq(seen.start_kind, SRPT_THREAD_COMPLETION);
	ck_assert_uint_eq(seen.start_index, 3);
	ck_assert_ptr_eq(seen.start_ud, &ud);
	ck_assert(seen.start_cpu_set);
	ck_assert_int_eq(CPU_COUNT(&seen.cpus), 1);
	ck_assert(CPU_ISSET(0, &seen.cpus));
	ck_assert_int_eq(seen.stop_kind, SRPT_THREAD_COMPLETION);
	ck_assert_uint_eq(seen.stop_index, 3);
	ck_assert_ptr_eq(seen.stop_ud, &ud);
	ck_assert(pthread_equal(seen.start_self, seen.stop_self));
	ck_assert_int_eq(seen.start_order, 1);
	ck_assert_int_eq(seen.body_order, 2);
	ck_assert_int_eq(seen.stop_order, 3);
}
END_TEST

/* Thread i runs on completion_cpus[i % n]. */
START_TEST(test_cpus_taken_in_turn)
{
	static const unsigned int cpus[] = { 0, 0 };

	opts.completion_cpus = cpus;
	opts.ncompletion_cpus = 2;
	run(SRPT_THREAD_COMPLETION, 5);
	ck_assert_int_eq(CPU_COUNT(&seen.cpus), 1);
	ck_assert(CPU_ISSET(0, &seen.cpus));
}
END_TEST

/* A CPU that does not exist: logged, and the thread runs anyway. */
START_TEST(test_cpu_missing)
{
	static const unsigned int cpus[] = { CPU_SETSIZE - 1 };

	opts.completion_cpus = cpus;
	opts.ncompletion_cpus = 1;
	run(SRPT_THREAD_COMPLETION, 0);
	ck_assert_uint_eq(door.logs, 1);
	ck_assert_ptr_nonnull(strstr(door.last_log, "cannot run on CPU"));
	ck_assert(seen.all_blocked);
}
END_TEST

/* The dispatch thread: hooks with its kind and index 0; no CPU is set
 * for it (the CPUs are for completion threads). */
START_TEST(test_dispatch_thread)
{
	static const unsigned int cpus[] = { 0 };
	cpu_set_t mine;

	opts.completion_cpus = cpus;
	opts.ncompletion_cpus = 1;
	opts.thread_start = start_hook;
	opts.thread_stop = stop_hook;
	CPU_ZERO(&mine);
	pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
	run(SRPT_THREAD_DISPATCH, 0);
	ck_assert_int_eq(seen.start_kind, SRPT_THREAD_DISPATCH);
	ck_assert_int_eq(seen.stop_kind, SRPT_THREAD_DISPATCH);
	ck_assert_uint_eq(seen.start_index, 0);
	ck_assert(CPU_EQUAL(&seen.cpus, &mine));
	ck_assert(seen.all_blocked);
}
END_TEST

/* No hooks, no CPUs: nothing but the blocked signals. */
START_TEST(test_no_hooks)
{
	run(SRPT_THREAD_COMPLETION, 1);
	ck_assert_int_eq(seen.order, 1);	/* the body only */
	ck_assert(seen.all_blocked);
	ck_assert_uint_eq(door.logs, 0);
}
END_TEST

static Suite *thread_suite(void)
{
	Suite *s = suite_create("rdma-thread");
	TCase *tc = tcase_create("thread");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_completion_thread);
	tcase_add_test(tc, test_cpus_taken_in_turn);
	tcase_add_test(tc, test_cpu_missing);
	tcase_add_test(tc, test_dispatch_thread);
	tcase_add_test(tc, test_no_hooks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(thread_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
