/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The poller thread (examples/srpt-blockdev/reactor.c) against a
 * temporary file: operations posted from other threads complete on the
 * poller, each once, with the data where it belongs; a stop with many
 * operations in flight, some of whose callbacks start more, loses none;
 * the poll hook runs every round, on the poller, while idle at the idle
 * interval and at once when its descriptor is readable, and may start
 * operations itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "blockdev-test.h"
#include "reactor.h"
#include "uring.h"

#define CHUNK POOL_CHUNK_SIZE
#define THREADS 3
#define PER_THREAD 16

static struct pool *pool;
static struct uring *ring;
static struct reactor *reactor;
/* The same, for the hook: it may run before reactor_start() returned. */
static _Atomic(struct reactor *) live;
static char path[128];
static int fd = -1;

/* What the callbacks saw; checked by the test thread. */
static atomic_int completed;
static atomic_int wrong_thread;
static atomic_int failed;

/* One operation and its buffer, with what its callback saw. */
struct req {
	struct uring_op op;
	struct pool_buf buf;
	atomic_int calls;
	int res;
	struct req *then;	/* started from the callback */
};

static void done(struct uring_op *op, int res, void *arg)
{
	struct req *q = arg;

	if (!reactor_on_thread(reactor))
		atomic_fetch_add(&wrong_thread, 1);
	if (res)
		atomic_fetch_add(&failed, 1);
	q->res = res;
	if (q->then && reactor_submit(reactor, &q->then->op))
		atomic_fetch_add(&failed, 1);
	atomic_fetch_add(&q->calls, 1);
	atomic_fetch_add(&completed, 1);
}

static void setup(void)
{
	ck_assert_int_eq(pool_new(4u << 20, &pool), 0);
	ck_assert_int_eq(uring_new(4, pool, &ring), 0);	/* room for few */
	fd = bt_tmpfile(path, sizeof(path));
	atomic_store(&completed, 0);
	atomic_store(&wrong_thread, 0);
	atomic_store(&failed, 0);
	reactor = NULL;
	atomic_store(&live, NULL);
}

static void teardown(void)
{
	ck_assert_int_eq(reactor_stop(reactor), 0);
	reactor = NULL;
	uring_free(ring);
	ring = NULL;
	pool_free(pool);
	pool = NULL;
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(path);
}

