/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include "core/core.h"

#define COPY(f) atomic_store(&out->f, atomic_load(&t->stats.f))

void srpt_stats_read(struct srpt_target *t, struct srpt_stats *out)
{
	struct srpt_tally_sum sum = { 0 };
	struct srpt_channel *ch;

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
	/* what the ios counted (stats.h) */
	pthread_mutex_lock(&t->lock);
	srpt_tally_sum_gone(t, &sum);
	cds_list_for_each_entry(ch, &t->channels, t_link)
		srpt_tally_sum_ch(ch, &sum);
	pthread_mutex_unlock(&t->lock);
	atomic_fetch_add(&out->cmds, sum.cmds);
	atomic_fetch_add(&out->rsp_sent, sum.rsps);
	atomic_fetch_add(&out->post_chain_calls, sum.post_chain_calls);
	atomic_fetch_add(&out->signaled_wrs, sum.signaled_wrs);
	atomic_fetch_add(&out->post_recv_calls, sum.post_recv_calls);
	atomic_fetch_add(&out->rx_early, sum.rx_early);
	atomic_fetch_add(&out->rx_late, sum.rx_late);
}

void srpt_tally_sum_ch(struct srpt_channel *ch, struct srpt_tally_sum *out)
{
	struct srpt_io *ios = atomic_load_explicit(&ch->tally_ios,
						   memory_order_acquire);

	for (uint32_t i = 0; ios && i < ch->nio; i++) {
#define SUM(f) out->f += atomic_load_explicit(&ios[i].tally.f,	\
					      memory_order_relaxed);
		SRPT_TALLY_ALL(SUM)
#undef SUM
	}
}

void srpt_tally_sum_gone(struct srpt_target *t, struct srpt_tally_sum *out)
{
#define GONE(f) out->f += atomic_load_explicit(&t->gone_tally.f,	\
					       memory_order_relaxed);
	SRPT_TALLY_ALL(GONE)
#undef GONE
}

void srpt_tally_read(const struct srpt_tally_sum *s, struct srpt_io_stats *out)
{
#define READ(f) out->f += s->f;
	SRPT_TALLY_PUBLIC(READ)
#undef READ
}

void srpt_tally_fold(struct srpt_target *t, struct srpt_channel *ch)
{
	struct srpt_tally_sum sum = { 0 };

	srpt_tally_sum_ch(ch, &sum);
#define FOLD(f) srpt_tally(&t->gone_tally.f, sum.f);
	SRPT_TALLY_ALL(FOLD)
#undef FOLD
}

/* Those of struct srpt_io_stats the channel counts (the rest are its
 * ios', SRPT_TALLY_PUBLIC). */
#define EACH_COUNTER(X)							\
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
