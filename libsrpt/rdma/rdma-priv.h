/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RDMA_PRIV_H
#define SRPT_RDMA_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>
#include <urcu/list.h>

#include "core/events.h"
#include "core/transport.h"

/* The transport's own names start with rtp_ (RDMA transport): rdma_ is
 * librdmacm's namespace. */

/* As many as srpt_target_opts.completion_threads may ask for. */
#define RTP_MAX_THREADS 64

/* Log lines go to the application's hook through the core. */
#define rtp_err(t, ...) srpt_tp_log(t, SRPT_LOG_ERR, __VA_ARGS__)
#define rtp_warn(t, ...) srpt_tp_log(t, SRPT_LOG_WARNING, __VA_ARGS__)
#define rtp_notice(t, ...) srpt_tp_log(t, SRPT_LOG_NOTICE, __VA_ARGS__)
#define rtp_dbg(t, ...) srpt_tp_log(t, SRPT_LOG_DEBUG, __VA_ARGS__)

/*
 * One completion thread's completion channel on one device: the CQs of
 * the thread's channels on that device report there, so a thread has one
 * descriptor per device however many channels it serves.
 */
struct rtp_compch {
	struct ibv_comp_channel *cc;
	bool dead;			/* taken off its thread (under its lock) */
};

/* A channel's own CQ, sized for everything it can post. */
/* epoll's mark for a thread's morefd (data.ptr; NULL is its stopfd). */
#define RTP_MORE ((struct rtp_compch *)1)

struct rtp_cq {
	struct ibv_cq *cq;		/* NULL: none (yet, or any more) */
	unsigned int th;		/* the completion thread it reports to */
	struct cds_list_head link;	/* on that thread's cqs */
	/* Its last drain stopped at the budget with completions left:
	 * no CQ event comes for those (under the thread's lock). */
	bool more;
};

struct rtp_dev {
	struct ibv_context *ctx;	/* NULL: free slot (never used or
					 * released after a removal) */
	struct ibv_pd *pd;
	struct ibv_device_attr attr;
	uint64_t node_guid;		/* host order */
	struct rtp_compch ccs[RTP_MAX_THREADS];
	struct ibv_srq *srq;		/* SRPT_TARGET_SRQ; CM thread makes it */
	bool srq_filled;		/* the core posted its buffers */
	bool removing;			/* DEVICE_REMOVAL seen; CM thread only */
};

struct rtp_thread {
	pthread_t th;
	/* Held while the thread handles what epoll returned (and in busy
	 * polling while it polls), so the CM thread can add a CQ, take one
	 * away and destroy it, or take a completion channel away. */
	pthread_mutex_t lock;
	atomic_uint waiters;		/* others waiting for the lock: a busy
					 * poller lets them in */
	struct cds_list_head cqs;	/* its channels' CQs (under lock) */
	int epfd;
	int stopfd;
	/* Readable while CQs of this thread have completions left after a
	 * drain cut short (nmore of them, under lock): epfd stays readable,
	 * so neither the thread nor an application poller sleeps on them. */
	int morefd;
	unsigned int nmore;
	struct rtp_tp *tp;
	unsigned int index;
	bool started;
};

struct rtp_tp {
	struct srpt_tp_target *t;
	struct rdma_event_channel *ec;
	struct rdma_cm_id *listen_id;
	struct ibv_context **ctx_list;
	struct rtp_dev devs[SRPT_MAX_DEVICES];
	int ndev;
	int epfd;			/* CM thread: cm fd, wake fd, async fds */
	int wakefd;
	pthread_t cm_thread;
	bool cm_started;
	atomic_bool stop;
	unsigned int nthreads;
	atomic_uint next_thread;
	struct rtp_thread threads[RTP_MAX_THREADS];
	struct sockaddr_storage listen_addr;
	uint64_t next_relisten_ms;	/* 0: listening */
	/* every registration, so a removed device's keys can be dropped */
	pthread_mutex_t mr_lock;
	struct srpt_tp_mr **mrs;
	unsigned int nmrs, capmrs;
};

