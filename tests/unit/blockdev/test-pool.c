/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The buffer pool (examples/srpt-blockdev/pool.c): chunks inside the
 * mapping, aligned and never handed out twice; all-or-nothing
 * exhaustion; the release notification; many threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <srpt/io.h>

#include "blockdev-test.h"
#include "pool.h"

#define CHUNK POOL_CHUNK_SIZE

static struct pool *pool;

static void setup(void)
{
	ck_assert_int_eq(pool_new(20 * CHUNK, &pool), 0);
}

static void teardown(void)
{
	pool_free(pool);
	pool = NULL;
}

static void assert_inside(const struct pool_buf *b)
{
	uint8_t *base = pool_base(pool);

	for (unsigned int i = 0; i < b->n; i++) {
		uint8_t *c = b->chunk[i];

		ck_assert_ptr_eq(b->pool, pool);
		ck_assert(c >= base && c + CHUNK <= base + pool_size(pool));
		ck_assert_uint_eq((uintptr_t)c % CHUNK, 0);
	}
}

/* Every chunk is free, once: taking them all gives 20 different ones. */
static void assert_all_back(void)
{
	struct pool_buf a, b;

	ck_assert_uint_eq(pool_avail(pool), 20);
	ck_assert_int_eq(pool_get(pool, 16 * CHUNK, &a), 0);
	ck_assert_int_eq(pool_get(pool, 4 * CHUNK, &b), 0);
	for (unsigned int i = 0; i < 20; i++) {
		void *ci = i < 16 ? a.chunk[i] : b.chunk[i - 16];

		for (unsigned int j = i + 1; j < 20; j++)
			ck_assert_ptr_ne(ci, j < 16 ? a.chunk[j] : b.chunk[j - 16]);
	}
	pool_put(&a);
	pool_put(&b);
}

START_TEST(test_bad_sizes)
{
	struct pool *p = (struct pool *)1;

	ck_assert_int_eq(pool_new(0, &p), -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(pool_new(CHUNK + 512, &p), -EINVAL);
	ck_assert_int_eq(pool_new(CHUNK / 2, &p), -EINVAL);
}
END_TEST

START_TEST(test_mapping)
{
	ck_assert_uint_eq((uintptr_t)pool_base(pool) % CHUNK, 0);
	ck_assert_uint_eq(pool_size(pool), 20 * CHUNK);
	ck_assert_uint_eq(pool_avail(pool), 20);
	/* The whole mapping is usable memory. */
	memset(pool_base(pool), 0x5a, pool_size(pool));
}
END_TEST

START_TEST(test_get_put)
{
	struct pool_buf a, b;

	ck_assert_int_eq(pool_get(pool, 1, &a), 0);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.len, 1);
	ck_assert_uint_eq(pool_buf_chunk_len(&a, 0), 1);
	ck_assert_int_eq(pool_get(pool, POOL_MAX_BYTES - 4096, &b), 0);
	ck_assert_uint_eq(b.n, 16);
	ck_assert_uint_eq(pool_buf_chunk_len(&b, 0), CHUNK);
	ck_assert_uint_eq(pool_buf_chunk_len(&b, 15), CHUNK - 4096);
	ck_assert_uint_eq(pool_avail(pool), 3);
	assert_inside(&a);
	assert_inside(&b);
	/* No chunk is held twice. */
	for (unsigned int i = 0; i < b.n; i++) {
		ck_assert_ptr_ne(b.chunk[i], a.chunk[0]);
		for (unsigned int j = i + 1; j < b.n; j++)
			ck_assert_ptr_ne(b.chunk[i], b.chunk[j]);
	}
	pool_put(&a);
	ck_assert_uint_eq(a.n, 0);
	pool_put(&a);			/* holds nothing: no-op */
	ck_assert_uint_eq(pool_avail(pool), 4);
	pool_put(&b);
	ck_assert_uint_eq(pool_avail(pool), 20);
}
END_TEST

START_TEST(test_bad_len)
{
	struct pool_buf b;

	ck_assert_int_eq(pool_get(pool, 0, &b), -EINVAL);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_int_eq(pool_get(pool, POOL_MAX_BYTES + 1, &b), -EINVAL);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(pool_avail(pool), 20);
}
END_TEST

