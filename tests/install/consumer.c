/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A third-party program, built with nothing but pkg-config --cflags --libs
 * libsrpt. It calls every public function at least once, so that a
 * function the headers declare but the installed library does not export
 * breaks the build here (install-test.sh checks the list against the
 * headers). Without RDMA hardware there is no listening target and no
 * live channel: what needs one is called with NULL or on a target that
 * does not listen, and the accessors that take a live channel or command
 * are called from the callbacks of the small null-device target below.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <srpt/srpt.h>

static int failures;

static void expect_int(int line, const char *what, long long got,
		       long long want)
{
	if (got == want)
		return;
	fprintf(stderr, "consumer.c:%d: %s is %lld, expected %lld\n", line,
		what, got, want);
	failures++;
}

static void expect_str(int line, const char *what, const char *got,
		       const char *want)
{
	if (got && !strcmp(got, want))
		return;
	fprintf(stderr, "consumer.c:%d: %s is \"%s\", expected \"%s\"\n",
		line, what, got ? got : "(null)", want);
	failures++;
}

#define EXPECT(expr, want) \
	expect_int(__LINE__, #expr, (long long)(expr), (long long)(want))
#define EXPECT_TRUE(expr) EXPECT(!!(expr), 1)
#define EXPECT_STR(expr, want) expect_str(__LINE__, #expr, (expr), (want))

/* ---- a null device: writes are fetched and dropped, reads are zeros ---- */

#define IO_PRIV_SIZE 4096

static void on_data(struct srpt_io *io, int status, void *arg)
{
	struct srpt_io_result res = { .size = sizeof(res),
		.status = status ? 2 : 0,
		.expected_len = SRPT_LEN_AS_DESCRIBED,
	};

	srpt_io_complete(io, &res);
}

static int on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		  void *ud)
{
	uint64_t id_ext, guid;

	if (srpt_channel_get_login(ch) != li ||
	    srpt_channel_get_state(ch) != SRPT_CH_CONNECTING ||
	    srpt_target_get_port_id(srpt_channel_get_target(ch), &id_ext,
				    &guid))
		return SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	srpt_channel_set_userdata(ch, ud);
	return SRPT_LOGIN_ACCEPT;
}

static void on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *ud)
{
	const struct srpt_io_info *info = srpt_io_get_info(io);
	struct srpt_sge sg = { .addr = srpt_io_get_priv(io) };
	struct srpt_io_result res = { .size = sizeof(res),
		.expected_len = SRPT_LEN_AS_DESCRIBED,
	};

	sg.len = info->data_len < IO_PRIV_SIZE ? info->data_len : IO_PRIV_SIZE;
	if (srpt_io_get_channel(io) != ch ||
	    srpt_channel_get_userdata(ch) != ud) {
		res.status = 2;
	} else if (info->dir == SRPT_DIR_OUT) {
		int r = srpt_io_fetch_data(io, &sg, 1, on_data, NULL);

		if (r == 0)
			return;
		res.status = r == 1 ? 0 : 2;
	} else if (info->dir == SRPT_DIR_IN) {
		memset(sg.addr, 0, sg.len);
		res.data = &sg;
		res.nsge = 1;
	}
	srpt_io_complete(io, &res);
}

static int on_drained(struct srpt_channel *ch, void *ud)
{
	srpt_channel_set_userdata(ch, NULL);
	return SRPT_DRAINED_DONE;
}

static int count_live(struct srpt_channel *ch, void *arg)
{
	if (srpt_channel_get_id(ch) &&
	    srpt_channel_get_state(ch) == SRPT_CH_LIVE)
		++*(unsigned int *)arg;
	return 0;
}

static const struct srpt_target_ops null_ops = {
	.size = sizeof(struct srpt_target_ops),
	.on_req = on_req, .on_drained = on_drained, .on_cmd = on_cmd,
};

/* ---- the wire codec: every IU encoded, decoded and compared ---- */

static const uint8_t port_a[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x0a };
static const uint8_t port_b[16] = { [7] = 0x01, [8] = 0x00, [15] = 0x0b };
static const uint8_t lun[8] = { 0x40, 0x01, 0, 0, 0, 0, 0, 0 };
static const uint8_t sense[18] = { 0x70, 0, 0x05, [7] = 10, [12] = 0x24 };

