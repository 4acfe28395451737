/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_STATS_H
#define SRPT_CORE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Counters kept by the core so that tests can guard the hot path without
 * timing anything (post calls, signaled work requests and allocations per
 * I/O) and see every defined answer to a misbehaving initiator. The
 * per-I/O ones (cmds, rsp_sent, post_chain_calls, signaled_wrs,
 * post_recv_calls, rx_early, rx_late) are mostly counted by the ios
 * themselves (struct srpt_io_tally below) and summed by
 * srpt_stats_read(); here only what no io counts (the initial receive
 * ring, shared receive buffers no channel took, fences).
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

/*
 * The counters every I/O moves, kept in its io context rather than in
 * the channel or the target: an io is handled by one thread at a time
 * (whoever holds it: the receive completion, the application, the
 * completion of its chain; each hands it on with an atomic or a lock),
 * so its holder counts with a relaxed load and store, no locked
 * read-modify-write and no cache line that other threads write. Readers
 * sum the ios of a channel (relaxed loads, each counter on its own); an
 * unregistered channel's sums move to the target's (srpt_tally_fold()).
 * The first six are struct srpt_io_stats' fields of the same names, the
 * rest struct srpt_stats'.
 */
#define SRPT_TALLY_PUBLIC(X)						\
	X(cmds) X(cmds_in) X(cmds_out) X(bytes_in) X(bytes_out) X(rsps)
#define SRPT_TALLY_ALL(X)						\
	SRPT_TALLY_PUBLIC(X)						\
	X(post_chain_calls) X(signaled_wrs) X(post_recv_calls)		\
	X(rx_early) X(rx_late)

struct srpt_io_tally {
#define SRPT_TALLY_FIELD(f) atomic_ullong f;
	SRPT_TALLY_ALL(SRPT_TALLY_FIELD)
#undef SRPT_TALLY_FIELD
};

/* A sum of tallies, read. */
struct srpt_tally_sum {
#define SRPT_TALLY_FIELD(f) uint64_t f;
	SRPT_TALLY_ALL(SRPT_TALLY_FIELD)
#undef SRPT_TALLY_FIELD
};

/* @c += @n, by the one thread that may write @c now (see above). */
static inline void srpt_tally(atomic_ullong *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
			      + n, memory_order_relaxed);
}

struct srpt_target;
struct srpt_channel;
struct srpt_io_counters;
struct srpt_io_stats;
/* Read one consistent-enough copy (each counter on its own): what the
 * target counted, plus what the ios of its channels, live and gone,
 * counted (struct srpt_io_tally). Takes t->lock. */
void srpt_stats_read(struct srpt_target *t, struct srpt_stats *out);
void srpt_counters_add(struct srpt_io_counters *dst,
		       struct srpt_io_counters *src);
void srpt_counters_read(struct srpt_io_counters *c, struct srpt_io_stats *out);
/* @out += what @ch's ios counted (nothing before its rings exist). */
void srpt_tally_sum_ch(struct srpt_channel *ch, struct srpt_tally_sum *out);
/* @out += what the ios of @t's unregistered channels counted (under
 * t->lock). */
void srpt_tally_sum_gone(struct srpt_target *t, struct srpt_tally_sum *out);
/* @out += @s's public counters. */
void srpt_tally_read(const struct srpt_tally_sum *s, struct srpt_io_stats *out);
/* @ch is unregistered: what its ios counted goes to the target's
 * (under t->lock, in the step that takes @ch off the list). */
void srpt_tally_fold(struct srpt_target *t, struct srpt_channel *ch);

#endif
