/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The rings (examples/srpt-blockdev/uring.c) against a temporary file on
 * this machine's kernel: data written from pool chunks at an offset
 * reads back equal; the SQEs carry what they must (fixed buffers,
 * RWF_DSYNC for FUA, DATASYNC, the fallocate modes); punched and zeroed
 * ranges read zeros; a transfer that stops short is an error, never a
 * success; errors arrive as -errno, once per operation; posts from other
 * threads run on the owner; many operations through a ring too small for
 * them all complete, each once.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev-test.h"
#include "uring.h"

#define CHUNK POOL_CHUNK_SIZE

static struct pool *pool;
static struct uring *ring;
static char path[128];
static int fd = -1;

/* What a callback saw. */
struct result {
	int res;
	int calls;
	pthread_t thread;
};

static void record(struct uring_op *op, int res, void *arg)
{
	struct result *r = arg;

	r->res = res;
	r->calls++;
	r->thread = pthread_self();
}

static void setup_sized(size_t pool_bytes, unsigned int entries)
{
	ck_assert_int_eq(pool_new(pool_bytes, &pool), 0);
	ck_assert_int_eq(uring_new(entries, pool, &ring), 0);
	fd = bt_tmpfile(path, sizeof(path));
}

static void setup(void)
{
	setup_sized(4u << 20, 64);
}

static void teardown(void)
{
	uring_free(ring);
	ring = NULL;
	pool_free(pool);
	pool = NULL;
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(path);
}

/* The owner's loop without an event loop: until every callback ran. */
static void run(void)
{
	while (uring_busy(ring)) {
		ck_assert_int_eq(uring_wait(ring), 0);
		uring_reap(ring);
	}
	ck_assert_ptr_null(uring_peek_sqe(ring, 0));
}

/* One operation, start to end; its result. */
static int run_one(struct uring_op *op)
{
	struct result *r = op->arg;

	ck_assert_int_eq(uring_queue(ring, op), 0);
	run();
	ck_assert_int_eq(r->calls, 1);
	return r->res;
}

static void get(struct pool_buf *b, uint32_t len)
{
	ck_assert_int_eq(pool_get(pool, len, b), 0);
}

/* Takes chunks so that the next ones handed out are not adjacent in
 * memory: reads and writes must follow the chunk list, not assume a
 * contiguous buffer. */
static void scatter(void)
{
	struct pool_buf a, b, c;

	get(&a, CHUNK);
	get(&b, CHUNK);
	get(&c, CHUNK);
	pool_put(&a);
	pool_put(&c);
	/* b stays out for the test: a hole between the two given back */
}

static int write_buf(const struct pool_buf *b, uint64_t off, unsigned int fl)
{
	struct result r = { 0 };
	struct uring_op op;

	uring_prep_write(&op, fd, off, b, fl, record, &r);
	return run_one(&op);
}

static int read_buf(const struct pool_buf *b, uint64_t off)
{
	struct result r = { 0 };
	struct uring_op op;

	uring_prep_read(&op, fd, off, b, record, &r);
	return run_one(&op);
}

static void fill_buf(const struct pool_buf *b, uint64_t off, uint64_t seed)
{
	for (unsigned int i = 0; i < b->n; i++)
		bt_fill(b->chunk[i], pool_buf_chunk_len(b, i),
			off + (uint64_t)i * CHUNK, seed);
}

static void check_buf(const struct pool_buf *b, uint64_t off, uint64_t seed)
{
	for (unsigned int i = 0; i < b->n; i++)
		ck_assert_int_eq(bt_check(b->chunk[i], pool_buf_chunk_len(b, i),
					  off + (uint64_t)i * CHUNK, seed), -1);
}

