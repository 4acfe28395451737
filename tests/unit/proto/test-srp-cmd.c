/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Tests of libsrpt/proto/srp-cmd.c: SRP_CMD and its data descriptors. */
#include "proto-test.h"

#define LINUX_IMM_OFFSET 68	/* 48 + 16 (32-byte CDB) + 4 */

static int dec_cmd_noimm(const void *b, size_t l, void *o)
{
	return srpt_cmd_decode(b, l, 0, o);
}

static int dec_cmd_imm68(const void *b, size_t l, void *o)
{
	return srpt_cmd_decode(b, l, LINUX_IMM_OFFSET, o);
}

static int enc_cmd(const void *i, void *b, size_t l)
{
	return srpt_cmd_encode(i, b, l);
}

/*
 * The first SRP_CMD of section 11 of srp-wire.md: INQUIRY (allocation length
 * 36) reading into one direct descriptor. ib_srp leaves the descriptor
 * counts 0 for direct descriptors.
 */
static const uint8_t inquiry_direct[64] = {
	0x02, 0x00, 0x00, 0x00, 0x00,			/* opcode..rsvd */
	0x01,				/* buf_fmt: DATA-IN direct */
	0x00, 0x00,					/* desc counts */
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* lun 0 */
	0x00, 0x00, 0x00, 0x00,		/* rsvd, task_attr, rsvd, add_cdb */
	0x12, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,	/* cdb */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x50, 0x00,	/* va */
	0x00, 0x00, 0x12, 0x34,				/* key */
	0x00, 0x00, 0x00, 0x24,				/* len */
};

/*
 * WRITE(10) of one 512-byte block with immediate data at offset 68, as
 * ib_srp sends it. The 512 data bytes (imm_payload()) follow this header.
 */
#define IMM_DATA_LEN 512
static const uint8_t imm_write_hdr[68] = {
	0x02, 0x00, 0x00, 0x00, 0x00,
	0x30,				/* buf_fmt: DATA-OUT immediate */
	0x00, 0x00,
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tag */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* lun 1 */
	0x00, 0x00, 0x00, 0x00,
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,	/* WRITE(10) */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00,				/* imm len 512 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* up to 68 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * WRITE(10) of 16 blocks through an indirect descriptor with both table
 * entries inline; SCSOLNT | UCSOLNT, ORDERED, lun 2.
 */
static const uint8_t indirect_write[100] = {
	0x02, 0x06, 0x00, 0x00, 0x00,
	0x20,				/* buf_fmt: DATA-OUT indirect */
	0x02, 0x00,			/* data_out_desc_cnt 2 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* tag */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* lun 2 */
	0x00, 0x02, 0x00, 0x00,		/* task_attr ORDERED */
	0x2a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,	/* WRITE(10) */
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xab, 0xcd, 0x00, 0x00,	/* table va */
	0x00, 0x00, 0x56, 0x78,				/* table key */
	0x00, 0x00, 0x00, 0x20,				/* table len 32 */
	0x00, 0x00, 0x20, 0x00,				/* total 8192 */
	0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x10, 0x00,	/* desc 0 */
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x30, 0x00,	/* desc 1 */
	0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x10, 0x00,
};

/* READ(32): a 32-byte CDB (add_cdb_len 16), descriptor at byte 64. */
static const uint8_t read32_direct[80] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10,				/* add_cdb_len 16 */
	0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18,	/* cdb 0..15 */
	0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,	/* cdb 16..31 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,	/* va */
	0x00, 0x00, 0x00, 0x09,				/* key */
	0x00, 0x00, 0x10, 0x00,				/* len 4096 */
};

/*
 * Bidirectional: DATA-OUT direct, then DATA-IN indirect whose table holds
 * 3 entries of which only the first is inline (external table).
 */
static const uint8_t bidi_external[100] = {
	0x02, 0x00, 0x00, 0x00, 0x00,
	0x12,				/* out direct, in indirect */
	0x00, 0x01,			/* data_in_desc_cnt 1 */
	0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* XDWRITEREAD */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00,	/* out: va */
	0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00,	/* in: table va */
	0x00, 0x00, 0x00, 0x0b,
	0x00, 0x00, 0x00, 0x30,				/* 3 entries */
	0x00, 0x00, 0x30, 0x00,				/* total 12288 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00,	/* inline 0 */
	0x00, 0x00, 0x00, 0x0c,
	0x00, 0x00, 0x10, 0x00,
};

