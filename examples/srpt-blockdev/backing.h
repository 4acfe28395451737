/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_BACKING_H
#define SRPT_BLOCKDEV_BACKING_H

/*
 * What a LUN of srpt-blockdev stores its blocks in: a regular file or a
 * block device, opened for io_uring, with what the SCSI layer needs to
 * know about it (size, block size, write cache, unmap, identity).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* &backing_opts.flags */
#define BACKING_RDONLY 1u	/* O_RDONLY: the LUN is write protected */
#define BACKING_SHARED 2u	/* a block device without O_EXCL (see below) */
#define BACKING_DSYNC 4u	/* O_DSYNC: every write durable, no cache */

/**
 * struct backing_opts - how to open a backing
 * @flags: %BACKING_RDONLY, %BACKING_SHARED, %BACKING_DSYNC
 * @block_size: the LUN's logical block size: a power of two from 512 to
 *              65536, or 0 for the default (512 for a file, the logical
 *              block size of a block device)
 * @name: NULL, or a name the user gives the data (see backing_open())
 * @ceph_conf: an RBD image's cluster configuration file, or NULL for
 *             Ceph's default search (CEPH_CONF, /etc/ceph/ceph.conf...)
 * @ceph_id: the Ceph client id to connect as ("admin" for
 *           client.admin), or NULL for "admin"
 */
struct backing_opts {
	unsigned int flags;
	uint32_t block_size;
	const char *name;
	const char *ceph_conf;
	const char *ceph_id;
};

struct backing_rbd;

/**
 * struct backing - an open backing
 * @fd: the descriptor reads and writes go to (-1 for an RBD image)
 * @rbd: an RBD image's connection (backing-rbd.h), or NULL
 * @blockdev: a block device (else a regular file)
 * @read_only: opened O_RDONLY
 * @direct: opened O_DIRECT: I/O bypasses the page cache
 * @direct_refused: O_DIRECT could not be used, buffered I/O instead: the
 *                  file system refuses it (tmpfs before Linux 6.6,
 *                  ramfs, some ext4 modes), or its direct I/O alignment
 *                  is larger than the block size asked for; worth a log
 *                  line, since the page cache then holds a copy
 * @write_cache: writes may sit in a volatile cache until a flush, so
 *               SYNCHRONIZE CACHE and FUA must reach the backing: a block
 *               device whose queue/write_cache does not say "write
 *               through" (or cannot be read), and every file (its file
 *               system's metadata needs fdatasync even with O_DIRECT);
 *               false with %BACKING_DSYNC
 * @can_punch: uring_prep_punch() works and the range then reads zeros
 *             (SCSI UNMAP with LBPRZ): a file on a file system with
 *             punch-hole (ext4, xfs, btrfs, tmpfs), or a block device
 *             that does WRITE ZEROES (queue/write_zeroes_max_bytes). A
 *             device that can only discard (no zeroing promise) and brd
 *             in Linux 6.1 (neither) have it false. False when read-only.
 * @can_zero: uring_prep_zero() works (WRITE SAME of zeros without a data
 *            buffer): every block device, a file on a file system with
 *            zero-range (ext4, xfs; not tmpfs) whose directory takes an
 *            O_TMPFILE to try it on. False when read-only.
 * @size: bytes (st_size, or BLKGETSIZE64), a multiple of @block_size
 * @block_size: the LUN's logical block size (&backing_opts.block_size,
 *              or its default); I/O offsets and lengths are multiples of
 *              it, and it is a multiple of @dio_align
 * @phys_block_size: a block device's physical block size (BLKPBSZGET)
 *                   when larger than @block_size, else @block_size
 * @dio_align: what O_DIRECT I/O must be aligned to: a block device's
 *             logical block size (BLKSSZGET), a file's direct I/O
 *             alignment (statx STATX_DIOALIGN, else the logical block
 *             size of the device under it, else 512); 1 when buffered
 * @id: stable identity of the backing (see backing_open())
 * @open_flags: the flags open() was given (O_DIRECT as first opened)
 * @why: after a failed backing_open(), a sentence saying what failed
 *       and why, for the user; else empty
 */
