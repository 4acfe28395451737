/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-core-bench: what the library itself costs per 4 KiB I/O, on the
 * host, without RDMA (see core-bench.h for what runs and what is null).
 *
 *   srpt-core-bench [--quick] [--seconds S] [--threads LIST]
 *                   [--no-profile] [--profile-only]
 *
 * Each thread polls its own channels the way a completion thread does
 * (rtp_thread_poll_all: CQ drain, the core's completion handling, one
 * batch flush per poll) while the null initiator keeps iodepth commands
 * outstanding on each channel. For every (threads, channels per thread,
 * iodepth per channel, READ or WRITE with immediate data) it prints a
 * Markdown row: CPU nanoseconds and cycles per I/O, I/Os per second per
 * busy core and in all, allocations, post calls, signaled work requests
 * and completion-thread wake-ups (CQ events, cb-verbs.c) per I/O. Then
 * the stage profile, from the instrumented twin
 * srpt-core-bench-prof (started from the same directory; --profile-only
 * runs only that). The twin exits 1, naming them, if a stage counted no
 * call: a profile of zeros is a broken build of it, not a result.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srpt/io.h>
#include <srpt/target.h>

#include "core-bench.h"

#define CH_PER_THREAD 16
#define MAX_THREADS 8
#define GOAL_NS 330.0

struct cell {
	unsigned int threads, channels, iodepth;
	bool write;
};

struct worker {
	pthread_t th;
	unsigned int idx;
	struct cb_target *ct;
	const struct cell *cell;
	pthread_barrier_t *bar;
	struct rtp_thread rth;
	/* results over the measured window */
	uint64_t ios, cpu_ns, cycles, wall_ns;
	bool hw_cycles;
	uint64_t post_send, post_recv, signaled, cq_events;
	/* worker 0: the target's counters over its window */
	uint64_t allocs, wakes, chains;
	int64_t prof_self[CB_ST_COUNT];
	uint64_t prof_calls[CB_ST_COUNT];
};

struct result {
	struct cell cell;
	double ns, cycles, iops_core, iops_all;
	double allocs, chains, post_send, post_recv, signaled, wakes, cq_wakes;
	bool hw_cycles;
	int64_t prof_self[CB_ST_COUNT];
	uint64_t prof_calls[CB_ST_COUNT], ios;
};

static double opt_seconds = 1.0, opt_warm = 0.2;
static struct cb_target target;
static _Thread_local unsigned int tl_worker;

#ifndef CB_PROF
void cb_prof_reset(void)
{
}

void cb_prof_read(int64_t self[CB_ST_COUNT], uint64_t calls[CB_ST_COUNT])
{
	memset(self, 0, sizeof(int64_t) * CB_ST_COUNT);
	memset(calls, 0, sizeof(uint64_t) * CB_ST_COUNT);
}

bool cb_prof_enabled(void)
{
	return false;
}
#endif

const char *cb_stage_name(enum cb_stage s)
{
	static const char *const names[CB_ST_COUNT] = {
		[CB_ST_LOOP] = "transport CQ loop (rdma-cq.c drain_cq)",
		[CB_ST_PROVIDER] = "null provider + initiator (not library)",
		[CB_ST_RECEIVE] = "receive completion (events.c)",
		[CB_ST_LOOKUP] = "lookup: channel by QP number",
		[CB_ST_CHREF] = "channel hold/drop",
		[CB_ST_BIND] = "io bind to the receive",
		[CB_ST_IU] = "IU dispatch, credits, task bind (iu.c)",
		[CB_ST_DECODE] = "SRP_CMD decode",
		[CB_ST_ONCMD] = "on_cmd (the null application)",
		[CB_ST_IMM] = "srpt_io_fetch_data: immediate data copy",
		[CB_ST_COMPLETE] = "srpt_io_complete (io.c)",
		[CB_ST_RSP] = "response encode, credits (rsp.c)",
		[CB_ST_SUBMIT] = "submit: send-queue slots (sq.c)",
		[CB_ST_CHAIN] = "chain building (xfer.c)",
		[CB_ST_POST] = "post_chain: WRs, batch add (rdma-post.c)",
		[CB_ST_REPOST] = "receive repost: post_recv",
		[CB_ST_FLUSH] = "batch flush: post_lock, ibv_post_send",
		[CB_ST_SENDDONE] = "send completion (events.c)",
		[CB_ST_FINISH] = "io finish (io-finish.c)",
		[CB_ST_RELEASE] = "io release (release.c, io-pool.c)",
	};

	return names[s];
}

