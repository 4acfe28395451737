/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef HOSTILE_CONN_H
#define HOSTILE_CONN_H

/*
 * One RDMA/CM connection of the hostile initiator: its own event channel,
 * CQ and QP, receive slots reposted as IUs come in, and signaled send
 * slots. Everything waits with a deadline; nothing spins.
 */

#include <stdint.h>
#include <netinet/in.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "wire.h"

#define HC_RX_SLOT	4096u	/* more than any response the target may send */
#define HC_TX_SLOT	16384u	/* room for oversized IUs */
#define HC_QMAX		1024u

enum hc_mode {
	HC_QP,		/* rdma_create_qp: librdmacm sends the RTU */
	HC_OWN_QP,	/* our QP: stops at CONNECT_RESPONSE, no RTU yet */
};

enum hc_result {
	HC_ACCEPTED = 0,
	HC_REJECTED = 1,
};

struct hconn_cfg {
	unsigned int nrx;	/* receives to post (default 64) */
	unsigned int ntx;	/* send slots (default 32) */
	enum hc_mode mode;
	struct sockaddr_in dest;
	int timeout_ms;
	uint8_t retry_count;	/* transport retries (7 as Linux; soft-RoCE
				 * takes 7 as "forever") */
};

struct hiu {
	uint32_t len;
	uint8_t *data;
};

struct hconn {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	enum hc_mode mode;
	uint8_t *rx, *tx;
	struct ibv_mr *rx_mr, *tx_mr;
	unsigned int nrx, ntx;
	uint64_t tx_posted, tx_done;
	int timeout_ms;

	/* The login's answer */
	int cm_event;		/* the event that ended the connect phase */
	int cm_status;		/* its status (28 for a consumer reject) */
	uint8_t pdata[256];
	unsigned int pdata_len;
	uint32_t credits;	/* LOGIN_RSP req_lim_delta */
	uint32_t max_it, max_ti;
	uint16_t buf_fmt;
	uint8_t rsp_flags;

	/* Later state */
	int disconnected;	/* RDMA_CM_EVENT_DISCONNECTED seen */
	int wc_status;		/* first failed completion (0: none) */
	int wc_recv;		/* ... and whether it was a receive */
	struct hiu q[HC_QMAX];
	unsigned int q_head, q_n;
};

/* A registered buffer the target may read and write. */
struct hbuf {
	uint8_t *p;
	size_t len;
	struct ibv_mr *mr;
};

void hc_cfg_default(struct hconn_cfg *cfg);

/*
 * Connects and sends @login as private data. Returns HC_ACCEPTED (the
 * LOGIN_RSP fields are decoded into @c), HC_REJECTED (c->pdata holds the
 * reject's private data, c->cm_status its status), or a negative errno
 * (-ETIMEDOUT, -ECONNREFUSED for an unexpected event). @c is usable by
 * hc_close() whatever the result.
 */
int hc_connect(struct hconn *c, const struct w_login *login,
	       const struct hconn_cfg *cfg);
/* HC_OWN_QP: move the QP to RTS (no RTU sent). */
int hc_own_qp_rts(struct hconn *c);
/* HC_OWN_QP: send the RTU. */
int hc_establish(struct hconn *c);
/* Destroys everything; a connected id sends a DREQ, an unanswered
 * CONNECT_RESPONSE a REJ (the kernel CM does that). */
void hc_close(struct hconn *c);

/* Posts one signaled SEND of @len bytes (0 allowed). */
int hc_send(struct hconn *c, const void *buf, uint32_t len);
/*
 * Next received IU into @buf (cut at @cap); returns its length, or
 * -ETIMEDOUT, or -ECONNRESET when the connection is gone and nothing is
 * queued.
 */
int hc_recv(struct hconn *c, uint8_t *buf, uint32_t cap, int timeout_ms);
/* Waits until the connection is gone (DISCONNECTED event or a failed
 * completion); 0, or -ETIMEDOUT. Received IUs stay queued. */
int hc_wait_gone(struct hconn *c, int timeout_ms);
/* Waits until every posted send has completed; 0 or -ETIMEDOUT. */
int hc_wait_sends(struct hconn *c, int timeout_ms);
int hc_gone(const struct hconn *c);

int hb_alloc(struct hconn *c, struct hbuf *b, size_t len, int fill);
void hb_free(struct hbuf *b);

/* Milliseconds on the monotonic clock. */
int64_t now_ms(void);

#endif
