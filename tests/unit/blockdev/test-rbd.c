/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * RBD images as backings (examples/srpt-blockdev/backing-rbd.c) against
 * a real cluster: rbd-test.sh starts the throwaway one of
 * tests/ceph/cluster.sh, creates the images and runs this with
 * CEPH_CONF set and RBD_TEST_IMAGE (a 64 MiB image, rbd:POOL/IMAGE),
 * RBD_TEST_IMAGE2 (another image of 64 MiB) in the environment.
 *
 * Opening: size, block size, write through, thin; the id the same for
 * every open of one image and different for another; every refusal with
 * its errno and a reason. I/O through the pool's chunks: write and read
 * back, FUA (write and flush in one operation), SYNCHRONIZE CACHE,
 * discards that read zeros (whole objects and parts of one), WRITE SAME
 * of a block and of zeros, and a write to a read-only open that fails
 * with -EROFS (DATA PROTECT).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "backing-rbd.h"
#include "blockdev-test.h"
#include "pool.h"

#define MIB (1ull << 20)

static const char *image;	/* "rbd:POOL/IMAGE" */
static const char *image2;
static struct backing b;
static struct pool *pool;

/* An operation's end, waited for on the test's thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ended;
static int result;
/* Ends that ran on another thread than the test's (librbd's): an
 * operation whose requests were all done before backing_rbd_end() ends
 * on the test's own, so only some of them can be asked to. */
static pthread_t test_thread;
static unsigned int ended_elsewhere;

static void done(struct backing_rbd_op *op, int res, void *arg)
{
	(void)op;
	ck_assert_ptr_eq(arg, &b);
	pthread_mutex_lock(&lock);
	ended++;
	result = res;
	if (!pthread_equal(pthread_self(), test_thread))
		ended_elsewhere++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

/* Waits for the operation begun on @op to end; its result. */
static int wait_op(void)
{
	int r;

	pthread_mutex_lock(&lock);
	while (!ended)
		pthread_cond_wait(&cond, &lock);
	ck_assert_int_eq(ended, 1);
	ended = 0;
	r = result;
	pthread_mutex_unlock(&lock);
	return r;
}

static void open_rw(void)
{
	int r;

	test_thread = pthread_self();
	ck_assert_int_eq(pool_new(4 * POOL_MAX_BYTES, &pool), 0);
	r = backing_open(&b, image, NULL);
	ck_assert_msg(r == 0, "%s: %d: %s", image, r, b.why);
}

static void close_rw(void)
{
	backing_close(&b);
	pool_free(pool);
	pool = NULL;
}

/* One operation of one request kind, waited for. */
enum kind { READ, WRITE, WRITE_FUA, FLUSH, DISCARD, SAME, ZEROES };

static int run(enum kind k, uint64_t off, struct pool_buf *buf, uint64_t len,
	       const void *block)
{
	struct backing_rbd_op op;

	backing_rbd_begin(&b, &op, done, &b);
	switch (k) {
	case READ:
		backing_rbd_read(&op, off, buf);
		break;
	case WRITE:
	case WRITE_FUA:
		backing_rbd_write(&op, off, buf);
		if (k == WRITE_FUA)
			backing_rbd_flush(&op);
		break;
	case FLUSH:
		backing_rbd_flush(&op);
		break;
	case DISCARD:
		backing_rbd_discard(&op, off, len);
		break;
	case SAME:
	case ZEROES:
		backing_rbd_write_same(&op, off, len, block, b.block_size);
		break;
	}
	backing_rbd_end(&op);
	return wait_op();
}

/* Writes @len bytes of the pattern of @seed at @off (FUA or not). */
static void put(uint64_t off, uint32_t len, uint64_t seed, bool fua)
{
	struct pool_buf w;

	ck_assert_int_eq(pool_get(pool, len, &w), 0);
	for (unsigned int i = 0; i < w.n; i++)
		bt_fill(w.chunk[i], pool_buf_chunk_len(&w, i),
			off + (uint64_t)i * POOL_CHUNK_SIZE, seed);
	ck_assert_int_eq(run(fua ? WRITE_FUA : WRITE, off, &w, 0, NULL), 0);
	pool_put(&w);
}

/* Reads @len bytes at @off: each chunk checked by @check. */
static void get(uint64_t off, uint32_t len,
		void (*check)(const void *p, size_t n, uint64_t off, uint64_t seed),
		uint64_t seed)
{
	struct pool_buf r;

	ck_assert_int_eq(pool_get(pool, len, &r), 0);
	for (unsigned int i = 0; i < r.n; i++)
		memset(r.chunk[i], 0xa5, pool_buf_chunk_len(&r, i));
	ck_assert_int_eq(run(READ, off, &r, 0, NULL), 0);
	for (unsigned int i = 0; i < r.n; i++)
		check(r.chunk[i], pool_buf_chunk_len(&r, i),
		      off + (uint64_t)i * POOL_CHUNK_SIZE, seed);
	pool_put(&r);
}

static void is_pattern(const void *p, size_t n, uint64_t off, uint64_t seed)
{
	long bad = bt_check(p, n, off, seed);

	ck_assert_msg(bad < 0, "byte %llu differs",
		      (unsigned long long)(off + (uint64_t)bad));
}

static void is_zero(const void *p, size_t n, uint64_t off, uint64_t seed)
{
	const uint8_t *c = p;

	(void)seed;
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!c[i], "byte %llu is %#x, not zero",
			      (unsigned long long)(off + i), c[i]);
}

