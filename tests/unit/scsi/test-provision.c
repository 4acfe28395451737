/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Logical block provisioning: UNMAP and WRITE SAME on the caller's
 * backing (what task->io says) and on RAM (what the emulation does),
 * the parameter list checks, VPD 0xB0/0xB2 and LBPME.
 */
#include <errno.h>
#include <stdlib.h>

#include "scsi-test.h"

/*
 * LUN 0: the caller's, 1024 x 512, thin. LUN 1: the caller's,
 * 256 x 4096, thin. LUN 2: RAM, 64 x 512 (thin: scsi_lun_init).
 * LUN 3: RAM, 16 x 4096, thin. LUN 4: the caller's, 64 x 512, not thin.
 * LUN 5: the caller's, 64 x 512, thin, write-protected.
 */
#define P0_BLOCKS	1024u
#define P1_BLOCKS	256u
#define P2_BLOCKS	64u
#define P3_BLOCKS	16u
#define BS4K		4096u

static struct scsi_lun pluns[6];
static uint8_t *ram512, *ram4k;

static void provision_setup(void)
{
	scsi_fixture_setup();
	ram512 = malloc(P2_BLOCKS * 512);
	ram4k = malloc(P3_BLOCKS * BS4K);
	ck_assert(ram512 && ram4k);
	memset(ram512, 0xc2, P2_BLOCKS * 512);
	memset(ram4k, 0xc3, P3_BLOCKS * BS4K);
	ck_assert_int_eq(scsi_lun_init_blocks(&pluns[0], NULL, P0_BLOCKS,
					      512, 0, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&pluns[1], NULL, P1_BLOCKS,
					      BS4K, 1, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init(&pluns[2], ram512, P2_BLOCKS * 512, 2,
				       TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&pluns[3], ram4k, P3_BLOCKS,
					      BS4K, 3, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&pluns[4], NULL, 64, 512, 4,
					      TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&pluns[5], NULL, 64, 512, 5,
					      TEST_TARGET_ID), 0);
	/* RAM is thin by default, the caller's backing only when told */
	ck_assert(pluns[2].thin && pluns[3].thin && !pluns[4].thin);
	pluns[0].thin = pluns[1].thin = pluns[5].thin = true;
	pluns[5].write_protect = true;
	tdesc.luns = pluns;
	tdesc.nluns = 6;
}

static void provision_teardown(void)
{
	free(ram512);
	free(ram4k);
	ram512 = ram4k = NULL;
	scsi_fixture_teardown();
}

struct desc {
	uint64_t lba;
	uint32_t nblk;
};

/* An UNMAP parameter list with consistent lengths; returns its size. */
static uint32_t unmap_list(uint8_t *b, const struct desc *d, unsigned int n)
{
	uint32_t len = 8 + 16 * n;
	unsigned int i;
	int k;

	memset(b, 0, len);
	b[0] = (uint8_t)((len - 2) >> 8);
	b[1] = (uint8_t)(len - 2);
	b[2] = (uint8_t)((16 * n) >> 8);
	b[3] = (uint8_t)(16 * n);
	for (i = 0; i < n; i++) {
		uint8_t *p = b + 8 + 16 * i;

		for (k = 0; k < 8; k++)
			p[k] = (uint8_t)(d[i].lba >> (56 - 8 * k));
		for (k = 0; k < 4; k++)
			p[8 + k] = (uint8_t)(d[i].nblk >> (24 - 8 * k));
	}
	return len;
}

/*
 * UNMAP of @plen bytes of the list @list on @lun, the data out landed,
 * then scsi_task_data_out_done(). @cdb must outlive the task.
 */
static void run_unmap(struct scsi_task *t, uint8_t *cdb, unsigned int lun,
		      const uint8_t *list, uint16_t plen)
{
	memset(cdb, 0, 10);
	cdb[0] = 0x42;
	cdb[7] = (uint8_t)(plen >> 8);
	cdb[8] = (uint8_t)plen;
	run_cdb(t, lun, cdb, 10, SCSI_DIR_OUT, plen);
	ck_assert_uint_eq(t->status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t->dir, SCSI_DIR_OUT);
	ck_assert_uint_eq(t->len, plen);
	ck_assert_ptr_nonnull(t->buf);
	ck_io(t, SCSI_IO_NONE, 0, 0);	/* nothing known before the list */
	memcpy(t->buf, list, plen);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, t), 0);
}

