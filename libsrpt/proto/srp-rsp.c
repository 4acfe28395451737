/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * SRP_RSP: SCSI command and task management responses, with their
 * response data and sense data.
 */
#include "srp-codec.h"

/*
 * SRP_RSP, 36-byte fixed part
 *
 *  off size field
 *    0    1 opcode 0xC1
 *    1    1 sol_not (SOLNT 0x01)
 *    2    2 reserved
 *    4    4 req_lim_delta      BE32
 *    8    8 tag (echo)
 *   16    2 reserved
 *   18    1 flags (RSPVALID, SNSVALID, DO/DI OVER/UNDER)
 *   19    1 status (SCSI status)
 *   20    4 data_out_res_cnt   BE32
 *   24    4 data_in_res_cnt    BE32
 *   28    4 sense_data_len     BE32
 *   32    4 resp_data_len      BE32
 *   36    . response data (resp_data_len bytes), then sense data
 *
 * A task management response carries 4 bytes of response data whose last
 * byte is the response code (enum srpt_tsk_mgmt_rsp).
 */
SRPT_EXPORT int srpt_rsp_decode(const void *buf, size_t len,
				struct srpt_rsp *out)
{
	const uint8_t *p = buf;
	uint32_t resp_len, sense_len;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_RSP_LEN, 0, SRPT_OP_RSP);
	if (ret)
		return ret;
	sense_len = get_be32(p + 28);
	resp_len = get_be32(p + 32);
	if ((uint64_t)SRPT_RSP_LEN + resp_len + sense_len > len)
		return -EOVERFLOW;

	memset(out, 0, sizeof(*out));
	out->sol_not = p[1];
	out->req_lim_delta = get_be32(p + 4);
	out->tag = get_tag(p + 8);
	out->flags = p[18];
	out->status = p[19];
	out->data_out_res_cnt = get_be32(p + 20);
	out->data_in_res_cnt = get_be32(p + 24);
	out->resp_data = p + SRPT_RSP_LEN;
	out->resp_data_len = resp_len;
	out->sense = p + SRPT_RSP_LEN + resp_len;
	out->sense_len = sense_len;
	return 0;
}

SRPT_EXPORT int srpt_rsp_encode(const struct srpt_rsp *in, void *buf,
				size_t buflen)
{
	uint8_t *p = buf;
	uint64_t need;
	int ret;

	if (!in || !buf)
		return -EINVAL;
	if ((in->resp_data_len && !in->resp_data) ||
	    (in->sense_len && !in->sense))
		return -EINVAL;
	need = (uint64_t)SRPT_RSP_LEN + in->resp_data_len + in->sense_len;
	if (need > INT32_MAX)
		return -EINVAL;	/* the int return could not hold it */
	ret = srp_encode_check(in, buf, buflen, need);
	if (ret)
		return ret;

	memset(p, 0, SRPT_RSP_LEN);
	p[0] = SRPT_OP_RSP;
	p[1] = in->sol_not;
	put_be32(p + 4, in->req_lim_delta);
	put_tag(p + 8, in->tag);
	p[18] = in->flags;
	p[19] = in->status;
	put_be32(p + 20, in->data_out_res_cnt);
	put_be32(p + 24, in->data_in_res_cnt);
	put_be32(p + 28, in->sense_len);
	put_be32(p + 32, in->resp_data_len);
	if (in->resp_data_len)
		memcpy(p + SRPT_RSP_LEN, in->resp_data, in->resp_data_len);
	if (in->sense_len)
		memcpy(p + SRPT_RSP_LEN + in->resp_data_len, in->sense,
		       in->sense_len);
	return (int)need;
}
