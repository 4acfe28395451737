/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_REACTOR_H
#define SRPT_BLOCKDEV_REACTOR_H

/*
 * A poller thread of srpt-blockdev: it owns one ring (uring.h) and runs
 * a loop that starts what other threads posted, submits, reaps
 * completions (running each operation's callback on this thread) and
 * calls a poll hook, every round. srpt-blockdev's hook is libsrpt's
 * srpt_target_poll() for the poller of the same number (libsrpt's
 * %SRPT_TARGET_APP_POLL), so a command's callbacks, its backend I/O and
 * the I/O's completion all run on one thread, and the ring needs no
 * lock.
 *
 * When a round did nothing, the thread sleeps in poll(2) until the
 * ring's completion eventfd, its cross-thread eventfd, the hook's
 * descriptor (srpt_target_poll_fd()) or the reactor's own wake-up
 * eventfd is readable, or at most &reactor_opts.idle_ms.
 */

#include <stdbool.h>

struct reactor;
struct uring;
struct uring_op;

/**
 * typedef reactor_poll_fn - the poll hook, once per round
 * @arg: &reactor_opts.poll_arg
 *
 * Runs on the reactor thread, outside any ring callback; it may queue
 * operations on the ring (reactor_submit()).
 *
 * Return: how much work it did (completions processed, say): 0 when it
 * found nothing, which lets the thread sleep; a negative value counts as
 * 0.
 */
typedef int (*reactor_poll_fn)(void *arg);

/**
 * struct reactor_opts - what a reactor runs
 * @ring: the ring the thread owns from reactor_start() until
 *        reactor_stop() returned; the caller still frees it
 * @poll: the hook, or NULL
 * @poll_arg: handed to @poll
 * @poll_fd: -1, or a descriptor readable when @poll has work; the
 *           reactor only polls it, never reads it
 * @idle_ms: the longest sleep of an idle round, so that @poll runs at
 *           least that often; 0 for the default: 1 ms without @poll_fd
 *           (the hook has no other way to wake the thread), 100 ms with
 * @name: the thread's name (15 bytes at most are kept), or NULL
 */
struct reactor_opts {
	struct uring *ring;
	reactor_poll_fn poll;
	void *poll_arg;
	int poll_fd;
	unsigned int idle_ms;
	const char *name;
};

/**
 * reactor_start() - start a poller thread
 * @opts: what it runs (copied)
 * @ret: where the reactor is stored
 *
 * Return: 0, -EINVAL (no ring), -ENOMEM, -EMFILE/-ENFILE (no eventfd),
 * or what pthread_create() returns as a negative errno (-EAGAIN).
 * Context: any thread but a reactor's.
 */
int reactor_start(const struct reactor_opts *opts, struct reactor **ret);

/**
 * reactor_stop() - stop a poller thread once its work is done, free it
 * @r: reactor, or NULL
 *
 * Wakes the thread, which goes on with its rounds (operations, their
 * callbacks and what those queue, the hook) until one finds the
 * cross-thread queue empty, no operation started on the ring without
 * its callback having run, and the hook idle; then it ends and @r is
 * freed. No operation started or posted before the call is lost. Stop
 * the hook's source first (srpt_target_shutdown()), so that it goes
 * idle; no post may start once reactor_stop() was called.
 *
 * Return: 0, or the first error the ring itself reported
 * (uring_submit(); the loop went on after it).
 * Context: any thread but @r's own; it blocks until the thread ended.
 */
int reactor_stop(struct reactor *r);

/**
 * reactor_submit() - start an operation on the reactor's ring
 * @r: reactor
 * @op: a prepared operation (uring_prep_*())
 *
 * On the reactor thread (in a ring or hook callback) the operation is
 * queued at once (uring_queue()); from any other thread it is posted
 * (uring_post()) and started in the thread's next round. Either way its
 * callback runs on the reactor thread.
 *
 * Return: 0, or -EINVAL for an operation on another pool's chunks (its
 * callback will not run).
 * Context: any thread.
 */
int reactor_submit(struct reactor *r, struct uring_op *op);

/**
 * reactor_wake() - make the thread run a round now
 * @r: reactor
 *
 * For a hook without a descriptor that was given work by another
 * thread. Cheap when the thread is awake anyway.
 *
 * Context: any thread.
 */
void reactor_wake(struct reactor *r);

/**
 * reactor_on_thread() - whether the caller is @r's thread
 * @r: reactor
 *
 * Return: true or false. Context: any thread.
 */
bool reactor_on_thread(const struct reactor *r);

/**
 * reactor_ring() - the ring @r owns
 * @r: reactor
 *
 * Only the reactor thread may use it as owner (uring.h).
 *
 * Return: the ring. Context: any thread.
 */
struct uring *reactor_ring(const struct reactor *r);

#endif