/* TEST UNIT READY: no data, 48 bytes. */
static const uint8_t tur_nodata[48] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * Immediate DATA-OUT plus a direct DATA-IN: the DATA-IN descriptor follows
 * the immediate header, so the data may start at 68 but not before.
 */
static const uint8_t imm_bidi[76] = {
	0x02, 0x00, 0x00, 0x00, 0x00,
	0x31,				/* out immediate, in direct */
	0x00, 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x08,				/* imm len 8 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00,	/* in: va */
	0x00, 0x00, 0x00, 0x0d,
	0x00, 0x00, 0x00, 0x08,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,	/* data at 68 */
};

/* The WRITE(10) with its 512 data bytes: 580 bytes, malloc()ed. */
static uint8_t *imm_write(void)
{
	uint8_t *v = malloc(sizeof(imm_write_hdr) + IMM_DATA_LEN);

	ck_assert_ptr_nonnull(v);
	memcpy(v, imm_write_hdr, sizeof(imm_write_hdr));
	for (size_t i = 0; i < IMM_DATA_LEN; i++)
		v[sizeof(imm_write_hdr) + i] = (uint8_t)(i * 7 + 3);
	return v;
}

#define IMM_WRITE_LEN (sizeof(imm_write_hdr) + IMM_DATA_LEN)

/* Decodes an exact-size copy of @v, expecting @err and no output. */
static void expect_cmd_error(const uint8_t *v, size_t n, uint32_t imm_off,
			     int err)
{
	struct srpt_cmd out;
	uint8_t *b = dup_exact(v, n);

	memset(&out, SENTINEL, sizeof(out));
	ck_assert_int_eq(srpt_cmd_decode(b, n, imm_off, &out), err);
	ck_assert(is_sentinel(&out, sizeof(out)));
	free(b);
}

/* decode(v) then encode gives v back, byte for byte. */
static void roundtrip(const uint8_t *v, size_t n, uint32_t imm_off)
{
	struct srpt_cmd c;
	uint8_t *b = dup_exact(v, n);

	ck_assert_int_eq(srpt_cmd_decode(b, n, imm_off, &c), 0);
	expect_encoding(enc_cmd, &c, v, n);
	free(b);
}

static void assert_no_desc(const struct srpt_data_desc *d)
{
	ck_assert_uint_eq(d->fmt, SRPT_DATA_FMT_NONE);
	ck_assert_uint_eq(d->total_len, 0);
	ck_assert_uint_eq(d->inline_cnt, 0);
	ck_assert_ptr_null(d->inline_list);
	ck_assert_ptr_null(d->imm_data);
}

START_TEST(cmd_inquiry_decode)
{
	uint8_t *b = dup_exact(inquiry_direct, sizeof(inquiry_direct));
	static const uint8_t lun0[8];
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(b, 64, LINUX_IMM_OFFSET, &c), 0);
	ck_assert_uint_eq(c.sol_not, 0);
	ck_assert_uint_eq(c.data_out_fmt, SRPT_DATA_FMT_NONE);
	ck_assert_uint_eq(c.data_in_fmt, SRPT_DATA_FMT_DIRECT);
	ck_assert_uint_eq(c.data_out_desc_cnt, 0);
	ck_assert_uint_eq(c.data_in_desc_cnt, 0);
	ck_assert_mem_eq(&c.tag, inquiry_direct + 8, 8);
	ck_assert_mem_eq(c.lun, lun0, 8);
	ck_assert_uint_eq(c.task_attr, SRPT_TASK_ATTR_SIMPLE);
	ck_assert_uint_eq(c.add_cdb_len, 0);
	ck_assert_ptr_eq(c.cdb, b + 32);
	ck_assert_uint_eq(c.cdb_len, 16);
	ck_assert_uint_eq(c.cdb[0], 0x12);
	ck_assert_uint_eq(c.cdb[4], 36);
	assert_no_desc(&c.data_out);
	ck_assert_uint_eq(c.data_in.fmt, SRPT_DATA_FMT_DIRECT);
	ck_assert(c.data_in.direct.va == 0x12345000);
	ck_assert_uint_eq(c.data_in.direct.key, 0x1234);
	ck_assert_uint_eq(c.data_in.direct.len, 36);
	ck_assert_uint_eq(c.data_in.total_len, 36);
	ck_assert_uint_eq(c.data_in.inline_cnt, 0);
	ck_assert_ptr_null(c.data_in.inline_list);
	ck_assert_ptr_null(c.data_in.imm_data);
	free(b);
}
END_TEST

