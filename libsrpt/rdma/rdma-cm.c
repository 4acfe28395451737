/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The CM thread: it is the target's dispatch thread. It reads RDMA/CM
 * events from the target's own event channel, device async events, and
 * wake-ups, hands them to the core, and runs the core's lifecycle queue.
 * Every CM event is acknowledged before the queue runs, so no cm_id is
 * ever destroyed while one of its events is still un-acked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <srpt/proto.h>

#include "core/events.h"
#include "rdma/rdma-priv.h"
#include "util/alloc.h"

#define KEY_CM ((uint64_t)-1)
#define KEY_WAKE ((uint64_t)-2)

static void on_connect_request(struct rtp_tp *tp, struct rdma_cm_event *e)
{
	struct srpt_tp_target *t = tp->t;
	struct rtp_conn *rc = srpt_zalloc(sizeof(*rc), "rdma-conn");
	const void *pdata = e->param.conn.private_data;
	uint8_t len = e->param.conn.private_data_len;
	struct srpt_tp_channel *ch = NULL;
	uint8_t rej[SRPT_LOGIN_REJ_LEN];
	int n;

	if (rc) {
		rc->id = e->id;
		rc->initiator_depth = e->param.conn.initiator_depth;
		if (srpt_ev_connect_request(t, rc, pdata, len,
					    rdma_get_peer_addr(e->id),
					    rdma_get_local_addr(e->id), &ch) == 0) {
			e->id->context = ch;
			return;
		}
		srpt_free(rc);
	}
	/* Out of memory before a channel existed: answer right here. */
	n = srpt_ev_build_reject(pdata, len, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES,
				 rej, sizeof(rej));
	rdma_reject(e->id, rej, n > 0 ? (uint8_t)n : 0);
	e->id->context = NULL;
	/* Destroyed after the ack, by the caller. */
}

static void handle_cm_event(struct rtp_tp *tp, struct rdma_cm_event *e,
			    struct rdma_cm_id **destroy, int *removed)
{
	struct srpt_tp_channel *ch = e->id->context;

	switch (e->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		on_connect_request(tp, e);
		if (!e->id->context)
			*destroy = e->id;
		return;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/* Acted on after the ack: it may destroy the listen id. */
		*removed = rtp_dev_of(tp, e->id->verbs);
		if (e->id == tp->listen_id)
			return;
		break;
	default:
		break;
	}
	if (!ch || e->id == tp->listen_id)
		return;
	switch (e->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		srpt_ev_established(ch);
		break;
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		srpt_ev_conn_error(ch);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		srpt_ev_disconnected(ch);
		break;
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		srpt_ev_timewait_exit(ch);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		srpt_ev_fatal(ch);
		break;
	default:
		break;
	}
}

void rtp_cm_handle_events(struct rtp_tp *tp)
{
	struct rdma_cm_event *e;

	while (rdma_get_cm_event(tp->ec, &e) == 0) {
		struct rdma_cm_id *destroy = NULL;
		int removed = -1;

		handle_cm_event(tp, e, &destroy, &removed);
		rdma_ack_cm_event(e);
		if (destroy)
			rdma_destroy_id(destroy);
		if (removed >= 0)
			rtp_dev_removed(tp, removed);
	}
}

void rtp_async_handle(struct rtp_tp *tp, int dev)
{
	struct ibv_async_event ae;

	while (ibv_get_async_event(tp->devs[dev].ctx, &ae) == 0) {
		switch (ae.event_type) {
		case IBV_EVENT_COMM_EST:
			srpt_ev_qp_event(tp->t, ae.element.qp->qp_num,
					 SRPT_QP_COMM_EST);
			break;
		case IBV_EVENT_QP_LAST_WQE_REACHED:
			srpt_ev_qp_event(tp->t, ae.element.qp->qp_num,
					 SRPT_QP_LAST_WQE_REACHED);
			break;
		case IBV_EVENT_QP_FATAL:
		case IBV_EVENT_QP_REQ_ERR:
		case IBV_EVENT_QP_ACCESS_ERR:
			rtp_warn(tp->t, "QP %u: %s", ae.element.qp->qp_num,
				 ibv_event_type_str(ae.event_type));
			srpt_ev_qp_event(tp->t, ae.element.qp->qp_num,
					 SRPT_QP_FATAL);
			break;
		case IBV_EVENT_DEVICE_FATAL:
			rtp_err(tp->t, "RDMA device %s: fatal error",
				ibv_get_device_name(tp->devs[dev].ctx->device));
			srpt_ev_device_gone(tp->t, dev);
			break;
		default:
			break;
		}
		ibv_ack_async_event(&ae);
	}
}

static void *cm_thread(void *arg)
{
	struct rtp_tp *tp = arg;
	struct epoll_event ev[8];
	uint64_t v;

	rtp_thread_begin(tp, SRPT_THREAD_DISPATCH, 0);
	srpt_rcu_thread_online();
	for (;;) {
		int timeout = srpt_core_dispatch(tp->t);
		int hk, n;

		if (atomic_load(&tp->stop))
			break;
		rtp_devs_housekeeping(tp);
		hk = rtp_housekeeping_timeout(tp);
		if (hk >= 0 && (timeout < 0 || hk < timeout))
			timeout = hk;
		n = epoll_wait(tp->epfd, ev, 8, timeout);
		for (int i = 0; i < n; i++) {
			uint64_t key = ev[i].data.u64;

			if (key == KEY_CM)
				rtp_cm_handle_events(tp);
			else if (key == KEY_WAKE) {
				if (read(tp->wakefd, &v, sizeof(v)) < 0)
					continue;
			} else {
				rtp_async_handle(tp, (int)key);
			}
		}
	}
	/* Events queued after the last round still hold channel
	 * references: run them, or the target could never be freed. */
	srpt_core_dispatch(tp->t);
	srpt_rcu_thread_offline();
	rtp_thread_end(tp, SRPT_THREAD_DISPATCH, 0);
	return NULL;
}

static int add_fd(struct rtp_tp *tp, int fd, uint64_t key)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key };

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return epoll_ctl(tp->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int rtp_cm_start(struct rtp_tp *tp)
{
	int r, d;

	r = add_fd(tp, tp->ec->fd, KEY_CM);
	if (!r)
		r = add_fd(tp, tp->wakefd, KEY_WAKE);
	for (d = 0; !r && d < tp->ndev; d++)
		r = add_fd(tp, tp->devs[d].ctx->async_fd, (uint64_t)d);
	if (r)
		return r;
	r = rtp_thread_create(&tp->cm_thread, cm_thread, tp);
	if (r)
		return r;
	tp->cm_started = true;
	return 0;
}
