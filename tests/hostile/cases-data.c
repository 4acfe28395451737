/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The data path: residuals when the CDB and the descriptors disagree,
 * guard zones around what the descriptors name, bad remote keys and
 * addresses, SCSI errors, and receive buffers that still hold an older,
 * longer IU. Everything is written to the data LUN (not LUN 0, which the
 * kernel initiator's fio is verifying) and checked by reading it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

/* A region of the data LUN per case. */
#define LBA_IMM		8192u
#define LBA_IND		9216u
#define LBA_RESID	10240u
#define LBA_WSHORT	11264u
#define LBA_WLONG	12288u
#define LBA_GUARD	13312u
#define LBA_RKEY	14336u
#define LBA_REUSE_A	15360u
#define LBA_REUSE_B	16384u
#define LBA_IMMSHORT	17408u
#define LBA_EXT		18432u

#define FILL 0xee

static uint32_t seed(uint32_t k)
{
	return (uint32_t)now_ms() * 7919u + k;
}

struct dsess {
	struct hconn c;
	struct hbuf b;		/* FILL-ed, the descriptors point here */
	struct hbuf io;		/* for writes and read-backs */
};

static int dopen(struct dsess *s, size_t blen)
{
	memset(s, 0, sizeof(*s));
	if (sess_open(&s->c, NULL, NULL))
		return 1;
	if (hb_alloc(&s->c, &s->b, blen, FILL) ||
	    hb_alloc(&s->c, &s->io, 64 * 1024, 0))
		return failf("cannot register buffers");
	return 0;
}

static void dclose(struct dsess *s)
{
	hb_free(&s->b);
	hb_free(&s->io);
	hc_close(&s->c);
}

/* Writes @nblk blocks of pattern @sd at @lba; keeps them in s->io. */
static int put_blocks(struct dsess *s, uint32_t lba, uint16_t nblk, uint32_t sd)
{
	pattern(s->io.p, (size_t)nblk * S_BLOCK, sd);
	return blk_io(&s->c, G.data_lun, 1, lba, nblk, &s->io, 0);
}

/* Reads @nblk blocks at @lba and compares them with @want. */
static int cmp_blocks(struct dsess *s, uint32_t lba, uint16_t nblk,
		      const uint8_t *want, const char *what)
{
	uint8_t *rb = s->io.p + 32 * 1024;

	memset(rb, 0x11, (size_t)nblk * S_BLOCK);
	if (blk_io(&s->c, G.data_lun, 0, lba, nblk, &s->io, 32 * 1024))
		return 1;
	for (size_t i = 0; i < (size_t)nblk * S_BLOCK; i++)
		if (rb[i] != want[i])
			return failf("%s: LBA %u + byte %zu is 0x%02x, expected 0x%02x",
				     what, lba, i, rb[i], want[i]);
	return 0;
}

static int check_guard(const struct hbuf *b, size_t from, size_t to,
		       const char *what)
{
	long bad = first_not(b->p + from, to - from, FILL);

	if (bad >= 0)
		return failf("%s: byte %zu of the buffer was written (0x%02x), outside what the descriptors name",
			     what, from + (size_t)bad, b->p[from + (size_t)bad]);
	return 0;
}

static int check_resid(const struct w_rsp *r, uint8_t flag, uint32_t din,
		       uint32_t dout)
{
	uint8_t mask = W_DIOVER | W_DIUNDER | W_DOOVER | W_DOUNDER;

	if ((r->flags & mask) != flag ||
	    ((flag & (W_DIOVER | W_DIUNDER)) && r->din_res != din) ||
	    ((flag & (W_DOOVER | W_DOUNDER)) && r->dout_res != dout))
		return failf("expected residual flags 0x%02x din %u dout %u, got flags 0x%02x din %u dout %u",
			     flag, din, dout, r->flags & mask, r->din_res,
			     r->dout_res);
	return 0;
}

/* WRITE(10) by immediate data, read back by a direct descriptor. */
static int case_imm_write(const void *arg)
{
	static uint8_t iu[HC_TX_SLOT];
	uint8_t cdb[16], want[4096];
	struct dsess s;
	struct w_rsp r;
	uint64_t tag = new_tag();
	int fail;

	if (dopen(&s, 4096)) {
		dclose(&s);
		return 1;
	}
	if (!(s.c.rsp_flags & W_RSP_IMMED_SUPP)) {
		dclose(&s);
		return failf("expected immediate data granted for imm_data_offset 68");
	}
	pattern(want, sizeof(want), seed(1));
	cdb_rw10(cdb, 1, LBA_IMM, 8);
	w_cmd_hdr(iu, tag, G.data_lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
	w32(iu + W_CMD_LEN, sizeof(want));
	memset(iu + 52, 0, 16);
	memcpy(iu + 68, want, sizeof(want));
	fail = check_rsp(&r, roundtrip(&s.c, iu, 68 + sizeof(want), &r, NULL),
			 tag, S_GOOD, -1, 0, 0);
	if (!fail)
		fail = check_resid(&r, 0, 0, 0);
	if (!fail)
		fail = cmp_blocks(&s, LBA_IMM, 8, want, "immediate-data write");
	dclose(&s);
	return fail;
}

/* An indirect list with a hole between its two pieces: READ and WRITE. */
static int case_indirect(const void *arg)
{
	static uint8_t iu[256];
	uint8_t cdb[16], want[2048];
	struct dsess s;
	struct w_rsp r;
	uint64_t va, tag;
	uint8_t *d = iu + W_CMD_LEN;
	int fail;

	if (dopen(&s, 16384)) {
		dclose(&s);
		return 1;
	}
	va = (uintptr_t)s.b.p;
	/* READ: pieces at [1024, 2048) and [4096, 5120) */
	fail = put_blocks(&s, LBA_IND, 4, seed(2));
	memcpy(want, s.io.p, sizeof(want));
	tag = new_tag();
	cdb_rw10(cdb, 0, LBA_IND, 4);
	w_cmd_hdr(iu, tag, G.data_lun, W_FMT_INDIRECT, 0, 2, 0, cdb, 16);
	w_direct(d, va + 12288, s.b.mr->rkey, 32);	/* the table: unused */
	w32(d + 16, 2048);
	w_direct(d + 20, va + 1024, s.b.mr->rkey, 1024);
	w_direct(d + 36, va + 4096, s.b.mr->rkey, 1024);
	if (!fail)
		fail = check_rsp(&r, roundtrip(&s.c, iu, W_CMD_LEN + 20 + 32, &r,
					       NULL), tag, S_GOOD, -1, 0, 0);
	if (!fail)
		fail = check_resid(&r, 0, 0, 0);
	if (!fail && (memcmp(s.b.p + 1024, want, 1024) ||
		      memcmp(s.b.p + 4096, want + 1024, 1024)))
		fail = failf("indirect READ: data not where the descriptors point");
	if (!fail)
		fail = check_guard(&s.b, 0, 1024, "indirect READ");
	if (!fail)
		fail = check_guard(&s.b, 2048, 4096, "indirect READ (the hole)");
	if (!fail)
		fail = check_guard(&s.b, 5120, 12288, "indirect READ");
	if (fail) {
		dclose(&s);
		return fail;
	}
	/* WRITE from two pieces, then read back the concatenation. */
	pattern(s.b.p + 1024, 1024, seed(3));
	pattern(s.b.p + 4096, 1024, seed(4));
	memcpy(want, s.b.p + 1024, 1024);
	memcpy(want + 1024, s.b.p + 4096, 1024);
	tag = new_tag();
	cdb_rw10(cdb, 1, LBA_IND, 4);
	w_cmd_hdr(iu, tag, G.data_lun, W_FMT_INDIRECT << 4, 2, 0, 0, cdb, 16);
	w_direct(d, va + 12288, s.b.mr->rkey, 32);
	w32(d + 16, 2048);
	w_direct(d + 20, va + 1024, s.b.mr->rkey, 1024);
	w_direct(d + 36, va + 4096, s.b.mr->rkey, 1024);
	fail = check_rsp(&r, roundtrip(&s.c, iu, W_CMD_LEN + 20 + 32, &r, NULL),
			 tag, S_GOOD, -1, 0, 0);
	if (!fail)
		fail = cmp_blocks(&s, LBA_IND, 4, want, "indirect WRITE");
	dclose(&s);
	return fail;
}

/*
 * A descriptor table that is not all inline (as ib_srp's allow_ext_sg
 * sends): one descriptor in the IU, the table of 4 in our memory, to be
 * read by the target. Pieces at 512, 3072, 6144, 9728 (512 bytes each);
 * everything else in the buffer must stay untouched. @arg: bad table key.
 */
static const uint32_t ext_off[4] = { 512, 3072, 6144, 9728 };

static uint32_t build_ext(uint8_t *iu, uint64_t tag, int write,
			  const struct hbuf *b, uint32_t table_key)
{
	uint8_t cdb[16], *d = iu + W_CMD_LEN;
	uint64_t va = (uintptr_t)b->p;

	for (int i = 0; i < 4; i++)
		w_direct(b->p + 12288 + 16 * i, va + ext_off[i], b->mr->rkey,
			 S_BLOCK);
	cdb_rw10(cdb, write, LBA_EXT, 4);
	w_cmd_hdr(iu, tag, G.data_lun, write ? W_FMT_INDIRECT << 4 :
		  W_FMT_INDIRECT, write ? 1 : 0, write ? 0 : 1, 0, cdb, 16);
	w_direct(d, va + 12288, table_key, 64);
	w32(d + 16, 4 * S_BLOCK);
	w_direct(d + 20, va + ext_off[0], b->mr->rkey, S_BLOCK);
	return W_CMD_LEN + W_INDIRECT_HDR_LEN + W_DIRECT_LEN;
}

static int ext_guards(const struct hbuf *b)
{
	size_t from = 0;

	for (int i = 0; i < 4; i++) {
		if (check_guard(b, from, ext_off[i], "external table"))
			return 1;
		from = ext_off[i] + S_BLOCK;
	}
	return check_guard(b, from, 12288, "external table");
}

static int case_ext_table(const void *arg)
{
	uint8_t iu[128], want[4 * S_BLOCK];
	struct dsess s;
	struct w_rsp r;
	uint64_t tag;
	uint32_t len;
	int fail;

	if (dopen(&s, 16384)) {
		dclose(&s);
		return 1;
	}
	/* READ into the four pieces */
	fail = put_blocks(&s, LBA_EXT, 4, seed(12));
	memcpy(want, s.io.p, sizeof(want));
	tag = new_tag();
	len = build_ext(iu, tag, 0, &s.b, s.b.mr->rkey);
	if (!fail)
		fail = check_rsp(&r, roundtrip(&s.c, iu, len, &r, NULL), tag,
				 S_GOOD, -1, 0, 0);
	if (!fail)
		fail = check_resid(&r, 0, 0, 0);
	for (int i = 0; !fail && i < 4; i++)
		if (memcmp(s.b.p + ext_off[i], want + i * S_BLOCK, S_BLOCK))
			fail = failf("external table READ: piece %d is not block %d",
				     i, i);
	if (!fail)
		fail = ext_guards(&s.b);
	/* WRITE from four new pieces */
	for (int i = 0; !fail && i < 4; i++) {
		pattern(s.b.p + ext_off[i], S_BLOCK, seed(13) + (uint32_t)i);
		memcpy(want + i * S_BLOCK, s.b.p + ext_off[i], S_BLOCK);
	}
	tag = new_tag();
	len = build_ext(iu, tag, 1, &s.b, s.b.mr->rkey);
	if (!fail)
		fail = check_rsp(&r, roundtrip(&s.c, iu, len, &r, NULL), tag,
				 S_GOOD, -1, 0, 0);
	if (!fail)
		fail = cmp_blocks(&s, LBA_EXT, 4, want, "external table WRITE");
	dclose(&s);
	return fail;
}

/* The table lies behind a key we never gave out. */
static int case_ext_table_bad_key(const void *arg)
{
	uint8_t iu[128], raw[HC_RX_SLOT];
	struct dsess s;
	struct w_rsp r;
	uint64_t tag = new_tag();
	uint32_t len;
	int n, fail = 0;

	if (dopen(&s, 16384)) {
		dclose(&s);
		return 1;
	}
	len = build_ext(iu, tag, 0, &s.b, s.b.mr->rkey ^ 0x00ffff00u);
	if (hc_send(&s.c, iu, len)) {
		dclose(&s);
		return failf("could not post the SEND");
	}
	n = hc_recv(&s.c, raw, sizeof(raw), G.gone_ms);
	if (n == -ETIMEDOUT) {
		fail = failf("expected an error status or a disconnect, got nothing within %d ms",
			     G.gone_ms);
	} else if (n >= 0) {
		w_rsp_parse(raw, (uint32_t)n, &r);
		if (r.op != W_RSP || r.tag != tag || r.status == S_GOOD)
			fail = failf("expected an error status for tag 0x%016llx or a disconnect, got %s tag 0x%016llx status 0x%02x",
				     (unsigned long long)tag, w_op_name(r.op),
				     (unsigned long long)r.tag, r.status);
		else
			notef("answered with status 0x%02x sense %x/%02x/%02x",
			      r.status, r.key, r.asc, r.ascq);
	} else {
		notef("the target ended the channel");
	}
	if (!fail)
		fail = ext_guards(&s.b);
	dclose(&s);
	return fail;
}

/* READ(10) of @nblk blocks into a direct descriptor of @dlen bytes at
 * offset @off of a FILL-ed buffer. */
struct resid_case {
	int write;
	uint16_t nblk;
	uint32_t dlen;
	uint32_t off;
	uint32_t blen;
	uint8_t flag;		/* expected residual flag, 0xff: CHECK 5/0E/03 */
	uint32_t res;
};

static int case_resid(const void *arg)
{
	const struct resid_case *rc = arg;
	uint8_t cdb[16], *before;
	struct dsess s;
	struct w_rsp r;
	uint64_t tag;
	uint32_t moved;
	int fail;

	if (dopen(&s, rc->blen)) {
		dclose(&s);
		return 1;
	}
	/* Known blocks first; keep a copy. */
	before = malloc(16 * S_BLOCK);
	if (!before || put_blocks(&s, LBA_RESID, 16, seed(5))) {
		free(before);
		dclose(&s);
		return before ? 1 : failf("out of memory");
	}
	memcpy(before, s.io.p, 16 * S_BLOCK);
	if (rc->write)
		pattern(s.b.p + rc->off, rc->dlen > rc->blen - rc->off ?
			rc->blen - rc->off : rc->dlen, seed(6));
	cdb_rw10(cdb, rc->write, LBA_RESID, rc->nblk);
	{
		uint8_t iu[W_CMD_LEN + W_DIRECT_LEN];

		tag = new_tag();
		w_cmd_hdr(iu, tag, G.data_lun, rc->write ? W_FMT_DIRECT << 4 :
			  W_FMT_DIRECT, 0, 0, 0, cdb, 16);
		w_direct(iu + W_CMD_LEN, (uintptr_t)(s.b.p + rc->off),
			 s.b.mr->rkey, rc->dlen);
		fail = roundtrip(&s.c, iu, sizeof(iu), &r, NULL);
	}
	if (rc->flag == 0xff) {
		fail = check_rsp(&r, fail, tag, S_CHECK_CONDITION, 5, 0x0e, 0x03);
		if (!fail)
			fail = cmp_blocks(&s, LBA_RESID, 16, before,
					  "a rejected WRITE changed the medium");
		free(before);
		dclose(&s);
		return fail;
	}
	fail = check_rsp(&r, fail, tag, S_GOOD, -1, 0, 0);
	if (!fail)
		fail = check_resid(&r, rc->flag, rc->write ? 0 : rc->res,
				   rc->write ? rc->res : 0);
	moved = rc->nblk * S_BLOCK < rc->dlen ? rc->nblk * S_BLOCK : rc->dlen;
	if (!fail && !rc->write) {
		if (memcmp(s.b.p + rc->off, before, moved))
			fail = failf("READ: the data is not the medium's");
		if (!fail)
			fail = check_guard(&s.b, 0, rc->off, "READ");
		if (!fail)
			fail = check_guard(&s.b, rc->off + moved, rc->blen,
					   "READ");
	}
	if (!fail && rc->write) {
		/* @moved bytes written, the rest of the 16 blocks as before */
		memcpy(before, s.b.p + rc->off, moved);
		fail = cmp_blocks(&s, LBA_RESID, 16, before, "WRITE");
	}
	free(before);
	dclose(&s);
	return fail;
}

/* Only the middle of a guarded buffer is described; the CDB asks for more. */
static int case_guard(const void *arg)
{
	static const struct resid_case rc = {
		0, 8, 2048, 4096, 12288, W_DIOVER, 2048,
	};

	return case_resid(&rc);
}

/* Immediate data shorter than the WRITE: rejected, nothing written. */
static int case_imm_short(const void *arg)
{
	static uint8_t iu[HC_TX_SLOT];
	uint8_t cdb[16], want[8 * S_BLOCK];
	struct dsess s;
	uint64_t tag = new_tag();
	int fail;

	if (dopen(&s, 4096)) {
		dclose(&s);
		return 1;
	}
	fail = put_blocks(&s, LBA_IMMSHORT, 8, seed(7));
	memcpy(want, s.io.p, sizeof(want));
	cdb_rw10(cdb, 1, LBA_IMMSHORT, 8);
	w_cmd_hdr(iu, tag, G.data_lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
	w32(iu + W_CMD_LEN, S_BLOCK);
	memset(iu + 68, 0x77, S_BLOCK);
	if (!fail)
		fail = expect_check(&s.c, iu, 68 + S_BLOCK, tag, 5, 0x0e, 0x03);
	if (!fail)
		fail = cmp_blocks(&s, LBA_IMMSHORT, 8, want,
				  "a rejected immediate WRITE changed the medium");
	dclose(&s);
	return fail;
}

/* Unknown LUN: 5/25/00 for TEST UNIT READY and READ, no data moved. */
static int case_unknown_lun(const void *arg)
{
	uint8_t cdb[16];
	struct dsess s;
	struct w_rsp r;
	int fail;

	if (dopen(&s, 4096)) {
		dclose(&s);
		return 1;
	}
	cdb_tur(cdb);
	fail = scsi_direct(&s.c, 200, cdb, 0, NULL, 0, 0, &r);
	fail = check_rsp(&r, fail, r.tag, S_CHECK_CONDITION, 5, 0x25, 0x00);
	if (!fail) {
		cdb_rw10(cdb, 0, 0, 8);
		fail = scsi_direct(&s.c, 200, cdb, 'i', &s.b, 0, 4096, &r);
		fail = check_rsp(&r, fail, r.tag, S_CHECK_CONDITION, 5, 0x25,
				 0x00);
	}
	if (!fail)
		fail = check_guard(&s.b, 0, 4096, "READ on an unknown LUN");
	dclose(&s);
	return fail;
}

/* LBA beyond the capacity: 5/21/00. */
static int case_lba_range(const void *arg)
{
	uint8_t cdb[16];
	struct dsess s;
	struct w_rsp r;
	uint64_t nb;
	int fail;

	if (dopen(&s, 4096)) {
		dclose(&s);
		return 1;
	}
	fail = lun_blocks(&s.c, G.data_lun, &nb);
	if (!fail && nb > 0xffffffffu)
		fail = failf("the data LUN is too large for READ(10) checks");
	if (!fail) {
		cdb_rw10(cdb, 0, (uint32_t)nb, 1);
		fail = scsi_direct(&s.c, G.data_lun, cdb, 'i', &s.b, 0, 512, &r);
		fail = check_rsp(&r, fail, r.tag, S_CHECK_CONDITION, 5, 0x21, 0);
	}
	if (!fail) {
		cdb_rw10(cdb, 0, (uint32_t)nb - 1, 2);
		fail = scsi_direct(&s.c, G.data_lun, cdb, 'i', &s.b, 0, 1024, &r);
		fail = check_rsp(&r, fail, r.tag, S_CHECK_CONDITION, 5, 0x21, 0);
	}
	if (!fail) {
		cdb_rw10(cdb, 1, 0xffffffffu, 1);
		fail = scsi_direct(&s.c, G.data_lun, cdb, 'o', &s.b, 0, 512, &r);
		fail = check_rsp(&r, fail, r.tag, S_CHECK_CONDITION, 5, 0x21, 0);
	}
	if (!fail)
		fail = check_guard(&s.b, 0, 4096, "out-of-range READ");
	dclose(&s);
	return fail;
}

/*
 * Remote keys or addresses the initiator never registered: the target
 * must answer with an error status or end the channel, never hang and
 * never report GOOD; a WRITE must not change the medium.
 */
struct key_case {
	int write;
	int bad_key;		/* else: a good key, an address past the MR */
};

static int case_bad_key(const void *arg)
{
	const struct key_case *kc = arg;
	uint8_t iu[W_CMD_LEN + W_DIRECT_LEN], cdb[16], want[8 * S_BLOCK];
	uint8_t raw[HC_RX_SLOT];
	struct dsess s, v;
	struct w_rsp r;
	uint64_t tag = new_tag(), va;
	uint32_t key;
	int fail, n;

	if (dopen(&s, 4096)) {
		dclose(&s);
		return 1;
	}
	fail = put_blocks(&s, LBA_RKEY, 8, seed(8));
	memcpy(want, s.io.p, sizeof(want));
	if (fail) {
		dclose(&s);
		return 1;
	}
	va = (uintptr_t)s.b.p;
	key = s.b.mr->rkey;
	if (kc->bad_key)
		key ^= 0x00ffff00u;
	else
		va += 1u << 20;	/* far past the registration */
	pattern(s.b.p, 4096, seed(9));
	cdb_rw10(cdb, kc->write, LBA_RKEY, 8);
	w_cmd_hdr(iu, tag, G.data_lun, kc->write ? W_FMT_DIRECT << 4 :
		  W_FMT_DIRECT, 0, 0, 0, cdb, 16);
	w_direct(iu + W_CMD_LEN, va, key, 8 * S_BLOCK);
	if (hc_send(&s.c, iu, sizeof(iu))) {
		dclose(&s);
		return failf("could not post the SEND");
	}
	n = hc_recv(&s.c, raw, sizeof(raw), G.gone_ms);
	if (n == -ETIMEDOUT) {
		fail = failf("expected an error status or a disconnect, got nothing within %d ms",
			     G.gone_ms);
	} else if (n >= 0) {
		w_rsp_parse(raw, (uint32_t)n, &r);
		if (r.op != W_RSP || r.tag != tag)
			fail = failf("expected an error status for tag 0x%016llx or a disconnect, got %s tag 0x%016llx",
				     (unsigned long long)tag, w_op_name(r.op),
				     (unsigned long long)r.tag);
		else if (r.status == S_GOOD)
			fail = failf("expected an error status or a disconnect, got GOOD");
		else
			notef("answered with status 0x%02x sense %x/%02x/%02x",
			      r.status, r.key, r.asc, r.ascq);
	} else {
		notef("the target ended the channel");
	}
	dclose(&s);
	if (fail || !kc->write)
		return fail;
	/* The medium must be as it was. */
	if (dopen(&v, 4096)) {
		dclose(&v);
		return 1;
	}
	fail = cmp_blocks(&v, LBA_RKEY, 8, want,
			  "a WRITE from an unreadable buffer changed the medium");
	dclose(&v);
	return fail;
}

/*
 * Receive-buffer reuse: fill every receive buffer of the channel with a
 * long, valid immediate-data WRITE to LBA A, then send short IUs that
 * would be a valid WRITE to LBA B only if the old bytes behind them were
 * read. They must be answered as malformed and B must not change.
 */
static int case_rx_reuse(const void *arg)
{
	static uint8_t iu[HC_TX_SLOT], raw[HC_RX_SLOT];
	uint8_t cdb[16], data[8 * S_BLOCK], keep[8 * S_BLOCK];
	struct hconn_cfg cfg;
	struct dsess s;
	struct w_rsp r;
	unsigned int win, outstanding = 0, sent = 0, total;
	static const uint32_t shorts[] = { 40, 52, 48, 60 };
	int fail;

	memset(&s, 0, sizeof(s));
	cfg_default(&cfg);
	cfg.nrx = 160;
	cfg.ntx = 64;
	if (sess_open(&s.c, NULL, &cfg) ||
	    hb_alloc(&s.c, &s.b, 4096, FILL) ||
	    hb_alloc(&s.c, &s.io, 64 * 1024, 0)) {
		dclose(&s);
		return 1;
	}
	if (!(s.c.rsp_flags & W_RSP_IMMED_SUPP)) {
		dclose(&s);
		return failf("expected immediate data granted");
	}
	fail = put_blocks(&s, LBA_REUSE_B, 8, seed(10));
	memcpy(keep, s.io.p, sizeof(keep));
	if (fail) {
		dclose(&s);
		return 1;
	}
	/* Every receive buffer: at most credits + a few spare ones. */
	total = 2 * s.c.credits + 32;
	win = s.c.credits < 32 ? s.c.credits : 32;
	pattern(data, sizeof(data), seed(11));
	while (sent < total || outstanding) {
		int n;

		if (sent < total && outstanding < win) {
			cdb_rw10(cdb, 1, LBA_REUSE_A, 8);
			w_cmd_hdr(iu, new_tag(), G.data_lun, W_FMT_IMM << 4, 0, 0,
				  0, cdb, 16);
			w32(iu + W_CMD_LEN, sizeof(data));
			memset(iu + 52, 0, 16);
			memcpy(iu + 68, data, sizeof(data));
			if (hc_send(&s.c, iu, 68 + sizeof(data))) {
				fail = failf("could not post a SEND");
				break;
			}
			sent++;
			outstanding++;
			continue;
		}
		n = hc_recv(&s.c, raw, sizeof(raw), G.timeout_ms);
		if (n < 0) {
			fail = failf("long WRITEs: %s after %u of %u answers",
				     n == -ETIMEDOUT ? "no answer" : "disconnect",
				     sent - outstanding, total);
			break;
		}
		w_rsp_parse(raw, (uint32_t)n, &r);
		if (r.op != W_RSP || r.status != S_GOOD) {
			fail = failf("long WRITEs: expected GOOD, got %s status 0x%02x",
				     w_op_name(r.op), r.status);
			break;
		}
		outstanding--;
	}
	/* The short ones: a WRITE(10) to B, cut at @len; its tail as in A. */
	for (unsigned int k = 0; !fail && k < 4 * sizeof(shorts) / sizeof(shorts[0]); k++) {
		uint32_t len = shorts[k % 4];
		uint64_t tag = new_tag();

		cdb_rw10(cdb, 1, LBA_REUSE_B, 8);
		w_cmd_hdr(iu, tag, G.data_lun, W_FMT_IMM << 4, 0, 0, 0, cdb, 16);
		w32(iu + W_CMD_LEN, sizeof(data));
		memset(iu + 52, 0, 16);
		memcpy(iu + 68, data, sizeof(data));
		fail = expect_check(&s.c, iu, len, tag, 5, 0x0e, 0x03);
		if (fail)
			notef("the short IU was %u bytes", len);
	}
	if (!fail)
		fail = cmp_blocks(&s, LBA_REUSE_B, 8, keep,
				  "a truncated IU was executed with stale receive-buffer bytes");
	dclose(&s);
	return fail;
}

#define RES(n, w, nb, dl, off, bl, fl, res, what) { n, case_resid, \
	&(const struct resid_case){ w, nb, dl, off, bl, fl, res }, what }

const struct hcase data_cases[] = {
	{ "data-imm-write", case_imm_write, NULL,
	  "WRITE(10) by immediate data, read back: identical" },
	{ "data-indirect", case_indirect, NULL,
	  "indirect READ and WRITE with a hole between the pieces: hole untouched" },
	RES("data-read-overflow", 0, 8, 512, 0, 8192, W_DIOVER, 3584,
	    "READ(10) 8 blocks, 512-byte descriptor -> GOOD, DIOVER 3584"),
	RES("data-read-underflow", 0, 1, 8192, 0, 8192, W_DIUNDER, 7680,
	    "READ(10) 1 block, 8 KiB descriptor -> GOOD, DIUNDER 7680"),
	RES("data-read-desc-4g", 0, 1, 0xffffffffu, 0, 8192, W_DIUNDER,
	    0xffffffffu - 512,
	    "READ(10) 1 block, descriptor length 0xffffffff -> GOOD, DIUNDER, 512 bytes moved"),
	RES("data-read-zero-desc", 0, 8, 0, 0, 8192, W_DIOVER, 4096,
	    "READ(10) 8 blocks, 0-byte descriptor -> GOOD, DIOVER 4096, nothing moved"),
	RES("data-write-short-desc", 1, 8, 512, 0, 8192, 0xff, 0,
	    "WRITE(10) 8 blocks, 512-byte descriptor -> 5/0E/03, medium unchanged"),
	RES("data-write-long-desc", 1, 1, 8192, 0, 8192, W_DOUNDER, 7680,
	    "WRITE(10) 1 block, 8 KiB descriptor -> GOOD, DOUNDER 7680, 1 block written"),
	{ "data-guard", case_guard, NULL,
	  "READ(10) 8 blocks into the middle 2 KiB of a guarded buffer -> DIOVER 2048, guards intact" },
	{ "data-imm-short", case_imm_short, NULL,
	  "WRITE(10) 8 blocks with 512 bytes of immediate data -> 5/0E/03, medium unchanged" },
	{ "data-unknown-lun", case_unknown_lun, NULL,
	  "TEST UNIT READY and READ(10) on LUN 200 -> 5/25/00" },
	{ "data-lba-range", case_lba_range, NULL,
	  "READ/WRITE(10) past the last LBA -> 5/21/00" },
	{ "data-read-bad-rkey", case_bad_key, &(const struct key_case){ 0, 1 },
	  "READ(10) into an unknown rkey -> error status or disconnect" },
	{ "data-read-bad-addr", case_bad_key, &(const struct key_case){ 0, 0 },
	  "READ(10) into an address past the MR -> error status or disconnect" },
	{ "data-write-bad-rkey", case_bad_key, &(const struct key_case){ 1, 1 },
	  "WRITE(10) from an unknown rkey -> error status or disconnect, medium unchanged" },
	{ "data-write-bad-addr", case_bad_key, &(const struct key_case){ 1, 0 },
	  "WRITE(10) from an address past the MR -> error or disconnect, medium unchanged" },
	{ "data-ext-table", case_ext_table, NULL,
	  "READ and WRITE with 1 of 4 descriptors inline, the table read from us; guards intact" },
	{ "data-ext-table-bad-rkey", case_ext_table_bad_key, NULL,
	  "a descriptor table behind an unknown rkey -> error status or disconnect" },
	{ "data-rx-reuse", case_rx_reuse, NULL,
	  "truncated IUs in receive buffers holding a longer IU -> 5/0E/03, not executed" },
	{ NULL, NULL, NULL, NULL },
};