static void ck_range(const struct scsi_task *t, unsigned int i, uint64_t lba,
		     uint32_t nblk)
{
	ck_assert_uint_lt(i, t->io.nranges);
	ck_assert_uint_eq(t->io.ranges[i].lba, lba);
	ck_assert_uint_eq(t->io.ranges[i].nblk, nblk);
}

START_TEST(test_unmap_ext)
{
	static const struct desc one[] = { { 10, 5 } };
	static const struct desc three[] = {
		{ 1000, 24 }, { 7, 0 }, { 0, 1 },
	};
	static const struct desc last4k[] = { { P1_BLOCKS - 2, 2 } };
	uint8_t list[128], c[10];
	struct scsi_task t;
	uint32_t n;

	/* what Linux sends: one descriptor in 24 bytes */
	n = unmap_list(list, one, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_io(&t, SCSI_IO_UNMAP, 0, 0);
	ck_assert_uint_eq(t.io.nranges, 1);
	ck_range(&t, 0, 10, 5);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	/* in order; an empty descriptor is dropped; the last blocks */
	n = unmap_list(list, three, 3);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_uint_eq(t.io.nranges, 2);
	ck_range(&t, 0, 1000, 24);
	ck_range(&t, 1, 0, 1);
	/* a second call changes nothing */
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, &t), 0);
	ck_assert_uint_eq(t.io.nranges, 2);
	ck_range(&t, 1, 0, 1);
	/* 4096-byte blocks */
	n = unmap_list(list, last4k, 1);
	run_unmap(&t, c, 1, list, (uint16_t)n);
	ck_io(&t, SCSI_IO_UNMAP, 0, 0);
	ck_range(&t, 0, P1_BLOCKS - 2, 2);
}
END_TEST

START_TEST(test_unmap_lengths)
{
	static const struct desc two[] = { { 1, 1 }, { 2, 2 } };
	uint8_t list[64], c[10];
	struct scsi_task t;
	uint16_t plen;

	/* no list: nothing to do, not an error */
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, &t), 0);
	ck_good_nodata(&t);
	/* a list too short for its header */
	for (plen = 1; plen < 8; plen++) {
		memset(c, 0, sizeof(c));
		c[0] = 0x42;
		c[8] = (uint8_t)plen;
		run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, plen);
		ck_sense(&t, 5, 0x1a, 0x00);
		ck_field(&t, 7, -1);
	}
	/* just the header */
	plen = (uint16_t)unmap_list(list, two, 0);
	run_unmap(&t, c, 0, list, plen);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	/* the parameter list length cuts the second descriptor short */
	plen = (uint16_t)unmap_list(list, two, 2);
	run_unmap(&t, c, 0, list, plen - 1);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.io.nranges, 1);
	ck_range(&t, 0, 1, 1);
	/* so does a block descriptor data length of 31, or 16 */
	unmap_list(list, two, 2);
	list[3] = 31;
	run_unmap(&t, c, 0, list, plen);
	ck_assert_uint_eq(t.io.nranges, 1);
	list[3] = 16;
	run_unmap(&t, c, 0, list, plen);
	ck_assert_uint_eq(t.io.nranges, 1);
	/* and an UNMAP DATA LENGTH that stops inside it */
	unmap_list(list, two, 2);
	list[1] = 6 + 16 + 15;
	run_unmap(&t, c, 0, list, plen);
	ck_assert_uint_eq(t.io.nranges, 1);
	/* a descriptor data length past the list: what arrived counts */
	unmap_list(list, two, 2);
	list[2] = 0x01;
	run_unmap(&t, c, 0, list, plen);
	ck_assert_uint_eq(t.io.nranges, 2);
	/* UNMAP DATA LENGTH 0: no descriptor */
	unmap_list(list, two, 2);
	list[1] = 0;
	run_unmap(&t, c, 0, list, plen);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	/* described short of the parameter list length: nothing moves */
	memset(c, 0, sizeof(c));
	c[0] = 0x42;
	c[8] = 24;
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 23);
	ck_sense(&t, 5, 0x0e, 0x03);
	ck_assert(!t.out_pending);
}
END_TEST

/* INVALID FIELD IN PARAMETER LIST: SKS valid, C/D 0, byte @byte. */
static void ck_param(const struct scsi_task *t, unsigned int byte)
{
	ck_sense(t, 5, 0x26, 0x00);
	ck_assert_uint_eq(t->sense[15], 0x80);
	ck_assert_uint_eq(t->sense[16] << 8 | t->sense[17], byte);
	ck_io(t, SCSI_IO_NONE, 0, 0);
	ck_assert_uint_eq(t->io.nranges, 0);
}

