/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Login validation: every reject reason with the exact 32-byte
 * SRP_LOGIN_REJ, the fields of SRP_LOGIN_RSP, immediate data
 * negotiation, and the multi-channel actions on an I_T nexus.
 */
#include <errno.h>
#include <sched.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "util/alloc.h"
#include "util/byteorder.h"

/* The exact wire bytes a reject must have (srp-wire.md 3.4). */
static void expect_rej(struct fake_conn *c, uint32_t reason,
		       const uint8_t tag[8])
{
	struct fake_conn_info ci;
	struct srpt_login_rej rej;
	uint8_t want[SRPT_LOGIN_REJ_LEN] = { 0xc2 };

	put_be32(want + 4, reason);
	memcpy(want + 8, tag, 8);
	put_be16(want + 24, 0x0006);
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_REJECT);
	ck_assert_int_eq(ci.answer_len, SRPT_LOGIN_REJ_LEN);
	ck_assert_int_eq(ci.accepts, 0);
	ck_assert_mem_eq(ci.answer_buf, want, SRPT_LOGIN_REJ_LEN);
	/* and the public codec agrees */
	ck_assert_int_eq(srpt_login_rej_decode(ci.answer_buf, ci.answer_len,
					       &rej), 0);
	ck_assert_uint_eq(rej.reason, reason);
	ck_assert_mem_eq(&rej.tag, tag, 8);
}

static void expect_no_callbacks(struct app *a, struct fake_conn *c)
{
	struct app_ch r;

	ck_assert_msg(!app_conn_ch(a, c, &r) || r.nlog == 0,
		      "callbacks for a channel rejected before on_req");
}

enum mutation {
	M_IU_SMALL,
	M_IU_LARGE,
	M_DISABLED,
	M_PORT_ID,
	M_BUF_FMT_NONE,
	M_BUF_FMT_UNKNOWN,
	M_BUF_FMT_EXTRA,
	M_MCA_2,
	M_MCA_3,
	M_COUNT,
};

static const struct {
	uint32_t reason;
	const char *name;
} mutations[M_COUNT] = {
	[M_IU_SMALL] = { SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE, "IU 63" },
	[M_IU_LARGE] = { SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE, "IU max+1" },
	[M_DISABLED] = { SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES, "disabled" },
	[M_PORT_ID] = { SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL, "port id" },
	[M_BUF_FMT_NONE] = { SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT, "fmt 0" },
	[M_BUF_FMT_UNKNOWN] = { SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT, "fmt 1" },
	[M_BUF_FMT_EXTRA] = { SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT, "fmt e" },
	[M_MCA_2] = { SRPT_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED, "mca 2" },
	[M_MCA_3] = { SRPT_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED, "mca 3" },
};

START_TEST(test_reject_reason)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn *c;
	struct srpt_stats s;

	fake_login_req_init(a->f, &req, 1);
	switch (_i) {
	case M_IU_SMALL:
		req.req_it_iu_len = 63;
		break;
	case M_IU_LARGE:
		req.req_it_iu_len = 8276 + 1;	/* default max */
		break;
	case M_DISABLED:
		srpt_target_disable(a->t);
		break;
	case M_PORT_ID:
		req.target_port_id[15] ^= 1;
		break;
	case M_BUF_FMT_NONE:
		req.req_buf_fmt = 0;
		break;
	case M_BUF_FMT_UNKNOWN:
		req.req_buf_fmt = 0x0001;
		break;
	case M_BUF_FMT_EXTRA:
		req.req_buf_fmt = 0x000e;
		break;
	case M_MCA_2:
		req.req_flags = (req.req_flags & ~3) | 2;
		break;
	case M_MCA_3:
		req.req_flags = (req.req_flags & ~3) | 3;
		break;
	}
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	expect_rej(c, mutations[_i].reason, (const uint8_t *)&req.tag);
	expect_no_callbacks(a, c);
	ck_assert_uint_eq(a->reqs, 0);
	app_stats(a, &s);
	ck_assert_uint_eq(s.login_rejects, 1);
	ck_assert_uint_eq(s.logins, 0);
	app_end(a);
}
END_TEST

/* The largest IU length the target allows is accepted. */
START_TEST(test_iu_len_bounds_accepted)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn_info ci;
	struct fake_conn *c;

	fake_login_req_init(a->f, &req, 1);
	req.req_it_iu_len = 8276;
	c = fake_connect(a->f, &req);
	req.req_it_iu_len = 64;
	req.req_flags &= ~SRPT_LOGIN_IMMED_REQUESTED;
	app_dispatch(a);
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	app_end(a);
}
END_TEST