static void expect_login_req(int line, const struct srpt_login_req *a,
			     const struct srpt_login_req *b)
{
	expect_int(line, "tag", a->tag, b->tag);
	expect_int(line, "req_it_iu_len", a->req_it_iu_len, b->req_it_iu_len);
	expect_int(line, "req_buf_fmt", a->req_buf_fmt, b->req_buf_fmt);
	expect_int(line, "req_flags", a->req_flags, b->req_flags);
	expect_int(line, "imm_data_offset", a->imm_data_offset,
		   b->imm_data_offset);
	expect_int(line, "initiator_port_id",
		   memcmp(a->initiator_port_id, b->initiator_port_id, 16), 0);
	expect_int(line, "target_port_id",
		   memcmp(a->target_port_id, b->target_port_id, 16), 0);
}

static void test_login(void)
{
	struct srpt_login_req req = {
		.tag = 0x1122334455667788ull, .req_it_iu_len = 8260,
		.req_buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT,
		.req_flags = SRPT_MULTICHAN_MULTI | SRPT_LOGIN_IMMED_REQUESTED,
		.imm_data_offset = 80,
	}, rq;
	const struct srpt_login_rsp rsp = {
		.req_lim_delta = 128, .tag = req.tag, .max_it_iu_len = 8260,
		.max_ti_iu_len = 256, .buf_fmt = SRPT_BUF_FMT_DIRECT,
		.rsp_flags = SRPT_LOGIN_RSP_MAINTAINED |
			     SRPT_LOGIN_RSP_IMMED_SUPP,
	};
	const struct srpt_login_rej rej = {
		.reason = SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE,
		.tag = req.tag, .buf_fmt = SRPT_BUF_FMT_INDIRECT,
	};
	struct srpt_login_rsp rs;
	struct srpt_login_rej rj;
	uint8_t buf[64];

	memcpy(req.initiator_port_id, port_a, 16);
	memcpy(req.target_port_id, port_b, 16);

	/* IB/CM form. */
	EXPECT(srpt_login_req_encode(&req, buf, sizeof(buf)),
	       SRPT_LOGIN_REQ_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_LOGIN_REQ_LEN), SRPT_OP_LOGIN_REQ);
	EXPECT(srpt_login_req_decode(buf, SRPT_LOGIN_REQ_LEN, &rq), 0);
	expect_login_req(__LINE__, &rq, &req);
	EXPECT(srpt_login_req_decode(buf, SRPT_LOGIN_REQ_LEN - 1, &rq),
	       -EMSGSIZE);
	EXPECT(srpt_login_req_encode(&req, NULL, sizeof(buf)), -EINVAL);

	/* RDMA/CM form: the opcode is byte 11. */
	memset(&rq, 0, sizeof(rq));
	EXPECT(srpt_login_req_rdma_encode(&req, buf, sizeof(buf)),
	       SRPT_LOGIN_REQ_RDMA_LEN);
	EXPECT(buf[11], SRPT_OP_LOGIN_REQ);
	EXPECT(srpt_login_req_rdma_decode(buf, SRPT_LOGIN_REQ_RDMA_LEN, &rq),
	       0);
	expect_login_req(__LINE__, &rq, &req);
	EXPECT(srpt_login_req_rdma_decode(buf, SRPT_LOGIN_REQ_RDMA_LEN - 1,
					  &rq), -EMSGSIZE);
	EXPECT(srpt_login_req_rdma_encode(&req, buf,
					  SRPT_LOGIN_REQ_RDMA_LEN - 1),
	       -ENOSPC);

	EXPECT(srpt_login_rsp_encode(&rsp, buf, sizeof(buf)),
	       SRPT_LOGIN_RSP_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_LOGIN_RSP_LEN), SRPT_OP_LOGIN_RSP);
	EXPECT(srpt_login_rsp_decode(buf, SRPT_LOGIN_RSP_LEN, &rs), 0);
	EXPECT(rs.req_lim_delta, rsp.req_lim_delta);
	EXPECT(rs.tag, rsp.tag);
	EXPECT(rs.max_it_iu_len, rsp.max_it_iu_len);
	EXPECT(rs.max_ti_iu_len, rsp.max_ti_iu_len);
	EXPECT(rs.buf_fmt, rsp.buf_fmt);
	EXPECT(rs.rsp_flags, rsp.rsp_flags);
	EXPECT(srpt_login_rsp_decode(buf, SRPT_LOGIN_RSP_LEN - 1, &rs),
	       -EMSGSIZE);

	EXPECT(srpt_login_rej_encode(&rej, buf, sizeof(buf)),
	       SRPT_LOGIN_REJ_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_LOGIN_REJ_LEN), SRPT_OP_LOGIN_REJ);
	EXPECT(srpt_login_rej_decode(buf, SRPT_LOGIN_REJ_LEN, &rj), 0);
	EXPECT(rj.reason, rej.reason);
	EXPECT(rj.tag, rej.tag);
	EXPECT(rj.buf_fmt, rej.buf_fmt);
	/* A reject is not a response. */
	EXPECT(srpt_login_rsp_decode(buf, SRPT_LOGIN_RSP_LEN, &rs), -EPROTO);
	EXPECT(srpt_login_rej_encode(&rej, buf, SRPT_LOGIN_REJ_LEN - 1),
	       -ENOSPC);
}

