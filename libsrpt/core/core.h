/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_CORE_H
#define SRPT_CORE_CORE_H

/*
 * Private object layouts of the session core. Never installed.
 *
 * Ownership, in one sentence per object:
 * - a target owns its channels' list entries and its transport;
 * - a channel owns its rings, io contexts and transport resources, and is
 *   freed (after an RCU grace period) by its last reference;
 * - an io context belongs to the channel, and to the application between
 *   on_cmd and srpt_io_complete();
 * - the application owns what it attached to a channel until on_drained.
 *
 * Locks, outermost first; a lock is only taken with those above it held:
 * 1. t->lock (the channel list and counts). Under it: t->ctl_lock (to
 *    queue an event), and in nexus-wide task management (tm.c) the
 *    ch->lock of each channel in turn.
 * 2. ch->lock (the wait list, task identities).
 * 3. Leaf locks, under which no other lock is taken: t->ctl_lock,
 *    t->mr_lock (it calls the transport's reg/dereg ops, which take none
 *    of the core's), t->log_limit.lock, the table pool's lock,
 *    ch->io_lock, ch->sq_lock, and ch->tp.post_lock. A transport may
 *    hold locks of its own when it takes post_lock (rdma: a completion
 *    thread's lock, around its batch flush), so [post] ops never take
 *    those.
 * No core lock is held while an application callback runs.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu/list.h>
#include <urcu/rculfhash.h>
#include <urcu/ref.h>
#include <urcu/urcu-memb.h>

#include <srpt/target.h>
#include <srpt/channel.h>
#include <srpt/io.h>
#include <srpt/proto.h>

#include "core/transport.h"
#include "table/qp-table.h"
#include "core/stats.h"

#define SRPT_MAX_IO_SGE 16
#define SRPT_SPARE_RX 4		/* receives beyond the credits, to answer
				 * initiators that overrun them */
/* ios beyond the receive buffers: how many receive buffers may go back to
 * the QP while their responses are still in flight (srpt_io_rx_bind()) */
#define SRPT_IO_SPARE(nrx) ((nrx) / 2)
#define SRPT_NO_SLOT UINT32_MAX
#define SRPT_WRID_ID_SHIFT 24
#define SRPT_WRID_TYPE_SHIFT 20
#define SRPT_WRID_INDEX_MASK 0xfffffu

enum srpt_wr_type {
	SRPT_WR_RECV = 1,
	SRPT_WR_SEND = 2,	/* a response, after the last DATA-IN WRITEs */
	SRPT_WR_READ = 3,	/* last RDMA READ of a chain of DATA-OUT */
	SRPT_WR_DRAIN = 4,	/* zero-length write marking the end */
	SRPT_WR_TABLE = 5,	/* RDMA READ of an external descriptor table */
	SRPT_WR_SRQ_RECV = 6,	/* a receive of a device's shared queue; its
				 * id field is the device, not a channel */
	SRPT_WR_WRITE = 7,	/* last RDMA WRITE of a chain of DATA-IN that
				 * the response does not fit behind */
	SRPT_WR_FENCE = 8,	/* zero-length write that asks for the
				 * completion unsignaled responses lack (sq.c) */
};

/* A device's shared receive buffers (SRPT_TARGET_SRQ): made by the first
 * channel on the device, freed with the target. */
struct srpt_srq {
	uint8_t *mem;
	struct srpt_mr *mr;
	uint32_t n;
	uint32_t stride;
};

struct srpt_mr {
	struct srpt_tp_mr tp;		/* address, length, keys */
	struct cds_list_head link;	/* t->mrs, under t->mr_lock */
	bool registered;		/* with the transport (listening) */
};

/* What moved over a channel (struct srpt_io_stats, as atomics), beyond
 * what its ios count themselves (struct srpt_io_tally): the rare events. */
struct srpt_io_counters {
	atomic_ullong tmf[SRPT_STATS_TMF];
	atomic_ullong aborted, bad_ius, credit_overruns, busy,
		      transfer_errors, cred_reqs, aer_reqs;
};

