/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Tests of libsrpt/proto/srp-login.c: SRP_LOGIN_REQ (both forms), RSP, REJ. */
#include "proto-test.h"

static int dec_req(const void *b, size_t l, void *o)
{
	return srpt_login_req_decode(b, l, o);
}

static int dec_req_rdma(const void *b, size_t l, void *o)
{
	return srpt_login_req_rdma_decode(b, l, o);
}

static int dec_rsp(const void *b, size_t l, void *o)
{
	return srpt_login_rsp_decode(b, l, o);
}

static int dec_rej(const void *b, size_t l, void *o)
{
	return srpt_login_rej_decode(b, l, o);
}

static int enc_req(const void *i, void *b, size_t l)
{
	return srpt_login_req_encode(i, b, l);
}

static int enc_req_rdma(const void *i, void *b, size_t l)
{
	return srpt_login_req_rdma_encode(i, b, l);
}

static int enc_rsp(const void *i, void *b, size_t l)
{
	return srpt_login_rsp_encode(i, b, l);
}

static int enc_rej(const void *i, void *b, size_t l)
{
	return srpt_login_rej_encode(i, b, l);
}

/* Port ids of the soft-RoCE setup: GUID 5054:00ff:fe12:3456. */
static const uint8_t init_port_id[16] = {
	0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
};
static const uint8_t tgt_port_id[16] = {
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
};

/*
 * The login the Debian 6.1 ib_srp sent over RDMA/CM (srp-wire.md section 11):
 * tag 0, req_buf_fmt 0x0006, req_flags 0x80, req_it_iu_len 8260,
 * imm_data_offset 68.
 */
static const uint8_t linux_login_rdma[56] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x06,					/* req_buf_fmt */
	0x80,						/* req_flags */
	0x00,						/* opcode */
	0x00, 0x00, 0x20, 0x44,				/* req_it_iu_len */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* initiator */
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,	/* target */
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x00, 0x44,					/* imm_data_offset */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		/* reserved */
};

/* The same login in the 64-byte IB/CM form. */
static const uint8_t linux_login_ib[64] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* opcode, rsvd */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x20, 0x44,				/* req_it_iu_len */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x00, 0x06,					/* req_buf_fmt */
	0x80,						/* req_flags */
	0x00,						/* reserved */
	0x00, 0x44,					/* imm_data_offset */
	0x00, 0x00,					/* reserved */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* initiator */
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,	/* target */
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
};

/* A second channel of a multi-channel login, with a non-zero tag. */
static const uint8_t multi_login_ib[64] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,	/* tag */
	0x00, 0x00, 0x01, 0x14,				/* 276 */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x04,					/* INDIRECT */
	0x71,			/* MULTI | LOSOLNT | CRSOLNT | AESOLNT */
	0x00,
	0x00, 0x00,					/* no imm */
	0x00, 0x00,
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
	0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56,
};

