/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The application side of the core tests: see harness.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/byteorder.h"

static const char *st_name(int s)
{
	return srpt_channel_state_name((enum srpt_channel_state)s);
}

/* Under a->lock. */
static struct app_ch *rec_get(struct app *a, uint64_t id, bool create)
{
	if (id >= a->nchs) {
		size_t n = a->nchs ? a->nchs : 64;

		if (!create)
			return NULL;
		while (n <= id)
			n *= 2;
		a->chs = realloc(a->chs, n * sizeof(*a->chs));
		ck_assert_ptr_nonnull(a->chs);
		memset(a->chs + a->nchs, 0, (n - a->nchs) * sizeof(*a->chs));
		a->nchs = n;
	}
	if (!a->chs[id].used && !create)
		return NULL;
	a->chs[id].used = true;
	return &a->chs[id];
}

/* Under a->lock: append a callback to a channel's log. */
static void rec_log(struct app *a, struct app_ch *r, uint64_t id, char cb,
		    int state)
{
	if (r->nlog && r->log[r->nlog - 1] == 'X')
		fake_error(a->f, "channel %llu: callback %c after on_drained (log %s)",
			   (unsigned long long)id, cb, r->log);
	if (r->nlog && state < r->state_at[r->nlog - 1])
		fake_error(a->f, "channel %llu: state went back from %s to %s at %c",
			   (unsigned long long)id,
			   st_name(r->state_at[r->nlog - 1]), st_name(state),
			   cb);
	if (r->nlog == APP_LOG_MAX) {
		fake_error(a->f, "channel %llu: too many callbacks",
			   (unsigned long long)id);
		return;
	}
	r->state_at[r->nlog] = state;
	r->log[r->nlog++] = cb;
	r->log[r->nlog] = 0;
}

/* A lifecycle callback other than on_req: the record must exist. */
static struct app_ch *rec_cb(struct app *a, struct srpt_channel *ch, char cb,
			     int want_min, int want_max)
{
	uint64_t id = srpt_channel_get_id(ch);
	int st = srpt_channel_get_state(ch);
	struct app_ch *r = rec_get(a, id, false);

	if (!r || !r->nlog) {
		fake_error(a->f, "channel %llu: callback %c but on_req never saw it",
			   (unsigned long long)id, cb);
		return NULL;
	}
	if (st < want_min || st > want_max)
		fake_error(a->f, "channel %llu: callback %c in state %s",
			   (unsigned long long)id, cb, st_name(st));
	rec_log(a, r, id, cb, st);
	return r;
}

static int cb_on_req(struct srpt_channel *ch,
		     const struct srpt_login_info *login, void *ud)
{
	struct app *a = ud;
	uint64_t id = srpt_channel_get_id(ch);
	int st = srpt_channel_get_state(ch);
	struct app_ch *r;
	int v;

	pthread_mutex_lock(&a->lock);
	r = rec_get(a, id, true);
	if (r->nlog)
		fake_error(a->f, "channel %llu: on_req twice",
			   (unsigned long long)id);
	if (st != SRPT_CH_CONNECTING)
		fake_error(a->f, "channel %llu: on_req in state %s",
			   (unsigned long long)id, st_name(st));
	rec_log(a, r, id, 'R', st);
	r->ch = ch;
	a->reqs++;
	pthread_mutex_unlock(&a->lock);
	if (srpt_channel_get_login(ch) != login)
		fake_error(a->f, "on_req: login is not the channel's");
	v = a->hooks.on_req ? a->hooks.on_req(a, ch, login) : a->req_verdict;
	pthread_mutex_lock(&a->lock);
	rec_get(a, id, false)->verdict = v;
	pthread_mutex_unlock(&a->lock);
	return v;
}

static void cb_on_rtu(struct srpt_channel *ch, void *ud)
{
	struct app *a = ud;

	pthread_mutex_lock(&a->lock);
	rec_cb(a, ch, 'T', SRPT_CH_LIVE, SRPT_CH_LIVE);
	a->rtus++;
	pthread_mutex_unlock(&a->lock);
	if (a->hooks.on_rtu)
		a->hooks.on_rtu(a, ch);
}

static void cb_on_dreq(struct srpt_channel *ch, void *ud)
{
	struct app *a = ud;

	pthread_mutex_lock(&a->lock);
	rec_cb(a, ch, 'D', SRPT_CH_CONNECTING, SRPT_CH_DISCONNECTING);
	a->dreqs++;
	pthread_mutex_unlock(&a->lock);
	if (a->hooks.on_dreq)
		a->hooks.on_dreq(a, ch);
}

