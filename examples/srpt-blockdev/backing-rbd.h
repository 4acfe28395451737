/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_BACKING_RBD_H
#define SRPT_BLOCKDEV_BACKING_RBD_H

/*
 * A LUN stored in a Ceph RBD image, through librbd's asynchronous C API
 * ("rbd:POOL/IMAGE" for backing_open()). An operation is a batch of
 * librbd requests started together from the caller's thread: a WRITE
 * with FUA is the write and a flush (a flush covers every write started
 * before it), an UNMAP is one discard per range. Nothing is started
 * from librbd's threads; the batch's callback runs once, when the last
 * request completed, on one of librbd's threads (or on the caller's,
 * in backing_rbd_end(), when all of them were done or failed already).
 *
 * The image is opened with librbd's cache off (rbd_cache = false): a
 * write is acknowledged by librbd once the OSDs have it, so no write
 * the initiator saw acknowledged lives only in this process, and a
 * second process that takes the image over (ALUA failover) reads it.
 * Discards zero what they cover (rbd_skip_partial_discard = false), so
 * an unmapped range reads zeros (LBPRZ).
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "pool.h"

struct backing;
struct backing_opts;
struct backing_rbd;
struct backing_rbd_op;

/* What a backing_open() path starts with to name an RBD image. */
#define BACKING_RBD_PREFIX "rbd:"

/* Whether backing_open() takes @path for an RBD image. */
static inline bool backing_path_is_rbd(const char *path)
{
	return !strncmp(path, BACKING_RBD_PREFIX, strlen(BACKING_RBD_PREFIX));
}

/**
 * typedef backing_rbd_done_fn - an operation's end
 * @op: the operation
 * @res: 0, or the first negative errno a request of it returned
 * @arg: &backing_rbd_op.arg
 *
 * May run on a librbd thread: it must not start librbd requests of its
 * own (the next command's are started from the caller's threads).
 */
typedef void (*backing_rbd_done_fn)(struct backing_rbd_op *op, int res,
				    void *arg);

/**
 * struct backing_rbd_op - one operation: requests started together
 * @done: called once the last request ended
 * @arg: handed to @done
 * @rbd: the connection it counts as a user of (backing_rbd_begin())
 * @image: the image, or NULL when the connection was fenced at
 *         backing_rbd_begin() (the operation then fails with -ESHUTDOWN)
 * @pending: requests not ended, plus one until backing_rbd_end()
 * @err: the first error
 * @iov: the pieces of a read or write buffer
 *
 * Storage of the caller's (a command's private space): nothing is
 * allocated per operation but librbd's completions.
 */
struct backing_rbd_op {
	backing_rbd_done_fn done;
	void *arg;
	struct backing_rbd *rbd;
	void *image;
	atomic_uint pending;
	atomic_int err;
	struct iovec iov[POOL_MAX_CHUNKS];
};

/**
 * backing_rbd_open() - open an RBD image as a LUN's backing
 * @b: filled in (backing_open() cleared it)
 * @spec: "POOL/IMAGE" (what follows "rbd:")
 * @opts: the block size, name, read-only flag and the cluster's
 *        configuration file and client id
 *
 * Connects to the cluster (librados, the configuration file or Ceph's
 * default search, CEPH_ARGS, a 30 s mount timeout) as client.ID, opens
 * the image (read-only with %BACKING_RDONLY) and fills @b: its size, the
 * block size (default 512), write through (no cache), UNMAP and WRITE
 * SAME without data. The id hashes "rbd:FSID:POOLID:IMAGEID" (the
 * cluster's fsid, the pool's number, the image's id), the same in every
 * process that opens the image, whatever name led to it; or the name.
 *
 * Return: 0; -EINVAL for a bad @spec or a size that is not a multiple
 * of the block size; -ENOTSUP when built without librbd; else the
 * negative errno of librados or librbd (-ENOENT: no such pool or
 * image, -ETIMEDOUT: no monitor answered, -EACCES, -EPERM), with
 * &backing.why saying which step failed. On failure nothing stays open.
 * Context: any thread; it blocks (network).
 */
