/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_EXAMPLES_SHOW_H
#define SRPT_EXAMPLES_SHOW_H
/*
 * What an example target prints for its operator, on stderr: the
 * library's log lines with a timestamp (a priority under systemd), who
 * is connected and what moved (SIGUSR1), and why listening failed. Every
 * function may be called from any thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct srpt_target;

/*
 * srpt_target_opts.log: "[SECONDS.MS] message"; under systemd, when
 * stderr is the journal's stream (show_to_journal()), "<LEVEL>message"
 * instead, the journal's priority prefix, and no timestamp of our own.
 */
void show_log(int level, const char *msg, void *userdata);

/* True when stderr is the stream $JOURNAL_STREAM names (decided once). */
bool show_to_journal(void);

/* An SRP port id as 32 hex digits. */
void show_port_id(const uint8_t id[16], char out[33]);

/* An address as text ("?" when it cannot be shown). */
void show_addr(const struct sockaddr_storage *ss, char *out, size_t n);

/*
 * One line per channel (state, initiator, device, port, QP, credits,
 * counters), then "PROG: target: ..." with the target's totals, followed
 * by @extra (the program's own counters, "" for none) before the end of
 * the line.
 */
void show_counters(struct srpt_target *t, const char *prog, const char *extra);

struct srpt_channel;
struct srpt_tmf_info;

/* "PROG: channel N: FUNC (tag T, task T) for LUN L". */
void show_tmf(const char *prog, struct srpt_channel *ch,
	      const struct srpt_tmf_info *tmf, int lun);

/* srpt_target_listen()'s error in words. */
const char *show_listen_error(int r);

#endif