START_TEST(cmd_inquiry_encode)
{
	static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 0x24, 0 };
	struct srpt_cmd c;

	memset(&c, 0, sizeof(c));
	c.data_in_fmt = SRPT_DATA_FMT_DIRECT;
	c.tag = tag_of(inquiry_direct + 8);
	c.cdb = inquiry;
	c.cdb_len = sizeof(inquiry);
	c.data_in.fmt = SRPT_DATA_FMT_DIRECT;
	c.data_in.direct.va = 0x12345000;
	c.data_in.direct.key = 0x1234;
	c.data_in.direct.len = 36;
	expect_encoding(enc_cmd, &c, inquiry_direct, sizeof(inquiry_direct));
	roundtrip(inquiry_direct, sizeof(inquiry_direct), 0);
}
END_TEST

START_TEST(cmd_imm_decode)
{
	uint8_t *v = imm_write();
	static const uint8_t lun1[8] = { 0, 1 };
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(v, IMM_WRITE_LEN, LINUX_IMM_OFFSET,
					 &c), 0);
	ck_assert_uint_eq(c.data_out_fmt, SRPT_DATA_FMT_IMM);
	ck_assert_uint_eq(c.data_in_fmt, SRPT_DATA_FMT_NONE);
	ck_assert_mem_eq(c.lun, lun1, 8);
	ck_assert_uint_eq(c.cdb[0], 0x2a);
	ck_assert_uint_eq(c.data_out.fmt, SRPT_DATA_FMT_IMM);
	ck_assert_uint_eq(c.data_out.total_len, IMM_DATA_LEN);
	ck_assert_uint_eq(c.data_out.imm_offset, LINUX_IMM_OFFSET);
	ck_assert_ptr_eq(c.data_out.imm_data, v + LINUX_IMM_OFFSET);
	ck_assert_ptr_null(c.data_out.inline_list);
	assert_no_desc(&c.data_in);

	/* Any offset from the end of the imm header on is acceptable. */
	ck_assert_int_eq(srpt_cmd_decode(v, IMM_WRITE_LEN, 52, &c), 0);
	ck_assert_ptr_eq(c.data_out.imm_data, v + 52);
	free(v);
}
END_TEST

START_TEST(cmd_imm_encode)
{
	static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0, 0x10, 0, 0,
					     0x01, 0 };
	uint8_t *v = imm_write();
	struct srpt_cmd c;

	memset(&c, 0, sizeof(c));
	c.data_out_fmt = SRPT_DATA_FMT_IMM;
	c.tag = tag_of(imm_write_hdr + 8);
	c.lun[1] = 1;
	c.cdb = write10;
	c.cdb_len = sizeof(write10);
	c.data_out.fmt = SRPT_DATA_FMT_IMM;
	c.data_out.total_len = IMM_DATA_LEN;
	c.data_out.imm_offset = LINUX_IMM_OFFSET;
	c.data_out.imm_data = v + LINUX_IMM_OFFSET;
	expect_encoding(enc_cmd, &c, v, IMM_WRITE_LEN);
	roundtrip(v, IMM_WRITE_LEN, LINUX_IMM_OFFSET);
	free(v);
}
END_TEST

