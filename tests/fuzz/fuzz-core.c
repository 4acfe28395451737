/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Fuzz target: the session core, statefully, on the fake transport.
 *
 * The input is a sequence of operations played single-threaded: the
 * initiator sends IUs, the CM and the hardware report events, the
 * application answers, holds, fetches, closes. After every operation the
 * invariants below are checked against a shadow of what the initiator
 * sent and saw; a violation prints why and aborts. At the end of every
 * input everything is torn down and must go away.
 *
 * Input: three header bytes, then operations until the input ends.
 *   header[0]  queue depth 4 + b % 13
 *   header[1]  send queue cap of the fake: 0 none, else 4 + b % 60
 *   header[2]  bit 0 shared receive queue (16 + (b >> 4) buffers),
 *              bits 1-2 max_ti_iu_len 256/64/40/1024, bit 3 io_priv_size
 * Every operation is an opcode byte, (b & 0x7f) % 20, then its operand
 * bytes (0 past the end). The target's dispatch queue is run after it
 * unless bit 7 of the opcode is set. "conn" picks one of the logins made
 * so far, b % count; an operation without one does nothing.
 *   0  LOGIN f1 f2     new connection. f1: bits 0-1 on_req accepts (0, 1),
 *                      defers (2), rejects (3); bit 2 SINGLE; bits 3-4
 *                      initiator; bit 5 on_drained answers PENDING; bit 6
 *                      device 1; bit 7 no immediate data. f2: bits 0-2
 *                      it_iu_len class, 3-4 immediate data offset class,
 *                      5-6 buffer format class, 7 wrong target port
 *   1  RTU conn        the CM reports the connection established
 *   2  CMD conn shape cnt size act lun mut [flip]   an SRP_CMD: see
 *                      spec_read() in fuzz-core-iu.c
 *   3  TSK conn func target lun trunc   an SRP_TSK_MGMT
 *   4  RAW conn type len   I_LOGOUT, CRED_RSP, AER_RSP, opcodes only the
 *                      target sends, garbage, truncated, empty
 *   5  SENDS conn n st complete 1 + n % 8 chains (all from 0xf0), with
 *                      success, or an error status from st >= 0xe0
 *   6  DRAIN conn st   complete the drain write (flushed if st & 1)
 *   7  FLUSH conn sel  flush everything in one of four orders, or with
 *                      sel & 4 only 1 + sel >> 3 receives
 *   8  DONE idx kind   the app completes a held command: GOOD with DATA-IN
 *                      from registered or bounce memory, CHECK CONDITION,
 *                      an invalid result, less data than described
 *   9  FETCH idx how   the app fetches a held command's DATA-OUT
 *  10  CM conn sel     DREQ, timewait exit, REJ, CM device removal, or the
 *                      QP events COMM_EST, FATAL, LAST_WQE_REACHED
 *  11  CLOSE conn      srpt_channel_close()
 *  12  GONE dev        device removal of device dev & 1
 *  13  CLOCK sel       advance the clock past the drain timeout, or
 *                      (sel & 0x7f) * 10 ms from sel 0x80
 *  14  FAIL op nth     make the 1 + nth % 4-th next call of a transport
 *                      op fail: post_chain, post_recv, reg_mem, accept,
 *                      reject, disconnect, qp_to_error, post_drain,
 *                      ch_create, srq_create, srq_post
 *  15  DECIDE conn sel srpt_channel_accept() (reject with sel & 1)
 *  16  UNREG conn      srpt_channel_drained_done() of a PENDING on_drained
 *  17  PORT sel        srpt_target_disable() (sel & 1) or _enable()
 *  18  BURST conn n act   1 + n % 16 direct 4 KiB READs (WRITEs from
 *                      n & 0x80), the app acting on each as act says
 *  19  NOP             just the dispatch
 *
 * Invariants (fuzz-core-check.c, fuzz-core-app.c):
 *  1  every SRP_CMD and SRP_TSK_MGMT the target received gets one SRP_RSP
 *     with its tag, never two; at a quiescent point of a live channel
 *     (dispatched, nothing posted, nothing held) none is missing, except
 *     commands a completed task management function aborted, and except
 *     once an injected post_chain failure fired (the core then drops the
 *     response, as for a QP that is going away); an IU that is no
 *     request, or has no tag, ends the channel (T_LOGOUT or not).
 *  2  every RDMA transfer lies in memory the command of its rkey
 *     described and may use now: WRITE in its DATA-IN descriptors after
 *     the application completed it with data, READ in its DATA-OUT
 *     descriptors while the application fetches, or in its descriptor
 *     table before on_cmd; never after its SRP_RSP; no more bytes than
 *     the application gave or asked for.
 *  3  the initiator's credits (LOGIN_RSP, minus one per request, plus
 *     every req_lim_delta) never exceed the grant, and equal it at a
 *     quiescent point (with the same exception as 1).
 *  4  no chain after the drain write; the fake's own checks (nothing
 *     after the QP error, no send queue overrun, ...) count nothing.
 *  5  on_req, [on_rtu], [on_dreq exactly when accepted], on_drained once;
 *     on_cmd and on_tmf only between on_rtu and on_dreq on a live channel,
 *     each command once, as sent; on_drained only once the application
 *     owns none of the channel's commands.
 *  6  after teardown no channel is left, the fake's final checks pass,
 *     and ASan/LSan see no leak.
 *  7  DATA-IN arrives as the application gave it, DATA-OUT as the
 *     initiator had it.
 *
 * FUZZ_CORE_TRACE=1 in the environment prints every step.
 */