/* ---- the null application ---- */

static int on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		  void *userdata)
{
	return SRPT_LOGIN_ACCEPT;
}

static void fetch_done(struct srpt_io *io, int status, void *arg)
{
	abort();	/* immediate data needs no transfer */
}

static void on_cmd(struct srpt_channel *ch, struct srpt_io *io,
		   void *userdata)
{
	struct cb_target *ct = userdata;
	const struct srpt_io_info *info;
	struct srpt_io_result res = {
		.size = sizeof(res),
		.expected_len = SRPT_LEN_AS_DESCRIBED,
	};
	struct srpt_sge sg;
	unsigned int slot;

	CB_ENTER(CB_ST_ONCMD);
	info = srpt_io_get_info(io);
	/* 32 buffers per thread, apart from the other threads' */
	slot = (unsigned int)(info->tag & 31) + 32 * (tl_worker % 8);
	sg.addr = ct->mem + (size_t)slot * CB_IO_LEN;
	sg.len = CB_IO_LEN;
	sg.mr = ct->mr;
	if (info->dir == SRPT_DIR_OUT) {
		CB_ENTER(CB_ST_IMM);
		if (srpt_io_fetch_data(io, &sg, 1, fetch_done, NULL) != 1)
			abort();	/* immediate data is in place at once */
		CB_EXIT();
	} else {
		res.data = &sg;
		res.nsge = 1;
	}
	CB_ENTER(CB_ST_COMPLETE);
	srpt_io_complete(io, &res);
	CB_EXIT();
	CB_EXIT();
}

static const struct srpt_target_ops app_ops = {
	.size = sizeof(app_ops),
	.on_req = on_req,
	.on_cmd = on_cmd,
};

/* ---- clocks ---- */

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Core cycles of the calling thread in user space, or -1. */
static int cycles_open(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t cycles_read(int fd)
{
	uint64_t v = 0;

	if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static uint64_t tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return ns_of(CLOCK_MONOTONIC);
#endif
}

/* TSC ticks per nanosecond, for when there is no cycle counter. */
static double tsc_per_ns(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static double f;

	if (!f) {
		uint64_t t0 = ns_of(CLOCK_MONOTONIC), c0 = tsc();
		struct timespec d = { 0, 50 * 1000 * 1000 };

		nanosleep(&d, NULL);
		f = (double)(tsc() - c0) /
		    (double)(ns_of(CLOCK_MONOTONIC) - t0);
	}
	return f;
#else
	return 1.0;
#endif
}

/* ---- one thread of a cell ---- */

static struct cb_chan *worker_chan(struct worker *w, unsigned int i)
{
	return w->ct->chans[w->idx * CH_PER_THREAD + i];
}

static void batch_failed(struct srpt_tp_channel *ch, uint32_t qp_num,
			 uint64_t wr_id)
{
	fprintf(stderr, "srpt-core-bench: a batched post failed\n");
	abort();
}

static uint64_t chans_sum(struct worker *w, size_t off)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < w->cell->channels; i++)
		s += *(uint64_t *)((char *)worker_chan(w, i) + off);
	return s;
}

static void poll_until(struct worker *w, uint64_t deadline)
{
	do {
		for (int k = 0; k < 64; k++) {
			cb_round++;
			CB_ENTER(CB_ST_LOOP);
			rtp_thread_poll_all(&w->rth);
			CB_EXIT();
		}
		if (w->idx == 0)
			cb_dispatch_if_woken(w->ct);
	} while (ns_of(CLOCK_MONOTONIC) < deadline);
}

