/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Active/passive through the RBD image's exclusive lock (failover.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "backing-rbd.h"
#include "failover.h"

#define PROG "srpt-blockdev"

/**
 * now_ms() - CLOCK_MONOTONIC in milliseconds
 * @void: nothing
 *
 * Return: the time. Context: any thread.
 */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/**
 * nap() - sleep @ms, or until failover_stop()
 * @f: the failover
 * @ms: how long
 *
 * Return: true to go on, false once stopped. Context: @f's thread.
 */
static bool nap(struct failover *f, unsigned int ms)
{
	struct timespec until;
	bool go;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000u;
	until.tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->stop &&
	       pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
		;
	go = !f->stop;
	pthread_mutex_unlock(&f->lock);
	return go;
}

/**
 * set_state() - change the port group's state, and say why
 * @f: the failover
 * @st: the new state
 * @why: the reason, for the log
 *
 * A change raises ASYMMETRIC ACCESS STATE CHANGED on every nexus
 * (scsi_target_set_alua_state()); the state it is in changes nothing.
 * Context: @f's thread.
 */
static void set_state(struct failover *f, enum scsi_alua_state st,
		      const char *why)
{
	if (scsi_target_get_alua_state(f->desc) == st)
		return;
	scsi_target_set_alua_state(f->desc, st);
	fprintf(stderr, PROG ": ALUA port group %u: %s: %s\n", f->desc->tpg_id,
		st == SCSI_ALUA_ACTIVE_OPTIMIZED ? "active/optimized" :
		st == SCSI_ALUA_STANDBY ? "standby" :
		st == SCSI_ALUA_TRANSITIONING ? "transitioning" : "unavailable",
		why);
}

/**
 * own() - the owner's part: the heartbeat, until stopped or blocklisted
 * @f: the failover, its process owning the lock
 *
 * The beat names this process and counts, so that every write changes
 * it.
 *
 * Return: false once the image was taken from this process, true when
 * stopped. Context: @f's thread; it blocks (network).
 */
static bool own(struct failover *f)
{
	char beat[64];
	uint64_t n = 0;
	int e, len;

	uint64_t ok = now_ms();

	for (;;) {
		/* Frozen (SIGSTOP, a stalled host) past the stale time: a
		 * standby may have taken over. Say transitioning until the
		 * next beat tells (Ceph refuses the writes of a deposed
		 * owner either way). */
		if (now_ms() - ok >= f->stale_ms)
			set_state(f, SCSI_ALUA_TRANSITIONING,
				  "no heartbeat written for the stale time");
		len = snprintf(beat, sizeof(beat), "%ld %" PRIu64,
			       (long)getpid(), ++n);
		e = backing_rbd_beat_write(f->b, beat, (size_t)len);
		if (!e) {
			ok = now_ms();
			set_state(f, SCSI_ALUA_ACTIVE_OPTIMIZED,
				  "this process owns the image's lock");
		}
		if (e == -ESHUTDOWN) {
			set_state(f, SCSI_ALUA_UNAVAILABLE,
				  "this process was blocklisted: another took the image's lock over");
			return false;
		}
		if (e < 0)
			fprintf(stderr, PROG ": heartbeat of the image: %s\n",
				strerror(-e));
		if (!nap(f, FAILOVER_BEAT_MS))
			return true;
	}
}

/**
 * take_over() - take the lock from a silent owner
 * @f: the failover
 * @owner: the owner backing_rbd_lock_owner() named
 * @quiet: how long its heartbeat stood still, in ms (for the log)
 *
 * Return: 0 when this process owns the lock now, else a negative errno
 * (-EROFS: another standby took it first). Context: @f's thread; it
 * blocks (network).
 */
static int take_over(struct failover *f, const char *owner, uint64_t quiet)
{
	int e;

	set_state(f, SCSI_ALUA_TRANSITIONING, "the owner of the image's lock is silent");
	fprintf(stderr, PROG ": no heartbeat from the lock owner '%s' for %" PRIu64 " ms: breaking its lock (it is blocklisted)\n",
		owner, quiet);
	e = backing_rbd_lock_break(f->b, owner);
	if (e < 0 && e != -ENOENT) {
		fprintf(stderr, PROG ": breaking the image's lock: %s\n",
			strerror(-e));
		return e;
	}
	e = backing_rbd_lock_acquire(f->b);
	if (e < 0)
		return e;
	atomic_fetch_add(&f->takeovers, 1);
	return 0;
}

