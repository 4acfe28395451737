/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backing.h"
#include "backing-rbd.h"

/* FNV-1a 64, continued from @h over @len more bytes. */
static uint64_t fnv_more(uint64_t h, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)text[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t backing_id_of(const char *text, size_t len)
{
	return fnv_more(0xcbf29ce484222325ull, text, len);
}

/* A sysfs attribute, white space at the ends removed; its length, or -1
 * when it cannot be read. */
__attribute__((format(printf, 3, 4)))
static int sysfs_read(char *out, size_t len, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	ssize_t n;
	size_t start = 0;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && isspace((unsigned char)out[n - 1]))
		n--;
	while ((ssize_t)start < n && isspace((unsigned char)out[start]))
		start++;
	memmove(out, out + start, (size_t)n - start);
	out[n - (ssize_t)start] = '\0';
	return (int)(n - (ssize_t)start);
}

/* An attribute of a device's request queue; a partition has its disk's,
 * one directory up. */
static int queue_attr(dev_t dev, const char *attr, char *out, size_t len)
{
	unsigned int ma = major(dev), mi = minor(dev);
	int n = sysfs_read(out, len, "/sys/dev/block/%u:%u/queue/%s", ma, mi,
			   attr);

	if (n < 0)
		n = sysfs_read(out, len, "/sys/dev/block/%u:%u/../queue/%s", ma,
			       mi, attr);
	return n;
}

static uint64_t queue_num(dev_t dev, const char *attr)
{
	char v[32];

	return queue_attr(dev, attr, v, sizeof(v)) > 0 ?
	       strtoull(v, NULL, 10) : 0;
}

/* The text of the id of a block device (see backing.h). */
static void blockdev_ident(dev_t rdev, uint64_t size, char *out, size_t len)
{
	static const char *const attrs[] = {
		"wwid", "device/wwid", "serial", "dm/uuid", "device/serial",
	};
	unsigned int ma = major(rdev), mi = minor(rdev);
	char ident[256], part[16];
	const char *up = "";

	if (sysfs_read(part, sizeof(part), "/sys/dev/block/%u:%u/partition",
		       ma, mi) > 0)
		up = "/..";
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (sysfs_read(ident, sizeof(ident), "/sys/dev/block/%u:%u%s/%s",
			       ma, mi, up, attrs[i]) <= 0)
			continue;
		if (*up)
			snprintf(out, len, "disk:%s:part%s", ident, part);
		else
			snprintf(out, len, "disk:%s", ident);
		return;
	}
	snprintf(out, len, "blockdev:%u:%u:%" PRIu64, ma, mi, size);
}

int backing_fail(struct backing *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	backing_close(b);
	return err;
}

static int blockdev_info(struct backing *b, const char *path,
			 const struct stat *st, uint32_t want)
{
	char wc[32], text[320];
	unsigned int pbs;
	int lbs;

	if (ioctl(b->fd, BLKGETSIZE64, &b->size) ||
	    ioctl(b->fd, BLKSSZGET, &lbs) || ioctl(b->fd, BLKPBSZGET, &pbs)) {
		int e = errno;

		return backing_fail(b, -e, "%s: block device ioctl: %s", path,
			    strerror(e));
	}
	b->dio_align = (uint32_t)lbs;
	b->block_size = want ? want : (uint32_t)lbs;
	if (lbs <= 0 || b->block_size % (uint32_t)lbs)
		return backing_fail(b, -EINVAL,
			    "%s: block size %" PRIu32 " is not a multiple of the device's logical block size %d",
			    path, b->block_size, lbs);
	b->phys_block_size = pbs > b->block_size ? pbs : b->block_size;
	/* Unknown counts as a cache: a flush too many costs little. */
	b->write_cache = !(b->open_flags & O_DSYNC) &&
			 (queue_attr(st->st_rdev, "write_cache", wc,
				     sizeof(wc)) < 0 ||
			  strcmp(wc, "write through") != 0);
	b->can_punch = !b->read_only &&
		       queue_num(st->st_rdev, "write_zeroes_max_bytes") > 0;
	/* Without WRITE ZEROES the kernel writes zero pages. */
	b->can_zero = !b->read_only;
	blockdev_ident(st->st_rdev, b->size, text, sizeof(text));
	b->id = backing_id_of(text, strlen(text));
	return 0;
}