struct backing {
	int fd;
	struct backing_rbd *rbd;
	bool blockdev;
	bool read_only;
	bool direct;
	bool direct_refused;
	bool write_cache;
	bool can_punch;
	bool can_zero;
	uint64_t size;
	uint32_t block_size;
	uint32_t phys_block_size;
	uint32_t dio_align;
	uint64_t id;
	int open_flags;
	char why[256];
};

/**
 * backing_open() - open a file, block device or RBD image as a LUN's backing
 * @b: filled in
 * @path: a regular file or a block device (links are followed), or
 *        "rbd:POOL/IMAGE" for an image of a Ceph cluster (see
 *        backing_rbd_open(), which says what of the following holds)
 * @opts: how, or NULL for the defaults (read-write, exclusive, the
 *        default block size, no name)
 *
 * Opens with O_DIRECT, and without it when the file system refuses it
 * (then &backing.direct_refused). A block device is opened with O_EXCL
 * unless %BACKING_SHARED: the open fails with -EBUSY while the device is
 * mounted or claimed, so that a target does not serve a disk the host
 * itself writes to. Whether a file can punch holes is tried beyond its
 * end (which changes no data); whether its file system zeroes ranges,
 * on an unnamed file (O_TMPFILE) in its directory.
 *
 * The id is the 64-bit FNV-1a hash (backing_id_of()) of a text (UTF-8,
 * without its terminator) that names the backing the same way from any
 * process and after a restart, whatever path led to it:
 *
 * - with &backing_opts.name: "name:NAME". The user's word that the name
 *   stands for these data wherever they are opened from: stable across
 *   reboots, copies and moves, which a device number is not. Two
 *   processes that serve the same backing give it the same name.
 * - regular file: "file:MAJ:MIN:INO" (st_dev's major and minor, st_ino;
 *   decimal). Stable while the file exists and its file system stays
 *   mounted (on tmpfs too), for every hard link and symbolic link to it.
 * - block device that names itself: "disk:IDENT", or
 *   "disk:IDENT:partN" for partition N, where IDENT is the first
 *   non-empty of the whole disk's sysfs attributes wwid, device/wwid,
 *   serial, dm/uuid, device/serial (white space at the ends removed).
 *   Stable across reboots and renumbering, and across resizing.
 * - other block device (brd, loop, ...): "blockdev:MAJ:MIN:SIZE" (the
 *   device number, size in bytes). Stable while the device exists.
 *
 * Return: 0, or a negative errno, with &backing.why saying more:
 * -ENOENT, -EACCES, -EROFS, -ELOOP, -ENOTDIR (from stat() or open():
 * -EACCES or -EROFS for a read-write open of what may only be read:
 * ask for %BACKING_RDONLY); -EISDIR for a directory; -EINVAL for other
 * files that are neither regular nor block devices, bad @opts, a block
 * size that is not a multiple of a block device's logical block size, or
 * a size that is not a non-zero multiple of the block size; -EBUSY (see
 * above); or the negative errno of fstat() or an ioctl. On failure
 * nothing stays open (&backing.fd is -1).
 * Context: any thread; it blocks (open, ioctls, sysfs, fallocate).
 */
int backing_open(struct backing *b, const char *path,
		 const struct backing_opts *opts);

/**
 * backing_close() - close a backing
 * @b: a backing backing_open() filled, or one whose fd is -1 and rbd NULL
 *
 * Context: any thread, once no I/O on it is in flight.
 */
void backing_close(struct backing *b);

/**
 * backing_fail() - fail an open: say why, close what is open
 * @b: the backing being opened
 * @err: the negative errno to return
 * @fmt: printf format of the reason, into &backing.why
 *
 * For backing_open() and the backends it calls (backing-rbd.c).
 *
 * Return: @err. Context: any thread.
 */
__attribute__((format(printf, 3, 4)))
int backing_fail(struct backing *b, int err, const char *fmt, ...);

/**
 * backing_id_of() - the id of a backing's identifying text
 * @text: see backing_open()
 * @len: its length
 *
 * Return: the 64-bit FNV-1a hash. Context: any thread.
 */
uint64_t backing_id_of(const char *text, size_t len);

#endif