/* A request that cannot be met whole takes nothing. */
START_TEST(test_exhaustion)
{
	struct pool_buf a, b, c, d;

	ck_assert_int_eq(pool_get(pool, POOL_MAX_BYTES, &a), 0);
	ck_assert_int_eq(pool_get(pool, 5 * CHUNK, &b), -ENOBUFS);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(pool_avail(pool), 4);
	ck_assert_int_eq(pool_get(pool, 4 * CHUNK, &c), 0);
	ck_assert_uint_eq(pool_avail(pool), 0);
	ck_assert_int_eq(pool_get(pool, 1, &d), -ENOBUFS);
	pool_put(&a);
	ck_assert_int_eq(pool_get(pool, 5 * CHUNK, &b), 0);
	pool_put(&b);
	pool_put(&c);
	ck_assert_uint_eq(pool_avail(pool), 20);
}
END_TEST

/* The release notification gives back the buffer release_arg names,
 * and pool_buf_sge() describes it for libsrpt. */
START_TEST(test_release_and_sge)
{
	struct srpt_mr *mr = (struct srpt_mr *)0x1000;
	struct srpt_sge sg[POOL_MAX_CHUNKS];
	struct pool_buf b;
	srpt_io_release_fn fn = pool_release;

	ck_assert_int_eq(pool_get(pool, 3 * CHUNK - 100, &b), 0);
	ck_assert_uint_eq(pool_buf_sge(&b, mr, sg), 3);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_ptr_eq(sg[i].addr, b.chunk[i]);
		ck_assert_ptr_eq(sg[i].mr, mr);
	}
	ck_assert_uint_eq(sg[0].len + sg[1].len + sg[2].len, 3 * CHUNK - 100);
	ck_assert_uint_eq(sg[2].len, CHUNK - 100);
	fn(NULL, &b);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(pool_avail(pool), 20);
}
END_TEST

/*
 * Threads take and give back chunks at random sizes from a pool too
 * small for all of them. Each stamps its chunks and checks the stamps
 * before giving them back: a chunk handed to two threads at once gets
 * the other's stamp.
 */
#define THREADS 4
#define ROUNDS 50000

struct worker {
	pthread_t th;
	unsigned int id, seed;
	unsigned long got, busy, clobbered;
};

static pthread_barrier_t start;

static void *work(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&start);

	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint32_t len = (uint32_t)(rand_r(&w->seed) % POOL_MAX_BYTES) + 1;
		struct pool_buf b;

		if (pool_get(pool, len, &b)) {
			w->busy++;
			sched_yield();
			continue;
		}
		w->got++;
		for (unsigned int i = 0; i < b.n; i++) {
			uint32_t *c = b.chunk[i];

			c[0] = w->id;
			c[CHUNK / 4 - 1] = r;
		}
		if (r % 8 == 0)
			sched_yield();
		for (unsigned int i = 0; i < b.n; i++) {
			uint32_t *c = b.chunk[i];

			if (c[0] != w->id || c[CHUNK / 4 - 1] != r)
				w->clobbered++;
		}
		pool_put(&b);
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct worker w[THREADS];
	unsigned long got = 0, busy = 0;

	pthread_barrier_init(&start, NULL, THREADS);
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i + 1, .seed = i * 7919 + 1 };
		ck_assert_int_eq(pthread_create(&w[i].th, NULL, work, &w[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		pthread_join(w[i].th, NULL);
		ck_assert_uint_eq(w[i].clobbered, 0);
		got += w[i].got;
		busy += w[i].busy;
	}
	pthread_barrier_destroy(&start);
	ck_assert_uint_eq(got + busy, THREADS * ROUNDS);
	ck_assert_uint_gt(got, 0);
	assert_all_back();
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("blockdev-pool");
	TCase *tc = bt_tcase(s, "pool", setup, teardown);

	tcase_add_test(tc, test_bad_sizes);
	tcase_add_test(tc, test_mapping);
	tcase_add_test(tc, test_get_put);
	tcase_add_test(tc, test_bad_len);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_release_and_sge);
	tcase_add_test(tc, test_threads);
	return s;
}

int main(void)
{
	return bt_run(pool_suite());
}
