/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The deterministic test transport (see fake-transport.h). One mutex
 * (f->lock) guards every connection record, the registrations and the
 * QP number pool; the core's callbacks into the fake take it, and the
 * fake never calls into the core with it held except for calls that only
 * queue (srpt_ev_connect_request and the CM events), so completions,
 * which may drop a channel's last reference and so reach ch_free, are
 * always reported without it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <urcu/rculfhash.h>
#include <urcu/urcu-memb.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#endif
#ifdef FAKE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(a, l) __asan_poison_memory_region((a), (l))
#define UNPOISON(a, l) __asan_unpoison_memory_region((a), (l))
#else
#define POISON(a, l) ((void)(a), (void)(l))
#define UNPOISON(a, l) ((void)(a), (void)(l))
#endif

#include "core/core.h"
#include "util/byteorder.h"
#include "fake-transport.h"

#define KEY_DEV_BITS 3		/* lkey = key << 3 | device index */

struct fake_region {
	struct fake_region *next;
	uint8_t *addr;
	uint64_t len;
	uint32_t key;
	bool remote;
};

struct fake_sent_iu {
	uint8_t *buf;
	uint32_t len;
};

struct fake_conn {
	struct fake_tp *f;
	unsigned int idx;
	struct srpt_tp_channel *ch;	/* until destroy_id */
	uint64_t ch_id;
	int connect_rc;
	bool id_alive;
	bool has_qp;
	bool qp_released;
	bool qp_error;
	uint32_t qpn;
	int dev;
	enum fake_answer answer;
	uint8_t answer_buf[64];
	uint8_t answer_len;
	unsigned int creates, accepts, rejects, disconnects, qp_errors,
		     drains, destroys, frees;
	struct fake_wr *rq_head, *rq_tail;
	unsigned int rq_n;
	bool srq;			/* receives come from its device's SRQ */
	struct fake_wr *sq_head, *sq_tail;
	unsigned int sq_n;
	unsigned int sq_wrs;		/* work requests on the send queue */
	unsigned int sq_held;		/* ... of them done unsignaled, waiting
					 * for a later completion to free them */
	bool drain_in_sq;
	unsigned long post_recv_calls, post_chain_calls, signaled;
	unsigned int ev[FAKE_CM_EVENTS];	/* injected CM events */
	struct fake_sent_iu *sent;
	unsigned int nsent, capsent;
};

struct fake_fault {
	unsigned long fail_at;
	int err;
	bool fired;
};

struct fake_tp {
	pthread_mutex_t lock;
	struct srpt_target *t;
	struct fake_conn **conns;
	unsigned int nconns, capconns;
	struct fake_region *regions;
	uint32_t next_key;
	uint32_t *free_qpns;
	unsigned int nfree_qpns, capfree_qpns;
	uint32_t next_qpn;
	uint64_t seq;
	bool record_sent;
	bool poison;
	uint32_t sq_cap;
	struct srpt_tp_caps caps;	/* of new QPs */
	bool no_last_wqe;		/* SRQ: never report Last WQE Reached */
	int next_dev;
	/* shared receive queues, per device */
	struct fake_wr *srq_head[8], *srq_tail[8];
	unsigned int srq_n[8];
	bool srq_made[8], srq_filled[8];

	pthread_mutex_t fault_lock;
	struct fake_fault fault[FAKE_OP_FAILABLE];
	atomic_ulong calls[FAKE_OP_COUNT];

	_Atomic uint64_t clock;

	pthread_mutex_t err_lock;
	atomic_uint nerrors;
	char errtext[4096];
	size_t errlen;

	pthread_mutex_t wake_mu;
	pthread_cond_t wake_cv;
	bool woken;		/* for the dispatch thread */
	bool stop;
	bool running;
	pthread_t thread;
	/* Not next to the bools above: the compiler may load those as one
	 * word, which would overlap an atomic byte (TSan says race). */
	atomic_uint wake_flag;	/* for fake_take_wake */
};

static const char *const op_names[FAKE_OP_COUNT] = {
	[FAKE_OP_LISTEN] = "listen",
	[FAKE_OP_REG_MEM] = "reg_mem",
	[FAKE_OP_CH_CREATE] = "ch_create",
	[FAKE_OP_ACCEPT] = "accept",
	[FAKE_OP_REJECT] = "reject",
	[FAKE_OP_DISCONNECT] = "disconnect",
	[FAKE_OP_QP_TO_ERROR] = "qp_to_error",
	[FAKE_OP_POST_DRAIN] = "post_drain",
	[FAKE_OP_POST_RECV] = "post_recv",
	[FAKE_OP_SRQ_CREATE] = "srq_create",
	[FAKE_OP_SRQ_POST] = "srq_post",
	[FAKE_OP_POST_CHAIN] = "post_chain",
	[FAKE_OP_STOP] = "stop",
	[FAKE_OP_WAKE] = "wake",
	[FAKE_OP_DEREG_MEM] = "dereg_mem",
	[FAKE_OP_DESTROY_ID] = "destroy_id",
	[FAKE_OP_CH_FREE] = "ch_free",
};

const char *fake_op_name(enum fake_op op)
{
	return op < FAKE_OP_COUNT ? op_names[op] : "?";
}

/* ---- errors ---- */

static void verror(struct fake_tp *f, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void verror(struct fake_tp *f, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "fake transport: %s\n", line);
	pthread_mutex_lock(&f->err_lock);
	if (f->errlen + strlen(line) + 2 < sizeof(f->errtext)) {
		memcpy(f->errtext + f->errlen, line, strlen(line));
		f->errlen += strlen(line);
		f->errtext[f->errlen++] = '\n';
		f->errtext[f->errlen] = 0;
	}
	pthread_mutex_unlock(&f->err_lock);
	atomic_fetch_add(&f->nerrors, 1);
}

void fake_error(struct fake_tp *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(f, fmt, ap);
	va_end(ap);
}

unsigned int fake_errors(struct fake_tp *f)
{
	return atomic_load(&f->nerrors);
}

const char *fake_error_text(struct fake_tp *f)
{
	return f->errtext;
}

/* ---- small helpers ---- */

static struct fake_tp *tp_of(struct srpt_tp_target *t)
{
	return t->priv;
}

static struct fake_conn *conn_of(struct srpt_tp_channel *ch)
{
	return ch->conn;
}

/* Count a call; for failable ops, whether it must fail (0 or -errno). */
static int op_enter(struct fake_tp *f, enum fake_op op)
{
	unsigned long n = atomic_fetch_add(&f->calls[op], 1) + 1;
	int r = 0;

	if (op >= FAKE_OP_FAILABLE)
		return 0;
	pthread_mutex_lock(&f->fault_lock);
	if (f->fault[op].fail_at && f->fault[op].fail_at == n) {
		f->fault[op].fired = true;
		r = -f->fault[op].err;
	}
	pthread_mutex_unlock(&f->fault_lock);
	return r;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "fake transport: out of memory\n");
		abort();
	}
	return p;
}

static void free_wr(struct fake_wr *wr)
{
	if (!wr)
		return;
	free(wr->rdma);
	free(wr->sge);
	free(wr->send);
	free(wr);
}

