/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Malformed and unexpected IUs on a live channel. An IU whose tag can be
 * read gets CHECK CONDITION 5/0E/03 (INVALID FIELD IN COMMAND INFORMATION
 * UNIT) and the channel stays usable; an IU too short to carry a tag, or
 * of a type an initiator must not send, gets SRP_T_LOGOUT and a
 * disconnect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostile.h"

#define LBA_IU 4096u	/* data LUN blocks a wrongly executed WRITE would hit */

/* ---- IUs answered by SRP_T_LOGOUT ---- */

struct raw_case {
	uint8_t op;
	uint32_t len;
	uint32_t reason;	/* 0: the target just disconnects */
};

static int send_raw(const struct raw_case *rc, uint32_t it_iu_len)
{
	uint8_t iu[HC_TX_SLOT];
	struct w_login l;
	struct hconn c;
	uint64_t tag = new_tag();
	int fail;

	login_default(&l);
	if (it_iu_len)
		l.it_iu_len = it_iu_len;
	if (sess_open(&c, &l, NULL)) {
		hc_close(&c);
		return 1;
	}
	memset(iu, 0, sizeof(iu));
	if (rc->len >= 16) {
		w64(iu + 8, tag);
	} else {
		/* as much of a tag as fits */
		for (uint32_t i = 8; i < rc->len; i++)
			iu[i] = (uint8_t)(0x10 + i);
	}
	iu[0] = rc->op;
	if (rc->len > sizeof(iu)) {
		hc_close(&c);
		return failf("internal: IU too long");
	}
	if (hc_send(&c, iu, rc->len)) {
		hc_close(&c);
		return failf("could not post the SEND");
	}
	if (rc->reason)
		fail = expect_logout(&c, rc->reason,
				     rc->len >= 16 ? tag : UINT64_MAX);
	else
		fail = expect_gone(&c, "the IU");
	hc_close(&c);
	return fail;
}

static int case_raw(const void *arg)
{
	return send_raw(arg, 0);
}

/* 1..15 bytes of an SRP_CMD: too short for a tag. */
static int case_short_cmds(const void *arg)
{
	for (uint32_t n = 1; n < 16; n++) {
		struct raw_case rc = { W_CMD, n, W_TLO_INVALID_IU_LEN };

		if (send_raw(&rc, 0)) {
			notef("with a %u-byte SRP_CMD", n);
			return 1;
		}
	}
	return 0;
}

/* A SEND longer than the receive buffers the login asked for. */
struct over_case {
	uint32_t it_iu_len;
	uint32_t len;
};

static int case_oversize(const void *arg)
{
	const struct over_case *oc = arg;
	struct raw_case rc = { W_CMD, oc->len, 0 };

	return send_raw(&rc, oc->it_iu_len);
}

/* ---- SRP_CMDs answered by CHECK CONDITION ---- */

enum bad_cmd {
	BC_SHORT,		/* @n bytes of a TEST UNIT READY */
	BC_FMT_OUT,		/* DATA-OUT nibble @n with a direct descriptor */
	BC_FMT_IN,		/* DATA-IN nibble @n with a direct descriptor */
	BC_IMM_NO_LOGIN,	/* immediate data on a channel without it */
	BC_BIDI,		/* both directions, direct */
	BC_DIRECT_TRUNC,	/* @n bytes of the direct descriptor present */
	BC_IND_CNT_OVER,	/* in count 8, 2 descriptors in the IU */
	BC_IND_CNT_ZERO,	/* in count 0 */
	BC_IND_TABLE_ODD,	/* table length 24 */
	BC_IND_CNT_GT_TABLE,	/* count 3, table of 2 */
	BC_EXT_SUM,		/* table of 4 (fetched), 2 inline, total short */
	BC_EXT_HUGE,		/* a 128 KiB table, 1 inline */
	BC_IND_SUM_LESS,	/* descriptors 2 x 512, total 2048 */
	BC_IND_SUM_MORE,	/* descriptors 2 x 1024, total 1024 */
	BC_IND_HDR_TRUNC,	/* 10 bytes of the indirect header */
	BC_ADD_CDB_PAST,	/* add_cdb_len 252 in a 48-byte IU */
	BC_ADD_CDB_PART,	/* add_cdb_len 16, 8 of its bytes present */
	BC_ADD_CDB_DESC,	/* add_cdb_len 16, then half a descriptor */
	BC_IMM_BEYOND,		/* immediate length 4096, 100 bytes sent */
	BC_IMM_OVERLAP,		/* immediate header past the data offset */
	BC_IMM_HUGE,		/* immediate length 0xffffffff */
};

