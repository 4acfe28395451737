/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The library's own threads (the CM/dispatch thread and the completion
 * threads): made with every signal blocked, so that a signal the
 * application handles never lands on them; placed on the CPUs the
 * application chose; announced to its start and stop hooks.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "rdma/rdma-priv.h"

int rtp_thread_create(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int r;

	/* The new thread inherits the mask: blocked from its first
	 * instruction on, with no window for a signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r ? -r : 0;
}

void rtp_thread_begin(struct rtp_tp *tp, int kind, unsigned int index)
{
	const struct srpt_target_opts *o = tp->t->opts;

	if (kind == SRPT_THREAD_COMPLETION && o->ncompletion_cpus) {
		unsigned int cpu = o->completion_cpus[index %
						      o->ncompletion_cpus];
		cpu_set_t set;
		int r;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (r)
			rtp_warn(tp->t, "completion thread %u: cannot run on CPU %u (%d); left to the scheduler",
				 index, cpu, r);
	}
	/* After the affinity: the hook may set its own. */
	if (o->thread_start)
		o->thread_start(kind, index, o->thread_userdata);
}

void rtp_thread_end(struct rtp_tp *tp, int kind, unsigned int index)
{
	const struct srpt_target_opts *o = tp->t->opts;

	if (o->thread_stop)
		o->thread_stop(kind, index, o->thread_userdata);
}
