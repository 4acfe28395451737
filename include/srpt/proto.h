/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_PROTO_H
#define SRPT_PROTO_H

/*
 * The SRP wire codec: decoders from received bytes to host-order structs
 * and encoders back, for every information unit (IU) of the SCSI RDMA
 * Protocol (T10 1415-D r16a plus the SRP2 immediate-data additions).
 *
 * Every function here is pure: no I/O, no allocation, no global state, no
 * logging. All of them may be called from any thread, concurrently, and from
 * inside any libsrpt callback.
 *
 * Conventions shared by all decoders:
 *  - @len is the number of bytes actually received; nothing at or past
 *    buf + len is ever read.
 *  - On error the output struct is left untouched.
 *  - Reserved wire fields are ignored.
 *  - Tags are uint64_t holding the 8 wire bytes verbatim (memcpy, never
 *    byte-swapped) so that they are echoed byte for byte; compare them for
 *    equality only.
 *  - Pointers in decoded structs alias the input buffer and stay valid only
 *    as long as it does.
 *
 * Conventions shared by all encoders:
 *  - They return the number of bytes written, or a negative errno.
 *  - Every reserved byte is written as zero; nothing past the returned
 *    length is written; on error nothing at all is written.
 *
 * Error codes (each names one class of malformation):
 *  -EINVAL     NULL or inconsistent arguments.
 *  -EMSGSIZE   received length shorter than the IU's fixed part.
 *  -ENOSPC     encoder output buffer too small.
 *  -EPROTO     opcode byte wrong for this decoder.
 *  -EBADMSG    reserved or unknown SRP_CMD data descriptor format code
 *              (nibble > 3, IMM for DATA-IN, IMM when not negotiated).
 *  -ERANGE     SRP_CMD additional CDB running past the received bytes;
 *              srpt_buf_desc_get() index out of range.
 *  -EOVERFLOW  descriptor or response/sense lengths not fitting the IU.
 *  -ENODATA    SRP_CMD immediate data not within the received bytes.
 *  -ENOENT     SRP_CMD indirect descriptor with an empty table.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IU opcodes: byte 0 of every IU (byte 11 of the RDMA/CM login request). */
enum srpt_opcode {
	SRPT_OP_LOGIN_REQ	= 0x00,
	SRPT_OP_TSK_MGMT	= 0x01,
	SRPT_OP_CMD		= 0x02,
	SRPT_OP_I_LOGOUT	= 0x03,
	SRPT_OP_T_LOGOUT	= 0x80,
	SRPT_OP_CRED_REQ	= 0x81,
	SRPT_OP_AER_REQ		= 0x82,
	SRPT_OP_CRED_RSP	= 0x41,
	SRPT_OP_AER_RSP		= 0x42,
	SRPT_OP_LOGIN_RSP	= 0xC0,
	SRPT_OP_RSP		= 0xC1,
	SRPT_OP_LOGIN_REJ	= 0xC2,
};

/* Sizes of the fixed part of each IU and of the descriptor pieces. */
enum srpt_iu_len {
	SRPT_LOGIN_REQ_LEN	= 64,	/* IB/CM form */
	SRPT_LOGIN_REQ_RDMA_LEN	= 56,	/* RDMA/CM form, no reserved bytes */
	SRPT_LOGIN_RSP_LEN	= 52,
	SRPT_LOGIN_REJ_LEN	= 32,
	SRPT_CMD_LEN		= 48,	/* + add. CDB + descriptors */
	SRPT_RSP_LEN		= 36,	/* + response + sense data */
	SRPT_TSK_MGMT_LEN	= 48,
	SRPT_I_LOGOUT_LEN	= 16,
	SRPT_T_LOGOUT_LEN	= 16,
	SRPT_CRED_REQ_LEN	= 16,
	SRPT_CRED_RSP_LEN	= 16,
	SRPT_AER_REQ_LEN	= 36,	/* + sense data */
	SRPT_AER_RSP_LEN	= 16,
	SRPT_DIRECT_DESC_LEN	= 16,
	SRPT_INDIRECT_HDR_LEN	= 20,
	SRPT_IMM_HDR_LEN	= 4,
	/* SRP_RSP response data of a task management response */
	SRPT_TSK_MGMT_RSP_DATA_LEN = 4,
};