static bool quiet(struct worker *w)
{
	for (unsigned int i = 0; i < w->cell->channels; i++) {
		struct cb_chan *c = worker_chan(w, i);

		if (c->inflight || c->cq_n)
			return false;
	}
	return true;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct rtp_batch batch = { .failed = batch_failed };
	uint64_t ios0, ps0, pr0, sg0, ev0, cpu0, cyc0, wall0, wall_end;
	struct srpt_stats s0, s1;
	unsigned long a0 = 0, wk0 = 0;
	int cfd;

	tl_worker = w->idx;
	srpt_rcu_thread_online();
	CDS_INIT_LIST_HEAD(&w->rth.cqs);
	w->rth.tp = w->ct->tp;
	for (unsigned int i = 0; i < w->cell->channels; i++) {
		struct cb_chan *c = worker_chan(w, i);

		c->iodepth = w->cell->iodepth;
		c->write = w->cell->write;
		c->issue = true;
		cds_list_add_tail(&c->rcq.link, &w->rth.cqs);
	}
	cfd = cycles_open();
	w->hw_cycles = cfd >= 0;
	rtp_batch_begin(&batch);
	pthread_barrier_wait(w->bar);
	poll_until(w, ns_of(CLOCK_MONOTONIC) +
		      (uint64_t)(opt_warm * 1e9));
	pthread_barrier_wait(w->bar);

	cb_prof_reset();
	if (w->idx == 0) {
		srpt_stats_read(w->ct->t, &s0);
		a0 = atomic_load(&w->ct->allocs);
		wk0 = atomic_load(&w->ct->wakes);
	}
	ios0 = chans_sum(w, offsetof(struct cb_chan, done));
	ps0 = chans_sum(w, offsetof(struct cb_chan, post_send_calls));
	pr0 = chans_sum(w, offsetof(struct cb_chan, post_recv_calls));
	sg0 = chans_sum(w, offsetof(struct cb_chan, signaled));
	ev0 = chans_sum(w, offsetof(struct cb_chan, cq_events));
	wall0 = ns_of(CLOCK_MONOTONIC);
	cpu0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	cyc0 = w->hw_cycles ? cycles_read(cfd) : tsc();
	wall_end = wall0 + (uint64_t)(opt_seconds * 1e9);
	poll_until(w, wall_end);
	w->cycles = (w->hw_cycles ? cycles_read(cfd) : tsc()) - cyc0;
	w->cpu_ns = ns_of(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	w->wall_ns = ns_of(CLOCK_MONOTONIC) - wall0;
	w->ios = chans_sum(w, offsetof(struct cb_chan, done)) - ios0;
	w->post_send = chans_sum(w, offsetof(struct cb_chan, post_send_calls)) - ps0;
	w->post_recv = chans_sum(w, offsetof(struct cb_chan, post_recv_calls)) - pr0;
	w->signaled = chans_sum(w, offsetof(struct cb_chan, signaled)) - sg0;
	w->cq_events = chans_sum(w, offsetof(struct cb_chan, cq_events)) - ev0;
	if (w->idx == 0) {
		srpt_stats_read(w->ct->t, &s1);
		w->allocs = atomic_load(&w->ct->allocs) - a0;
		w->wakes = atomic_load(&w->ct->wakes) - wk0;
		w->chains = s1.post_chain_calls - s0.post_chain_calls;
	}
	cb_prof_read(w->prof_self, w->prof_calls);
	pthread_barrier_wait(w->bar);

	/* Let what is in flight finish, so the next cell starts clean. */
	for (unsigned int i = 0; i < w->cell->channels; i++)
		worker_chan(w, i)->issue = false;
	while (!quiet(w)) {
		cb_round++;
		rtp_thread_poll_all(&w->rth);
		if (w->idx == 0)
			cb_dispatch_if_woken(w->ct);
	}
	rtp_thread_poll_all(&w->rth);
	rtp_batch_end();
	if (cfd >= 0)
		close(cfd);
	srpt_rcu_thread_offline();
	return NULL;
}

static void run_cell(const struct cell *cell, struct result *res)
{
	struct worker w[MAX_THREADS];
	pthread_barrier_t bar;
	uint64_t ios = 0, cpu = 0, cyc = 0, wall = 0;
	uint64_t ps = 0, pr = 0, sg = 0, ev = 0;

	memset(w, 0, sizeof(w));
	memset(res, 0, sizeof(*res));
	pthread_barrier_init(&bar, NULL, cell->threads + 1);
	for (unsigned int i = 0; i < cell->threads; i++) {
		w[i].idx = i;
		w[i].ct = &target;
		w[i].cell = cell;
		w[i].bar = &bar;
		if (pthread_create(&w[i].th, NULL, worker_run, &w[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	pthread_barrier_wait(&bar);		/* warm-up starts */
	pthread_barrier_wait(&bar);		/* measuring starts */
	pthread_barrier_wait(&bar);		/* measuring ended */
	for (unsigned int i = 0; i < cell->threads; i++) {
		pthread_join(w[i].th, NULL);
		ios += w[i].ios;
		cpu += w[i].cpu_ns;
		cyc += w[i].cycles;
		wall = w[i].wall_ns > wall ? w[i].wall_ns : wall;
		ps += w[i].post_send;
		pr += w[i].post_recv;
		sg += w[i].signaled;
		ev += w[i].cq_events;
	}
	pthread_barrier_destroy(&bar);
	res->cell = *cell;
	res->hw_cycles = w[0].hw_cycles;
	/* The target's counters over worker 0's window, per I/O of all
	 * (the windows of the threads start and end together). */
	res->allocs = (double)w[0].allocs;
	res->wakes = (double)w[0].wakes;
	res->chains = (double)w[0].chains;
	res->ios = ios;
	if (!ios)
		return;
	res->ns = (double)cpu / (double)ios;
	res->cycles = res->hw_cycles ? (double)cyc / (double)ios :
		      res->ns * tsc_per_ns();
	res->iops_core = 1e9 / res->ns;
	res->iops_all = (double)ios / ((double)wall / 1e9);
	res->allocs /= (double)ios;
	res->wakes /= (double)ios;
	res->chains /= (double)ios;
	res->post_send = (double)ps / (double)ios;
	res->post_recv = (double)pr / (double)ios;
	res->signaled = (double)sg / (double)ios;
	res->cq_wakes = (double)ev / (double)ios;
	memcpy(res->prof_self, w[0].prof_self, sizeof(res->prof_self));
	memcpy(res->prof_calls, w[0].prof_calls, sizeof(res->prof_calls));
}

/* ---- output ---- */

static void print_header(void)
{
	printf("| threads | channels/thread | iodepth/channel | op | ns/IO | cycles/IO | M IOPS/core | M IOPS all | allocs/IO | post_chain/IO | ibv_post_send/IO | post_recv/IO | signaled WR/IO | CQ wake-ups/IO | dispatch wakes/IO |\n");
	printf("| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
}

static void print_row(const struct result *r)
{
	printf("| %u | %u | %u | %s | %.0f | %.0f | %.2f | %.2f | %.3f | %.2f | %.3f | %.2f | %.3f | %.3f | %.3f |\n",
	       r->cell.threads, r->cell.channels, r->cell.iodepth,
	       r->cell.write ? "WRITE imm" : "READ", r->ns, r->cycles,
	       r->iops_core / 1e6, r->iops_all / 1e6, r->allocs, r->chains,
	       r->post_send, r->post_recv, r->signaled, r->cq_wakes,
	       r->wakes);
	fflush(stdout);
}

static void print_profile(const struct result *r)
{
	double total = 0, ios = (double)r->ios, f = tsc_per_ns();

	for (int s = 0; s < CB_ST_COUNT; s++)
		total += (double)r->prof_self[s];
	printf("\nStage profile: %u channel(s), iodepth %u, %s, 1 thread, %llu I/Os; self time per I/O (TSC at %.2f ticks/ns, counting included: read the shares); instrumented run: %.0f ns/IO of CPU\n\n",
	       r->cell.channels, r->cell.iodepth,
	       r->cell.write ? "WRITE imm" : "READ",
	       (unsigned long long)r->ios, f, r->ns);
	printf("| stage | ns/IO | share | calls/IO |\n| --- | ---: | ---: | ---: |\n");
	for (int s = 0; s < CB_ST_COUNT; s++) {
		if (!r->prof_calls[s])
			continue;
		printf("| %s | %.1f | %.1f %% | %.2f |\n",
		       cb_stage_name((enum cb_stage)s),
		       (double)r->prof_self[s] / ios / f,
		       100.0 * (double)r->prof_self[s] / total,
		       (double)r->prof_calls[s] / ios);
	}
	printf("| total | %.1f | 100 %% | |\n", total / ios / f);

	fflush(stdout);
}

/*
 * Stages of one profiled cell that counted no call: the wrapped function
 * is no longer called from another object file (it moved into its
 * caller's file, became inline, or the build links with LTO, which
 * --wrap does not see through), or the code path changed. Printed to
 * stderr; the count of them is returned, so that a profile of zeros
 * fails instead of reading as "nothing to see".
 */
static int check_profile(const struct result *r)
{
	int missing = 0;

	for (int s = 0; s < CB_ST_COUNT; s++) {
		/* only WRITE takes immediate data */
		if (s == CB_ST_IMM && !r->cell.write)
			continue;
		if (r->prof_calls[s])
			continue;
		fprintf(stderr, "%s: stage \"%s\" counted no call (%u channel(s), %s)\n",
			program_invocation_short_name,
			cb_stage_name((enum cb_stage)s), r->cell.channels,
			r->cell.write ? "WRITE imm" : "READ");
		missing++;
	}
	if (!r->ios) {
		fprintf(stderr, "%s: no I/O completed\n",
			program_invocation_short_name);
		missing++;
	}
	return missing;
}

/*
 * The instrumented twin, from this program's directory, with the same
 * arguments. Return: its exit status, or 1 if it could not be run (the
 * plain program counts nothing by stage, so it never prints a profile
 * of its own).
 */
static int run_profile_binary(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int st;

	if (n <= 0) {
		fprintf(stderr, "srpt-core-bench: cannot find this program's directory: %s\n",
			strerror(errno));
		return 1;
	}
	self[n] = 0;
	snprintf(path, sizeof(path), "%s/srpt-core-bench-prof", dirname(self));
	if (access(path, X_OK)) {
		fprintf(stderr, "srpt-core-bench: no stage profile: %s: %s\n",
			path, strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		argv[0] = path;
		execv(path, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: srpt-core-bench [--quick] [--seconds S] [--threads N,..] [--no-profile] [--profile-only]\n");
	exit(2);
}

/* main()'s work; @args is a copy of argv for the profile twin (getopt
 * reorders argv). */
static int bench_main(int argc, char **argv, char **args)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "no-profile", no_argument, NULL, 'n' },
		{ "profile-only", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const unsigned int depths[] = { 1, 32, 128 };
	static const unsigned int chans[] = { 1, CH_PER_THREAD };
	unsigned int threads[4], nthreads = 0, maxth = 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool profile = true, profile_only = cb_prof_enabled();
	int o, r, missing = 0;

	while ((o = getopt_long(argc, argv, "qs:t:np", lo, NULL)) != -1) {
		switch (o) {
		case 'q':
			opt_seconds = 0.25;
			opt_warm = 0.05;
			break;
		case 's':
			opt_seconds = atof(optarg);
			if (opt_seconds <= 0)
				usage();
			break;
		case 't':
			for (char *p = strtok(optarg, ","); p && nthreads < 4;
			     p = strtok(NULL, ","))
				threads[nthreads++] = (unsigned int)atoi(p);
			break;
		case 'n':
			profile = false;
			break;
		case 'p':
			profile_only = true;
			break;
		default:
			usage();
		}
	}
	if (!nthreads) {
		threads[nthreads++] = 1;
		threads[nthreads++] = 2;
		if (ncpu > 2)
			threads[nthreads++] = (unsigned int)ncpu;
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		if (!threads[i] || threads[i] > MAX_THREADS)
			usage();
		if (threads[i] > maxth)
			maxth = threads[i];
	}
	/* Only the twin counts by stage: the plain program hands the
	 * profile to it rather than print one of zeros. */
	if (profile_only && !cb_prof_enabled())
		return run_profile_binary(args);
	if (profile_only)
		maxth = 1;
	r = cb_target_new(&target, maxth * CH_PER_THREAD, &app_ops, &target);
	if (r) {
		fprintf(stderr, "srpt-core-bench: setup failed: %s\n",
			strerror(-r));
		return 1;
	}

	if (!profile_only) {
		struct result res;

		printf("srpt-core-bench: 4 KiB I/O through the session core and the rdma transport's batching over a null provider; %ld CPUs online, %.2f s per row\n\n",
		       ncpu, opt_seconds);
		print_header();
		for (unsigned int ti = 0; ti < nthreads; ti++)
			for (unsigned int ci = 0; ci < 2; ci++)
				for (unsigned int di = 0; di < 3; di++)
					for (int wr = 0; wr < 2; wr++) {
						struct cell c = {
							threads[ti], chans[ci],
							depths[di], wr,
						};

						run_cell(&c, &res);
						print_row(&res);
					}
		printf("\nns/IO: CPU time of the polling threads per I/O; cycles/IO: %s; goal: <= %.0f ns/IO (>= 3 M IOPS per core) at iodepth 32.\n",
		       res.hw_cycles ? "core cycles in user space (perf counter)" :
		       "ns/IO times the TSC rate (no cycle counter here)",
		       GOAL_NS);
		return profile ? run_profile_binary(args) : 0;
	}
	/* the stage profile (srpt-core-bench-prof) */
	for (unsigned int ci = 0; ci < 2; ci++)
		for (int wr = 0; wr < 2; wr++) {
			struct cell c = { 1, chans[ci], 32, wr };
			struct result res;

			run_cell(&c, &res);
			print_profile(&res);
			missing += check_profile(&res);
		}
	return missing ? 1 : 0;
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int r;

	if (!args) {
		fprintf(stderr, "srpt-core-bench: out of memory\n");
		return 1;
	}
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	r = bench_main(argc, argv, args);
	free(args);
	return r;
}