static int acl_hook(struct app *a, struct srpt_channel *ch,
		    const struct srpt_login_info *login)
{
	return *(int *)a->arg;
}

/* The application's ACL answer, and a nonsense one. */
START_TEST(test_reject_from_on_req)
{
	static const int verdicts[] = {
		SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED,
		SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL,
		42,
		-EPERM,
	};
	static const uint32_t want[] = {
		SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED,
		SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL,
		SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL,
		SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL,
	};
	struct app *a = app_alloc();
	struct srpt_login_req req;
	struct fake_conn *c;
	struct app_ch r;
	int v = verdicts[_i];

	a->arg = &v;
	a->hooks.on_req = acl_hook;
	ck_assert_int_eq(app_start(a), 0);
	fake_login_req_init(a->f, &req, 1);
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	expect_rej(c, want[_i], (const uint8_t *)&req.tag);
	app_finish(a);
	ck_assert(app_conn_ch(a, c, &r));
	ck_assert_str_eq(r.log, "RX");
	app_check(a);
	app_free(a);
}
END_TEST

/* Requests the codec cannot read are still answered, tag echoed. */
START_TEST(test_reject_undecodable)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	uint8_t buf[SRPT_LOGIN_REQ_RDMA_LEN];
	uint8_t zero[8] = { 0 };
	struct fake_conn *c;

	fake_login_req_init(a->f, &req, 1);
	ck_assert_int_eq(srpt_login_req_rdma_encode(&req, buf, sizeof(buf)),
			 SRPT_LOGIN_REQ_RDMA_LEN);
	/* short */
	c = fake_connect_raw(a->f, buf, 40);
	app_dispatch(a);
	expect_rej(c, SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL, buf);
	/* too short for a tag */
	c = fake_connect_raw(a->f, buf, 4);
	app_dispatch(a);
	expect_rej(c, SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL, zero);
	/* nothing at all */
	c = fake_connect_raw(a->f, buf, 0);
	app_dispatch(a);
	expect_rej(c, SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL, zero);
	/* wrong opcode at byte 11 */
	buf[11] = SRPT_OP_CMD;
	c = fake_connect_raw(a->f, buf, sizeof(buf));
	app_dispatch(a);
	expect_rej(c, SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL, buf);
	ck_assert_uint_eq(a->reqs, 0);
	app_end(a);
}
END_TEST

/* Resources failing after validation: INSUFFICIENT RESOURCES. */
static const char *fail_site;
static int site_hook(const char *site)
{
	return fail_site && !strcmp(site, fail_site);
}

START_TEST(test_reject_resources)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn *c;

	fake_login_req_init(a->f, &req, 1);
	switch (_i) {
	case 0:
		fake_fail_nth(a->f, FAKE_OP_CH_CREATE, 1, ENOMEM);
		break;
	case 1:
		fake_fail_nth(a->f, FAKE_OP_REG_MEM, 1, EFAULT);
		break;
	case 2:
		fake_fail_nth(a->f, FAKE_OP_REG_MEM, 2, EFAULT);
		break;
	case 3:
		fail_site = "rx-ring";
		srpt_fault_hook = site_hook;
		break;
	case 4:
		fail_site = "io-ring";
		srpt_fault_hook = site_hook;
		break;
	}
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	srpt_fault_hook = NULL;
	expect_rej(c, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES,
		   (const uint8_t *)&req.tag);
	/* The resources come with the accept, after on_req: the
	 * application saw the login, and sees it end. */
	app_finish(a);
	{
		struct app_ch r;

		ck_assert(app_conn_ch(a, c, &r));
		ck_assert_str_eq(r.log, "RX");
	}
	app_check(a);
	app_free(a);
}
END_TEST

/* The core could not even take the request: the transport rejects. */
START_TEST(test_reject_connect_enomem)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn_info ci;
	struct fake_conn *c;

	fake_login_req_init(a->f, &req, 1);
	fail_site = _i ? "login-pdata" : "channel";
	srpt_fault_hook = site_hook;
	c = fake_connect(a->f, &req);
	srpt_fault_hook = NULL;
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.connect_rc, -ENOMEM);
	expect_rej(c, SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES,
		   (const uint8_t *)&req.tag);
	ck_assert_uint_eq(srpt_target_channel_count(a->t), 0);
	app_end(a);
}
END_TEST

