/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_FAKE_TRANSPORT_H
#define SRPT_TESTS_FAKE_TRANSPORT_H

/*
 * The deterministic test transport: it fills the core's ops table
 * (libsrpt/core/transport.h) without any RDMA, records every call, and
 * lets a test play the initiator, the CM and the hardware through the
 * srpt_ev_*() entry points (libsrpt/core/events.h).
 *
 * What it checks by itself (each violation is counted, printed to stderr
 * and reported by fake_errors()):
 * - destroy_id and ch_free at most once per connection, destroy_id never
 *   after ch_free, ch_free never while the channel is in the RCU table;
 * - every posted local piece lies in memory registered with that key,
 *   every deregistration names a live registration;
 * - nothing is posted after the QP was moved to the error state, no
 *   receive buffer is posted twice, no SEND buffer changes while posted;
 * - at most one answer (accept or reject) per connection request.
 *
 * Threading: every function may be called from any thread, except the
 * accessors documented "manual mode", which return pointers into state
 * that only stays put while no other thread touches the connection.
 * Threads that report completions (fake_deliver, fake_complete_*,
 * fake_flush*) must have called srpt_rcu_thread_online().
 */

#include <stdbool.h>
#include <stdint.h>

#include <srpt/target.h>
#include <srpt/proto.h>

#include "core/events.h"
#include "core/transport.h"

#define FAKE_GUID 0x0002c903000fa4e0ull
#define FAKE_FLUSH_ERR 5	/* what IBV_WC_WR_FLUSH_ERR is */

struct fake_tp;
struct fake_conn;

/* Ops that can be made to fail (fake_fail_nth). */
enum fake_op {
	FAKE_OP_LISTEN,
	FAKE_OP_REG_MEM,
	FAKE_OP_CH_CREATE,
	FAKE_OP_ACCEPT,
	FAKE_OP_REJECT,
	FAKE_OP_DISCONNECT,
	FAKE_OP_QP_TO_ERROR,
	FAKE_OP_POST_DRAIN,
	FAKE_OP_POST_RECV,
	FAKE_OP_POST_CHAIN,
	FAKE_OP_SRQ_CREATE,
	FAKE_OP_SRQ_POST,
	FAKE_OP_FAILABLE,	/* ops below cannot fail */
	FAKE_OP_STOP = FAKE_OP_FAILABLE,
	FAKE_OP_WAKE,
	FAKE_OP_DEREG_MEM,
	FAKE_OP_DESTROY_ID,
	FAKE_OP_CH_FREE,
	FAKE_OP_COUNT,
};

const char *fake_op_name(enum fake_op op);

extern const struct srpt_tp_ops fake_tp_ops;

/* ---- the transport object ---- */

struct fake_tp *fake_new(void);
/* Free the fake; call after the target is gone (srpt_target_unref). */
void fake_free(struct fake_tp *f);
/* Create a target on the fake and listen on 192.0.2.1:5555. */
int fake_target_new(struct fake_tp *f, const struct srpt_target_opts *opts,
		    struct srpt_target **ret);
struct srpt_target *fake_target(struct fake_tp *f);
/* Listen on 192.0.2.1:5555 with a target made on this fake
 * (srpt_target_new_tp() with fake_tp_ops and @f). */
int fake_target_listen(struct fake_tp *f, struct srpt_target *t);