/* Login req_buf_fmt / rsp and rej buf_fmt bits (BE16 on the wire). */
enum srpt_buf_fmt {
	SRPT_BUF_FMT_DIRECT	= 0x2,
	SRPT_BUF_FMT_INDIRECT	= 0x4,
};

/* Login request req_flags. */
enum srpt_login_req_flags {
	SRPT_MULTICHAN_SINGLE		= 0x00,
	SRPT_MULTICHAN_MULTI		= 0x01,
	SRPT_MULTICHAN_MASK		= 0x03,
	SRPT_LOGIN_LOSOLNT		= 0x10,
	SRPT_LOGIN_CRSOLNT		= 0x20,
	SRPT_LOGIN_AESOLNT		= 0x40,
	SRPT_LOGIN_IMMED_REQUESTED	= 0x80,	/* SRP2 */
};

/* Login response rsp_flags; the low two bits are the multi-channel result. */
enum srpt_login_rsp_flags {
	SRPT_LOGIN_RSP_NO_CHAN		= 0x00,
	SRPT_LOGIN_RSP_TERMINATED	= 0x01,
	SRPT_LOGIN_RSP_MAINTAINED	= 0x02,
	/* iPXE and illumos only; Linux has no name for it. */
	SRPT_LOGIN_RSP_SOLNTSUP		= 0x10,
	SRPT_LOGIN_RSP_IMMED_SUPP	= 0x80,	/* SRP2 */
};

/* SRP_LOGIN_REJ reason codes. */
enum srpt_login_rej_reason {
	SRPT_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL		= 0x00010000,
	SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES		= 0x00010001,
	SRPT_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE	= 0x00010002,
	SRPT_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL		= 0x00010003,
	SRPT_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT	= 0x00010004,
	SRPT_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED	= 0x00010005,
	SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED		= 0x00010006,
};

/* SRP_CMD data descriptor format codes (one nibble per direction). */
enum srpt_data_fmt {
	SRPT_DATA_FMT_NONE	= 0,
	SRPT_DATA_FMT_DIRECT	= 1,
	SRPT_DATA_FMT_INDIRECT	= 2,
	SRPT_DATA_FMT_IMM	= 3,	/* SRP2, DATA-OUT only */
};

/* Solicited-notification bits of the sol_not byte. */
enum srpt_sol_not {
	SRPT_SOLNT	= 0x01,	/* RSP, T_LOGOUT, CRED_REQ, AER_REQ */
	SRPT_SCSOLNT	= 0x02,	/* SRP_CMD, TSK_MGMT: on success */
	SRPT_UCSOLNT	= 0x04,	/* SRP_CMD, TSK_MGMT: on failure */
};

/* SRP_RSP flags. */
enum srpt_rsp_flags {
	SRPT_RSP_RSPVALID	= 0x01,
	SRPT_RSP_SNSVALID	= 0x02,
	SRPT_RSP_DOOVER		= 0x04,
	SRPT_RSP_DOUNDER	= 0x08,
	SRPT_RSP_DIOVER		= 0x10,
	SRPT_RSP_DIUNDER	= 0x20,
};

/* SRP_CMD task attribute (byte 29). */
enum srpt_task_attr {
	SRPT_TASK_ATTR_SIMPLE		= 0,
	SRPT_TASK_ATTR_HEAD_OF_QUEUE	= 1,
	SRPT_TASK_ATTR_ORDERED		= 2,
	SRPT_TASK_ATTR_ACA		= 4,
};

/* SRP_TSK_MGMT function codes. */
enum srpt_tsk_mgmt_func {
	SRPT_TSK_ABORT_TASK	= 0x01,
	SRPT_TSK_ABORT_TASK_SET	= 0x02,
	SRPT_TSK_CLEAR_TASK_SET	= 0x04,
	SRPT_TSK_LUN_RESET	= 0x08,
	SRPT_TSK_CLEAR_ACA	= 0x40,
};

/*
 * Task management response codes, sent in byte 3 of the 4 bytes of
 * response data of an SRP_RSP with RSPVALID set.
 */
enum srpt_tsk_mgmt_rsp {
	SRPT_TSK_MGMT_COMPLETE		= 0x00,
	SRPT_TSK_MGMT_INVALID		= 0x02,
	SRPT_TSK_MGMT_FUNC_NOT_SUPP	= 0x04,
	SRPT_TSK_MGMT_FAILED		= 0x05,
	SRPT_TSK_MGMT_SUCCEEDED		= 0x08,	/* SAM-5 */
	SRPT_TSK_MGMT_INCORRECT_LUN	= 0x09,	/* SAM-5 */
};