/* What O_DIRECT I/O on a file must be aligned to; 0 when the file
 * system says it cannot do direct I/O on it. */
static uint32_t file_dio_align(int fd, dev_t dev)
{
	struct statx stx;
	uint64_t lbs;

	if (!statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
	    (stx.stx_mask & STATX_DIOALIGN))
		return stx.stx_dio_offset_align;
	lbs = queue_num(dev, "logical_block_size");
	return lbs ? (uint32_t)lbs : 512;
}

/* Whether fallocate(@mode) works on @fd, tried on the 64 KiB after the
 * end of the file, where no data is (and the size stays). */
static bool falloc_works(int fd, uint64_t size, int mode)
{
	off_t off = (off_t)(size | 0xffff) + 1;

	return !fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, off, 65536);
}

/*
 * Whether the file system of @path zeroes ranges. Not tried past the
 * file's end as punching is: zeroing allocates there, and some file
 * systems (ext4) do not punch past the end, so the blocks would stay.
 * An unnamed file in the same directory (O_TMPFILE) takes the try and
 * is gone on close; where none can be made, false (WRITE SAME then
 * writes zeros from a buffer).
 */
static bool zero_works(const char *path)
{
	char *real = realpath(path, NULL);
	char *slash = real ? strrchr(real, '/') : NULL;
	bool ok = false;
	int fd;

	if (!slash) {
		free(real);
		return false;
	}
	slash[slash == real] = '\0';	/* "/f" -> "/", "/d/f" -> "/d" */
	fd = open(real, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(real);
	if (fd < 0)
		return false;
	ok = !fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0,
			4096);
	close(fd);
	return ok;
}

static int file_info(struct backing *b, const char *path,
		     const struct stat *st, uint32_t want)
{
	char text[96];

	b->size = (uint64_t)st->st_size;
	b->block_size = want ? want : 512;
	b->phys_block_size = b->block_size;
	if (b->direct) {
		b->dio_align = file_dio_align(b->fd, st->st_dev);
		/* Direct I/O in blocks smaller than the file system's
		 * alignment would fail: buffered, rather than no LUN. */
		if (!b->dio_align || b->block_size % b->dio_align) {
			int fl = fcntl(b->fd, F_GETFL);

			if (fl < 0 || fcntl(b->fd, F_SETFL, fl & ~O_DIRECT)) {
				int e = errno;

				return backing_fail(b, -e, "%s: clearing O_DIRECT: %s",
					    path, strerror(e));
			}
			b->direct = false;
			b->direct_refused = true;
		}
	}
	if (!b->direct)
		b->dio_align = 1;
	b->write_cache = !(b->open_flags & O_DSYNC);
	if (!b->read_only) {
		b->can_punch = falloc_works(b->fd, b->size,
					    FALLOC_FL_PUNCH_HOLE);
		b->can_zero = zero_works(path);
	}
	snprintf(text, sizeof(text), "file:%u:%u:%" PRIu64, major(st->st_dev),
		 minor(st->st_dev), (uint64_t)st->st_ino);
	b->id = backing_id_of(text, strlen(text));
	return 0;
}

static bool valid_block_size(uint32_t bs)
{
	return !bs || (bs >= 512 && bs <= 65536 && !(bs & (bs - 1)));
}

/* The open itself: O_DIRECT, else buffered where the file system
 * refuses it. */