static void test_cmd(void)
{
	/* A bidirectional command with 4 bytes of additional CDB: DATA-OUT
	 * in a table of two inline descriptors, DATA-IN direct. */
	static const uint8_t cdb[20] = { 0x8a, [13] = 16, [19] = 0xcd };
	struct srpt_buf_desc list[2] = {
		{ .va = 0x1000, .key = 0x11, .len = 4096 },
		{ .va = 0x9000, .key = 0x22, .len = 4096 },
	};
	uint8_t wire_list[2][16];
	struct srpt_cmd c = {
		.sol_not = SRPT_SCSOLNT, .tag = 42,
		.data_out_fmt = SRPT_DATA_FMT_INDIRECT, .data_out_desc_cnt = 2,
		.data_in_fmt = SRPT_DATA_FMT_DIRECT,
		.task_attr = SRPT_TASK_ATTR_ORDERED,
		.add_cdb_len = 4, .cdb = cdb, .cdb_len = sizeof(cdb),
	};
	static const uint8_t payload[8] = { 'i', 'm', 'm', 'd', 'a', 't', 'a' };
	struct srpt_cmd d, imm = {
		.tag = 43, .cdb = cdb, .cdb_len = 16,
		.data_out_fmt = SRPT_DATA_FMT_IMM,
		.data_out = { .fmt = SRPT_DATA_FMT_IMM, .total_len = 8,
			      .imm_offset = 64, .imm_data = payload },
	};
	struct srpt_buf_desc bd;
	uint8_t buf[160];
	int n;

	/* The inline list is in wire order: let the encoder write it. */
	for (int i = 0; i < 2; i++) {
		struct srpt_cmd one = {
			.data_in_fmt = SRPT_DATA_FMT_DIRECT,
			.data_in = { .fmt = SRPT_DATA_FMT_DIRECT,
				     .direct = list[i] },
		};

		EXPECT(srpt_cmd_encode(&one, buf, sizeof(buf)), 64);
		memcpy(wire_list[i], buf + 48, 16);
	}
	memcpy(c.lun, lun, 8);
	c.data_out.fmt = SRPT_DATA_FMT_INDIRECT;
	c.data_out.table = (struct srpt_buf_desc){ .va = 0x5000, .key = 0x33,
						   .len = 32 };
	c.data_out.total_len = 8192;
	c.data_out.inline_cnt = 2;
	c.data_out.inline_list = &wire_list[0][0];
	c.data_in.fmt = SRPT_DATA_FMT_DIRECT;
	c.data_in.direct = (struct srpt_buf_desc){ .va = 0xa000, .key = 0x44,
						   .len = 512 };

	n = srpt_cmd_encode(&c, buf, sizeof(buf));
	EXPECT(n, SRPT_CMD_LEN + 4 + SRPT_INDIRECT_HDR_LEN + 2 * 16 +
	       SRPT_DIRECT_DESC_LEN);
	EXPECT(srpt_iu_opcode(buf, n), SRPT_OP_CMD);
	EXPECT(srpt_cmd_decode(buf, n, 0, &d), 0);
	EXPECT(d.sol_not, c.sol_not);
	EXPECT(d.tag, c.tag);
	EXPECT(memcmp(d.lun, lun, 8), 0);
	EXPECT(d.task_attr, c.task_attr);
	EXPECT(d.add_cdb_len, 4);
	EXPECT(d.cdb_len, 20);
	EXPECT(memcmp(d.cdb, cdb, 20), 0);
	EXPECT(d.data_out_fmt, SRPT_DATA_FMT_INDIRECT);
	EXPECT(d.data_out.total_len, 8192);
	EXPECT(d.data_out.table.va, 0x5000);
	EXPECT(d.data_out.table_cnt, 2);
	EXPECT(d.data_out.inline_cnt, 2);
	for (uint32_t i = 0; i < 2; i++) {
		EXPECT(srpt_buf_desc_get(&d.data_out, i, &bd), 0);
		EXPECT(bd.va, list[i].va);
		EXPECT(bd.key, list[i].key);
		EXPECT(bd.len, list[i].len);
	}
	EXPECT(srpt_buf_desc_get(&d.data_out, 2, &bd), -ERANGE);
	EXPECT(srpt_buf_desc_get(NULL, 0, &bd), -EINVAL);
	EXPECT(d.data_in_fmt, SRPT_DATA_FMT_DIRECT);
	EXPECT(d.data_in.direct.va, 0xa000);
	EXPECT(d.data_in.direct.key, 0x44);
	EXPECT(d.data_in.total_len, 512);
	EXPECT(srpt_cmd_decode(buf, n - 1, 0, &d), -EOVERFLOW);
	EXPECT(srpt_cmd_decode(buf, 47, 0, &d), -EMSGSIZE);
	EXPECT(srpt_cmd_encode(&c, buf, n - 1), -ENOSPC);
	c.add_cdb_len = 3;
	EXPECT(srpt_cmd_encode(&c, buf, sizeof(buf)), -EINVAL);

	/* Immediate data: found only at the offset granted at login. */
	n = srpt_cmd_encode(&imm, buf, sizeof(buf));
	EXPECT(n, 64 + 8);
	EXPECT(srpt_cmd_decode(buf, n, 64, &d), 0);
	EXPECT(d.tag, imm.tag);
	EXPECT(d.data_out_fmt, SRPT_DATA_FMT_IMM);
	EXPECT(d.data_out.total_len, 8);
	EXPECT(d.data_out.imm_offset, 64);
	EXPECT_TRUE(d.data_out.imm_data == buf + 64);
	EXPECT(memcmp(d.data_out.imm_data, payload, 8), 0);
	EXPECT(srpt_cmd_decode(buf, n, 0, &d), -EBADMSG);
	EXPECT(srpt_cmd_decode(buf, n - 1, 64, &d), -ENODATA);
}