#include <dlfcn.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "fuzz-core.h"

#define FC_MAX_STEPS 400
#define FC_RING 24

enum fc_op {
	OP_LOGIN, OP_RTU, OP_CMD, OP_TSK, OP_RAW, OP_SENDS, OP_DRAIN,
	OP_FLUSH, OP_DONE, OP_FETCH, OP_CM, OP_CLOSE, OP_GONE, OP_CLOCK,
	OP_FAIL, OP_DECIDE, OP_UNREG, OP_PORT, OP_BURST, OP_NOP, OP_COUNT,
};

static const char *const op_names[OP_COUNT] = {
	"LOGIN", "RTU", "CMD", "TSK", "RAW", "SENDS", "DRAIN", "FLUSH",
	"DONE", "FETCH", "CM", "CLOSE", "GONE", "CLOCK", "FAIL", "DECIDE",
	"UNREG", "PORT", "BURST", "NOP",
};

static bool verbose;
/* volatile: only ever stored, yet it must stay a root for LeakSanitizer */
static struct cds_lfht *volatile keep_table;

/* The last steps, printed with a violation. */
static struct { unsigned long step; size_t at; int op; } ring[FC_RING];

/*
 * liburcu's call_rcu thread sleeps 10 ms after every wake-up, to batch
 * callbacks, and the target's last unref waits for the channels' freeing
 * callbacks (urcu_memb_barrier()): 10 ms an input, most of the fuzzer's
 * time. Such sleeps are poll()s without descriptors; in this process they
 * only yield. Every other poll() is passed on.
 */
int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);

	if (!fds && !n) {
		sched_yield();
		return 0;
	}
	if (!real)
		real = (int (*)(struct pollfd *, nfds_t, int))
		       dlsym(RTLD_NEXT, "poll");
	return real(fds, n, timeout);
}

/* ---- input, trace, failure ---- */

uint8_t fc_byte(struct fc *z)
{
	return z->pos < z->len ? z->in[z->pos++] : 0;
}

void fc_trace(struct fc *z, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	(void)z;
}

void fc_fail(struct fc *z, enum fc_inv inv, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz-core: invariant %d violated at step %lu%s: ",
		inv, z->step, z->teardown ? " (teardown)" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfuzz-core: the last steps (input offset: op):\n");
	for (unsigned long s = z->step > FC_RING ? z->step - FC_RING : 0;
	     s < z->step; s++)
		fprintf(stderr, "  %lu @%zu: %s\n", s, ring[s % FC_RING].at,
			op_names[ring[s % FC_RING].op]);
	abort();
}

