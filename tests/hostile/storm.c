/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Login storms, one login at a time: N logins rejected for a wrong
 * target port id, and N logins accepted and dropped at once (half before
 * the RTU, which makes the kernel CM send a REJ, half right after it,
 * which sends a DREQ). Lean on purpose: one event channel, PD and CQ for
 * the whole storm, a QP per login (QP numbers must not repeat while the
 * target's CM still remembers the last connection).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostile.h"

struct storm {
	struct rdma_event_channel *ec;
	struct ibv_context *verbs;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	unsigned long ok, bad;
	int64_t t_resolve, t_answer, t_destroy;	/* ms, summed */
	uint8_t pdata[W_LOGIN_RSP_LEN];
	unsigned int pdata_len;
	int status;
	char first_bad[200];
};

static int next_event(struct storm *s, struct rdma_cm_id *id, int64_t deadline)
{
	struct pollfd p = { .fd = s->ec->fd, .events = POLLIN };
	struct rdma_cm_event *e;

	for (;;) {
		if (rdma_get_cm_event(s->ec, &e) == 0) {
			int type = e->event;

			if (e->id != id) {
				/* A late event of an id already gone. */
				rdma_ack_cm_event(e);
				continue;
			}
			s->status = e->status;
			s->pdata_len = 0;
			if (e->param.conn.private_data &&
			    (type == RDMA_CM_EVENT_REJECTED ||
			     type == RDMA_CM_EVENT_ESTABLISHED ||
			     type == RDMA_CM_EVENT_CONNECT_RESPONSE)) {
				s->pdata_len = e->param.conn.private_data_len;
				if (s->pdata_len > sizeof(s->pdata))
					s->pdata_len = sizeof(s->pdata);
				memcpy(s->pdata, e->param.conn.private_data,
				       s->pdata_len);
			}
			rdma_ack_cm_event(e);
			return type;
		}
		if (errno != EAGAIN)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		poll(&p, 1, (int)(deadline - now_ms()));
	}
}

__attribute__((format(printf, 3, 4)))
static void bad(struct storm *s, unsigned long i, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->bad++)
		return;
	n = snprintf(s->first_bad, sizeof(s->first_bad), "login %lu: ", i);
	va_start(ap, fmt);
	vsnprintf(s->first_bad + n, sizeof(s->first_bad) - (size_t)n, fmt, ap);
	va_end(ap);
}

static struct ibv_qp *new_qp(struct storm *s)
{
	struct ibv_qp_init_attr qa;

	memset(&qa, 0, sizeof(qa));
	qa.send_cq = s->cq;
	qa.recv_cq = s->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 1;
	qa.cap.max_recv_wr = 1;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	return ibv_create_qp(s->pd, &qa);
}

/*
 * One login. @mode: 0 reject expected, 1 accept then drop before the
 * RTU, 2 accept then drop after it. Returns 0 when the answer was right.
 */
