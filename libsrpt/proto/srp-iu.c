/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The small IUs: SRP_TSK_MGMT, SRP_I_LOGOUT, SRP_T_LOGOUT, SRP_CRED_REQ,
 * SRP_CRED_RSP, SRP_AER_REQ, SRP_AER_RSP.
 */
#include "srp-codec.h"

/*
 * SRP_TSK_MGMT, 48 bytes
 *
 *  off size field
 *    0    1 opcode 0x01
 *    1    1 sol_not (SCSOLNT 0x02, UCSOLNT 0x04)
 *    2    6 reserved
 *    8    8 tag (opaque)
 *   16    4 reserved
 *   20    8 lun
 *   28    2 reserved
 *   30    1 tsk_mgmt_func
 *   31    1 reserved
 *   32    8 task_tag (opaque: the tag of the task to act on)
 *   40    8 reserved
 */
SRPT_EXPORT int srpt_tsk_mgmt_decode(const void *buf, size_t len,
				     struct srpt_tsk_mgmt *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_TSK_MGMT_LEN, 0,
			       SRPT_OP_TSK_MGMT);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->sol_not = p[1];
	out->tag = get_tag(p + 8);
	memcpy(out->lun, p + 20, 8);
	out->tsk_mgmt_func = p[30];
	out->task_tag = get_tag(p + 32);
	return 0;
}

SRPT_EXPORT int srpt_tsk_mgmt_encode(const struct srpt_tsk_mgmt *in,
				     void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_TSK_MGMT_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_TSK_MGMT_LEN);
	p[0] = SRPT_OP_TSK_MGMT;
	p[1] = in->sol_not;
	put_tag(p + 8, in->tag);
	memcpy(p + 20, in->lun, 8);
	p[30] = in->tsk_mgmt_func;
	put_tag(p + 32, in->task_tag);
	return SRPT_TSK_MGMT_LEN;
}

/*
 * SRP_I_LOGOUT, 16 bytes
 *
 *  off size field
 *    0    1 opcode 0x03
 *    1    7 reserved
 *    8    8 tag
 */
SRPT_EXPORT int srpt_i_logout_decode(const void *buf, size_t len,
				     struct srpt_i_logout *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_I_LOGOUT_LEN, 0,
			       SRPT_OP_I_LOGOUT);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->tag = get_tag(p + 8);
	return 0;
}

SRPT_EXPORT int srpt_i_logout_encode(const struct srpt_i_logout *in,
				     void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_I_LOGOUT_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_I_LOGOUT_LEN);
	p[0] = SRPT_OP_I_LOGOUT;
	put_tag(p + 8, in->tag);
	return SRPT_I_LOGOUT_LEN;
}

/*
 * SRP_T_LOGOUT, 16 bytes
 *
 *  off size field
 *    0    1 opcode 0x80
 *    1    1 sol_not (SOLNT 0x01)
 *    2    2 reserved
 *    4    4 reason             BE32
 *    8    8 tag
 */
SRPT_EXPORT int srpt_t_logout_decode(const void *buf, size_t len,
				     struct srpt_t_logout *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_T_LOGOUT_LEN, 0,
			       SRPT_OP_T_LOGOUT);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->sol_not = p[1];
	out->reason = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	return 0;
}

SRPT_EXPORT int srpt_t_logout_encode(const struct srpt_t_logout *in,
				     void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_T_LOGOUT_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_T_LOGOUT_LEN);
	p[0] = SRPT_OP_T_LOGOUT;
	p[1] = in->sol_not;
	put_be32(p + 4, in->reason);
	put_tag(p + 8, in->tag);
	return SRPT_T_LOGOUT_LEN;
}

/*
 * SRP_CRED_REQ, 16 bytes
 *
 *  off size field
 *    0    1 opcode 0x81
 *    1    1 sol_not (SOLNT 0x01)
 *    2    2 reserved
 *    4    4 req_lim_delta      BE32
 *    8    8 tag
 */
SRPT_EXPORT int srpt_cred_req_decode(const void *buf, size_t len,
				     struct srpt_cred_req *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_CRED_REQ_LEN, 0,
			       SRPT_OP_CRED_REQ);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->sol_not = p[1];
	out->req_lim_delta = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	return 0;
}