static void test_rsp(void)
{
	static const uint8_t tmf_rsp[4] = { 0, 0, 0, SRPT_TSK_MGMT_SUCCEEDED };
	const struct srpt_rsp r = {
		.sol_not = SRPT_SOLNT, .req_lim_delta = 3, .tag = 7,
		.flags = SRPT_RSP_RSPVALID | SRPT_RSP_SNSVALID |
			 SRPT_RSP_DIUNDER,
		.status = 2, .data_in_res_cnt = 100, .data_out_res_cnt = 5,
		.resp_data = tmf_rsp, .resp_data_len = 4,
		.sense = sense, .sense_len = sizeof(sense),
	};
	struct srpt_rsp d, bad = r;
	uint8_t buf[64];
	int n = srpt_rsp_encode(&r, buf, sizeof(buf));

	EXPECT(n, SRPT_RSP_LEN + 4 + sizeof(sense));
	EXPECT(srpt_iu_opcode(buf, n), SRPT_OP_RSP);
	EXPECT(srpt_rsp_decode(buf, n, &d), 0);
	EXPECT(d.sol_not, r.sol_not);
	EXPECT(d.req_lim_delta, r.req_lim_delta);
	EXPECT(d.tag, r.tag);
	EXPECT(d.flags, r.flags);
	EXPECT(d.status, r.status);
	EXPECT(d.data_out_res_cnt, r.data_out_res_cnt);
	EXPECT(d.data_in_res_cnt, r.data_in_res_cnt);
	EXPECT(d.resp_data_len, 4);
	EXPECT(memcmp(d.resp_data, tmf_rsp, 4), 0);
	EXPECT(d.sense_len, sizeof(sense));
	EXPECT(memcmp(d.sense, sense, sizeof(sense)), 0);
	EXPECT(srpt_rsp_decode(buf, n - 1, &d), -EOVERFLOW);
	EXPECT(srpt_rsp_encode(&r, buf, n - 1), -ENOSPC);
	bad.sense = NULL;
	EXPECT(srpt_rsp_encode(&bad, buf, sizeof(buf)), -EINVAL);
}