static int cb_on_drained(struct srpt_channel *ch, void *ud)
{
	struct app *a = ud;
	struct app_ch *r;
	unsigned int i;
	int v;

	pthread_mutex_lock(&a->lock);
	r = rec_cb(a, ch, 'X', SRPT_CH_DISCONNECTED, SRPT_CH_DISCONNECTED);
	if (r)
		r->ch = NULL;
	if (r && r->owned)
		fake_error(a->f, "channel %llu: on_drained while the app owns %d commands",
			   (unsigned long long)srpt_channel_get_id(ch), r->owned);
	for (i = 0; i < a->nheld; i++)
		if (srpt_io_get_channel(a->held[i]) == ch)
			fake_error(a->f, "channel %llu: on_drained while the app still owns a command",
				   (unsigned long long)srpt_channel_get_id(ch));
	a->drained++;
	pthread_mutex_unlock(&a->lock);
	v = a->hooks.on_drained ? a->hooks.on_drained(a, ch) :
	    a->drained_verdict;
	if (v == SRPT_DRAINED_PENDING) {
		pthread_mutex_lock(&a->lock);
		if (a->npending == a->cappending) {
			a->cappending = a->cappending ? 2 * a->cappending : 16;
			a->pending = realloc(a->pending, a->cappending *
					     sizeof(*a->pending));
		}
		a->pending[a->npending++] = ch;
		pthread_mutex_unlock(&a->lock);
	}
	return v;
}

static void hold(struct app *a, struct srpt_io *io)
{
	pthread_mutex_lock(&a->lock);
	if (a->nheld == a->capheld) {
		a->capheld = a->capheld ? 2 * a->capheld : 32;
		a->held = realloc(a->held, a->capheld * sizeof(*a->held));
	}
	a->held[a->nheld++] = io;
	pthread_mutex_unlock(&a->lock);
}

