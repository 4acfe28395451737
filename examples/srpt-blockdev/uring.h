/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_URING_H
#define SRPT_BLOCKDEV_URING_H

/*
 * One io_uring per poller thread, for the backend I/O of srpt-blockdev.
 *
 * The thread that owns a ring (its "owner": the reactor thread that
 * polls it) queues operations without a lock; they become SQEs at once
 * and reach the kernel with one io_uring_submit() per loop round
 * (uring_submit()). Another thread hands an operation over with
 * uring_post(): a small locked queue that the owner takes over in
 * uring_drain(), woken by the ring's wake eventfd. Completions raise
 * the ring's eventfd; the owner's uring_reap() runs the callbacks.
 *
 * An operation (&struct uring_op) is the caller's storage, filled by
 * one of the uring_prep_*() functions and owned by the ring from
 * uring_queue() or uring_post() until its callback ran. Reads and writes
 * move a &struct pool_buf's chunks, one SQE per chunk, as fixed buffers
 * (READ_FIXED/WRITE_FIXED on the pool the ring registered): the
 * callback comes once all chunks are done, with 0 or the first error as
 * -errno. A short transfer is continued for the rest, and one that
 * makes no progress (end of file) is -EIO: never a success.
 */

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

struct uring;
struct uring_op;
struct io_uring_sqe;

/**
 * typedef uring_done_fn - an operation finished
 * @op: the operation; the caller's again (may be reused from here)
 * @res: 0, or the first error as a negative errno (-EIO for a transfer
 *       that stopped short)
 * @arg: the pointer given to uring_prep_*()
 *
 * Runs on the ring's owner thread, inside uring_reap(). It may queue new
 * operations on the same ring (uring_queue()), but must not call
 * uring_reap(), uring_wait() or uring_free().
 */
typedef void (*uring_done_fn)(struct uring_op *op, int res, void *arg);

/* One SQE's worth of an operation (a chunk of a read or write). */
struct uring_piece {
	struct uring_piece *next;	/* on the ring's list of SQEs to make */
	uint32_t done;			/* bytes already moved */
	uint8_t idx;			/* which piece of its operation */
	uint8_t tries;			/* -EAGAIN/-EINTR retries so far */
};

/**
 * struct uring_op - one backend operation, in the caller's storage
 *
 * Filled by uring_prep_*(); no field is for the caller to read or
 * write. About 300 bytes: it fits a command's private space
 * (&srpt_target_opts.io_priv_size), so nothing is allocated per I/O.
 */
struct uring_op {
	uring_done_fn done;
	void *arg;
	const struct pool_buf *buf;
	uint64_t off;
	uint64_t len;
	int fd;
	int err;
	int flags;			/* rw_flags or fallocate mode */
	uint8_t opcode;			/* IORING_OP_* */
	uint8_t npieces;
	uint8_t left;			/* pieces not finished */
	struct uring_op *next;		/* on the cross-thread queue */
	struct uring_piece piece[POOL_MAX_CHUNKS];
};

/* uring_prep_write() flag: RWF_DSYNC on every SQE, for SCSI FUA. */
#define URING_FUA 1u

/**
 * uring_new() - create a ring and register @pool's mapping with it
 * @entries: submission queue size (rounded up to a power of two; the
 *           completion queue is twice that)
 * @pool: the buffer pool whose chunks reads and writes use
 * @ret: where the ring is stored
 *
 * Registers the mapping as fixed buffers (one iovec, or one per GiB
 * beyond 1 GiB, io_uring's limit per buffer) and an eventfd for
 * completions, and makes the wake eventfd.
 *
 * Return: 0, -EINVAL, -ENOMEM, or what io_uring_queue_init() or the
 * registrations return (-ENOSYS: no io_uring; -ENOMEM may also mean the
 * locked-memory limit, RLIMIT_MEMLOCK, is below the pool's size).
 * Context: any thread; the ring's owner is whichever thread then uses
 * it (one at a time).
 */
int uring_new(unsigned int entries, struct pool *pool, struct uring **ret);

/**
 * uring_free() - tear a ring down
 * @r: ring, or NULL
 *
 * Call when uring_busy() is 0: the callbacks of operations still in the
 * kernel would never run (the kernel finishes or cancels them, and the
 * pool's pages stay pinned until it has).
 *
 * Context: the owner, or any thread once the owner stopped.
 */
void uring_free(struct uring *r);

/**
 * uring_event_fd() - descriptor readable when completions are ready
 * @r: ring
 *
 * The owner reads it (to clear it; non-blocking) when it is readable,
 * then calls uring_reap().
 *
 * Return: the eventfd. Context: any thread.
 */
int uring_event_fd(const struct uring *r);

/**
 * uring_wake_fd() - descriptor readable when uring_post() queued work
 * @r: ring
 *
 * The owner reads it (to clear it; non-blocking) when it is readable,
 * then calls uring_drain(): in that order, so that no post is missed.
 *
 * Return: the eventfd. Context: any thread.
 */
int uring_wake_fd(const struct uring *r);

/**
 * uring_prep_read() - describe a read of @buf's length at @off into @buf
 * @op: operation storage
 * @fd: file or block device
 * @off: byte offset of the first chunk; chunk i is at @off + i * 64 KiB
 * @buf: chunks from the ring's pool, with their data length
 * @done: completion callback
 * @arg: handed to @done
 *
 * Context: any thread.
 */
void uring_prep_read(struct uring_op *op, int fd, uint64_t off,
		     const struct pool_buf *buf, uring_done_fn done, void *arg);

/**
 * uring_prep_write() - describe a write of @buf to @off
 * @op: operation storage
 * @fd: file or block device
 * @off: byte offset of the first chunk
 * @buf: chunks from the ring's pool, with their data length
 * @flags: 0 or %URING_FUA (the data is durable when @done runs)
 * @done: completion callback
 * @arg: handed to @done
 *
 * Context: any thread.
 */
