/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-lookup-bench: channel lookups by QP number, as every work
 * completion does, on the library's RCU table (srpt_ch_lookup/srpt_ch_drop:
 * lock-free lookup plus a get-unless-zero on the channel) against the
 * same workload on a hash table behind one pthread mutex (entries as
 * big as a channel, chained through themselves). N reader threads look
 * up random QP numbers while one writer thread removes and inserts
 * channels without pause; each table runs for the same time.
 *
 *   srpt-lookup-bench [-t readers] [-s seconds] [-n channels] [-k qpns]
 *                     [-r] [-i rounds]
 *
 * Prints lookups/s for both tables and the ratio RCU/mutex. With -i the
 * two alternate, so that a machine's other load weighs on both alike.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "core/events.h"

struct cfg {
	unsigned int readers;
	double seconds;
	unsigned int channels;		/* live at any time */
	unsigned int qpns;		/* QP number space (hits ~ channels/qpns) */
	bool no_writer;			/* lookups only, no churn */
	unsigned int rounds;		/* alternate the tables this often */
};

struct result {
	unsigned long lookups, hits, updates;
	double seconds;
};

static atomic_bool stop;
/* Everybody registered (RCU registration waits for grace periods, which
 * a churning writer keeps going) before the clock starts. */
static pthread_barrier_t start;

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

/* The QP numbers in use, kept by the writer: slot i holds qpn[i]; a
 * number is in at most one slot. */
struct live {
	uint32_t *qpn;
	unsigned char *used;		/* by QP number */
};

static void live_init(struct live *l, const struct cfg *c, uint64_t *seed)
{
	l->qpn = xcalloc(c->channels, sizeof(*l->qpn));
	l->used = xcalloc(c->qpns, 1);
	for (unsigned int i = 0; i < c->channels; i++) {
		uint32_t q;

		do
			q = (uint32_t)(xorshift(seed) % c->qpns);
		while (l->used[q]);
		l->used[q] = 1;
		l->qpn[i] = q;
	}
}

/* Give slot @i a fresh unused number; returns it. */
static uint32_t live_swap(struct live *l, const struct cfg *c, unsigned int i,
			  uint64_t *seed)
{
	uint32_t q;

	do
		q = (uint32_t)(xorshift(seed) % c->qpns);
	while (l->used[q]);
	l->used[l->qpn[i]] = 0;
	l->used[q] = 1;
	l->qpn[i] = q;
	return q;
}

static void live_free(struct live *l)
{
	free(l->qpn);
	free(l->used);
}

/* ---- the library's RCU table ---- */

static int b_on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		    void *u)
{
	return SRPT_LOGIN_ACCEPT;
}

static void b_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *u)
{
}

static uint64_t b_now_ms(struct srpt_tp_target *t)
{
	return 0;
}

static void b_wake(struct srpt_tp_target *t)
{
}

/* No transport behind it: channels here never get a QP. */
static const struct srpt_tp_ops bench_ops = {
	.name = "bench",
	.wake = b_wake,
	.now_ms = b_now_ms,
};

struct rcu_bench {
	const struct cfg *cfg;
	struct srpt_target *t;
	struct srpt_channel **slot;
	struct live live;
};

static struct srpt_channel *rcu_add(struct rcu_bench *b, uint32_t qpn)
{
	struct srpt_channel *ch = srpt_ch_alloc(b->t, NULL);

	if (!ch) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	ch->tp.qp_num = qpn;
	if (srpt_qp_table_add(&b->t->qps, &ch->qp_node, qpn)) {
		fprintf(stderr, "QP number %u twice\n", qpn);
		exit(1);
	}
	return ch;
}

/* What the core's unregister step does for a channel without QP or id. */
static void rcu_del(struct rcu_bench *b, struct srpt_channel *ch)
{
	srpt_qp_table_del(&b->t->qps, &ch->qp_node);
	pthread_mutex_lock(&b->t->lock);
	cds_list_del(&ch->t_link);
	b->t->nchannels--;
	pthread_mutex_unlock(&b->t->lock);
	srpt_ch_drop(ch);	/* freed after a grace period */
}

struct worker {
	pthread_t th;
	void *bench;
	uint64_t seed;
	unsigned long ops, hits;
};

static void *rcu_reader(void *arg)
{
	struct worker *r = arg;
	struct rcu_bench *b = r->bench;
	uint64_t sum = 0;

	srpt_rcu_thread_online();
	pthread_barrier_wait(&start);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (int i = 0; i < 64; i++) {
			uint32_t q = (uint32_t)(xorshift(&r->seed) %
						b->cfg->qpns);
			struct srpt_channel *ch =
				srpt_ch_lookup(b->t, q);

			if (ch) {
				sum += ch->id;	/* use what was found */
				srpt_ch_drop(ch);
				r->hits++;
			}
		}
		r->ops += 64;
	}
	srpt_rcu_thread_offline();
	if (sum == 1)
		fprintf(stderr, "\n");	/* keeps sum alive */
	return NULL;
}

