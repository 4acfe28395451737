/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * INQUIRY: standard data and VPD pages, byte for byte, with the CDBs
 * Linux sends.
 */
#include "scsi-test.h"

#define STD_HEAD							\
	0x00, 0x00, 0x06, 0x02, 0x5b, 0x00, 0x00, 0x02,			\
	'L', 'I', 'B', 'S', 'R', 'P', 'T', ' ',				\
	's', 'r', 'p', 't', '-', 'r', 'a', 'm',				\
	'd', 'i', 's', 'k', ' ', ' ', ' ', ' ',				\
	'0', '.', '1', ' '

static const uint8_t std96[96] = {
	STD_HEAD,
	[58] = 0x00, 0xa0, 0x09, 0x40, 0x04, 0x60, 0x04, 0xc0,
};

START_TEST(test_std_36_96_254)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 36, 0x12, 0x00, 0x00, 0x00, 0x24, 0x00);
	ck_data(&t, std96, 36);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0x00, 0x00, 0x00, 0x60, 0x00);
	ck_data(&t, std96, 96);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x00, 0x00, 0x00, 0xfe, 0x00);
	ck_data(&t, std96, 96);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 158);
	/* Allocation lengths above 255 use both bytes. */
	RUN(&t, 0, SCSI_DIR_IN, 4096, 0x12, 0x00, 0x00, 0x10, 0x00, 0x00);
	ck_data(&t, std96, 96);
	RUN(&t, 0, SCSI_DIR_IN, 5, 0x12, 0x00, 0x00, 0x00, 0x05, 0x00);
	ck_data(&t, std96, 5);
	scsi_task_finish(&tdesc, &t);
}
END_TEST

START_TEST(test_std_strings)
{
	static const uint8_t exp[36] = {
		0x00, 0x00, 0x06, 0x02, 0x5b, 0x00, 0x00, 0x02,
		'L', 'O', 'N', 'G', 'V', 'E', 'N', 'D',
		'P', ' ', 'R', 'O', 'D', 'U', 'C', 'T',
		'N', 'A', 'M', 'E', '1', '2', '3', '4',
		'1', '2', '3', '4',
	};
	static const uint8_t dflt[36] = {
		0x00, 0x00, 0x06, 0x02, 0x5b, 0x00, 0x00, 0x02,
		'L', 'I', 'B', 'S', 'R', 'P', 'T', ' ',
		'R', 'A', 'M', 'D', 'I', 'S', 'K', ' ',
		' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
		'0', '0', '0', '1',
	};
	struct scsi_task t;

	/* Truncated to the field, non-graphic characters become spaces. */
	tdesc.vendor = "LONGVENDOR";
	tdesc.product = "P\tRODUCTNAME12345";
	tdesc.revision = "12345";
	RUN(&t, 0, SCSI_DIR_IN, 36, 0x12, 0, 0, 0, 36, 0);
	ck_data(&t, exp, 36);
	tdesc.vendor = NULL;
	tdesc.product = NULL;
	tdesc.revision = NULL;
	RUN(&t, 0, SCSI_DIR_IN, 36, 0x12, 0, 0, 0, 36, 0);
	ck_data(&t, dflt, 36);
}
END_TEST

/* SPC-4: peripheral qualifier 3, device type 1Fh. */
START_TEST(test_std_unknown_lun)
{
	uint8_t exp[96];
	struct scsi_task t;

	memcpy(exp, std96, sizeof(exp));
	exp[0] = 0x7f;
	RUN(&t, NO_LUN, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_data(&t, exp, 96);
	RUN(&t, NO_LUN, SCSI_DIR_IN, 254, 0x12, 0x01, 0x00, 0, 0xfe, 0);
	ck_sense(&t, 5, 0x25, 0x00);
	RUN(&t, NO_LUN, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0, 0xfe, 0);
	ck_sense(&t, 5, 0x25, 0x00);
}
END_TEST

START_TEST(test_inquiry_errors)
{
	struct scsi_task t;

	/* EVPD 0 with a page code */
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x00, 0x80, 0x00, 0xfe, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 2, -1);
	/* CMDDT (obsolete) */
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x02, 0x00, 0x00, 0xfe, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 1);
	/* unknown VPD pages */
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x86, 0x00, 0xfe, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 2, -1);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0xb3, 0x00, 0xfe, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0xff, 0x00, 0xfe, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 254);
}
END_TEST

START_TEST(test_vpd_supported)
{
	static const uint8_t exp[] = {
		0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 4, 0x12, 0x01, 0x00, 0x00, 0x04, 0x00);
	ck_data(&t, exp, 4);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	RUN(&t, 0, SCSI_DIR_IN, 36, 0x12, 0x01, 0x00, 0x00, 0x24, 0x00);
	ck_data(&t, exp, sizeof(exp));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 36 - sizeof(exp));
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x00, 0x00, 0xfe, 0x00);
	ck_data(&t, exp, sizeof(exp));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 254 - sizeof(exp));
}
END_TEST

