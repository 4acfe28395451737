/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Opening a backing (examples/srpt-blockdev/backing.c): a regular file,
 * read-only, O_DSYNC, O_DIRECT refused by a file system (tmpfs before
 * Linux 6.6, ramfs), each refusal with its errno and a reason (missing,
 * a directory, neither file nor block device, no permission, read-only,
 * bad options, a size that is not a whole number of blocks), the id by
 * its rule, across names and processes and by a user's name, and (as
 * root, with /dev/loop-control) a loop block device: its size, block
 * size, cache, punch through a ring, exclusive opening and the same id
 * under two names. Without root the block device test says SKIP: the
 * block device paths then go untested here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backing.h"
#include "blockdev-test.h"
#include "uring.h"

static char path[128];
static int fd = -1;

static void setup(void)
{
	static const char data[102400];	/* 200 blocks of 512, 25 of 4096 */

	fd = bt_tmpfile(path, sizeof(path));
	ck_assert_int_eq(write(fd, data, sizeof(data)), sizeof(data));
}

static void teardown(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(path);
}

/* backing_open() with just @flags. */
static int open_fl(struct backing *b, const char *p, unsigned int flags)
{
	struct backing_opts o = { .flags = flags };
	int r = backing_open(b, p, &o);

	/* Failures say why, successes nothing. */
	if (r)
		ck_assert_msg(b->why[0], "no reason for %d", r);
	else
		ck_assert_str_eq(b->why, "");
	return r;
}

/* The id the documented rule gives a file. */
static uint64_t file_rule_id(const char *p)
{
	struct stat st;
	char text[96];

	ck_assert_int_eq(stat(p, &st), 0);
	snprintf(text, sizeof(text), "file:%u:%u:%llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
	return backing_id_of(text, strlen(text));
}

/* can_punch says what a real punch does (of zeros: the data stays). */
static bool punch_works(int f)
{
	return !fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			  4096);
}

/* can_zero likewise. */
static bool zero_works(int f)
{
	return !fallocate(f, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0,
			  4096);
}

START_TEST(test_fnv)
{
	/* FNV-1a 64's published values: anyone can compute the same. */
	ck_assert_uint_eq(backing_id_of("", 0), 0xcbf29ce484222325ull);
	ck_assert_uint_eq(backing_id_of("a", 1), 0xaf63dc4c8601ec8cull);
	ck_assert_uint_eq(backing_id_of("foobar", 6), 0x85944171f73967e8ull);
}
END_TEST

START_TEST(test_file)
{
	struct backing b;

	ck_assert_int_eq(backing_open(&b, path, NULL), 0);
	ck_assert_str_eq(b.why, "");
	ck_assert_int_ge(b.fd, 0);
	ck_assert(!b.blockdev);
	ck_assert(!b.read_only);
	ck_assert(b.direct != b.direct_refused);
	ck_assert_uint_eq(b.size, 102400);
	ck_assert(b.write_cache);
	ck_assert_uint_eq(b.block_size, 512);
	ck_assert_uint_eq(b.phys_block_size, 512);
	ck_assert_uint_ge(b.dio_align, 1);
	ck_assert_uint_eq(b.block_size % b.dio_align, 0);
	ck_assert(b.direct || b.dio_align == 1);
	ck_assert_uint_eq(b.id, file_rule_id(path));
	/* The descriptor is the file's, for writing. */
	ck_assert_int_eq(fcntl(b.fd, F_GETFL) & O_ACCMODE, O_RDWR);
	ck_assert_int_eq(!!(fcntl(b.fd, F_GETFL) & O_DIRECT), b.direct);
	ck_assert_int_eq(b.can_punch, punch_works(b.fd));
	ck_assert_int_eq(b.can_zero, zero_works(b.fd));
	/* The probes past the end left the size, and (where the file system
	 * can punch) no blocks there. */
	{
		struct stat st;

		ck_assert_int_eq(fstat(b.fd, &st), 0);
		ck_assert_int_eq(st.st_size, 102400);
		if (b.can_punch)
			ck_assert_int_le(st.st_blocks * 512, 102400 + 4096);
	}
	backing_close(&b);
	ck_assert_int_eq(b.fd, -1);
	backing_close(&b);		/* closed: nothing happens */
}
END_TEST