SRPT_EXPORT int srpt_cred_req_encode(const struct srpt_cred_req *in,
				     void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_CRED_REQ_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_CRED_REQ_LEN);
	p[0] = SRPT_OP_CRED_REQ;
	p[1] = in->sol_not;
	put_be32(p + 4, in->req_lim_delta);
	put_tag(p + 8, in->tag);
	return SRPT_CRED_REQ_LEN;
}

/*
 * SRP_CRED_RSP, 16 bytes
 *
 *  off size field
 *    0    1 opcode 0x41
 *    1    7 reserved
 *    8    8 tag (echo of the CRED_REQ's)
 */
SRPT_EXPORT int srpt_cred_rsp_decode(const void *buf, size_t len,
				     struct srpt_cred_rsp *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_CRED_RSP_LEN, 0,
			       SRPT_OP_CRED_RSP);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->tag = get_tag(p + 8);
	return 0;
}

SRPT_EXPORT int srpt_cred_rsp_encode(const struct srpt_cred_rsp *in,
				     void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_CRED_RSP_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_CRED_RSP_LEN);
	p[0] = SRPT_OP_CRED_RSP;
	put_tag(p + 8, in->tag);
	return SRPT_CRED_RSP_LEN;
}

/*
 * SRP_AER_REQ, 36-byte fixed part
 *
 *  off size field
 *    0    1 opcode 0x82
 *    1    1 sol_not (SOLNT 0x01)
 *    2    2 reserved
 *    4    4 req_lim_delta      BE32
 *    8    8 tag
 *   16    4 reserved
 *   20    8 lun
 *   28    4 sense_data_len     BE32
 *   32    4 reserved
 *   36    . sense data (sense_data_len bytes)
 */
SRPT_EXPORT int srpt_aer_req_decode(const void *buf, size_t len,
				    struct srpt_aer_req *out)
{
	const uint8_t *p = buf;
	uint32_t sense_len;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_AER_REQ_LEN, 0,
			       SRPT_OP_AER_REQ);
	if (ret)
		return ret;
	sense_len = get_be32(p + 28);
	if ((uint64_t)SRPT_AER_REQ_LEN + sense_len > len)
		return -EOVERFLOW;
	memset(out, 0, sizeof(*out));
	out->sol_not = p[1];
	out->req_lim_delta = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	memcpy(out->lun, p + 20, 8);
	out->sense = p + SRPT_AER_REQ_LEN;
	out->sense_len = sense_len;
	return 0;
}

SRPT_EXPORT int srpt_aer_req_encode(const struct srpt_aer_req *in,
				    void *buf, size_t buflen)
{
	uint8_t *p = buf;
	uint64_t need;
	int ret;

	if (!in || !buf)
		return -EINVAL;
	if (in->sense_len && !in->sense)
		return -EINVAL;
	need = (uint64_t)SRPT_AER_REQ_LEN + in->sense_len;
	if (need > INT32_MAX)
		return -EINVAL;	/* the int return could not hold it */
	ret = srp_encode_check(in, buf, buflen, need);
	if (ret)
		return ret;
	memset(p, 0, SRPT_AER_REQ_LEN);
	p[0] = SRPT_OP_AER_REQ;
	p[1] = in->sol_not;
	put_be32(p + 4, in->req_lim_delta);
	put_tag(p + 8, in->tag);
	memcpy(p + 20, in->lun, 8);
	put_be32(p + 28, in->sense_len);
	if (in->sense_len)
		memcpy(p + SRPT_AER_REQ_LEN, in->sense, in->sense_len);
	return (int)need;
}

/*
 * SRP_AER_RSP, 16 bytes
 *
 *  off size field
 *    0    1 opcode 0x42
 *    1    7 reserved
 *    8    8 tag (echo of the AER_REQ's)
 */
SRPT_EXPORT int srpt_aer_rsp_decode(const void *buf, size_t len,
				    struct srpt_aer_rsp *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_AER_RSP_LEN, 0,
			       SRPT_OP_AER_RSP);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->tag = get_tag(p + 8);
	return 0;
}

SRPT_EXPORT int srpt_aer_rsp_encode(const struct srpt_aer_rsp *in,
				    void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_AER_RSP_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_AER_RSP_LEN);
	p[0] = SRPT_OP_AER_RSP;
	put_tag(p + 8, in->tag);
	return SRPT_AER_RSP_LEN;
}