/* What the walks of the target's channels saw while a connect request
 * was being taken (at its last allocation). */
static struct srpt_target *half_t;
static int half_seen;

static int count_visit(struct srpt_channel *ch, void *arg)
{
	(void)ch;
	(*(int *)arg)++;
	return 0;
}

static int half_made_hook(const char *site)
{
	if (!strcmp(site, "login-pdata")) {
		half_seen = 0;
		srpt_target_foreach_channel(half_t, count_visit, &half_seen);
	}
	return 0;
}

/* A channel whose connect request is still being taken is on nobody's
 * list: srpt_target_disable() or an application's walk would otherwise
 * reach it, on another thread, before its login facts are written. */
START_TEST(test_half_made_channel_hidden)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn *c;
	int seen = 0;

	fake_login_req_init(a->f, &req, 1);
	half_t = a->t;
	half_seen = -1;
	srpt_fault_hook = half_made_hook;
	c = fake_connect(a->f, &req);
	srpt_fault_hook = NULL;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(half_seen, 0);
	srpt_target_foreach_channel(a->t, count_visit, &seen);
	ck_assert_int_eq(seen, 1);
	app_end(a);
}
END_TEST

static void get_rsp(struct fake_conn *c, struct srpt_login_rsp *rsp,
		    uint8_t raw[SRPT_LOGIN_RSP_LEN])
{
	struct fake_conn_info ci;

	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	ck_assert_int_eq(ci.answer_len, SRPT_LOGIN_RSP_LEN);
	ck_assert_int_eq(srpt_login_rsp_decode(ci.answer_buf, ci.answer_len,
					       rsp), 0);
	if (raw)
		memcpy(raw, ci.answer_buf, SRPT_LOGIN_RSP_LEN);
}

START_TEST(test_accept_rsp_fields)
{
	struct app *a = app_alloc();
	struct srpt_login_req req;
	struct srpt_login_rsp rsp;
	uint8_t raw[SRPT_LOGIN_RSP_LEN], want[SRPT_LOGIN_RSP_LEN] = { 0xc0 };
	struct fake_conn *c;
	struct srpt_stats s;

	a->opts.queue_depth = 37;
	a->opts.max_ti_iu_len = 300;
	a->opts.max_it_iu_len = 70000;
	ck_assert_int_eq(app_start(a), 0);
	fake_login_req_init(a->f, &req, 1);
	req.req_it_iu_len = 65000;
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	get_rsp(c, &rsp, raw);
	put_be32(want + 4, 37);
	memcpy(want + 8, &req.tag, 8);
	put_be32(want + 16, 65000);
	put_be32(want + 20, 300);
	put_be16(want + 24, 0x0006);
	want[26] = SRPT_LOGIN_RSP_MAINTAINED | SRPT_LOGIN_RSP_IMMED_SUPP;
	ck_assert_mem_eq(raw, want, sizeof(want));
	ck_assert_uint_eq(rsp.req_lim_delta, 37);
	app_stats(a, &s);
	ck_assert_uint_eq(s.logins, 1);
	/* credits + spares receive buffers posted */
	{
		struct fake_conn_info ci;

		fake_conn_info(c, &ci);
		ck_assert_uint_eq(ci.rq, 37 + SRPT_SPARE_RX);
		ck_assert_uint_eq(ci.creates, 1);
	}
	app_end(a);
}
END_TEST

/* IMMED_SUPP only when requested with a usable offset. */
START_TEST(test_immediate_negotiation)
{
	static const struct {
		bool requested;
		uint16_t off;
		bool granted;
	} cases[] = {
		{ false, 68, false },
		{ true, 68, true },
		{ true, 52, true },	/* 48 + 4: the smallest usable */
		{ true, 51, false },
		{ true, 10, false },
		{ true, 0, false },
		{ true, 8260, false },	/* = it_iu_len: no room for data */
		{ true, 8259, true },
	};
	struct app *a = app_new();
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srpt_login_req req;
		struct srpt_login_rsp rsp;
		struct fake_conn *c;

		fake_login_req_init(a->f, &req, i);
		if (!cases[i].requested)
			req.req_flags &= ~SRPT_LOGIN_IMMED_REQUESTED;
		req.imm_data_offset = cases[i].off;
		c = fake_connect(a->f, &req);
		app_dispatch(a);
		get_rsp(c, &rsp, NULL);
		ck_assert_msg(!!(rsp.rsp_flags & SRPT_LOGIN_RSP_IMMED_SUPP) ==
			      cases[i].granted, "case %u: rsp_flags 0x%02x",
			      i, rsp.rsp_flags);
	}
	app_end(a);
}
END_TEST

