/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "reactor.h"
#include "uring.h"

/* How long a stalled ring (the kernel refused SQEs for now, nothing in
 * flight to wake the thread) waits before it submits again. */
#define STALL_MS 1

struct reactor {
	struct reactor_opts o;
	pthread_t thread;
	int wakefd;		/* reactor_wake(), reactor_stop() */
	atomic_bool stopping;
	int err;		/* the ring's first error; the thread's */
};

/* Which reactor the calling thread runs, if any. */
static _Thread_local const struct reactor *current;

/* Empties an eventfd that poll(2) found readable. */
static void clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;		/* EAGAIN: someone was quicker; fine */
}

static void note(struct reactor *r, int err)
{
	if (err < 0 && !r->err)
		r->err = err;
}

/* Sleeps until one of the descriptors is readable or @ms passed, and
 * clears the eventfds that woke it (before the next round looks at
 * what they announce, so that nothing announced later is missed). */
static void sleep_round(struct reactor *r, int ms)
{
	struct uring *ring = r->o.ring;
	struct pollfd fds[4] = {
		{ .fd = uring_event_fd(ring), .events = POLLIN },
		{ .fd = uring_wake_fd(ring), .events = POLLIN },
		{ .fd = r->wakefd, .events = POLLIN },
		{ .fd = r->o.poll_fd, .events = POLLIN },
	};
	nfds_t n = r->o.poll_fd >= 0 ? 4 : 3;

	if (poll(fds, n, ms) <= 0)
		return;		/* timeout, or EINTR: a round anyway */
	for (nfds_t i = 0; i < 3; i++)
		if (fds[i].revents & POLLIN)
			clear(fds[i].fd);
}

/* One round; the work it did. */
static unsigned long round_once(struct reactor *r)
{
	struct uring *ring = r->o.ring;
	unsigned long work = uring_drain(ring);

	note(r, uring_submit(ring));
	work += uring_reap(ring);
	if (r->o.poll) {
		int n = r->o.poll(r->o.poll_arg);

		if (n > 0)
			work += (unsigned long)n;
	}
	/* What the callbacks and the hook queued goes out now. */
	note(r, uring_submit(ring));
	return work;
}

static void *run(void *arg)
{
	struct reactor *r = arg;
	struct uring *ring = r->o.ring;

	current = r;
	for (;;) {
		/* Read before the round: a stop that comes during it is
		 * seen by the next one, which then finds its work. */
		bool stopping = atomic_load(&r->stopping);
		unsigned long work = round_once(r);

		if (work)
			continue;
		if (uring_stalled(ring) || r->err) {
			sleep_round(r, STALL_MS);
			continue;
		}
		/* Idle, and the posts made before the stop were drained
		 * (the round after the one that saw the flag). */
		if (stopping && !uring_busy(ring))
			break;
		sleep_round(r, (int)r->o.idle_ms);
	}
	current = NULL;
	return NULL;
}

int reactor_start(const struct reactor_opts *opts, struct reactor **ret)
{
	struct reactor *r;
	int err;

	*ret = NULL;
	if (!opts || !opts->ring)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->o = *opts;
	if (!r->o.poll)
		r->o.poll_fd = -1;
	if (!r->o.idle_ms)
		r->o.idle_ms = r->o.poll_fd >= 0 ? 100 : 1;
	atomic_init(&r->stopping, false);
	r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->wakefd < 0) {
		err = -errno;
		free(r);
		return err;
	}
	err = pthread_create(&r->thread, NULL, run, r);
	if (err) {
		close(r->wakefd);
		free(r);
		return -err;
	}
	if (opts->name)
		pthread_setname_np(r->thread, opts->name);	/* cosmetic */
	*ret = r;
	return 0;
}

void reactor_wake(struct reactor *r)
{
	uint64_t one = 1;

	/* EAGAIN only when the counter is full: a wake-up is pending. */
	if (write(r->wakefd, &one, sizeof(one)) < 0)
		return;
}

int reactor_stop(struct reactor *r)
{
	int err;

	if (!r)
		return 0;
	atomic_store(&r->stopping, true);
	reactor_wake(r);
	pthread_join(r->thread, NULL);
	err = r->err;
	close(r->wakefd);
	free(r);
	return err;
}

int reactor_submit(struct reactor *r, struct uring_op *op)
{
	if (current == r)
		return uring_queue(r->o.ring, op);
	return uring_post(r->o.ring, op);
}

bool reactor_on_thread(const struct reactor *r)
{
	return current == r;
}

struct uring *reactor_ring(const struct reactor *r)
{
	return r->o.ring;
}
