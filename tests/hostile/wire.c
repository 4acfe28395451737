/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The hostile initiator's SRP encoders and response decoder. */
#include <stdio.h>
#include <string.h>

#include "wire.h"

/*
 * RDMA/CM login request: 0 tag | 8 req_buf_fmt | 10 req_flags |
 * 11 opcode | 12 req_it_iu_len | 16 initiator port id |
 * 32 target port id | 48 imm_data_offset | 50 reserved.
 */
void w_login_encode(const struct w_login *l, uint8_t out[W_LOGIN_REQ_RDMA_LEN])
{
	memset(out, 0, W_LOGIN_REQ_RDMA_LEN);
	w64(out, l->tag);
	w16(out + 8, l->buf_fmt);
	out[10] = l->flags;
	out[11] = l->opcode;
	w32(out + 12, l->it_iu_len);
	memcpy(out + 16, l->iport, 16);
	memcpy(out + 32, l->tport, 16);
	w16(out + 48, l->imm_off);
}

/*
 * SRP_CMD: 0 opcode | 1 sol_not | 5 buf_fmt (out << 4 | in) |
 * 6 out count | 7 in count | 8 tag | 20 LUN | 29 task attribute |
 * 31 additional CDB length | 32 CDB.
 */
void w_cmd_hdr(uint8_t *iu, uint64_t tag, unsigned int lun, uint8_t buf_fmt,
	       uint8_t out_cnt, uint8_t in_cnt, uint8_t add_cdb_len,
	       const uint8_t *cdb, size_t cdb_len)
{
	memset(iu, 0, W_CMD_LEN);
	iu[0] = W_CMD;
	iu[5] = buf_fmt;
	iu[6] = out_cnt;
	iu[7] = in_cnt;
	w64(iu + 8, tag);
	iu[21] = (uint8_t)lun;
	iu[31] = add_cdb_len;
	if (cdb)
		memcpy(iu + 32, cdb, cdb_len > 16 ? 16 : cdb_len);
}

void w_direct(uint8_t *p, uint64_t va, uint32_t rkey, uint32_t len)
{
	w64(p, va);
	w32(p + 8, rkey);
	w32(p + 12, len);
}

/*
 * SRP_TSK_MGMT: 0 opcode | 8 tag | 20 LUN | 30 function | 32 task tag.
 */
void w_tsk_mgmt(uint8_t *iu, uint64_t tag, unsigned int lun, uint8_t func,
		uint64_t task_tag)
{
	memset(iu, 0, W_TSK_MGMT_LEN);
	iu[0] = W_TSK_MGMT;
	w64(iu + 8, tag);
	iu[21] = (uint8_t)lun;
	iu[30] = func;
	w64(iu + 32, task_tag);
}

void cdb_rw10(uint8_t cdb[16], int write, uint32_t lba, uint16_t nblk)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? 0x2a : 0x28;
	w32(cdb + 2, lba);
	w16(cdb + 7, nblk);
}

void cdb_rw16(uint8_t cdb[16], int write, uint64_t lba, uint32_t nblk)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? 0x8a : 0x88;
	w64(cdb + 2, lba);
	w32(cdb + 10, nblk);
}

void cdb_inquiry(uint8_t cdb[16], uint16_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x12;
	w16(cdb + 3, alloc);
}

void cdb_tur(uint8_t cdb[16])
{
	memset(cdb, 0, 16);
}

void cdb_read_capacity10(uint8_t cdb[16])
{
	memset(cdb, 0, 16);
	cdb[0] = 0x25;
}

/*
 * SRP_RSP: 0 opcode | 1 sol_not | 4 req_lim_delta | 8 tag | 18 flags |
 * 19 status | 20 data-out residual | 24 data-in residual |
 * 28 sense length | 32 response data length | 36 response data, then
 * sense. T_LOGOUT: 0 opcode | 1 sol_not | 4 reason | 8 tag.
 */
void w_rsp_parse(const uint8_t *iu, uint32_t len, struct w_rsp *r)
{
	uint64_t end;

	memset(r, 0, sizeof(*r));
	r->len = len;
	if (!len) {
		r->malformed = 1;
		return;
	}
	r->op = iu[0];
	if (r->op == W_T_LOGOUT) {
		if (len < W_LOGOUT_LEN) {
			r->malformed = 1;
			return;
		}
		r->sol_not = iu[1];
		r->reason = r32(iu + 4);
		r->tag = r64(iu + 8);
		return;
	}
	if (r->op != W_RSP)
		return;
	if (len < W_RSP_LEN) {
		r->malformed = 1;
		return;
	}
	r->sol_not = iu[1];
	r->delta = r32(iu + 4);
	r->tag = r64(iu + 8);
	r->flags = iu[18];
	r->status = iu[19];
	r->dout_res = r32(iu + 20);
	r->din_res = r32(iu + 24);
	r->sense_len = r32(iu + 28);
	r->resp_len = r32(iu + 32);
	end = (uint64_t)W_RSP_LEN;
	if (r->flags & W_RSPVALID) {
		end += r->resp_len;
		if (end > len) {
			r->malformed = 1;
			return;
		}
		r->resp = iu + W_RSP_LEN;
	}
	if (r->flags & W_SNSVALID) {
		if (end + r->sense_len > len || r->sense_len < 8) {
			r->malformed = 1;
			return;
		}
		r->sense = iu + end;
		if ((r->sense[0] & 0x7f) == 0x72 || (r->sense[0] & 0x7f) == 0x73) {
			r->key = r->sense[1] & 0x0f;
			r->asc = r->sense[2];
			r->ascq = r->sense[3];
		} else if (r->sense_len >= 14) {
			r->key = r->sense[2] & 0x0f;
			r->asc = r->sense[12];
			r->ascq = r->sense[13];
		} else {
			r->malformed = 1;
		}
	}
}

const char *w_op_name(uint8_t op)
{
	static char buf[8];

	switch (op) {
	case W_RSP: return "SRP_RSP";
	case W_T_LOGOUT: return "SRP_T_LOGOUT";
	case W_CRED_REQ: return "SRP_CRED_REQ";
	case W_AER_REQ: return "SRP_AER_REQ";
	case W_LOGIN_RSP: return "SRP_LOGIN_RSP";
	case W_LOGIN_REJ: return "SRP_LOGIN_REJ";
	default:
		snprintf(buf, sizeof(buf), "0x%02x", op);
		return buf;
	}
}