/* SRP_T_LOGOUT reasons iPXE and illumos agree on. */
enum srpt_t_logout_reason {
	SRPT_T_LOGOUT_NO_REASON		= 0,
	SRPT_T_LOGOUT_INACTIVE		= 1,
	SRPT_T_LOGOUT_INVALID_IU_TYPE	= 2,
	SRPT_T_LOGOUT_UNEXPECTED_RSP	= 3,
	SRPT_T_LOGOUT_MULTICHAN		= 4,
	SRPT_T_LOGOUT_INVALID_IU_LEN	= 8,
};

/* SRP_LOGIN_REQ, either form; the opcode is implied. */
struct srpt_login_req {
	uint64_t tag;
	uint32_t req_it_iu_len;
	uint16_t req_buf_fmt;		/* SRPT_BUF_FMT_* */
	uint8_t req_flags;		/* SRPT_MULTICHAN_*, SRPT_LOGIN_* */
	uint16_t imm_data_offset;
	uint8_t initiator_port_id[16];
	uint8_t target_port_id[16];
};

struct srpt_login_rsp {
	uint32_t req_lim_delta;		/* initial credits */
	uint64_t tag;
	uint32_t max_it_iu_len;
	uint32_t max_ti_iu_len;
	uint16_t buf_fmt;
	uint8_t rsp_flags;		/* SRPT_LOGIN_RSP_* */
};

struct srpt_login_rej {
	uint32_t reason;		/* enum srpt_login_rej_reason */
	uint64_t tag;
	uint16_t buf_fmt;
};

struct srpt_i_logout {
	uint64_t tag;
};

struct srpt_t_logout {
	uint8_t sol_not;
	uint32_t reason;		/* enum srpt_t_logout_reason */
	uint64_t tag;
};

struct srpt_tsk_mgmt {
	uint8_t sol_not;
	uint64_t tag;
	uint8_t lun[8];
	uint8_t tsk_mgmt_func;		/* enum srpt_tsk_mgmt_func */
	uint64_t task_tag;		/* the task to act on, verbatim */
};

/* One direct data buffer descriptor (16 bytes on the wire). */
struct srpt_buf_desc {
	uint64_t va;
	uint32_t key;
	uint32_t len;
};

/*
 * The data descriptor of one direction of an SRP_CMD.
 *
 * DIRECT:   @direct; @total_len = @direct.len.
 * INDIRECT: @table describes the initiator's whole descriptor table
 *           (@table_cnt = @table.len / 16 entries); @inline_cnt of them are
 *           present in the IU at @inline_list. @inline_cnt < @table_cnt means
 *           the rest is only in the external table: the decoder reports it
 *           and the caller decides. @total_len is the IU's total length field.
 * IMM:      @total_len bytes of data at @imm_data, @imm_offset bytes from
 *           the start of the IU.
 * Fields that do not apply to @fmt are zero or NULL.
 */
struct srpt_data_desc {
	uint8_t fmt;			/* enum srpt_data_fmt */
	uint32_t total_len;		/* bytes the initiator describes */
	struct srpt_buf_desc direct;	/* DIRECT */
	struct srpt_buf_desc table;	/* INDIRECT: table descriptor */
	uint32_t table_cnt;		/* table.len / 16 */
	uint32_t inline_cnt;		/* descriptors present inline */
	const uint8_t *inline_list;	/* 16 wire bytes each, in the input */
	uint32_t imm_offset;
	const uint8_t *imm_data;	/* IMM: aliasing the input */
};

struct srpt_cmd {
	uint8_t sol_not;		/* SRPT_SCSOLNT, SRPT_UCSOLNT */
	uint8_t data_out_fmt, data_in_fmt;	/* enum srpt_data_fmt */
	uint8_t data_out_desc_cnt, data_in_desc_cnt;
	uint64_t tag;
	uint8_t lun[8];
	uint8_t task_attr;		/* enum srpt_task_attr */
	uint8_t add_cdb_len;		/* bytes, already & ~3 */
	const uint8_t *cdb;		/* aliasing the input */
	uint32_t cdb_len;		/* 16 + add_cdb_len */
	struct srpt_data_desc data_out, data_in;
};