/* Send queue slots a posted entry takes: one per RDMA transfer (the
 * transport may split pieces further, the core's estimate covers that),
 * one for the SEND, one for the drain write. */
static unsigned int wr_count(const struct fake_wr *wr)
{
	if (wr->kind == FAKE_WR_DRAIN)
		return 1;
	return wr->nwr;
}

static void q_push(struct fake_wr **head, struct fake_wr **tail,
		   unsigned int *n, struct fake_wr *wr)
{
	wr->next = NULL;
	if (*tail)
		(*tail)->next = wr;
	else
		*head = wr;
	*tail = wr;
	(*n)++;
}

static struct fake_wr *q_pop(struct fake_wr **head, struct fake_wr **tail,
			     unsigned int *n)
{
	struct fake_wr *wr = *head;

	if (!wr)
		return NULL;
	*head = wr->next;
	if (!*head)
		*tail = NULL;
	(*n)--;
	wr->next = NULL;
	return wr;
}

/* Under f->lock. */
static void qpn_release(struct fake_tp *f, struct fake_conn *c)
{
	if (!c->has_qp || c->qp_released)
		return;
	c->qp_released = true;
	if (f->nfree_qpns == f->capfree_qpns) {
		f->capfree_qpns = f->capfree_qpns ? 2 * f->capfree_qpns : 64;
		f->free_qpns = realloc(f->free_qpns, f->capfree_qpns *
				       sizeof(*f->free_qpns));
		if (!f->free_qpns)
			abort();
	}
	f->free_qpns[f->nfree_qpns++] = c->qpn;
}

/* Under f->lock: LIFO, so that a freed number comes back first. */
static uint32_t qpn_take(struct fake_tp *f)
{
	if (f->nfree_qpns)
		return f->free_qpns[--f->nfree_qpns];
	return f->next_qpn++;
}

static struct fake_region *region_find(struct fake_tp *f, bool remote,
				       uint32_t key, uint64_t addr,
				       uint64_t len)
{
	struct fake_region *r;

	for (r = f->regions; r; r = r->next) {
		if (r->remote != remote || r->key != key)
			continue;
		if (addr >= (uintptr_t)r->addr &&
		    addr + len <= (uintptr_t)r->addr + r->len &&
		    addr + len >= addr)
			return r;
	}
	return NULL;
}

/* Under f->lock: a local piece must lie in memory registered with the
 * key of the channel's device. */
static bool local_ok(struct fake_tp *f, struct fake_conn *c,
		     const struct srpt_tp_sge *s, const char *what)
{
	if ((int)(s->lkey & ((1u << KEY_DEV_BITS) - 1)) != c->dev) {
		fake_error(f, "conn %u: %s lkey 0x%x is not for device %d",
			   c->idx, what, s->lkey, c->dev);
		return false;
	}
	if (!region_find(f, false, s->lkey >> KEY_DEV_BITS, s->addr, s->len)) {
		fake_error(f, "conn %u: %s 0x%llx+%u lkey 0x%x not in registered memory",
			   c->idx, what, (unsigned long long)s->addr, s->len,
			   s->lkey);
		return false;
	}
	return true;
}

/* Whether @ch is linked in the target's RCU table. */
static bool in_table(struct srpt_target *t, struct srpt_channel *ch)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;
	bool reg = srpt_rcu_registered, found = false;

	if (!reg)
		srpt_rcu_thread_online();
	urcu_memb_read_lock();
	cds_lfht_for_each(t->qps.ht, &it, node) {
		if (node == &ch->qp_node.lfht)
			found = true;
	}
	urcu_memb_read_unlock();
	if (!reg)
		srpt_rcu_thread_offline();
	return found;
}

/* ---- the ops table ---- */

static int op_listen(struct srpt_tp_target *t, const struct sockaddr *addr)
{
	struct fake_tp *f = tp_of(t);
	int r = op_enter(f, FAKE_OP_LISTEN);

	if (r)
		return r;
	t->guid_default = FAKE_GUID;
	return 0;
}

static void op_stop(struct srpt_tp_target *t)
{
	struct fake_tp *f = tp_of(t);
	bool reg = srpt_rcu_registered;

	op_enter(f, FAKE_OP_STOP);
	fake_stop_dispatch(f);
	/* Run what is still queued so that no reference stays in the
	 * queue once the threads are gone. */
	if (!reg)
		srpt_rcu_thread_online();
	srpt_core_dispatch(t);
	if (!reg)
		srpt_rcu_thread_offline();
}

static void op_wake(struct srpt_tp_target *t)
{
	struct fake_tp *f = tp_of(t);

	op_enter(f, FAKE_OP_WAKE);
	atomic_store(&f->wake_flag, 1);
	pthread_mutex_lock(&f->wake_mu);
	f->woken = true;
	pthread_cond_signal(&f->wake_cv);
	pthread_mutex_unlock(&f->wake_mu);
}

static uint64_t op_now_ms(struct srpt_tp_target *t)
{
	return atomic_load(&tp_of(t)->clock);
}

static int op_reg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
	struct fake_tp *f = tp_of(t);
	struct fake_region *reg;
	int r = op_enter(f, FAKE_OP_REG_MEM);

	if (r)
		return r;
	reg = xcalloc(1, sizeof(*reg));
	reg->addr = mr->addr;
	reg->len = mr->len;
	pthread_mutex_lock(&f->lock);
	reg->key = ++f->next_key;
	reg->next = f->regions;
	f->regions = reg;
	pthread_mutex_unlock(&f->lock);
	for (int d = 0; d < SRPT_MAX_DEVICES; d++)
		mr->lkey[d] = reg->key << KEY_DEV_BITS | (uint32_t)d;
	return 0;
}