START_TEST(test_vpd_serial)
{
	static const uint8_t exp[] = {
		0x00, 0x80, 0x00, 0x14,
		'0', '0', '1', '1', '2', '2', '3', '3', '4', '4',
		'5', '5', '6', '6', '7', '7', '0', '0', '0', '2',
	};
	struct scsi_task t;

	RUN(&t, 2, SCSI_DIR_IN, 254, 0x12, 0x01, 0x80, 0x00, 0xfe, 0x00);
	ck_data(&t, exp, sizeof(exp));
	RUN(&t, 2, SCSI_DIR_IN, 10, 0x12, 0x01, 0x80, 0x00, 0x0a, 0x00);
	ck_data(&t, exp, 10);
}
END_TEST

static const uint8_t devid0[] = {
	0x00, 0x83, 0x00, 0x34,
	0x01, 0x03, 0x00, 0x10,
	0x60, 0x25, 0x35, 0x20, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x02, 0x01, 0x00, 0x1c,
	'L', 'I', 'B', 'S', 'R', 'P', 'T', ' ',
	'0', '0', '1', '1', '2', '2', '3', '3', '4', '4',
	'5', '5', '6', '6', '7', '7', '0', '0', '0', '0',
};

START_TEST(test_vpd_devid)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_data(&t, devid0, sizeof(devid0));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 254 - sizeof(devid0));
	RUN(&t, 0, SCSI_DIR_IN, 20, 0x12, 0x01, 0x83, 0x00, 0x14, 0x00);
	ck_data(&t, devid0, 20);
}
END_TEST

/* The WWID multipath groups by: same on every call, differs per LUN. */
START_TEST(test_vpd_devid_stable_unique)
{
	uint8_t a[56], b[56];
	struct scsi_task t;
	unsigned int lun;

	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_assert_uint_eq(t.len, 56);
	memcpy(a, t.buf, 56);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_assert_mem_eq(t.buf, a, 56);
	for (lun = 1; lun < 3; lun++) {
		run_cdb(&t, lun, (const uint8_t[]){ 0x12, 0x01, 0x83, 0x00,
						    0xfe, 0x00 }, 6,
			SCSI_DIR_IN, 254);
		ck_assert_uint_eq(t.len, 56);
		memcpy(b, t.buf, 56);
		/* NAA designators differ, and so do the T10 ones */
		ck_assert(memcmp(a + 8, b + 8, 16) != 0);
		ck_assert(memcmp(a + 36, b + 36, 20) != 0);
		ck_assert_mem_eq(a, b, 8);
	}
}
END_TEST

/*
 * LUN 0 is thin RAM of 512-byte blocks: WSNZ, the unmap limits (64 MiB
 * = 131072 blocks, 16 descriptors, 4 KiB granularity) and the WRITE
 * SAME maximum (64 MiB).
 */
START_TEST(test_vpd_block_limits)
{
	uint8_t exp[64] = {
		0x00, 0xb0, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x02, 0x00, 0x00,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0xb0, 0x00, 0xfe, 0x00);
	ck_data(&t, exp, 64);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 190);
	/* The transport's limit, in blocks */
	tdesc.max_xfer_bytes = 128 * 1024;
	exp[10] = 0x01;
	exp[11] = 0x00;
	RUN(&t, 0, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_data(&t, exp, 64);
	/* Clamped to the limit */
	tdesc.max_xfer_bytes = 0xffffffffu;
	exp[9] = 0x01;
	exp[10] = 0x00;
	RUN(&t, 0, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_data(&t, exp, 64);
}
END_TEST

START_TEST(test_vpd_block_chars)
{
	static const uint8_t exp[64] = {
		0x00, 0xb1, 0x00, 0x3c, 0x00, 0x01,
	};
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0xb1, 0x00, 0xfe, 0x00);
	ck_data(&t, exp, 64);
	RUN(&t, 0, SCSI_DIR_IN, 6, 0x12, 0x01, 0xb1, 0x00, 0x06, 0x00);
	ck_data(&t, exp, 6);
}
END_TEST

TCase *tcase_inquiry(void)
{
	TCase *tc = scsi_tcase("inquiry");

	tcase_add_test(tc, test_std_36_96_254);
	tcase_add_test(tc, test_std_strings);
	tcase_add_test(tc, test_std_unknown_lun);
	tcase_add_test(tc, test_inquiry_errors);
	tcase_add_test(tc, test_vpd_supported);
	tcase_add_test(tc, test_vpd_serial);
	tcase_add_test(tc, test_vpd_devid);
	tcase_add_test(tc, test_vpd_devid_stable_unique);
	tcase_add_test(tc, test_vpd_block_limits);
	tcase_add_test(tc, test_vpd_block_chars);
	return tc;
}
