/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_TRANSPORT_H
#define SRPT_CORE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct srpt_target;
struct srpt_channel;
struct srpt_mr;

/*
 * The only door between the session core and an RDMA implementation: the
 * rdma-core backend (libsrpt/rdma) and the deterministic test transport
 * (tests/fake) both fill this table. Events flow the other way, through
 * the srpt_ev_*() entry points of core/events.h.
 *
 * Threading: ops marked [D] are called only on the dispatch thread; ops
 * marked [any] may be called from completion threads and application
 * threads concurrently. No op may call back into the core synchronously
 * except through srpt_ev_*(), which only queue.
 */

/* One RDMA transfer between local memory and one remote buffer. */
struct srpt_tp_rdma {
	uint64_t raddr;
	uint32_t rkey;
	uint32_t len;
};

/* A local piece of memory with the key of the channel's device. */
struct srpt_tp_sge {
	uint64_t addr;
	uint32_t len;
	uint32_t lkey;
};

/* What one work request of a chain does. */
enum srpt_tp_op {
	SRPT_TP_WRITE,			/* RDMA WRITE of @sge to raddr/rkey */
	SRPT_TP_READ,			/* RDMA READ from raddr/rkey into @sge */
	SRPT_TP_SEND,			/* SEND of @sge (a response IU) */
};

/* One work request, already cut by the core to the channel's limits
 * (&struct srpt_tp_caps): at most max_*_sge pieces, at most max_msg
 * bytes. */
struct srpt_tp_wr {
	enum srpt_tp_op op;
	unsigned int nsge;
	const struct srpt_tp_sge *sge;
	uint64_t raddr;
	uint32_t rkey;
};

/* The core never builds a chain longer than this, so that a transport
 * can post any chain with one call from bounded memory. */
#define SRPT_TP_CHAIN_MAX_WR 32
#define SRPT_TP_CHAIN_MAX_SGE 128

/*
 * Work requests posted with one call, in order. Only the last is
 * signaled; its completion carries @wr_id, and it completes after every
 * earlier one of the chain (RC ordering of a send queue).
 */
struct srpt_tp_chain {
	const struct srpt_tp_wr *wr;
	unsigned int nwr;		/* 1..SRPT_TP_CHAIN_MAX_WR */
	uint64_t wr_id;
};

/* What one work request of a channel may carry; set by ch_create. */
struct srpt_tp_caps {
	uint32_t max_send_sge;		/* pieces of a SEND or RDMA WRITE */
	uint32_t max_read_sge;		/* pieces of an RDMA READ */
	uint32_t max_msg;		/* bytes of one work request */
	/* The provider reports IBV_EVENT_QP_LAST_WQE_REACHED for QPs on a
	 * shared receive queue (soft-RoCE and iWARP providers do not). */
	bool srq_last_wqe;
};

struct srpt_tp_ops {
	const char *name;

	/* [any] Start serving @addr; fills t->guid_default when known. */
	int (*listen)(struct srpt_target *t, const struct sockaddr *addr);
	/* [any] Stop threads and release the port; no channel is left. */
	void (*stop)(struct srpt_target *t);
	/* [any] Make the dispatch thread call srpt_core_dispatch() soon. */
	void (*wake)(struct srpt_target *t);
	/* [any] Monotonic milliseconds (the test transport has a fake clock). */
	uint64_t (*now_ms)(struct srpt_target *t);

	/* [any] Register @mr->addr/len with every device; fills lkeys. */
	int (*reg_mem)(struct srpt_target *t, struct srpt_mr *mr);
	/* [any] Undo reg_mem. */
	void (*dereg_mem)(struct srpt_target *t, struct srpt_mr *mr);

	/* [D] Create the QP of @ch (on its connection) and set ch->qp_num,
	 * ch->dev and ch->caps; it may lower ch->sq_size. Receives are
	 * posted by the core afterwards. */
	int (*ch_create)(struct srpt_channel *ch);
	/* [any] The name of @ch's device and its port, for introspection;
	 * optional. */
	void (*ch_info)(struct srpt_channel *ch, char *dev, size_t len,
			uint8_t *port);
	/* [D] Answer the connection request with @pdata as private data. */
	int (*accept)(struct srpt_channel *ch, const void *pdata, uint8_t len);
	int (*reject)(struct srpt_channel *ch, const void *pdata, uint8_t len);
	/* [D] Send a DREQ (or the DREP to a received one). */
	int (*disconnect)(struct srpt_channel *ch);
	/* [any, under ch->post_lock] Move the QP to the error state. */
	int (*qp_to_error)(struct srpt_channel *ch);
	/* [any, under ch->post_lock] Post the signaled zero-length write
	 * whose flush marks the end of the send queue. */
	int (*post_drain)(struct srpt_channel *ch, uint64_t wr_id);
	/* [D] Destroy the connection id; no CM event for it follows. */
	void (*destroy_id)(struct srpt_channel *ch);
	/* [any] Free the QP and whatever else ch_create made. Called once,
	 * by the last reference, after the channel left the table. */
	void (*ch_free)(struct srpt_channel *ch);

	/* [any, under ch->post_lock] Post receives for @n buffers. */
	int (*post_recv)(struct srpt_channel *ch, const struct srpt_tp_sge *sge,
			 const uint64_t *wr_id, unsigned int n);
	/* [any, under ch->post_lock] Post one chain. On failure a prefix of
	 * it may have been posted: the core then ends the channel and
	 * treats the chain's buffers as busy until the send queue is known
	 * to be empty (drain completion or drain timeout). */
	int (*post_chain)(struct srpt_channel *ch,
			  const struct srpt_tp_chain *chain);

	/* SRPT_TARGET_APP_POLL: the application's threads drive completion
	 * processing; optional (NULL: the flag is refused at listen). */
	/* [any] The descriptor of poller @idx. */
	int (*poll_fd)(struct srpt_target *t, unsigned int idx);
	/* [the application's thread of @idx] Process at most @max (0: all)
	 * completions of poller @idx; returns how many. */
	int (*poll)(struct srpt_target *t, unsigned int idx, unsigned int max);

	/* Shared receive queues (SRPT_TARGET_SRQ); optional, NULL when
	 * the transport has none. ch_create puts the QPs of a target with
	 * the flag on their device's queue. */
	/* [D] Make device @dev's queue for @n receives: 1 if it was made
	 * now (the core then posts every buffer), 0 if it exists. */
	int (*srq_create)(struct srpt_target *t, int dev, uint32_t n);
	/* [any] Post one receive on device @dev's queue. */
	int (*srq_post)(struct srpt_target *t, int dev,
			const struct srpt_tp_sge *sge, uint64_t wr_id);
};

#endif