START_TEST(test_unmap_too_many)
{
	struct desc d[64];
	uint8_t list[8 + 16 * 64], c[10];
	struct scsi_task t;
	unsigned int i;
	uint32_t n;

	for (i = 0; i < 64; i++) {
		d[i].lba = 2 * i;
		d[i].nblk = 1;
	}
	/* default: 16 descriptors */
	n = unmap_list(list, d, 16);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_uint_eq(t.io.nranges, 16);
	n = unmap_list(list, d, 17);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_param(&t, 2);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, n);
	/* the LUN's own limit */
	pluns[0].max_unmap_descs = 2;
	n = unmap_list(list, d, 3);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_param(&t, 2);
	/* a list larger than the task: a heap buffer, decoded in place */
	pluns[0].max_unmap_descs = 64;
	n = unmap_list(list, d, 64);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_ptr_ne(t.buf, t.small);
	ck_assert_uint_eq(t.io.nranges, 64);
	for (i = 0; i < 64; i++)
		ck_range(&t, i, 2 * i, 1);
	scsi_task_finish(&tdesc, &t);
	ck_assert_ptr_null(t.buf);
}
END_TEST

START_TEST(test_unmap_range)
{
	static const struct desc end[] = { { P0_BLOCKS - 4, 4 } };
	static const struct desc past[] = { { P0_BLOCKS - 4, 5 } };
	static const struct desc empty_end[] = { { P0_BLOCKS, 0 } };
	static const struct desc empty_past[] = { { P0_BLOCKS + 1, 0 } };
	static const struct desc wrap[] = { { 0xffffffffffffffffull, 2 } };
	static const struct desc good_then_bad[] = {
		{ 0, 8 }, { P0_BLOCKS, 1 },
	};
	static const struct desc over[] = { { 0, 60 }, { 100, 50 } };
	uint8_t list[64], c[10];
	struct scsi_task t;
	uint32_t n;

	n = unmap_list(list, end, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_range(&t, 0, P0_BLOCKS - 4, 4);
	n = unmap_list(list, past, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	n = unmap_list(list, empty_end, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	n = unmap_list(list, empty_past, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_sense(&t, 5, 0x21, 0x00);
	n = unmap_list(list, wrap, 1);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_sense(&t, 5, 0x21, 0x00);
	/* one bad descriptor fails the whole list */
	n = unmap_list(list, good_then_bad, 2);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_assert_uint_eq(t.io.nranges, 0);
	/* MAXIMUM UNMAP LBA COUNT counts all descriptors */
	pluns[0].max_unmap_blocks = 110;
	n = unmap_list(list, over, 2);
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_assert_uint_eq(t.io.nranges, 2);
	pluns[0].max_unmap_blocks = 109;
	run_unmap(&t, c, 0, list, (uint16_t)n);
	ck_param(&t, 8 + 16 + 8);
}
END_TEST

START_TEST(test_unmap_cdb)
{
	struct scsi_task t;

	/* not thin: the command does not exist there */
	RUN(&t, 4, SCSI_DIR_OUT, 24, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0);
	ck_sense(&t, 5, 0x20, 0x00);
	ck_no_sks(&t);
	/* ANCHOR: anchored state not supported */
	RUN(&t, 0, SCSI_DIR_OUT, 24, 0x42, 0x01, 0, 0, 0, 0, 0, 0, 24, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 0);
	RUN(&t, 5, SCSI_DIR_OUT, 24, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0);
	ck_sense(&t, 7, 0x27, 0x00);
	/* the opposite direction */
	RUN(&t, 0, SCSI_DIR_IN, 24, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0);
	ck_sense(&t, 5, 0x24, 0x00);
}
END_TEST

/* RAM zeroes exactly the ranges, in scsi_task_finish(). */
START_TEST(test_unmap_ram)
{
	static const struct desc d[] = { { 3, 2 }, { 10, 1 }, { 4, 2 } };
	static const struct desc d4k[] = { { P3_BLOCKS - 1, 1 } };
	uint8_t list[64], c[10];
	struct scsi_task t;
	uint32_t n, b;

	n = unmap_list(list, d, 3);
	run_unmap(&t, c, 2, list, (uint16_t)n);
	ck_assert_uint_eq(t.io.nranges, 3);
	ck_assert_uint_eq(ram512[3 * 512], 0xc2);	/* not yet */
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	for (b = 0; b < P2_BLOCKS; b++) {
		uint8_t want = (b >= 3 && b < 6) || b == 10 ? 0 : 0xc2;

		ck_assert_msg(ram512[b * 512] == want &&
			      ram512[b * 512 + 511] == want,
			      "block %u: %#x, want %#x", b, ram512[b * 512],
			      want);
	}
	n = unmap_list(list, d4k, 1);
	run_unmap(&t, c, 3, list, (uint16_t)n);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram4k[(P3_BLOCKS - 1) * BS4K - 1], 0xc3);
	ck_assert_uint_eq(ram4k[(P3_BLOCKS - 1) * BS4K], 0);
	ck_assert_uint_eq(ram4k[P3_BLOCKS * BS4K - 1], 0);
	/* a failed list zeroes nothing */
	n = unmap_list(list, d, 3);
	pluns[2].max_unmap_descs = 2;
	run_unmap(&t, c, 2, list, (uint16_t)n);
	ck_param(&t, 2);
	memset(ram512, 0xc2, P2_BLOCKS * 512);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram512[3 * 512], 0xc2);
}
END_TEST

/* A caller that skipped scsi_task_data_out_done(). */
START_TEST(test_finish_without_data_out_done)
{
	static const struct desc d[] = { { 1, 1 } };
	uint8_t list[32], c[10];
	struct scsi_task t;
	uint32_t n = unmap_list(list, d, 1);

	memset(c, 0, sizeof(c));
	c[0] = 0x42;
	c[8] = (uint8_t)n;
	/* RAM: finish takes the list in and zeroes */
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, n);
	memcpy(t.buf, list, n);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(ram512[512], 0);
	ck_assert_uint_eq(ram512[0], 0xc2);
	/* the caller's backing: never a success that did nothing */
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, n);
	memcpy(t.buf, list, n);
	scsi_task_finish(&tdesc, &t);
	ck_sense(&t, 4, 0x44, 0x00);
	/* NULL arguments */
	ck_assert_int_eq(scsi_task_data_out_done(NULL, &t), -EINVAL);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, NULL), -EINVAL);
}
END_TEST