/* Pending lifecycle events of a channel, handled in this order. */
enum srpt_ev_bit {
	SRPT_EV_CONNECT_REQ = 1u << 0,
	SRPT_EV_APP_ACCEPT = 1u << 1,
	SRPT_EV_APP_REJECT = 1u << 2,
	SRPT_EV_ESTABLISHED = 1u << 3,	/* RTU, COMM_EST or a first IU */
	SRPT_EV_CONN_ERROR = 1u << 4,	/* the peer gave up on the login */
	SRPT_EV_APP_CLOSE = 1u << 5,	/* application, port disable, nexus */
	SRPT_EV_DISCONNECTED = 1u << 6,	/* DREQ or DREP received */
	SRPT_EV_TIMEWAIT = 1u << 7,
	SRPT_EV_FATAL = 1u << 8,	/* QP fatal, device removal, I_LOGOUT,
					 * a failed post */
	SRPT_EV_LAST_WQE = 1u << 9,	/* SRQ: the QP takes no more receives */
	SRPT_EV_DRAIN_DONE = 1u << 10,
	SRPT_EV_IO_IDLE = 1u << 11,
	SRPT_EV_IO_DEAD = 1u << 12,	/* ios wait on ch->sq_dead */
	SRPT_EV_IO_RELEASE = 1u << 15,	/* ios wait on ch->rel_later */
	SRPT_EV_DRAINED_DONE = 1u << 13,
	SRPT_EV_DRAIN_TIMEOUT = 1u << 14,
	SRPT_EV_FENCE = 1u << 16,	/* task management aborted ios that
					 * may wait for a completion (sq.c) */
};

/* What an io context is doing. */
enum srpt_io_state {
	SRPT_IO_FREE = 0,	/* on the free stack, or bound and not yet
				 * looked at */
	SRPT_IO_TABLE,		/* reading the initiator's descriptor table */
	SRPT_IO_APP,		/* the application's: on_cmd to complete */
	SRPT_IO_FETCHING,	/* DATA-OUT by RDMA READ */
	SRPT_IO_TM,		/* task management waiting for aborted ios */
	SRPT_IO_SENDING,	/* DATA-IN and the response (or a T_LOGOUT) */
};

/* The transfer an io's next chains belong to. */
enum srpt_xfer_op {
	SRPT_XFER_TABLE,	/* READ the descriptor table into io->table */
	SRPT_XFER_DATA_OUT,	/* READ DATA-OUT into io->local */
	SRPT_XFER_RSP,		/* WRITE DATA-IN from io->local, then SEND */
	SRPT_XFER_IU,		/* SEND an IU of the target's own (T_LOGOUT,
				 * CRED_REQ): no credit, no early repost */
};

/* How far a transfer got: remote descriptor, local piece, bytes. */
struct srpt_xfer_pos {
	uint32_t rd;
	uint32_t roff;
	uint32_t li;
	uint32_t loff;
	uint32_t done;
};

struct srpt_io {
	struct srpt_io_info info;	/* first: the public view */
	struct srpt_channel *ch;
	uint32_t index;
	_Atomic int state;		/* enum srpt_io_state */
	bool rsp_posted;		/* a response for this IU went out */
	bool close_after;		/* an SRP_T_LOGOUT: disconnect once sent */
	/* A chain of this io is on the send queue. Whoever clears the flag
	 * (its completion, or the drain timeout's reclaim) finishes the io,
	 * so the two can never both do it. */
	atomic_bool posted;
	uint32_t rx_slot;		/* receive buffer held, or SRPT_NO_SLOT */
	bool has_spare;			/* took a spare io to repost rx_slot early */
	uint8_t *rx_buf;		/* the IU, in the receive ring */
	uint32_t rx_len;		/* bytes the receive completion said */
	uint8_t *tx_buf;		/* the response, in the send ring */
	uint32_t rsp_len;		/* encoded response in tx_buf */
	struct srpt_cmd cmd;		/* decoded, aliasing rx_buf */

