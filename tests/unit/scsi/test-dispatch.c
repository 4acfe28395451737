/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Dispatch, CDB control byte, unknown LUNs, TEST UNIT READY,
 * START STOP UNIT, REQUEST SENSE and the data-phase residual rules.
 */
#include <errno.h>

#include "scsi-test.h"

START_TEST(test_tur_good)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	ck_good_nodata(&t);
}
END_TEST

/* A command without data and a described buffer: all of it unused. */
START_TEST(test_tur_with_buffer_underflows)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_OUT, 100, 0x00, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 100);
	RUN(&t, 0, SCSI_DIR_IN, 36, 0x00, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 36);
}
END_TEST

START_TEST(test_start_stop_unit)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x1b, 0, 0, 0, 0x01, 0);
	ck_good_nodata(&t);
	RUN(&t, 2, SCSI_DIR_NONE, 0, 0x1b, 0x01, 0, 0, 0x00, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_unknown_lun)
{
	static const uint8_t cdbs[][16] = {
		{ 0x00 },				/* TUR */
		{ 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 },	/* READ */
		{ 0x25 },				/* RC10 */
		{ 0x1a, 0, 0x3f, 0, 0xff, 0 },		/* MODE SENSE */
		{ 0x35 },				/* SYNC */
		{ 0x1b, 0, 0, 0, 1, 0 },		/* SSU */
		{ 0xa3, 0x0c, 0x01, 0x12 },		/* unsupported */
		{ 0x42 },				/* UNMAP */
	};
	static const uint8_t bad[][8] = {
		{ 0x00, 0x03 },		/* peripheral, past the last */
		{ 0x40, 0x07 },		/* flat, past the last */
		{ 0x01, 0x00 },		/* peripheral, bus 1 */
		{ 0x80, 0x00 },		/* logical unit addressing */
		{ 0xc1, 0x01 },		/* extended: well-known LU */
		{ 0x00, 0x00, 0x00, 0x01 }, /* second level */
	};
	struct scsi_task t;
	unsigned int i, j;

	for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		for (i = 0; i < sizeof(cdbs) / sizeof(cdbs[0]); i++) {
			run_cdb_lun8(&t, bad[j], cdbs[i], 16, SCSI_DIR_IN, 512);
			ck_sense(&t, 5, 0x25, 0x00);
			ck_no_sks(&t);
			ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 512);
			scsi_task_finish(&tdesc, &t);
		}
	}
	/* No LUN pointer at all */
	run_cdb_lun8(&t, NULL, cdbs[0], 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x25, 0x00);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
}
END_TEST

START_TEST(test_every_unsupported_opcode)
{
	static const uint8_t supported[] = {
		0x00, 0x03, 0x08, 0x0a, 0x12, 0x1a, 0x1b, 0x25, 0x28, 0x2a,
		0x2f, 0x35, 0x41, 0x42, 0x5a, 0x88, 0x8a, 0x8f, 0x91, 0x93,
		0x9e, 0xa0,
	};
	uint8_t cdb[16] = { 0 };
	struct scsi_task t;
	unsigned int op, i, n = 0;

	for (op = 0; op < 256; op++) {
		bool sup = false;

		for (i = 0; i < sizeof(supported); i++)
			sup |= supported[i] == op;
		if (sup)
			continue;
		cdb[0] = (uint8_t)op;
		run_cdb(&t, 0, cdb, sizeof(cdb), SCSI_DIR_NONE, 0);
		ck_sense(&t, 5, 0x20, 0x00);
		ck_no_sks(&t);
		n++;
	}
	ck_assert_uint_eq(n, 256 - sizeof(supported));
}
END_TEST

/* sd asks REPORT SUPPORTED OPERATION CODES; it is not implemented. */
START_TEST(test_report_supported_opcodes_unsupported)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 512, 0xa3, 0x0c, 0x01, 0x12, 0, 0, 0, 0,
	    0x02, 0x00, 0, 0);
	ck_sense(&t, 5, 0x20, 0x00);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 512);
}
END_TEST

