/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_STATS_H
#define SRPT_CORE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Counters kept by the core so that tests can guard the hot path without
 * timing anything (post calls, signaled work requests and allocations per
 * I/O) and see every defined answer to a misbehaving initiator.
 */
struct srpt_stats {
	atomic_ulong post_chain_calls;
	atomic_ulong post_recv_calls;
	atomic_ulong signaled_wrs;
	atomic_ulong io_allocs;		/* allocations on the I/O path */
	atomic_ulong cmds;
	atomic_ulong tmfs;
	atomic_ulong rsp_sent;
	atomic_ulong credit_overruns;
	atomic_ulong bad_ius;		/* answered with an error */
	atomic_ulong late_completions;	/* for channels already gone */
	atomic_ulong logins;
	atomic_ulong login_rejects;
	atomic_ulong drain_timeouts;
	atomic_ulong rx_early;		/* receive reposted before its response */
	atomic_ulong rx_late;		/* ... only when its io came back */
	atomic_ulong rsp_waits;		/* responses that waited for a spare io */
	atomic_ulong io_starved;	/* an IU found no free io (a bug) */
	atomic_ulong table_busy;	/* BUSY: the table pool was used up */
	atomic_ulong log_suppressed;	/* peer-caused log lines left out */
	atomic_ulong cred_reqs;		/* SRP_CRED_REQ sent */
};

struct srpt_target;
struct srpt_io_counters;
struct srpt_io_stats;
/* Read one consistent-enough copy (each counter on its own). */
void srpt_stats_read(struct srpt_target *t, struct srpt_stats *out);
void srpt_counters_add(struct srpt_io_counters *dst,
		       struct srpt_io_counters *src);
void srpt_counters_read(struct srpt_io_counters *c, struct srpt_io_stats *out);

#endif