static void cb_on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *ud)
{
	struct app *a = ud;
	uint64_t id = srpt_channel_get_id(ch);
	int st = srpt_channel_get_state(ch);
	struct app_ch *r;

	pthread_mutex_lock(&a->lock);
	r = rec_get(a, id, false);
	if (!r || !strchr(r->log, 'T') || strchr(r->log, 'X'))
		fake_error(a->f, "channel %llu: on_cmd outside on_rtu..on_drained (log %s)",
			   (unsigned long long)id, r ? r->log : "-");
	if (r && strchr(r->log, 'D')) {
		r->cmds_after_dreq++;
		if (a->strict)
			fake_error(a->f, "channel %llu: on_cmd after on_dreq",
				   (unsigned long long)id);
	}
	if (a->strict && st != SRPT_CH_LIVE)
		fake_error(a->f, "channel %llu: on_cmd in state %s",
			   (unsigned long long)id, st_name(st));
	if (srpt_io_get_channel(io) != ch)
		fake_error(a->f, "on_cmd: io of another channel");
	if (r)
		r->cmds++;
	a->cmds++;
	if (a->ncmd_log < APP_CMD_LOG_MAX) {
		a->cmd_log[a->ncmd_log] = srpt_io_get_info(io)->tag;
		a->cmd_log_ch[a->ncmd_log++] = id;
	}
	pthread_mutex_unlock(&a->lock);
	if (a->hooks.on_cmd) {
		a->hooks.on_cmd(a, ch, io);
	} else if (a->auto_complete) {
		struct srpt_io_result res = { .size = sizeof(res),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		if (srpt_io_complete(io, &res))
			fake_error(a->f, "srpt_io_complete failed");
	} else {
		hold(a, io);
	}
}

static int cb_on_tmf(struct srpt_channel *ch, const struct srpt_tmf_info *tmf,
		     void *ud)
{
	struct app *a = ud;
	struct app_ch *r;

	pthread_mutex_lock(&a->lock);
	r = rec_get(a, srpt_channel_get_id(ch), false);
	if (r)
		r->tmfs++;
	a->tmfs++;
	a->last_tmf = *tmf;
	pthread_mutex_unlock(&a->lock);
	return a->hooks.on_tmf ? a->hooks.on_tmf(a, ch, tmf->func, tmf->lun) :
	       0;
}

static void cb_on_abort(struct srpt_io *io, void *ud)
{
	struct app *a = ud;

	pthread_mutex_lock(&a->lock);
	a->aborts++;
	pthread_mutex_unlock(&a->lock);
	if (a->hooks.on_abort)
		a->hooks.on_abort(a, io);
}

/* ---- setup and teardown ---- */

struct app *app_alloc(void)
{
	struct app *a = calloc(1, sizeof(*a));

	ck_assert_ptr_nonnull(a);
	pthread_mutex_init(&a->lock, NULL);
	a->f = fake_new();
	a->ops.on_req = cb_on_req;
	a->ops.on_rtu = cb_on_rtu;
	a->ops.on_dreq = cb_on_dreq;
	a->ops.on_drained = cb_on_drained;
	a->ops.on_cmd = cb_on_cmd;
	a->ops.on_tmf = cb_on_tmf;
	a->ops.on_abort = cb_on_abort;
	a->ops.size = sizeof(a->ops);
	a->opts.size = sizeof(a->opts);
	a->opts.ops = &a->ops;
	a->opts.userdata = a;
	a->opts.queue_depth = 8;
	a->opts.drain_timeout_ms = 1000;
	a->req_verdict = SRPT_LOGIN_ACCEPT;
	a->drained_verdict = SRPT_DRAINED_DONE;
	a->auto_complete = true;
	a->strict = true;
	srpt_rcu_thread_online();
	return a;
}

int app_start(struct app *a)
{
	return fake_target_new(a->f, &a->opts, &a->t);
}

struct app *app_new(void)
{
	struct app *a = app_alloc();
	int r = app_start(a);

	ck_assert_msg(r == 0, "cannot create the target: %d", r);
	return a;
}

void app_end(struct app *a)
{
	app_finish(a);
	app_check(a);
	app_free(a);
}

int app_dispatch(struct app *a)
{
	return fake_dispatch(a->f);
}

static bool complete_one_held(struct app *a)
{
	struct srpt_io_result res = { .size = sizeof(res), .expected_len = SRPT_LEN_AS_DESCRIBED };
	struct srpt_io *io = app_take(a, 0);

	if (!io)
		return false;
	srpt_io_complete(io, &res);
	return true;
}

static bool finish_pending(struct app *a)
{
	struct srpt_channel *ch = NULL;

	pthread_mutex_lock(&a->lock);
	if (a->npending)
		ch = a->pending[--a->npending];
	pthread_mutex_unlock(&a->lock);
	if (!ch)
		return false;
	if (srpt_channel_drained_done(ch))
		fake_error(a->f, "srpt_channel_drained_done failed");
	return true;
}

void app_finish(struct app *a)
{
	unsigned int round, i, n;
	unsigned char *closed = NULL;
	unsigned int nclosed = 0;

	if (!a->t)
		return;
	for (round = 0; round < 200; round++) {
		bool progress = false;

		app_dispatch(a);
		while (complete_one_held(a))
			progress = true;
		while (finish_pending(a))
			progress = true;
		n = fake_conn_count(a->f);
		if (n > nclosed) {
			closed = realloc(closed, n);
			memset(closed + nclosed, 0, n - nclosed);
			nclosed = n;
		}
		for (i = 0; i < n; i++) {
			struct fake_conn *c = fake_conn_at(a->f, i);
			struct srpt_channel *ch = fake_conn_channel(c);
			struct fake_conn_info ci;
			int st = SRPT_CH_DISCONNECTED;

			if (ch) {
				st = srpt_channel_get_state(ch);
				if (st < SRPT_CH_DISCONNECTING && !closed[i]) {
					srpt_channel_close(ch);
					closed[i] = 1;
					progress = true;
				}
			}
			fake_conn_info(c, &ci);
			/* The CM reports our DREQ's answer (or its timeout). */
			if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED] &&
			    ci.id_alive) {
				fake_disconnected(c);
				progress = true;
			}
			if ((st >= SRPT_CH_DRAINING || !ch) &&
			    (ci.sq || ci.rq)) {
				fake_flush(c, FAKE_FLUSH_SEND_RECV_DRAIN);
				progress = true;
			}
		}
		if (progress)
			continue;
		if (!srpt_target_channel_count(a->t))
			break;
		/* Stuck on a drain that never completes: let it time out. */
		fake_advance(a->f, a->opts.drain_timeout_ms + 1);
	}
	free(closed);
	app_dispatch(a);
	if (a->mr) {
		srpt_target_dereg_mem(a->t, a->mr);
		a->mr = NULL;
	}
}

