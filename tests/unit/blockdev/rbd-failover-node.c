/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * One srpt-blockdev process's failover part (examples/srpt-blockdev/
 * failover.c) without the target: rbd-test.sh runs several of these on
 * one image and kills, stops and resumes them.
 *
 * usage: rbd-failover-node rbd:POOL/IMAGE GROUP STALE_MS
 *
 * Prints, with wall clock milliseconds (the script reads the same clock
 * with date), each ALUA state it enters ("T state NAME"), and while it
 * reports active/optimized writes a 4 KiB block at GROUP * 4 KiB every
 * 50 ms as the data path would, printing the first success of each
 * active spell ("T write ok") and every failure ("T write ERRNO"). On SIGUSR1 it writes the block
 * whatever its state, as a deposed owner's late write would, and prints
 * "T late-write 0|ERRNO". Ends on SIGTERM.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "backing-rbd.h"
#include "failover.h"
#include "pool.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ended, result;

static void done(struct backing_rbd_op *op, int res, void *arg)
{
	(void)op, (void)arg;
	pthread_mutex_lock(&lock);
	ended = 1;
	result = res;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *name(enum scsi_alua_state st)
{
	switch (st) {
	case SCSI_ALUA_ACTIVE_OPTIMIZED: return "active";
	case SCSI_ALUA_STANDBY: return "standby";
	case SCSI_ALUA_TRANSITIONING: return "transitioning";
	case SCSI_ALUA_UNAVAILABLE: return "unavailable";
	default: return "other";
	}
}

static int write_block(struct backing *b, struct pool_buf *buf, uint64_t off)
{
	struct backing_rbd_op op;
	int r;

	backing_rbd_begin(b, &op, done, NULL);
	backing_rbd_write(&op, off, buf);
	backing_rbd_end(&op);
	pthread_mutex_lock(&lock);
	while (!ended)
		pthread_cond_wait(&cond, &lock);
	ended = 0;
	r = result;
	pthread_mutex_unlock(&lock);
	return r;
}

int main(int argc, char **argv)
{
	struct scsi_target_desc desc = { 0 };
	enum scsi_alua_state st, last = (enum scsi_alua_state)-1;
	struct backing b;
	struct failover f;
	struct pool *pool;
	struct pool_buf buf;
	bool wrote = false;
	sigset_t set;
	int r, sig;

	if (argc != 4) {
		fprintf(stderr, "usage: rbd-failover-node rbd:POOL/IMAGE GROUP STALE_MS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = backing_open(&b, argv[1], NULL);
	if (r) {
		fprintf(stderr, "%s: %s\n", argv[1], b.why);
		return 1;
	}
	if (pool_new(POOL_MAX_BYTES, &pool) || pool_get(pool, 4096, &buf)) {
		fprintf(stderr, "no pool buffer\n");
		return 1;
	}
	memset(buf.chunk[0], argv[2][0], 4096);
	desc.tpg_id = (uint16_t)atoi(argv[2]);
	r = failover_start(&f, &b, &desc, (unsigned int)atoi(argv[3]));
	if (r) {
		fprintf(stderr, "failover_start: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		st = scsi_target_get_alua_state(&desc);
		if (st != last) {
			printf("%" PRIu64 " state %s\n", now_ms(), name(st));
			wrote = false;
		}
		last = st;
		if (st == SCSI_ALUA_ACTIVE_OPTIMIZED) {
			r = write_block(&b, &buf, desc.tpg_id * 4096ull);
			if (r)
				printf("%" PRIu64 " write %d\n", now_ms(), r);
			else if (!wrote)
				printf("%" PRIu64 " write ok\n", now_ms());
			wrote |= !r;
		}
		sig = sigtimedwait(&set, NULL, &(struct timespec){ 0, 50000000 });
		if (sig == SIGTERM)
			break;
		if (sig == SIGUSR1)
			printf("%" PRIu64 " late-write %d\n", now_ms(),
			       write_block(&b, &buf, desc.tpg_id * 4096ull));
	}
	failover_stop(&f);
	pool_put(&buf);
	pool_free(pool);
	backing_close(&b);
	return 0;
}