/* What the file holds, read without the ring. */
static void check_file(uint64_t off, size_t len, uint64_t seed)
{
	uint8_t *m = malloc(len);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(pread(fd, m, len, (off_t)off), (ssize_t)len);
	ck_assert_int_eq(bt_check(m, len, off, seed), -1);
	free(m);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

START_TEST(test_write_read)
{
	const uint64_t off = 3 * 4096 + 1000;
	const uint32_t len = 3 * CHUNK + 3392;
	struct pool_buf w, rd;

	scatter();
	get(&w, len);
	get(&rd, len);
	ck_assert_ptr_ne((uint8_t *)w.chunk[0] + CHUNK, w.chunk[1]);
	fill_buf(&w, off, 1);
	ck_assert_int_eq(write_buf(&w, off, 0), 0);
	check_file(off, len, 1);
	memset(rd.chunk[0], 0, CHUNK);
	ck_assert_int_eq(read_buf(&rd, off), 0);
	check_buf(&rd, off, 1);
	/* Part of it, at another offset of the same data, into a buffer
	 * with more chunks than that needs. */
	memset(rd.chunk[1], 0, CHUNK);
	rd.len = CHUNK + 10;
	ck_assert_int_eq(read_buf(&rd, off + 7), 0);
	ck_assert_int_eq(bt_check(rd.chunk[0], CHUNK, off + 7, 1), -1);
	ck_assert_int_eq(bt_check(rd.chunk[1], 10, off + 7 + CHUNK, 1), -1);
	ck_assert_int_ne(bt_check(rd.chunk[1], 11, off + 7 + CHUNK, 1), -1);
	rd.len = len;
	pool_put(&w);
	pool_put(&rd);
}
END_TEST

/* What the kernel is asked: fixed buffers of the registered pool, one
 * SQE per chunk at its offset, RWF_DSYNC exactly for FUA, fdatasync,
 * and the two fallocate modes. */
START_TEST(test_sqes)
{
	struct result r[6] = { { 0 } };
	struct uring_op op[6];
	const struct io_uring_sqe *s;
	struct pool_buf b;

	get(&b, 2 * CHUNK + 512);
	fill_buf(&b, 8192, 2);
	/* io_uring does not order what it runs: the read must find data
	 * whether or not the writes beside it ran first. */
	ck_assert_int_eq(write_buf(&b, 8192, 0), 0);
	uring_prep_write(&op[0], fd, 8192, &b, URING_FUA, record, &r[0]);
	uring_prep_write(&op[1], fd, 8192, &b, 0, record, &r[1]);
	uring_prep_read(&op[2], fd, 8192, &b, record, &r[2]);
	uring_prep_sync(&op[3], fd, record, &r[3]);
	uring_prep_punch(&op[4], fd, 4096, 8192, record, &r[4]);
	uring_prep_zero(&op[5], fd, 4096, 8192, record, &r[5]);
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_int_eq(uring_queue(ring, &op[i]), 0);
	for (unsigned int i = 0; i < 6; i++) {
		unsigned int chunk = i % 3;

		s = uring_peek_sqe(ring, i);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->opcode, IORING_OP_WRITE_FIXED);
		ck_assert_int_eq(s->fd, fd);
		ck_assert_uint_eq(s->buf_index, 0);
		ck_assert_uint_eq(s->addr, (uintptr_t)b.chunk[chunk]);
		ck_assert_uint_eq(s->len, chunk < 2 ? CHUNK : 512);
		ck_assert_uint_eq(s->off, 8192 + chunk * CHUNK);
		ck_assert_uint_eq(s->rw_flags, i < 3 ? RWF_DSYNC : 0);
	}
	for (unsigned int i = 6; i < 9; i++) {
		s = uring_peek_sqe(ring, i);
		ck_assert_uint_eq(s->opcode, IORING_OP_READ_FIXED);
		ck_assert_uint_eq(s->addr, (uintptr_t)b.chunk[i - 6]);
		ck_assert_uint_eq(s->rw_flags, 0);
	}
	s = uring_peek_sqe(ring, 9);
	ck_assert_uint_eq(s->opcode, IORING_OP_FSYNC);
	ck_assert_uint_eq(s->fsync_flags, IORING_FSYNC_DATASYNC);
	s = uring_peek_sqe(ring, 10);
	ck_assert_uint_eq(s->opcode, IORING_OP_FALLOCATE);
	ck_assert_uint_eq(s->off, 4096);
	ck_assert_uint_eq(s->addr, 8192);	/* the length */
	ck_assert_uint_eq(s->len, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
	s = uring_peek_sqe(ring, 11);
	ck_assert_uint_eq(s->len, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE);
	ck_assert_ptr_null(uring_peek_sqe(ring, 12));
	run();
	for (unsigned int i = 0; i < 6; i++) {
		ck_assert_int_eq(r[i].calls, 1);
		ck_assert_int_eq(r[i].res, r[i].res == -EOPNOTSUPP && i >= 4 ?
					   -EOPNOTSUPP : 0);
	}
	pool_put(&b);
}
END_TEST

/* A FUA write's data is there when its callback runs. */
START_TEST(test_fua_write)
{
	struct pool_buf b;

	get(&b, 5 * CHUNK);
	fill_buf(&b, 1 << 20, 3);
	ck_assert_int_eq(write_buf(&b, 1 << 20, URING_FUA), 0);
	check_file(1 << 20, 5 * CHUNK, 3);
	pool_put(&b);
}
END_TEST

START_TEST(test_sync)
{
	struct result r = { 0 };
	struct uring_op op;
	int pipefd[2];

	uring_prep_sync(&op, fd, record, &r);
	ck_assert_int_eq(run_one(&op), 0);
	/* A pipe cannot be synced: the kernel's error, as -errno. */
	ck_assert_int_eq(pipe(pipefd), 0);
	r.calls = 0;
	uring_prep_sync(&op, pipefd[1], record, &r);
	ck_assert_int_eq(run_one(&op), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

/*
 * Writes 4 chunks, clears the middle two with @prep and reads all 4.
 * Returns false when the file system does not support @prep; @blocks
 * gets the file's allocated blocks before and after the clearing.
 */
static bool check_cleared(void (*prep)(struct uring_op *, int, uint64_t,
				       uint64_t, uring_done_fn, void *),
			  const char *what, blkcnt_t blocks[2])
{
	struct result r = { 0 };
	struct uring_op op;
	struct pool_buf b;
	struct stat st;
	int res;

	get(&b, 4 * CHUNK);
	fill_buf(&b, 0, 4);
	ck_assert_int_eq(write_buf(&b, 0, 0), 0);
	ck_assert_int_eq(fsync(fd), 0);	/* allocated, not delayed */
	ck_assert_int_eq(fstat(fd, &st), 0);
	blocks[0] = st.st_blocks;
	prep(&op, fd, CHUNK, 2 * CHUNK, record, &r);
	res = run_one(&op);
	if (res == -EOPNOTSUPP) {
		fprintf(stderr, "SKIP %s: the file system of %s does not support it\n",
			what, path);
		pool_put(&b);
		return false;
	}
	ck_assert_int_eq(res, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	blocks[1] = st.st_blocks;
	ck_assert_int_eq(st.st_size, 4 * CHUNK);	/* KEEP_SIZE */
	for (unsigned int i = 0; i < 4; i++)
		memset(b.chunk[i], 0xee, CHUNK);
	ck_assert_int_eq(read_buf(&b, 0), 0);
	ck_assert_int_eq(bt_check(b.chunk[0], CHUNK, 0, 4), -1);
	ck_assert(all_zero(b.chunk[1], CHUNK));
	ck_assert(all_zero(b.chunk[2], CHUNK));
	ck_assert_int_eq(bt_check(b.chunk[3], CHUNK, 3 * CHUNK, 4), -1);
	pool_put(&b);
	return true;
}

/* A hole: zeros, and the blocks given back. */
START_TEST(test_punch)
{
	blkcnt_t blocks[2];

	if (check_cleared(uring_prep_punch, "punch hole", blocks))
		ck_assert_int_le(blocks[1], blocks[0] - 2 * CHUNK / 512);
}
END_TEST

START_TEST(test_zero)
{
	blkcnt_t blocks[2];

	check_cleared(uring_prep_zero, "zero range", blocks);
}
END_TEST

/* Reading past the end of the file: the bytes up to it arrive, and the
 * operation fails with -EIO rather than pass with a buffer half old. */
START_TEST(test_short_read)
{
	const uint32_t size = 100000;
	struct pool_buf b;

	get(&b, size);
	fill_buf(&b, 0, 5);
	ck_assert_int_eq(write_buf(&b, 0, 0), 0);
	pool_put(&b);
	get(&b, 2 * CHUNK);
	memset(b.chunk[0], 0, CHUNK);
	memset(b.chunk[1], 0, CHUNK);
	ck_assert_int_eq(read_buf(&b, 0), -EIO);
	ck_assert_int_eq(bt_check(b.chunk[0], CHUNK, 0, 5), -1);
	ck_assert_int_eq(bt_check(b.chunk[1], size - CHUNK, CHUNK, 5), -1);
	/* Wholly beyond the end. */
	ck_assert_int_eq(read_buf(&b, 1 << 20), -EIO);
	/* Up to the end exactly is a success. */
	b.len = size;
	ck_assert_int_eq(read_buf(&b, 0), 0);
	pool_put(&b);
}
END_TEST

/* A write the file size limit cuts short: the first part lands, the
 * rest is tried and fails, and the operation reports that failure. */
START_TEST(test_short_write)
{
	struct rlimit old, lim = { .rlim_cur = 100000, .rlim_max = RLIM_INFINITY };
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	struct pool_buf b;
	struct stat st;
	int res;

	get(&b, 2 * CHUNK);
	fill_buf(&b, 0, 6);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	res = write_buf(&b, 0, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
	ck_assert_int_eq(res, -EFBIG);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 100000);
	check_file(0, 100000, 6);
	pool_put(&b);
}
END_TEST

/* Errors arrive as -errno, one callback per operation however many of
 * its pieces failed. */
START_TEST(test_errors)
{
	struct result r = { 0 };
	struct uring_op op;
	struct pool_buf b;
	int wfd = open(path, O_WRONLY | O_CLOEXEC);
	int rfd = open(path, O_RDONLY | O_CLOEXEC);
	int dead = dup(fd);

	ck_assert_int_ge(wfd, 0);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_ge(dead, 0);
	get(&b, 3 * CHUNK);
	fill_buf(&b, 0, 7);
	ck_assert_int_eq(write_buf(&b, 0, 0), 0);
	uring_prep_read(&op, wfd, 0, &b, record, &r);
	ck_assert_int_eq(run_one(&op), -EBADF);
	r.calls = 0;
	uring_prep_write(&op, rfd, 0, &b, 0, record, &r);
	ck_assert_int_eq(run_one(&op), -EBADF);
	/* Closed between the request and its submission. */
	r.calls = 0;
	uring_prep_read(&op, dead, 0, &b, record, &r);
	ck_assert_int_eq(uring_queue(ring, &op), 0);
	close(dead);
	run();
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.res, -EBADF);
	/* An offset the kernel refuses. */
	r.calls = 0;
	uring_prep_read(&op, fd, UINT64_MAX - CHUNK, &b, record, &r);
	ck_assert_int_eq(run_one(&op), -EINVAL);
	close(wfd);
	close(rfd);
	pool_put(&b);
}
END_TEST

/* Chunks of another pool are not the ring's fixed buffers: refused
 * before anything starts. */
START_TEST(test_foreign_pool)
{
	struct result r = { 0 };
	struct pool *other;
	struct uring_op op;
	struct pool_buf b;

	ck_assert_int_eq(pool_new(CHUNK, &other), 0);
	ck_assert_int_eq(pool_get(other, 100, &b), 0);
	uring_prep_write(&op, fd, 0, &b, 0, record, &r);
	ck_assert_int_eq(uring_queue(ring, &op), -EINVAL);
	ck_assert_int_eq(uring_post(ring, &op), -EINVAL);
	ck_assert_uint_eq(uring_busy(ring), 0);
	ck_assert_int_eq(r.calls, 0);
	pool_put(&b);
	pool_free(other);
}
END_TEST

/* Threads without a ring post writes to it; the owner runs them. */
#define POSTERS 3
#define POSTS 40

struct poster {
	pthread_t th;
	unsigned int id;
	struct pool_buf buf[POSTS];
	struct uring_op op[POSTS];
	struct result res[POSTS];
};

static uint64_t post_off(unsigned int id, unsigned int i)
{
	return ((uint64_t)id * POSTS + i) * CHUNK;
}

static void *post_all(void *arg)
{
	struct poster *p = arg;

	for (unsigned int i = 0; i < POSTS; i++) {
		uint64_t off = post_off(p->id, i);

		fill_buf(&p->buf[i], off, 8);
		uring_prep_write(&p->op[i], fd, off, &p->buf[i], 0, record,
				 &p->res[i]);
		ck_assert_int_eq(uring_post(ring, &p->op[i]), 0);
		if (i % 8 == 0)
			sched_yield();
	}
	return NULL;
}

static void clear_fd(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) < 0)
		ck_assert_int_eq(errno, EAGAIN);
}

START_TEST(test_cross_thread)
{
	static struct poster p[POSTERS];
	struct pollfd pfd[2] = {
		{ .fd = uring_event_fd(ring), .events = POLLIN },
		{ .fd = uring_wake_fd(ring), .events = POLLIN },
	};
	unsigned int done = 0, drained = 0;

	for (unsigned int t = 0; t < POSTERS; t++) {
		p[t].id = t;
		for (unsigned int i = 0; i < POSTS; i++) {
			get(&p[t].buf[i], CHUNK);
			p[t].res[i] = (struct result){ 0 };
		}
		ck_assert_int_eq(pthread_create(&p[t].th, NULL, post_all, &p[t]), 0);
	}
	/* The owner sleeps until one of its descriptors says there is
	 * work: a post that did not wake it would stall the loop. */
	while (done < POSTERS * POSTS) {
		ck_assert_msg(poll(pfd, 2, 10000) > 0, "no wake-up in 10 s");
		clear_fd(pfd[0].fd);
		clear_fd(pfd[1].fd);
		uring_reap(ring);
		drained += uring_drain(ring);
		ck_assert_int_eq(uring_submit(ring), 0);
		done = 0;
		for (unsigned int t = 0; t < POSTERS; t++)
			for (unsigned int i = 0; i < POSTS; i++)
				done += (unsigned int)p[t].res[i].calls;
	}
	ck_assert_uint_eq(drained, POSTERS * POSTS);
	for (unsigned int t = 0; t < POSTERS; t++) {
		pthread_join(p[t].th, NULL);
		for (unsigned int i = 0; i < POSTS; i++) {
			ck_assert_int_eq(p[t].res[i].calls, 1);
			ck_assert_int_eq(p[t].res[i].res, 0);
			ck_assert(pthread_equal(p[t].res[i].thread, pthread_self()));
			check_file(post_off(t, i), CHUNK, 8);
			pool_put(&p[t].buf[i]);
		}
	}
}
END_TEST

/*
 * Many operations at once through a ring of 4 SQEs (8 CQEs): SQEs wait
 * for room, the submission queue fills and is submitted, pieces of one
 * operation complete in any order and among other operations' pieces.
 * Every operation completes once, with its own result.
 */
#define MANY 48

START_TEST(test_many)
{
	static struct pool_buf b[MANY];
	static struct uring_op op[MANY];
	static struct result r[MANY];
	unsigned int seed = 11, reaped = 0;
	uint64_t off[MANY], pos = 0;

	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < MANY; i++) {
			if (pass == 0) {
				uint32_t len = (uint32_t)(rand_r(&seed) %
							  (3 * CHUNK)) + 1;

				get(&b[i], len);
				off[i] = pos;
				pos += len + (uint32_t)(rand_r(&seed) % 5000);
				fill_buf(&b[i], off[i], 9);
				uring_prep_write(&op[i], fd, off[i], &b[i],
						 i % 3 ? 0 : URING_FUA, record,
						 &r[i]);
			} else {
				for (unsigned int c = 0; c < b[i].n; c++)
					memset(b[i].chunk[c], 0, CHUNK);
				uring_prep_read(&op[i], fd, off[i], &b[i],
						record, &r[i]);
			}
			r[i] = (struct result){ .res = 1 };
			ck_assert_int_eq(uring_queue(ring, &op[i]), 0);
		}
		ck_assert_uint_eq(uring_busy(ring), MANY);
		while (uring_busy(ring)) {
			ck_assert_int_eq(uring_wait(ring), 0);
			reaped += uring_reap(ring);
		}
		for (unsigned int i = 0; i < MANY; i++) {
			ck_assert_int_eq(r[i].calls, 1);
			ck_assert_int_eq(r[i].res, 0);
		}
	}
	for (unsigned int i = 0; i < MANY; i++) {
		check_buf(&b[i], off[i], 9);
		pool_put(&b[i]);
	}
	ck_assert_uint_ge(reaped, 2 * MANY);
}
END_TEST

static void setup_small(void)
{
	setup_sized(16u << 20, 4);
}

static void setup_posts(void)
{
	setup_sized(POSTERS * POSTS * CHUNK + (1u << 20), 16);
}

static Suite *uring_suite(void)
{
	Suite *s = suite_create("blockdev-uring");
	TCase *tc = bt_tcase(s, "uring", setup, teardown);

	tcase_add_test(tc, test_write_read);
	tcase_add_test(tc, test_sqes);
	tcase_add_test(tc, test_fua_write);
	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_punch);
	tcase_add_test(tc, test_zero);
	tcase_add_test(tc, test_short_read);
	tcase_add_test(tc, test_short_write);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_foreign_pool);
	tc = bt_tcase(s, "small-ring", setup_small, teardown);
	tcase_add_test(tc, test_many);
	tc = bt_tcase(s, "cross-thread", setup_posts, teardown);
	tcase_add_test(tc, test_cross_thread);
	return s;
}

int main(void)
{
	return bt_run(uring_suite());
}