static struct fc_conn *conn_arg(struct fc *z)
{
	uint8_t b = fc_byte(z);

	return z->nconns ? &z->conns[b % z->nconns] : NULL;
}

static struct fc_iu *held_arg(struct fc *z)
{
	uint8_t b = fc_byte(z);

	return z->nheld ? &z->ius[z->held[b % z->nheld]] : NULL;
}

/* ---- logins ---- */

static const uint32_t it_lens[8] = { 8260, 1024, 512, 128, 64, 300, 4096,
				     8277 };
static const uint16_t imm_offs[4] = { 68, 80, 52, 200 };
static const uint16_t buf_fmts[4] = { 6, 2, 4, 0x16 };

static void op_login(struct fc *z)
{
	uint8_t f1 = fc_byte(z), f2 = fc_byte(z);
	static const int verdicts[4] = {
		SRPT_LOGIN_ACCEPT, SRPT_LOGIN_ACCEPT, SRPT_LOGIN_DEFER,
		SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED,
	};
	struct srpt_login_req req;
	struct fake_conn_info ci;
	struct fc_conn *k;

	if (z->nconns == FC_MAX_CONNS)
		return;
	k = &z->conns[z->nconns++];
	memset(k, 0, sizeof(*k));
	k->initiator = (f1 >> 3) & 3;
	fake_login_req_init(z->f, &req, k->initiator);
	if (f1 & 4)
		req.req_flags = SRPT_MULTICHAN_SINGLE;
	if (f1 & 0x80)
		req.req_flags &= (uint8_t)~SRPT_LOGIN_IMMED_REQUESTED;
	req.req_it_iu_len = it_lens[f2 & 7];
	req.imm_data_offset = imm_offs[(f2 >> 3) & 3];
	req.req_buf_fmt = buf_fmts[(f2 >> 5) & 3];
	if (f2 & 0x80)
		req.target_port_id[15] ^= 1;
	k->verdict = verdicts[f1 & 3];
	k->drain_pending = f1 & 0x20;
	k->req_imm_off = req.req_flags & SRPT_LOGIN_IMMED_REQUESTED ?
			 req.imm_data_offset : 0;
	fake_set_next_dev(z->f, (f1 >> 6) & 1);
	k->c = fake_connect(z->f, &req);
	fake_conn_info(k->c, &ci);
	k->ch_id = ci.ch_id;
	fc_trace(z, "  login conn %u: channel %llu, it %u, imm %u, flags %#x",
		 z->nconns - 1, (unsigned long long)k->ch_id,
		 req.req_it_iu_len, k->req_imm_off, req.req_flags);
}

/* ---- the CM, the hardware ---- */

static void op_sends(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);
	uint8_t n = fc_byte(z), st = fc_byte(z);
	unsigned int count = n >= 0xf0 ? ~0u : 1u + n % 8;
	int status = st < 0xe0 ? 0 : st & 1 ? FAKE_FLUSH_ERR : 10;

	if (!k)
		return;
	for (unsigned int i = 0; i < count; i++)
		if (!fc_complete_one(z, k, status))
			break;
}

static void op_drain(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);
	uint8_t st = fc_byte(z);

	if (k)
		fake_complete_drain(k->c, st & 1 ? FAKE_FLUSH_ERR : 0);
}

static void op_flush(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);
	uint8_t sel = fc_byte(z);

	if (!k)
		return;
	if (sel & 4)
		fake_flush_recvs(k->c, 1u + (sel >> 3));
	else
		fc_flush(z, k, sel & 3);
}

static void op_cm(struct fc *z)
{
	static const enum srpt_qp_event qp_ev[3] = {
		SRPT_QP_COMM_EST, SRPT_QP_FATAL, SRPT_QP_LAST_WQE_REACHED,
	};
	struct fc_conn *k = conn_arg(z);
	uint8_t sel = fc_byte(z) % 7;

	if (!k)
		return;
	switch (sel) {
	case 0:
		fake_disconnected(k->c);
		break;
	case 1:
		fake_timewait_exit(k->c);
		break;
	case 2:
		fake_conn_error(k->c);
		break;
	case 3:
		fake_cm_fatal(k->c);
		break;
	default:
		fake_conn_qp_event(k->c, qp_ev[sel - 4]);
		break;
	}
}

