/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * READ and WRITE (6/10/16): the data phase points straight into the
 * LUN's memory; range, length, protection and direction checks.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* MAP_ANONYMOUS, MAP_NORESERVE */
#endif
#include <stdio.h>
#include <sys/mman.h>

#include "scsi-test.h"

static void ck_ram(const struct scsi_task *t, unsigned int lun, uint64_t lba,
		   enum scsi_dir dir, uint32_t len)
{
	ck_assert_uint_eq(t->status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t->sense_len, 0);
	ck_assert_int_eq(t->dir, dir);
	ck_assert_uint_eq(t->len, len);
	ck_assert_ptr_eq(t->buf, tluns[lun].data + lba * 512);
}

START_TEST(test_read10_pointer)
{
	uint8_t c[10];
	struct scsi_task t;

	cdb10(c, 0x28, 0, 16, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 4096);
	ck_ram(&t, 0, 16, SCSI_DIR_IN, 4096);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	/* finish leaves a RAM data phase alone */
	ck_assert_ptr_eq(t.buf, tluns[0].data + 16 * 512);
	ck_assert_uint_eq(t.status, 0);
	/* the other LUNs have their own memory */
	cdb10(c, 0x28, 0, 3, 1);
	run_cdb(&t, 2, c, 10, SCSI_DIR_IN, 512);
	ck_ram(&t, 2, 3, SCSI_DIR_IN, 512);
	ck_assert_uint_eq(t.buf[0], 0xa2);
}
END_TEST

START_TEST(test_write10_lands_in_ram)
{
	uint8_t c[10];
	struct scsi_task t;

	cdb10(c, 0x2a, 0, 100, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_ram(&t, 0, 100, SCSI_DIR_OUT, 1024);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	memset(t.buf, 0x3c, t.len);	/* the RDMA READ */
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(tluns[0].data[100 * 512 - 1], 0xa0);
	ck_assert_uint_eq(tluns[0].data[100 * 512], 0x3c);
	ck_assert_uint_eq(tluns[0].data[102 * 512 - 1], 0x3c);
	ck_assert_uint_eq(tluns[0].data[102 * 512], 0xa0);
	/* and reads back */
	cdb10(c, 0x28, 0, 101, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 512);
	ck_assert_uint_eq(t.buf[511], 0x3c);
}
END_TEST

START_TEST(test_rw6)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 512, 0x08, 0x00, 0x01, 0x02, 0x01, 0x00);
	ck_ram(&t, 0, 0x102, SCSI_DIR_IN, 512);
	/* length 0 means 256 blocks */
	RUN(&t, 0, SCSI_DIR_IN, 256 * 512, 0x08, 0x00, 0x00, 0x00, 0x00, 0);
	ck_ram(&t, 0, 0, SCSI_DIR_IN, 256 * 512);
	RUN(&t, 0, SCSI_DIR_OUT, 256 * 512, 0x0a, 0x00, 0x03, 0x00, 0x00, 0);
	ck_ram(&t, 0, 768, SCSI_DIR_OUT, 256 * 512);
	/* 768 + 256 = 1024: the end; 769 + 256 is past it */
	RUN(&t, 0, SCSI_DIR_OUT, 256 * 512, 0x0a, 0x00, 0x03, 0x01, 0x00, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_no_sks(&t);
	/* 21-bit LBA */
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x08, 0x1f, 0xff, 0xff, 0x01, 0x00);
	ck_sense(&t, 5, 0x21, 0x00);
	/* bits 7-5 of byte 1 (the old LUN field) are not LBA bits */
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x08, 0xe0, 0x00, 0x05, 0x01, 0x00);
	ck_ram(&t, 0, 5, SCSI_DIR_IN, 512);
}
END_TEST