void app_check(struct app *a)
{
	unsigned int i, n;

	if (!a->t)
		return;
	ck_assert_msg(srpt_target_channel_count(a->t) == 0,
		      "%s: %u channels left (violations: %s)", a->ctx,
		      srpt_target_channel_count(a->t), fake_error_text(a->f));
	ck_assert_msg(app_held(a) == 0, "%s: the app still owns commands",
		      a->ctx);
	n = fake_conn_count(a->f);
	for (i = 0; i < n; i++) {
		struct fake_conn_info ci;
		struct app_ch r;
		const char *p;

		fake_conn_info(fake_conn_at(a->f, i), &ci);
		if (!ci.ch_id || !app_ch_get(a, ci.ch_id, &r) || !r.nlog)
			continue;
		/* on_req [on_rtu] [on_dreq] on_drained, nothing else. */
		p = r.log;
		if (*p == 'R')
			p++;
		if (*p == 'T')
			p++;
		if (*p == 'D')
			p++;
		if (*p == 'X')
			p++;
		if (r.log[0] != 'R' || *p || r.log[r.nlog - 1] != 'X')
			fake_error(a->f, "channel %llu: callback sequence %s",
				   (unsigned long long)ci.ch_id, r.log);
		if (strchr(r.log, 'T') && !ci.accepts)
			fake_error(a->f, "channel %llu: on_rtu without accept (log %s)",
				   (unsigned long long)ci.ch_id, r.log);
		if (!!strchr(r.log, 'D') != !!ci.accepts)
			fake_error(a->f, "channel %llu: on_dreq %s but accept was %s (log %s)",
				   (unsigned long long)ci.ch_id,
				   strchr(r.log, 'D') ? "called" : "not called",
				   ci.accepts ? "sent" : "not sent", r.log);
		if (r.cmds && !strchr(r.log, 'T'))
			fake_error(a->f, "channel %llu: commands without on_rtu",
				   (unsigned long long)ci.ch_id);
	}
	if (a->opts.flags & SRPT_TARGET_SRQ) {
		/* The shared receive buffers live as long as the target:
		 * drop it before the check that nothing is registered. */
		if (a->mr)
			srpt_target_dereg_mem(a->t, a->mr);
		a->mr = NULL;
		a->t = srpt_target_unref(a->t);
		fake_check_final(a->f);
	} else {
		/* The target may go on (test-lifecycle): registrations it
		 * keeps for its life (the table pool) are checked when it
		 * is dropped, in app_free(). */
		fake_check_conns(a->f);
	}
	app_assert_clean(a);
}

void app_free(struct app *a)
{
	if (a->t && a->mr)
		srpt_target_dereg_mem(a->t, a->mr);
	if (a->t) {
		srpt_target_unref(a->t);
		ck_assert_msg(fake_check_final(a->f) == 0,
			      "%s: after the target went:\n%s", a->ctx,
			      fake_error_text(a->f));
	}
	fake_free(a->f);
	free(a->mem);
	free(a->chs);
	free(a->held);
	free(a->pending);
	pthread_mutex_destroy(&a->lock);
	free(a);
	srpt_rcu_thread_offline();
}

/* ---- logins ---- */

struct fake_conn *app_login(struct app *a, unsigned int initiator)
{
	struct srpt_login_req req;
	struct fake_conn *c;

	fake_login_req_init(a->f, &req, initiator);
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	return c;
}

struct fake_conn *app_login_live(struct app *a, unsigned int initiator)
{
	struct fake_conn *c = app_login(a, initiator);
	struct srpt_channel *ch;

	fake_established(c);
	app_dispatch(a);
	ch = fake_conn_channel(c);
	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_LIVE);
	return c;
}

bool app_ch_get(struct app *a, uint64_t id, struct app_ch *out)
{
	struct app_ch *r;

	pthread_mutex_lock(&a->lock);
	r = rec_get(a, id, false);
	if (r)
		*out = *r;
	pthread_mutex_unlock(&a->lock);
	return r != NULL;
}

bool app_conn_ch(struct app *a, struct fake_conn *c, struct app_ch *out)
{
	struct fake_conn_info ci;

	fake_conn_info(c, &ci);
	memset(out, 0, sizeof(*out));
	return ci.ch_id && app_ch_get(a, ci.ch_id, out);
}

void app_owned_add(struct app *a, struct srpt_channel *ch, int d)
{
	struct app_ch *r;

	pthread_mutex_lock(&a->lock);
	r = rec_get(a, srpt_channel_get_id(ch), false);
	if (r)
		r->owned += d;
	pthread_mutex_unlock(&a->lock);
}

