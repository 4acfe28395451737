/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * SRP_LOGIN_REQ (IB/CM and RDMA/CM forms), SRP_LOGIN_RSP, SRP_LOGIN_REJ.
 * These travel as CM private data, not as SENDs.
 */
#include "srp-codec.h"

/*
 * SRP_LOGIN_REQ, IB/CM form, 64 bytes
 *
 *  off size field
 *    0    1 opcode 0x00
 *    1    7 reserved
 *    8    8 tag (opaque)
 *   16    4 req_it_iu_len      BE32
 *   20    4 reserved
 *   24    2 req_buf_fmt        BE16
 *   26    1 req_flags
 *   27    1 reserved
 *   28    2 imm_data_offset    BE16 (SRP2)
 *   30    2 reserved
 *   32   16 initiator_port_id
 *   48   16 target_port_id
 */
SRPT_EXPORT int srpt_login_req_decode(const void *buf, size_t len,
				      struct srpt_login_req *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_LOGIN_REQ_LEN, 0,
			       SRPT_OP_LOGIN_REQ);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->tag = get_tag(p + 8);
	out->req_it_iu_len = get_be32(p + 16);
	out->req_buf_fmt = get_be16(p + 24);
	out->req_flags = p[26];
	out->imm_data_offset = get_be16(p + 28);
	memcpy(out->initiator_port_id, p + 32, 16);
	memcpy(out->target_port_id, p + 48, 16);
	return 0;
}

SRPT_EXPORT int srpt_login_req_encode(const struct srpt_login_req *in,
				      void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_LOGIN_REQ_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_LOGIN_REQ_LEN);
	p[0] = SRPT_OP_LOGIN_REQ;
	put_tag(p + 8, in->tag);
	put_be32(p + 16, in->req_it_iu_len);
	put_be16(p + 24, in->req_buf_fmt);
	p[26] = in->req_flags;
	put_be16(p + 28, in->imm_data_offset);
	memcpy(p + 32, in->initiator_port_id, 16);
	memcpy(p + 48, in->target_port_id, 16);
	return SRPT_LOGIN_REQ_LEN;
}

/*
 * SRP_LOGIN_REQ, RDMA/CM form, 56 bytes: the IB/CM form without its
 * reserved bytes, reordered for alignment, because the RDMA CM header leaves
 * only 92 - 36 = 56 bytes of REQ private data.
 *
 *  off size field
 *    0    8 tag (opaque)
 *    8    2 req_buf_fmt        BE16
 *   10    1 req_flags
 *   11    1 opcode 0x00
 *   12    4 req_it_iu_len      BE32
 *   16   16 initiator_port_id
 *   32   16 target_port_id
 *   48    2 imm_data_offset    BE16
 *   50    6 reserved
 */
SRPT_EXPORT int srpt_login_req_rdma_decode(const void *buf, size_t len,
					   struct srpt_login_req *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_LOGIN_REQ_RDMA_LEN, 11,
			       SRPT_OP_LOGIN_REQ);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->tag = get_tag(p);
	out->req_buf_fmt = get_be16(p + 8);
	out->req_flags = p[10];
	out->req_it_iu_len = get_be32(p + 12);
	memcpy(out->initiator_port_id, p + 16, 16);
	memcpy(out->target_port_id, p + 32, 16);
	out->imm_data_offset = get_be16(p + 48);
	return 0;
}

SRPT_EXPORT int srpt_login_req_rdma_encode(const struct srpt_login_req *in,
					   void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_LOGIN_REQ_RDMA_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_LOGIN_REQ_RDMA_LEN);
	put_tag(p, in->tag);
	put_be16(p + 8, in->req_buf_fmt);
	p[10] = in->req_flags;
	p[11] = SRPT_OP_LOGIN_REQ;
	put_be32(p + 12, in->req_it_iu_len);
	memcpy(p + 16, in->initiator_port_id, 16);
	memcpy(p + 32, in->target_port_id, 16);
	put_be16(p + 48, in->imm_data_offset);
	return SRPT_LOGIN_REQ_RDMA_LEN;
}

/*
 * SRP_LOGIN_RSP, 52 bytes
 *
 *  off size field
 *    0    1 opcode 0xC0
 *    1    3 reserved
 *    4    4 req_lim_delta      BE32 (initial credits)
 *    8    8 tag (echo)
 *   16    4 max_it_iu_len      BE32
 *   20    4 max_ti_iu_len      BE32
 *   24    2 buf_fmt            BE16
 *   26    1 rsp_flags
 *   27   25 reserved
 */
SRPT_EXPORT int srpt_login_rsp_decode(const void *buf, size_t len,
				      struct srpt_login_rsp *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_LOGIN_RSP_LEN, 0,
			       SRPT_OP_LOGIN_RSP);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->req_lim_delta = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	out->max_it_iu_len = get_be32(p + 16);
	out->max_ti_iu_len = get_be32(p + 20);
	out->buf_fmt = get_be16(p + 24);
	out->rsp_flags = p[26];
	return 0;
}

SRPT_EXPORT int srpt_login_rsp_encode(const struct srpt_login_rsp *in,
				      void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_LOGIN_RSP_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_LOGIN_RSP_LEN);
	p[0] = SRPT_OP_LOGIN_RSP;
	put_be32(p + 4, in->req_lim_delta);
	put_tag(p + 8, in->tag);
	put_be32(p + 16, in->max_it_iu_len);
	put_be32(p + 20, in->max_ti_iu_len);
	put_be16(p + 24, in->buf_fmt);
	p[26] = in->rsp_flags;
	return SRPT_LOGIN_RSP_LEN;
}

/*
 * SRP_LOGIN_REJ, 32 bytes
 *
 *  off size field
 *    0    1 opcode 0xC2
 *    1    3 reserved
 *    4    4 reason             BE32
 *    8    8 tag (echo)
 *   16    8 reserved
 *   24    2 buf_fmt            BE16
 *   26    6 reserved
 */
SRPT_EXPORT int srpt_login_rej_decode(const void *buf, size_t len,
				      struct srpt_login_rej *out)
{
	const uint8_t *p = buf;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_LOGIN_REJ_LEN, 0,
			       SRPT_OP_LOGIN_REJ);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->reason = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	out->buf_fmt = get_be16(p + 24);
	return 0;
}

SRPT_EXPORT int srpt_login_rej_encode(const struct srpt_login_rej *in,
				      void *buf, size_t buflen)
{
	uint8_t *p = buf;
	int ret;

	ret = srp_encode_check(in, buf, buflen, SRPT_LOGIN_REJ_LEN);
	if (ret)
		return ret;
	memset(p, 0, SRPT_LOGIN_REJ_LEN);
	p[0] = SRPT_OP_LOGIN_REJ;
	put_be32(p + 4, in->reason);
	put_tag(p + 8, in->tag);
	put_be16(p + 24, in->buf_fmt);
	return SRPT_LOGIN_REJ_LEN;
}