static uint8_t mc_of(struct fake_conn *c)
{
	struct srpt_login_rsp rsp;

	get_rsp(c, &rsp, NULL);
	return rsp.rsp_flags & 3;
}

static int state_of(struct fake_conn *c)
{
	struct srpt_channel *ch = fake_conn_channel(c);

	return ch ? (int)srpt_channel_get_state(ch) : -1;
}

/* SINGLE closes the nexus's other channels, MULTI keeps them, and a
 * different initiator port is a different nexus. */
START_TEST(test_multichannel)
{
	struct app *a = app_new();
	struct srpt_login_req req;
	struct fake_conn *ca, *cb, *cc, *cd;
	struct fake_conn_info ci;

	fake_login_req_init(a->f, &req, 1);
	req.req_flags &= ~3;	/* SINGLE */
	ca = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(mc_of(ca), SRPT_LOGIN_RSP_NO_CHAN);
	fake_established(ca);
	app_dispatch(a);
	ck_assert_int_eq(state_of(ca), SRPT_CH_LIVE);

	cb = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(mc_of(cb), SRPT_LOGIN_RSP_TERMINATED);
	fake_conn_info(ca, &ci);
	ck_assert_uint_eq(ci.disconnects, 1);	/* DREQ to the old one */
	ck_assert_int_ge(state_of(ca), SRPT_CH_DISCONNECTING);
	fake_established(cb);
	app_dispatch(a);

	req.req_flags |= SRPT_MULTICHAN_MULTI;
	cc = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(mc_of(cc), SRPT_LOGIN_RSP_MAINTAINED);
	fake_established(cc);
	app_dispatch(a);
	ck_assert_int_eq(state_of(cb), SRPT_CH_LIVE);
	ck_assert_int_eq(state_of(cc), SRPT_CH_LIVE);

	/* another initiator: its own nexus */
	fake_login_req_init(a->f, &req, 2);
	req.req_flags &= ~3;
	cd = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(mc_of(cd), SRPT_LOGIN_RSP_NO_CHAN);
	ck_assert_int_eq(state_of(cb), SRPT_CH_LIVE);
	ck_assert_int_eq(state_of(cc), SRPT_CH_LIVE);

	/* SINGLE again on the first nexus closes both b and c */
	fake_login_req_init(a->f, &req, 1);
	req.req_flags &= ~3;
	ca = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(mc_of(ca), SRPT_LOGIN_RSP_TERMINATED);
	ck_assert_int_ge(state_of(cb), SRPT_CH_DISCONNECTING);
	ck_assert_int_ge(state_of(cc), SRPT_CH_DISCONNECTING);
	ck_assert_int_eq(state_of(cd), SRPT_CH_CONNECTING);
	app_end(a);
}
END_TEST

static struct srpt_login_info seen;
static int copy_login(struct app *a, struct srpt_channel *ch,
		      const struct srpt_login_info *login)
{
	seen = *login;
	return SRPT_LOGIN_ACCEPT;
}

START_TEST(test_login_info)
{
	struct app *a = app_alloc();
	struct srpt_login_req req;
	struct sockaddr_in *sin;

	a->hooks.on_req = copy_login;
	ck_assert_int_eq(app_start(a), 0);
	fake_login_req_init(a->f, &req, 7);
	req.req_flags = SRPT_MULTICHAN_MULTI | SRPT_LOGIN_IMMED_REQUESTED |
			SRPT_LOGIN_CRSOLNT;
	req.imm_data_offset = 80;
	fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_uint_eq(a->reqs, 1);
	ck_assert_mem_eq(&seen.tag, &req.tag, 8);
	ck_assert_mem_eq(seen.initiator_port_id, req.initiator_port_id, 16);
	ck_assert_mem_eq(seen.target_port_id, req.target_port_id, 16);
	ck_assert_uint_eq(seen.req_it_iu_len, req.req_it_iu_len);
	ck_assert_uint_eq(seen.req_buf_fmt, 6);
	ck_assert_uint_eq(seen.req_flags, req.req_flags);
	ck_assert_uint_eq(seen.multichannel, SRPT_MULTICHAN_MULTI);
	ck_assert(seen.immed_requested);
	ck_assert_uint_eq(seen.imm_data_offset, 80);
	sin = (struct sockaddr_in *)&seen.src;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0xc0000202);
	sin = (struct sockaddr_in *)&seen.dst;
	ck_assert_uint_eq(ntohs(sin->sin_port), 5555);
	app_end(a);
}
END_TEST