/* ---- held commands ---- */

unsigned int app_held(struct app *a)
{
	unsigned int n;

	pthread_mutex_lock(&a->lock);
	n = a->nheld;
	pthread_mutex_unlock(&a->lock);
	return n;
}

struct srpt_io *app_take(struct app *a, unsigned int i)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(&a->lock);
	if (i < a->nheld) {
		io = a->held[i];
		memmove(a->held + i, a->held + i + 1,
			(a->nheld - i - 1) * sizeof(*a->held));
		a->nheld--;
	}
	pthread_mutex_unlock(&a->lock);
	return io;
}

struct srpt_io *app_take_tag(struct app *a, uint64_t tag)
{
	unsigned int i;

	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->nheld; i++)
		if (srpt_io_get_info(a->held[i])->tag == tag)
			break;
	pthread_mutex_unlock(&a->lock);
	return app_take(a, i);
}

void app_complete_all(struct app *a)
{
	while (complete_one_held(a))
		;
}

uint8_t *app_mem(struct app *a, size_t len)
{
	int r;

	if (a->mem)
		return a->mem;
	a->mem = calloc(1, len);
	ck_assert_ptr_nonnull(a->mem);
	a->mem_len = len;
	r = srpt_target_reg_mem(a->t, a->mem, len, &a->mr);
	ck_assert_int_eq(r, 0);
	return a->mem;
}

void app_stats(struct app *a, struct srpt_stats *s)
{
	srpt_stats_read(a->t, s);
}

void app_rsp_at(struct fake_conn *c, unsigned int i, struct srpt_rsp *rsp)
{
	uint32_t len = 0;
	const uint8_t *p = fake_sent(c, i, &len);
	int r;

	ck_assert_msg(p != NULL, "no SEND number %u", i);
	memset(rsp, 0, sizeof(*rsp));
	r = srpt_rsp_decode(p, len, rsp);
	ck_assert_msg(r == 0, "SEND %u (%u bytes, opcode 0x%02x) is not an SRP_RSP: %d",
		      i, len, len ? p[0] : 0, r);
}

void app_last_rsp(struct fake_conn *c, struct srpt_rsp *rsp)
{
	unsigned int n = fake_sent_count(c);

	ck_assert_msg(n > 0, "nothing was sent");
	app_rsp_at(c, n - 1, rsp);
}

int mk_cmd(const struct cmd_spec *s, uint8_t *buf, size_t cap)
{
	struct srpt_cmd c;
	uint8_t list[16 * 64];
	uint8_t cdb[16 + 128];
	struct srpt_data_desc *d;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	memset(cdb, 0, sizeof(cdb));
	memcpy(cdb, s->cdb, 16);
	c.tag = s->tag;
	memcpy(c.lun, s->lun, 8);
	c.task_attr = s->task_attr;
	c.add_cdb_len = s->add_cdb_len;
	c.cdb = cdb;
	c.cdb_len = 16 + s->add_cdb_len;
	c.data_out_fmt = s->fmt_out;
	c.data_in_fmt = s->fmt_in;
	d = s->fmt_out ? &c.data_out : &c.data_in;
	d->fmt = s->fmt_out ? s->fmt_out : s->fmt_in;
	switch (d->fmt) {
	case SRPT_DATA_FMT_DIRECT:
		d->direct = s->direct;
		d->total_len = s->direct.len;
		break;
	case SRPT_DATA_FMT_INDIRECT:
		for (i = 0; i < s->nlist; i++) {
			put_be64(list + 16 * i, s->list[i].va);
			put_be32(list + 16 * i + 8, s->list[i].key);
			put_be32(list + 16 * i + 12, s->list[i].len);
		}
		d->inline_cnt = s->nlist;
		d->inline_list = list;
		d->table.va = 0xdead0000;
		d->table.key = 0x77;
		d->table.len = 16 * (s->table_cnt ? s->table_cnt : s->nlist);
		if (s->table.len)
			d->table = s->table;
		d->total_len = s->total_len;
		if (s->fmt_out)
			c.data_out_desc_cnt = (uint8_t)s->nlist;
		else
			c.data_in_desc_cnt = (uint8_t)s->nlist;
		break;
	case SRPT_DATA_FMT_IMM:
		d->total_len = s->total_len;
		d->imm_data = s->imm;
		d->imm_offset = s->imm_offset;
		break;
	default:
		break;
	}
	return srpt_cmd_encode(&c, buf, cap);
}