static void test_small_ius(void)
{
	struct srpt_tsk_mgmt tm = {
		.sol_not = SRPT_UCSOLNT, .tag = 8, .task_tag = 42,
		.tsk_mgmt_func = SRPT_TSK_ABORT_TASK,
	}, tmd;
	const struct srpt_i_logout il = { .tag = 9 };
	const struct srpt_t_logout tl = {
		.sol_not = SRPT_SOLNT, .tag = 10,
		.reason = SRPT_T_LOGOUT_INVALID_IU_LEN,
	};
	const struct srpt_cred_req cq = {
		.sol_not = SRPT_SOLNT, .req_lim_delta = 16, .tag = 11,
	};
	const struct srpt_cred_rsp cr = { .tag = 12 };
	struct srpt_aer_req aq = {
		.sol_not = SRPT_SOLNT, .req_lim_delta = 1, .tag = 13,
		.sense = sense, .sense_len = sizeof(sense),
	}, aqd;
	const struct srpt_aer_rsp ar = { .tag = 14 };
	struct srpt_i_logout ild;
	struct srpt_t_logout tld;
	struct srpt_cred_req cqd;
	struct srpt_cred_rsp crd;
	struct srpt_aer_rsp ard;
	uint8_t buf[64];

	memcpy(tm.lun, lun, 8);
	EXPECT(srpt_tsk_mgmt_encode(&tm, buf, sizeof(buf)), SRPT_TSK_MGMT_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_TSK_MGMT_LEN), SRPT_OP_TSK_MGMT);
	EXPECT(srpt_tsk_mgmt_decode(buf, SRPT_TSK_MGMT_LEN, &tmd), 0);
	EXPECT(tmd.sol_not, tm.sol_not);
	EXPECT(tmd.tag, tm.tag);
	EXPECT(memcmp(tmd.lun, lun, 8), 0);
	EXPECT(tmd.tsk_mgmt_func, tm.tsk_mgmt_func);
	EXPECT(tmd.task_tag, tm.task_tag);
	EXPECT(srpt_tsk_mgmt_decode(buf, SRPT_TSK_MGMT_LEN - 1, &tmd),
	       -EMSGSIZE);
	EXPECT(srpt_tsk_mgmt_encode(&tm, buf, SRPT_TSK_MGMT_LEN - 1), -ENOSPC);

	EXPECT(srpt_i_logout_encode(&il, buf, sizeof(buf)), SRPT_I_LOGOUT_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_I_LOGOUT_LEN), SRPT_OP_I_LOGOUT);
	EXPECT(srpt_i_logout_decode(buf, SRPT_I_LOGOUT_LEN, &ild), 0);
	EXPECT(ild.tag, il.tag);
	EXPECT(srpt_i_logout_decode(NULL, SRPT_I_LOGOUT_LEN, &ild), -EINVAL);
	EXPECT(srpt_i_logout_encode(&il, buf, 15), -ENOSPC);

	EXPECT(srpt_t_logout_encode(&tl, buf, sizeof(buf)), SRPT_T_LOGOUT_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_T_LOGOUT_LEN), SRPT_OP_T_LOGOUT);
	EXPECT(srpt_t_logout_decode(buf, SRPT_T_LOGOUT_LEN, &tld), 0);
	EXPECT(tld.sol_not, tl.sol_not);
	EXPECT(tld.reason, tl.reason);
	EXPECT(tld.tag, tl.tag);
	/* An SRP_T_LOGOUT is not an SRP_I_LOGOUT. */
	EXPECT(srpt_i_logout_decode(buf, SRPT_T_LOGOUT_LEN, &ild), -EPROTO);
	EXPECT(srpt_t_logout_encode(NULL, buf, sizeof(buf)), -EINVAL);

	EXPECT(srpt_cred_req_encode(&cq, buf, sizeof(buf)), SRPT_CRED_REQ_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_CRED_REQ_LEN), SRPT_OP_CRED_REQ);
	EXPECT(srpt_cred_req_decode(buf, SRPT_CRED_REQ_LEN, &cqd), 0);
	EXPECT(cqd.sol_not, cq.sol_not);
	EXPECT(cqd.req_lim_delta, cq.req_lim_delta);
	EXPECT(cqd.tag, cq.tag);
	EXPECT(srpt_cred_req_decode(buf, 15, &cqd), -EMSGSIZE);
	EXPECT(srpt_cred_req_encode(&cq, buf, 15), -ENOSPC);

	EXPECT(srpt_cred_rsp_encode(&cr, buf, sizeof(buf)), SRPT_CRED_RSP_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_CRED_RSP_LEN), SRPT_OP_CRED_RSP);
	EXPECT(srpt_cred_rsp_decode(buf, SRPT_CRED_RSP_LEN, &crd), 0);
	EXPECT(crd.tag, cr.tag);
	EXPECT(srpt_cred_rsp_decode(buf, SRPT_CRED_RSP_LEN, NULL), -EINVAL);
	EXPECT(srpt_cred_rsp_encode(&cr, buf, 15), -ENOSPC);

	memcpy(aq.lun, lun, 8);
	EXPECT(srpt_aer_req_encode(&aq, buf, sizeof(buf)),
	       SRPT_AER_REQ_LEN + sizeof(sense));
	EXPECT(srpt_iu_opcode(buf, SRPT_AER_REQ_LEN), SRPT_OP_AER_REQ);
	EXPECT(srpt_aer_req_decode(buf, SRPT_AER_REQ_LEN + sizeof(sense),
				   &aqd), 0);
	EXPECT(aqd.sol_not, aq.sol_not);
	EXPECT(aqd.req_lim_delta, aq.req_lim_delta);
	EXPECT(aqd.tag, aq.tag);
	EXPECT(memcmp(aqd.lun, lun, 8), 0);
	EXPECT(aqd.sense_len, sizeof(sense));
	EXPECT(memcmp(aqd.sense, sense, sizeof(sense)), 0);
	EXPECT(srpt_aer_req_decode(buf, SRPT_AER_REQ_LEN, &aqd), -EOVERFLOW);
	aq.sense = NULL;
	EXPECT(srpt_aer_req_encode(&aq, buf, sizeof(buf)), -EINVAL);

	EXPECT(srpt_aer_rsp_encode(&ar, buf, sizeof(buf)), SRPT_AER_RSP_LEN);
	EXPECT(srpt_iu_opcode(buf, SRPT_AER_RSP_LEN), SRPT_OP_AER_RSP);
	EXPECT(srpt_aer_rsp_decode(buf, SRPT_AER_RSP_LEN, &ard), 0);
	EXPECT(ard.tag, ar.tag);
	EXPECT(srpt_aer_rsp_decode(buf, 15, &ard), -EMSGSIZE);
	EXPECT(srpt_aer_rsp_encode(&ar, buf, 15), -ENOSPC);

	EXPECT(srpt_iu_opcode(NULL, 16), -EINVAL);
	EXPECT(srpt_iu_opcode(buf, 0), -EMSGSIZE);
}

