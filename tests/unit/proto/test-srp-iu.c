/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Tests of libsrpt/proto/srp-iu.c: SRP_TSK_MGMT, SRP_I_LOGOUT, SRP_T_LOGOUT,
 * SRP_CRED_REQ, SRP_CRED_RSP, SRP_AER_REQ, SRP_AER_RSP.
 */
#include "proto-test.h"

#define ADAPT(name)							\
static int dec_##name(const void *b, size_t l, void *o)			\
{									\
	return srpt_##name##_decode(b, l, o);				\
}									\
static int enc_##name(const void *i, void *b, size_t l)			\
{									\
	return srpt_##name##_encode(i, b, l);				\
}

ADAPT(tsk_mgmt)
ADAPT(i_logout)
ADAPT(t_logout)
ADAPT(cred_req)
ADAPT(cred_rsp)
ADAPT(aer_req)
ADAPT(aer_rsp)

/* ABORT_TASK of the command tagged 7, on LUN 1; ib_srp's TM tag. */
static const uint8_t tm_abort[48] = {
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* opcode, sol_not */
	0x03, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* lun 1 */
	0x00, 0x00,					/* reserved */
	0x01,						/* ABORT_TASK */
	0x00,						/* reserved */
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* task_tag */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* reserved */
};

/*
 * LUN_RESET of LUN 0x0b03d204 (two-level, d2 04 0b 03); ib_srp puts
 * SRP_TAG_NO_REQ (~0U) in task_tag. SCSOLNT | UCSOLNT.
 */