/* After a WRITE or READ it does nothing. */
START_TEST(test_data_out_done_noop)
{
	uint8_t c[10];
	struct scsi_task t;

	cdb10(c, 0x2a, 0x08, 5, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, &t), 0);
	ck_ext(&t, SCSI_DIR_OUT, 512);
	ck_io(&t, SCSI_IO_WRITE, 5, 1);
	ck_assert(t.io.fua);
	cdb10(c, 0x2a, 0, 5, 1);
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, 512);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, &t), 0);
	ck_assert_ptr_eq(t.buf, ram512 + 5 * 512);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
}
END_TEST

START_TEST(test_write_same_ext)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb16(c, 0x93, 0x00, 100, 8);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_int_eq(t.dir, SCSI_DIR_OUT);
	ck_assert_uint_eq(t.len, 512);
	ck_assert_ptr_eq(t.buf, t.small);
	ck_io(&t, SCSI_IO_WRITE_SAME, 100, 8);
	ck_assert(!t.io.unmap);
	memset(t.buf, 0x5a, 512);
	ck_assert_int_eq(scsi_task_data_out_done(&tdesc, &t), 0);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert(!t.io.zero);
	ck_assert_ptr_eq(t.buf, t.small);	/* the pattern stays */
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	/* what Linux sends for write zeroes: a zero block */
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	memset(t.buf, 0, 512);
	scsi_task_data_out_done(&tdesc, &t);
	ck_assert(t.io.zero);
	/* a single non-zero byte at the end */
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	memset(t.buf, 0, 512);
	t.buf[511] = 1;
	scsi_task_data_out_done(&tdesc, &t);
	ck_assert(!t.io.zero);
	/* WRITE SAME(10) with UNMAP, for discards */
	cdb10(c, 0x41, 0x08, 7, 9);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_io(&t, SCSI_IO_WRITE_SAME, 7, 9);
	ck_assert(t.io.unmap);
	/* NDOB: no data out, zeros */
	cdb16(c, 0x93, 0x09, 3, 4);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_WRITE_SAME, 3, 4);
	ck_assert(t.io.zero && t.io.unmap);
	/* 4096-byte blocks: one block does not fit the task */
	cdb16(c, 0x93, 0x00, P1_BLOCKS - 1, 1);
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, BS4K);
	ck_assert_uint_eq(t.len, BS4K);
	ck_assert_ptr_nonnull(t.buf);
	ck_assert_ptr_ne(t.buf, t.small);
	ck_io(&t, SCSI_IO_WRITE_SAME, P1_BLOCKS - 1, 1);
	memset(t.buf, 0, BS4K);
	scsi_task_data_out_done(&tdesc, &t);
	ck_assert(t.io.zero);
	scsi_task_finish(&tdesc, &t);
	ck_assert_ptr_null(t.buf);
}
END_TEST

