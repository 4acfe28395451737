/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RAMDISK_POLLERS_H
#define SRPT_RAMDISK_POLLERS_H

/*
 * --app-poll: the completion work runs on threads of srpt-ramdisk's own
 * (SRPT_TARGET_APP_POLL), one per poller, each waiting on the poller's
 * descriptor. Started after srpt_target_listen(), stopped after
 * srpt_target_shutdown() and before the last srpt_target_unref().
 */

struct srpt_target;
struct pollers;

/* Returns 0 or a negative errno; *ret is NULL on failure. */
int pollers_start(struct srpt_target *t, unsigned int n, struct pollers **ret);
/* Stops and joins every thread; NULL is fine. */
void pollers_stop(struct pollers *p);

#endif