/* Port id: defaults from the transport's GUID, or the options. */
START_TEST(test_port_id)
{
	struct app *a = app_alloc();
	uint64_t ext, guid;

	if (_i) {
		a->opts.id_ext = 0x1234;
		a->opts.ioc_guid = 0x5678;
	}
	ck_assert_int_eq(app_start(a), 0);
	ck_assert_int_eq(srpt_target_get_port_id(a->t, &ext, &guid), 0);
	ck_assert_uint_eq(guid, _i ? 0x5678 : FAKE_GUID);
	ck_assert_uint_eq(ext, _i ? 0x1234 : FAKE_GUID);
	/* and logins naming it are accepted */
	{
		struct fake_conn_info ci;
		struct fake_conn *c = app_login(a, 1);

		fake_conn_info(c, &ci);
		ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	}
	app_end(a);
}
END_TEST

/* Deferred decisions from another thread, with the wake-up. */
static void *accept_thread(void *arg)
{
	struct srpt_channel *ch = arg;

	return (void *)(intptr_t)srpt_channel_accept(ch);
}

START_TEST(test_deferred_accept_other_thread)
{
	struct app *a = app_alloc();
	struct fake_conn *c;
	struct fake_conn_info ci;
	struct srpt_channel *ch;
	pthread_t th;
	void *ret;

	a->req_verdict = SRPT_LOGIN_DEFER;
	ck_assert_int_eq(app_start(a), 0);
	c = app_login(a, 1);
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_NONE);
	ch = fake_conn_channel(c);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_CONNECTING);
	fake_take_wake(a->f);
	ck_assert_int_eq(pthread_create(&th, NULL, accept_thread, ch), 0);
	pthread_join(th, &ret);
	ck_assert_int_eq((int)(intptr_t)ret, 0);
	ck_assert(fake_take_wake(a->f));
	/* a second decision is refused */
	ck_assert_int_eq(srpt_channel_accept(ch), -EALREADY);
	ck_assert_int_eq(srpt_channel_reject(ch,
			 SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED), -EALREADY);
	app_dispatch(a);
	fake_conn_info(c, &ci);
	ck_assert_int_eq(ci.answer, FAKE_ANS_ACCEPT);
	ck_assert_int_eq(srpt_channel_reject(ch, 5), -EINVAL);
	app_end(a);
}
END_TEST

START_TEST(test_deferred_reject)
{
	struct app *a = app_alloc();
	struct srpt_login_req req;
	struct fake_conn *c;
	struct app_ch r;

	a->req_verdict = SRPT_LOGIN_DEFER;
	ck_assert_int_eq(app_start(a), 0);
	fake_login_req_init(a->f, &req, 1);
	c = fake_connect(a->f, &req);
	app_dispatch(a);
	ck_assert_int_eq(srpt_channel_reject(fake_conn_channel(c),
			 SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED), 0);
	ck_assert_int_eq(srpt_channel_accept(fake_conn_channel(c)),
			 -EALREADY);
	app_dispatch(a);
	expect_rej(c, SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED,
		   (const uint8_t *)&req.tag);
	app_finish(a);
	ck_assert(app_conn_ch(a, c, &r));
	ck_assert_str_eq(r.log, "RX");
	app_check(a);
	app_free(a);
}
END_TEST

/* srpt_target_new() refuses options out of range with -EINVAL, each on
 * its own, and takes the limits themselves. */
static int opt_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		   void *ud)
{
	(void)ch; (void)li; (void)ud;
	return SRPT_LOGIN_ACCEPT;
}

static void opt_cmd(struct srpt_channel *ch, struct srpt_io *io, void *ud)
{
	(void)ch; (void)io; (void)ud;
}