static void test_names(void)
{
	static const char *const states[] = {
		[SRPT_CH_CONNECTING] = "CONNECTING",
		[SRPT_CH_LIVE] = "LIVE",
		[SRPT_CH_DISCONNECTING] = "DISCONNECTING",
		[SRPT_CH_DRAINING] = "DRAINING",
		[SRPT_CH_DISCONNECTED] = "DISCONNECTED",
	};
	const uint32_t too_large = SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE;

	EXPECT_STR(srpt_opcode_name(SRPT_OP_CMD), "SRP_CMD");
	EXPECT_STR(srpt_opcode_name(SRPT_OP_LOGIN_REJ), "SRP_LOGIN_REJ");
	EXPECT_STR(srpt_opcode_name(0x7f), "unknown");
	EXPECT_STR(srpt_login_rej_reason_name(too_large),
		   "REQ_IT_IU_LENGTH_TOO_LARGE");
	EXPECT_STR(srpt_login_rej_reason_name(0x00010007), "unknown");
	EXPECT_STR(srpt_tsk_mgmt_func_name(SRPT_TSK_LUN_RESET), "LUN_RESET");
	EXPECT_STR(srpt_tsk_mgmt_func_name(0x03), "unknown");
	for (int i = 0; i < 5; i++)
		EXPECT_STR(srpt_channel_state_name((enum srpt_channel_state)i),
			   states[i]);
	EXPECT_STR(srpt_channel_state_name((enum srpt_channel_state)5),
		   "unknown");
}

/* ---- target, channel and command calls that need no RDMA device ---- */

