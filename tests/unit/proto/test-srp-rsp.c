/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Tests of libsrpt/proto/srp-rsp.c: SRP_RSP. */
#include "proto-test.h"

static int dec_rsp(const void *b, size_t l, void *o)
{
	return srpt_rsp_decode(b, l, o);
}

static int enc_rsp(const void *i, void *b, size_t l)
{
	return srpt_rsp_encode(i, b, l);
}

/* GOOD, no residual, no data: the common case, 36 bytes. */
static const uint8_t rsp_good[36] = {
	0xc1, 0x00, 0x00, 0x00,				/* opcode, sol_not */
	0x00, 0x00, 0x00, 0x01,				/* req_lim_delta */
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x00, 0x00,		/* rsvd, flags, status GOOD */
	0x00, 0x00, 0x00, 0x00,				/* data_out_res */
	0x00, 0x00, 0x00, 0x00,				/* data_in_res */
	0x00, 0x00, 0x00, 0x00,				/* sense len */
	0x00, 0x00, 0x00, 0x00,				/* resp len */
};

/* The fixed sense data of an ILLEGAL REQUEST / INVALID FIELD IN CDB. */
static const uint8_t sense_ili[18] = {
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
	0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* CHECK CONDITION with sense data and a DATA-IN underrun of 512. */
static const uint8_t rsp_sense[54] = {
	0xc1, 0x01, 0x00, 0x00,				/* SOLNT */
	0x00, 0x00, 0x00, 0x01,
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x22, 0x02,		/* SNSVALID|DIUNDER, CHECK COND */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00,				/* data_in_res 512 */
	0x00, 0x00, 0x00, 0x12,				/* sense len 18 */
	0x00, 0x00, 0x00, 0x00,
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
	0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * Task management response FUNCTION NOT SUPPORTED, as ib_srpt builds it:
 * RSPVALID, 4 bytes of response data, the code in the last. The tag has
 * bit 31 set as ib_srp's SRP_TAG_TSK_MGMT.
 */
static const uint8_t rsp_tm[40] = {
	0xc1, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	0x03, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x01, 0x00,				/* RSPVALID */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x04,				/* resp len 4 */
	0x00, 0x00, 0x00, 0x04,				/* FUNC_NOT_SUPP */
};

/* Both response data and sense data, DATA-OUT overrun of 256. */
static const uint8_t rsp_both[58] = {
	0xc1, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x00, 0x00, 0x07, 0x02,		/* RSPVALID|SNSVALID|DOOVER */
	0x00, 0x00, 0x01, 0x00,				/* data_out_res */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x12,				/* sense len 18 */
	0x00, 0x00, 0x00, 0x04,				/* resp len 4 */
	0x00, 0x00, 0x00, 0x00,				/* resp data */
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
	0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
};

START_TEST(rsp_good_vector)
{
	uint8_t *b = dup_exact(rsp_good, 36);
	struct srpt_rsp r, got;

	memset(&r, 0, sizeof(r));
	r.req_lim_delta = 1;
	r.tag = tag_of(rsp_good + 8);
	expect_encoding(enc_rsp, &r, rsp_good, 36);

	ck_assert_int_eq(srpt_rsp_decode(b, 36, &got), 0);
	ck_assert_uint_eq(got.sol_not, 0);
	ck_assert_uint_eq(got.req_lim_delta, 1);
	ck_assert_mem_eq(&got.tag, rsp_good + 8, 8);
	ck_assert_uint_eq(got.flags, 0);
	ck_assert_uint_eq(got.status, 0);
	ck_assert_uint_eq(got.resp_data_len, 0);
	ck_assert_uint_eq(got.sense_len, 0);
	ck_assert_ptr_eq(got.resp_data, b + 36);
	ck_assert_ptr_eq(got.sense, b + 36);
	free(b);
}
END_TEST

START_TEST(rsp_sense_vector)
{
	uint8_t *b = dup_exact(rsp_sense, 54);
	struct srpt_rsp r, got;

	memset(&r, 0, sizeof(r));
	r.sol_not = SRPT_SOLNT;
	r.req_lim_delta = 1;
	r.tag = tag_of(rsp_sense + 8);
	r.flags = SRPT_RSP_SNSVALID | SRPT_RSP_DIUNDER;
	r.status = 0x02;
	r.data_in_res_cnt = 512;
	r.sense = sense_ili;
	r.sense_len = sizeof(sense_ili);
	expect_encoding(enc_rsp, &r, rsp_sense, 54);

	ck_assert_int_eq(srpt_rsp_decode(b, 54, &got), 0);
	ck_assert_uint_eq(got.sol_not, SRPT_SOLNT);
	ck_assert_uint_eq(got.flags, 0x22);
	ck_assert_uint_eq(got.status, 0x02);
	ck_assert_uint_eq(got.data_out_res_cnt, 0);
	ck_assert_uint_eq(got.data_in_res_cnt, 512);
	ck_assert_uint_eq(got.resp_data_len, 0);
	ck_assert_uint_eq(got.sense_len, 18);
	ck_assert_ptr_eq(got.sense, b + 36);
	ck_assert_mem_eq(got.sense, sense_ili, 18);
	free(b);
}
END_TEST

START_TEST(rsp_tm_vector)
{
	static const uint8_t code[4] = { 0, 0, 0, SRPT_TSK_MGMT_FUNC_NOT_SUPP };
	uint8_t *b = dup_exact(rsp_tm, 40);
	struct srpt_rsp r, got;

	memset(&r, 0, sizeof(r));
	r.req_lim_delta = 2;
	r.tag = tag_of(rsp_tm + 8);
	r.flags = SRPT_RSP_RSPVALID;
	r.resp_data = code;
	r.resp_data_len = SRPT_TSK_MGMT_RSP_DATA_LEN;
	expect_encoding(enc_rsp, &r, rsp_tm, 40);

	ck_assert_int_eq(srpt_rsp_decode(b, 40, &got), 0);
	ck_assert_uint_eq(got.flags, SRPT_RSP_RSPVALID);
	ck_assert_uint_eq(got.resp_data_len, 4);
	ck_assert_ptr_eq(got.resp_data, b + 36);
	ck_assert_uint_eq(got.resp_data[3], SRPT_TSK_MGMT_FUNC_NOT_SUPP);
	ck_assert_uint_eq(got.sense_len, 0);
	ck_assert_ptr_eq(got.sense, b + 40);
	/* The tag keeps bit 31 exactly where the initiator put it. */
	ck_assert_mem_eq(&got.tag, rsp_tm + 8, 8);
	free(b);
}
END_TEST

START_TEST(rsp_both_vector)
{
	uint8_t *b = dup_exact(rsp_both, 58);
	struct srpt_rsp got;

	ck_assert_int_eq(srpt_rsp_decode(b, 58, &got), 0);
	ck_assert_uint_eq(got.flags, SRPT_RSP_RSPVALID | SRPT_RSP_SNSVALID |
			  SRPT_RSP_DOOVER);
	ck_assert_uint_eq(got.data_out_res_cnt, 256);
	ck_assert_ptr_eq(got.resp_data, b + 36);
	ck_assert_uint_eq(got.resp_data_len, 4);
	ck_assert_ptr_eq(got.sense, b + 40);
	ck_assert_uint_eq(got.sense_len, 18);
	expect_encoding(enc_rsp, &got, rsp_both, 58);
	free(b);
}
END_TEST

START_TEST(rsp_roundtrips)
{
	const struct {
		const uint8_t *v;
		size_t n;
	} vecs[] = {
		{ rsp_good, sizeof(rsp_good) },
		{ rsp_sense, sizeof(rsp_sense) },
		{ rsp_tm, sizeof(rsp_tm) },
		{ rsp_both, sizeof(rsp_both) },
	};

	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint8_t *b = dup_exact(vecs[i].v, vecs[i].n);
		struct srpt_rsp r;

		ck_assert_int_eq(srpt_rsp_decode(b, vecs[i].n, &r), 0);
		expect_encoding(enc_rsp, &r, vecs[i].v, vecs[i].n);
		free(b);
		sweep_prefixes(dec_rsp, vecs[i].v, vecs[i].n, 36, sizeof(r));
	}
}
END_TEST

START_TEST(rsp_malformed)
{
	struct srpt_rsp out;
	uint8_t v[58];

	memset(&out, SENTINEL, sizeof(out));
	ck_assert_int_eq(srpt_rsp_decode(NULL, 36, &out), -EINVAL);
	ck_assert(is_sentinel(&out, sizeof(out)));
	ck_assert_int_eq(srpt_rsp_decode(rsp_good, 36, NULL), -EINVAL);
	expect_decode_error(dec_rsp, rsp_good, 35, sizeof(out), -EMSGSIZE);
	memcpy(v, rsp_good, 36);
	v[0] = SRPT_OP_LOGIN_RSP;
	expect_decode_error(dec_rsp, v, 36, sizeof(out), -EPROTO);

	/* Sense data announced but not received. */
	expect_decode_error(dec_rsp, rsp_sense, 53, sizeof(out), -EOVERFLOW);
	expect_decode_error(dec_rsp, rsp_sense, 36, sizeof(out), -EOVERFLOW);
	expect_decode_error(dec_rsp, rsp_tm, 39, sizeof(out), -EOVERFLOW);
	/* Lengths whose 32-bit sum wraps. */
	memcpy(v, rsp_both, 58);
	memcpy(v + 28, "\xff\xff\xff\xfc", 4);	/* 4 + this wraps to 0 */
	expect_decode_error(dec_rsp, v, 58, sizeof(out), -EOVERFLOW);
	memcpy(v, rsp_both, 58);
	memcpy(v + 32, "\xff\xff\xff\xff", 4);	/* resp len */
	expect_decode_error(dec_rsp, v, 58, sizeof(out), -EOVERFLOW);
}
END_TEST

START_TEST(rsp_encode_errors)
{
	struct srpt_rsp r;
	uint8_t buf[64];

	memset(&r, 0, sizeof(r));
	r.resp_data_len = 4;
	expect_encode_error(enc_rsp, &r, -EINVAL);
	memset(&r, 0, sizeof(r));
	r.sense_len = 18;
	expect_encode_error(enc_rsp, &r, -EINVAL);
	/* A length the int return value cannot hold; nothing is read. */
	memset(&r, 0, sizeof(r));
	r.resp_data = sense_ili;
	r.resp_data_len = 0x7fffffe0;
	r.sense = sense_ili;
	r.sense_len = 0x40;
	expect_encode_error(enc_rsp, &r, -EINVAL);
	/* Flags are written as given, even without the VALID bits. */
	memset(&r, 0, sizeof(r));
	r.sense = sense_ili;
	r.sense_len = 18;
	ck_assert_int_eq(srpt_rsp_encode(&r, buf, sizeof(buf)), 54);
	ck_assert_uint_eq(buf[18], 0);
}
END_TEST

TCase *tcase_srp_rsp(void)
{
	TCase *tc = tcase_create("srp-rsp");

	tcase_add_test(tc, rsp_good_vector);
	tcase_add_test(tc, rsp_sense_vector);
	tcase_add_test(tc, rsp_tm_vector);
	tcase_add_test(tc, rsp_both_vector);
	tcase_add_test(tc, rsp_roundtrips);
	tcase_add_test(tc, rsp_malformed);
	tcase_add_test(tc, rsp_encode_errors);
	return tc;
}
