/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef HOSTILE_WIRE_H
#define HOSTILE_WIRE_H

/*
 * The hostile initiator's own SRP encoding, written from the protocol
 * description (srp-wire.md), not from libsrpt: it checks the library, so
 * it must not share the library's mistakes. Byte offsets are spelled out
 * where they are used; nothing here is cast onto a wire buffer.
 */

#include <stddef.h>
#include <stdint.h>

/* IU opcodes (byte 0; byte 11 of the RDMA/CM login request) */
#define W_LOGIN_REQ	0x00
#define W_TSK_MGMT	0x01
#define W_CMD		0x02
#define W_I_LOGOUT	0x03
#define W_T_LOGOUT	0x80
#define W_CRED_REQ	0x81
#define W_AER_REQ	0x82
#define W_CRED_RSP	0x41
#define W_AER_RSP	0x42
#define W_LOGIN_RSP	0xc0
#define W_RSP		0xc1
#define W_LOGIN_REJ	0xc2

/* Fixed lengths */
#define W_LOGIN_REQ_RDMA_LEN	56
#define W_LOGIN_RSP_LEN		52
#define W_LOGIN_REJ_LEN		32
#define W_CMD_LEN		48
#define W_TSK_MGMT_LEN		48
#define W_RSP_LEN		36
#define W_LOGOUT_LEN		16
#define W_DIRECT_LEN		16
#define W_INDIRECT_HDR_LEN	20
#define W_IMM_HDR_LEN		4

/* LOGIN_REJ reasons */
#define W_REJ_UNABLE_ESTABLISH	0x00010000u
#define W_REJ_NO_RESOURCES	0x00010001u
#define W_REJ_IU_LEN		0x00010002u
#define W_REJ_ASSOCIATE		0x00010003u
#define W_REJ_BUF_FMT		0x00010004u
#define W_REJ_MULTICHAN		0x00010005u
#define W_REJ_CHAN_LIMIT	0x00010006u

/* Login flags */
#define W_MC_SINGLE		0x00
#define W_MC_MULTI		0x01
#define W_IMMED_REQUESTED	0x80
#define W_RSP_MC_MASK		0x03
#define W_RSP_MC_NO_CHAN	0x00
#define W_RSP_MC_TERMINATED	0x01
#define W_RSP_MC_MAINTAINED	0x02
#define W_RSP_IMMED_SUPP	0x80
#define W_BUF_FMT_DIRECT	0x0002
#define W_BUF_FMT_INDIRECT	0x0004

/* SRP_CMD descriptor format nibbles */
#define W_FMT_NONE	0
#define W_FMT_DIRECT	1
#define W_FMT_INDIRECT	2
#define W_FMT_IMM	3

/* SRP_RSP flags */
#define W_RSPVALID	0x01
#define W_SNSVALID	0x02
#define W_DOOVER	0x04
#define W_DOUNDER	0x08
#define W_DIOVER	0x10
#define W_DIUNDER	0x20

/* Task management */
#define W_TM_ABORT_TASK		0x01
#define W_TM_ABORT_TASK_SET	0x02
#define W_TM_CLEAR_TASK_SET	0x04
#define W_TM_LUN_RESET		0x08
#define W_TM_COMPLETE		0x00
#define W_TM_INVALID		0x02
#define W_TM_NOT_SUPP		0x04
#define W_TM_FAILED		0x05
#define W_TM_INCORRECT_LUN	0x09

/* T_LOGOUT reasons */
#define W_TLO_INVALID_IU_TYPE	2
#define W_TLO_UNEXPECTED_RSP	3
#define W_TLO_INVALID_IU_LEN	8

/* SCSI */
#define S_GOOD			0x00
#define S_CHECK_CONDITION	0x02
#define S_BUSY			0x08
#define S_TASK_SET_FULL		0x28
#define S_BLOCK			512u

static inline void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)(v >> 32));
	w32(p + 4, (uint32_t)v);
}

static inline uint16_t r16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t r32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t r64(const uint8_t *p)
{
	return (uint64_t)r32(p) << 32 | r32(p + 4);
}

/* The 56-byte RDMA/CM login request, field by field. */
struct w_login {
	uint64_t tag;		/* stored big-endian; opaque to the target */
	uint16_t buf_fmt;
	uint8_t flags;
	uint8_t opcode;		/* byte 11; 0 for a real login */
	uint32_t it_iu_len;
	uint8_t iport[16];
	uint8_t tport[16];
	uint16_t imm_off;
};

void w_login_encode(const struct w_login *l, uint8_t out[W_LOGIN_REQ_RDMA_LEN]);

/*
 * The 48-byte SRP_CMD header. @lun is a LUN index encoded as SAM
 * peripheral addressing (byte 1); @cdb is copied up to 16 bytes.
 */
void w_cmd_hdr(uint8_t *iu, uint64_t tag, unsigned int lun, uint8_t buf_fmt,
	       uint8_t out_cnt, uint8_t in_cnt, uint8_t add_cdb_len,
	       const uint8_t *cdb, size_t cdb_len);
void w_direct(uint8_t *p, uint64_t va, uint32_t rkey, uint32_t len);
void w_tsk_mgmt(uint8_t *iu, uint64_t tag, unsigned int lun, uint8_t func,
		uint64_t task_tag);

/* CDBs */
void cdb_rw10(uint8_t cdb[16], int write, uint32_t lba, uint16_t nblk);
void cdb_rw16(uint8_t cdb[16], int write, uint64_t lba, uint32_t nblk);
void cdb_inquiry(uint8_t cdb[16], uint16_t alloc);
void cdb_tur(uint8_t cdb[16]);
void cdb_read_capacity10(uint8_t cdb[16]);

/* A received target-to-initiator IU, decoded for checks. */
struct w_rsp {
	uint8_t op;
	uint8_t sol_not;
	uint64_t tag;
	uint32_t delta;		/* req_lim_delta */
	uint8_t flags;
	uint8_t status;
	uint32_t dout_res;
	uint32_t din_res;
	uint32_t sense_len;
	uint32_t resp_len;
	const uint8_t *resp;
	const uint8_t *sense;
	uint8_t key, asc, ascq;	/* from the sense, when SNSVALID */
	uint32_t reason;	/* T_LOGOUT */
	uint32_t len;
	int malformed;		/* lengths do not fit the IU */
};

/* Decodes SRP_RSP and T_LOGOUT (and records the opcode of anything). */
void w_rsp_parse(const uint8_t *iu, uint32_t len, struct w_rsp *r);

/* "0x55", "SRP_RSP", ...: for messages. */
const char *w_op_name(uint8_t op);

#endif