static int try_opts(void (*edit)(struct srpt_target_opts *o, int v), int v)
{
	static const struct srpt_target_ops ops = {
		.size = sizeof(ops), .on_req = opt_req, .on_cmd = opt_cmd,
	};
	struct srpt_target_opts o = { .size = sizeof(o), .ops = &ops };
	struct srpt_target *t = NULL;
	int r;

	edit(&o, v);
	r = srpt_target_new_tp(&t, &o, &fake_tp_ops, NULL);
	srpt_target_unref(t);
	return r;
}

static void e_qd(struct srpt_target_opts *o, int v) { o->queue_depth = (uint32_t)v; }
static void e_srq(struct srpt_target_opts *o, int v)
{
	o->flags = SRPT_TARGET_SRQ;
	o->srq_size = (uint32_t)v;
}
static void e_flags(struct srpt_target_opts *o, int v) { o->flags = (uint32_t)v; }
static void e_threads(struct srpt_target_opts *o, int v) { o->completion_threads = (uint32_t)v; }
static void e_ncpus(struct srpt_target_opts *o, int v)
{
	static unsigned int cpus[1];

	o->completion_cpus = cpus;
	o->ncompletion_cpus = (unsigned int)v;
}
static void e_cpu(struct srpt_target_opts *o, int v)
{
	static unsigned int cpus[2];

	cpus[0] = 0;
	cpus[1] = (unsigned int)v;
	o->completion_cpus = cpus;
	o->ncompletion_cpus = 2;
}

START_TEST(test_target_opts_bounds)
{
	ck_assert_int_eq(try_opts(e_qd, 2), 0);
	ck_assert_int_eq(try_opts(e_qd, 4096), 0);
	ck_assert_int_eq(try_opts(e_qd, 1), -EINVAL);
	ck_assert_int_eq(try_opts(e_qd, 4097), -EINVAL);
	ck_assert_int_eq(try_opts(e_srq, 16), 0);
	ck_assert_int_eq(try_opts(e_srq, 65536), 0);
	ck_assert_int_eq(try_opts(e_srq, 15), -EINVAL);
	ck_assert_int_eq(try_opts(e_srq, 65537), -EINVAL);
	ck_assert_int_eq(try_opts(e_flags, SRPT_TARGET_BUSY_POLL | SRPT_TARGET_SRQ), 0);
	ck_assert_int_eq(try_opts(e_flags, 1 << 7), -EINVAL);
	ck_assert_int_eq(try_opts(e_threads, 64), 0);
	ck_assert_int_eq(try_opts(e_threads, 65), -EINVAL);
	ck_assert_int_eq(try_opts(e_flags, SRPT_TARGET_APP_POLL | SRPT_TARGET_SRQ), 0);
	/* busy polling is the library's threads' way: not with APP_POLL */
	ck_assert_int_eq(try_opts(e_flags, SRPT_TARGET_APP_POLL |
				  SRPT_TARGET_BUSY_POLL), -EINVAL);
	ck_assert_int_eq(try_opts(e_cpu, CPU_SETSIZE - 1), 0);
	ck_assert_int_eq(try_opts(e_cpu, CPU_SETSIZE), -EINVAL);
	/* refused before the caller's array is copied: nothing is freed
	 * that the library did not allocate */
	ck_assert_int_eq(try_opts(e_ncpus, 1025), -EINVAL);
	ck_assert_int_eq(try_opts(e_ncpus, 0), 0);
}
END_TEST

static Suite *login_suite(void)
{
	Suite *s = suite_create("core-login");
	TCase *tc = tcase_create("login");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_reject_reason, 0, M_COUNT);
	tcase_add_test(tc, test_iu_len_bounds_accepted);
	tcase_add_test(tc, test_target_opts_bounds);
	tcase_add_loop_test(tc, test_reject_from_on_req, 0, 4);
	tcase_add_test(tc, test_reject_undecodable);
	tcase_add_loop_test(tc, test_reject_resources, 0, 5);
	tcase_add_loop_test(tc, test_reject_connect_enomem, 0, 2);
	tcase_add_test(tc, test_half_made_channel_hidden);
	tcase_add_test(tc, test_accept_rsp_fields);
	tcase_add_test(tc, test_immediate_negotiation);
	tcase_add_test(tc, test_multichannel);
	tcase_add_test(tc, test_login_info);
	tcase_add_loop_test(tc, test_port_id, 0, 2);
	tcase_add_test(tc, test_deferred_accept_other_thread);
	tcase_add_test(tc, test_deferred_reject);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(login_suite)