START_TEST(opens)
{
	struct backing b2, again;
	struct backing_opts o = { .flags = BACKING_RDONLY, .block_size = 4096 };

	ck_assert_uint_eq(b.size, 64 * MIB);
	ck_assert_uint_eq(b.block_size, 512);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_ptr_nonnull(b.rbd);
	ck_assert(!b.read_only && !b.write_cache && b.can_punch && b.can_zero);
	ck_assert_uint_ne(b.id, 0);
	/* The same image again: the same id (two processes, one disk). */
	ck_assert_int_eq(backing_open(&again, image, &o), 0);
	ck_assert_uint_eq(again.id, b.id);
	ck_assert_uint_eq(again.block_size, 4096);
	ck_assert(again.read_only && !again.can_punch && !again.can_zero);
	backing_close(&again);
	ck_assert_ptr_null(again.rbd);
	/* Another image: another id. */
	ck_assert_int_eq(backing_open(&b2, image2, NULL), 0);
	ck_assert_uint_ne(b2.id, b.id);
	backing_close(&b2);
	/* A name: the id is the name's, as for a file. */
	o = (struct backing_opts){ .name = "lun-a" };
	ck_assert_int_eq(backing_open(&b2, image2, &o), 0);
	ck_assert_uint_eq(b2.id, backing_id_of("name:lun-a", 10));
	backing_close(&b2);
}
END_TEST

START_TEST(write_read)
{
	/* Across an object boundary (4 MiB objects), the largest command. */
	uint64_t off = 4 * MIB - 64 * 1024 - 512;

	put(off, POOL_MAX_BYTES, 11, false);
	get(off, POOL_MAX_BYTES, is_pattern, 11);
	/* FUA: the write and a flush, one result. */
	put(8 * MIB + 512, 4096, 12, true);
	get(8 * MIB + 512, 4096, is_pattern, 12);
	/* SYNCHRONIZE CACHE */
	ck_assert_int_eq(run(FLUSH, 0, NULL, 0, NULL), 0);
	/* The last block of the image. */
	put(64 * MIB - 512, 512, 13, false);
	get(64 * MIB - 512, 512, is_pattern, 13);
	/* Callbacks ran on librbd's threads: of eight operations, some
	 * were still under way when they were ended. */
	ck_assert_uint_gt(ended_elsewhere, 0);
}
END_TEST

START_TEST(discards)
{
	uint64_t off = 16 * MIB;

	/* A whole object and parts of two (4 KiB inside one). */
	put(off, POOL_MAX_BYTES, 21, false);
	ck_assert_int_eq(run(DISCARD, off + 8192, NULL, 4096, NULL), 0);
	get(off, 8192, is_pattern, 21);
	get(off + 8192, 4096, is_zero, 0);
	get(off + 12288, 65536, is_pattern, 21);
	put(20 * MIB, POOL_MAX_BYTES, 22, false);
	ck_assert_int_eq(run(DISCARD, 20 * MIB - 512, NULL, 4 * MIB + 1024,
			     NULL), 0);
	get(20 * MIB, POOL_MAX_BYTES, is_zero, 0);
}
END_TEST