static void test_target_opts(void)
{
	static const struct srpt_target_ops no_cmd = {
		.size = sizeof(no_cmd), .on_req = on_req,
	};
	static const struct srpt_target_ops no_size = {
		.on_req = on_req, .on_cmd = on_cmd,
	};
	/* ops of a newer program: its callbacks past what we know set */
	static struct {
		struct srpt_target_ops ops;
		void (*later)(void);
	} newer = {
		{ .size = sizeof(newer), .on_req = on_req, .on_cmd = on_cmd },
		(void (*)(void))on_req,
	};
	struct {
		struct srpt_target_opts o;
		uint64_t later;
	} big = { { .size = sizeof(big), .ops = &null_ops }, 1 };
	struct srpt_target_opts o = {
		.size = sizeof(o), .ops = &null_ops,
	};
	struct srpt_target *t = NULL;

	EXPECT(srpt_target_new(NULL, &o), -EINVAL);
	EXPECT(srpt_target_new(&t, NULL), -EINVAL);
	o.ops = &no_cmd;
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	o.ops = &null_ops;
	o.queue_depth = 1;
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	o.queue_depth = 128;
	o.max_ti_iu_len = 39;
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	o.max_ti_iu_len = 0;
	o.flags = 1u << 31;
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	o.flags = 0;
	o.ops = &no_size;
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	o.ops = &newer.ops;
	EXPECT(srpt_target_new(&t, &o), -E2BIG);
	o.ops = &null_ops;
	/* a newer program's opts: what this library does not know must be
	 * zero */
	EXPECT(srpt_target_new(&t, &big.o), -E2BIG);
	big.later = 0;
	EXPECT(srpt_target_new(&t, &big.o), 0);
	t = srpt_target_unref(t);
	/* Too small to hold even the ops pointer. */
	o.size = sizeof(size_t);
	EXPECT(srpt_target_new(&t, &o), -EINVAL);
	EXPECT_TRUE(t == NULL);
}

static void test_target(void)
{
	static int app;
	const struct srpt_target_opts o = {
		.size = sizeof(o), .ops = &null_ops, .userdata = &app,
		.queue_depth = 64, .io_priv_size = IO_PRIV_SIZE,
		.flags = SRPT_TARGET_SRQ, .srq_size = 256,
	};
	struct sockaddr_storage unix_addr = { .ss_family = AF_UNIX };
	uint64_t id_ext = 1, guid = 2;
	struct srpt_channel *ch = NULL;
	struct srpt_target *t = NULL;
	struct srpt_mr *mr = NULL;
	unsigned int live = 0;
	static char mem[4096];

	EXPECT(srpt_target_new(&t, &o), 0);
	if (!t)
		return;
	EXPECT_TRUE(srpt_target_ref(t) == t);
	EXPECT_TRUE(srpt_target_unref(t) == NULL);
	/* Default GUID and not listening: not known yet, nothing stored. */
	EXPECT(srpt_target_get_port_id(t, &id_ext, &guid), -EAGAIN);
	EXPECT(id_ext, 1);
	EXPECT(guid, 2);
	EXPECT(srpt_target_listen(t, NULL), -EINVAL);
	EXPECT(srpt_target_listen(t, (struct sockaddr *)&unix_addr),
	       -EAFNOSUPPORT);
	EXPECT(srpt_target_channel_count(t), 0);
	EXPECT(srpt_target_find_channel(t, 1, &ch), -ENOENT);
	EXPECT_TRUE(ch == NULL);
	EXPECT(srpt_target_find_channel(t, 1, NULL), -EINVAL);
	EXPECT(srpt_target_foreach_channel(t, count_live, &live), 0);
	EXPECT(live, 0);
	EXPECT(srpt_target_foreach_channel(t, NULL, NULL), -EINVAL);
	/* Memory can be registered before the target listens. */
	EXPECT(srpt_target_reg_mem(t, NULL, sizeof(mem), &mr), -EINVAL);
	EXPECT_TRUE(mr == NULL);
	EXPECT(srpt_target_reg_mem(t, mem, sizeof(mem), &mr), 0);
	EXPECT_TRUE(mr != NULL);
	EXPECT(srpt_target_dereg_mem(t, mr), 0);
	EXPECT(srpt_target_dereg_mem(t, NULL), 0);
	EXPECT(srpt_target_set_log_level(t, SRPT_LOG_DEBUG), 0);
	EXPECT(srpt_target_set_log_level(t, 99), -EINVAL);
	/* Not made with SRPT_TARGET_APP_POLL, not listening: no poller. */
	EXPECT(srpt_target_poll_fd(t, 0), -EINVAL);
	EXPECT(srpt_target_poll(t, 0, 0), -EINVAL);
	{
		struct srpt_target_stats st = { .size = sizeof(st) };
		struct srpt_io_stats io = { .size = sizeof(io) };

		EXPECT(srpt_target_get_stats(t, &st, &io), 0);
		EXPECT(st.logins, 0);
		EXPECT(io.cmds, 0);
		EXPECT(srpt_target_get_stats(t, NULL, &io), 0);
		EXPECT(srpt_target_get_stats(t, &st, NULL), 0);
		EXPECT(srpt_target_get_stats(t, NULL, NULL), -EINVAL);
		io.size = 0;
		EXPECT(srpt_target_get_stats(t, &st, &io), -EINVAL);
	}
	EXPECT(srpt_target_disable(t), 0);
	EXPECT(srpt_target_enable(t), 0);
	EXPECT(srpt_target_shutdown(t), 0);
	EXPECT(srpt_target_shutdown(t), 0);
	EXPECT_TRUE(srpt_target_unref(t) == NULL);

	/* NULL targets. */
	EXPECT_TRUE(srpt_target_ref(NULL) == NULL);
	EXPECT_TRUE(srpt_target_unref(NULL) == NULL);
	EXPECT(srpt_target_channel_count(NULL), 0);
	EXPECT(srpt_target_get_port_id(NULL, &id_ext, &guid), -EINVAL);
	EXPECT(srpt_target_enable(NULL), -EINVAL);
	EXPECT(srpt_target_disable(NULL), -EINVAL);
	EXPECT(srpt_target_shutdown(NULL), -EINVAL);
	EXPECT(srpt_target_dereg_mem(NULL, NULL), -EINVAL);
	EXPECT(srpt_target_set_log_level(NULL, SRPT_LOG_ERR), -EINVAL);
	EXPECT(srpt_target_poll_fd(NULL, 0), -EINVAL);
	EXPECT(srpt_target_poll(NULL, 0, 1), -EINVAL);
	EXPECT(srpt_target_get_stats(NULL, NULL, NULL), -EINVAL);
}