struct srpt_rsp {
	uint8_t sol_not;		/* SRPT_SOLNT */
	uint32_t req_lim_delta;
	uint64_t tag;
	uint8_t flags;			/* SRPT_RSP_* */
	uint8_t status;			/* SCSI status */
	uint32_t data_out_res_cnt;
	uint32_t data_in_res_cnt;
	const uint8_t *resp_data;
	uint32_t resp_data_len;
	const uint8_t *sense;
	uint32_t sense_len;
};

struct srpt_cred_req {
	uint8_t sol_not;
	uint32_t req_lim_delta;
	uint64_t tag;
};

struct srpt_cred_rsp {
	uint64_t tag;
};

struct srpt_aer_req {
	uint8_t sol_not;
	uint32_t req_lim_delta;
	uint64_t tag;
	uint8_t lun[8];
	const uint8_t *sense;
	uint32_t sense_len;
};

struct srpt_aer_rsp {
	uint64_t tag;
};

/*
 * Context for every function below: any thread, no locks needed, may be
 * called from inside any libsrpt callback (they touch only their arguments).
 */

/* ---- Login (include/srpt/proto.h, libsrpt/proto/srp-login.c) ---- */

/**
 * srpt_login_req_decode() - decode a 64-byte IB/CM SRP_LOGIN_REQ
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 64), -EPROTO (byte 0 not 0x00).
 */
int srpt_login_req_decode(const void *buf, size_t len,
			  struct srpt_login_req *out);

/**
 * srpt_login_req_rdma_decode() - decode a 56-byte RDMA/CM SRP_LOGIN_REQ
 * @buf: CM private data
 * @len: its length (the RDMA CM always reports 56 on IP-addressed ids)
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 56), -EPROTO (byte 11 not 0x00).
 */
int srpt_login_req_rdma_decode(const void *buf, size_t len,
			       struct srpt_login_req *out);

/**
 * srpt_login_req_encode() - encode a 64-byte IB/CM SRP_LOGIN_REQ
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 64, or -EINVAL, -ENOSPC.
 */
int srpt_login_req_encode(const struct srpt_login_req *in, void *buf,
			  size_t buflen);

/**
 * srpt_login_req_rdma_encode() - encode a 56-byte RDMA/CM SRP_LOGIN_REQ
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 56, or -EINVAL, -ENOSPC.
 */
int srpt_login_req_rdma_encode(const struct srpt_login_req *in, void *buf,
			       size_t buflen);

/**
 * srpt_login_rsp_decode() - decode an SRP_LOGIN_RSP
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded response
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 52), -EPROTO.
 */
int srpt_login_rsp_decode(const void *buf, size_t len,
			  struct srpt_login_rsp *out);

/**
 * srpt_login_rsp_encode() - encode an SRP_LOGIN_RSP
 * @in: response
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 52, or -EINVAL, -ENOSPC.
 */
int srpt_login_rsp_encode(const struct srpt_login_rsp *in, void *buf,
			  size_t buflen);

/**
 * srpt_login_rej_decode() - decode an SRP_LOGIN_REJ
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded reject
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 32), -EPROTO.
 */
int srpt_login_rej_decode(const void *buf, size_t len,
			  struct srpt_login_rej *out);

/**
 * srpt_login_rej_encode() - encode an SRP_LOGIN_REJ
 * @in: reject
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 32, or -EINVAL, -ENOSPC.
 */
int srpt_login_rej_encode(const struct srpt_login_rej *in, void *buf,
			  size_t buflen);

/* ---- SRP_CMD (libsrpt/proto/srp-cmd.c) ---- */

/**
 * srpt_cmd_decode() - decode an SRP_CMD and its data descriptors
 * @buf: received bytes
 * @len: number of bytes received
 * @imm_data_offset: immediate-data offset granted at login, or 0 if
 *                   immediate data was not granted
 * @out: decoded command; its pointers alias @buf
 *
 * The DATA-OUT descriptor comes first, then the DATA-IN one, starting at
 * byte 48 + additional CDB length. Checks run in this order: arguments,
 * fixed length, opcode, format codes, additional CDB, descriptors,
 * immediate data.
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 48), -EPROTO, -EBADMSG (format
 * code > 3, IMM for DATA-IN, IMM with @imm_data_offset 0), -ERANGE
 * (additional CDB past @len), -EOVERFLOW (a descriptor or an inline list
 * past @len; table length not a multiple of 16 or holding fewer entries than
 * the inline count), -ENOENT (indirect table of length 0 or descriptor count
 * 0), -ENODATA (immediate data before the end of the descriptors or past
 * @len).
 */