	/* The transfer. srpt_io_rx_bind() resets all of it, so no path can
	 * see a previous command's (xfer.c). */
	enum srpt_xfer_op xop;
	uint32_t xfer_len;		/* bytes to move by RDMA */
	struct srpt_tp_sge local[SRPT_MAX_IO_SGE];
	unsigned int nlocal;
	struct srpt_xfer_pos pos;	/* what was posted */
	struct srpt_xfer_pos next;	/* after the chain being posted */
	uint32_t sq_wrs;		/* send queue slots this io holds */
	uint32_t sq_need;		/* ... it waits for, parked (sq.c) */
	struct cds_list_head sq_link;	/* ch->sq_wait, rsp_wait, sq_dead */
	/* Its response went out unsignaled: it is on ch->sq_unsig at
	 * position sq_seq until a later completion reclaims it (sq.c).
	 * Under tp.post_lock. */
	uint64_t sq_seq;		/* position of its last posted chain */
	struct cds_list_head unsig_link;
	bool unsig;			/* on ch->sq_unsig */
	/* It took the last spare io (or one handed over from rsp_wait):
	 * its response must be signaled, or a response parked for a
	 * spare could wait for a completion that never comes (sq.c). */
	bool sig_now;

	/* DATA-OUT fetch in progress */
	srpt_io_data_fn data_done;
	void *data_arg;
	unsigned int copy_nsge;		/* bounce -> application pieces */
	struct srpt_sge copy_sg[SRPT_MAX_IO_SGE];
	/* lazily made bounce buffer for unregistered application memory */
	uint8_t *bounce;
	uint32_t bounce_len;
	struct srpt_mr *bounce_mr;
	/* an external descriptor table, from the target's pool (table.c) */
	uint8_t *table;
	uint32_t table_len;

	/* Task identity, for task management: under ch->lock (tm.c). */
	bool is_task;
	uint64_t task_tag;
	uint8_t task_lun[8];
	struct srpt_io *tm_owner;	/* the TM io this aborted io holds up */
	atomic_bool aborted;
	/* the application's release notification (srpt_io_result) */
	srpt_io_release_fn release_fn;
	void *release_arg;
	/* on_abort: a note is on its way (ABORT_NOTE_*), and the io's end
	 * waits for it (tm.c) */
	atomic_int abort_note;
	bool abort_noted;		/* at most one note per command; ch->lock */
	/* a task management request */
	uint8_t tm_func;
	uint64_t tm_task_tag;
	atomic_uint tm_waiting;		/* aborted ios it waits for, +1 */
	/* what this context moved, counted by its holder (stats.h) */
	struct srpt_io_tally tally;

	struct cds_list_head wait_link;	/* channel wait list (pre-LIVE) */
	void *priv;			/* application space, io_priv_size */
};

struct srpt_nexus;

struct srpt_channel {
	struct srpt_qp_node qp_node;	/* t->qps, keyed by qp_num */
	struct rcu_head rcu;
	atomic_long ref;		/* C11, so TSan sees its edges */
	struct srpt_target *t;
	uint64_t id;
	/* the queue pair: what the transport sees (its priv, conn, qp_num,
	 * dev, caps, sq_size, nrx, post_lock) */
	struct srpt_tp_channel tp;

	_Atomic int state;		/* enum srpt_channel_state */
	_Atomic unsigned int ev;	/* pending enum srpt_ev_bit */
	bool ev_queued;			/* under t->ctl_lock */
	struct cds_list_head ctl_link;	/* t->ctl_queue */

	/* dispatch-thread-only lifecycle facts */
	bool on_req_called;
	bool accepted;			/* accept sent */
	bool on_dreq_called;
	bool on_drained_called;
	bool unregistered;
	bool has_qp;
	bool drain_posted;
	bool drain_failed;
	atomic_bool drain_done;
	bool drain_timed_out;
	bool in_table;
	uint64_t drain_deadline;
	uint32_t reject_reason;		/* for APP_REJECT */
	atomic_int decision;		/* 0 open, 1 accept, 2 reject */
	atomic_bool close_requested;
	atomic_bool drained_pending;

	struct srpt_login_info login;
	uint8_t *login_pdata;		/* copy of the request while queued */
	uint8_t login_pdata_len;
	_Atomic(void *) userdata;