static void op_fail(struct fc *z)
{
	static const enum fake_op ops[11] = {
		FAKE_OP_POST_CHAIN, FAKE_OP_POST_RECV, FAKE_OP_REG_MEM,
		FAKE_OP_ACCEPT, FAKE_OP_REJECT, FAKE_OP_DISCONNECT,
		FAKE_OP_QP_TO_ERROR, FAKE_OP_POST_DRAIN, FAKE_OP_CH_CREATE,
		FAKE_OP_SRQ_CREATE, FAKE_OP_SRQ_POST,
	};
	enum fake_op op = ops[fc_byte(z) % 11];
	uint8_t nth = fc_byte(z);

	fake_fail_nth(z->f, op, 1u + nth % 4,
		      op == FAKE_OP_REG_MEM ? 12 /* ENOMEM */ : 5 /* EIO */);
	fc_trace(z, "  fail %s, call %u from now", fake_op_name(op),
		 1u + nth % 4);
}

/* ---- the application ---- */

static void op_done(struct fc *z)
{
	static const enum fc_action kinds[8] = {
		FC_DONE_REG, FC_DONE_UNREG, FC_DONE_CHECK, FC_DONE_BAD,
		FC_DONE_SHORT, FC_DONE_REG, FC_DONE_UNREG, FC_DONE_REG,
	};
	struct fc_iu *iu = held_arg(z);
	uint8_t kind = fc_byte(z);

	if (iu)
		fc_app_complete(z, iu, kinds[kind & 7]);
}

static void op_fetch(struct fc *z)
{
	struct fc_iu *iu = held_arg(z);
	uint8_t how = fc_byte(z);

	if (iu)
		fc_app_fetch(z, iu, how);
}

static void op_close(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);
	struct srpt_channel *ch = k ? fake_conn_channel(k->c) : NULL;

	if (ch)
		srpt_channel_close(ch);
}

static void op_decide(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);
	uint8_t sel = fc_byte(z);

	if (!k || !k->ch)
		return;
	if (sel & 1)
		srpt_channel_reject(k->ch, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES);
	else
		srpt_channel_accept(k->ch);
}

static void op_unreg(struct fc *z)
{
	struct fc_conn *k = conn_arg(z);

	if (!k || !k->pending)
		return;
	srpt_channel_drained_done(k->pending);
	k->pending = NULL;
}

/* ---- the loop ---- */

/* The initiator's answers to SRP_CRED_REQ (they take no credit). */
static bool answer_creds(struct fc *z)
{
	bool any = false;

	for (unsigned int i = 0; i < z->nconns; i++) {
		struct fc_conn *k = &z->conns[i];

		while (k->ncred_due) {
			struct srpt_cred_rsp cr = {
				.tag = k->cred_due[--k->ncred_due],
			};
			uint8_t iu[SRPT_CRED_RSP_LEN];

			srpt_cred_rsp_encode(&cr, iu, sizeof(iu));
			fc_trace(z, "  SRP_CRED_RSP tag %#llx: %d",
				 (unsigned long long)cr.tag,
				 fake_deliver(k->c, iu, sizeof(iu)));
			any = true;
		}
	}
	return any;
}