struct cmd_case {
	enum bad_cmd kind;
	uint32_t n;
	int key, asc, ascq;
};

/* Builds the IU; returns its length. @b is a registered 16 KiB buffer. */
static uint32_t build_bad(uint8_t *iu, const struct cmd_case *cc, uint64_t tag,
			  const struct hbuf *b)
{
	unsigned int lun = G.data_lun;
	uint64_t va = (uintptr_t)b->p;
	uint32_t rkey = b->mr->rkey;
	uint8_t cdb[16];
	uint8_t *d = iu + W_CMD_LEN;

	memset(iu, 0, HC_TX_SLOT);
	switch (cc->kind) {
	case BC_SHORT:
		cdb_tur(cdb);
		w_cmd_hdr(iu, tag, lun, 0, 0, 0, 0, cdb, 16);
		return cc->n;
	case BC_FMT_OUT:
		cdb_rw10(cdb, 1, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, (uint8_t)(cc->n << 4), 0, 0, 0, cdb, 16);
		w_direct(d, va, rkey, S_BLOCK);
		return W_CMD_LEN + W_DIRECT_LEN;
	case BC_FMT_IN:
		cdb_rw10(cdb, 0, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, (uint8_t)cc->n, 0, 0, 0, cdb, 16);
		w_direct(d, va, rkey, S_BLOCK);
		return W_CMD_LEN + W_DIRECT_LEN;
	case BC_IMM_NO_LOGIN:
		cdb_rw10(cdb, 1, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
		w32(d, S_BLOCK);
		memset(iu + 68, 0x66, S_BLOCK);
		return 68 + S_BLOCK;
	case BC_BIDI:
		cdb_rw10(cdb, 0, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_DIRECT << 4 | W_FMT_DIRECT, 0, 0,
			  0, cdb, 16);
		w_direct(d, va, rkey, S_BLOCK);
		w_direct(d + 16, va + S_BLOCK, rkey, S_BLOCK);
		return W_CMD_LEN + 2 * W_DIRECT_LEN;
	case BC_DIRECT_TRUNC:
		cdb_rw10(cdb, 0, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_DIRECT, 0, 0, 0, cdb, 16);
		w_direct(d, va, rkey, S_BLOCK);
		return W_CMD_LEN + cc->n;
	case BC_IND_CNT_OVER:
	case BC_IND_CNT_ZERO:
	case BC_IND_TABLE_ODD:
	case BC_IND_CNT_GT_TABLE:
	case BC_EXT_SUM:
	case BC_EXT_HUGE:
	case BC_IND_SUM_LESS:
	case BC_IND_SUM_MORE:
	case BC_IND_HDR_TRUNC: {
		/* indirect: 0 table descriptor | 16 total | 20 inline list */
		uint32_t cnt = 2, table = 2, total = 2 * S_BLOCK, dl = S_BLOCK;
		uint32_t present = 2, len;

		switch (cc->kind) {
		case BC_IND_CNT_OVER: cnt = 8; table = 8; break;
		case BC_IND_CNT_ZERO: cnt = 0; break;
		case BC_IND_CNT_GT_TABLE: cnt = 3; present = 3;
			total = 3 * S_BLOCK; break;
		case BC_EXT_SUM: table = 4; break;
		case BC_EXT_HUGE: cnt = 1; present = 1; total = S_BLOCK;
			table = 8192; break;
		case BC_IND_SUM_LESS: total = 4 * S_BLOCK; break;
		case BC_IND_SUM_MORE: dl = 2 * S_BLOCK; break;
		default: break;
		}
		cdb_rw10(cdb, 0, LBA_IU, (uint16_t)(total / S_BLOCK));
		w_cmd_hdr(iu, tag, lun, W_FMT_INDIRECT, 0, (uint8_t)cnt, 0,
			  cdb, 16);
		/* The whole table, also in our memory at b + 8 KiB. */
		for (uint32_t i = 0; i < table && i < 4; i++)
			w_direct(b->p + 8192 + 16 * i, va + (uint64_t)i * dl,
				 rkey, dl);
		w_direct(d, va + 8192, rkey,
			 cc->kind == BC_IND_TABLE_ODD ? 24 : 16 * table);
		w32(d + 16, total);
		for (uint32_t i = 0; i < present; i++)
			w_direct(d + 20 + 16 * i, va + (uint64_t)i * dl, rkey, dl);
		len = W_CMD_LEN + W_INDIRECT_HDR_LEN + 16 * present;
		if (cc->kind == BC_IND_HDR_TRUNC)
			len = W_CMD_LEN + 10;
		return len;
	}
	case BC_ADD_CDB_PAST:
		cdb_tur(cdb);
		w_cmd_hdr(iu, tag, lun, 0, 0, 0, 0xfc, cdb, 16);
		return W_CMD_LEN;
	case BC_ADD_CDB_PART:
		cdb_tur(cdb);
		w_cmd_hdr(iu, tag, lun, 0, 0, 0, 16, cdb, 16);
		return W_CMD_LEN + 8;
	case BC_ADD_CDB_DESC:
		cdb_rw10(cdb, 0, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_DIRECT, 0, 0, 16, cdb, 16);
		w_direct(d + 16, va, rkey, S_BLOCK);
		return W_CMD_LEN + 16 + 8;
	case BC_IMM_BEYOND:
		cdb_rw10(cdb, 1, LBA_IU, 8);
		w_cmd_hdr(iu, tag, lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
		w32(d, 8 * S_BLOCK);
		memset(iu + 68, 0x66, 100);
		return 68 + 100;
	case BC_IMM_OVERLAP:
		cdb_rw10(cdb, 1, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_IMM << 4, 0, 0, 20, cdb, 16);
		w32(d + 20, S_BLOCK);
		memset(iu + 72, 0x66, S_BLOCK);
		return 72 + S_BLOCK;
	case BC_IMM_HUGE:
		cdb_rw10(cdb, 1, LBA_IU, 1);
		w_cmd_hdr(iu, tag, lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
		w32(d, 0xffffffffu);
		memset(iu + 68, 0x66, S_BLOCK);
		return 68 + S_BLOCK;
	}
	return 0;
}

static int case_bad_cmd(const void *arg)
{
	const struct cmd_case *cc = arg;
	static uint8_t iu[HC_TX_SLOT];
	struct w_login l;
	struct hconn c;
	struct hbuf b;
	uint64_t tag = new_tag();
	uint32_t len;
	long bad;
	int fail;

	login_default(&l);
	if (cc->kind == BC_IMM_NO_LOGIN)
		l.flags &= (uint8_t)~W_IMMED_REQUESTED;
	if (sess_open(&c, &l, NULL)) {
		hc_close(&c);
		return 1;
	}
	if (hb_alloc(&c, &b, 16384, 0xee)) {
		hc_close(&c);
		return failf("cannot register a buffer");
	}
	len = build_bad(iu, cc, tag, &b);
	fail = expect_check(&c, iu, len, tag, cc->key, cc->asc, cc->ascq);
	/* Nothing of a rejected command may have moved. */
	bad = first_not(b.p, 8192, 0xee);
	if (!fail && bad >= 0)
		fail = failf("expected no data moved for a rejected command, byte %ld of the buffer changed",
			     bad);
	if (!fail)
		fail = expect_alive(&c, "the CHECK CONDITION");
	hb_free(&b);
	hc_close(&c);
	return fail;
}

/* A short TSK_MGMT that still carries a tag: response code 2. */
static int case_short_tm(const void *arg)
{
	const struct raw_case *rc = arg;
	uint8_t iu[W_TSK_MGMT_LEN];
	uint8_t raw[HC_RX_SLOT];
	struct w_rsp r;
	struct hconn c;
	uint64_t tag = new_tag();
	int fail, n;

	if (sess_open(&c, NULL, NULL)) {
		hc_close(&c);
		return 1;
	}
	w_tsk_mgmt(iu, tag, G.data_lun, W_TM_ABORT_TASK, 0x1234);
	n = roundtrip(&c, iu, rc->len, &r, raw);
	if (n)
		fail = failf("expected a task management response, got %s",
			     n == -ETIMEDOUT ? "no answer" : "a disconnect");
	else if (r.op != W_RSP || r.tag != tag || !(r.flags & W_RSPVALID) ||
		 r.resp_len < 4 || !r.resp)
		fail = failf("expected SRP_RSP with RSPVALID for tag 0x%016llx, got %s flags 0x%02x tag 0x%016llx",
			     (unsigned long long)tag, w_op_name(r.op), r.flags,
			     (unsigned long long)r.tag);
	else if (r.resp[3] != rc->reason)
		fail = failf("expected response code %u, got %u", rc->reason,
			     r.resp[3]);
	else
		fail = expect_alive(&c, "the short task management IU");
	hc_close(&c);
	return fail;
}

#define RAW(n, op, len, reason, w) { n, case_raw, \
	&(const struct raw_case){ op, len, reason }, w }
#define BAD(n, kind, arg, k, a, q, w) { n, case_bad_cmd, \
	&(const struct cmd_case){ kind, arg, k, a, q }, w }
#define INVAL_IU(n, kind, arg, w) BAD(n, kind, arg, 5, 0x0e, 0x03, w)

const struct hcase iu_cases[] = {
	RAW("iu-zero-length", W_CMD, 0, W_TLO_INVALID_IU_LEN,
	    "zero-length SEND -> SRP_T_LOGOUT reason 8, disconnect"),
	{ "iu-short-1-15", case_short_cmds, NULL,
	  "SRP_CMD of 1..15 bytes (one channel each) -> SRP_T_LOGOUT reason 8, disconnect" },
	RAW("iu-short-tm-8", W_TSK_MGMT, 8, W_TLO_INVALID_IU_LEN,
	    "8-byte SRP_TSK_MGMT -> SRP_T_LOGOUT reason 8, disconnect"),
	{ "iu-short-tm-20", case_short_tm,
	  &(const struct raw_case){ W_TSK_MGMT, 20, W_TM_INVALID },
	  "20-byte SRP_TSK_MGMT (tag readable) -> response code 2, channel usable" },
	INVAL_IU("iu-short-cmd-16", BC_SHORT, 16,
		 "16-byte SRP_CMD -> CHECK CONDITION 5/0E/03, channel usable"),
	INVAL_IU("iu-short-cmd-40", BC_SHORT, 40,
		 "40-byte SRP_CMD -> CHECK CONDITION 5/0E/03, channel usable"),
	INVAL_IU("iu-short-cmd-47", BC_SHORT, 47,
		 "47-byte SRP_CMD -> CHECK CONDITION 5/0E/03, channel usable"),
	RAW("iu-opcode-55", 0x55, 48, W_TLO_INVALID_IU_TYPE,
	    "opcode 0x55 -> SRP_T_LOGOUT reason 2 (tag echoed), disconnect"),
	RAW("iu-opcode-srp-rsp", W_RSP, 36, W_TLO_INVALID_IU_TYPE,
	    "SRP_RSP sent by the initiator -> SRP_T_LOGOUT reason 2, disconnect"),
	RAW("iu-opcode-t-logout", W_T_LOGOUT, 16, W_TLO_INVALID_IU_TYPE,
	    "SRP_T_LOGOUT sent by the initiator -> SRP_T_LOGOUT reason 2"),
	RAW("iu-opcode-login-req", W_LOGIN_REQ, 64, W_TLO_INVALID_IU_TYPE,
	    "SRP_LOGIN_REQ as a SEND -> SRP_T_LOGOUT reason 2"),
	RAW("iu-cred-rsp", W_CRED_RSP, 16, W_TLO_UNEXPECTED_RSP,
	    "unsolicited SRP_CRED_RSP -> SRP_T_LOGOUT reason 3, disconnect"),
	RAW("iu-aer-rsp", W_AER_RSP, 16, W_TLO_UNEXPECTED_RSP,
	    "unsolicited SRP_AER_RSP -> SRP_T_LOGOUT reason 3, disconnect"),
	RAW("iu-i-logout", W_I_LOGOUT, 16, 0,
	    "SRP_I_LOGOUT -> the target disconnects"),
	{ "iu-oversize-64", case_oversize,
	  &(const struct over_case){ 64, 4096 },
	  "it_iu_len 64, a 4096-byte SEND -> disconnect, no crash" },
	{ "iu-oversize-8260", case_oversize,
	  &(const struct over_case){ 8260, HC_TX_SLOT },
	  "it_iu_len 8260, a 16384-byte SEND -> disconnect, no crash" },
	INVAL_IU("iu-fmt-out-4", BC_FMT_OUT, 4,
		 "DATA-OUT format 4 -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-out-7", BC_FMT_OUT, 7,
		 "DATA-OUT format 7 -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-out-15", BC_FMT_OUT, 15,
		 "DATA-OUT format 15 -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-in-3", BC_FMT_IN, 3,
		 "DATA-IN format 3 (immediate) -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-in-4", BC_FMT_IN, 4,
		 "DATA-IN format 4 -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-in-15", BC_FMT_IN, 15,
		 "DATA-IN format 15 -> CHECK CONDITION 5/0E/03"),
	INVAL_IU("iu-fmt-imm-not-granted", BC_IMM_NO_LOGIN, 0,
		 "immediate data without IMMED_SUPP -> CHECK CONDITION 5/0E/03"),
	BAD("iu-fmt-bidi", BC_BIDI, 0, 5, 0x24, 0x00,
	    "both directions set -> CHECK CONDITION 5/24/00"),
	INVAL_IU("iu-direct-missing", BC_DIRECT_TRUNC, 0,
		 "direct format, IU ends before the descriptor -> 5/0E/03"),
	INVAL_IU("iu-direct-trunc", BC_DIRECT_TRUNC, 8,
		 "direct format, half a descriptor -> 5/0E/03"),
	INVAL_IU("iu-ind-cnt-over", BC_IND_CNT_OVER, 0,
		 "indirect, count 8 but 2 descriptors in the IU -> 5/0E/03"),
	INVAL_IU("iu-ind-cnt-zero", BC_IND_CNT_ZERO, 0,
		 "indirect, count 0 -> 5/0E/03"),
	INVAL_IU("iu-ind-table-odd", BC_IND_TABLE_ODD, 0,
		 "indirect, table length 24 -> 5/0E/03"),
	INVAL_IU("iu-ind-cnt-gt-table", BC_IND_CNT_GT_TABLE, 0,
		 "indirect, count 3 with a table of 2 -> 5/0E/03"),
	INVAL_IU("iu-ext-table-sum", BC_EXT_SUM, 0,
		 "table of 4 read from our memory, adding up to more than the total -> 5/0E/03"),
	INVAL_IU("iu-ext-table-huge", BC_EXT_HUGE, 0,
		 "a 128 KiB descriptor table, 1 descriptor inline -> 5/0E/03"),
	INVAL_IU("iu-ind-sum-less", BC_IND_SUM_LESS, 0,
		 "indirect, descriptors add up to less than the total -> 5/0E/03"),
	INVAL_IU("iu-ind-sum-more", BC_IND_SUM_MORE, 0,
		 "indirect, descriptors add up to more than the total -> 5/0E/03"),
	INVAL_IU("iu-ind-hdr-trunc", BC_IND_HDR_TRUNC, 0,
		 "indirect, IU ends inside the header -> 5/0E/03"),
	INVAL_IU("iu-add-cdb-past", BC_ADD_CDB_PAST, 0,
		 "add_cdb_len 252 in a 48-byte IU -> 5/0E/03"),
	INVAL_IU("iu-add-cdb-part", BC_ADD_CDB_PART, 0,
		 "add_cdb_len 16 with 8 bytes present -> 5/0E/03"),
	INVAL_IU("iu-add-cdb-desc", BC_ADD_CDB_DESC, 0,
		 "add_cdb_len 16, then half a descriptor -> 5/0E/03"),
	INVAL_IU("iu-imm-beyond", BC_IMM_BEYOND, 0,
		 "immediate length 4096 with 100 bytes received -> 5/0E/03"),
	INVAL_IU("iu-imm-overlap", BC_IMM_OVERLAP, 0,
		 "immediate header ends past the data offset -> 5/0E/03"),
	INVAL_IU("iu-imm-huge", BC_IMM_HUGE, 0,
		 "immediate length 0xffffffff -> 5/0E/03"),
	{ NULL, NULL, NULL, NULL },
};
