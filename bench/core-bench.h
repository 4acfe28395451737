/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BENCH_CORE_BENCH_H
#define SRPT_BENCH_CORE_BENCH_H

/*
 * srpt-core-bench: the library's own data path on a host without RDMA.
 *
 * The session core and the rdma transport's completion loop and batched
 * posting (rdma-cq.c, rdma-post.c) run as in a target; below them sits a
 * null verbs provider (cb-verbs.c) that completes every work request at
 * once and plays the initiator, and above them a null application that
 * answers every command at once from registered memory. What the
 * transport's CM and device code would do (logins, QPs, memory keys) is
 * a null transport (cb-tp.c) around the same rtp_* posting functions.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "core/core.h"
#include "rdma/rdma-priv.h"

#define CB_RQ_MAX 512		/* receives a channel may have posted */
#define CB_CQ_MAX 4096		/* completions waiting on one CQ */
#define CB_IO_LEN 4096
#define CB_IMM_OFFSET 68	/* where the Linux initiator puts immediate data */

/* One channel: the fake QP, CQ and receive queue, and the initiator on
 * the other end. Touched by the thread that polls it only. */
struct cb_chan {
	struct rtp_conn rc;		/* what ch->conn points to */
	struct rdma_cm_id id;
	struct ibv_context ctx;		/* the null provider's ops */
	struct ibv_qp qp;
	struct ibv_cq cq;
	struct rtp_cq rcq;		/* on the polling thread's list */
	struct srpt_tp_channel *ch;	/* set by ch_create */
	bool accepted;

	/* posted receives, in order */
	uint64_t rq_id[CB_RQ_MAX];
	uint8_t *rq_addr[CB_RQ_MAX];
	unsigned int rq_head, rq_n;
	/* completions not yet polled */
	struct ibv_wc cqe[CB_CQ_MAX];
	unsigned int cq_head, cq_n;

	/* the initiator */
	bool issue;			/* sends new commands */
	bool write;			/* WRITE with immediate data, else READ */
	unsigned int iodepth;
	unsigned int inflight;		/* commands without a response */
	uint64_t next_tag;
	uint64_t round;			/* cb_round it last sent in */
	bool may_issue;
	uint8_t iu_read[96], iu_write[96];
	uint32_t read_hdr, write_hdr;	/* header bytes copied per command */
	uint32_t read_len, write_len;	/* IU length the receive reports */

	/* counters */
	uint64_t done;			/* responses the initiator got */
	uint64_t post_send_calls, post_recv_calls, signaled;
	/* Moments at which completions reached the CQ: a round's new
	 * commands, or one post call's signaled work requests. A
	 * completion thread that sleeps when its CQ is empty (the event
	 * driven default) is woken for each, at worst: the wake-ups per
	 * I/O of an idle-between-I/Os load such as iodepth 1. */
	uint64_t cq_events;
} __attribute__((aligned(64)));

/* cb-verbs.c: the null provider and the initiator */
/* Rounds of the calling thread's CQ loop: the initiator sends once a round. */
extern _Thread_local uint64_t cb_round;
void cb_chan_init_qp(struct cb_chan *c, uint32_t qp_num);
/* The command IUs this channel's initiator sends (after login). */
int cb_chan_build_ius(struct cb_chan *c, uint32_t rkey);

/* cb-tp.c: the null transport and its target */
struct cb_target {
	struct srpt_target *t;
	struct rtp_tp *tp;		/* what the completion loop reads */
	struct srpt_mr *mr;
	uint8_t *mem;			/* registered, what on_cmd answers from */
	size_t mem_len;
	unsigned int nchan;
	struct cb_chan **chans;
	atomic_uint wakes;		/* dispatch wake-ups asked for */
	atomic_ulong allocs;		/* allocations by the library */
};
extern const struct srpt_tp_ops cb_tp_ops;
/* A target on the null transport with @nchan live channels. */
int cb_target_new(struct cb_target *ct, unsigned int nchan,
		  const struct srpt_target_ops *ops, void *userdata);
/* Run queued lifecycle events if a wake-up was asked for. */
void cb_dispatch_if_woken(struct cb_target *ct);

/* Profile hooks: compiled in only with -DCB_PROF (srpt-core-bench-prof,
 * cb-prof.c); nothing in the plain build. */
enum cb_stage {
	CB_ST_LOOP,		/* the transport's CQ loop (rdma-cq.c) */
	CB_ST_PROVIDER,		/* the null provider: poll, post (not ours) */
	CB_ST_RECEIVE,		/* receive completion: rx ring, credits */
	CB_ST_LOOKUP,		/* channel by QP number (RCU table) */
	CB_ST_CHREF,		/* channel pins dropped */
	CB_ST_BIND,		/* io context for the IU */
	CB_ST_IU,		/* IU dispatch by opcode, task identity */
	CB_ST_DECODE,		/* SRP_CMD decode */
	CB_ST_ONCMD,		/* the application's on_cmd itself */
	CB_ST_IMM,		/* srpt_io_fetch_data: the immediate data copy */
	CB_ST_COMPLETE,		/* srpt_io_complete: result, residuals */
	CB_ST_RSP,		/* response IU encoding, credits */
	CB_ST_SUBMIT,		/* send queue slots, the one posting path */
	CB_ST_CHAIN,		/* chain building (xfer.c) */
	CB_ST_POST,		/* post_chain: work requests, batch add */
	CB_ST_REPOST,		/* post_recv: the receive goes back */
	CB_ST_FLUSH,		/* batch flush: post_lock, ibv_post_send */
	CB_ST_SENDDONE,		/* send completion */
	CB_ST_FINISH,		/* io finish after its chain completed */
	CB_ST_RELEASE,		/* io release: task identity, ring */
	CB_ST_COUNT,
};
#ifdef CB_PROF
void cb_prof_enter(enum cb_stage s);
void cb_prof_exit(void);
#define CB_ENTER(s) cb_prof_enter(s)
#define CB_EXIT() cb_prof_exit()
#else
#define CB_ENTER(s) ((void)0)
#define CB_EXIT() ((void)0)
#endif
/* Cycles per stage of the calling thread (zero without CB_PROF). */
void cb_prof_reset(void);
void cb_prof_read(int64_t self[CB_ST_COUNT], uint64_t calls[CB_ST_COUNT]);
const char *cb_stage_name(enum cb_stage s);
bool cb_prof_enabled(void);


#endif