/* Per connection: created at the connect request, freed with the channel. */
struct rtp_conn {
	struct rdma_cm_id *id;
	struct rtp_cq cq;		/* goes after the QP (tp_destroy_id) */
	uint8_t initiator_depth;	/* READs we may have outstanding */
	uint32_t max_inline;
	uint32_t max_sge;
	uint32_t max_sge_rd;
	uint32_t max_msg;		/* largest message of the port */
};

static inline struct rtp_tp *rtp_tp(struct srpt_tp_target *t)
{
	return t->priv;
}

/* rdma-transport.c: device life after a removal */
void rtp_dev_removed(struct rtp_tp *tp, int dev);
int rtp_dev_of(struct rtp_tp *tp, struct ibv_context *ctx);
int rtp_housekeeping_timeout(struct rtp_tp *tp);
void rtp_devs_housekeeping(struct rtp_tp *tp);
/* rdma-post.c: batched posting by completion threads */
#define RTP_PEND_WR 64
#define RTP_PEND_SGE 256
#define RTP_BATCH_CH 16
struct rtp_batch {
	struct srpt_tp_channel *ch[RTP_BATCH_CH];	/* with chains waiting */
	unsigned int n;
	/* A signaled work request that could not be posted at the flush;
	 * called without locks. */
	void (*failed)(struct srpt_tp_channel *ch, uint32_t qp_num,
		       uint64_t wr_id);
};
int rtp_pend_alloc(struct srpt_tp_channel *ch);
void rtp_pend_free(struct srpt_tp_channel *ch);
/* Post what @ch has waiting now, before it leaves RTS; under its
 * post_lock. If that fails, the drain will not be posted. */
void rtp_pend_flush(struct srpt_tp_channel *ch);
/* From now on this thread's posts wait for rtp_batch_flush(). */
void rtp_batch_begin(struct rtp_batch *b);
void rtp_batch_flush(void);
void rtp_batch_end(void);
/* rdma-cq.c */
int rtp_threads_start(struct rtp_tp *tp);
int rtp_thread_add_cc(struct rtp_tp *tp, unsigned int th,
		      struct rtp_compch *c);
void rtp_thread_del_cc(struct rtp_tp *tp, unsigned int th,
		       struct rtp_compch *c);
/* CM thread: @rcq's CQ of @cqe entries on device @d, reporting to thread
 * @th; returns 0 or a negative errno. */
int rtp_cq_create(struct rtp_tp *tp, int d, unsigned int th, int cqe,
		  struct rtp_cq *rcq);
/* CM thread, once nothing can complete on it any more (its QP is gone). */
void rtp_cq_destroy(struct rtp_tp *tp, struct rtp_cq *rcq);
/* One round of a completion thread, under its lock (tests call them): the
 * CQs whose events wait on @c, or every CQ of the thread. */
unsigned int rtp_thread_cc_ready(struct rtp_thread *th,
				 struct rtp_compch *c, unsigned int max);
unsigned int rtp_thread_poll_all(struct rtp_thread *th);
/* SRPT_TARGET_APP_POLL: the ops poll_fd and poll. */
int rtp_poll_fd(struct srpt_tp_target *t, unsigned int idx);
int rtp_poll(struct srpt_tp_target *t, unsigned int idx, unsigned int max);
/* rdma-thread.c: the library's threads (all signals blocked, the
 * application's CPUs and hooks). */
int rtp_thread_create(pthread_t *th, void *(*fn)(void *), void *arg);
void rtp_thread_begin(struct rtp_tp *tp, int kind, unsigned int index);
void rtp_thread_end(struct rtp_tp *tp, int kind, unsigned int index);
void rtp_threads_stop(struct rtp_tp *tp);
/* rdma-post.c */
int rtp_post_recv(struct srpt_tp_channel *ch, const struct srpt_tp_sge *sge,
		  const uint64_t *wr_id, unsigned int n);
int rtp_post_chain(struct srpt_tp_channel *ch, const struct srpt_tp_chain *c);
int rtp_post_drain(struct srpt_tp_channel *ch, uint64_t wr_id);
int rtp_qp_to_error(struct srpt_tp_channel *ch);
/* rdma-cm.c */
int rtp_cm_start(struct rtp_tp *tp);
void rtp_cm_handle_events(struct rtp_tp *tp);
void rtp_async_handle(struct rtp_tp *tp, int dev);

#endif