START_TEST(cmd_indirect)
{
	uint8_t *b = dup_exact(indirect_write, sizeof(indirect_write));
	struct srpt_buf_desc d;
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(b, 100, 0, &c), 0);
	ck_assert_uint_eq(c.sol_not, SRPT_SCSOLNT | SRPT_UCSOLNT);
	ck_assert_uint_eq(c.task_attr, SRPT_TASK_ATTR_ORDERED);
	ck_assert_uint_eq(c.data_out_fmt, SRPT_DATA_FMT_INDIRECT);
	ck_assert_uint_eq(c.data_out_desc_cnt, 2);
	ck_assert_uint_eq(c.data_out.fmt, SRPT_DATA_FMT_INDIRECT);
	ck_assert(c.data_out.table.va == 0xabcd0000);
	ck_assert_uint_eq(c.data_out.table.key, 0x5678);
	ck_assert_uint_eq(c.data_out.table.len, 32);
	ck_assert_uint_eq(c.data_out.table_cnt, 2);
	ck_assert_uint_eq(c.data_out.inline_cnt, 2);
	ck_assert_ptr_eq(c.data_out.inline_list, b + 68);
	ck_assert_uint_eq(c.data_out.total_len, 8192);
	assert_no_desc(&c.data_in);

	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 0, &d), 0);
	ck_assert(d.va == 0x7f0000001000);
	ck_assert_uint_eq(d.key, 1);
	ck_assert_uint_eq(d.len, 4096);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 1, &d), 0);
	ck_assert(d.va == 0x7f0000003000);
	ck_assert_uint_eq(d.key, 2);
	ck_assert_uint_eq(d.len, 4096);
	free(b);
	roundtrip(indirect_write, sizeof(indirect_write), 0);
}
END_TEST

START_TEST(cmd_indirect_encode)
{
	static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0x01, 0, 0, 0,
					     0x10, 0 };
	struct srpt_cmd c;

	memset(&c, 0, sizeof(c));
	c.sol_not = SRPT_SCSOLNT | SRPT_UCSOLNT;
	c.data_out_fmt = SRPT_DATA_FMT_INDIRECT;
	c.data_out_desc_cnt = 2;
	c.tag = tag_of(indirect_write + 8);
	c.lun[1] = 2;
	c.task_attr = SRPT_TASK_ATTR_ORDERED;
	c.cdb = write10;
	c.cdb_len = sizeof(write10);
	c.data_out.fmt = SRPT_DATA_FMT_INDIRECT;
	c.data_out.table.va = 0xabcd0000;
	c.data_out.table.key = 0x5678;
	c.data_out.table.len = 32;
	c.data_out.total_len = 8192;
	c.data_out.inline_cnt = 2;
	c.data_out.inline_list = indirect_write + 68;
	expect_encoding(enc_cmd, &c, indirect_write, sizeof(indirect_write));
}
END_TEST

START_TEST(cmd_external_table)
{
	uint8_t *b = dup_exact(bidi_external, sizeof(bidi_external));
	struct srpt_buf_desc d;
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(b, 100, 0, &c), 0);
	ck_assert_uint_eq(c.data_out.fmt, SRPT_DATA_FMT_DIRECT);
	ck_assert(c.data_out.direct.va == 0x200000);
	ck_assert_uint_eq(c.data_out.total_len, 4096);
	ck_assert_uint_eq(c.data_in.fmt, SRPT_DATA_FMT_INDIRECT);
	ck_assert_uint_eq(c.data_in.table_cnt, 3);
	ck_assert_uint_eq(c.data_in.inline_cnt, 1);
	ck_assert_uint_eq(c.data_in.total_len, 12288);
	ck_assert_ptr_eq(c.data_in.inline_list, b + 84);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_in, 0, &d), 0);
	ck_assert(d.va == 0x400000);
	ck_assert_uint_eq(d.key, 0xc);
	/* The others are in the initiator's memory, not in the IU. */
	memset(&d, SENTINEL, sizeof(d));
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_in, 1, &d), -ERANGE);
	ck_assert(is_sentinel(&d, sizeof(d)));
	free(b);
	roundtrip(bidi_external, sizeof(bidi_external), 0);
}
END_TEST

START_TEST(cmd_cdb32)
{
	uint8_t v[80];
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(read32_direct, 80, 0, &c), 0);
	ck_assert_uint_eq(c.add_cdb_len, 16);
	ck_assert_uint_eq(c.cdb_len, 32);
	ck_assert_uint_eq(c.cdb[31], 0x08);
	ck_assert_uint_eq(c.data_in.direct.key, 9);
	roundtrip(read32_direct, sizeof(read32_direct), 0);

	/* The low two bits of add_cdb_len are reserved. */
	memcpy(v, read32_direct, 80);
	v[31] = 0x13;
	ck_assert_int_eq(srpt_cmd_decode(v, 80, 0, &c), 0);
	ck_assert_uint_eq(c.add_cdb_len, 16);
	ck_assert_uint_eq(c.cdb_len, 32);
	ck_assert_uint_eq(c.data_in.direct.key, 9);
	expect_encoding(enc_cmd, &c, read32_direct, 80);
}
END_TEST