/* Violations seen so far (see above); fake_error_text() the first few. */
unsigned int fake_errors(struct fake_tp *f);
const char *fake_error_text(struct fake_tp *f);
/* Report a violation found by a test helper in the same log. */
void fake_error(struct fake_tp *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * End-of-test checks: every connection that got a QP had it freed
 * exactly once, every connection the core took had its id destroyed
 * exactly once, no registration is left. Returns fake_errors().
 */
unsigned int fake_check_final(struct fake_tp *f);
/* The same, but for the registrations (the target may still hold some
 * for its life). */
unsigned int fake_check_conns(struct fake_tp *f);

/* Options. */
void fake_set_record_sent(struct fake_tp *f, bool on);	/* default on */
void fake_set_poison(struct fake_tp *f, bool on);	/* default on */
void fake_set_sq_cap(struct fake_tp *f, uint32_t cap); /* lowers sq_size */
/* What one work request of new QPs may carry (default 16 pieces, 1 GiB):
 * the fake reports a violation of either. */
void fake_set_caps(struct fake_tp *f, uint32_t max_sge, uint32_t max_msg);
/* SRQ: whether new QPs say they report Last WQE Reached (@caps), and
 * whether the fake does report it when a QP goes to the error state
 * (@reported; else a test injects it with fake_conn_qp_event). Default
 * both. */
void fake_set_last_wqe(struct fake_tp *f, bool caps, bool reported);
void fake_set_next_dev(struct fake_tp *f, int dev);	/* of new QPs */

/* ---- clock, wake-ups, dispatch ---- */

uint64_t fake_now(struct fake_tp *f);
void fake_advance(struct fake_tp *f, uint64_t ms);
/* Whether wake was called since the last call (manual mode helper). */
bool fake_take_wake(struct fake_tp *f);
unsigned long fake_op_calls(struct fake_tp *f, enum fake_op op);

/* Manual mode: run srpt_core_dispatch() on the calling thread. */
int fake_dispatch(struct fake_tp *f);
/* Threaded mode: a thread that dispatches whenever woken. It is also
 * stopped by the target's stop op (srpt_target_shutdown/unref). */
int fake_start_dispatch(struct fake_tp *f);
void fake_stop_dispatch(struct fake_tp *f);

/* ---- fault injection ---- */

/* Make the @nth call (1-based, counted from now) of @op fail with -@err;
 * @nth 0 disarms. */
void fake_fail_nth(struct fake_tp *f, enum fake_op op, unsigned long nth,
		   int err);
/* Whether an armed failure has fired since it was armed. */
bool fake_fail_fired(struct fake_tp *f, enum fake_op op);

/* ---- remote (initiator) memory for emulated RDMA ---- */

/* Returns an rkey; RDMA to raddr/rkey outside such a region is an error. */
uint32_t fake_remote_add(struct fake_tp *f, void *buf, uint64_t len);

/* ---- the initiator and the CM ---- */

/* A valid MULTI login with immediate data at 68 for initiator number
 * @initiator, naming the target's port id. */
void fake_login_req_init(struct fake_tp *f, struct srpt_login_req *req,
			 unsigned int initiator);
/* Build the 56-byte RDMA/CM form of @req and hand it to the core. Never
 * NULL; if the core refused the request (-ENOMEM) the fake rejected it
 * itself, as a transport must. */
struct fake_conn *fake_connect(struct fake_tp *f,
			       const struct srpt_login_req *req);
struct fake_conn *fake_connect_raw(struct fake_tp *f, const void *pdata,
				   uint8_t len);

/* CM events. -ENOENT (nothing injected) once the id was destroyed. */
int fake_established(struct fake_conn *c);
int fake_conn_error(struct fake_conn *c);
int fake_disconnected(struct fake_conn *c);
int fake_timewait_exit(struct fake_conn *c);
int fake_cm_fatal(struct fake_conn *c);		/* CM device removal */
/* Async QP events, by QP number as the hardware reports them. */
void fake_qp_event(struct fake_tp *f, uint32_t qpn, enum srpt_qp_event ev);
int fake_conn_qp_event(struct fake_conn *c, enum srpt_qp_event ev);
void fake_device_gone(struct fake_tp *f, int dev);

/* ---- the hardware ---- */

/*
 * A receive completion of @len bytes of @iu into the next posted receive
 * buffer. The buffer is first filled with @sentinel; with poisoning on
 * (ASan builds) the bytes past @len are made unaddressable until the
 * buffer is posted again. Returns the core's srpt_ev_completion() result,
 * -ENOBUFS if no receive is posted (RNR), -EIO if the QP is in error,
 * -ENOTCONN if there is no QP.
 */
int fake_deliver(struct fake_conn *c, const void *iu, uint32_t len);
int fake_deliver_sentinel(struct fake_conn *c, const void *iu, uint32_t len,
			  uint8_t sentinel);

/* A posted send-queue entry (manual mode: valid until it completes). */
enum fake_wr_kind { FAKE_WR_RECV, FAKE_WR_CHAIN, FAKE_WR_DRAIN };
struct fake_wr {
	struct fake_wr *next;
	enum fake_wr_kind kind;
	uint64_t wr_id;
	uint64_t seq;			/* global post order */
	bool unsignaled;		/* CHAIN: no completion on success */
	bool fence;			/* CHAIN: a zero-length write */
	unsigned int nwr;		/* work requests (send queue slots) */
	struct srpt_tp_sge rsge;	/* RECV */
	int rdma_read;			/* CHAIN: READs, else WRITEs */
	unsigned int nrdma;		/* RDMA work requests, in order ... */
	struct srpt_tp_rdma *rdma;	/* ... each one remote buffer */
	unsigned int nsge;		/* their local pieces, in order */
	struct srpt_tp_sge *sge;
	uint32_t send_len;
	uint8_t *send;			/* copy of the SEND bytes at post */
	const uint8_t *send_addr;
	long ch_ref;			/* CHAIN: the channel's reference
					 * count while it was posted */
};

unsigned int fake_sq_len(struct fake_conn *c);	/* chains and the drain */
const struct fake_wr *fake_sq_get(struct fake_conn *c, unsigned int i);
/* Posted receives: of the connection, or of its device's shared queue. */
unsigned int fake_rq_len(struct fake_conn *c);

/*
 * Complete up to @n chains at the head of the send queue (stopping at the
 * drain write) with @status; on success the RDMA transfers are carried
 * out between local and remote memory first. Returns how many. As on
 * hardware, an unsignaled chain that succeeds gives the core no
 * completion, and its send queue slots stay taken until a later
 * completion of the queue (a signaled chain, an error, the drain) is
 * handed over; an error or flush completes every chain with its id.
 */
int fake_complete_sends(struct fake_conn *c, unsigned int n, int status);
/* Complete the drain write if it is at the head: 1, else 0. */
int fake_complete_drain(struct fake_conn *c, int status);
/* Flush-complete up to @n posted receives. Returns how many. */
int fake_flush_recvs(struct fake_conn *c, unsigned int n);

/* Error-complete everything posted, in one of these orders. */
enum fake_flush_order {
	FAKE_FLUSH_SEND_RECV_DRAIN,	/* drain last */
	FAKE_FLUSH_RECV_SEND_DRAIN,
	FAKE_FLUSH_SEND_DRAIN_RECV,	/* drain before the receives */
	FAKE_FLUSH_NO_DRAIN,		/* the drain completion never comes */
	FAKE_FLUSH_ORDERS,
};
void fake_flush(struct fake_conn *c, enum fake_flush_order order);

/* Any completion, e.g. a stale one for a reused QP number. */
int fake_complete_raw(struct fake_tp *f, uint32_t qpn, uint64_t wr_id,
		      int status, uint32_t len);

/* ---- what a connection saw ---- */

enum fake_answer { FAKE_ANS_NONE, FAKE_ANS_ACCEPT, FAKE_ANS_REJECT };

/* CM events a test injected (counted even when refused with -ENOENT). */
enum fake_cm_event {
	FAKE_CM_ESTABLISHED,
	FAKE_CM_CONN_ERROR,
	FAKE_CM_DISCONNECTED,
	FAKE_CM_TIMEWAIT_EXIT,
	FAKE_CM_FATAL,
	FAKE_CM_EVENTS,
};

struct fake_conn_info {
	unsigned int idx;
	int connect_rc;			/* srpt_ev_connect_request() */
	uint64_t ch_id;			/* 0 if the core refused it */
	bool id_alive;			/* destroy_id not yet called */
	bool has_qp;
	bool qp_error;
	uint32_t qpn;
	int dev;
	enum fake_answer answer;	/* the first answer sent */
	uint8_t answer_buf[64];
	uint8_t answer_len;
	unsigned int creates, accepts, rejects, disconnects, qp_errors,
		     drains, destroys, frees;
	unsigned int rq, sq;		/* posted, not completed */
	bool drain_in_sq;
	unsigned long post_recv_calls, post_chain_calls;
	unsigned long signaled;		/* chains posted signaled */
	unsigned int sq_held;		/* slots of unsignaled chains done, not
					 * yet freed by a later completion */
	unsigned int ev[FAKE_CM_EVENTS];
};
void fake_conn_info(struct fake_conn *c, struct fake_conn_info *out);
struct fake_conn *fake_conn_at(struct fake_tp *f, unsigned int idx);
unsigned int fake_conn_count(struct fake_tp *f);
struct fake_tp *fake_conn_fake(struct fake_conn *c);
/* The channel with a reference (drop with srpt_channel_unref), or NULL
 * once the id was destroyed. */
struct srpt_channel *fake_conn_channel_ref(struct fake_conn *c);
/* The channel, no reference (manual mode). */
struct srpt_channel *fake_conn_channel(struct fake_conn *c);

/* SEND payloads in post order (manual mode pointers; needs record_sent). */
unsigned int fake_sent_count(struct fake_conn *c);
const uint8_t *fake_sent(struct fake_conn *c, unsigned int i, uint32_t *len);

#endif