int srpt_cmd_decode(const void *buf, size_t len, uint32_t imm_data_offset,
		    struct srpt_cmd *out);

/**
 * srpt_cmd_encode() - encode an SRP_CMD
 * @in: command: fixed part, @in->cdb_len (<= 16 + add_cdb_len) CDB bytes,
 *      padded with zeros, then the descriptors @in->data_out / data_in
 *      describe. INDIRECT copies @inline_cnt descriptors from @inline_list;
 *      IMM writes the header and copies @total_len bytes from @imm_data to
 *      @imm_offset. Derived fields (total_len of DIRECT, table_cnt) are
 *      ignored.
 * @buf: output, not overlapping any input pointer
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: bytes written, or -ENOSPC, or -EINVAL: NULL pointers, add_cdb_len
 * not a multiple of 4, cdb_len too long, data_X_fmt != data_X.fmt, format
 * code > 3 or IMM for DATA-IN, INDIRECT with a table length that is 0 or not
 * a multiple of 16, inline_cnt 0, above the table or != data_X_desc_cnt,
 * IMM with imm_offset inside the descriptors, a result of 2 GiB or more.
 */
int srpt_cmd_encode(const struct srpt_cmd *in, void *buf, size_t buflen);

/**
 * srpt_buf_desc_get() - read the i-th inline descriptor of an INDIRECT
 * descriptor
 * @d: decoded descriptor
 * @i: index, below @d->inline_cnt
 * @out: the descriptor in host order
 *
 * A DIRECT descriptor has no inline list: use @d->direct.
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL (NULL argument), -ERANGE (@i >= @d->inline_cnt).
 */
int srpt_buf_desc_get(const struct srpt_data_desc *d, uint32_t i,
		      struct srpt_buf_desc *out);

/* ---- SRP_RSP (libsrpt/proto/srp-rsp.c) ---- */

/**
 * srpt_rsp_decode() - decode an SRP_RSP with its response and sense data
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded response; @resp_data (at byte 36) and @sense (after the
 *       response data) alias @buf. Lengths are reported whatever the
 *       RSPVALID/SNSVALID flags say.
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 36), -EPROTO, -EOVERFLOW
 * (response plus sense data past @len).
 */
int srpt_rsp_decode(const void *buf, size_t len, struct srpt_rsp *out);

/**
 * srpt_rsp_encode() - encode an SRP_RSP
 * @in: response; @resp_data_len bytes of @resp_data then @sense_len bytes of
 *      @sense follow the 36-byte fixed part. @flags is written as given:
 *      set RSPVALID / SNSVALID yourself. Truncating sense data to the
 *      initiator's max_ti_iu_len is the caller's job.
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 36 + @resp_data_len + @sense_len, or -EINVAL (NULL pointer with a
 * non-zero length, or a result of 2 GiB or more), -ENOSPC.
 */
int srpt_rsp_encode(const struct srpt_rsp *in, void *buf, size_t buflen);

/* ---- Task management, logouts, credits, events (srp-iu.c) ---- */

/**
 * srpt_tsk_mgmt_decode() - decode an SRP_TSK_MGMT
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 48), -EPROTO.
 */
int srpt_tsk_mgmt_decode(const void *buf, size_t len,
			 struct srpt_tsk_mgmt *out);

/**
 * srpt_tsk_mgmt_encode() - encode an SRP_TSK_MGMT
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 48, or -EINVAL, -ENOSPC.
 */
int srpt_tsk_mgmt_encode(const struct srpt_tsk_mgmt *in, void *buf,
			 size_t buflen);

/**
 * srpt_i_logout_decode() - decode an SRP_I_LOGOUT
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 16), -EPROTO.
 */
int srpt_i_logout_decode(const void *buf, size_t len,
			 struct srpt_i_logout *out);

/**
 * srpt_i_logout_encode() - encode an SRP_I_LOGOUT
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 16, or -EINVAL, -ENOSPC.
 */
int srpt_i_logout_encode(const struct srpt_i_logout *in, void *buf,
			 size_t buflen);

/**
 * srpt_t_logout_decode() - decode an SRP_T_LOGOUT
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 16), -EPROTO.
 */
int srpt_t_logout_decode(const void *buf, size_t len,
			 struct srpt_t_logout *out);