START_TEST(test_rw16)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb16(c, 0x88, 0x18, 1023, 1);	/* DPO + FUA accepted */
	run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 512);
	ck_ram(&t, 0, 1023, SCSI_DIR_IN, 512);
	cdb16(c, 0x8a, 0x08, 1000, 24);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 24 * 512);
	ck_ram(&t, 0, 1000, SCSI_DIR_OUT, 24 * 512);
	cdb16(c, 0x8a, 0, 1000, 25);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 25 * 512);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 25 * 512);
}
END_TEST

START_TEST(test_boundaries)
{
	uint8_t c[16];
	struct scsi_task t;

	/* last block */
	cdb10(c, 0x28, 0, 1023, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 512);
	ck_ram(&t, 0, 1023, SCSI_DIR_IN, 512);
	/* one past */
	cdb10(c, 0x28, 0, 1024, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 512);
	ck_sense(&t, 5, 0x21, 0x00);
	/* straddling the end */
	cdb10(c, 0x2a, 0, 1023, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_sense(&t, 5, 0x21, 0x00);
	/* length 0: nothing moves; the LBA still has to exist */
	cdb10(c, 0x28, 0, 1023, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	cdb10(c, 0x28, 0, 1024, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb10(c, 0x2a, 0, 0, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 512);
	/* lba + len wraps around 2^64 */
	cdb16(c, 0x88, 0, 0xffffffffffffffffull, 2);
	run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 1024);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x88, 0, 0xffffffffffffff00ull, 0x100);
	run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 0x100 * 512);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x8a, 0, 0xfffffffffffffc01ull, 0x3ff);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 0x3ff * 512);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x88, 0, 0xffffffffffffffffull, 0);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x88, 0, 1ull << 32, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 512);
	ck_sense(&t, 5, 0x21, 0x00);
}
END_TEST

START_TEST(test_protect_fields)
{
	static const uint8_t flags[] = { 0x20, 0x40, 0x60, 0x80, 0xe0 };
	uint8_t c[16];
	struct scsi_task t;
	unsigned int i;

	for (i = 0; i < sizeof(flags); i++) {
		cdb10(c, 0x28, flags[i], 0, 1);
		run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 512);
		ck_sense(&t, 5, 0x24, 0x00);
		ck_field(&t, 1, 7);
		cdb10(c, 0x2a, flags[i], 0, 1);
		run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
		ck_sense(&t, 5, 0x24, 0x00);
		ck_field(&t, 1, 7);
		cdb16(c, 0x88, flags[i], 0, 1);
		run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 512);
		ck_sense(&t, 5, 0x24, 0x00);
		cdb16(c, 0x8a, flags[i], 0, 1);
		run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
		ck_sense(&t, 5, 0x24, 0x00);
		ck_field(&t, 1, 7);
	}
	/* checked before the range */
	cdb16(c, 0x88, 0x20, 1ull << 40, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_IN, 512);
	ck_sense(&t, 5, 0x24, 0x00);
}
END_TEST

START_TEST(test_max_transfer)
{
	uint8_t c[16];
	struct scsi_task t;

	/* default 4 MiB = 8192 blocks, checked before the range */
	cdb10(c, 0x28, 0, 0, 8193);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 8193 * 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 7, -1);
	cdb16(c, 0x8a, 0, 0, 0xffffffffu);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 0xffffffffu);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 10, -1);

	tdesc.max_xfer_bytes = 4096;
	cdb10(c, 0x28, 0, 0, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 4096);
	ck_ram(&t, 0, 0, SCSI_DIR_IN, 4096);
	cdb10(c, 0x2a, 0, 0, 9);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 9 * 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 7, -1);
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 4, -1);
}
END_TEST