/* The accept answered to it in section 11: 32 credits, imm data granted. */
static const uint8_t linux_login_rsp[52] = {
	0xc0, 0x00, 0x00, 0x00,				/* opcode, rsvd */
	0x00, 0x00, 0x00, 0x20,				/* req_lim_delta */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x20, 0x44,				/* max_it_iu_len */
	0x00, 0x00, 0x20, 0x44,				/* max_ti_iu_len */
	0x00, 0x06,					/* buf_fmt */
	0x80,						/* rsp_flags */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,		/* reserved */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t rsp_maintained[52] = {
	0xc0, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x80,				/* 128 credits */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x00, 0x00, 0x20, 0x54,				/* 8276 */
	0x00, 0x00, 0x01, 0x00,				/* 256 */
	0x00, 0x06,
	0x82,					/* MAINTAINED | IMMED_SUPP */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The reject of section 11: CHANNEL_LIMIT_REACHED. */
static const uint8_t login_rej[32] = {
	0xc2, 0x00, 0x00, 0x00,				/* opcode, rsvd */
	0x00, 0x01, 0x00, 0x06,				/* reason */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,	/* tag */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* reserved */
	0x00, 0x06,					/* buf_fmt */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		/* reserved */
};

static struct srpt_login_req linux_login(void)
{
	struct srpt_login_req r;

	memset(&r, 0, sizeof(r));
	r.tag = 0;
	r.req_it_iu_len = 8260;
	r.req_buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT;
	r.req_flags = SRPT_MULTICHAN_SINGLE | SRPT_LOGIN_IMMED_REQUESTED;
	r.imm_data_offset = 68;
	memcpy(r.initiator_port_id, init_port_id, 16);
	memcpy(r.target_port_id, tgt_port_id, 16);
	return r;
}

static void assert_req_eq(const struct srpt_login_req *a,
			  const struct srpt_login_req *b)
{
	ck_assert(a->tag == b->tag);
	ck_assert_uint_eq(a->req_it_iu_len, b->req_it_iu_len);
	ck_assert_uint_eq(a->req_buf_fmt, b->req_buf_fmt);
	ck_assert_uint_eq(a->req_flags, b->req_flags);
	ck_assert_uint_eq(a->imm_data_offset, b->imm_data_offset);
	ck_assert_mem_eq(a->initiator_port_id, b->initiator_port_id, 16);
	ck_assert_mem_eq(a->target_port_id, b->target_port_id, 16);
}

START_TEST(login_req_rdma_linux_decode)
{
	struct srpt_login_req exp = linux_login(), got;
	uint8_t *b = dup_exact(linux_login_rdma, sizeof(linux_login_rdma));

	ck_assert_int_eq(srpt_login_req_rdma_decode(b, 56, &got), 0);
	assert_req_eq(&got, &exp);
	free(b);
}
END_TEST

START_TEST(login_req_rdma_linux_encode)
{
	struct srpt_login_req r = linux_login();

	expect_encoding(enc_req_rdma, &r, linux_login_rdma, 56);
}
END_TEST

START_TEST(login_req_ib_decode_encode)
{
	struct srpt_login_req exp = linux_login(), got;
	uint8_t *b = dup_exact(linux_login_ib, sizeof(linux_login_ib));

	ck_assert_int_eq(srpt_login_req_decode(b, 64, &got), 0);
	assert_req_eq(&got, &exp);
	expect_encoding(enc_req, &exp, linux_login_ib, 64);
	free(b);
}
END_TEST

START_TEST(login_req_multi_tag_verbatim)
{
	struct srpt_login_req got;
	uint8_t *b = dup_exact(multi_login_ib, 64);

	ck_assert_int_eq(srpt_login_req_decode(b, 64, &got), 0);
	ck_assert(got.tag == tag_of(multi_login_ib + 8));
	ck_assert_mem_eq(&got.tag, multi_login_ib + 8, 8);
	ck_assert_uint_eq(got.req_it_iu_len, 276);
	ck_assert_uint_eq(got.req_buf_fmt, SRPT_BUF_FMT_INDIRECT);
	ck_assert_uint_eq(got.req_flags & SRPT_MULTICHAN_MASK,
			  SRPT_MULTICHAN_MULTI);
	ck_assert_uint_eq(got.req_flags & ~SRPT_MULTICHAN_MASK,
			  SRPT_LOGIN_LOSOLNT | SRPT_LOGIN_CRSOLNT |
			  SRPT_LOGIN_AESOLNT);
	ck_assert_uint_eq(got.imm_data_offset, 0);
	expect_encoding(enc_req, &got, multi_login_ib, 64);
	free(b);
}
END_TEST

START_TEST(login_req_forms_agree)
{
	struct srpt_login_req a, b;
	uint8_t rdma[56], ib[64];

	ck_assert_int_eq(srpt_login_req_decode(multi_login_ib, 64, &a), 0);
	ck_assert_int_eq(srpt_login_req_rdma_encode(&a, rdma, 56), 56);
	ck_assert_int_eq(srpt_login_req_rdma_decode(rdma, 56, &b), 0);
	assert_req_eq(&a, &b);
	ck_assert_int_eq(srpt_login_req_encode(&b, ib, 64), 64);
	ck_assert_mem_eq(ib, multi_login_ib, 64);
}
END_TEST

START_TEST(login_req_reserved_ignored)
{
	struct srpt_login_req a, b;
	uint8_t ib[64], rdma[56];
	static const int ib_rsvd[] = { 1, 2, 3, 4, 5, 6, 7, 20, 21, 22, 23,
				       27, 30, 31 };

	memcpy(ib, linux_login_ib, 64);
	for (size_t i = 0; i < sizeof(ib_rsvd) / sizeof(ib_rsvd[0]); i++)
		ib[ib_rsvd[i]] = 0xff;
	ck_assert_int_eq(srpt_login_req_decode(ib, 64, &a), 0);
	b = linux_login();
	assert_req_eq(&a, &b);

	memcpy(rdma, linux_login_rdma, 56);
	memset(rdma + 50, 0xff, 6);
	ck_assert_int_eq(srpt_login_req_rdma_decode(rdma, 56, &a), 0);
	assert_req_eq(&a, &b);
	/* Byte 0 of the RDMA form is tag, not opcode. */
	rdma[0] = 0xc1;
	ck_assert_int_eq(srpt_login_req_rdma_decode(rdma, 56, &a), 0);
	ck_assert_mem_eq(&a.tag, rdma, 8);
	/* Longer private data (e.g. a 92-byte IB CM REQ) is fine. */
	ck_assert_int_eq(srpt_login_req_decode(multi_login_ib, 64, &a), 0);
}
END_TEST

START_TEST(login_req_malformed)
{
	uint8_t v[64];
	struct srpt_login_req out;

	memset(&out, SENTINEL, sizeof(out));
	ck_assert_int_eq(srpt_login_req_decode(NULL, 64, &out), -EINVAL);
	ck_assert_int_eq(srpt_login_req_decode(linux_login_ib, 64, NULL),
			 -EINVAL);
	ck_assert_int_eq(srpt_login_req_rdma_decode(NULL, 56, &out), -EINVAL);
	ck_assert_int_eq(srpt_login_req_rdma_decode(linux_login_rdma, 56,
						    NULL), -EINVAL);
	ck_assert(is_sentinel(&out, sizeof(out)));

	expect_decode_error(dec_req, linux_login_ib, 63, sizeof(out),
			    -EMSGSIZE);
	expect_decode_error(dec_req_rdma, linux_login_rdma, 55, sizeof(out),
			    -EMSGSIZE);

	memcpy(v, linux_login_ib, 64);
	v[0] = SRPT_OP_CMD;
	expect_decode_error(dec_req, v, 64, sizeof(out), -EPROTO);
	memcpy(v, linux_login_rdma, 56);
	v[11] = SRPT_OP_LOGIN_RSP;
	expect_decode_error(dec_req_rdma, v, 56, sizeof(out), -EPROTO);
	/* An RDMA/CM login handed to the IB/CM decoder. */
	memcpy(v, linux_login_rdma, 56);
	memset(v + 56, 0, 8);
	v[0] = 0x42;
	expect_decode_error(dec_req, v, 64, sizeof(out), -EPROTO);
}
END_TEST

START_TEST(login_req_truncation)
{
	sweep_prefixes(dec_req, linux_login_ib, 64, 64,
		       sizeof(struct srpt_login_req));
	sweep_prefixes(dec_req, multi_login_ib, 64, 64,
		       sizeof(struct srpt_login_req));
	sweep_prefixes(dec_req_rdma, linux_login_rdma, 56, 56,
		       sizeof(struct srpt_login_req));
}
END_TEST

START_TEST(login_rsp_vectors)
{
	struct srpt_login_rsp r, got;

	memset(&r, 0, sizeof(r));
	r.req_lim_delta = 32;
	r.tag = 0;
	r.max_it_iu_len = 8260;
	r.max_ti_iu_len = 8260;
	r.buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT;
	r.rsp_flags = SRPT_LOGIN_RSP_NO_CHAN | SRPT_LOGIN_RSP_IMMED_SUPP;
	expect_encoding(enc_rsp, &r, linux_login_rsp, 52);

	ck_assert_int_eq(srpt_login_rsp_decode(linux_login_rsp, 52, &got), 0);
	ck_assert_uint_eq(got.req_lim_delta, 32);
	ck_assert(got.tag == 0);
	ck_assert_uint_eq(got.max_it_iu_len, 8260);
	ck_assert_uint_eq(got.max_ti_iu_len, 8260);
	ck_assert_uint_eq(got.buf_fmt, 6);
	ck_assert_uint_eq(got.rsp_flags, 0x80);

	ck_assert_int_eq(srpt_login_rsp_decode(rsp_maintained, 52, &got), 0);
	ck_assert_uint_eq(got.req_lim_delta, 128);
	ck_assert_mem_eq(&got.tag, rsp_maintained + 8, 8);
	ck_assert_uint_eq(got.max_it_iu_len, 8276);
	ck_assert_uint_eq(got.max_ti_iu_len, 256);
	ck_assert_uint_eq(got.rsp_flags, SRPT_LOGIN_RSP_MAINTAINED |
			  SRPT_LOGIN_RSP_IMMED_SUPP);
	expect_encoding(enc_rsp, &got, rsp_maintained, 52);
}
END_TEST

START_TEST(login_rsp_malformed)
{
	uint8_t v[52];
	struct srpt_login_rsp out;

	ck_assert_int_eq(srpt_login_rsp_decode(NULL, 52, &out), -EINVAL);
	ck_assert_int_eq(srpt_login_rsp_decode(linux_login_rsp, 52, NULL),
			 -EINVAL);
	expect_decode_error(dec_rsp, linux_login_rsp, 51, sizeof(out),
			    -EMSGSIZE);
	memcpy(v, linux_login_rsp, 52);
	v[0] = SRPT_OP_LOGIN_REJ;
	expect_decode_error(dec_rsp, v, 52, sizeof(out), -EPROTO);
	sweep_prefixes(dec_rsp, linux_login_rsp, 52, 52, sizeof(out));
	sweep_prefixes(dec_rsp, rsp_maintained, 52, 52, sizeof(out));
}
END_TEST

START_TEST(login_rej_vectors)
{
	struct srpt_login_rej r, got;

	memset(&r, 0, sizeof(r));
	r.reason = SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
	r.tag = tag_of(login_rej + 8);
	r.buf_fmt = SRPT_BUF_FMT_DIRECT | SRPT_BUF_FMT_INDIRECT;
	expect_encoding(enc_rej, &r, login_rej, 32);

	ck_assert_int_eq(srpt_login_rej_decode(login_rej, 32, &got), 0);
	ck_assert_uint_eq(got.reason, 0x00010006);
	ck_assert_mem_eq(&got.tag, login_rej + 8, 8);
	ck_assert_uint_eq(got.buf_fmt, 6);
}
END_TEST

START_TEST(login_rej_malformed)
{
	uint8_t v[32];
	struct srpt_login_rej out;

	ck_assert_int_eq(srpt_login_rej_decode(NULL, 32, &out), -EINVAL);
	ck_assert_int_eq(srpt_login_rej_decode(login_rej, 32, NULL),
			 -EINVAL);
	expect_decode_error(dec_rej, login_rej, 31, sizeof(out), -EMSGSIZE);
	memcpy(v, login_rej, 32);
	v[0] = SRPT_OP_LOGIN_RSP;
	expect_decode_error(dec_rej, v, 32, sizeof(out), -EPROTO);
	sweep_prefixes(dec_rej, login_rej, 32, 32, sizeof(out));
}
END_TEST

TCase *tcase_srp_login(void)
{
	TCase *tc = tcase_create("srp-login");

	tcase_add_test(tc, login_req_rdma_linux_decode);
	tcase_add_test(tc, login_req_rdma_linux_encode);
	tcase_add_test(tc, login_req_ib_decode_encode);
	tcase_add_test(tc, login_req_multi_tag_verbatim);
	tcase_add_test(tc, login_req_forms_agree);
	tcase_add_test(tc, login_req_reserved_ignored);
	tcase_add_test(tc, login_req_malformed);
	tcase_add_test(tc, login_req_truncation);
	tcase_add_test(tc, login_rsp_vectors);
	tcase_add_test(tc, login_rsp_malformed);
	tcase_add_test(tc, login_rej_vectors);
	tcase_add_test(tc, login_rej_malformed);
	return tc;
}