	struct srpt_nexus *nexus;
	struct cds_list_head nexus_link;
	struct cds_list_head t_link;	/* t->channels, under t->lock */

	/* negotiated */
	uint32_t credits;
	uint32_t it_iu_len;
	uint32_t ti_iu_len;
	uint32_t imm_offset;		/* 0: no immediate data */

	/* rings: nrx receive buffers; nio io contexts, each with its
	 * response buffer. An IU takes a free io when it arrives; its
	 * receive buffer goes back to the QP before the response that
	 * returns its credit is posted, so an initiator that keeps to its
	 * credits always finds a receive posted. tp.nrx receive buffers. */
	uint32_t nio;
	pthread_mutex_t io_lock;	/* io_free, io_unreserved */
	uint32_t *io_free;		/* stack of free io indexes */
	uint32_t nio_free;
	/* Free ios not promised to a posted receive buffer: an early
	 * repost needs one (see srpt_io_take_spare() in io-pool.c). */
	uint32_t io_unreserved;
	struct cds_list_head rsp_wait;	/* responses waiting for a spare;
					 * under io_lock */
	uint8_t *rx_mem;
	uint8_t *tx_mem;
	struct srpt_mr *rx_mr;
	struct srpt_mr *tx_mr;
	struct srpt_io *ios;
	uint8_t *io_priv;
	/* ios, published once made (nio before it): for readers of the
	 * counters on other threads */
	_Atomic(struct srpt_io *) tally_ios;

	/* I/O path (tp.post_lock orders posts against the drain) */
	atomic_int req_lim;		/* credits the initiator holds */
	atomic_int req_lim_delta;	/* credits to return, beyond 1 */
	atomic_int rx_posted;
	atomic_int io_outstanding;	/* ios with the app or in flight */
	atomic_int delivering;		/* IUs being handed over right now */
	atomic_bool dreq_waiting;	/* ... and on_dreq waits for none */
	pthread_cond_t idle_cond;	/* with lock: delivering reached 0 */
	pthread_mutex_t lock;		/* wait list, task identities */
	struct cds_list_head wait_list;
	atomic_bool replaying;

	/* The posting path (sq.c): free send queue slots, ios waiting for
	 * them in order, ios whose chains will never complete. */
	atomic_int sq_avail;
	atomic_int sq_nparked;		/* on sq_wait, or about to be */
	pthread_mutex_t sq_lock;	/* sq_wait, sq_dead; a leaf */
	struct cds_list_head sq_wait;
	struct cds_list_head sq_dead;	/* finished once DISCONNECTED */
	struct cds_list_head rel_later;	/* ios the dispatch thread ends */
	/* Lazy reclaim (sq.c), under tp.post_lock: chains get positions
	 * in post order; responses posted unsignaled wait on sq_unsig, in
	 * that order, for a later completion. */
	uint64_t sq_seq;		/* position of the last posted chain */
	uint64_t sq_last_sig;		/* ... of the last signaled one */
	uint32_t sq_run;		/* unsignaled chains since then */
	struct cds_list_head sq_unsig;
	atomic_int sq_unsig_n;		/* ios on it (read without the lock) */
	uint64_t fence_seq;		/* the fence write in flight, if */
	bool fence_out;			/* ... there is one */
	bool fence_again;		/* another one is wanted after it */

	/* SRQ mode: the QP took its last shared receive (LAST_WQE_REACHED
	 * event), so the drain write can go (channel.c). */
	bool last_wqe;

	struct srpt_io_counters cnt;
	struct srpt_login_params params;	/* srpt_channel_set_login_params */
	struct timespec login_time;

	/* Requests of the target's own whose answers may still come
	 * (SRP_CRED_REQ): their tags, under io_lock (rsp.c). At most
	 * SRPT_SPARE_RX, the receive buffers beyond the credits that their
	 * answers land in. */
	uint64_t treq_tag[SRPT_SPARE_RX];
	uint32_t ntreq;
	uint32_t treq_seq;
};

