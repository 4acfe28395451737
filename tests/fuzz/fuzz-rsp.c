/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Fuzz target: SRP_RSP with response and sense data. */
#include "fuzz.h"

static bool rsp_eq(const struct srpt_rsp *a, const struct srpt_rsp *b)
{
	return a->sol_not == b->sol_not &&
	       a->req_lim_delta == b->req_lim_delta && a->tag == b->tag &&
	       a->flags == b->flags && a->status == b->status &&
	       a->data_out_res_cnt == b->data_out_res_cnt &&
	       a->data_in_res_cnt == b->data_in_res_cnt &&
	       a->resp_data_len == b->resp_data_len &&
	       fuzz_same(a->resp_data, b->resp_data, a->resp_data_len) &&
	       a->sense_len == b->sense_len &&
	       fuzz_same(a->sense, b->sense, a->sense_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srpt_rsp a, b;
	uint8_t *e1, *e2;
	size_t n;

	if (srpt_rsp_decode(data, size, &a))
		return 0;
	FUZZ_CHECK(fuzz_within(a.resp_data, a.resp_data_len, data, size));
	FUZZ_CHECK(fuzz_within(a.sense, a.sense_len, data, size));
	FUZZ_CHECK(a.sense == a.resp_data + a.resp_data_len);

	n = SRPT_RSP_LEN + (size_t)a.resp_data_len + a.sense_len;
	FUZZ_CHECK(n <= size);
	e1 = fuzz_alloc(n);
	e2 = fuzz_alloc(n);
	FUZZ_CHECK(srpt_rsp_encode(&a, e1, n) == (int)n);
	FUZZ_CHECK(srpt_rsp_decode(e1, n, &b) == 0);
	FUZZ_CHECK(rsp_eq(&a, &b));
	FUZZ_CHECK(srpt_rsp_encode(&b, e2, n) == (int)n);
	FUZZ_CHECK(!memcmp(e1, e2, n));
	FUZZ_CHECK(srpt_rsp_encode(&b, e2, n - 1) == -ENOSPC);
	free(e1);
	free(e2);
	return 0;
}
