/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * VERIFY(10/16) with and without BYTCHK, SYNCHRONIZE CACHE(10/16).
 */
#include "scsi-test.h"

START_TEST(test_verify_no_bytchk)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2f, 0x00, 1000, 24);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	scsi_task_finish(&tdesc, &t);
	ck_good_nodata(&t);
	cdb10(c, 0x2f, 0x10, 1000, 25);	/* DPO */
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	/* no transfer, so no transfer-length limit */
	cdb16(c, 0x8f, 0x00, 0, 1024);
	tdesc.max_xfer_bytes = 512;
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	cdb16(c, 0x8f, 0x00, 0xffffffffffffff00ull, 0x100);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	/* a write-protected LUN verifies */
	cdb10(c, 0x2f, 0x00, 0, 64);
	run_cdb(&t, 1, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_verify_bytchk_match)
{
	uint8_t c[16];
	struct scsi_task t;

	/* 2 blocks: a heap buffer, not the medium */
	cdb10(c, 0x2f, 0x02, 10, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_int_eq(t.dir, SCSI_DIR_OUT);
	ck_assert_uint_eq(t.len, 1024);
	ck_assert_ptr_nonnull(t.buf);
	ck_assert(t.buf + 1024 <= tluns[0].data ||
		  t.buf >= tluns[0].data + LUN0_BLOCKS * 512);
	memcpy(t.buf, tluns[0].data + 10 * 512, 1024);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.sense_len, 0);
	ck_assert_ptr_null(t.buf);
	/* 1 block: fits the task */
	cdb16(c, 0x8f, 0x02, 1023, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_ptr_eq(t.buf, t.small);
	memcpy(t.buf, tluns[0].data + 1023 * 512, 512);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, 0);
}
END_TEST

static void ck_miscompare(const struct scsi_task *t, uint32_t off)
{
	ck_assert_uint_eq(t->status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t->sense_len, 18);
	ck_assert_uint_eq(t->sense[0], 0xf0);	/* VALID: INFORMATION */
	ck_assert_uint_eq(t->sense[2], 0x0e);
	ck_assert_uint_eq(t->sense[3], (off >> 24) & 0xff);
	ck_assert_uint_eq(t->sense[4], (off >> 16) & 0xff);
	ck_assert_uint_eq(t->sense[5], (off >> 8) & 0xff);
	ck_assert_uint_eq(t->sense[6], off & 0xff);
	ck_assert_uint_eq(t->sense[7], 10);
	ck_assert_uint_eq(t->sense[12], 0x1d);
	ck_assert_uint_eq(t->sense[13], 0x00);
}

START_TEST(test_verify_bytchk_miscompare)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2f, 0x02, 10, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	memcpy(t.buf, tluns[0].data + 10 * 512, 1024);
	t.buf[700] ^= 1;
	t.buf[900] ^= 1;
	scsi_task_finish(&tdesc, &t);
	ck_miscompare(&t, 700);
	/* the medium is untouched */
	ck_assert_uint_eq(tluns[0].data[10 * 512 + 700], 0xa0);

	cdb16(c, 0x8f, 0x02, 0, 1);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	memset(t.buf, 0, 512);
	scsi_task_finish(&tdesc, &t);
	ck_miscompare(&t, 0);
}
END_TEST

/* BYTCHK 11b: one block of data-out against every block in the range. */
START_TEST(test_verify_bytchk_single_block)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2f, 0x06, 20, 4);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, 512);
	memset(t.buf, 0xa0, 512);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, 0);

	tluns[0].data[22 * 512 + 5] = 0;
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	memset(t.buf, 0xa0, 512);
	scsi_task_finish(&tdesc, &t);
	ck_miscompare(&t, 2 * 512 + 5);
	/* limited by the maximum transfer length, like BYTCHK 01b */
	tdesc.max_xfer_bytes = 4096;
	cdb16(c, 0x8f, 0x06, 0, 8);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_assert_uint_eq(t.status, 0);
	scsi_task_release(&t);
	ck_assert_ptr_null(t.heap);
	cdb16(c, 0x8f, 0x06, 0, 9);
	run_cdb(&t, 0, c, 16, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 10, -1);
}
END_TEST

START_TEST(test_verify_errors)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2f, 0x04, 0, 1);		/* BYTCHK 10b */
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 2);
	cdb16(c, 0x8f, 0x20, 0, 1);		/* VRPROTECT */
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 7);
	/* data-out described short of the CDB */
	cdb10(c, 0x2f, 0x02, 0, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x0e, 0x03);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x0e, 0x03);
	/* data-in descriptors */
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 1024);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_no_sks(&t);
	/* BYTCHK 01b is a transfer: limited */
	tdesc.max_xfer_bytes = 512;
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 7, -1);
	/* length 0 with BYTCHK: nothing to compare */
	cdb10(c, 0x2f, 0x02, 5, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 512);
	scsi_task_finish(&tdesc, &t);
	ck_good_nodata(&t);
	/* out of range */
	cdb10(c, 0x2f, 0x02, 1024, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x21, 0x00);
}
END_TEST

START_TEST(test_sync_cache)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x35, 0x00, 0, 0);		/* whole medium */
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	cdb10(c, 0x35, 0x02, 1023, 0);		/* IMMED, to the end */
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	cdb10(c, 0x35, 0x00, 1024, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb10(c, 0x35, 0x00, 1000, 24);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	cdb10(c, 0x35, 0x00, 1000, 25);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x91, 0x00, 0, 1024);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	cdb16(c, 0x91, 0x00, 0xffffffffffffffffull, 2);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb16(c, 0x91, 0x00, 1ull << 32, 0);
	run_cdb(&t, 0, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	/* on a write-protected LUN too */
	cdb16(c, 0x91, 0x00, 0, 0);
	run_cdb(&t, 1, c, 16, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
}
END_TEST

TCase *tcase_verify_sync(void)
{
	TCase *tc = scsi_tcase("verify_sync");

	tcase_add_test(tc, test_verify_no_bytchk);
	tcase_add_test(tc, test_verify_bytchk_match);
	tcase_add_test(tc, test_verify_bytchk_miscompare);
	tcase_add_test(tc, test_verify_bytchk_single_block);
	tcase_add_test(tc, test_verify_errors);
	tcase_add_test(tc, test_sync_cache);
	return tc;
}
