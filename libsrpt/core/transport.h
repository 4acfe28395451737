/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_TRANSPORT_H
#define SRPT_CORE_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <srpt/target.h>

/*
 * The only door between the session core and an RDMA implementation: the
 * rdma-core backend (libsrpt/rdma) and the deterministic test transport
 * (tests/fake) both fill the ops table below and see of the core only
 * what this file defines: a target, a channel and a registration as a
 * transport knows them (embedded in the core's own objects), and a few
 * calls back. Events flow the other way, through the srpt_ev_*() entry
 * points of core/events.h.
 *
 * Threading: ops marked [D] are called only on the dispatch thread; ops
 * marked [any] may be called from completion threads and application
 * threads concurrently; [post] ops are called with the channel's
 * post_lock held. No op may call back into the core synchronously
 * except through srpt_ev_*(), which only queue, and the calls below.
 *
 * Lock order: the core takes its channel locks (ch->lock, io_lock,
 * sq_lock) before post_lock; a transport takes post_lock only with none
 * of its own locks held that a [post] op takes.
 */

/* RDMA devices a target serves at once. */
#define SRPT_MAX_DEVICES 8

/* A target port, as a transport sees it. */
struct srpt_tp_target {
	void *priv;				/* the transport's own */
	const struct srpt_target_opts *opts;	/* checked, fixed */
	uint64_t guid_default;			/* set by listen */
};

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
 * Work requests posted with one call, in order. Only the last carries
 * @wr_id, and only the last may be signaled; it completes after every
 * earlier one of the chain (RC ordering of a send queue). An
 * @unsignaled chain gives no completion when it succeeds: the core
 * learns that it did from a later signaled completion on the same send
 * queue. On an error or a flush it still completes with @wr_id, as
 * verbs completes every work request that fails. A transport must put
 * chains on the send queue in the order of its post_chain calls.
 *
 * A chain of one RDMA WRITE with no pieces (nsge 0, raddr and rkey 0)
 * is a fence: a zero-length write, signaled, that moves no data.
 */
struct srpt_tp_chain {
	const struct srpt_tp_wr *wr;
	unsigned int nwr;		/* 1..SRPT_TP_CHAIN_MAX_WR */
	uint64_t wr_id;
	bool unsignaled;
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

/*
 * A channel, as a transport sees it: the queue pair and connection of one
 * SRP RDMA channel. The core fills the [in] fields before ch_create, the
 * transport the [out] fields in it; they stay until the channel is freed.
 */
struct srpt_tp_channel {
	struct srpt_tp_target *t;
	void *conn;			/* the transport's connection */
	void *priv;			/* the transport's own */
	uint32_t nrx;			/* [in] receives of its own queue */
	uint32_t sq_size;		/* [in] wanted, [out] may be lowered;
					 * the drain's entry comes on top */
	uint32_t qp_num;		/* [out] */
	int dev;			/* [out] device index, for lkeys */
	struct srpt_tp_caps caps;	/* [out] one work request's limits */
	char dev_name[64];		/* [out] the device's name, and */
	uint8_t port;			/* [out] port, for introspection */
	/* Held by the core around [post] ops; a transport that posts later
	 * (in batches) takes it too, so that its posts are ordered against
	 * the drain and the move to the error state. */
	pthread_mutex_t post_lock;
};

/* Memory registered with every device: the transport fills lkey[] and
 * keeps its handles in priv[]. */
struct srpt_tp_mr {
	void *addr;
	size_t len;
	uint32_t lkey[SRPT_MAX_DEVICES];
	void *priv[SRPT_MAX_DEVICES];
};

struct srpt_tp_ops {
	const char *name;

	/* [any] Start serving @addr; sets t->guid_default when known. */
	int (*listen)(struct srpt_tp_target *t, const struct sockaddr *addr);
	/* [any] Stop threads and release the port; no channel is left. */
	void (*stop)(struct srpt_tp_target *t);
	/* [any] Make the dispatch thread call srpt_core_dispatch() soon. */
	void (*wake)(struct srpt_tp_target *t);
	/* [any] Monotonic milliseconds (the test transport has a fake clock). */
	uint64_t (*now_ms)(struct srpt_tp_target *t);