static void step(struct fc *z, uint8_t opb)
{
	enum fc_op op = (enum fc_op)((opb & 0x7f) % OP_COUNT);
	struct fc_conn *k;
	uint8_t b;

	ring[z->step % FC_RING].step = z->step;
	ring[z->step % FC_RING].at = z->pos - 1;
	ring[z->step % FC_RING].op = op;
	fc_trace(z, "step %lu @%zu: %s%s", z->step, z->pos - 1, op_names[op],
		 opb & 0x80 ? " (no dispatch)" : "");
	answer_creds(z);
	switch (op) {
	case OP_LOGIN:
		op_login(z);
		break;
	case OP_RTU:
		if ((k = conn_arg(z)))
			fake_established(k->c);
		break;
	case OP_CMD:
		fc_op_cmd(z, conn_arg(z));
		break;
	case OP_TSK:
		fc_op_tm(z, conn_arg(z));
		break;
	case OP_RAW:
		fc_op_raw(z, conn_arg(z));
		break;
	case OP_SENDS:
		op_sends(z);
		break;
	case OP_DRAIN:
		op_drain(z);
		break;
	case OP_FLUSH:
		op_flush(z);
		break;
	case OP_DONE:
		op_done(z);
		break;
	case OP_FETCH:
		op_fetch(z);
		break;
	case OP_CM:
		op_cm(z);
		break;
	case OP_CLOSE:
		op_close(z);
		break;
	case OP_GONE:
		fake_device_gone(z->f, fc_byte(z) & 1);
		break;
	case OP_CLOCK:
		b = fc_byte(z);
		fake_advance(z->f, b < 0x80 ? FC_DRAIN_MS + 1 : (b & 0x7fu) * 10);
		break;
	case OP_FAIL:
		op_fail(z);
		break;
	case OP_DECIDE:
		op_decide(z);
		break;
	case OP_UNREG:
		op_unreg(z);
		break;
	case OP_PORT:
		if (fc_byte(z) & 1)
			srpt_target_disable(z->t);
		else
			srpt_target_enable(z->t);
		break;
	case OP_BURST:
		fc_op_burst(z, conn_arg(z));
		break;
	default:
		break;
	}
	z->dispatched = !(opb & 0x80);
	if (z->dispatched)
		fake_dispatch(z->f);
	fc_check_step(z);
	z->step++;
}

/* ---- setup and teardown ---- */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		abort();
	return p;
}

