/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Opcode dispatch and the names of opcodes, login reject reasons and task
 * management functions, for logs.
 */
#include "srp-codec.h"

SRPT_EXPORT int srpt_iu_opcode(const void *buf, size_t len)
{
	if (!buf)
		return -EINVAL;
	if (len == 0)
		return -EMSGSIZE;
	return ((const uint8_t *)buf)[0];
}

SRPT_EXPORT const char *srpt_opcode_name(uint8_t op)
{
	switch (op) {
	case SRPT_OP_LOGIN_REQ:	return "SRP_LOGIN_REQ";
	case SRPT_OP_TSK_MGMT:	return "SRP_TSK_MGMT";
	case SRPT_OP_CMD:	return "SRP_CMD";
	case SRPT_OP_I_LOGOUT:	return "SRP_I_LOGOUT";
	case SRPT_OP_T_LOGOUT:	return "SRP_T_LOGOUT";
	case SRPT_OP_CRED_REQ:	return "SRP_CRED_REQ";
	case SRPT_OP_AER_REQ:	return "SRP_AER_REQ";
	case SRPT_OP_CRED_RSP:	return "SRP_CRED_RSP";
	case SRPT_OP_AER_RSP:	return "SRP_AER_RSP";
	case SRPT_OP_LOGIN_RSP:	return "SRP_LOGIN_RSP";
	case SRPT_OP_RSP:	return "SRP_RSP";
	case SRPT_OP_LOGIN_REJ:	return "SRP_LOGIN_REJ";
	default:		return "unknown";
	}
}

SRPT_EXPORT const char *srpt_login_rej_reason_name(uint32_t reason)
{
	switch (reason) {
	case SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL:
		return "UNABLE_ESTABLISH_CHANNEL";
	case SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES:
		return "INSUFFICIENT_RESOURCES";
	case SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE:
		return "REQ_IT_IU_LENGTH_TOO_LARGE";
	case SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL:
		return "UNABLE_ASSOCIATE_CHANNEL";
	case SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT:
		return "UNSUPPORTED_DESCRIPTOR_FMT";
	case SRPT_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED:
		return "MULTI_CHANNEL_UNSUPPORTED";
	case SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED:
		return "CHANNEL_LIMIT_REACHED";
	default:
		return "unknown";
	}
}

SRPT_EXPORT const char *srpt_tsk_mgmt_func_name(uint8_t f)
{
	switch (f) {
	case SRPT_TSK_ABORT_TASK:	return "ABORT_TASK";
	case SRPT_TSK_ABORT_TASK_SET:	return "ABORT_TASK_SET";
	case SRPT_TSK_CLEAR_TASK_SET:	return "CLEAR_TASK_SET";
	case SRPT_TSK_LUN_RESET:	return "LUN_RESET";
	case SRPT_TSK_CLEAR_ACA:	return "CLEAR_ACA";
	default:			return "unknown";
	}
}