START_TEST(test_write_protect)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2a, 0, 0, 1);
	run_cdb(&t, 1, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 7, 0x27, 0x00);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 512);
	cdb16(c, 0x8a, 0, 63, 1);
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 7, 0x27, 0x00);
	RUN(&t, 1, SCSI_DIR_OUT, 512, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00);
	ck_sense(&t, 7, 0x27, 0x00);
	/* reads are fine */
	cdb10(c, 0x28, 0, 63, 1);
	run_cdb(&t, 1, c, 10, SCSI_DIR_IN, 512);
	ck_ram(&t, 1, 63, SCSI_DIR_IN, 512);
	/* a bad range is reported first */
	cdb10(c, 0x2a, 0, 64, 1);
	run_cdb(&t, 1, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x21, 0x00);
	/* cleared: writable again */
	tluns[1].write_protect = false;
	cdb10(c, 0x2a, 0, 0, 1);
	run_cdb(&t, 1, c, 10, SCSI_DIR_OUT, 512);
	ck_ram(&t, 1, 0, SCSI_DIR_OUT, 512);
}
END_TEST

/* SAM-5 residuals against the descriptor length */
START_TEST(test_read_residuals)
{
	uint8_t c[10];
	struct scsi_task t;

	/* short buffer: move what fits, report overflow */
	cdb10(c, 0x28, 0, 8, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 1000);
	ck_ram(&t, 0, 8, SCSI_DIR_IN, 1000);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 4096 - 1000);
	/* the transport is told the command's whole length */
	ck_assert_uint_eq(scsi_task_expected_len(&t), 4096);
	/* long buffer: underflow */
	cdb10(c, 0x28, 0, 8, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 4096);
	ck_ram(&t, 0, 8, SCSI_DIR_IN, 512);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 4096 - 512);
	ck_assert_uint_eq(scsi_task_expected_len(&t), 512);
	/* no buffer */
	cdb10(c, 0x28, 0, 8, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 4096);
	ck_assert_uint_eq(scsi_task_expected_len(&t), 4096);
}
END_TEST

/* A short data-out is rejected whole: never a half-written range. */
START_TEST(test_write_residuals)
{
	uint8_t c[10];
	struct scsi_task t;

	cdb10(c, 0x2a, 0, 8, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_sense(&t, 5, 0x0e, 0x03);
	ck_no_sks(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 1024);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x0e, 0x03);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* long data-out: take what the CDB names, report underflow */
	cdb10(c, 0x2a, 0, 8, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 4096);
	ck_ram(&t, 0, 8, SCSI_DIR_OUT, 512);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 4096 - 512);
}
END_TEST

/* A LUN past 2 TiB: READ(16) beyond 32-bit LBAs, no memory touched. */
START_TEST(test_huge_lun_pointer)
{
	uint64_t nblocks = (1ull << 32) + 16;
	size_t bytes = (size_t)nblocks * 512;
	uint8_t c[16];
	struct scsi_task t;
	void *mem;

	mem = mmap(NULL, bytes, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		/* no 2 TiB of address space here: say so, do not fail */
		fprintf(stderr, "%s: mmap failed, skipped\n", __func__);
		return;
	}
	ck_assert_int_eq(scsi_lun_init(&tluns[2], mem, bytes, 2,
				       TEST_TARGET_ID), 0);
	ck_assert_uint_eq(tluns[2].nblocks, nblocks);
	cdb16(c, 0x88, 0, nblocks - 1, 1);
	run_cdb(&t, 2, c, 16, SCSI_DIR_IN, 512);
	ck_ram(&t, 2, nblocks - 1, SCSI_DIR_IN, 512);
	cdb16(c, 0x8a, 0, 1ull << 32, 16);
	run_cdb(&t, 2, c, 16, SCSI_DIR_OUT, 16 * 512);
	ck_ram(&t, 2, 1ull << 32, SCSI_DIR_OUT, 16 * 512);
	cdb16(c, 0x88, 0, nblocks, 1);
	run_cdb(&t, 2, c, 16, SCSI_DIR_IN, 512);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x88, 0, nblocks - 1, 2);
	run_cdb(&t, 2, c, 16, SCSI_DIR_IN, 1024);
	ck_sense(&t, 5, 0x21, 0x00);
	munmap(mem, bytes);
}
END_TEST