START_TEST(test_read_only)
{
	struct backing b;
	char c = 0;

	ck_assert_int_eq(open_fl(&b, path, BACKING_RDONLY), 0);
	ck_assert(b.read_only);
	ck_assert(!b.can_punch);
	ck_assert(!b.can_zero);
	ck_assert_int_eq(fcntl(b.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert_int_eq(pwrite(b.fd, &c, 1, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_uint_eq(b.id, file_rule_id(path));
	backing_close(&b);
}
END_TEST

START_TEST(test_refused)
{
	struct backing_opts o = { 0 };
	struct backing b;
	char dir[160];

	ck_assert_int_eq(open_fl(&b, "/dev/null", 0), -EINVAL);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_ptr_nonnull(strstr(b.why, "/dev/null"));
	ck_assert_int_eq(open_fl(&b, "/", 0), -EISDIR);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_int_eq(open_fl(&b, "/nonexistent/file", 0), -ENOENT);
	ck_assert_ptr_nonnull(strstr(b.why, "/nonexistent/file"));
	snprintf(dir, sizeof(dir), "%s/below", path);	/* under a file */
	ck_assert_int_eq(open_fl(&b, dir, 0), -ENOTDIR);
	ck_assert_int_eq(open_fl(&b, path, 8), -EINVAL);
	/* Block sizes: powers of two from 512 to 64 KiB. */
	for (unsigned int i = 0; i < 5; i++) {
		static const uint32_t bad[] = { 256, 1000, 3072, 131072, 1 };

		o.block_size = bad[i];
		ck_assert_int_eq(backing_open(&b, path, &o), -EINVAL);
		ck_assert_ptr_nonnull(strstr(b.why, "block size"));
		ck_assert_int_eq(b.fd, -1);
	}
	o = (struct backing_opts){ .name = "" };
	ck_assert_int_eq(backing_open(&b, path, &o), -EINVAL);
}
END_TEST

/* A size that is not a whole number of blocks, or none: -EINVAL, and the
 * reason names the size and the block size. */
START_TEST(test_size)
{
	struct backing_opts o = { .block_size = 4096 };
	struct backing b;

	ck_assert_int_eq(backing_open(&b, path, &o), 0);
	ck_assert_uint_eq(b.block_size, 4096);
	ck_assert_uint_eq(b.phys_block_size, 4096);
	ck_assert_uint_eq(b.size, 102400);
	ck_assert_uint_eq(b.block_size % b.dio_align, 0);
	backing_close(&b);
	ck_assert_int_eq(ftruncate(fd, 102400 + 512), 0);
	ck_assert_int_eq(open_fl(&b, path, 0), 0);	/* 512: fine */
	backing_close(&b);
	ck_assert_int_eq(backing_open(&b, path, &o), -EINVAL);
	ck_assert_int_eq(b.fd, -1);
	ck_assert_ptr_nonnull(strstr(b.why, "102912 bytes"));
	ck_assert_ptr_nonnull(strstr(b.why, "4096"));
	ck_assert_int_eq(ftruncate(fd, 100000), 0);
	ck_assert_int_eq(open_fl(&b, path, 0), -EINVAL);
	ck_assert_ptr_nonnull(strstr(b.why, "100000 bytes"));
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(open_fl(&b, path, BACKING_RDONLY), -EINVAL);
	ck_assert_int_eq(b.fd, -1);
}
END_TEST

/* O_DSYNC: every write is durable, so no cache to flush. */
START_TEST(test_dsync)
{
	struct backing b;

	ck_assert_int_eq(open_fl(&b, path, BACKING_DSYNC), 0);
	ck_assert(!b.write_cache);
	ck_assert(fcntl(b.fd, F_GETFL) & O_DSYNC);
	ck_assert(b.open_flags & O_DSYNC);
	backing_close(&b);
}
END_TEST

/*
 * Permissions, as a user other than root (who may open anything): a
 * file nobody may read is -EACCES; one that may only be read is -EACCES
 * read-write, with a reason that suggests read-only, and opens
 * read-only. Runs in a child that drops to nobody when the test runs as
 * root. Exit status: 0, or which check failed.
 */
static int permissions_child(const char *none, const char *ro)
{
	struct backing b;

	if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
		return 1;
	if (backing_open(&b, none, NULL) != -EACCES || b.fd != -1)
		return 2;
	{
		struct backing_opts o = { .flags = BACKING_RDONLY };

		if (backing_open(&b, none, &o) != -EACCES)
			return 3;
		if (backing_open(&b, ro, NULL) != -EACCES ||
		    !strstr(b.why, "read-only"))
			return 4;
		if (backing_open(&b, ro, &o) || !b.read_only)
			return 5;
	}
	backing_close(&b);
	return 0;
}

START_TEST(test_permissions)
{
	char none[160], ro[160];
	int status;
	pid_t pid;

	snprintf(none, sizeof(none), "%s.none", path);
	snprintf(ro, sizeof(ro), "%s.ro", path);
	/* Files of their own, with those modes. */
	{
		static const char data[4096];
		int a = open(none, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
		int r = open(ro, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);

		ck_assert_int_ge(a, 0);
		ck_assert_int_ge(r, 0);
		ck_assert_int_eq(write(a, data, sizeof(data)), sizeof(data));
		ck_assert_int_eq(write(r, data, sizeof(data)), sizeof(data));
		close(a);
		close(r);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(permissions_child(none, ro));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(none);
	unlink(ro);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* Two opens, a symbolic and a hard link, another process: one id. A
 * different file: another. */
START_TEST(test_id)
{
	char sym[160], hard[160], other[128];
	struct backing a, b, c, d, e;
	int ofd = bt_tmpfile(other, sizeof(other));
	int status;
	pid_t pid;

	snprintf(sym, sizeof(sym), "%s.sym", path);
	snprintf(hard, sizeof(hard), "%s.hard", path);
	ck_assert_int_eq(symlink(path, sym), 0);
	ck_assert_int_eq(link(path, hard), 0);
	ck_assert_int_eq(write(ofd, path, 64), 64);	/* 64 blocks of 1 */
	ck_assert_int_eq(ftruncate(ofd, 4096), 0);
	ck_assert_int_eq(open_fl(&a, path, 0), 0);
	ck_assert_int_eq(open_fl(&b, path, BACKING_RDONLY), 0);
	ck_assert_int_eq(open_fl(&c, sym, 0), 0);
	ck_assert_int_eq(open_fl(&d, hard, 0), 0);
	ck_assert_int_eq(open_fl(&e, other, 0), 0);
	ck_assert_uint_eq(a.id, b.id);
	ck_assert_uint_eq(a.id, c.id);
	ck_assert_uint_eq(a.id, d.id);
	ck_assert_uint_ne(a.id, e.id);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct backing f;

		_exit(backing_open(&f, sym, NULL) || f.id != a.id);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	backing_close(&a);
	backing_close(&b);
	backing_close(&c);
	backing_close(&d);
	backing_close(&e);
	unlink(sym);
	unlink(hard);
	close(ofd);
	unlink(other);
}
END_TEST

/* A name the user gives: the id is the name's, whatever the file. */
START_TEST(test_name)
{
	struct backing_opts o = { .name = "lun-ab\xc3\xa7" };
	struct backing a, b;
	char other[128];
	int ofd = bt_tmpfile(other, sizeof(other));

	ck_assert_int_eq(ftruncate(ofd, 4096), 0);
	ck_assert_int_eq(backing_open(&a, path, &o), 0);
	ck_assert_int_eq(backing_open(&b, other, &o), 0);
	ck_assert_uint_eq(a.id, b.id);
	ck_assert_uint_eq(a.id, backing_id_of("name:lun-ab\xc3\xa7", 13));
	ck_assert_uint_ne(a.id, file_rule_id(path));
	backing_close(&a);
	backing_close(&b);
	o.name = "lun-b";
	ck_assert_int_eq(backing_open(&a, path, &o), 0);
	ck_assert_uint_ne(a.id, b.id);
	backing_close(&a);
	close(ofd);
	unlink(other);
}
END_TEST

/* Whether a file system refuses O_DIRECT, tried in @dir. */
static bool refuses_direct(const char *dir)
{
	char p[160];
	int f;

	snprintf(p, sizeof(p), "%s/blockdev-direct.XXXXXX", dir);
	f = mkstemp(p);
	if (f < 0)
		return false;
	close(f);
	f = open(p, O_RDWR | O_DIRECT | O_CLOEXEC);
	unlink(p);
	if (f >= 0)
		close(f);
	return f < 0 && errno == EINVAL;
}

/* backing_open() in @dir, where O_DIRECT is refused: 0 when it falls
 * back to buffered I/O and says so, else which check failed. */
static int open_refused(const char *dir)
{
	char p[160];
	struct backing b;
	char c = 'x';
	int f, r = 0;

	snprintf(p, sizeof(p), "%s/blockdev-backing.XXXXXX", dir);
	f = mkstemp(p);
	if (f < 0)
		return 10;
	if (ftruncate(f, 4096)) {
		close(f);
		return 17;
	}
	close(f);
	if (backing_open(&b, p, NULL))
		r = 11;
	else if (!b.direct_refused || b.direct)
		r = 12;
	else if (fcntl(b.fd, F_GETFL) & O_DIRECT)
		r = 13;
	else if (b.block_size != 512 || b.dio_align != 1)
		r = 14;
	else if (b.can_punch != punch_works(b.fd) ||
		 b.can_zero != zero_works(b.fd))
		r = 16;
	else if (pwrite(b.fd, &c, 1, 3) != 1)	/* buffered: any alignment */
		r = 15;
	backing_close(&b);
	unlink(p);
	return r;
}

/* No file system at hand refuses O_DIRECT: mount a ramfs where only a
 * child process sees it (its own mount namespace, nothing propagated).
 * Exit status 77: not allowed here. */
static int open_refused_ramfs(void)
{
	char dir[128];
	const char *t = getenv("TMPDIR");
	int status;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/blockdev-ramfs.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("blockdev-test", dir, "ramfs", 0, NULL))
			_exit(77);
		_exit(refuses_direct(dir) ? open_refused(dir) : 20);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	rmdir(dir);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_direct_refused)
{
	const char *t = getenv("TMPDIR");
	const char *dirs[] = { t && *t ? t : "/tmp", "/dev/shm" };
	int r;

	for (unsigned int i = 0; i < 2; i++) {
		if (refuses_direct(dirs[i])) {
			ck_assert_int_eq(open_refused(dirs[i]), 0);
			return;
		}
	}
	r = open_refused_ramfs();
	if (r == 77) {
		fprintf(stderr, "SKIP O_DIRECT fallback: %s and %s take O_DIRECT, and no ramfs could be mounted\n",
			dirs[0], dirs[1]);
		return;
	}
	ck_assert_int_eq(r, 0);
}
END_TEST

/*
 * A loop device of 4 KiB blocks over a file: what backing_open() says
 * of a block device. It detaches itself when the last descriptor closes
 * (LO_FLAGS_AUTOCLEAR), also when the test dies. Root only.
 */
struct loopdev {
	int fd;
	char name[32];
};

static bool loop_attach(struct loopdev *l, int backing_fd)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);

	l->fd = -1;
	for (int tries = 0; ctl >= 0 && tries < 10 && l->fd < 0; tries++) {
		struct loop_config cfg = {
			.fd = (uint32_t)backing_fd,
			.block_size = 4096,
			.info.lo_flags = LO_FLAGS_AUTOCLEAR,
		};
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0)
			break;
		snprintf(l->name, sizeof(l->name), "/dev/loop%d", n);
		l->fd = open(l->name, O_RDWR | O_CLOEXEC);
		if (l->fd >= 0 && ioctl(l->fd, LOOP_CONFIGURE, &cfg)) {
			close(l->fd);	/* taken meanwhile: another one */
			l->fd = -1;
		}
	}
	if (ctl >= 0)
		close(ctl);
	return l->fd >= 0;
}

static void done_cb(struct uring_op *op, int res, void *arg)
{
	*(int *)arg = res;
}

static int run_op(struct uring *ring, struct uring_op *op)
{
	int res = 1;

	op->arg = &res;
	ck_assert_int_eq(uring_queue(ring, op), 0);
	while (uring_busy(ring) && !uring_wait(ring))
		uring_reap(ring);
	return res;
}

/* Writes, punches and reads back through a ring on @b. */
static void punch_through_ring(const struct backing *b)
{
	struct pool *pool;
	struct uring *ring;
	struct uring_op op;
	struct pool_buf buf;

	ck_assert_int_eq(pool_new(POOL_CHUNK_SIZE, &pool), 0);
	ck_assert_int_eq(uring_new(8, pool, &ring), 0);
	ck_assert_int_eq(pool_get(pool, POOL_CHUNK_SIZE, &buf), 0);
	bt_fill(buf.chunk[0], POOL_CHUNK_SIZE, 0, 12);
	uring_prep_write(&op, b->fd, 0, &buf, URING_FUA, done_cb, NULL);
	ck_assert_int_eq(run_op(ring, &op), 0);
	uring_prep_punch(&op, b->fd, 4096, 8192, done_cb, NULL);
	ck_assert_int_eq(run_op(ring, &op), 0);
	uring_prep_read(&op, b->fd, 0, &buf, done_cb, NULL);
	ck_assert_int_eq(run_op(ring, &op), 0);
	ck_assert_int_eq(bt_check(buf.chunk[0], 4096, 0, 12), -1);
	for (unsigned int i = 4096; i < 12288; i++)
		ck_assert_uint_eq(((uint8_t *)buf.chunk[0])[i], 0);
	ck_assert_int_eq(bt_check((uint8_t *)buf.chunk[0] + 12288,
				  POOL_CHUNK_SIZE - 12288, 12288, 12), -1);
	pool_put(&buf);
	uring_free(ring);
	pool_free(pool);
}

/* Changes what the kernel believes of a device's cache. */
static bool set_write_cache(const struct stat *st, const char *what)
{
	char p[96];
	FILE *f;
	bool ok;

	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/queue/write_cache",
		 major(st->st_rdev), minor(st->st_rdev));
	f = fopen(p, "w");
	if (!f)
		return false;
	ok = fputs(what, f) >= 0;
	return !fclose(f) && ok;
}

START_TEST(test_blockdev)
{
	struct loopdev l;
	struct backing a, b, c;
	struct stat st;
	char sym[160], text[64];

	ck_assert_int_eq(ftruncate(fd, 8 << 20), 0);
	if (geteuid() != 0 || !loop_attach(&l, fd)) {
		fprintf(stderr, "SKIP block device: no loop device (needs root and /dev/loop-control)\n");
		return;
	}
	{
		struct backing_opts o = { .block_size = 512 };

		/* Smaller than the device's blocks: no; a multiple: yes. */
		ck_assert_int_eq(backing_open(&a, l.name, &o), -EINVAL);
		ck_assert_ptr_nonnull(strstr(a.why, "logical block size 4096"));
		o.block_size = 8192;
		ck_assert_int_eq(backing_open(&a, l.name, &o), 0);
		ck_assert_uint_eq(a.block_size, 8192);
		ck_assert_uint_eq(a.dio_align, 4096);
		backing_close(&a);
	}
	ck_assert_int_eq(open_fl(&a, l.name, 0), 0);
	ck_assert(a.blockdev);
	ck_assert(a.direct && !a.direct_refused);
	ck_assert_uint_eq(a.size, 8 << 20);
	ck_assert_uint_eq(a.block_size, 4096);
	ck_assert_uint_eq(a.dio_align, 4096);
	ck_assert_uint_ge(a.phys_block_size, 4096);
	ck_assert(a.can_zero);
	/* loop over a file that can fsync: a write-back cache. */
	ck_assert(a.write_cache);
	ck_assert_int_eq(fstat(a.fd, &st), 0);
	snprintf(text, sizeof(text), "blockdev:%u:%u:%u", major(st.st_rdev),
		 minor(st.st_rdev), 8u << 20);
	ck_assert_uint_eq(a.id, backing_id_of(text, strlen(text)));
	/* Exclusive: not twice, unless shared. */
	ck_assert_int_eq(open_fl(&b, l.name, 0), -EBUSY);
	ck_assert_ptr_nonnull(strstr(b.why, "shared"));
	snprintf(sym, sizeof(sym), "%s.dev", path);
	ck_assert_int_eq(symlink(l.name, sym), 0);
	ck_assert_int_eq(open_fl(&c, sym, BACKING_SHARED | BACKING_RDONLY), 0);
	ck_assert_uint_eq(c.id, a.id);
	ck_assert(!c.can_punch);
	backing_close(&c);
	unlink(sym);
	/* A device that says its cache is write-through needs no flush.
	 * The kernel keeps that setting past the detach: put it back. */
	if (set_write_cache(&st, "write through")) {
		int r = open_fl(&c, l.name, BACKING_SHARED);

		ck_assert(set_write_cache(&st, "write back"));
		ck_assert_int_eq(r, 0);
		ck_assert(!c.write_cache);
		backing_close(&c);
	}
	/* Loop zeroes by punching its file, where the file system can. */
	ck_assert_int_eq(a.can_punch, punch_works(a.fd));
	if (a.can_punch)
		punch_through_ring(&a);
	else
		fprintf(stderr, "SKIP block device punch: %s cannot zero\n", l.name);
	backing_close(&a);
	close(l.fd);
}
END_TEST

static Suite *backing_suite(void)
{
	Suite *s = suite_create("blockdev-backing");
	TCase *tc = bt_tcase(s, "backing", setup, teardown);

	tcase_add_test(tc, test_fnv);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_dsync);
	tcase_add_test(tc, test_permissions);
	tcase_add_test(tc, test_id);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_direct_refused);
	tcase_add_test(tc, test_blockdev);
	return s;
}

int main(void)
{
	return bt_run(backing_suite());
}