START_TEST(test_write_same_errors)
{
	uint8_t c[16];
	struct scsi_task t;

	/* WSNZ: 0 blocks is not "to the end" */
	cdb16(c, 0x93, 0, 0, 0);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 10, -1);
	cdb10(c, 0x41, 0, 0, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 7, -1);
	/* MAXIMUM WRITE SAME LENGTH */
	pluns[0].max_write_same_blocks = 16;
	cdb16(c, 0x93, 0, 0, 16);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	cdb16(c, 0x93, 0, 0, 17);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 10, -1);
	cdb16(c, 0x93, 0, P0_BLOCKS - 1, 2);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x21, 0x00);
	/* byte 1: WRPROTECT, ANCHOR, UNMAP off thin, obsolete bits */
	cdb16(c, 0x93, 0x20, 0, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_field(&t, 1, 7);
	cdb16(c, 0x93, 0x10, 0, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_field(&t, 1, 4);
	cdb16(c, 0x93, 0x08, 0, 1);
	run_cdb(&t, 4, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 3);
	cdb16(c, 0x93, 0x04, 0, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_field(&t, 1, 2);
	cdb10(c, 0x41, 0x02, 0, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_field(&t, 1, 1);
	cdb10(c, 0x41, 0x01, 0, 1);		/* no NDOB in the 10 */
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 0);
	/* without UNMAP a LUN that is not thin writes the same */
	cdb10(c, 0x41, 0x00, 0, 1);
	run_cdb(&t, 4, c, 10, SCSI_DIR_OUT, 512);
	ck_io(&t, SCSI_IO_WRITE_SAME, 0, 1);
	run_cdb(&t, 5, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 7, 0x27, 0x00);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 511);
	ck_sense(&t, 5, 0x0e, 0x03);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	ck_assert(!t.out_pending);
}
END_TEST

START_TEST(test_write_same_ram)
{
	uint8_t c[16];
	struct scsi_task t;
	uint32_t b, i;

	cdb10(c, 0x41, 0x00, 5, 3);
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, 512);
	ck_assert_ptr_eq(t.buf, t.small);	/* not the medium */
	for (i = 0; i < 512; i++)
		t.buf[i] = (uint8_t)i;
	scsi_task_data_out_done(&tdesc, &t);
	ck_assert_uint_eq(ram512[5 * 512 + 1], 0xc2);	/* not yet */
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	for (b = 4; b < 9; b++)
		for (i = 0; i < 512; i++)
			ck_assert_uint_eq(ram512[b * 512 + i],
					  b < 5 || b > 7 ? 0xc2 : (uint8_t)i);
	/* NDOB: zeros */
	cdb16(c, 0x93, 0x01, 6, 1);
	run_cdb(&t, 2, c, 16, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram512[6 * 512 + 1], 0);
	ck_assert_uint_eq(ram512[7 * 512 + 1], 1);
	/* UNMAP with a pattern still reads back as the pattern */
	cdb16(c, 0x93, 0x08, 20, 2);
	run_cdb(&t, 2, c, 16, SCSI_DIR_OUT, 512);
	memset(t.buf, 0x77, 512);
	scsi_task_data_out_done(&tdesc, &t);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram512[20 * 512], 0x77);
	ck_assert_uint_eq(ram512[22 * 512 - 1], 0x77);
	ck_assert_uint_eq(ram512[22 * 512], 0xc2);
	/* 4096-byte blocks, the last two */
	cdb16(c, 0x93, 0x00, P3_BLOCKS - 2, 2);
	run_cdb(&t, 3, c, 16, SCSI_DIR_OUT, BS4K);
	memset(t.buf, 0x11, BS4K);
	t.buf[BS4K - 1] = 0x22;
	scsi_task_data_out_done(&tdesc, &t);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram4k[(P3_BLOCKS - 2) * BS4K - 1], 0xc3);
	ck_assert_uint_eq(ram4k[(P3_BLOCKS - 2) * BS4K], 0x11);
	ck_assert_uint_eq(ram4k[(P3_BLOCKS - 1) * BS4K - 1], 0x22);
	ck_assert_uint_eq(ram4k[P3_BLOCKS * BS4K - 1], 0x22);
	/* a zero block takes the memset path, same result */
	cdb10(c, 0x41, 0x00, 30, 2);
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, 512);
	memset(t.buf, 0, 512);
	scsi_task_data_out_done(&tdesc, &t);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(ram512[30 * 512], 0);
	ck_assert_uint_eq(ram512[32 * 512 - 1], 0);
	ck_assert_uint_eq(ram512[32 * 512], 0xc2);
	/* a task that failed after its data out writes nothing */
	cdb10(c, 0x41, 0x00, 40, 2);
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, 512);
	memset(t.buf, 0x99, 512);
	scsi_task_data_out_done(&tdesc, &t);
	scsi_task_backend_failed(&t, -EIO);
	scsi_task_finish(&tdesc, &t);
	ck_sense(&t, 3, 0x0c, 0x00);
	ck_assert_uint_eq(ram512[40 * 512], 0xc2);
}
END_TEST

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* What sd reads to decide on discard and write zeroes. */
START_TEST(test_provisioning_pages)
{
	static const uint8_t b2_thin[8] = {
		0x00, 0xb2, 0x00, 0x04, 0x00, 0xe0, 0x02, 0x00,
	};
	static const uint8_t b2_full[8] = {
		0x00, 0xb2, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	};
	struct scsi_task t;

	/* thin, 4096-byte blocks: 64 MiB = 16384 blocks, granularity 1 */
	RUN(&t, 1, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[4], 0x01);			/* WSNZ */
	ck_assert_uint_eq(be32(t.buf + 20), 16384);
	ck_assert_uint_eq(be32(t.buf + 24), 16);
	ck_assert_uint_eq(be32(t.buf + 28), 1);
	ck_assert_uint_eq(be32(t.buf + 32), 0);		/* UGAVALID 0 */
	ck_assert_uint_eq(be32(t.buf + 36), 0);
	ck_assert_uint_eq(be32(t.buf + 40), 16384);
	/* the LUN's own limits, the descriptor count clamped */
	pluns[0].max_unmap_blocks = 1000;
	pluns[0].max_unmap_descs = 100000;
	pluns[0].unmap_granularity = 16;
	pluns[0].max_write_same_blocks = 2000;
	RUN(&t, 0, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_assert_uint_eq(be32(t.buf + 20), 1000);
	ck_assert_uint_eq(be32(t.buf + 24), 4095);
	ck_assert_uint_eq(be32(t.buf + 28), 16);
	ck_assert_uint_eq(be32(t.buf + 40), 2000);
	/* not thin: no unmap limits, WRITE SAME all the same */
	RUN(&t, 4, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_assert_uint_eq(be32(t.buf + 20), 0);
	ck_assert_uint_eq(be32(t.buf + 24), 0);
	ck_assert_uint_eq(be32(t.buf + 28), 0);
	ck_assert_uint_eq(be32(t.buf + 40), 131072);
	/* 0xB2 */
	RUN(&t, 0, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb2, 0x00, 0x40, 0x00);
	ck_data(&t, b2_thin, 8);
	RUN(&t, 3, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb2, 0x00, 0x40, 0x00);
	ck_data(&t, b2_thin, 8);
	RUN(&t, 4, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb2, 0x00, 0x40, 0x00);
	ck_data(&t, b2_full, 8);
	/* READ CAPACITY(16): LBPME when thin, LBPRZ never */
	RUN(&t, 1, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 32, 0, 0);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[14], 0x80);
	RUN(&t, 4, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 32, 0, 0);
	ck_assert_uint_eq(t.buf[14], 0x00);
}
END_TEST

TCase *tcase_provision(void)
{
	TCase *tc = tcase_create("provision");

	tcase_add_checked_fixture(tc, provision_setup, provision_teardown);
	tcase_add_test(tc, test_unmap_ext);
	tcase_add_test(tc, test_unmap_lengths);
	tcase_add_test(tc, test_unmap_too_many);
	tcase_add_test(tc, test_unmap_range);
	tcase_add_test(tc, test_unmap_cdb);
	tcase_add_test(tc, test_unmap_ram);
	tcase_add_test(tc, test_finish_without_data_out_done);
	tcase_add_test(tc, test_data_out_done_noop);
	tcase_add_test(tc, test_write_same_ext);
	tcase_add_test(tc, test_write_same_errors);
	tcase_add_test(tc, test_write_same_ram);
	tcase_add_test(tc, test_provisioning_pages);
	return tc;
}
