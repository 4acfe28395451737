/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Fuzz target: SRP_LOGIN_REQ (both forms), SRP_LOGIN_RSP, SRP_LOGIN_REJ. */
#include "fuzz.h"

static bool req_eq(const struct srpt_login_req *a,
		   const struct srpt_login_req *b)
{
	return a->tag == b->tag && a->req_it_iu_len == b->req_it_iu_len &&
	       a->req_buf_fmt == b->req_buf_fmt &&
	       a->req_flags == b->req_flags &&
	       a->imm_data_offset == b->imm_data_offset &&
	       !memcmp(a->initiator_port_id, b->initiator_port_id, 16) &&
	       !memcmp(a->target_port_id, b->target_port_id, 16);
}

typedef int (*req_dec)(const void *, size_t, struct srpt_login_req *);
typedef int (*req_enc)(const struct srpt_login_req *, void *, size_t);

static void login_req(const uint8_t *data, size_t size, req_dec dec,
		      req_enc enc, size_t iu_len)
{
	struct srpt_login_req a, b;
	uint8_t *e1, *e2;

	if (dec(data, size, &a))
		return;
	e1 = fuzz_alloc(iu_len);
	e2 = fuzz_alloc(iu_len);
	FUZZ_CHECK(enc(&a, e1, iu_len) == (int)iu_len);
	FUZZ_CHECK(dec(e1, iu_len, &b) == 0);
	FUZZ_CHECK(req_eq(&a, &b));
	FUZZ_CHECK(enc(&b, e2, iu_len) == (int)iu_len);
	FUZZ_CHECK(!memcmp(e1, e2, iu_len));
	free(e1);
	free(e2);
}

static void login_rsp(const uint8_t *data, size_t size)
{
	struct srpt_login_rsp a, b;
	uint8_t e1[SRPT_LOGIN_RSP_LEN], e2[SRPT_LOGIN_RSP_LEN];

	if (srpt_login_rsp_decode(data, size, &a))
		return;
	FUZZ_CHECK(srpt_login_rsp_encode(&a, e1, sizeof(e1)) ==
		   SRPT_LOGIN_RSP_LEN);
	FUZZ_CHECK(srpt_login_rsp_decode(e1, sizeof(e1), &b) == 0);
	FUZZ_CHECK(a.req_lim_delta == b.req_lim_delta && a.tag == b.tag &&
		   a.max_it_iu_len == b.max_it_iu_len &&
		   a.max_ti_iu_len == b.max_ti_iu_len &&
		   a.buf_fmt == b.buf_fmt && a.rsp_flags == b.rsp_flags);
	FUZZ_CHECK(srpt_login_rsp_encode(&b, e2, sizeof(e2)) ==
		   SRPT_LOGIN_RSP_LEN);
	FUZZ_CHECK(!memcmp(e1, e2, sizeof(e1)));
}

static void login_rej(const uint8_t *data, size_t size)
{
	struct srpt_login_rej a, b;
	uint8_t e1[SRPT_LOGIN_REJ_LEN], e2[SRPT_LOGIN_REJ_LEN];

	if (srpt_login_rej_decode(data, size, &a))
		return;
	FUZZ_CHECK(srpt_login_rej_reason_name(a.reason) != NULL);
	FUZZ_CHECK(srpt_login_rej_encode(&a, e1, sizeof(e1)) ==
		   SRPT_LOGIN_REJ_LEN);
	FUZZ_CHECK(srpt_login_rej_decode(e1, sizeof(e1), &b) == 0);
	FUZZ_CHECK(a.reason == b.reason && a.tag == b.tag &&
		   a.buf_fmt == b.buf_fmt);
	FUZZ_CHECK(srpt_login_rej_encode(&b, e2, sizeof(e2)) ==
		   SRPT_LOGIN_REJ_LEN);
	FUZZ_CHECK(!memcmp(e1, e2, sizeof(e1)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	login_req(data, size, srpt_login_req_decode, srpt_login_req_encode,
		  SRPT_LOGIN_REQ_LEN);
	login_req(data, size, srpt_login_req_rdma_decode,
		  srpt_login_req_rdma_encode, SRPT_LOGIN_REQ_RDMA_LEN);
	login_rsp(data, size);
	login_rej(data, size);
	return 0;
}