/**
 * srpt_t_logout_encode() - encode an SRP_T_LOGOUT
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 16, or -EINVAL, -ENOSPC.
 */
int srpt_t_logout_encode(const struct srpt_t_logout *in, void *buf,
			 size_t buflen);

/**
 * srpt_cred_req_decode() - decode an SRP_CRED_REQ
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 16), -EPROTO.
 */
int srpt_cred_req_decode(const void *buf, size_t len,
			 struct srpt_cred_req *out);

/**
 * srpt_cred_req_encode() - encode an SRP_CRED_REQ
 * @in: request
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 16, or -EINVAL, -ENOSPC.
 */
int srpt_cred_req_encode(const struct srpt_cred_req *in, void *buf,
			 size_t buflen);

/**
 * srpt_cred_rsp_decode() - decode an SRP_CRED_RSP
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded response
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 16), -EPROTO.
 */
int srpt_cred_rsp_decode(const void *buf, size_t len,
			 struct srpt_cred_rsp *out);

/**
 * srpt_cred_rsp_encode() - encode an SRP_CRED_RSP
 * @in: response
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 16, or -EINVAL, -ENOSPC.
 */
int srpt_cred_rsp_encode(const struct srpt_cred_rsp *in, void *buf,
			 size_t buflen);

/**
 * srpt_aer_req_decode() - decode an SRP_AER_REQ with its sense data
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded request; @sense (at byte 36) aliases @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 36), -EPROTO, -EOVERFLOW (sense
 * data past @len).
 */
int srpt_aer_req_decode(const void *buf, size_t len,
			struct srpt_aer_req *out);

/**
 * srpt_aer_req_encode() - encode an SRP_AER_REQ
 * @in: request; @sense_len bytes of @sense follow the fixed part
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 36 + @sense_len, or -EINVAL (NULL @sense with a non-zero length,
 * or a result of 2 GiB or more), -ENOSPC.
 */
int srpt_aer_req_encode(const struct srpt_aer_req *in, void *buf,
			size_t buflen);

/**
 * srpt_aer_rsp_decode() - decode an SRP_AER_RSP
 * @buf: received bytes
 * @len: number of bytes received
 * @out: decoded response
 *
 * Context: any thread; callable from callbacks.
 * Return: 0, or -EINVAL, -EMSGSIZE (@len < 16), -EPROTO.
 */
int srpt_aer_rsp_decode(const void *buf, size_t len,
			struct srpt_aer_rsp *out);

/**
 * srpt_aer_rsp_encode() - encode an SRP_AER_RSP
 * @in: response
 * @buf: output
 * @buflen: size of @buf
 *
 * Context: any thread; callable from callbacks.
 * Return: 16, or -EINVAL, -ENOSPC.
 */
int srpt_aer_rsp_encode(const struct srpt_aer_rsp *in, void *buf,
			size_t buflen);

/* ---- Dispatch and names (libsrpt/proto/srp-names.c) ---- */

/**
 * srpt_iu_opcode() - opcode of a received IU, for dispatching
 * @buf: received bytes (not a login request: those come in CM private data)
 * @len: number of bytes received
 *
 * Context: any thread; callable from callbacks.
 * Return: the opcode byte (0..255), or -EINVAL (@buf NULL), -EMSGSIZE
 * (@len 0).
 */
int srpt_iu_opcode(const void *buf, size_t len);

/**
 * srpt_opcode_name() - name of an IU opcode, for logs
 * @op: opcode
 *
 * Context: any thread; callable from callbacks.
 * Return: a static string such as "SRP_CMD"; "unknown" for other values.
 */
const char *srpt_opcode_name(uint8_t op);

/**
 * srpt_login_rej_reason_name() - name of a login reject reason, for logs
 * @reason: enum srpt_login_rej_reason value
 *
 * Context: any thread; callable from callbacks.
 * Return: a static string such as "REQ_IT_IU_LENGTH_TOO_LARGE"; "unknown"
 * for other values.
 */
const char *srpt_login_rej_reason_name(uint32_t reason);

/**
 * srpt_tsk_mgmt_func_name() - name of a task management function, for logs
 * @f: enum srpt_tsk_mgmt_func value
 *
 * Context: any thread; callable from callbacks.
 * Return: a static string such as "LUN_RESET"; "unknown" for other values.
 */
const char *srpt_tsk_mgmt_func_name(uint8_t f);

#ifdef __cplusplus
}
#endif

#endif
