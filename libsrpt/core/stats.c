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