START_TEST(test_control_byte)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0x04);	/* NACA */
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 5, 2);
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0x01);	/* LINK */
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 5, 0);
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x04);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 9, 2);
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 1, 0, 0x04);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 15, 2);
	RUN(&t, 0, SCSI_DIR_IN, 64, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0,
	    0x04);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 11, 2);
	/* Vendor-specific control bits are ignored. */
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0xc0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_short_and_missing_cdb)
{
	static const uint8_t inq[] = { 0x12, 0, 0, 0, 36, 0 };
	static const uint8_t rd16[16] = { 0x88 };
	struct scsi_task t;

	run_cdb(&t, 0, inq, 5, SCSI_DIR_IN, 36);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_no_sks(&t);
	run_cdb(&t, 0, rd16, 10, SCSI_DIR_IN, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	run_cdb(&t, 0, NULL, 16, SCSI_DIR_IN, 36);
	ck_sense(&t, 5, 0x24, 0x00);
	run_cdb(&t, 0, inq, 0, SCSI_DIR_IN, 36);
	ck_sense(&t, 5, 0x24, 0x00);
	/* Longer than needed (SRP always sends 16 bytes) is fine. */
	run_cdb(&t, 0, rd16, 16, SCSI_DIR_IN, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_null_args)
{
	struct scsi_task t;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(scsi_task_start(NULL, &t), -EINVAL);
	ck_assert_int_eq(scsi_task_start(&tdesc, NULL), -EINVAL);
	scsi_task_finish(&tdesc, NULL);
	scsi_task_release(NULL);
}
END_TEST

START_TEST(test_request_sense_fixed)
{
	static const uint8_t exp[18] = {
		0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 18, 0x03, 0, 0, 0, 18, 0);
	ck_data(&t, exp, 18);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	RUN(&t, 0, SCSI_DIR_IN, 252, 0x03, 0, 0, 0, 252, 0);
	ck_data(&t, exp, 18);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 234);
	RUN(&t, 0, SCSI_DIR_IN, 8, 0x03, 0, 0, 0, 8, 0);
	ck_data(&t, exp, 8);
	RUN(&t, 0, SCSI_DIR_IN, 0, 0x03, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
}
END_TEST

START_TEST(test_request_sense_desc)
{
	static const uint8_t exp[8] = { 0x72, 0, 0, 0, 0, 0, 0, 0 };
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 252, 0x03, 0x01, 0, 0, 252, 0);
	ck_data(&t, exp, 8);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 244);
}
END_TEST

/* SAM-5: GOOD, with LOGICAL UNIT NOT SUPPORTED as the parameter data. */
START_TEST(test_request_sense_unknown_lun)
{
	static const uint8_t fixed[18] = {
		0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x25, 0x00,
	};
	static const uint8_t desc[8] = { 0x72, 0x05, 0x25, 0x00 };
	struct scsi_task t;

	RUN(&t, NO_LUN, SCSI_DIR_IN, 18, 0x03, 0, 0, 0, 18, 0);
	ck_data(&t, fixed, 18);
	RUN(&t, NO_LUN, SCSI_DIR_IN, 18, 0x03, 0x01, 0, 0, 18, 0);
	ck_data(&t, desc, 8);
}
END_TEST

/* The direction of the descriptors must match the command's. */
START_TEST(test_direction_mismatch)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_OUT, 512, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_no_sks(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_OUT, 512);
	RUN(&t, 0, SCSI_DIR_IN, 512, 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 512);
	RUN(&t, 0, SCSI_DIR_OUT, 36, 0x12, 0, 0, 0, 36, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	RUN(&t, 0, SCSI_DIR_OUT, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 32, 0, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	/* A zero-length descriptor counts as none. */
	RUN(&t, 0, SCSI_DIR_OUT, 0, 0x12, 0, 0, 0, 36, 0);
	ck_assert_uint_eq(t.status, 0);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 36);
}
END_TEST

/* Generated data: the transfer is min(allocation, available, init_len). */
START_TEST(test_residual_generated)
{
	struct scsi_task t;

	/* 96 bytes available, 254 allowed, 254 described: underflow 158 */
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0, 0, 0, 0xfe, 0);
	ck_assert_uint_eq(t.len, 96);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 158);
	/* allocation 96, described 36: overflow 60, 36 moved */
	RUN(&t, 0, SCSI_DIR_IN, 36, 0x12, 0, 0, 0, 0x60, 0);
	ck_assert_uint_eq(t.len, 36);
	ck_assert_uint_eq(t.status, 0);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 60);
	/* allocation 36, described 96: underflow 60 */
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x24, 0);
	ck_assert_uint_eq(t.len, 36);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 60);
	/* exact */
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_assert_uint_eq(t.len, 96);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* nothing described: overflow by all of it, GOOD */
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x12, 0, 0, 0, 0x60, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 96);
	/* allocation 0: no data */
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 96);
	/* a NONE direction with a length is no descriptor */
	RUN(&t, 0, SCSI_DIR_NONE, 77, 0x00, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
}
END_TEST

TCase *tcase_dispatch(void)
{
	TCase *tc = scsi_tcase("dispatch");

	tcase_add_test(tc, test_tur_good);
	tcase_add_test(tc, test_tur_with_buffer_underflows);
	tcase_add_test(tc, test_start_stop_unit);
	tcase_add_test(tc, test_unknown_lun);
	tcase_add_test(tc, test_every_unsupported_opcode);
	tcase_add_test(tc, test_report_supported_opcodes_unsupported);
	tcase_add_test(tc, test_control_byte);
	tcase_add_test(tc, test_short_and_missing_cdb);
	tcase_add_test(tc, test_null_args);
	tcase_add_test(tc, test_request_sense_fixed);
	tcase_add_test(tc, test_request_sense_desc);
	tcase_add_test(tc, test_request_sense_unknown_lun);
	tcase_add_test(tc, test_direction_mismatch);
	tcase_add_test(tc, test_residual_generated);
	return tc;
}
