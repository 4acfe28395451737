/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Fuzz target: SRP_TSK_MGMT, SRP_I_LOGOUT, SRP_T_LOGOUT, SRP_CRED_REQ,
 * SRP_CRED_RSP, SRP_AER_REQ, SRP_AER_RSP, srpt_iu_opcode() and the names.
 */
#include "fuzz.h"

/*
 * decode, encode, decode, encode for a fixed-size IU; EQ compares two
 * decoded structs a and b.
 */
#define FIXED_IU(name, LEN, EQ)						\
static void fuzz_##name(const uint8_t *data, size_t size)		\
{									\
	struct srpt_##name a, b;					\
	uint8_t e1[LEN], e2[LEN];					\
									\
	if (srpt_##name##_decode(data, size, &a))			\
		return;							\
	FUZZ_CHECK(srpt_##name##_encode(&a, e1, LEN) == LEN);		\
	FUZZ_CHECK(srpt_##name##_decode(e1, LEN, &b) == 0);		\
	FUZZ_CHECK(EQ);							\
	FUZZ_CHECK(srpt_##name##_encode(&b, e2, LEN) == LEN);		\
	FUZZ_CHECK(!memcmp(e1, e2, LEN));				\
	FUZZ_CHECK(srpt_##name##_encode(&b, e2, LEN - 1) == -ENOSPC);	\
}

FIXED_IU(tsk_mgmt, SRPT_TSK_MGMT_LEN,
	 a.sol_not == b.sol_not && a.tag == b.tag &&
	 !memcmp(a.lun, b.lun, 8) && a.tsk_mgmt_func == b.tsk_mgmt_func &&
	 a.task_tag == b.task_tag &&
	 srpt_tsk_mgmt_func_name(a.tsk_mgmt_func) != NULL)
FIXED_IU(i_logout, SRPT_I_LOGOUT_LEN, a.tag == b.tag)
FIXED_IU(t_logout, SRPT_T_LOGOUT_LEN,
	 a.sol_not == b.sol_not && a.reason == b.reason && a.tag == b.tag)
FIXED_IU(cred_req, SRPT_CRED_REQ_LEN,
	 a.sol_not == b.sol_not && a.req_lim_delta == b.req_lim_delta &&
	 a.tag == b.tag)
FIXED_IU(cred_rsp, SRPT_CRED_RSP_LEN, a.tag == b.tag)
FIXED_IU(aer_rsp, SRPT_AER_RSP_LEN, a.tag == b.tag)

static void fuzz_aer_req(const uint8_t *data, size_t size)
{
	struct srpt_aer_req a, b;
	uint8_t *e1, *e2;
	size_t n;

	if (srpt_aer_req_decode(data, size, &a))
		return;
	FUZZ_CHECK(fuzz_within(a.sense, a.sense_len, data, size));
	n = SRPT_AER_REQ_LEN + (size_t)a.sense_len;
	e1 = fuzz_alloc(n);
	e2 = fuzz_alloc(n);
	FUZZ_CHECK(srpt_aer_req_encode(&a, e1, n) == (int)n);
	FUZZ_CHECK(srpt_aer_req_decode(e1, n, &b) == 0);
	FUZZ_CHECK(a.sol_not == b.sol_not &&
		   a.req_lim_delta == b.req_lim_delta && a.tag == b.tag &&
		   !memcmp(a.lun, b.lun, 8) && a.sense_len == b.sense_len &&
		   fuzz_same(a.sense, b.sense, a.sense_len));
	FUZZ_CHECK(srpt_aer_req_encode(&b, e2, n) == (int)n);
	FUZZ_CHECK(!memcmp(e1, e2, n));
	free(e1);
	free(e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int op = srpt_iu_opcode(data, size);

	FUZZ_CHECK(size ? op == data[0] : op == -EMSGSIZE);
	if (size) {
		FUZZ_CHECK(srpt_opcode_name(data[0]) != NULL);
		FUZZ_CHECK(srpt_tsk_mgmt_func_name(data[0]) != NULL);
	}
	fuzz_tsk_mgmt(data, size);
	fuzz_i_logout(data, size);
	fuzz_t_logout(data, size);
	fuzz_cred_req(data, size);
	fuzz_cred_rsp(data, size);
	fuzz_aer_req(data, size);
	fuzz_aer_rsp(data, size);
	return 0;
}