static int one(struct storm *s, unsigned long i, int mode)
{
	int64_t deadline = now_ms() + 10000;
	struct rdma_cm_id *id = NULL;
	struct ibv_qp *qp = NULL;
	struct rdma_conn_param p;
	uint8_t pd[W_LOGIN_REQ_RDMA_LEN];
	struct w_login l;
	int ev, r = -1;

	int64_t t0 = now_ms(), t1, t2;

	if (rdma_create_id(s->ec, &id, NULL, RDMA_PS_TCP)) {
		bad(s, i, "rdma_create_id failed (%d)", errno);
		return -1;
	}
	if (rdma_resolve_addr(id, NULL, (struct sockaddr *)&G.dest, 2000) ||
	    next_event(s, id, deadline) != RDMA_CM_EVENT_ADDR_RESOLVED ||
	    rdma_resolve_route(id, 2000) ||
	    next_event(s, id, deadline) != RDMA_CM_EVENT_ROUTE_RESOLVED) {
		bad(s, i, "address or route not resolved (%d)", errno);
		goto out;
	}
	if (!s->pd) {
		s->verbs = id->verbs;
		s->pd = ibv_alloc_pd(id->verbs);
		s->cq = s->pd ? ibv_create_cq(id->verbs, 16, NULL, NULL, 0) : NULL;
		if (!s->cq) {
			bad(s, i, "no PD or CQ (%d)", errno);
			goto out;
		}
	}
	if (mode == 2) {
		struct ibv_qp_init_attr qa;

		memset(&qa, 0, sizeof(qa));
		qa.send_cq = s->cq;
		qa.recv_cq = s->cq;
		qa.qp_type = IBV_QPT_RC;
		qa.cap.max_send_wr = 1;
		qa.cap.max_recv_wr = 1;
		qa.cap.max_send_sge = 1;
		qa.cap.max_recv_sge = 1;
		if (rdma_create_qp(id, s->pd, &qa)) {
			bad(s, i, "rdma_create_qp failed (%d)", errno);
			goto out;
		}
	} else {
		qp = new_qp(s);
		if (!qp) {
			bad(s, i, "ibv_create_qp failed (%d)", errno);
			goto out;
		}
	}
	login_default(&l);
	if (mode == 0) {
		l.tport[0] ^= 0xff;
		l.tport[8] ^= 0xff;
	} else if ((i / 2) % 8) {
		/* Small receive rings keep the storm about the channel's
		 * life, not about zeroing megabytes; two in every 16 logins
		 * ask for the usual 8260 bytes. */
		l.it_iu_len = 64;
	}
	w_login_encode(&l, pd);
	memset(&p, 0, sizeof(p));
	p.private_data = pd;
	p.private_data_len = sizeof(pd);
	p.responder_resources = 4;
	p.flow_control = 1;
	p.retry_count = 7;
	p.rnr_retry_count = 7;
	if (qp)
		p.qp_num = qp->qp_num;
	t1 = now_ms();
	if (rdma_connect(id, &p)) {
		bad(s, i, "rdma_connect failed (%d)", errno);
		goto out;
	}
	ev = next_event(s, id, deadline);
	t2 = now_ms();
	s->t_resolve += t1 - t0;
	s->t_answer += t2 - t1;
	if (mode == 0) {
		if (ev != RDMA_CM_EVENT_REJECTED)
			bad(s, i, "expected REJECTED, got event %d (status %d)",
			    ev, s->status);
		else if (s->pdata_len < W_LOGIN_REJ_LEN ||
			 s->pdata[0] != W_LOGIN_REJ ||
			 r32(s->pdata + 4) != W_REJ_ASSOCIATE ||
			 r64(s->pdata + 8) != l.tag)
			bad(s, i, "expected LOGIN_REJ 0x00010003, got opcode 0x%02x reason 0x%08x",
			    s->pdata_len ? s->pdata[0] : -1,
			    s->pdata_len >= 8 ? (int)r32(s->pdata + 4) : -1);
		else
			r = 0;
		goto out;
	}
	if (ev != (mode == 1 ? RDMA_CM_EVENT_CONNECT_RESPONSE :
		   RDMA_CM_EVENT_ESTABLISHED))
		bad(s, i, "expected the login accepted, got event %d (status %d)",
		    ev, s->status);
	else if (s->pdata_len < W_LOGIN_RSP_LEN || s->pdata[0] != W_LOGIN_RSP ||
		 r64(s->pdata + 8) != l.tag)
		bad(s, i, "expected LOGIN_RSP, got opcode 0x%02x (%d bytes)",
		    s->pdata_len ? s->pdata[0] : -1, (int)s->pdata_len);
	else
		r = 0;
out:
	t2 = now_ms();
	if (id->qp)
		rdma_destroy_qp(id);
	rdma_destroy_id(id);
	if (qp)
		ibv_destroy_qp(qp);
	s->t_destroy += now_ms() - t2;
	if (!r)
		s->ok++;
	return r;
}

static int storm_run(const char *name, unsigned long n, int drops)
{
	struct storm s;
	int64_t t0 = now_ms(), dt;
	unsigned long i, run = 0;

	memset(&s, 0, sizeof(s));
	s.ec = rdma_create_event_channel();
	if (!s.ec || fcntl(s.ec->fd, F_SETFL,
			   fcntl(s.ec->fd, F_GETFL) | O_NONBLOCK)) {
		printf("FAIL %s: no event channel\n", name);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int r = one(&s, i, drops ? 1 + (int)(i & 1) : 0);

		run = r ? run + 1 : 0;
		if (run >= 20) {
			i++;
			break;
		}
		if (G.verbose && (i + 1) % 1000 == 0)
			fprintf(stderr, "%s: %lu logins, %lld ms\n", name, i + 1,
				(long long)(now_ms() - t0));
	}
	dt = now_ms() - t0;
	if (s.cq)
		ibv_destroy_cq(s.cq);
	if (s.pd)
		ibv_dealloc_pd(s.pd);
	rdma_destroy_event_channel(s.ec);
	printf("%s: %lu logins, %lu answered as expected (%s), %lu wrong, %.1f s, %.0f logins/s\n",
	       name, i, s.ok, drops ? "LOGIN_RSP, then dropped" :
	       "LOGIN_REJ 0x00010003", s.bad, (double)dt / 1000,
	       dt ? (double)i * 1000 / (double)dt : 0.0);
	if (i)
		printf("%s: per login: %.1f ms to resolve and create the QP, %.1f ms for the answer, %.1f ms to destroy\n",
		       name, (double)s.t_resolve / (double)i,
		       (double)s.t_answer / (double)i,
		       (double)s.t_destroy / (double)i);
	if (s.bad || i < n) {
		printf("FAIL %s: expected %lu answered logins, got %lu%s%s\n",
		       name, n, s.ok, s.bad ? "; first: " : "", s.first_bad);
		return 1;
	}
	printf("PASS %s\n", name);
	return 0;
}

int storm_rejects(unsigned long n)
{
	return storm_run("storm-rejects", n, 0);
}

int storm_drops(unsigned long n)
{
	return storm_run("storm-drops", n, 1);
}