	/* [any] Register @mr->addr/len with every device; fills lkeys. */
	int (*reg_mem)(struct srpt_tp_target *t, struct srpt_tp_mr *mr);
	/* [any] Undo reg_mem. */
	void (*dereg_mem)(struct srpt_tp_target *t, struct srpt_tp_mr *mr);

	/* [D] Create the QP of @ch (on its connection) and set the [out]
	 * fields. Receives are posted by the core afterwards. */
	int (*ch_create)(struct srpt_tp_channel *ch);
	/* [D] Answer the connection request with @pdata as private data. */
	int (*accept)(struct srpt_tp_channel *ch, const void *pdata,
		      uint8_t len);
	int (*reject)(struct srpt_tp_channel *ch, const void *pdata,
		      uint8_t len);
	/* [D] Send a DREQ (or the DREP to a received one). */
	int (*disconnect)(struct srpt_tp_channel *ch);
	/* [any, post] Move the QP to the error state. */
	int (*qp_to_error)(struct srpt_tp_channel *ch);
	/* [any, post] Post the signaled zero-length write whose flush marks
	 * the end of the send queue. */
	int (*post_drain)(struct srpt_tp_channel *ch, uint64_t wr_id);
	/* [D] Destroy the connection id; no CM event for it follows. */
	void (*destroy_id)(struct srpt_tp_channel *ch);
	/* [any] Free the QP and whatever else ch_create made. Called once,
	 * by the last reference, after the channel left the table. */
	void (*ch_free)(struct srpt_tp_channel *ch);

	/* [any, post] Post receives for @n buffers. */
	int (*post_recv)(struct srpt_tp_channel *ch,
			 const struct srpt_tp_sge *sge, const uint64_t *wr_id,
			 unsigned int n);
	/* [any, post] Post one chain. On failure a prefix of it may have
	 * been posted: the core then ends the channel and treats the
	 * chain's buffers as busy until the send queue is known to be empty
	 * (drain completion or drain timeout). */
	int (*post_chain)(struct srpt_tp_channel *ch,
			  const struct srpt_tp_chain *chain);

	/* SRPT_TARGET_APP_POLL: the application's threads drive completion
	 * processing; optional (NULL: the flag is refused at listen). */
	/* [any] The descriptor of poller @idx. */
	int (*poll_fd)(struct srpt_tp_target *t, unsigned int idx);
	/* [the application's thread of @idx] Process at most @max (0: all)
	 * completions of poller @idx; returns how many. */
	int (*poll)(struct srpt_tp_target *t, unsigned int idx,
		    unsigned int max);

	/* Shared receive queues (SRPT_TARGET_SRQ); optional, NULL when
	 * the transport has none. ch_create puts the QPs of a target with
	 * the flag on their device's queue. */
	/* [D] Make device @dev's queue for @n receives: 1 if it was made
	 * now (the core then posts every buffer), 0 if it exists. */
	int (*srq_create)(struct srpt_tp_target *t, int dev, uint32_t n);
	/* [any] Post one receive on device @dev's queue. */
	int (*srq_post)(struct srpt_tp_target *t, int dev,
			const struct srpt_tp_sge *sge, uint64_t wr_id);
};

/* The core's side of the door. Any thread. */

/* Keep @ch's memory (this struct, and what the core made for it) until
 * the matching drop; for a transport that holds a channel past an op's
 * return (a batch posted later). */
void srpt_tp_channel_hold(struct srpt_tp_channel *ch);
void srpt_tp_channel_drop(struct srpt_tp_channel *ch);

/* A line for the application's log hook (the library never prints). */
void srpt_tp_log(struct srpt_tp_target *t, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
