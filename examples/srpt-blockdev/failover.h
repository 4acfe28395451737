/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_FAILOVER_H
#define SRPT_BLOCKDEV_FAILOVER_H
/*
 * Active/passive between srpt-blockdev processes that serve one RBD
 * image (--rbd-lock), each its own ALUA target port group, decided by
 * the image's exclusive lock. One thread per process:
 *
 * - The owner of the lock (taken with rbd_lock_acquire(), so it is not
 *   handed over on another client's request) is active/optimized and
 *   rewrites the image's heartbeat object every FAILOVER_BEAT_MS.
 * - Every other process is standby (the SCSI emulation answers its I/O
 *   NOT READY, 02/04/0B, without reaching librbd). It reads the lock's
 *   owner and the heartbeat every FAILOVER_POLL_MS; when neither
 *   changed for the stale time, the owner is taken for dead: the port
 *   group turns transitioning (02/04/0A, which Linux retries), the lock
 *   is broken (Ceph blocklists the old owner first: a late write of it
 *   fails) and taken, and the group turns active/optimized.
 * - An owner whose heartbeat write fails blocklisted (it was frozen or
 *   cut off past the stale time, and another took over) lost the image:
 *   unavailable (02/04/0C) while it connects again as a new client
 *   (backing_rbd_reopen()), then a standby like any other. No write of
 *   its old client lands after the break (Ceph refuses them), and the
 *   new one writes nothing before it owns the lock again.
 *
 * The staleness is measured on the reader's clock, from the last change
 * it saw, so clocks of different hosts need not agree. Every state
 * change raises ASYMMETRIC ACCESS STATE CHANGED on every nexus.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "scsi.h"

struct backing;

#define FAILOVER_BEAT_MS 1000u
#define FAILOVER_POLL_MS 250u
#define FAILOVER_STALE_MS_DEFAULT 3000u
#define FAILOVER_REJOIN_MS 5000u

/**
 * struct failover - one process's side of the image's ownership
 * @b: the RBD backing (LUN 0's)
 * @desc: the target whose port group's state follows the lock
 * @stale_ms: how long an owner's heartbeat may stand still
 * @stop: set by failover_stop()
 * @lock: guards @stop's wait
 * @cond: wakes the thread for @stop
 * @thread: the thread
 * @takeovers: locks this process broke (for the logs and tests)
 */
struct failover {
	struct backing *b;
	struct scsi_target_desc *desc;
	unsigned int stale_ms;
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	atomic_uint takeovers;
};

/**
 * failover_start() - start the ownership thread
 * @f: filled in
 * @b: an RBD backing opened read-write, on an image with the
 *     exclusive-lock feature
 * @desc: a target with ALUA (tpg_id not 0); set standby here, before
 *        any command can run
 * @stale_ms: the stale time (0: FAILOVER_STALE_MS_DEFAULT); at least
 *            twice FAILOVER_BEAT_MS
 *
 * Return: 0; -EINVAL for a target without ALUA, a read-only backing or
 * a stale time below twice the heartbeat period; a negative errno from
 * pthread_create(). Context: any thread.
 */
int failover_start(struct failover *f, struct backing *b,
		   struct scsi_target_desc *desc, unsigned int stale_ms);

/**
 * failover_stop() - end the ownership thread
 * @f: started by failover_start()
 *
 * The lock stays with this process until its cluster connection closes
 * (backing_close()), which releases it.
 * Context: any thread but @f's; waits for at most one poll's network
 * calls.
 */
void failover_stop(struct failover *f);

#endif
