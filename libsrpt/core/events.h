/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_EVENTS_H
#define SRPT_CORE_EVENTS_H

/*
 * What a transport tells the core, shaped after librdmacm's events
 * (connect request, established, rejected, disconnected, timewait exit,
 * device removal) and libibverbs' (work completions with status, async QP
 * events). Every function here may be called from any thread; lifecycle
 * events only queue and wake the dispatch thread, completions are handled
 * on the calling (completion) thread.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/transport.h"

/*
 * A connection request with its private data (copied). On success the core
 * owns the new channel, whose ->conn is @conn; the transport keeps the
 * channel pointer (*@ret) as the connection's context. On failure (-ENOMEM) the
 * transport must reject @conn itself, with srpt_ev_build_reject().
 */
int srpt_ev_connect_request(struct srpt_tp_target *t, void *conn,
			    const void *pdata, uint8_t len,
			    const struct sockaddr *src,
			    const struct sockaddr *dst,
			    struct srpt_tp_channel **ret);
/* The 32-byte SRP_LOGIN_REJ for a request the core could not take. */
int srpt_ev_build_reject(const void *pdata, uint8_t len, uint32_t reason,
			 void *rej, uint8_t rej_len);

void srpt_ev_established(struct srpt_tp_channel *ch);
void srpt_ev_conn_error(struct srpt_tp_channel *ch);	/* REJ, unreachable */
void srpt_ev_disconnected(struct srpt_tp_channel *ch);
void srpt_ev_timewait_exit(struct srpt_tp_channel *ch);
void srpt_ev_fatal(struct srpt_tp_channel *ch);		/* QP fatal, removal */

/* Async QP event by QP number: the channel is looked up under RCU. */
enum srpt_qp_event {
	SRPT_QP_COMM_EST,
	SRPT_QP_LAST_WQE_REACHED,
	SRPT_QP_FATAL,
};
void srpt_ev_qp_event(struct srpt_tp_target *t, uint32_t qp_num,
		      enum srpt_qp_event ev);

/* Device removal or fatal error: every channel on device @dev closes. */
void srpt_ev_device_gone(struct srpt_tp_target *t, int dev);
/* Channels not yet unregistered that use device @dev. */
unsigned int srpt_core_dev_channels(struct srpt_tp_target *t, int dev);

/*
 * A work completion. @status 0 is success, anything else an error (flush
 * errors included). @byte_len counts for receives only. Looks the channel
 * up by @qp_num under RCU and pins it; returns -ENOENT for a completion of
 * a channel that is gone (it is then dropped and counted).
 */
int srpt_ev_completion(struct srpt_tp_target *t, uint32_t qp_num,
		       uint64_t wr_id, int status, uint32_t byte_len);

/*
 * A chain that post_chain accepted could not be posted after all (a
 * transport that posts in batches found out later): the core ends the
 * channel and treats the chain's buffers as busy until the send queue is
 * known to be empty. Returns -ENOENT if the channel is gone.
 */
int srpt_ev_post_failed(struct srpt_tp_target *t, uint32_t qp_num, uint64_t wr_id);

/* Threads that report completions must be registered with RCU. */
void srpt_rcu_thread_online(void);
void srpt_rcu_thread_offline(void);
bool srpt_rcu_thread_is_online(void);

/* Run queued lifecycle events; returns ms until the next timer, or -1. */
int srpt_core_dispatch(struct srpt_tp_target *t);

#endif