/* The pool external descriptor tables are read into (desc-table.c). */
struct srpt_table_pool {
	pthread_mutex_t lock;
	uint8_t *mem;			/* made on first use */
	struct srpt_mr *mr;
	uint64_t *map;			/* a bit per chunk, set: in use */
	uint32_t nchunks;
	uint32_t nused;
};

/* The Linux initiator's tables hold at most 2048 descriptors (32 KiB). */
#define SRPT_MAX_TABLE_BYTES (64u << 10)

/* Rate limit of peer-caused log lines (util/log.c). */
struct srpt_log_limit {
	pthread_mutex_t lock;
	uint64_t window_start;
	unsigned int count;		/* lines shown in this window */
	unsigned long suppressed;	/* lines left out since the last note */
};

struct srpt_nexus {
	uint8_t i_port_id[16];
	uint8_t t_port_id[16];
	struct cds_list_head channels;	/* dispatch thread only */
	struct cds_list_head link;	/* t->nexuses */
};

struct srpt_target {
	struct urcu_ref ref;
	struct srpt_target_ops ops;
	void *userdata;
	struct srpt_target_opts opts;
	uint64_t id_ext;
	uint64_t ioc_guid;
	atomic_bool guid_known;

	const struct srpt_tp_ops *tp_ops;
	struct srpt_tp_target tp;	/* what the transport sees */
	bool listening;
	bool stopped;

	struct srpt_qp_table qps;	/* channels by qp_num */
	atomic_bool enabled;
	atomic_bool disable_pending;
	atomic_bool enable_pending;

	pthread_mutex_t lock;		/* channels list, counts */
	pthread_cond_t cond;		/* a channel was unregistered, or freed */
	struct cds_list_head channels;
	unsigned int nchannels;		/* registered, not yet unregistered */
	atomic_uint nalive;		/* allocated, not yet freed */
	uint64_t next_id;

	pthread_mutex_t ctl_lock;	/* the lifecycle event queue */
	struct cds_list_head ctl_queue;

	struct cds_list_head nexuses;	/* dispatch thread only */
	struct srpt_srq srq[SRPT_MAX_DEVICES];	/* made on the dispatch thread */
	struct srpt_table_pool desc_pool;
	atomic_int log_level;
	/* what channels that are gone moved (under lock), and logins */
	struct srpt_io_counters gone_io;
	struct srpt_io_tally gone_tally;	/* ... what their ios counted */
	atomic_ullong login_rejects[7];
	/* every registration, also those made before listening */
	pthread_mutex_t mr_lock;
	struct cds_list_head mrs;
	struct srpt_log_limit log_limit;
	struct srpt_stats stats;
};

/* From the transport's view of an object back to the core's. */
#define srpt_container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
static inline struct srpt_channel *srpt_ch_of(struct srpt_tp_channel *c)
{
	return srpt_container_of(c, struct srpt_channel, tp);
}
static inline struct srpt_target *srpt_target_of(struct srpt_tp_target *t)
{
	return srpt_container_of(t, struct srpt_target, tp);
}