/**
 * watch() - the standby's part: follow the owner, take over a silent one
 * @f: the failover
 *
 * Return: true once this process owns the lock, false when stopped.
 * Context: @f's thread; it blocks (network).
 */
static bool watch(struct failover *f)
{
	char owner[BACKING_RBD_OWNER_MAX], seen[BACKING_RBD_OWNER_MAX + 64];
	char last[sizeof(seen)] = "";
	uint64_t changed = now_ms();
	int e, n;

	for (;;) {
		/* A command that was under way on the connection before a
		 * rejoin may have ended unavailable since (cmd.c): a
		 * standby says standby. */
		set_state(f, SCSI_ALUA_STANDBY, "the image's lock is another process's");
		e = backing_rbd_lock_owner(f->b, owner, sizeof(owner));
		if (e == 0) {
			/* Nobody owns it: try, as any other standby does;
			 * librbd lets one win. */
			if (!backing_rbd_lock_acquire(f->b))
				return true;
			changed = now_ms();
		} else if (e > 0) {
			n = snprintf(seen, sizeof(seen), "%s|", owner);
			e = backing_rbd_beat_read(f->b, seen + n,
						  sizeof(seen) - (size_t)n - 1);
			seen[n + (e > 0 ? e : 0)] = '\0';
			if (strcmp(seen, last)) {
				memcpy(last, seen, sizeof(last));
				changed = now_ms();
			} else if (now_ms() - changed >= f->stale_ms) {
				if (!take_over(f, owner, now_ms() - changed))
					return true;
				/* Another standby won, or the cluster is
				 * unreachable: watch again, from now. */
				set_state(f, SCSI_ALUA_STANDBY,
					  "the image's lock is another process's");
				last[0] = '\0';
				changed = now_ms();
			}
		} else {
			fprintf(stderr, PROG ": reading the image's lock owner: %s\n",
				strerror(-e));
		}
		if (!nap(f, FAILOVER_POLL_MS))
			return false;
	}
}

/**
 * rejoin() - a deposed owner comes back as a standby
 * @f: the failover, its process blocklisted
 *
 * The blocklist holds the old client's address for good, so the
 * process connects again as a new client (backing_rbd_reopen()); it
 * stays unavailable, and tries again every FAILOVER_REJOIN_MS, until
 * that works.
 *
 * Return: true once standby again, false when stopped.
 * Context: @f's thread; it blocks (network).
 */
static bool rejoin(struct failover *f)
{
	for (;;) {
		int e = backing_rbd_reopen(f->b);

		if (!e) {
			set_state(f, SCSI_ALUA_STANDBY,
				  "connected again as a new client after the blocklist");
			return true;
		}
		fprintf(stderr, PROG ": connecting again after the blocklist: %s (%s); again in %u s\n",
			f->b->why, strerror(-e), FAILOVER_REJOIN_MS / 1000);
		if (!nap(f, FAILOVER_REJOIN_MS))
			return false;
	}
}

/**
 * run() - the thread: standby until owner, owner until deposed, and
 *         standby again, until the end
 * @arg: the failover
 *
 * Return: NULL. Context: @f's thread.
 */
static void *run(void *arg)
{
	struct failover *f = arg;

	while (watch(f)) {
		set_state(f, SCSI_ALUA_ACTIVE_OPTIMIZED, "this process owns the image's lock");
		if (own(f) || !rejoin(f))
			break;
	}
	return NULL;
}

int failover_start(struct failover *f, struct backing *b,
		   struct scsi_target_desc *desc, unsigned int stale_ms)
{
	int e;

	if (!stale_ms)
		stale_ms = FAILOVER_STALE_MS_DEFAULT;
	if (!desc->tpg_id || b->read_only || stale_ms < 2 * FAILOVER_BEAT_MS)
		return -EINVAL;
	f->b = b;
	f->desc = desc;
	f->stale_ms = stale_ms;
	f->stop = false;
	atomic_init(&f->takeovers, 0);
	pthread_mutex_init(&f->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&f->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	scsi_target_set_alua_state(desc, SCSI_ALUA_STANDBY);
	e = pthread_create(&f->thread, NULL, run, f);
	if (e) {
		pthread_cond_destroy(&f->cond);
		pthread_mutex_destroy(&f->lock);
		return -e;
	}
	return 0;
}

void failover_stop(struct failover *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}