int backing_rbd_open(struct backing *b, const char *spec,
		     const struct backing_opts *opts);

/**
 * backing_rbd_close() - close the image and the cluster connection
 * @b: a backing backing_rbd_open() filled
 *
 * Context: any thread but librbd's, once no operation is in flight.
 */
void backing_rbd_close(struct backing *b);

/**
 * backing_rbd_reopen() - connect again, as a new client, after a blocklist
 * @b: an RBD backing opened read-write
 *
 * A client whose lock another process broke is blocklisted for good
 * (backing_rbd_lock_break()); to serve again, as a standby first, the
 * process needs a connection of a new client. This fences @b (an
 * operation begun from now on fails with -ESHUTDOWN without reaching
 * librbd), waits up to 30 s for the operations begun before to end,
 * closes the image and the connection, and connects and opens the image
 * again. @b stays fenced until backing_rbd_lock_acquire() succeeds, so
 * that no command that slipped past the port group's state checks can
 * write while another process owns the image. On failure @b is left
 * fenced and closed (only backing_rbd_reopen() and backing_rbd_close()
 * may follow), with &backing.why saying which step failed.
 *
 * Return: 0; -EBUSY when operations did not end; -ESTALE when the name
 * leads to another image now; else as backing_rbd_open().
 * Context: any thread but librbd's, the only one using @b's lock and
 * heartbeat functions; it blocks (network).
 */
int backing_rbd_reopen(struct backing *b);

/**
 * backing_rbd_begin() - start an operation
 * @b: an RBD backing
 * @op: the operation's storage
 * @done: its callback
 * @arg: for @done
 *
 * Context: any thread but librbd's.
 */
void backing_rbd_begin(struct backing *b, struct backing_rbd_op *op,
		       backing_rbd_done_fn done, void *arg);

/**
 * backing_rbd_end() - no more requests for @op
 * @op: an operation backing_rbd_begin() started
 *
 * @op's callback runs once its requests ended: here, if they all did.
 * @op must not be touched after this call (the callback may reuse it).
 *
 * Context: the thread that began @op.
 */
void backing_rbd_end(struct backing_rbd_op *op);

/**
 * backing_rbd_read() - read @buf->len bytes at @off into @buf
 * @op: a begun operation
 * @off: byte offset, a multiple of the block size
 * @buf: the pool buffer (its chunks are handed to librbd: no copy)
 *
 * Errors go to the operation's result. Context: the thread that began @op.
 */
void backing_rbd_read(struct backing_rbd_op *op, uint64_t off,
		      const struct pool_buf *buf);

/**
 * backing_rbd_write() - write @buf->len bytes of @buf at @off
 * @op: a begun operation
 * @off: byte offset, a multiple of the block size
 * @buf: the pool buffer (no copy)
 *
 * Context: the thread that began @op.
 */
void backing_rbd_write(struct backing_rbd_op *op, uint64_t off,
		       const struct pool_buf *buf);

/**
 * backing_rbd_flush() - make every write started before durable
 * @op: a begun operation
 *
 * Covers the writes of @op started before it too (FUA).
 * Context: the thread that began @op.
 */
void backing_rbd_flush(struct backing_rbd_op *op);

/**
 * backing_rbd_discard() - deallocate a range; it then reads zeros
 * @op: a begun operation
 * @off: byte offset
 * @len: bytes
 *
 * Context: the thread that began @op.
 */
void backing_rbd_discard(struct backing_rbd_op *op, uint64_t off,
			 uint64_t len);

