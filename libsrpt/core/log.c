/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

/* Peer-caused lines: at most this many per window, per target. */
#define PEER_BURST 20
#define PEER_WINDOW_MS 5000

__attribute__((format(printf, 3, 0)))
static void emit(struct srpt_target *t, int level, const char *fmt,
		 va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	t->opts.log(level, line, t->opts.log_userdata);
}

/* The library never prints: every line goes to the application's hook. */
void srpt_log(struct srpt_target *t, int level, const char *fmt, ...)
{
	va_list ap;

	if (!t || !t->opts.log || level > atomic_load(&t->log_level))
		return;
	va_start(ap, fmt);
	emit(t, level, fmt, ap);
	va_end(ap);
}

void srpt_tp_log(struct srpt_tp_target *tpt, int level, const char *fmt, ...)
{
	struct srpt_target *t = srpt_target_of(tpt);
	va_list ap;

	if (!t->opts.log || level > atomic_load(&t->log_level))
		return;
	va_start(ap, fmt);
	emit(t, level, fmt, ap);
	va_end(ap);
}

/*
 * A remote peer can send bad IUs, task management requests and logins
 * at line rate: the lines they cause are limited to PEER_BURST per
 * PEER_WINDOW_MS, and the first line of a later window says how many
 * were left out, so the log stays readable and the hook is not a lever
 * against the host. Lifecycle and device lines go through srpt_log().
 */
void srpt_log_peer(struct srpt_target *t, int level, const char *fmt, ...)
{
	struct srpt_log_limit *l;
	unsigned long dropped = 0;
	uint64_t now;
	bool show;
	va_list ap;

	if (!t || !t->opts.log || level > atomic_load(&t->log_level))
		return;
	l = &t->log_limit;
	now = t->tp_ops && t->tp_ops->now_ms ? t->tp_ops->now_ms(&t->tp) : 0;
	pthread_mutex_lock(&l->lock);
	if (!l->count || now - l->window_start >= PEER_WINDOW_MS) {
		l->window_start = now;
		l->count = 0;
		dropped = l->suppressed;
		l->suppressed = 0;
	}
	show = l->count < PEER_BURST;
	if (show)
		l->count++;
	else
		l->suppressed++;
	pthread_mutex_unlock(&l->lock);
	if (dropped)
		srpt_log(t, SRPT_LOG_WARNING,
			 "%lu log messages caused by initiators suppressed",
			 dropped);
	if (!show) {
		atomic_fetch_add(&t->stats.log_suppressed, 1);
		return;
	}
	va_start(ap, fmt);
	emit(t, level, fmt, ap);
	va_end(ap);
}