static void *rcu_writer(void *arg)
{
	struct worker *w = arg;
	struct rcu_bench *b = w->bench;

	srpt_rcu_thread_online();
	pthread_barrier_wait(&start);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned int i = (unsigned int)(xorshift(&w->seed) %
						b->cfg->channels);
		uint32_t q = live_swap(&b->live, b->cfg, i, &w->seed);

		rcu_del(b, b->slot[i]);
		b->slot[i] = rcu_add(b, q);
		w->ops++;
	}
	srpt_rcu_thread_offline();
	return NULL;
}

/* ---- the same on a mutex-protected hash ---- */

/*
 * An entry is as big as a channel, with the chain link, key and count in
 * its first cache line like the RCU table's node: the comparison is of
 * the synchronisation, not of how many entries fit in the cache.
 */
struct mch {
	struct mch *next;
	uint32_t qpn;
	atomic_uint ref;
	uint64_t id;
	char rest[sizeof(struct srpt_channel) - 24];
};

struct mtx_bench {
	const struct cfg *cfg;
	pthread_mutex_t lock;
	struct mch **bucket;
	uint32_t mask;
	struct mch **slot;
	struct live live;
	uint64_t next_id;
};

static uint32_t mhash(uint32_t q)
{
	/* Fibonacci hashing, like the library's table */
	return (uint32_t)((uint64_t)q * 0x9e3779b97f4a7c15ull >> 32);
}

static void mput(struct mch *m)
{
	if (atomic_fetch_sub(&m->ref, 1) == 1)
		free(m);
}

static struct mch *mget(struct mtx_bench *b, uint32_t q)
{
	struct mch *m;

	pthread_mutex_lock(&b->lock);
	for (m = b->bucket[mhash(q) & b->mask]; m; m = m->next)
		if (m->qpn == q)
			break;
	if (m)
		atomic_fetch_add(&m->ref, 1);
	pthread_mutex_unlock(&b->lock);
	return m;
}

static struct mch *madd(struct mtx_bench *b, uint32_t q)
{
	struct mch *m = xcalloc(1, sizeof(*m)), **p;

	m->qpn = q;
	atomic_init(&m->ref, 1);
	pthread_mutex_lock(&b->lock);
	m->id = ++b->next_id;
	p = &b->bucket[mhash(q) & b->mask];
	m->next = *p;
	*p = m;
	pthread_mutex_unlock(&b->lock);
	return m;
}

static void mdel(struct mtx_bench *b, struct mch *m)
{
	struct mch **p;

	pthread_mutex_lock(&b->lock);
	for (p = &b->bucket[mhash(m->qpn) & b->mask]; *p; p = &(*p)->next) {
		if (*p == m) {
			*p = m->next;
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	mput(m);
}

static void *mtx_reader(void *arg)
{
	struct worker *r = arg;
	struct mtx_bench *b = r->bench;
	uint64_t sum = 0;

	pthread_barrier_wait(&start);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (int i = 0; i < 64; i++) {
			uint32_t q = (uint32_t)(xorshift(&r->seed) %
						b->cfg->qpns);
			struct mch *m = mget(b, q);

			if (m) {
				sum += m->id;
				mput(m);
				r->hits++;
			}
		}
		r->ops += 64;
	}
	if (sum == 1)
		fprintf(stderr, "\n");
	return NULL;
}

static void *mtx_writer(void *arg)
{
	struct worker *w = arg;
	struct mtx_bench *b = w->bench;

	pthread_barrier_wait(&start);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned int i = (unsigned int)(xorshift(&w->seed) %
						b->cfg->channels);
		uint32_t q = live_swap(&b->live, b->cfg, i, &w->seed);

		mdel(b, b->slot[i]);
		b->slot[i] = madd(b, q);
		w->ops++;
	}
	return NULL;
}

/* ---- running one table ---- */