START_TEST(write_same)
{
	static uint8_t block[512];
	uint64_t off = 30 * MIB + 1536;
	struct pool_buf r;

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 3);
	ck_assert_int_eq(run(SAME, off, NULL, 300 * 512, block), 0);
	ck_assert_int_eq(pool_get(pool, 300 * 512, &r), 0);
	ck_assert_int_eq(run(READ, off, &r, 0, NULL), 0);
	for (uint32_t at = 0; at < r.len; at += 512)
		ck_assert_mem_eq((uint8_t *)r.chunk[at / POOL_CHUNK_SIZE] +
				 at % POOL_CHUNK_SIZE, block, 512);
	pool_put(&r);
	/* Zeros over part of it. */
	ck_assert_int_eq(run(ZEROES, off + 512, NULL, 2048, NULL), 0);
	get(off + 512, 2048, is_zero, 0);
	ck_assert_int_eq(pool_get(pool, 512, &r), 0);
	ck_assert_int_eq(run(READ, off + 2560, &r, 0, NULL), 0);
	ck_assert_mem_eq(r.chunk[0], block, 512);
	pool_put(&r);
}
END_TEST

START_TEST(read_only_write)
{
	struct backing_opts o = { .flags = BACKING_RDONLY };
	struct backing rw = b;
	struct pool_buf w;
	int r;

	ck_assert_int_eq(backing_open(&b, image, &o), 0);
	ck_assert_int_eq(pool_get(pool, 4096, &w), 0);
	r = run(WRITE, 0, &w, 0, NULL);
	ck_assert_msg(r == -EROFS, "a write to a read-only image: %d", r);
	pool_put(&w);
	backing_close(&b);
	b = rw;
}
END_TEST

/* backing_open() of @path with @o: its errno, and a reason that names
 * @why. */
static void refused(const char *path, const struct backing_opts *o, int err,
		    const char *why)
{
	struct backing x;
	int r = backing_open(&x, path, o);

	ck_assert_msg(r == err, "%s: %d, not %d (%s)", path, r, err, x.why);
	ck_assert_msg(strstr(x.why, why), "%s: '%s' does not say '%s'", path,
		      x.why, why);
	ck_assert_ptr_null(x.rbd);
	ck_assert_int_eq(x.fd, -1);
}

START_TEST(refusals)
{
	char missing[300], nopool[300];
	struct backing_opts conf = { .ceph_conf = "/nonexistent/ceph.conf" };
	struct backing_opts id = { .ceph_id = "nobody" };
	struct backing_opts shared = { .flags = BACKING_SHARED };
	const char *slash = strchr(image, '/');

	snprintf(missing, sizeof(missing), "%.*s/no-such-image",
		 (int)(slash - image), image);
	snprintf(nopool, sizeof(nopool), "rbd:no-such-pool%s", slash);
	refused(missing, NULL, -ENOENT, "image 'no-such-image'");
	refused(nopool, NULL, -ENOENT, "pool 'no-such-pool'");
	refused("rbd:", NULL, -EINVAL, "not rbd:POOL/IMAGE");
	refused("rbd:rbd", NULL, -EINVAL, "not rbd:POOL/IMAGE");
	refused("rbd:/img", NULL, -EINVAL, "not rbd:POOL/IMAGE");
	refused("rbd:rbd/img@snap", NULL, -EINVAL, "not rbd:POOL/IMAGE");
	refused(image, &conf, -ENOENT, "/nonexistent/ceph.conf");
	refused(image, &id, -EACCES, "client.nobody");
	refused(image, &shared, -EINVAL, "--shared and --dsync");
	refused("/dev/null", &conf, -EINVAL, "not an RBD image");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blockdev-rbd");
	TCase *tc;

	image = getenv("RBD_TEST_IMAGE");
	image2 = getenv("RBD_TEST_IMAGE2");
	if (!image || !image2 || !getenv("CEPH_CONF")) {
		fprintf(stderr, "run by rbd-test.sh: no RBD_TEST_IMAGE, RBD_TEST_IMAGE2 or CEPH_CONF\n");
		return 1;
	}
	tc = bt_tcase(s, "rbd", open_rw, close_rw);
	tcase_add_test(tc, opens);
	tcase_add_test(tc, write_read);
	tcase_add_test(tc, discards);
	tcase_add_test(tc, write_same);
	tcase_add_test(tc, read_only_write);
	tcase_add_test(tc, refusals);
	return bt_run(s);
}