START_TEST(cmd_no_data)
{
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(tur_nodata, 48, 0, &c), 0);
	assert_no_desc(&c.data_out);
	assert_no_desc(&c.data_in);
	roundtrip(tur_nodata, sizeof(tur_nodata), 0);
	/* Extra received bytes past the descriptors are not an error. */
	ck_assert_int_eq(srpt_cmd_decode(inquiry_direct, 64, 0, &c), 0);
}
END_TEST

START_TEST(cmd_imm_bidi)
{
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(imm_bidi, 76, 68, &c), 0);
	ck_assert_uint_eq(c.data_out.total_len, 8);
	ck_assert_ptr_eq(c.data_out.imm_data, imm_bidi + 68);
	ck_assert_uint_eq(c.data_in.direct.key, 0xd);
	roundtrip(imm_bidi, sizeof(imm_bidi), 68);
	/* Immediate data overlapping the DATA-IN descriptor. */
	expect_cmd_error(imm_bidi, 76, 60, -ENODATA);
	expect_cmd_error(imm_bidi, 76, 67, -ENODATA);
}
END_TEST

START_TEST(cmd_truncation)
{
	uint8_t *v = imm_write();

	sweep_prefixes(dec_cmd_noimm, inquiry_direct, 64, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_imm68, v, IMM_WRITE_LEN, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_noimm, indirect_write, 100, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_noimm, read32_direct, 80, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_noimm, bidi_external, 100, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_noimm, tur_nodata, 48, 48,
		       sizeof(struct srpt_cmd));
	sweep_prefixes(dec_cmd_imm68, imm_bidi, 76, 48,
		       sizeof(struct srpt_cmd));
	free(v);
}
END_TEST

START_TEST(cmd_einval_emsgsize_eproto)
{
	struct srpt_cmd out;
	uint8_t v[64];

	memset(&out, SENTINEL, sizeof(out));
	ck_assert_int_eq(srpt_cmd_decode(NULL, 64, 0, &out), -EINVAL);
	ck_assert(is_sentinel(&out, sizeof(out)));
	ck_assert_int_eq(srpt_cmd_decode(inquiry_direct, 64, 0, NULL),
			 -EINVAL);
	expect_cmd_error(tur_nodata, 47, 0, -EMSGSIZE);
	expect_cmd_error(tur_nodata, 0, 0, -EMSGSIZE);
	memcpy(v, inquiry_direct, 64);
	v[0] = SRPT_OP_TSK_MGMT;
	expect_cmd_error(v, 64, 0, -EPROTO);
	v[0] = SRPT_OP_RSP;
	expect_cmd_error(v, 64, 0, -EPROTO);
}
END_TEST

START_TEST(cmd_ebadmsg)
{
	uint8_t *imm = imm_write();
	uint8_t v[64];

	memcpy(v, inquiry_direct, 64);
	v[5] = 0x40;		/* DATA-OUT code 4 */
	expect_cmd_error(v, 64, 68, -EBADMSG);
	v[5] = 0xf1;		/* DATA-OUT code 15 */
	expect_cmd_error(v, 64, 68, -EBADMSG);
	v[5] = 0x0f;		/* DATA-IN code 15 */
	expect_cmd_error(v, 64, 68, -EBADMSG);
	v[5] = 0x04;		/* DATA-IN code 4 */
	expect_cmd_error(v, 64, 68, -EBADMSG);
	v[5] = 0x03;		/* IMM for DATA-IN */
	expect_cmd_error(v, 64, 68, -EBADMSG);
	v[5] = 0x33;
	expect_cmd_error(v, 64, 68, -EBADMSG);
	/* IMM when immediate data was not granted at login. */
	expect_cmd_error(imm, IMM_WRITE_LEN, 0, -EBADMSG);
	/* Format codes are checked before the descriptors. */
	v[5] = 0x50;
	expect_cmd_error(v, 48, 68, -EBADMSG);
	free(imm);
}
END_TEST