static int open_fd(struct backing *b, const char *path, const struct stat *st,
		   unsigned int flags)
{
	int oflags = O_CLOEXEC | O_DIRECT;
	const char *hint = "";
	int e;

	oflags |= b->read_only ? O_RDONLY : O_RDWR;
	if (flags & BACKING_DSYNC)
		oflags |= O_DSYNC;
	if (S_ISBLK(st->st_mode) && !(flags & BACKING_SHARED))
		oflags |= O_EXCL;
	b->fd = open(path, oflags);
	if (b->fd < 0 && errno == EINVAL) {
		b->direct_refused = true;
		oflags &= ~O_DIRECT;
		b->fd = open(path, oflags);
	}
	if (b->fd >= 0) {
		b->direct = !b->direct_refused;
		b->open_flags = oflags;
		return 0;
	}
	e = errno;
	if ((e == EACCES || e == EROFS) && !b->read_only)
		hint = " (it may only be read: serve it read-only)";
	else if (e == EBUSY)
		hint = " (mounted, or claimed by another user: serve it shared only if that user writes nothing)";
	return backing_fail(b, -e, "%s: %s%s", path, strerror(e), hint);
}

/* A regular file or a block device. */
static int open_file(struct backing *b, const char *path,
		     const struct backing_opts *opts)
{
	struct stat st;
	int r;

	if (opts->ceph_conf || opts->ceph_id)
		return backing_fail(b, -EINVAL,
			    "%s: a Ceph configuration or client id, but not an RBD image (rbd:POOL/IMAGE)",
			    path);
	/* Before the open: a FIFO would block it, a directory pass it. */
	if (stat(path, &st)) {
		int e = errno;

		return backing_fail(b, -e, "%s: %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode))
		return backing_fail(b, -EISDIR, "%s: a directory, not a file or block device",
			    path);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return backing_fail(b, -EINVAL, "%s: neither a regular file nor a block device",
			    path);
	b->read_only = opts->flags & BACKING_RDONLY;
	r = open_fd(b, path, &st, opts->flags);
	if (r)
		return r;
	/* The file opened is what counts, whatever the path was before. */
	if (fstat(b->fd, &st)) {
		int e = errno;

		return backing_fail(b, -e, "%s: fstat: %s", path, strerror(e));
	}
	if (S_ISBLK(st.st_mode)) {
		b->blockdev = true;
		r = blockdev_info(b, path, &st, opts->block_size);
	} else if (S_ISREG(st.st_mode)) {
		r = file_info(b, path, &st, opts->block_size);
	} else {
		r = backing_fail(b, -EINVAL, "%s: neither a regular file nor a block device",
			 path);
	}
	return r;
}

int backing_open(struct backing *b, const char *path,
		 const struct backing_opts *opts)
{
	static const struct backing_opts defaults;
	const unsigned int known = BACKING_RDONLY | BACKING_SHARED |
				   BACKING_DSYNC;
	int r;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	if (!opts)
		opts = &defaults;
	if (opts->flags & ~known)
		return backing_fail(b, -EINVAL, "unknown flags %#x", opts->flags & ~known);
	if (!valid_block_size(opts->block_size))
		return backing_fail(b, -EINVAL,
			    "block size %" PRIu32 ": not a power of two from 512 to 65536",
			    opts->block_size);
	if (opts->name && !*opts->name)
		return backing_fail(b, -EINVAL, "an empty name");
	if (backing_path_is_rbd(path))
		r = backing_rbd_open(b, path + strlen(BACKING_RBD_PREFIX),
				     opts);
	else
		r = open_file(b, path, opts);
	if (r)
		return r;
	if (!b->size || b->size % b->block_size)
		return backing_fail(b, -EINVAL,
			    "%s: %" PRIu64 " bytes, not a non-zero multiple of the block size %" PRIu32 " (resize it, or choose another block size)",
			    path, b->size, b->block_size);
	if (opts->name)
		b->id = fnv_more(backing_id_of("name:", 5), opts->name,
				 strlen(opts->name));
	return 0;
}

void backing_close(struct backing *b)
{
	if (b->rbd)
		backing_rbd_close(b);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}