static void setup(struct fc *z)
{
	static const uint32_t ti_lens[4] = { 256, 64, 40, 1024 };
	uint8_t qd = fc_byte(z), cap = fc_byte(z), fl = fc_byte(z);
	int r;

	z->ius = xcalloc(FC_MAX_IUS, sizeof(*z->ius));
	z->rkey_iu = xcalloc(FC_MAX_IUS, sizeof(*z->rkey_iu));
	fc_app_init(z);
	z->opts.size = sizeof(z->opts);
	z->opts.ops = &z->ops;
	z->opts.userdata = z;
	z->opts.queue_depth = 4u + qd % 13;
	z->opts.drain_timeout_ms = FC_DRAIN_MS;
	z->opts.max_ti_iu_len = ti_lens[(fl >> 1) & 3];
	z->opts.io_priv_size = fl & 8 ? 24 : 0;
	z->srq = fl & 1;
	if (z->srq) {
		z->opts.flags = SRPT_TARGET_SRQ;
		z->opts.srq_size = 16u + (fl >> 4);
	}
	z->f = fake_new();
	if (cap)
		fake_set_sq_cap(z->f, 4u + cap % 60);
	r = fake_target_new(z->f, &z->opts, &z->t);
	if (r)
		fc_fail(z, FC_INV_TEARDOWN, "cannot make the target: %d", r);
	/* mapped, not allocated: its pages are only touched when used */
	z->pool = mmap(NULL, FC_POOL_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (z->pool == MAP_FAILED)
		abort();
	if (srpt_target_reg_mem(z->t, z->pool, FC_POOL_LEN, &z->mr))
		z->mr = NULL;
	fc_trace(z, "target: queue depth %u, sq cap %u, %s, ti %u",
		 z->opts.queue_depth, cap ? 4u + cap % 60 : 0,
		 z->srq ? "srq" : "rings", z->opts.max_ti_iu_len);
}

/* Complete every held command (not while it fetches). */
static bool complete_held(struct fc *z)
{
	bool any = false;

	for (unsigned int i = 0; i < z->nheld;) {
		struct fc_iu *iu = &z->ius[z->held[i]];

		if (iu->fetching) {
			i++;
			continue;
		}
		fc_app_complete(z, iu, FC_DONE_REG);
		any = true;
	}
	return any;
}

static void dispatch_check(struct fc *z)
{
	fake_dispatch(z->f);
	z->dispatched = true;
	fc_check_step(z);
}

/* Let live channels finish their work, then look for what is missing. */
static void settle(struct fc *z)
{
	for (int round = 0; round < 64; round++) {
		bool progress = false;

		dispatch_check(z);
		for (unsigned int i = 0; i < z->nconns; i++) {
			struct fc_conn *k = &z->conns[i];
			struct srpt_channel *ch = fake_conn_channel(k->c);

			if (!ch || srpt_channel_get_state(ch) != SRPT_CH_LIVE)
				continue;
			while (fc_complete_one(z, k, 0))
				progress = true;
		}
		progress |= complete_held(z);
		progress |= answer_creds(z);
		if (!progress)
			break;
	}
	dispatch_check(z);
}

/* One round of closing everything; whether anything happened. */
static bool close_round(struct fc *z, bool *closed)
{
	bool progress = complete_held(z);

	for (unsigned int i = 0; i < z->nconns; i++) {
		struct fc_conn *k = &z->conns[i];
		struct srpt_channel *ch = fake_conn_channel(k->c);
		int st = ch ? (int)srpt_channel_get_state(ch) :
			 SRPT_CH_DISCONNECTED;
		struct fake_conn_info ci;

		if (k->pending) {
			srpt_channel_drained_done(k->pending);
			k->pending = NULL;
			progress = true;
		}
		if (ch && st < SRPT_CH_DISCONNECTING && !closed[i]) {
			srpt_channel_close(ch);
			closed[i] = true;
			progress = true;
		}
		fake_conn_info(k->c, &ci);
		/* the CM reports the answer to our DREQ (or its timeout) */
		if (ci.disconnects && !ci.ev[FAKE_CM_DISCONNECTED] &&
		    ci.id_alive) {
			fake_disconnected(k->c);
			progress = true;
		}
		if ((st >= SRPT_CH_DRAINING || !ch) &&
		    (ci.sq || (!z->srq && ci.rq))) {
			fc_flush(z, k, 0);
			progress = true;
		}
	}
	return progress;
}

static void teardown(struct fc *z)
{
	bool closed[FC_MAX_CONNS] = { 0 };

	z->teardown = true;
	for (int round = 0; round < 300; round++) {
		dispatch_check(z);
		if (close_round(z, closed))
			continue;
		if (!srpt_target_channel_count(z->t))
			break;
		/* stuck on a drain that never completes: time it out */
		fake_advance(z->f, FC_DRAIN_MS + 1);
	}
	dispatch_check(z);
	if (srpt_target_channel_count(z->t))
		fc_fail(z, FC_INV_TEARDOWN, "%u channels never went away",
			srpt_target_channel_count(z->t));
	srpt_target_dereg_mem(z->t, z->mr);
	z->mr = NULL;
	z->t = srpt_target_unref(z->t);
	fc_check_final(z);
	if (fake_check_final(z->f))
		fc_fail(z, FC_INV_TEARDOWN, "the fake's final checks: %s",
			fake_error_text(z->f));
}

static void release(struct fc *z)
{
	fake_free(z->f);
	fc_iu_free_all(z);
	free(z->ius);
	free(z->rkey_iu);
	munmap(z->pool, FC_POOL_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	struct fc z = { .in = data, .len = size };

	if (!once) {
		once = true;
		verbose = getenv("FUZZ_CORE_TRACE") != NULL;
		srpt_rcu_thread_online();
		/* liburcu runs the resize worker of hash tables while any
		 * exists: one that lives as long as the process spares every
		 * input a thread's creation and join. */
		keep_table = cds_lfht_new_flavor(1, 1, 0, CDS_LFHT_AUTO_RESIZE,
						 &urcu_memb_flavor, NULL);
	}
	setup(&z);
	while (z.pos < z.len && z.step < FC_MAX_STEPS)
		step(&z, fc_byte(&z));
	settle(&z);
	teardown(&z);
	release(&z);
	return 0;
}