START_TEST(cmd_erange)
{
	struct srpt_cmd c;
	uint8_t v[64];

	memcpy(v, tur_nodata, 48);
	v[31] = 4;		/* 4 CDB bytes that were not received */
	expect_cmd_error(v, 48, 0, -ERANGE);
	v[31] = 0xfc;
	expect_cmd_error(v, 48, 0, -ERANGE);
	expect_cmd_error(read32_direct, 63, 0, -ERANGE);
	/* With all 16 additional bytes present it is the descriptor. */
	expect_cmd_error(read32_direct, 64, 0, -EOVERFLOW);
	/* Reserved low bits alone do not make an additional CDB. */
	memcpy(v, tur_nodata, 48);
	v[31] = 3;
	ck_assert_int_eq(srpt_cmd_decode(v, 48, 0, &c), 0);
	ck_assert_uint_eq(c.add_cdb_len, 0);
}
END_TEST

START_TEST(cmd_eoverflow)
{
	uint8_t v[100];

	/* Direct descriptor past the received bytes. */
	expect_cmd_error(inquiry_direct, 63, 0, -EOVERFLOW);
	expect_cmd_error(inquiry_direct, 49, 0, -EOVERFLOW);
	/* Indirect header past the received bytes. */
	expect_cmd_error(indirect_write, 67, 0, -EOVERFLOW);
	/* Inline list past the received bytes. */
	expect_cmd_error(indirect_write, 99, 0, -EOVERFLOW);
	expect_cmd_error(indirect_write, 84, 0, -EOVERFLOW);
	memcpy(v, indirect_write, 100);
	v[6] = 3;		/* 3 inline announced, table of 3, 2 present */
	v[63] = 0x30;
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	/* Table length not a multiple of 16. */
	memcpy(v, indirect_write, 100);
	v[63] = 0x21;
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	v[63] = 0x08;
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	/* More inline descriptors than the table holds. */
	memcpy(v, indirect_write, 100);
	v[63] = 0x10;
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	/* Same, for DATA-IN behind a DATA-OUT descriptor. */
	memcpy(v, bidi_external, 100);
	v[7] = 4;
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	/* A huge count cannot wrap the bounds check. */
	memcpy(v, indirect_write, 100);
	v[6] = 0xff;
	v[60] = 0xff;		/* table len 0xff000020 */
	expect_cmd_error(v, 100, 0, -EOVERFLOW);
	/* Immediate header past the received bytes. */
	expect_cmd_error(imm_write_hdr, 51, 68, -EOVERFLOW);
}
END_TEST

START_TEST(cmd_enoent)
{
	uint8_t v[100];

	memcpy(v, indirect_write, 100);
	v[63] = 0;		/* table.len 0 */
	expect_cmd_error(v, 100, 0, -ENOENT);
	memcpy(v, indirect_write, 100);
	v[6] = 0;		/* descriptor count 0 */
	expect_cmd_error(v, 100, 0, -ENOENT);
	memcpy(v, bidi_external, 100);
	v[7] = 0;
	expect_cmd_error(v, 100, 0, -ENOENT);
}
END_TEST

START_TEST(cmd_enodata)
{
	uint8_t *v = imm_write();

	/* Data beyond the received bytes. */
	expect_cmd_error(v, IMM_WRITE_LEN - 1, 68, -ENODATA);
	expect_cmd_error(v, 68, 68, -ENODATA);
	expect_cmd_error(v, 52, 68, -ENODATA);
	expect_cmd_error(v, IMM_WRITE_LEN, 69, -ENODATA);
	/* Offset inside the fixed part or the immediate header. */
	expect_cmd_error(v, IMM_WRITE_LEN, 51, -ENODATA);
	expect_cmd_error(v, IMM_WRITE_LEN, 1, -ENODATA);
	/* offset + length overflows 32 bits. */
	expect_cmd_error(v, IMM_WRITE_LEN, 0xfffffff0u, -ENODATA);
	expect_cmd_error(v, IMM_WRITE_LEN, 0xffffffffu, -ENODATA);
	v[48] = 0xff;
	v[49] = 0xff;
	v[50] = 0xff;
	v[51] = 0xff;
	expect_cmd_error(v, IMM_WRITE_LEN, 68, -ENODATA);
	free(v);
}
END_TEST