/* Block sizes other than 512 scale the pointer, lengths and limits. */
START_TEST(test_block_size_4096)
{
	static const uint8_t rc10[8] = {
		0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x10, 0x00,
	};
	static const uint8_t bl[12] = {
		0x00, 0xb0, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x04, 0x00,
	};
	static const uint8_t ms[12] = {
		0x1f, 0x00, 0x10, 0x08,
		0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x10, 0x00,
	};
	uint8_t c[10];
	struct scsi_task t;

	tluns[0].block_size = 4096;
	tluns[0].nblocks = LUN0_BLOCKS / 8;
	cdb10(c, 0x28, 0, 3, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 8192);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, 8192);
	ck_assert_ptr_eq(t.buf, tluns[0].data + 3 * 4096);
	cdb10(c, 0x2a, 0, 127, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 4096);
	ck_assert_ptr_eq(t.buf, tluns[0].data + 127 * 4096);
	cdb10(c, 0x2a, 0, 127, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 8192);
	ck_sense(&t, 5, 0x21, 0x00);
	RUN(&t, 0, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, rc10, 8);
	RUN(&t, 0, SCSI_DIR_IN, 12, 0x12, 0x01, 0xb0, 0x00, 0x0c, 0x00);
	ck_data(&t, bl, 12);
	RUN(&t, 0, SCSI_DIR_IN, 12, 0x1a, 0x00, 0x08, 0x00, 0x0c, 0x00);
	ck_data(&t, ms, 12);
	/* 4 MiB is 1024 blocks of 4 KiB */
	cdb10(c, 0x28, 0, 0, 1025);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 1025 * 4096);
	ck_sense(&t, 5, 0x24, 0x00);
}
END_TEST

/* scsi_rw_covers (srpt-ramdisk --stall-lun) picks commands by range. */
START_TEST(test_rw_covers)
{
	uint8_t r10[16] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 8 };
	uint8_t w16[16] = { 0x8a, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 };
	uint8_t r6[16] = { 0x08, 0, 0, 4, 0 };	/* 0 blocks means 256 */
	uint8_t tur[16] = { 0x00 };

	ck_assert(!scsi_rw_covers(r10, 0x0fff));
	ck_assert(scsi_rw_covers(r10, 0x1000));
	ck_assert(scsi_rw_covers(r10, 0x1007));
	ck_assert(!scsi_rw_covers(r10, 0x1008));
	ck_assert(scsi_rw_covers(w16, 1ull << 32));
	ck_assert(scsi_rw_covers(w16, (1ull << 32) + 1));
	ck_assert(!scsi_rw_covers(w16, (1ull << 32) + 2));
	ck_assert(scsi_rw_covers(r6, 4 + 255));
	ck_assert(!scsi_rw_covers(r6, 4 + 256));
	ck_assert(!scsi_rw_covers(tur, 0));
	r10[0] = 0x2f;	/* VERIFY(10) moves nothing */
	ck_assert(!scsi_rw_covers(r10, 0x1000));
}
END_TEST

TCase *tcase_rw(void)
{
	TCase *tc = scsi_tcase("rw");

	tcase_add_test(tc, test_read10_pointer);
	tcase_add_test(tc, test_write10_lands_in_ram);
	tcase_add_test(tc, test_rw6);
	tcase_add_test(tc, test_rw16);
	tcase_add_test(tc, test_boundaries);
	tcase_add_test(tc, test_protect_fields);
	tcase_add_test(tc, test_max_transfer);
	tcase_add_test(tc, test_write_protect);
	tcase_add_test(tc, test_read_residuals);
	tcase_add_test(tc, test_write_residuals);
	tcase_add_test(tc, test_huge_lun_pointer);
	tcase_add_test(tc, test_block_size_4096);
	tcase_add_test(tc, test_rw_covers);
	return tc;
}