static void start(reactor_poll_fn poll, void *arg, int poll_fd,
		  unsigned int idle_ms)
{
	struct reactor_opts o = {
		.ring = ring, .poll = poll, .poll_arg = arg,
		.poll_fd = poll_fd, .idle_ms = idle_ms, .name = "test-reactor",
	};

	ck_assert_int_eq(reactor_start(&o, &reactor), 0);
	atomic_store(&live, reactor);
	reactor_wake(reactor);	/* a round that sees it */
	ck_assert(!reactor_on_thread(reactor));
	ck_assert_ptr_eq(reactor_ring(reactor), ring);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Until @n reaches @want, for at most 10 s; whether it did. */
static bool wait_for(atomic_int *n, int want)
{
	double end = now() + 10;

	while (atomic_load(n) < want && now() < end)
		usleep(1000);
	return atomic_load(n) >= want;
}

/* A write of one chunk of pattern @seed at chunk @i of the file. */
static void prep_write(struct req *q, unsigned int i, uint64_t seed)
{
	uint64_t off = (uint64_t)i * CHUNK;

	ck_assert_int_eq(pool_get(pool, CHUNK, &q->buf), 0);
	bt_fill(q->buf.chunk[0], CHUNK, off, seed);
	uring_prep_write(&q->op, fd, off, &q->buf, 0, done, q);
	atomic_init(&q->calls, 0);
	q->res = 1;
	q->then = NULL;
}

static void check_file(unsigned int i, uint64_t seed)
{
	static uint8_t data[CHUNK];

	ck_assert_int_eq(pread(fd, data, CHUNK, (off_t)i * CHUNK), CHUNK);
	ck_assert_int_eq(bt_check(data, CHUNK, (uint64_t)i * CHUNK, seed), -1);
}

static struct req reqs[64];

struct poster {
	pthread_t thread;
	unsigned int first;
};

static void *post_some(void *arg)
{
	struct poster *p = arg;

	for (unsigned int i = p->first; i < p->first + PER_THREAD; i++)
		if (reactor_submit(reactor, &reqs[i].op))
			atomic_fetch_add(&failed, 1);
	return NULL;
}

START_TEST(test_cross_thread)
{
	struct poster p[THREADS];

	start(NULL, NULL, -1, 0);
	for (unsigned int i = 0; i < THREADS * PER_THREAD; i++)
		prep_write(&reqs[i], i, 7);
	for (unsigned int t = 0; t < THREADS; t++) {
		p[t].first = t * PER_THREAD;
		ck_assert_int_eq(pthread_create(&p[t].thread, NULL, post_some,
						&p[t]), 0);
	}
	for (unsigned int t = 0; t < THREADS; t++)
		pthread_join(p[t].thread, NULL);
	ck_assert(wait_for(&completed, THREADS * PER_THREAD));
	ck_assert_int_eq(atomic_load(&wrong_thread), 0);
	ck_assert_int_eq(atomic_load(&failed), 0);
	for (unsigned int i = 0; i < THREADS * PER_THREAD; i++) {
		ck_assert_int_eq(atomic_load(&reqs[i].calls), 1);
		ck_assert_int_eq(reqs[i].res, 0);
		check_file(i, 7);
		pool_put(&reqs[i].buf);
	}
	/* A wrong pool's buffer: refused here, no callback. */
	{
		struct pool *other;
		struct req q;

		ck_assert_int_eq(pool_new(CHUNK, &other), 0);
		ck_assert_int_eq(pool_get(other, CHUNK, &q.buf), 0);
		uring_prep_read(&q.op, fd, 0, &q.buf, done, &q);
		ck_assert_int_eq(reactor_submit(reactor, &q.op), -EINVAL);
		pool_put(&q.buf);
		pool_free(other);
	}
}
END_TEST

/*
 * 32 writes posted and a stop right behind them, through a ring of 4
 * SQEs: most are still waiting when the stop comes. Each write's
 * callback starts an fdatasync, and every eighth sync a read of what
 * the write put there: all run, each once, before reactor_stop()
 * returns.
 */
START_TEST(test_stop_drains)
{
	enum { N = 32 };
	static struct req sync[N], rd[N / 8];

	start(NULL, NULL, -1, 0);
	for (unsigned int i = 0; i < N; i++) {
		prep_write(&reqs[i], i, 9);
		reqs[i].then = &sync[i];
		uring_prep_sync(&sync[i].op, fd, done, &sync[i]);
		atomic_init(&sync[i].calls, 0);
		sync[i].then = NULL;
	}
	for (unsigned int i = 0; i < N / 8; i++) {
		ck_assert_int_eq(pool_get(pool, CHUNK, &rd[i].buf), 0);
		uring_prep_read(&rd[i].op, fd, (uint64_t)i * 8 * CHUNK,
				&rd[i].buf, done, &rd[i]);
		atomic_init(&rd[i].calls, 0);
		rd[i].then = NULL;
		sync[i * 8].then = &rd[i];
	}
	for (unsigned int i = 0; i < N; i++)
		ck_assert_int_eq(reactor_submit(reactor, &reqs[i].op), 0);
	ck_assert_int_eq(reactor_stop(reactor), 0);
	reactor = NULL;
	ck_assert_int_eq(atomic_load(&completed), N + N + N / 8);
	ck_assert_int_eq(atomic_load(&failed), 0);
	ck_assert_int_eq(atomic_load(&wrong_thread), 0);
	for (unsigned int i = 0; i < N; i++) {
		ck_assert_int_eq(atomic_load(&reqs[i].calls), 1);
		ck_assert_int_eq(atomic_load(&sync[i].calls), 1);
		check_file(i, 9);
		pool_put(&reqs[i].buf);
	}
	for (unsigned int i = 0; i < N / 8; i++) {
		ck_assert_int_eq(atomic_load(&rd[i].calls), 1);
		ck_assert_int_eq(bt_check(rd[i].buf.chunk[0], CHUNK,
					  (uint64_t)i * 8 * CHUNK, 9), -1);
		pool_put(&rd[i].buf);
	}
	ck_assert_uint_eq(uring_busy(ring), 0);
}
END_TEST

/* What the hook saw. */
struct hook {
	atomic_int calls;
	atomic_int off_thread;
	atomic_int seen;	/* eventfd wake-ups consumed */
	int efd;
	struct req *start;	/* started by the hook once */
};

static int hook(void *arg)
{
	struct hook *h = arg;
	struct reactor *r = atomic_load(&live);
	uint64_t v;

	if (!r)
		return 0;	/* reactor_start() has not returned yet */
	atomic_fetch_add(&h->calls, 1);
	if (!reactor_on_thread(r))
		atomic_fetch_add(&h->off_thread, 1);
	if (h->start) {
		if (reactor_submit(r, &h->start->op))
			atomic_fetch_add(&failed, 1);
		h->start = NULL;
		return 1;
	}
	if (h->efd >= 0 && read(h->efd, &v, sizeof(v)) == sizeof(v)) {
		atomic_fetch_add(&h->seen, 1);
		return 1;
	}
	return 0;
}

static void hook_init(struct hook *h, int efd)
{
	atomic_init(&h->calls, 0);
	atomic_init(&h->off_thread, 0);
	atomic_init(&h->seen, 0);
	h->efd = efd;
	h->start = NULL;
}

/* Without a descriptor: called at the idle interval while nothing
 * happens, and it may start operations. */
START_TEST(test_hook_idle)
{
	static struct hook h;	/* outlives the test body: the teardown stops */
	int calls;

	hook_init(&h, -1);
	h.start = &reqs[0];
	prep_write(&reqs[0], 0, 3);
	start(hook, &h, -1, 0);
	ck_assert(wait_for(&completed, 1));
	ck_assert_int_eq(reqs[0].res, 0);
	check_file(0, 3);
	pool_put(&reqs[0].buf);
	calls = atomic_load(&h.calls);
	usleep(100 * 1000);
	/* 1 ms apart by default: far more than 5 in 100 ms, and not a
	 * busy loop (millions). */
	ck_assert_int_ge(atomic_load(&h.calls) - calls, 5);
	ck_assert_int_le(atomic_load(&h.calls) - calls, 1000);
	ck_assert_int_eq(atomic_load(&h.off_thread), 0);
	ck_assert_int_eq(atomic_load(&wrong_thread), 0);
	ck_assert_int_eq(reactor_stop(reactor), 0);
	reactor = NULL;
}
END_TEST

/* With a descriptor and a long idle interval: asleep until the
 * descriptor is readable, then called at once. */
START_TEST(test_hook_fd)
{
	static struct hook h;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t one = 1;
	int calls;
	double t0;

	ck_assert_int_ge(efd, 0);
	hook_init(&h, efd);
	start(hook, &h, efd, 60000);
	ck_assert(wait_for(&h.calls, 1));
	usleep(50 * 1000);
	calls = atomic_load(&h.calls);
	usleep(100 * 1000);
	ck_assert_int_eq(atomic_load(&h.calls), calls);	/* asleep */
	for (int i = 1; i <= 3; i++) {
		t0 = now();
		ck_assert_int_eq(write(efd, &one, sizeof(one)), sizeof(one));
		ck_assert(wait_for(&h.seen, i));
		ck_assert(now() - t0 < 5);
	}
	/* reactor_wake() runs a round too. */
	calls = atomic_load(&h.calls);
	reactor_wake(reactor);
	ck_assert(wait_for(&h.calls, calls + 1));
	ck_assert_int_eq(atomic_load(&h.off_thread), 0);
	ck_assert_int_eq(reactor_stop(reactor), 0);	/* wakes it */
	reactor = NULL;
	close(efd);
}
END_TEST

START_TEST(test_bad)
{
	struct reactor_opts o = { .ring = NULL };
	struct reactor *r = (struct reactor *)1;

	ck_assert_int_eq(reactor_start(&o, &r), -EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(reactor_start(NULL, &r), -EINVAL);
	ck_assert_int_eq(reactor_stop(NULL), 0);
}
END_TEST

static Suite *reactor_suite(void)
{
	Suite *s = suite_create("blockdev-reactor");
	TCase *tc = bt_tcase(s, "reactor", setup, teardown);

	tcase_add_test(tc, test_cross_thread);
	tcase_add_test(tc, test_stop_drains);
	tcase_add_test(tc, test_hook_idle);
	tcase_add_test(tc, test_hook_fd);
	tcase_add_test(tc, test_bad);
	return s;
}

int main(void)
{
	return bt_run(reactor_suite());
}
