/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include "core/core.h"

#define COPY(f) atomic_store(&out->f, atomic_load(&t->stats.f))

void srpt_stats_read(struct srpt_target *t, struct srpt_stats *out)
{
	COPY(post_chain_calls);
	COPY(post_recv_calls);
	COPY(signaled_wrs);
	COPY(io_allocs);
	COPY(cmds);
	COPY(tmfs);
	COPY(rsp_sent);
	COPY(credit_overruns);
	COPY(bad_ius);
	COPY(late_completions);
	COPY(logins);
	COPY(login_rejects);
	COPY(drain_timeouts);
	COPY(rx_early);
	COPY(rx_late);
	COPY(rsp_waits);
	COPY(io_starved);
	COPY(table_busy);
	COPY(log_suppressed);
	COPY(cred_reqs);
}

#define EACH_COUNTER(X)							\
	X(cmds) X(cmds_in) X(cmds_out) X(bytes_in) X(bytes_out) X(rsps)	\
	X(aborted) X(bad_ius) X(credit_overruns) X(busy)		\
	X(transfer_errors) X(cred_reqs) X(aer_reqs)

/* @dst += @src, counter by counter. */
void srpt_counters_add(struct srpt_io_counters *dst,
		       struct srpt_io_counters *src)
{
#define ADD(f) atomic_fetch_add(&dst->f, atomic_load(&src->f));
	EACH_COUNTER(ADD)
#undef ADD
	for (int i = 0; i < SRPT_STATS_TMF; i++)
		atomic_fetch_add(&dst->tmf[i], atomic_load(&src->tmf[i]));
}

/* @out (the public struct, all of it the library knows) += @c. */
void srpt_counters_read(struct srpt_io_counters *c, struct srpt_io_stats *out)
{
#define READ(f) out->f += atomic_load(&c->f);
	EACH_COUNTER(READ)
#undef READ
	for (int i = 0; i < SRPT_STATS_TMF; i++)
		out->tmf[i] += atomic_load(&c->tmf[i]);
}