/**
 * backing_rbd_write_same() - write one block again and again
 * @op: a begun operation
 * @off: byte offset, a multiple of @block_len
 * @len: bytes, a multiple of @block_len
 * @block: the block's data, or NULL for zeros (librbd may deallocate
 *         whole objects; the range reads zeros either way)
 * @block_len: the block size
 *
 * @block must stay valid until the operation ended.
 * Context: the thread that began @op.
 */
void backing_rbd_write_same(struct backing_rbd_op *op, uint64_t off,
			    uint64_t len, const void *block,
			    uint32_t block_len);

/**
 * backing_rbd_available() - whether this build has librbd
 *
 * Return: true or false. Context: any thread.
 */
bool backing_rbd_available(void);

/**
 * backing_rbd_in_callback() - whether this thread runs an operation's end
 * @void: nothing
 *
 * True inside the &backing_rbd_done_fn of an operation librbd ended, on
 * librbd's thread: closing an image there would wait for the callback
 * that is running.
 *
 * Return: true or false. Context: any thread.
 */
bool backing_rbd_in_callback(void);

/* The longest lock owner name backing_rbd_lock_owner() hands back. */
#define BACKING_RBD_OWNER_MAX 256

/**
 * backing_rbd_lock_acquire() - take the image's exclusive lock, and keep it
 * @b: an RBD backing opened read-write
 *
 * An explicitly acquired lock is not handed over when another client
 * asks for it (no ping-pong per write): it stays until this process
 * ends, releases it or has it broken (and is then blocklisted).
 *
 * Success ends the fence of backing_rbd_reopen().
 *
 * Return: 0 (this client owns the lock); -EROFS when a live owner
 * refused to hand it over, -EINVAL when the image has no exclusive-lock
 * feature, -ESHUTDOWN when this client is blocklisted, else librbd's
 * negative errno; -ENOTSUP without librbd.
 * Context: any thread but librbd's; it blocks (network).
 */
int backing_rbd_lock_acquire(struct backing *b);

/**
 * backing_rbd_lock_owner() - who owns the image's exclusive lock
 * @b: an RBD backing
 * @owner: the owner's name (librbd's "auto <id>" cookie form) when there
 *         is one, else ""
 * @len: @owner's size, at least 1
 *
 * Return: 1 with an owner, 0 without, or a negative errno.
 * Context: any thread but librbd's; it blocks (network).
 */
int backing_rbd_lock_owner(struct backing *b, char *owner, size_t len);

/**
 * backing_rbd_lock_break() - take the lock from @owner, blocklisting it
 * @b: an RBD backing
 * @owner: a name backing_rbd_lock_owner() gave
 *
 * Ceph blocklists @owner's client address first (for the cluster's
 * rbd_blocklist_expire_seconds, by default an hour), so no request of
 * it lands after the break: each one fails with -ESHUTDOWN
 * (EBLOCKLISTED) instead.
 *
 * Return: 0; -ENOENT when @owner no longer owns the lock; else a
 * negative errno. Context: any thread but librbd's; it blocks.
 */
int backing_rbd_lock_break(struct backing *b, const char *owner);

/**
 * backing_rbd_beat_write() - replace the image's heartbeat object
 * @b: an RBD backing
 * @data: what it holds now
 * @len: its length
 *
 * The heartbeat object is "srpt.IMAGE_ID.hb" in the image's pool: a
 * rados object beside the image, not part of its data.
 *
 * Return: 0, or a negative errno (-ESHUTDOWN: this client is
 * blocklisted). Context: any thread but librbd's; it blocks.
 */
int backing_rbd_beat_write(struct backing *b, const void *data, size_t len);

/**
 * backing_rbd_beat_read() - read the image's heartbeat object
 * @b: an RBD backing
 * @data: filled with up to @len bytes of it
 * @len: @data's size
 *
 * Return: the bytes read (0 for an empty object), -ENOENT when no
 * process wrote one yet, else a negative errno.
 * Context: any thread but librbd's; it blocks.
 */
int backing_rbd_beat_read(struct backing *b, void *data, size_t len);

#endif
