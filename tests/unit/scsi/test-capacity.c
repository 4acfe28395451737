/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * READ CAPACITY(10) and (16).
 */
#include "scsi-test.h"

START_TEST(test_rc10)
{
	static const uint8_t exp[8] = {
		0x00, 0x00, 0x03, 0xff, 0x00, 0x00, 0x02, 0x00,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, exp, 8);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* PMI 1: any LBA, same answer on RAM */
	RUN(&t, 0, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 5, 0, 0, 1, 0);
	ck_data(&t, exp, 8);
	/* a short buffer gets the first bytes */
	RUN(&t, 0, SCSI_DIR_IN, 4, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, exp, 4);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 4);
}
END_TEST

START_TEST(test_rc10_saturates)
{
	struct scsi_task t;

	tluns[2].nblocks = 1ull << 33;
	RUN(&t, 2, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, "\xff\xff\xff\xff\x00\x00\x02\x00", 8);
	tluns[2].nblocks = 1ull << 32;	/* last LBA FFFF_FFFFh */
	RUN(&t, 2, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, "\xff\xff\xff\xff\x00\x00\x02\x00", 8);
	tluns[2].nblocks = 0xffffffffull;
	RUN(&t, 2, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, "\xff\xff\xff\xfe\x00\x00\x02\x00", 8);
}
END_TEST

START_TEST(test_rc10_pmi_lba)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 2, -1);
}
END_TEST

/* 9e 10 ... 20 00 00: what sd sends. LUN 0 is thin: LBPME. */
START_TEST(test_rc16)
{
	static const uint8_t exp[32] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff,
		0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x80, 0x00,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x20, 0x00, 0x00);
	ck_data(&t, exp, 32);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x0c, 0x00, 0x00);
	ck_data(&t, exp, 12);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 20);
	RUN(&t, 0, SCSI_DIR_IN, 4096, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0x00, 0x00);
	ck_data(&t, exp, 32);
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	ck_good_nodata(&t);

	tluns[2].nblocks = (1ull << 40) + 1;
	RUN(&t, 2, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x0c, 0x00, 0x00);
	ck_data(&t, "\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00", 12);
}
END_TEST

START_TEST(test_rc16_errors)
{
	struct scsi_task t;

	/* other service actions of 9Eh */
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x20, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 4);
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x20, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	/* PMI 0 with an LBA */
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 1,
	    0x00, 0x00, 0x00, 0x20, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 2, -1);
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 1,
	    0x00, 0x00, 0x00, 0x20, 0x01, 0x00);
	ck_assert_uint_eq(t.status, 0);
	/* the 10-byte CDB of a 16-byte command */
	RUN(&t, 0, SCSI_DIR_IN, 32, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_sense(&t, 5, 0x24, 0x00);
}
END_TEST

TCase *tcase_capacity(void)
{
	TCase *tc = scsi_tcase("capacity");

	tcase_add_test(tc, test_rc10);
	tcase_add_test(tc, test_rc10_saturates);
	tcase_add_test(tc, test_rc10_pmi_lba);
	tcase_add_test(tc, test_rc16);
	tcase_add_test(tc, test_rc16_errors);
	return tc;
}