void uring_prep_write(struct uring_op *op, int fd, uint64_t off,
		      const struct pool_buf *buf, unsigned int flags,
		      uring_done_fn done, void *arg);

/**
 * uring_prep_sync() - describe an fdatasync of @fd
 * @op: operation storage
 * @fd: file or block device
 * @done: completion callback
 * @arg: handed to @done
 *
 * Writes whose callbacks ran before the operation was queued are
 * durable once its callback runs (io_uring does not order operations:
 * the caller waits for the writes it wants covered).
 *
 * Context: any thread.
 */
void uring_prep_sync(struct uring_op *op, int fd, uring_done_fn done,
		     void *arg);

/**
 * uring_prep_punch() - describe deallocating a range that then reads zeros
 * @op: operation storage
 * @fd: file or block device, opened for writing
 * @off: byte offset
 * @len: bytes (a block device wants both aligned to its logical block)
 * @done: completion callback
 * @arg: handed to @done
 *
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE). On a file: a
 * hole. On a block device (Linux 6.1): a WRITE ZEROES that may unmap,
 * without falling back to writing zero pages, so -EOPNOTSUPP where the
 * device cannot (brd, and devices that can only discard; see
 * backing_open()'s &backing.can_punch).
 *
 * Context: any thread.
 */
void uring_prep_punch(struct uring_op *op, int fd, uint64_t off, uint64_t len,
		      uring_done_fn done, void *arg);

/**
 * uring_prep_zero() - describe zeroing a range, allocated
 * @op: operation storage
 * @fd: file or block device, opened for writing
 * @off: byte offset
 * @len: bytes
 * @done: completion callback
 * @arg: handed to @done
 *
 * fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE): for WRITE SAME
 * of zeros. A block device zeroes by WRITE ZEROES or, failing that, by
 * writing zero pages; a file system may not support it (tmpfs:
 * -EOPNOTSUPP; see &backing.can_zero).
 *
 * Context: any thread.
 */
void uring_prep_zero(struct uring_op *op, int fd, uint64_t off, uint64_t len,
		     uring_done_fn done, void *arg);

/**
 * uring_queue() - start an operation on the caller's own ring
 * @r: ring
 * @op: a prepared operation
 *
 * Its SQEs are made now (as many as the rings have room for; the rest
 * as room comes) and reach the kernel at the next uring_submit(). Never
 * drops an operation and never blocks.
 *
 * Return: 0 (@op's callback will run), or -EINVAL when @op reads or
 * writes chunks of another pool than @r's (the callback will not run).
 * Context: the owner of @r only.
 */
int uring_queue(struct uring *r, struct uring_op *op);

/**
 * uring_post() - start an operation on a ring another thread owns
 * @r: ring
 * @op: a prepared operation
 *
 * Puts @op on @r's locked queue and wakes the owner (uring_wake_fd()),
 * which starts it in its next uring_drain(); @op's callback runs on the
 * owner.
 *
 * Return: 0, or -EINVAL as uring_queue().
 * Context: any thread.
 */
int uring_post(struct uring *r, struct uring_op *op);

/**
 * uring_drain() - start what other threads posted
 * @r: ring
 *
 * Return: the number of operations taken over. Context: the owner only.
 */
unsigned int uring_drain(struct uring *r);

/**
 * uring_submit() - hand the queued SQEs to the kernel
 * @r: ring
 *
 * One io_uring_submit() for everything queued since the last call (an
 * interrupted submission is repeated). When the kernel cannot take them
 * now (-EAGAIN, -EBUSY), they stay queued for the next call.
 *
 * Return: 0, or a negative errno the kernel returned for the ring
 * itself (not for an operation: those go to callbacks).
 * Context: the owner only.
 */
int uring_submit(struct uring *r);

/**
 * uring_reap() - process every completion that is ready
 * @r: ring
 *
 * Runs the callbacks of the operations whose last piece completed,
 * continues short transfers, and turns waiting operations into SQEs as
 * room frees up (submitted at the next uring_submit()).
 *
 * Return: the number of completions (CQEs) processed.
 * Context: the owner only; not from inside a callback.
 */
unsigned int uring_reap(struct uring *r);

/**
 * uring_busy() - operations started on @r whose callback has not run
 * @r: ring
 *
 * Counts the operations queued (not those still on the cross-thread
 * queue), whether in the kernel or waiting for room.
 *
 * Return: the number. Context: the owner only.
 */
unsigned int uring_busy(const struct uring *r);

/**
 * uring_stalled() - whether queued work waits for something other than
 *                   a completion
 * @r: ring
 *
 * True when SQEs wait to be made or submitted while nothing is in the
 * kernel (the kernel refused a submission for now): no completion will
 * wake the owner, so it should call uring_submit() again soon rather
 * than sleep.
 *
 * Return: true or false. Context: the owner only.
 */
bool uring_stalled(const struct uring *r);

/**
 * uring_wait() - submit, and sleep until a completion is ready
 * @r: ring
 *
 * For owners without an event loop (tests, shutdown). Returns at once
 * when nothing is in the kernel.
 *
 * Return: 0, or a negative errno from the kernel.
 * Context: the owner only.
 */
int uring_wait(struct uring *r);

/**
 * uring_peek_sqe() - an SQE made but not yet submitted
 * @r: ring
 * @i: 0 for the oldest
 *
 * For tests and debugging: what the kernel will be asked to do.
 *
 * Return: the SQE, or NULL when fewer than @i + 1 wait.
 * Context: the owner only.
 */
const struct io_uring_sqe *uring_peek_sqe(const struct uring *r,
					  unsigned int i);

#endif
