/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The stage profile of srpt-core-bench-prof: cycle counts by stage, taken
 * at function boundaries between the library's object files. The linker
 * sends each call of a function named below to its __wrap_ twin here
 * (-Wl,--wrap, bench/meson.build), which counts and calls the real one;
 * the library's sources and its plain build stay as they are. A call
 * inside one object file is not redirected, so each stage holds what its
 * function does with its static helpers.
 *
 * Stages nest: a stage's time is its own ("self"), what the stages it
 * calls took is theirs. The counting costs two TSC reads per stage call
 * (some 20-40 ns in all per I/O for a stage called several times per
 * I/O, spread over it and its caller): read the shares, not the sum,
 * which exceeds the plain program's time per I/O by that much. A tight
 * loop's measure of that cost came out several times what it costs in
 * the real code (out-of-order execution hides most of it), so nothing
 * is taken off.
 */
#include <stdint.h>
#include <time.h>

#include "core-bench.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t now(void)
{
	return __rdtsc();
}
#else
static inline uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#define DEPTH 32
#define PREEMPTED 50000	/* TSC ticks: some 20 us at 2-3 GHz */

struct frame {
	uint64_t t0;
	uint64_t child;
	enum cb_stage s;
};

static _Thread_local struct frame stack[DEPTH];
static _Thread_local unsigned int depth;
/* signed: with the counting's cost taken off, one call can come out a
 * few cycles below zero; the sums do not */
static _Thread_local int64_t self[CB_ST_COUNT];
static _Thread_local uint64_t calls[CB_ST_COUNT];


void cb_prof_enter(enum cb_stage s)
{
	struct frame *f = &stack[depth++];

	f->s = s;
	f->child = 0;
	f->t0 = now();
}

void cb_prof_exit(void)
{
	uint64_t t = now();
	struct frame *f = &stack[--depth];
	uint64_t el = t - f->t0;
	int64_t own = (int64_t)el - (int64_t)f->child;

	/* The TSC runs on while the thread is preempted (the machine may
	 * be shared): a stage's own time above 20 us is that, not ours. */
	if (own < PREEMPTED)
		self[f->s] += own;
	calls[f->s]++;
	if (depth)
		stack[depth - 1].child += el;
}

void cb_prof_reset(void)
{
	for (int s = 0; s < CB_ST_COUNT; s++)
		self[s] = calls[s] = 0;
}

void cb_prof_read(int64_t out_self[CB_ST_COUNT],
		  uint64_t out_calls[CB_ST_COUNT])
{
	for (int s = 0; s < CB_ST_COUNT; s++) {
		out_self[s] = self[s];
		out_calls[s] = calls[s];
	}
}

bool cb_prof_enabled(void)
{
	return true;
}

/* ---- the wrapped boundaries ---- */

#define WRAP(ret, name, stage, params, args)			\
	ret __real_##name params;				\
	ret __wrap_##name params;				\
	ret __wrap_##name params				\
	{							\
		ret r;						\
		cb_prof_enter(stage);				\
		r = __real_##name args;				\
		cb_prof_exit();					\
		return r;					\
	}
#define WRAP_VOID(name, stage, params, args)			\
	void __real_##name params;				\
	void __wrap_##name params;				\
	void __wrap_##name params				\
	{							\
		cb_prof_enter(stage);				\
		__real_##name args;				\
		cb_prof_exit();					\
	}

int __real_srpt_ev_completion(struct srpt_tp_target *t, uint32_t qp_num,
			      uint64_t wr_id, int status, uint32_t byte_len);
int __wrap_srpt_ev_completion(struct srpt_tp_target *t, uint32_t qp_num,
			      uint64_t wr_id, int status, uint32_t byte_len);
int __wrap_srpt_ev_completion(struct srpt_tp_target *t, uint32_t qp_num,
			      uint64_t wr_id, int status, uint32_t byte_len)
{
	unsigned int type = (wr_id >> SRPT_WRID_TYPE_SHIFT) & 0xf;
	int r;

	cb_prof_enter(type == SRPT_WR_RECV ? CB_ST_RECEIVE : CB_ST_SENDDONE);
	r = __real_srpt_ev_completion(t, qp_num, wr_id, status, byte_len);
	cb_prof_exit();
	return r;
}

WRAP(struct srpt_channel *, srpt_ch_lookup, CB_ST_LOOKUP,
     (struct srpt_target *t, uint32_t qp_num), (t, qp_num))
WRAP_VOID(srpt_ch_hold, CB_ST_CHREF, (struct srpt_channel *ch), (ch))
WRAP_VOID(srpt_ch_drop, CB_ST_CHREF, (struct srpt_channel *ch), (ch))
WRAP_VOID(srpt_tp_channel_hold, CB_ST_CHREF, (struct srpt_tp_channel *ch),
	  (ch))
WRAP_VOID(srpt_tp_channel_drop, CB_ST_CHREF, (struct srpt_tp_channel *ch),
	  (ch))
WRAP(struct srpt_io *, srpt_io_rx_bind, CB_ST_BIND,
     (struct srpt_channel *ch, uint32_t slot, uint32_t len), (ch, slot, len))
WRAP_VOID(srpt_iu_receive, CB_ST_IU,
	  (struct srpt_channel *ch, struct srpt_io *io), (ch, io))
WRAP(int, srpt_cmd_decode, CB_ST_DECODE,
     (const void *buf, size_t len, uint32_t imm_offset, struct srpt_cmd *out),
     (buf, len, imm_offset, out))
WRAP_VOID(srpt_rsp_status, CB_ST_RSP,
	  (struct srpt_io *io, uint8_t status, const uint8_t *sense,
	   uint32_t sense_len, uint8_t flags, uint32_t din_res,
	   uint32_t dout_res, uint32_t xfer),
	  (io, status, sense, sense_len, flags, din_res, dout_res, xfer))
WRAP_VOID(srpt_sq_submit, CB_ST_SUBMIT, (struct srpt_io *io), (io))
WRAP_VOID(srpt_xfer_build, CB_ST_CHAIN,
	  (struct srpt_io *io, struct srpt_chain_buf *cb), (io, cb))
WRAP_VOID(rtp_batch_flush, CB_ST_FLUSH, (void), ())
WRAP_VOID(srpt_io_finish, CB_ST_FINISH,
	  (struct srpt_io *io, enum srpt_wr_type type, int status),
	  (io, type, status))
WRAP_VOID(srpt_io_release, CB_ST_RELEASE, (struct srpt_io *io), (io))