static void op_dereg_mem(struct srpt_tp_target *t, struct srpt_tp_mr *mr)
{
	struct fake_tp *f = tp_of(t);
	struct fake_region **p, *reg = NULL;

	op_enter(f, FAKE_OP_DEREG_MEM);
	pthread_mutex_lock(&f->lock);
	for (p = &f->regions; *p; p = &(*p)->next) {
		if (!(*p)->remote && (*p)->addr == mr->addr &&
		    (*p)->len == mr->len &&
		    (*p)->key == mr->lkey[0] >> KEY_DEV_BITS) {
			reg = *p;
			*p = reg->next;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	if (!reg)
		fake_error(f, "dereg_mem of an unknown registration %p+%zu",
			   mr->addr, mr->len);
	free(reg);
}

static int op_ch_create(struct srpt_tp_channel *ch)
{
	struct fake_conn *c = conn_of(ch);
	struct fake_tp *f = c->f;
	int r = op_enter(f, FAKE_OP_CH_CREATE);

	if (r)
		return r;
	pthread_mutex_lock(&f->lock);
	if (c->creates++)
		fake_error(f, "conn %u: ch_create called twice", c->idx);
	c->qpn = qpn_take(f);
	c->dev = f->next_dev;
	c->has_qp = true;
	c->qp_released = false;
	ch->qp_num = c->qpn;
	ch->dev = c->dev;
	ch->priv = c;
	c->srq = ch->t->opts->flags & SRPT_TARGET_SRQ;
	if (c->srq && !f->srq_made[c->dev])
		f->srq_made[c->dev] = true;	/* as the RDMA transport does */
	if (f->sq_cap && ch->sq_size > f->sq_cap)
		ch->sq_size = f->sq_cap;
	ch->caps = f->caps;
	snprintf(ch->dev_name, sizeof(ch->dev_name), "fake%d", c->dev);
	ch->port = 1;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int answer(struct srpt_tp_channel *ch, enum fake_answer kind,
		  const void *pdata, uint8_t len)
{
	struct fake_conn *c = conn_of(ch);
	struct fake_tp *f = c->f;
	int r = op_enter(f, kind == FAKE_ANS_ACCEPT ? FAKE_OP_ACCEPT :
			 FAKE_OP_REJECT);

	pthread_mutex_lock(&f->lock);
	if (kind == FAKE_ANS_ACCEPT)
		c->accepts++;
	else
		c->rejects++;
	if (!r) {
		if (c->answer != FAKE_ANS_NONE)
			fake_error(f, "conn %u: a second answer (%s after %s)",
				   c->idx,
				   kind == FAKE_ANS_ACCEPT ? "accept" : "reject",
				   c->answer == FAKE_ANS_ACCEPT ? "accept" :
				   "reject");
		else if (!c->id_alive)
			fake_error(f, "conn %u: answer after destroy_id", c->idx);
		c->answer = kind;
		c->answer_len = len < sizeof(c->answer_buf) ? len :
				sizeof(c->answer_buf);
		memcpy(c->answer_buf, pdata, c->answer_len);
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int op_accept(struct srpt_tp_channel *ch, const void *pdata, uint8_t len)
{
	return answer(ch, FAKE_ANS_ACCEPT, pdata, len);
}

static int op_reject(struct srpt_tp_channel *ch, const void *pdata, uint8_t len)
{
	return answer(ch, FAKE_ANS_REJECT, pdata, len);
}

static int op_disconnect(struct srpt_tp_channel *ch)
{
	struct fake_conn *c = conn_of(ch);
	struct fake_tp *f = c->f;
	int r = op_enter(f, FAKE_OP_DISCONNECT);

	pthread_mutex_lock(&f->lock);
	if (c->disconnects++)
		fake_error(f, "conn %u: disconnect called twice", c->idx);
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int op_qp_to_error(struct srpt_tp_channel *ch)
{
	struct fake_conn *c = ch->priv;
	struct fake_tp *f = c->f;
	int r = op_enter(f, FAKE_OP_QP_TO_ERROR);
	bool last_wqe;

	pthread_mutex_lock(&f->lock);
	c->qp_errors++;
	if (!r)
		c->qp_error = true;
	last_wqe = !r && c->srq && f->caps.srq_last_wqe && !f->no_last_wqe;
	pthread_mutex_unlock(&f->lock);
	/* A QP on a shared receive queue reports Last WQE Reached once it
	 * is in the error state, as hardware does (asynchronously: the
	 * core only queues it). */
	if (last_wqe)
		srpt_ev_qp_event(&f->t->tp, c->qpn, SRPT_QP_LAST_WQE_REACHED);
	return r;
}

static int op_post_drain(struct srpt_tp_channel *ch, uint64_t wr_id)
{
	struct fake_conn *c = ch->priv;
	struct fake_tp *f = c->f;
	struct fake_wr *wr;
	int r = op_enter(f, FAKE_OP_POST_DRAIN);

	pthread_mutex_lock(&f->lock);
	c->drains++;
	if (c->drains > 1)
		fake_error(f, "conn %u: drain posted twice", c->idx);
	if (!r) {
		wr = xcalloc(1, sizeof(*wr));
		wr->kind = FAKE_WR_DRAIN;
		wr->wr_id = wr_id;
		wr->seq = ++f->seq;
		q_push(&c->sq_head, &c->sq_tail, &c->sq_n, wr);
		c->sq_wrs++;
		if (c->sq_wrs > ch->sq_size)
			fake_error(f, "conn %u: no send queue slot left for the drain write",
				   c->idx);
		c->drain_in_sq = true;
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

static void op_destroy_id(struct srpt_tp_channel *ch)
{
	struct fake_conn *c = conn_of(ch);
	struct fake_tp *f = c->f;
	bool listed = in_table(f->t, srpt_ch_of(ch));

	op_enter(f, FAKE_OP_DESTROY_ID);
	pthread_mutex_lock(&f->lock);
	if (c->destroys++)
		fake_error(f, "conn %u: destroy_id called twice", c->idx);
	if (c->frees)
		fake_error(f, "conn %u: destroy_id after ch_free", c->idx);
	if (listed)
		fake_error(f, "conn %u: destroy_id while the channel is in the table (QP %u may be reused)",
			   c->idx, c->qpn);
	c->id_alive = false;
	c->ch = NULL;
	/* Like rdma-cm, the QP goes with the id: its number is free now. */
	qpn_release(f, c);
	pthread_mutex_unlock(&f->lock);
}

static void op_ch_free(struct srpt_tp_channel *ch)
{
	struct fake_conn *c = ch->priv;
	struct fake_tp *f;
	struct fake_wr *wr;

	if (!c) {
		fprintf(stderr, "fake transport: ch_free of a channel without QP\n");
		abort();
	}
	f = c->f;
	op_enter(f, FAKE_OP_CH_FREE);
	if (in_table(f->t, srpt_ch_of(ch)))
		fake_error(f, "conn %u: ch_free while the channel is in the table",
			   c->idx);
	pthread_mutex_lock(&f->lock);
	if (c->frees++)
		fake_error(f, "conn %u: ch_free called twice", c->idx);
	/* The QP is gone: nothing posted on it completes any more. */
	while ((wr = q_pop(&c->rq_head, &c->rq_tail, &c->rq_n)))
		free_wr(wr);
	while ((wr = q_pop(&c->sq_head, &c->sq_tail, &c->sq_n)))
		free_wr(wr);
	c->sq_wrs = 0;
	c->sq_held = 0;
	c->drain_in_sq = false;
	c->ch = NULL;
	qpn_release(f, c);
	pthread_mutex_unlock(&f->lock);
}

static bool post_allowed(struct fake_tp *f, struct fake_conn *c,
			 const char *what)
{
	if (!c->has_qp || c->frees) {
		fake_error(f, "conn %u: %s without a QP", c->idx, what);
		return false;
	}
	if (c->qp_error) {
		fake_error(f, "conn %u: %s after the QP went to the error state",
			   c->idx, what);
		return false;
	}
	return true;
}

static int op_post_recv(struct srpt_tp_channel *ch, const struct srpt_tp_sge *sge,
			const uint64_t *wr_id, unsigned int n)
{
	struct fake_conn *c = ch->priv;
	struct fake_tp *f = c->f;
	int r = op_enter(f, FAKE_OP_POST_RECV);
	unsigned int i;

	if (r)
		return r;
	pthread_mutex_lock(&f->lock);
	c->post_recv_calls++;
	if (c->srq)
		fake_error(f, "conn %u: post_recv on a QP of a shared receive queue",
			   c->idx);
	if (!post_allowed(f, c, "post_recv")) {
		pthread_mutex_unlock(&f->lock);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct fake_wr *wr, *o;

		local_ok(f, c, &sge[i], "receive buffer");
		for (o = c->rq_head; o; o = o->next) {
			if (o->wr_id == wr_id[i] || o->rsge.addr == sge[i].addr)
				fake_error(f, "conn %u: receive buffer 0x%llx (wr_id 0x%llx) posted twice",
					   c->idx,
					   (unsigned long long)sge[i].addr,
					   (unsigned long long)wr_id[i]);
		}
		wr = xcalloc(1, sizeof(*wr));
		wr->kind = FAKE_WR_RECV;
		wr->wr_id = wr_id[i];
		wr->rsge = sge[i];
		wr->seq = ++f->seq;
		UNPOISON((void *)(uintptr_t)sge[i].addr, sge[i].len);
		q_push(&c->rq_head, &c->rq_tail, &c->rq_n, wr);
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static int op_srq_create(struct srpt_tp_target *t, int dev, uint32_t n)
{
	struct fake_tp *f = tp_of(t);
	int r = op_enter(f, FAKE_OP_SRQ_CREATE);

	(void)n;
	if (r)
		return r;
	pthread_mutex_lock(&f->lock);
	f->srq_made[dev] = true;
	r = !f->srq_filled[dev];
	f->srq_filled[dev] = true;
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int op_srq_post(struct srpt_tp_target *t, int dev,
		       const struct srpt_tp_sge *sge, uint64_t wr_id)
{
	struct fake_tp *f = tp_of(t);
	struct fake_wr *wr, *o;
	int r = op_enter(f, FAKE_OP_SRQ_POST);

	if (r)
		return r;
	pthread_mutex_lock(&f->lock);
	if (!f->srq_made[dev]) {
		fake_error(f, "srq_post on device %d, which has no SRQ", dev);
		pthread_mutex_unlock(&f->lock);
		return -EINVAL;
	}
	if ((int)(sge->lkey & ((1u << KEY_DEV_BITS) - 1)) != dev)
		fake_error(f, "srq_post: lkey 0x%x is not for device %d",
			   sge->lkey, dev);
	for (o = f->srq_head[dev]; o; o = o->next)
		if (o->wr_id == wr_id || o->rsge.addr == sge->addr)
			fake_error(f, "SRQ buffer 0x%llx (wr_id 0x%llx) posted twice",
				   (unsigned long long)sge->addr,
				   (unsigned long long)wr_id);
	wr = xcalloc(1, sizeof(*wr));
	wr->kind = FAKE_WR_RECV;
	wr->wr_id = wr_id;
	wr->rsge = *sge;
	wr->seq = ++f->seq;
	UNPOISON((void *)(uintptr_t)sge->addr, sge->len);
	q_push(&f->srq_head[dev], &f->srq_tail[dev], &f->srq_n[dev], wr);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* One work request of a chain against the channel's limits; its RDMA
 * part is recorded in @wr. Returns its bytes. */
static uint64_t check_wr(struct fake_tp *f, struct fake_conn *c,
			 const struct srpt_tp_channel *ch,
			 const struct srpt_tp_wr *in, struct fake_wr *wr)
{
	uint32_t max_sge = in->op == SRPT_TP_READ ? ch->caps.max_read_sge :
			   ch->caps.max_send_sge;
	uint64_t len = 0;

	if (!in->nsge || in->nsge > max_sge)
		fake_error(f, "conn %u: a work request of %u pieces (limit %u)",
			   c->idx, in->nsge, max_sge);
	for (unsigned int j = 0; j < in->nsge; j++) {
		if (!in->sge[j].len)
			fake_error(f, "conn %u: an empty piece", c->idx);
		len += in->sge[j].len;
		local_ok(f, c, &in->sge[j], in->op == SRPT_TP_SEND ? "SEND" :
			 "data piece");
	}
	if (len > ch->caps.max_msg)
		fake_error(f, "conn %u: a work request of %llu bytes (limit %u)",
			   c->idx, (unsigned long long)len, ch->caps.max_msg);
	if (in->op == SRPT_TP_SEND)
		return len;
	if (!region_find(f, true, in->rkey, in->raddr, len))
		fake_error(f, "conn %u: RDMA %s of %llu bytes to 0x%llx rkey 0x%x outside initiator memory",
			   c->idx, in->op == SRPT_TP_READ ? "READ" : "WRITE",
			   (unsigned long long)len,
			   (unsigned long long)in->raddr, in->rkey);
	wr->rdma[wr->nrdma].raddr = in->raddr;
	wr->rdma[wr->nrdma].rkey = in->rkey;
	wr->rdma[wr->nrdma].len = (uint32_t)len;
	wr->nrdma++;
	for (unsigned int j = 0; j < in->nsge; j++)
		wr->sge[wr->nsge++] = in->sge[j];
	return len;
}

static int op_post_chain(struct srpt_tp_channel *ch,
			 const struct srpt_tp_chain *chain)
{
	struct fake_conn *c = ch->priv;
	struct fake_tp *f = c->f;
	struct fake_wr *wr;
	unsigned int i, nsge = 0;
	int r = op_enter(f, FAKE_OP_POST_CHAIN);

	if (r)
		return r;
	pthread_mutex_lock(&f->lock);
	c->post_chain_calls++;
	if (!post_allowed(f, c, "post_chain")) {
		pthread_mutex_unlock(&f->lock);
		return -EINVAL;
	}
	if (!chain->nwr || chain->nwr > SRPT_TP_CHAIN_MAX_WR) {
		fake_error(f, "conn %u: a chain of %u work requests", c->idx,
			   chain->nwr);
		pthread_mutex_unlock(&f->lock);
		return -EINVAL;
	}
	for (i = 0; i < chain->nwr; i++)
		nsge += chain->wr[i].nsge;
	wr = xcalloc(1, sizeof(*wr));
	wr->kind = FAKE_WR_CHAIN;
	wr->wr_id = chain->wr_id;
	wr->seq = ++f->seq;
	wr->nwr = chain->nwr;
	wr->unsignaled = chain->unsignaled;
	wr->ch_ref = atomic_load(&srpt_ch_of(ch)->ref);
	if (!chain->wr_id)
		fake_error(f, "conn %u: a chain without an id", c->idx);
	if (chain->nwr == 1 && chain->wr[0].op == SRPT_TP_WRITE &&
	    !chain->wr[0].nsge) {
		/* a fence: a zero-length write, signaled, no key */
		if (chain->unsignaled || chain->wr[0].raddr ||
		    chain->wr[0].rkey)
			fake_error(f, "conn %u: a zero-length write that is no fence",
				   c->idx);
		wr->fence = true;
		wr->rdma = xcalloc(1, sizeof(*wr->rdma));
		wr->sge = xcalloc(1, sizeof(*wr->sge));
		goto queue;
	}
	wr->rdma = xcalloc(chain->nwr, sizeof(*wr->rdma));
	wr->sge = xcalloc(nsge ? nsge : 1, sizeof(*wr->sge));
	wr->rdma_read = chain->wr[0].op == SRPT_TP_READ;
	for (i = 0; i < chain->nwr; i++) {
		const struct srpt_tp_wr *in = &chain->wr[i];

		if ((in->op == SRPT_TP_READ) != wr->rdma_read && in->op != SRPT_TP_SEND)
			fake_error(f, "conn %u: RDMA READs and WRITEs in one chain",
				   c->idx);
		if (in->op == SRPT_TP_SEND && i + 1 != chain->nwr)
			fake_error(f, "conn %u: a SEND before the end of a chain",
				   c->idx);
		if (in->op == SRPT_TP_SEND && wr->rdma_read)
			fake_error(f, "conn %u: a SEND chained after RDMA READs",
				   c->idx);
		check_wr(f, c, ch, in, wr);
		if (in->op == SRPT_TP_SEND) {
			wr->send_len = in->sge[0].len;
			wr->send_addr = (const uint8_t *)(uintptr_t)in->sge[0].addr;
			if (in->nsge != 1)
				fake_error(f, "conn %u: a SEND of %u pieces",
					   c->idx, in->nsge);
		}
	}
	if (wr->send_len) {
		wr->send = xcalloc(1, wr->send_len);
		memcpy(wr->send, wr->send_addr, wr->send_len);
		if (f->record_sent) {
			if (c->nsent == c->capsent) {
				c->capsent = c->capsent ? 2 * c->capsent : 16;
				c->sent = realloc(c->sent, c->capsent *
						  sizeof(*c->sent));
				if (!c->sent)
					abort();
			}
			c->sent[c->nsent].buf = xcalloc(1, wr->send_len);
			memcpy(c->sent[c->nsent].buf, wr->send, wr->send_len);
			c->sent[c->nsent].len = wr->send_len;
			c->nsent++;
		}
	}
queue:
	if (!wr->unsignaled)
		c->signaled++;
	q_push(&c->sq_head, &c->sq_tail, &c->sq_n, wr);
	c->sq_wrs += wr_count(wr);
	if (c->sq_wrs > ch->sq_size)
		fake_error(f, "conn %u: send queue overrun: %u work requests posted, room for %u",
			   c->idx, c->sq_wrs, ch->sq_size);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

const struct srpt_tp_ops fake_tp_ops = {
	.name = "fake",
	.listen = op_listen,
	.stop = op_stop,
	.wake = op_wake,
	.now_ms = op_now_ms,
	.reg_mem = op_reg_mem,
	.dereg_mem = op_dereg_mem,
	.ch_create = op_ch_create,
	.accept = op_accept,
	.reject = op_reject,
	.disconnect = op_disconnect,
	.qp_to_error = op_qp_to_error,
	.post_drain = op_post_drain,
	.destroy_id = op_destroy_id,
	.ch_free = op_ch_free,
	.post_recv = op_post_recv,
	.post_chain = op_post_chain,
	.srq_create = op_srq_create,
	.srq_post = op_srq_post,
};

/* ---- the transport object ---- */

struct fake_tp *fake_new(void)
{
	struct fake_tp *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_init(&f->fault_lock, NULL);
	pthread_mutex_init(&f->err_lock, NULL);
	pthread_mutex_init(&f->wake_mu, NULL);
	pthread_cond_init(&f->wake_cv, NULL);
	f->next_qpn = 0x100;
	f->caps.max_send_sge = 16;
	f->caps.max_read_sge = 16;
	f->caps.max_msg = 1u << 30;
	f->caps.srq_last_wqe = true;
	f->record_sent = true;
	f->poison = true;
	atomic_init(&f->clock, 1000000);
	return f;
}

void fake_free(struct fake_tp *f)
{
	struct fake_region *r;
	unsigned int i, j;

	if (!f)
		return;
	fake_stop_dispatch(f);
	for (i = 0; i < f->nconns; i++) {
		struct fake_conn *c = f->conns[i];
		struct fake_wr *wr;

		while ((wr = q_pop(&c->rq_head, &c->rq_tail, &c->rq_n)))
			free_wr(wr);
		while ((wr = q_pop(&c->sq_head, &c->sq_tail, &c->sq_n)))
			free_wr(wr);
		for (j = 0; j < c->nsent; j++)
			free(c->sent[j].buf);
		free(c->sent);
		free(c);
	}
	free(f->conns);
	for (i = 0; i < 8; i++) {
		struct fake_wr *wr;

		while ((wr = q_pop(&f->srq_head[i], &f->srq_tail[i],
				   &f->srq_n[i])))
			free_wr(wr);
	}
	while ((r = f->regions)) {
		f->regions = r->next;
		free(r);
	}
	free(f->free_qpns);
	pthread_mutex_destroy(&f->lock);
	pthread_mutex_destroy(&f->fault_lock);
	pthread_mutex_destroy(&f->err_lock);
	pthread_mutex_destroy(&f->wake_mu);
	pthread_cond_destroy(&f->wake_cv);
	free(f);
}

int fake_target_listen(struct fake_tp *f, struct srpt_target *t)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(5555),
	};

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	f->t = t;
	return srpt_target_listen(t, (const struct sockaddr *)&sin);
}

int fake_target_new(struct fake_tp *f, const struct srpt_target_opts *opts,
		    struct srpt_target **ret)
{
	struct srpt_target *t;
	int r;

	r = srpt_target_new_tp(&t, opts, &fake_tp_ops, f);
	if (r)
		return r;
	r = fake_target_listen(f, t);
	if (r) {
		srpt_target_unref(t);
		f->t = NULL;
		return r;
	}
	*ret = t;
	return 0;
}

struct srpt_target *fake_target(struct fake_tp *f)
{
	return f->t;
}

static void check_conns_locked(struct fake_tp *f)
{
	unsigned int i;

	for (i = 0; i < f->nconns; i++) {
		struct fake_conn *c = f->conns[i];

		if (c->connect_rc == 0 && c->destroys != 1)
			fake_error(f, "conn %u: destroy_id called %u times",
				   c->idx, c->destroys);
		if (c->creates && c->frees != 1)
			fake_error(f, "conn %u: ch_free called %u times",
				   c->idx, c->frees);
	}
}

unsigned int fake_check_conns(struct fake_tp *f)
{
	pthread_mutex_lock(&f->lock);
	check_conns_locked(f);
	pthread_mutex_unlock(&f->lock);
	return fake_errors(f);
}

unsigned int fake_check_final(struct fake_tp *f)
{
	struct fake_region *r;

	pthread_mutex_lock(&f->lock);
	check_conns_locked(f);
	for (r = f->regions; r; r = r->next)
		if (!r->remote)
			fake_error(f, "registration %p+%llu never dropped",
				   (void *)r->addr, (unsigned long long)r->len);
	pthread_mutex_unlock(&f->lock);
	return fake_errors(f);
}

void fake_set_record_sent(struct fake_tp *f, bool on)
{
	pthread_mutex_lock(&f->lock);
	f->record_sent = on;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_poison(struct fake_tp *f, bool on)
{
	pthread_mutex_lock(&f->lock);
	f->poison = on;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_caps(struct fake_tp *f, uint32_t max_sge, uint32_t max_msg)
{
	pthread_mutex_lock(&f->lock);
	f->caps.max_send_sge = max_sge;
	f->caps.max_read_sge = max_sge;
	f->caps.max_msg = max_msg;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_last_wqe(struct fake_tp *f, bool caps, bool reported)
{
	pthread_mutex_lock(&f->lock);
	f->caps.srq_last_wqe = caps;
	f->no_last_wqe = !reported;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_sq_cap(struct fake_tp *f, uint32_t cap)
{
	pthread_mutex_lock(&f->lock);
	f->sq_cap = cap;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_next_dev(struct fake_tp *f, int dev)
{
	pthread_mutex_lock(&f->lock);
	f->next_dev = dev;
	pthread_mutex_unlock(&f->lock);
}

/* ---- clock, wake-ups, dispatch ---- */

uint64_t fake_now(struct fake_tp *f)
{
	return atomic_load(&f->clock);
}

void fake_advance(struct fake_tp *f, uint64_t ms)
{
	atomic_fetch_add(&f->clock, ms);
	/* Timers may be due: let a dispatch thread look. */
	pthread_mutex_lock(&f->wake_mu);
	f->woken = true;
	pthread_cond_signal(&f->wake_cv);
	pthread_mutex_unlock(&f->wake_mu);
}

bool fake_take_wake(struct fake_tp *f)
{
	return atomic_exchange(&f->wake_flag, 0) != 0;
}

unsigned long fake_op_calls(struct fake_tp *f, enum fake_op op)
{
	return atomic_load(&f->calls[op]);
}

int fake_dispatch(struct fake_tp *f)
{
	atomic_store(&f->wake_flag, 0);
	return srpt_core_dispatch(&f->t->tp);
}

static void *dispatch_main(void *arg)
{
	struct fake_tp *f = arg;

	srpt_rcu_thread_online();
	pthread_mutex_lock(&f->wake_mu);
	while (!f->stop) {
		struct timespec ts;

		f->woken = false;
		pthread_mutex_unlock(&f->wake_mu);
		srpt_core_dispatch(&f->t->tp);
		pthread_mutex_lock(&f->wake_mu);
		if (f->woken || f->stop)
			continue;
		/* A wake-up may be lost only to a bug; poll slowly anyway so
		 * that such a bug shows as slowness, not as a hang. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&f->wake_cv, &f->wake_mu, &ts);
	}
	pthread_mutex_unlock(&f->wake_mu);
	srpt_rcu_thread_offline();
	return NULL;
}

int fake_start_dispatch(struct fake_tp *f)
{
	int r;

	pthread_mutex_lock(&f->wake_mu);
	if (f->running) {
		pthread_mutex_unlock(&f->wake_mu);
		return -EBUSY;
	}
	f->stop = false;
	f->running = true;
	pthread_mutex_unlock(&f->wake_mu);
	r = pthread_create(&f->thread, NULL, dispatch_main, f);
	if (r) {
		pthread_mutex_lock(&f->wake_mu);
		f->running = false;
		pthread_mutex_unlock(&f->wake_mu);
		return -r;
	}
	return 0;
}

void fake_stop_dispatch(struct fake_tp *f)
{
	bool join;

	pthread_mutex_lock(&f->wake_mu);
	join = f->running && !pthread_equal(f->thread, pthread_self());
	if (join) {
		f->stop = true;
		pthread_cond_broadcast(&f->wake_cv);
	}
	pthread_mutex_unlock(&f->wake_mu);
	if (!join)
		return;
	pthread_join(f->thread, NULL);
	pthread_mutex_lock(&f->wake_mu);
	f->running = false;
	f->stop = false;
	pthread_mutex_unlock(&f->wake_mu);
}

/* ---- fault injection ---- */

void fake_fail_nth(struct fake_tp *f, enum fake_op op, unsigned long nth,
		   int err)
{
	if (op >= FAKE_OP_FAILABLE)
		return;
	pthread_mutex_lock(&f->fault_lock);
	f->fault[op].fail_at = nth ? atomic_load(&f->calls[op]) + nth : 0;
	f->fault[op].err = err;
	f->fault[op].fired = false;
	pthread_mutex_unlock(&f->fault_lock);
}

bool fake_fail_fired(struct fake_tp *f, enum fake_op op)
{
	bool fired;

	if (op >= FAKE_OP_FAILABLE)
		return false;
	pthread_mutex_lock(&f->fault_lock);
	fired = f->fault[op].fired;
	pthread_mutex_unlock(&f->fault_lock);
	return fired;
}

uint32_t fake_remote_add(struct fake_tp *f, void *buf, uint64_t len)
{
	struct fake_region *reg = xcalloc(1, sizeof(*reg));

	reg->addr = buf;
	reg->len = len;
	reg->remote = true;
	pthread_mutex_lock(&f->lock);
	reg->key = 0x5000000u + ++f->next_key;
	reg->next = f->regions;
	f->regions = reg;
	pthread_mutex_unlock(&f->lock);
	return reg->key;
}

/* ---- the initiator and the CM ---- */

void fake_login_req_init(struct fake_tp *f, struct srpt_login_req *req,
			 unsigned int initiator)
{
	uint64_t id_ext = 0, ioc_guid = 0;

	memset(req, 0, sizeof(*req));
	srpt_target_get_port_id(f->t, &id_ext, &ioc_guid);
	put_tag((uint8_t *)&req->tag, 0x1122334455000000ull + initiator);
	req->req_it_iu_len = 68 + 8192;
	req->req_buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT;
	req->req_flags = SRPT_MULTICHAN_MULTI | SRPT_LOGIN_IMMED_REQUESTED;
	req->imm_data_offset = 68;
	put_be64(req->initiator_port_id, 0x1000 + initiator);
	put_be64(req->initiator_port_id + 8, 0xfe80000000000000ull + initiator);
	put_be64(req->target_port_id, id_ext);
	put_be64(req->target_port_id + 8, ioc_guid);
}

struct fake_conn *fake_connect(struct fake_tp *f,
			       const struct srpt_login_req *req)
{
	uint8_t buf[SRPT_LOGIN_REQ_RDMA_LEN];
	int n = srpt_login_req_rdma_encode(req, buf, sizeof(buf));

	if (n != SRPT_LOGIN_REQ_RDMA_LEN) {
		fake_error(f, "cannot encode a login request: %d", n);
		abort();
	}
	return fake_connect_raw(f, buf, (uint8_t)n);
}

struct fake_conn *fake_connect_raw(struct fake_tp *f, const void *pdata,
				   uint8_t len)
{
	struct fake_conn *c = xcalloc(1, sizeof(*c));
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(5555) };
	struct srpt_tp_channel *ch = NULL;
	int r;

	inet_pton(AF_INET, "192.0.2.2", &src.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr);
	c->f = f;
	/* Held across the request so that the dispatch thread cannot act
	 * on the channel (and destroy its id) before it is recorded. */
	pthread_mutex_lock(&f->lock);
	if (f->nconns == f->capconns) {
		f->capconns = f->capconns ? 2 * f->capconns : 16;
		f->conns = realloc(f->conns, f->capconns * sizeof(*f->conns));
		if (!f->conns)
			abort();
	}
	c->idx = f->nconns;
	f->conns[f->nconns++] = c;
	c->id_alive = true;
	r = srpt_ev_connect_request(&f->t->tp, c, pdata, len,
				    (const struct sockaddr *)&src,
				    (const struct sockaddr *)&dst, &ch);
	c->connect_rc = r;
	if (r == 0) {
		c->ch = ch;
		c->ch_id = srpt_channel_get_id(srpt_ch_of(ch));
	} else {
		/* The transport's duty when the core could not take it. */
		uint8_t rej[SRPT_LOGIN_REJ_LEN];
		int n = srpt_ev_build_reject(pdata, len,
					     SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES,
					     rej, sizeof(rej));

		c->answer = FAKE_ANS_REJECT;
		c->answer_len = n > 0 ? (uint8_t)n : 0;
		memcpy(c->answer_buf, rej, c->answer_len);
		c->rejects++;
		c->id_alive = false;
	}
	pthread_mutex_unlock(&f->lock);
	return c;
}

static int cm_event(struct fake_conn *c, enum fake_cm_event ev,
		    void (*fn)(struct srpt_tp_channel *))
{
	struct fake_tp *f = c->f;

	pthread_mutex_lock(&f->lock);
	c->ev[ev]++;
	if (!c->ch) {
		pthread_mutex_unlock(&f->lock);
		return -ENOENT;
	}
	/* Only queues: safe under our lock, and the channel is alive
	 * because its id is. */
	fn(c->ch);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

int fake_established(struct fake_conn *c)
{
	return cm_event(c, FAKE_CM_ESTABLISHED, srpt_ev_established);
}

int fake_conn_error(struct fake_conn *c)
{
	return cm_event(c, FAKE_CM_CONN_ERROR, srpt_ev_conn_error);
}

int fake_disconnected(struct fake_conn *c)
{
	return cm_event(c, FAKE_CM_DISCONNECTED, srpt_ev_disconnected);
}

int fake_timewait_exit(struct fake_conn *c)
{
	return cm_event(c, FAKE_CM_TIMEWAIT_EXIT, srpt_ev_timewait_exit);
}

int fake_cm_fatal(struct fake_conn *c)
{
	return cm_event(c, FAKE_CM_FATAL, srpt_ev_fatal);
}

void fake_qp_event(struct fake_tp *f, uint32_t qpn, enum srpt_qp_event ev)
{
	/* A device reports events of QPs it made: pass through our lock,
	 * as the real event would pass through the kernel, so that it
	 * comes after the QP's creation and first receives. */
	pthread_mutex_lock(&f->lock);
	pthread_mutex_unlock(&f->lock);
	srpt_ev_qp_event(&f->t->tp, qpn, ev);
}

int fake_conn_qp_event(struct fake_conn *c, enum srpt_qp_event ev)
{
	struct fake_tp *f = c->f;
	uint32_t qpn;
	bool ok;

	pthread_mutex_lock(&f->lock);
	ok = c->has_qp && !c->qp_released;
	qpn = c->qpn;
	pthread_mutex_unlock(&f->lock);
	if (!ok)
		return -ENOENT;
	srpt_ev_qp_event(&f->t->tp, qpn, ev);
	return 0;
}

void fake_device_gone(struct fake_tp *f, int dev)
{
	srpt_ev_device_gone(&f->t->tp, dev);
}

/* ---- the hardware ---- */

/* Hand a work request taken off its queue to the core as completed (no
 * lock held: the core may post from inside), then free it. */
static int complete_wr(struct fake_tp *f, uint32_t qpn, struct fake_wr *wr,
		       int status, uint32_t len)
{
	int r = srpt_ev_completion(&f->t->tp, qpn, wr->wr_id, status, len);

	free_wr(wr);
	return r;
}

int fake_deliver(struct fake_conn *c, const void *iu, uint32_t len)
{
	return fake_deliver_sentinel(c, iu, len, 0xa5);
}

int fake_deliver_sentinel(struct fake_conn *c, const void *iu, uint32_t len,
			  uint8_t sentinel)
{
	struct fake_tp *f = c->f;
	struct fake_wr *wr;
	uint8_t *buf;
	uint32_t qpn;
	int status = 0, r;

	pthread_mutex_lock(&f->lock);
	if (!c->has_qp || c->frees) {
		pthread_mutex_unlock(&f->lock);
		return -ENOTCONN;
	}
	if (c->qp_error) {
		pthread_mutex_unlock(&f->lock);
		return -EIO;
	}
	if (c->srq)
		wr = q_pop(&f->srq_head[c->dev], &f->srq_tail[c->dev],
			   &f->srq_n[c->dev]);
	else
		wr = q_pop(&c->rq_head, &c->rq_tail, &c->rq_n);
	if (!wr) {
		pthread_mutex_unlock(&f->lock);
		return -ENOBUFS;
	}
	buf = (uint8_t *)(uintptr_t)wr->rsge.addr;
	if (len > wr->rsge.len) {
		status = 1;	/* a local length error, as verbs says */
		len = 0;
	} else {
		memset(buf, sentinel, wr->rsge.len);
		if (len)
			memcpy(buf, iu, len);
		if (f->poison)
			POISON(buf + len, wr->rsge.len - len);
	}
	qpn = c->qpn;
	pthread_mutex_unlock(&f->lock);
	r = complete_wr(f, qpn, wr, status, len);
	return status ? -EMSGSIZE : r;
}

unsigned int fake_sq_len(struct fake_conn *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->f->lock);
	n = c->sq_n;
	pthread_mutex_unlock(&c->f->lock);
	return n;
}

const struct fake_wr *fake_sq_get(struct fake_conn *c, unsigned int i)
{
	struct fake_wr *wr;

	pthread_mutex_lock(&c->f->lock);
	for (wr = c->sq_head; wr && i; wr = wr->next)
		i--;
	pthread_mutex_unlock(&c->f->lock);
	return wr;
}

unsigned int fake_rq_len(struct fake_conn *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->f->lock);
	n = c->srq ? c->f->srq_n[c->dev] : c->rq_n;
	pthread_mutex_unlock(&c->f->lock);
	return n;
}

/* Carry out a chain's RDMA between local and remote memory (under lock). */
static void do_rdma(struct fake_tp *f, struct fake_conn *c,
		    const struct fake_wr *wr)
{
	unsigned int ri = 0, li = 0;
	uint32_t roff = 0, loff = 0;

	for (unsigned int i = 0; i < wr->nrdma; i++)
		if (!region_find(f, true, wr->rdma[i].rkey, wr->rdma[i].raddr,
				 wr->rdma[i].len))
			return;		/* already reported at post */
	for (unsigned int i = 0; i < wr->nsge; i++)
		if (!region_find(f, false, wr->sge[i].lkey >> KEY_DEV_BITS,
				 wr->sge[i].addr, wr->sge[i].len))
			return;
	while (ri < wr->nrdma && li < wr->nsge) {
		uint32_t rl = wr->rdma[ri].len - roff;
		uint32_t ll = wr->sge[li].len - loff;
		uint32_t n = rl < ll ? rl : ll;
		uint8_t *r = (uint8_t *)(uintptr_t)(wr->rdma[ri].raddr + roff);
		uint8_t *l = (uint8_t *)(uintptr_t)(wr->sge[li].addr + loff);

		if (wr->rdma_read)
			memcpy(l, r, n);
		else
			memcpy(r, l, n);
		roff += n;
		loff += n;
		if (roff == wr->rdma[ri].len) {
			ri++;
			roff = 0;
		}
		if (loff == wr->sge[li].len) {
			li++;
			loff = 0;
		}
	}
	(void)c;
}

int fake_complete_sends(struct fake_conn *c, unsigned int n, int status)
{
	struct fake_tp *f = c->f;
	int done = 0;

	while ((unsigned int)done < n) {
		struct fake_wr *wr;
		uint32_t qpn;

		pthread_mutex_lock(&f->lock);
		wr = c->sq_head;
		if (!wr || wr->kind != FAKE_WR_CHAIN) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		q_pop(&c->sq_head, &c->sq_tail, &c->sq_n);
		if (wr->send_len && memcmp(wr->send, wr->send_addr,
					   wr->send_len))
			fake_error(f, "conn %u: SEND buffer changed while posted",
				   c->idx);
		if (!status)
			do_rdma(f, c, wr);
		if (!status && wr->unsignaled) {
			/* Done, silently: its slots are freed with the next
			 * completion the core polls. */
			c->sq_held += wr_count(wr);
			pthread_mutex_unlock(&f->lock);
			free_wr(wr);
			done++;
			continue;
		}
		c->sq_wrs -= wr_count(wr) + c->sq_held;
		c->sq_held = 0;
		qpn = c->qpn;
		pthread_mutex_unlock(&f->lock);
		complete_wr(f, qpn, wr, status, 0);
		done++;
	}
	return done;
}

int fake_complete_drain(struct fake_conn *c, int status)
{
	struct fake_tp *f = c->f;
	struct fake_wr *wr;
	uint32_t qpn;

	pthread_mutex_lock(&f->lock);
	wr = c->sq_head;
	if (!wr || wr->kind != FAKE_WR_DRAIN) {
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	q_pop(&c->sq_head, &c->sq_tail, &c->sq_n);
	c->sq_wrs -= 1 + c->sq_held;
	c->sq_held = 0;
	c->drain_in_sq = false;
	qpn = c->qpn;
	pthread_mutex_unlock(&f->lock);
	complete_wr(f, qpn, wr, status, 0);
	return 1;
}

int fake_flush_recvs(struct fake_conn *c, unsigned int n)
{
	struct fake_tp *f = c->f;
	int done = 0;

	while ((unsigned int)done < n) {
		struct fake_wr *wr;
		uint32_t qpn;

		pthread_mutex_lock(&f->lock);
		wr = q_pop(&c->rq_head, &c->rq_tail, &c->rq_n);
		qpn = c->qpn;
		pthread_mutex_unlock(&f->lock);
		if (!wr)
			break;
		complete_wr(f, qpn, wr, FAKE_FLUSH_ERR, 0);
		done++;
	}
	return done;
}

void fake_flush(struct fake_conn *c, enum fake_flush_order order)
{
	/* s: the sends, r: the receives, d: the drain write */
	static const char *const steps[FAKE_FLUSH_ORDERS] = {
		[FAKE_FLUSH_SEND_RECV_DRAIN] = "srd",
		[FAKE_FLUSH_RECV_SEND_DRAIN] = "rsd",
		[FAKE_FLUSH_SEND_DRAIN_RECV] = "sdr",
		[FAKE_FLUSH_NO_DRAIN] = "sr",
	};

	for (const char *p = steps[order < FAKE_FLUSH_ORDERS ? order :
				   FAKE_FLUSH_NO_DRAIN]; *p; p++) {
		if (*p == 's')
			fake_complete_sends(c, UINT32_MAX, FAKE_FLUSH_ERR);
		else if (*p == 'r')
			fake_flush_recvs(c, UINT32_MAX);
		else
			fake_complete_drain(c, FAKE_FLUSH_ERR);
	}
}

int fake_complete_raw(struct fake_tp *f, uint32_t qpn, uint64_t wr_id,
		      int status, uint32_t len)
{
	return srpt_ev_completion(&f->t->tp, qpn, wr_id, status, len);
}

/* ---- what a connection saw ---- */

void fake_conn_info(struct fake_conn *c, struct fake_conn_info *o)
{
	pthread_mutex_lock(&c->f->lock);
	memset(o, 0, sizeof(*o));
	o->idx = c->idx;
	o->connect_rc = c->connect_rc;
	o->ch_id = c->ch_id;
	o->id_alive = c->id_alive;
	o->has_qp = c->has_qp;
	o->qp_error = c->qp_error;
	o->qpn = c->qpn;
	o->dev = c->dev;
	o->answer = c->answer;
	memcpy(o->answer_buf, c->answer_buf, sizeof(o->answer_buf));
	o->answer_len = c->answer_len;
	o->creates = c->creates;
	o->accepts = c->accepts;
	o->rejects = c->rejects;
	o->disconnects = c->disconnects;
	o->qp_errors = c->qp_errors;
	o->drains = c->drains;
	o->destroys = c->destroys;
	o->frees = c->frees;
	o->rq = c->rq_n;
	o->sq = c->sq_n;
	o->drain_in_sq = c->drain_in_sq;
	o->post_recv_calls = c->post_recv_calls;
	o->post_chain_calls = c->post_chain_calls;
	o->signaled = c->signaled;
	o->sq_held = c->sq_held;
	memcpy(o->ev, c->ev, sizeof(o->ev));
	pthread_mutex_unlock(&c->f->lock);
}

struct fake_conn *fake_conn_at(struct fake_tp *f, unsigned int idx)
{
	struct fake_conn *c = NULL;

	pthread_mutex_lock(&f->lock);
	if (idx < f->nconns)
		c = f->conns[idx];
	pthread_mutex_unlock(&f->lock);
	return c;
}

unsigned int fake_conn_count(struct fake_tp *f)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	n = f->nconns;
	pthread_mutex_unlock(&f->lock);
	return n;
}

struct fake_tp *fake_conn_fake(struct fake_conn *c)
{
	return c->f;
}

struct srpt_channel *fake_conn_channel_ref(struct fake_conn *c)
{
	struct srpt_channel *ch;

	pthread_mutex_lock(&c->f->lock);
	ch = c->ch ? srpt_channel_ref(srpt_ch_of(c->ch)) : NULL;
	pthread_mutex_unlock(&c->f->lock);
	return ch;
}

struct srpt_channel *fake_conn_channel(struct fake_conn *c)
{
	struct srpt_channel *ch;

	pthread_mutex_lock(&c->f->lock);
	ch = c->ch ? srpt_ch_of(c->ch) : NULL;
	pthread_mutex_unlock(&c->f->lock);
	return ch;
}

unsigned int fake_sent_count(struct fake_conn *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->f->lock);
	n = c->nsent;
	pthread_mutex_unlock(&c->f->lock);
	return n;
}

const uint8_t *fake_sent(struct fake_conn *c, unsigned int i, uint32_t *len)
{
	const uint8_t *p = NULL;

	pthread_mutex_lock(&c->f->lock);
	if (i < c->nsent) {
		p = c->sent[i].buf;
		if (len)
			*len = c->sent[i].len;
	}
	pthread_mutex_unlock(&c->f->lock);
	return p;
}