START_TEST(cmd_zero_length_imm)
{
	uint8_t v[68];
	struct srpt_cmd c;

	memcpy(v, imm_write_hdr, 68);
	v[50] = 0;		/* imm len 0 */
	ck_assert_int_eq(srpt_cmd_decode(v, 68, 68, &c), 0);
	ck_assert_uint_eq(c.data_out.total_len, 0);
	ck_assert_ptr_eq(c.data_out.imm_data, v + 68);
	expect_encoding(enc_cmd, &c, v, 68);
}
END_TEST

/* A valid command to break one field at a time. */
static struct srpt_cmd good_indirect(void)
{
	struct srpt_cmd c;

	ck_assert_int_eq(srpt_cmd_decode(indirect_write, 100, 0, &c), 0);
	return c;
}

START_TEST(cmd_encode_einval)
{
	uint8_t *imm = imm_write();
	struct srpt_cmd c, i;

	c = good_indirect();
	c.add_cdb_len = 3;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.cdb_len = 17;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.cdb = NULL;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out_fmt = SRPT_DATA_FMT_DIRECT;	/* != data_out.fmt */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_in_fmt = SRPT_DATA_FMT_DIRECT;	/* != data_in.fmt */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out_fmt = c.data_out.fmt = 4;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.table.len = 0;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.table.len = 33;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.table.len = 16;		/* fewer than inline */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.inline_cnt = 1;		/* != data_out_desc_cnt */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.inline_cnt = c.data_out_desc_cnt = 0;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = good_indirect();
	c.data_out.inline_list = NULL;
	expect_encode_error(enc_cmd, &c, -EINVAL);

	ck_assert_int_eq(srpt_cmd_decode(imm, IMM_WRITE_LEN, 68, &i), 0);
	c = i;
	c.data_in_fmt = c.data_in.fmt = SRPT_DATA_FMT_IMM;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = i;
	c.data_out.imm_offset = 51;		/* inside the imm header */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = i;
	c.data_out.imm_data = NULL;
	expect_encode_error(enc_cmd, &c, -EINVAL);
	c = i;
	c.data_out.imm_offset = 0xffffffffu;	/* beyond an int return */
	expect_encode_error(enc_cmd, &c, -EINVAL);
	free(imm);
}
END_TEST

START_TEST(buf_desc_get_errors)
{
	struct srpt_buf_desc d;
	struct srpt_cmd c;

	c = good_indirect();
	memset(&d, SENTINEL, sizeof(d));
	ck_assert_int_eq(srpt_buf_desc_get(NULL, 0, &d), -EINVAL);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 0, NULL), -EINVAL);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 2, &d), -ERANGE);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 0xffffffffu, &d),
			 -ERANGE);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_in, 0, &d), -ERANGE);
	c.data_out.inline_list = NULL;
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_out, 0, &d), -EINVAL);
	ck_assert(is_sentinel(&d, sizeof(d)));

	/* DIRECT has no inline list: the descriptor is d->direct. */
	ck_assert_int_eq(srpt_cmd_decode(inquiry_direct, 64, 0, &c), 0);
	ck_assert_int_eq(srpt_buf_desc_get(&c.data_in, 0, &d), -ERANGE);
}
END_TEST

TCase *tcase_srp_cmd(void)
{
	TCase *tc = tcase_create("srp-cmd");

	tcase_add_test(tc, cmd_inquiry_decode);
	tcase_add_test(tc, cmd_inquiry_encode);
	tcase_add_test(tc, cmd_imm_decode);
	tcase_add_test(tc, cmd_imm_encode);
	tcase_add_test(tc, cmd_indirect);
	tcase_add_test(tc, cmd_indirect_encode);
	tcase_add_test(tc, cmd_external_table);
	tcase_add_test(tc, cmd_cdb32);
	tcase_add_test(tc, cmd_no_data);
	tcase_add_test(tc, cmd_imm_bidi);
	tcase_add_test(tc, cmd_truncation);
	tcase_add_test(tc, cmd_einval_emsgsize_eproto);
	tcase_add_test(tc, cmd_ebadmsg);
	tcase_add_test(tc, cmd_erange);
	tcase_add_test(tc, cmd_eoverflow);
	tcase_add_test(tc, cmd_enoent);
	tcase_add_test(tc, cmd_enodata);
	tcase_add_test(tc, cmd_zero_length_imm);
	tcase_add_test(tc, cmd_encode_einval);
	tcase_add_test(tc, buf_desc_get_errors);
	return tc;
}