static void test_no_channel(void)
{
	struct srpt_sge sg = { .addr = &sg, .len = sizeof(sg) };
	const struct srpt_io_result res = { .size = sizeof(res),
		.expected_len = SRPT_LEN_AS_DESCRIBED,
	};

	EXPECT_TRUE(srpt_channel_ref(NULL) == NULL);
	EXPECT_TRUE(srpt_channel_unref(NULL) == NULL);
	EXPECT(srpt_channel_accept(NULL), -EINVAL);
	EXPECT(srpt_channel_reject(NULL, SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED),
	       -EINVAL);
	EXPECT(srpt_channel_reject(NULL, 0x00010007), -EINVAL);
	EXPECT(srpt_channel_close(NULL), -EINVAL);
	EXPECT(srpt_channel_drained_done(NULL), -EINVAL);
	EXPECT(srpt_io_fetch_data(NULL, &sg, 1, on_data, NULL), -EINVAL);
	EXPECT(srpt_io_complete(NULL, &res), -EINVAL);
	EXPECT_TRUE(!srpt_io_is_aborted(NULL));
	{
		struct srpt_login_params p = { .size = sizeof(p) };
		struct srpt_channel_info info = { .size = sizeof(info) };
		struct srpt_io_stats st = { .size = sizeof(st) };

		EXPECT(srpt_channel_set_login_params(NULL, &p), -EINVAL);
		EXPECT(srpt_channel_get_info(NULL, &info), -EINVAL);
		EXPECT(srpt_channel_get_stats(NULL, &st), -EINVAL);
		EXPECT(srpt_channel_logout(NULL, 0), -EINVAL);
		EXPECT(srpt_channel_send_aer(NULL, lun, sense, sizeof(sense)),
		       -EINVAL);
	}
}

int main(void)
{
	char want[32];

	/* The library that is loaded is the one whose headers we built with. */
	snprintf(want, sizeof(want), "%d.%d.%d", SRPT_VERSION_MAJOR,
		 SRPT_VERSION_MINOR, SRPT_VERSION_PATCH);
	EXPECT_STR(srpt_version(), want);
	test_login();
	test_cmd();
	test_rsp();
	test_small_ius();
	test_names();
	test_target_opts();
	test_target();
	test_no_channel();
	if (failures) {
		fprintf(stderr, "consumer: %d checks failed\n", failures);
		return 1;
	}
	printf("libsrpt %s: consumer ok\n", srpt_version());
	return 0;
}