/* Worker 0 is the writer (absent with -r), the others read. */
static void run(const struct cfg *c, void *bench, void *(*reader)(void *),
		void *(*writer)(void *), struct result *res)
{
	struct worker *w = xcalloc(c->readers + 1, sizeof(*w));
	unsigned int first = c->no_writer ? 1 : 0;
	double t0;

	atomic_store(&stop, false);
	pthread_barrier_init(&start, NULL, c->readers + 1 - first + 1);
	for (unsigned int i = first; i <= c->readers; i++) {
		w[i].bench = bench;
		w[i].seed = 0x9e3779b97f4a7c15ull * (i + 1);
		if (pthread_create(&w[i].th, NULL, i ? reader : writer,
				   &w[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	pthread_barrier_wait(&start);
	t0 = now();
	usleep((useconds_t)(c->seconds * 1e6));
	atomic_store(&stop, true);
	memset(res, 0, sizeof(*res));
	for (unsigned int i = first; i <= c->readers; i++) {
		pthread_join(w[i].th, NULL);
		if (i) {
			res->lookups += w[i].ops;
			res->hits += w[i].hits;
		} else {
			res->updates = w[i].ops;
		}
	}
	res->seconds = now() - t0;
	pthread_barrier_destroy(&start);
	free(w);
}

static void bench_rcu(const struct cfg *c, struct result *res)
{
	struct srpt_target_ops ops = { .on_req = b_on_req,
				       .on_cmd = b_on_cmd };
	struct srpt_target_opts opts = { .size = sizeof(opts), .ops = &ops };
	struct rcu_bench b = { .cfg = c };
	uint64_t seed = 42;
	int r;

	srpt_rcu_thread_online();
	r = srpt_target_new_tp(&b.t, &opts, &bench_ops, NULL);
	if (r) {
		fprintf(stderr, "srpt_target_new_tp: %s\n", strerror(-r));
		exit(1);
	}
	live_init(&b.live, c, &seed);
	b.slot = xcalloc(c->channels, sizeof(*b.slot));
	for (unsigned int i = 0; i < c->channels; i++)
		b.slot[i] = rcu_add(&b, b.live.qpn[i]);
	run(c, &b, rcu_reader, rcu_writer, res);
	for (unsigned int i = 0; i < c->channels; i++)
		rcu_del(&b, b.slot[i]);
	srpt_target_unref(b.t);
	free(b.slot);
	live_free(&b.live);
	srpt_rcu_thread_offline();
}

static void bench_mutex(const struct cfg *c, struct result *res)
{
	struct mtx_bench b = { .cfg = c };
	uint64_t seed = 42;
	uint32_t n = 64;

	while (n < 2 * c->channels)
		n *= 2;
	b.mask = n - 1;
	b.bucket = xcalloc(n, sizeof(*b.bucket));
	pthread_mutex_init(&b.lock, NULL);
	live_init(&b.live, c, &seed);
	b.slot = xcalloc(c->channels, sizeof(*b.slot));
	for (unsigned int i = 0; i < c->channels; i++)
		b.slot[i] = madd(&b, b.live.qpn[i]);
	run(c, &b, mtx_reader, mtx_writer, res);
	for (unsigned int i = 0; i < c->channels; i++)
		mdel(&b, b.slot[i]);
	pthread_mutex_destroy(&b.lock);
	free(b.bucket);
	free(b.slot);
	live_free(&b.live);
}

static void print(const char *name, const struct result *r)
{
	printf("%-8s %12.0f lookups/s  (%4.1f%% hits, %10.0f updates/s)\n",
	       name, (double)r->lookups / r->seconds,
	       r->lookups ? 100.0 * (double)r->hits / (double)r->lookups : 0,
	       (double)r->updates / r->seconds);
}

static void add(struct result *sum, const struct result *r)
{
	sum->lookups += r->lookups;
	sum->hits += r->hits;
	sum->updates += r->updates;
	sum->seconds += r->seconds;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t readers] [-s seconds] [-n channels] [-k qpns] [-r] [-i rounds]\n"
		"  -t  reader threads (default: online CPUs)\n"
		"  -s  seconds per table and round (default 2)\n"
		"  -n  channels alive at any time (default 1024)\n"
		"  -k  size of the QP number space looked up (default 4 * n)\n"
		"  -r  no writer: lookups only\n"
		"  -i  rounds, alternating the tables (default 1)\n",
		prog);
}

int main(int argc, char **argv)
{
	struct cfg c = { .seconds = 2, .channels = 1024, .rounds = 1 };
	struct result rcu = { 0 }, mtx = { 0 }, r;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int opt;

	c.readers = ncpu > 0 ? (unsigned int)ncpu : 2;
	while ((opt = getopt(argc, argv, "t:s:n:k:ri:h")) != -1) {
		switch (opt) {
		case 't':
			c.readers = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			c.seconds = strtod(optarg, NULL);
			break;
		case 'n':
			c.channels = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			c.qpns = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			c.no_writer = true;
			break;
		case 'i':
			c.rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!c.qpns)
		c.qpns = 4 * c.channels;
	if (!c.readers || !c.channels || c.qpns <= c.channels ||
	    c.seconds <= 0 || !c.rounds) {
		usage(argv[0]);
		return 2;
	}
	printf("%u reader threads, %s, %u channels, %u QP numbers, %.1f s per table and round, %u round%s\n",
	       c.readers, c.no_writer ? "no writer" : "1 writer", c.channels,
	       c.qpns, c.seconds, c.rounds, c.rounds > 1 ? "s" : "");
	for (unsigned int i = 0; i < c.rounds; i++) {
		bench_rcu(&c, &r);
		if (c.rounds > 1)
			print("  rcu", &r);
		add(&rcu, &r);
		bench_mutex(&c, &r);
		if (c.rounds > 1)
			print("  mutex", &r);
		add(&mtx, &r);
	}
	print("rcu", &rcu);
	print("mutex", &mtx);
	printf("ratio rcu/mutex: %.2f\n",
	       mtx.lookups ? ((double)rcu.lookups / rcu.seconds) /
			     ((double)mtx.lookups / mtx.seconds) : 0.0);
	return 0;
}