static const uint8_t tm_lun_reset[48] = {
	0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0xd2, 0x04, 0x0b, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
	0x08,						/* LUN_RESET */
	0x00,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t i_logout[16] = {
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
};

/* Logout for an inactive channel, solicited notification. */
static const uint8_t t_logout[16] = {
	0x80, 0x01, 0x00, 0x00,				/* opcode, SOLNT */
	0x00, 0x00, 0x00, 0x01,				/* INACTIVE */
	0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80,
};

/* Grant 16 more credits. */
static const uint8_t cred_req[16] = {
	0x81, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t cred_rsp[16] = {
	0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* UNIT ATTENTION / REPORTED LUNS DATA HAS CHANGED on LUN 2, 2 credits. */
static const uint8_t aer_req[54] = {
	0x82, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,				/* req_lim_delta */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* lun 2 */
	0x00, 0x00, 0x00, 0x12,				/* sense len 18 */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x70, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
	0x00, 0x00, 0x00, 0x3f, 0x0e, 0x00, 0x00, 0x00, 0x00,
};

/* An AER without sense data. */
static const uint8_t aer_req_nosense[36] = {
	0x82, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t aer_rsp[16] = {
	0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Checks every fixed-size IU shares: errors, truncation, round trip. */
static const struct iu_case {
	const char *name;
	decode_fn dec;
	encode_fn enc;
	const uint8_t *v;
	size_t n;
	size_t fixed;
	size_t out_size;
} cases[] = {
	{ "tm abort", dec_tsk_mgmt, enc_tsk_mgmt, tm_abort, 48, 48,
	  sizeof(struct srpt_tsk_mgmt) },
	{ "tm lun reset", dec_tsk_mgmt, enc_tsk_mgmt, tm_lun_reset, 48, 48,
	  sizeof(struct srpt_tsk_mgmt) },
	{ "i_logout", dec_i_logout, enc_i_logout, i_logout, 16, 16,
	  sizeof(struct srpt_i_logout) },
	{ "t_logout", dec_t_logout, enc_t_logout, t_logout, 16, 16,
	  sizeof(struct srpt_t_logout) },
	{ "cred_req", dec_cred_req, enc_cred_req, cred_req, 16, 16,
	  sizeof(struct srpt_cred_req) },
	{ "cred_rsp", dec_cred_rsp, enc_cred_rsp, cred_rsp, 16, 16,
	  sizeof(struct srpt_cred_rsp) },
	{ "aer_req", dec_aer_req, enc_aer_req, aer_req, 54, 36,
	  sizeof(struct srpt_aer_req) },
	{ "aer_req no sense", dec_aer_req, enc_aer_req, aer_req_nosense, 36,
	  36, sizeof(struct srpt_aer_req) },
	{ "aer_rsp", dec_aer_rsp, enc_aer_rsp, aer_rsp, 16, 16,
	  sizeof(struct srpt_aer_rsp) },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

START_TEST(iu_common)
{
	const struct iu_case *c = &cases[_i];
	_Alignas(max_align_t) uint8_t out[256];
	uint8_t *b, v[64];

	/* Arguments. */
	memset(out, SENTINEL, sizeof(out));
	ck_assert_int_eq(c->dec(NULL, c->n, out), -EINVAL);
	ck_assert_int_eq(c->dec(c->v, c->n, NULL), -EINVAL);
	ck_assert(is_sentinel(out, sizeof(out)));
	/* Length and opcode. */
	expect_decode_error(c->dec, c->v, c->fixed - 1, c->out_size,
			    -EMSGSIZE);
	for (unsigned int op = 0; op < 256; op++) {
		if (op == c->v[0])
			continue;
		memcpy(v, c->v, c->fixed);
		v[0] = (uint8_t)op;
		expect_decode_error(c->dec, v, c->fixed, c->out_size, -EPROTO);
	}
	/* Every prefix fails; decode then encode gives the bytes back. */
	sweep_prefixes(c->dec, c->v, c->n, c->fixed, c->out_size);
	b = dup_exact(c->v, c->n);
	ck_assert_int_eq(c->dec(b, c->n, out), 0);
	expect_encoding(c->enc, out, c->v, c->n);
	free(b);
	/* Reserved bytes are ignored on decode. */
	if (c->n == 16 && c->v[0] != SRPT_OP_T_LOGOUT &&
	    c->v[0] != SRPT_OP_CRED_REQ) {
		memcpy(v, c->v, 16);
		memset(v + 1, 0xff, 7);
		ck_assert_int_eq(c->dec(v, 16, out), 0);
		expect_encoding(c->enc, out, c->v, 16);
	}
}
END_TEST

START_TEST(tsk_mgmt_vectors)
{
	static const uint8_t lun1[8] = { 0, 1 };
	struct srpt_tsk_mgmt t, got;

	memset(&t, 0, sizeof(t));
	t.tag = tag_of(tm_abort + 8);
	memcpy(t.lun, lun1, 8);
	t.tsk_mgmt_func = SRPT_TSK_ABORT_TASK;
	t.task_tag = tag_of(tm_abort + 32);
	expect_encoding(enc_tsk_mgmt, &t, tm_abort, 48);

	ck_assert_int_eq(srpt_tsk_mgmt_decode(tm_abort, 48, &got), 0);
	ck_assert_uint_eq(got.sol_not, 0);
	ck_assert_mem_eq(&got.tag, tm_abort + 8, 8);
	ck_assert_mem_eq(got.lun, lun1, 8);
	ck_assert_uint_eq(got.tsk_mgmt_func, SRPT_TSK_ABORT_TASK);
	ck_assert_mem_eq(&got.task_tag, tm_abort + 32, 8);

	ck_assert_int_eq(srpt_tsk_mgmt_decode(tm_lun_reset, 48, &got), 0);
	ck_assert_uint_eq(got.sol_not, SRPT_SCSOLNT | SRPT_UCSOLNT);
	ck_assert_mem_eq(got.lun, "\xd2\x04\x0b\x03\0\0\0\0", 8);
	ck_assert_uint_eq(got.tsk_mgmt_func, SRPT_TSK_LUN_RESET);
	ck_assert_mem_eq(&got.task_tag, "\xff\xff\xff\xff\0\0\0\0", 8);
}
END_TEST

START_TEST(logout_vectors)
{
	struct srpt_i_logout i, igot;
	struct srpt_t_logout t, tgot;
	uint8_t buf[16];

	memset(&i, 0, sizeof(i));
	i.tag = tag_of(i_logout + 8);
	expect_encoding(enc_i_logout, &i, i_logout, 16);
	ck_assert_int_eq(srpt_i_logout_decode(i_logout, 16, &igot), 0);
	ck_assert_mem_eq(&igot.tag, i_logout + 8, 8);

	memset(&t, 0, sizeof(t));
	t.sol_not = SRPT_SOLNT;
	t.reason = SRPT_T_LOGOUT_INACTIVE;
	t.tag = tag_of(t_logout + 8);
	expect_encoding(enc_t_logout, &t, t_logout, 16);
	ck_assert_int_eq(srpt_t_logout_decode(t_logout, 16, &tgot), 0);
	ck_assert_uint_eq(tgot.sol_not, SRPT_SOLNT);
	ck_assert_uint_eq(tgot.reason, SRPT_T_LOGOUT_INACTIVE);
	ck_assert_mem_eq(&tgot.tag, t_logout + 8, 8);

	t.reason = SRPT_T_LOGOUT_INVALID_IU_LEN;
	ck_assert_int_eq(srpt_t_logout_encode(&t, buf, 16), 16);
	ck_assert_mem_eq(buf + 4, "\0\0\0\x08", 4);
}
END_TEST

START_TEST(cred_vectors)
{
	struct srpt_cred_req r, rgot;
	struct srpt_cred_rsp s, sgot;

	memset(&r, 0, sizeof(r));
	r.sol_not = SRPT_SOLNT;
	r.req_lim_delta = 16;
	r.tag = tag_of(cred_req + 8);
	expect_encoding(enc_cred_req, &r, cred_req, 16);
	ck_assert_int_eq(srpt_cred_req_decode(cred_req, 16, &rgot), 0);
	ck_assert_uint_eq(rgot.sol_not, SRPT_SOLNT);
	ck_assert_uint_eq(rgot.req_lim_delta, 16);
	ck_assert_mem_eq(&rgot.tag, cred_req + 8, 8);

	memset(&s, 0, sizeof(s));
	s.tag = rgot.tag;	/* the initiator echoes the request's tag */
	expect_encoding(enc_cred_rsp, &s, cred_rsp, 16);
	ck_assert_int_eq(srpt_cred_rsp_decode(cred_rsp, 16, &sgot), 0);
	ck_assert_mem_eq(&sgot.tag, cred_req + 8, 8);
}
END_TEST

START_TEST(aer_vectors)
{
	static const uint8_t lun2[8] = { 0, 2 };
	uint8_t *b = dup_exact(aer_req, sizeof(aer_req));
	struct srpt_aer_req r, rgot;
	struct srpt_aer_rsp s, sgot;

	memset(&r, 0, sizeof(r));
	r.req_lim_delta = 2;
	r.tag = tag_of(aer_req + 8);
	memcpy(r.lun, lun2, 8);
	r.sense = aer_req + 36;
	r.sense_len = 18;
	expect_encoding(enc_aer_req, &r, aer_req, sizeof(aer_req));
	ck_assert_int_eq(srpt_aer_req_decode(b, sizeof(aer_req), &rgot), 0);
	ck_assert_uint_eq(rgot.sol_not, 0);
	ck_assert_uint_eq(rgot.req_lim_delta, 2);
	ck_assert_mem_eq(&rgot.tag, aer_req + 8, 8);
	ck_assert_mem_eq(rgot.lun, lun2, 8);
	ck_assert_ptr_eq(rgot.sense, b + 36);
	ck_assert_uint_eq(rgot.sense_len, 18);
	ck_assert_uint_eq(rgot.sense[12], 0x3f);
	free(b);

	ck_assert_int_eq(srpt_aer_req_decode(aer_req_nosense, 36, &rgot), 0);
	ck_assert_uint_eq(rgot.sol_not, SRPT_SOLNT);
	ck_assert_uint_eq(rgot.sense_len, 0);
	ck_assert_ptr_eq(rgot.sense, aer_req_nosense + 36);

	memset(&s, 0, sizeof(s));
	s.tag = tag_of(aer_req + 8);
	expect_encoding(enc_aer_rsp, &s, aer_rsp, 16);
	ck_assert_int_eq(srpt_aer_rsp_decode(aer_rsp, 16, &sgot), 0);
	ck_assert_mem_eq(&sgot.tag, aer_req + 8, 8);
}
END_TEST

START_TEST(aer_malformed)
{
	struct srpt_aer_req r;
	uint8_t v[54];

	expect_decode_error(dec_aer_req, aer_req, 53, sizeof(r), -EOVERFLOW);
	expect_decode_error(dec_aer_req, aer_req, 36, sizeof(r), -EOVERFLOW);
	memcpy(v, aer_req, 54);
	memcpy(v + 28, "\xff\xff\xff\xff", 4);
	expect_decode_error(dec_aer_req, v, 54, sizeof(r), -EOVERFLOW);

	memset(&r, 0, sizeof(r));
	r.sense_len = 1;
	expect_encode_error(enc_aer_req, &r, -EINVAL);
	/* A length the int return value cannot hold; nothing is read. */
	r.sense = aer_req;
	r.sense_len = 0xffffffffu;
	expect_encode_error(enc_aer_req, &r, -EINVAL);
}
END_TEST

TCase *tcase_srp_iu(void)
{
	TCase *tc = tcase_create("srp-iu");

	tcase_add_loop_test(tc, iu_common, 0, (int)NCASES);
	tcase_add_test(tc, tsk_mgmt_vectors);
	tcase_add_test(tc, logout_vectors);
	tcase_add_test(tc, cred_vectors);
	tcase_add_test(tc, aer_vectors);
	tcase_add_test(tc, aer_malformed);
	return tc;
}
