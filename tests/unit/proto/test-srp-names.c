/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Tests of libsrpt/proto/srp-names.c: srpt_iu_opcode() and the names. */
#include "proto-test.h"

START_TEST(iu_opcode)
{
	static const uint8_t rsp[1] = { SRPT_OP_RSP };
	uint8_t *b;

	ck_assert_int_eq(srpt_iu_opcode(NULL, 16), -EINVAL);
	ck_assert_int_eq(srpt_iu_opcode(rsp, 0), -EMSGSIZE);
	/* Opcodes above 0x7f come back positive. */
	ck_assert_int_eq(srpt_iu_opcode(rsp, 1), 0xc1);
	for (int op = 0; op < 256; op++) {
		uint8_t v = (uint8_t)op;

		b = dup_exact(&v, 1);
		ck_assert_int_eq(srpt_iu_opcode(b, 1), op);
		free(b);
	}
}
END_TEST

START_TEST(opcode_names)
{
	static const struct {
		uint8_t op;
		const char *name;
	} t[] = {
		{ SRPT_OP_LOGIN_REQ, "SRP_LOGIN_REQ" },
		{ SRPT_OP_TSK_MGMT, "SRP_TSK_MGMT" },
		{ SRPT_OP_CMD, "SRP_CMD" },
		{ SRPT_OP_I_LOGOUT, "SRP_I_LOGOUT" },
		{ SRPT_OP_T_LOGOUT, "SRP_T_LOGOUT" },
		{ SRPT_OP_CRED_REQ, "SRP_CRED_REQ" },
		{ SRPT_OP_AER_REQ, "SRP_AER_REQ" },
		{ SRPT_OP_CRED_RSP, "SRP_CRED_RSP" },
		{ SRPT_OP_AER_RSP, "SRP_AER_RSP" },
		{ SRPT_OP_LOGIN_RSP, "SRP_LOGIN_RSP" },
		{ SRPT_OP_RSP, "SRP_RSP" },
		{ SRPT_OP_LOGIN_REJ, "SRP_LOGIN_REJ" },
	};
	int known = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_str_eq(srpt_opcode_name(t[i].op), t[i].name);
	/* Every other value is "unknown", never NULL. */
	for (int op = 0; op < 256; op++) {
		const char *n = srpt_opcode_name((uint8_t)op);

		ck_assert_ptr_nonnull(n);
		if (strcmp(n, "unknown"))
			known++;
	}
	ck_assert_int_eq(known, 12);
}
END_TEST

START_TEST(rej_reason_names)
{
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010000),
			 "UNABLE_ESTABLISH_CHANNEL");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010001),
			 "INSUFFICIENT_RESOURCES");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010002),
			 "REQ_IT_IU_LENGTH_TOO_LARGE");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010003),
			 "UNABLE_ASSOCIATE_CHANNEL");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010004),
			 "UNSUPPORTED_DESCRIPTOR_FMT");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010005),
			 "MULTI_CHANNEL_UNSUPPORTED");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010006),
			 "CHANNEL_LIMIT_REACHED");
	ck_assert_str_eq(srpt_login_rej_reason_name(0x00010007), "unknown");
	ck_assert_str_eq(srpt_login_rej_reason_name(0), "unknown");
	ck_assert_str_eq(srpt_login_rej_reason_name(6), "unknown");
	ck_assert_str_eq(srpt_login_rej_reason_name(0xffffffffu), "unknown");
}
END_TEST

START_TEST(tsk_mgmt_func_names)
{
	int known = 0;

	ck_assert_str_eq(srpt_tsk_mgmt_func_name(0x01), "ABORT_TASK");
	ck_assert_str_eq(srpt_tsk_mgmt_func_name(0x02), "ABORT_TASK_SET");
	ck_assert_str_eq(srpt_tsk_mgmt_func_name(0x04), "CLEAR_TASK_SET");
	ck_assert_str_eq(srpt_tsk_mgmt_func_name(0x08), "LUN_RESET");
	ck_assert_str_eq(srpt_tsk_mgmt_func_name(0x40), "CLEAR_ACA");
	for (int f = 0; f < 256; f++) {
		const char *n = srpt_tsk_mgmt_func_name((uint8_t)f);

		ck_assert_ptr_nonnull(n);
		if (strcmp(n, "unknown"))
			known++;
	}
	ck_assert_int_eq(known, 5);
}
END_TEST

TCase *tcase_srp_names(void)
{
	TCase *tc = tcase_create("srp-names");

	tcase_add_test(tc, iu_opcode);
	tcase_add_test(tc, opcode_names);
	tcase_add_test(tc, rej_reason_names);
	tcase_add_test(tc, tsk_mgmt_func_names);
	return tc;
}