/* log.c */
void srpt_log(struct srpt_target *t, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define srpt_err(t, ...) srpt_log(t, SRPT_LOG_ERR, __VA_ARGS__)
#define srpt_warn(t, ...) srpt_log(t, SRPT_LOG_WARNING, __VA_ARGS__)
#define srpt_notice(t, ...) srpt_log(t, SRPT_LOG_NOTICE, __VA_ARGS__)
#define srpt_info(t, ...) srpt_log(t, SRPT_LOG_INFO, __VA_ARGS__)
#define srpt_dbg(t, ...) srpt_log(t, SRPT_LOG_DEBUG, __VA_ARGS__)
/* A line a remote peer can cause (a bad IU, a login, task management):
 * rate-limited per target, with a count of what was left out. */
void srpt_log_peer(struct srpt_target *t, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* target.c */
int srpt_target_new_tp(struct srpt_target **ret,
		       const struct srpt_target_opts *opts,
		       const struct srpt_tp_ops *tp_ops, void *tp);

/* channel.c */
struct srpt_channel *srpt_ch_alloc(struct srpt_target *t, void *conn);
void srpt_ch_publish(struct srpt_channel *ch);
void srpt_ch_queue_ev(struct srpt_channel *ch, unsigned int ev);
void srpt_ch_hold(struct srpt_channel *ch);
void srpt_ch_drop(struct srpt_channel *ch);
bool srpt_ch_hold_unless_zero(struct srpt_channel *ch);
/* The channel of QP @qp_num, held, or NULL (RCU lookup; the thread must
 * be registered with RCU). */
struct srpt_channel *srpt_ch_lookup(struct srpt_target *t, uint32_t qp_num);
bool srpt_ch_qp_hold(struct srpt_qp_node *node);
int srpt_ch_rings_init(struct srpt_channel *ch);
bool srpt_ch_set_state(struct srpt_channel *ch,
			    enum srpt_channel_state new_state);
void srpt_ch_handle_events(struct srpt_channel *ch, unsigned int ev);

/* login.c */
void srpt_login_handle(struct srpt_channel *ch);
void srpt_login_answer(struct srpt_channel *ch, bool accept, uint32_t reason);
void srpt_nexus_leave(struct srpt_channel *ch);

/* iu.c: received IUs */
void srpt_iu_delivered(struct srpt_channel *ch);
void srpt_iu_receive(struct srpt_channel *ch, struct srpt_io *io);
void srpt_iu_replay_wait_list(struct srpt_channel *ch);
/* The table of @io's command arrived (or could not be read). */
void srpt_iu_table_done(struct srpt_io *io, int status);

/* io-pool.c: io contexts and receive buffers */
uint64_t srpt_wr_id(const struct srpt_channel *ch, enum srpt_wr_type type,
		    uint32_t index);
bool srpt_ch_srq(const struct srpt_channel *ch);
bool srpt_rx_post(struct srpt_channel *ch, uint32_t slot);
struct srpt_io *srpt_io_rx_bind(struct srpt_channel *ch, uint32_t slot,
				uint32_t len);
int srpt_io_take_spare(struct srpt_io *io);
void srpt_io_rx_early(struct srpt_io *io);
int srpt_io_rx_early_locked(struct srpt_io *io, bool post);
struct srpt_io *srpt_io_put(struct srpt_io *io);
struct srpt_io *srpt_io_take_free(struct srpt_channel *ch);

/* xfer.c: descriptors to work requests */
struct srpt_chain_buf {
	struct srpt_tp_wr wr[SRPT_TP_CHAIN_MAX_WR];
	struct srpt_tp_sge sge[SRPT_TP_CHAIN_MAX_SGE];
	struct srpt_tp_chain chain;
	bool last;			/* the chain ends the transfer */
};
void srpt_xfer_start(struct srpt_io *io, enum srpt_xfer_op op,
		     uint32_t xfer_len);
void srpt_xfer_build(struct srpt_io *io, struct srpt_chain_buf *cb);
/* Work requests of the longest chain the channel is given. */
uint32_t srpt_xfer_max_wr(const struct srpt_channel *ch);
bool srpt_xfer_done(const struct srpt_io *io);
int srpt_xfer_set_local(struct srpt_io *io, const struct srpt_sge *sg,
			unsigned int nsge, uint32_t xfer);
uint64_t srpt_sg_total(const struct srpt_sge *sg, unsigned int n);

/* sq.c: the one posting path */
void srpt_sq_submit(struct srpt_io *io);
void srpt_sq_resume(struct srpt_io *io);
void srpt_sq_done(struct srpt_io *io);
void srpt_sq_kick(struct srpt_channel *ch);
void srpt_sq_flush_parked(struct srpt_channel *ch);
struct srpt_io *srpt_sq_pop_dead(struct srpt_channel *ch);
void srpt_sq_post_failed(struct srpt_io *io);
/* Lazy reclaim of unsignaled responses (sq.c). */
void srpt_sq_reclaim(struct srpt_channel *ch, uint64_t seq,
		     const struct srpt_io *self);
void srpt_sq_fence(struct srpt_channel *ch);
void srpt_sq_fence_done(struct srpt_channel *ch, int status);
void srpt_sq_unsig_forget(struct srpt_channel *ch);

/* rsp.c: what the library itself sends */
void srpt_rsp_status(struct srpt_io *io, uint8_t status, const uint8_t *sense,
		     uint32_t sense_len, uint8_t flags, uint32_t din_res,
		     uint32_t dout_res, uint32_t xfer);
void srpt_rsp_check(struct srpt_io *io, uint8_t key, uint16_t ascq);
void srpt_rsp_tm(struct srpt_io *io, uint8_t code);
void srpt_rsp_logout(struct srpt_io *io, uint32_t reason);
void srpt_rsp_cred_req(struct srpt_channel *ch);
int srpt_rsp_target_logout(struct srpt_channel *ch, uint32_t reason);
int srpt_rsp_aer(struct srpt_channel *ch, const uint8_t lun[8],
		 const uint8_t *sense, uint32_t sense_len);
bool srpt_rsp_treq_answered(struct srpt_channel *ch, uint64_t tag);

/* tm.c: task management */
void srpt_task_bind(struct srpt_io *io);
struct srpt_io *srpt_task_unbind(struct srpt_io *io, bool *was_aborted);
void srpt_tm_one_done(struct srpt_io *tm);
void srpt_tm_abort(struct srpt_io *tm);
void srpt_tm_notify(struct srpt_channel *ch, bool all);
bool srpt_tm_note_holds(struct srpt_io *io);

/* desc-table.c: external descriptor tables */
int srpt_table_fetch(struct srpt_io *io, const struct srpt_data_desc *d);
void srpt_table_put(struct srpt_io *io);
void srpt_table_pool_free(struct srpt_target *t);

/* release.c: the end of an io */
void srpt_io_release(struct srpt_io *io);
void srpt_io_end(struct srpt_io *io);

/* io.c: DATA-OUT is in place (or could not be read): to the app */
void srpt_io_data_arrived(struct srpt_io *io, int status);

/* io-finish.c: a chain completed, or will never complete */
void srpt_io_finish(struct srpt_io *io, enum srpt_wr_type type, int status);
void srpt_io_finish_dead(struct srpt_channel *ch);
void srpt_io_reclaim_posted(struct srpt_channel *ch);

/* mr.c: allocate and register @len bytes at @addr with every device
 * (@site names the allocation for fault injection); undo it. */
int srpt_mr_new(struct srpt_target *t, void *addr, size_t len,
		const char *site, struct srpt_mr **ret);
void srpt_mr_free(struct srpt_target *t, struct srpt_mr *mr);
int srpt_mr_register_all(struct srpt_target *t);
void srpt_mr_unregister_all(struct srpt_target *t);
/* srq.c */
int srpt_srq_ensure(struct srpt_target *t, int dev);
bool srpt_srq_post(struct srpt_target *t, int dev, uint32_t slot);
/* ... counted in the target's post_recv_calls (no io to count it) */
void srpt_srq_post_count(struct srpt_target *t, int dev, uint32_t slot);
void srpt_srq_free_all(struct srpt_target *t);

/* The calling thread is registered with RCU (library threads are). */
extern _Thread_local bool srpt_rcu_registered;
/*
 * The channel the calling thread holds a pin on for the whole of the
 * receive completion it is handling (events.c), or NULL. Calls the
 * application makes for an io of that channel from inside that
 * completion's callbacks (on_cmd answering at once) need no pin of their
 * own: the completion's outlives them. Saved and restored around each
 * completion, so a completion polled from inside a callback
 * (SRPT_TARGET_APP_POLL) leaves the outer one's as it was.
 */
extern _Thread_local struct srpt_channel *srpt_tl_pinned;

/* dispatch.c */
void srpt_target_wake(struct srpt_target *t);
/* The channel's last outstanding io went back to the ring. */
void srpt_ch_io_done(struct srpt_channel *ch);

static inline enum srpt_channel_state
srpt_ch_state(const struct srpt_channel *ch)
{
	return (enum srpt_channel_state)atomic_load(&ch->state);
}

#endif
