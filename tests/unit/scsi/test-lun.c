/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * LUN addressing, scsi_lun_init designators, REPORT LUNS.
 */
#include <errno.h>
#include <stdlib.h>

#include "scsi-test.h"

START_TEST(test_lun_to_index)
{
	static const struct {
		uint8_t lun[8];
		int idx;
	} cases[] = {
		{ { 0x00, 0x00 }, 0 },
		{ { 0x00, 0x05 }, 5 },
		{ { 0x00, 0xff }, 255 },
		{ { 0x40, 0x05 }, 5 },		/* flat, small index */
		{ { 0x41, 0x00 }, 256 },
		{ { 0x41, 0x2c }, 300 },
		{ { 0x7f, 0xff }, 16383 },
		{ { 0x01, 0x2c }, -EINVAL },	/* peripheral, bus 1 */
		{ { 0x3f, 0x00 }, -EINVAL },
		{ { 0x80, 0x01 }, -EINVAL },	/* logical unit address */
		{ { 0xc0, 0x01 }, -EINVAL },	/* extended */
		{ { 0xc1, 0x01 }, -EINVAL },	/* well-known REPORT LUNS */
		{ { 0x00, 0x01, 0x00, 0x02 }, -EINVAL },	/* 2 levels */
		{ { 0x00, 0x01, 0, 0, 0, 0, 0, 0x01 }, -EINVAL },
		{ { 0x40, 0x01, 0x01 }, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(scsi_lun_to_index(cases[i].lun) == cases[i].idx,
			      "case %u: %d, want %d", i,
			      scsi_lun_to_index(cases[i].lun), cases[i].idx);
}
END_TEST

START_TEST(test_lun_from_index)
{
	static const uint8_t l0[8] = { 0x00, 0x00 };
	static const uint8_t l255[8] = { 0x00, 0xff };
	static const uint8_t l256[8] = { 0x41, 0x00 };
	static const uint8_t l16383[8] = { 0x7f, 0xff };
	uint8_t b[8];
	unsigned int i;

	scsi_lun_from_index(0, b);
	ck_assert_mem_eq(b, l0, 8);
	scsi_lun_from_index(255, b);
	ck_assert_mem_eq(b, l255, 8);
	scsi_lun_from_index(256, b);
	ck_assert_mem_eq(b, l256, 8);
	scsi_lun_from_index(16383, b);
	ck_assert_mem_eq(b, l16383, 8);
	for (i = 0; i < SCSI_MAX_LUNS; i++) {
		memset(b, 0xee, sizeof(b));
		scsi_lun_from_index(i, b);
		ck_assert_int_eq(scsi_lun_to_index(b), (int)i);
	}
}
END_TEST

START_TEST(test_lun_init)
{
	static const uint8_t naa[16] = {
		0x60, 0x25, 0x35, 0x20, 0x00, 0x00, 0x01, 0x2c,
		0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
	};
	static uint8_t mem[4096];
	struct scsi_lun a, b;

	memset(&a, 0xcc, sizeof(a));
	ck_assert_int_eq(scsi_lun_init(&a, mem, 1000, 300,
				       0xfedcba9876543210ull), 0);
	ck_assert_ptr_eq(a.data, mem);
	ck_assert_uint_eq(a.nblocks, 1);
	ck_assert_uint_eq(a.block_size, 512);
	ck_assert(!a.write_protect);
	ck_assert_mem_eq(a.naa_id, naa, 16);
	ck_assert_str_eq(a.serial, "FEDCBA9876543210012C");
	/* same inputs, same designators */
	ck_assert_int_eq(scsi_lun_init(&b, mem, sizeof(mem), 300,
				       0xfedcba9876543210ull), 0);
	ck_assert_mem_eq(a.naa_id, b.naa_id, 16);
	ck_assert_str_eq(a.serial, b.serial);
	ck_assert_uint_eq(b.nblocks, 8);
	/* another target, same index: different */
	ck_assert_int_eq(scsi_lun_init(&b, mem, sizeof(mem), 300,
				       0xfedcba9876543211ull), 0);
	ck_assert(memcmp(a.naa_id, b.naa_id, 16) != 0);
	ck_assert_str_ne(a.serial, b.serial);

	ck_assert_int_eq(scsi_lun_init(&b, NULL, 4096, 0, 1), -EINVAL);
	ck_assert_int_eq(scsi_lun_init(&b, mem, 511, 0, 1), -EINVAL);
	ck_assert_int_eq(scsi_lun_init(&b, mem, 4096, SCSI_MAX_LUNS, 1),
			 -EINVAL);
	ck_assert_int_eq(scsi_lun_init(NULL, mem, 4096, 0, 1), -EINVAL);
	ck_assert_int_eq(scsi_lun_init(&b, mem, 512, SCSI_MAX_LUNS - 1, 1),
			 0);
}
END_TEST

/* An 8-LUN-per-call scan of 300 LUNs and two targets: no duplicates. */
START_TEST(test_designators_unique)
{
	static uint8_t mem[512];
	struct scsi_lun *l = calloc(600, sizeof(*l));
	unsigned int i, j, same = 0;

	ck_assert_ptr_nonnull(l);
	for (i = 0; i < 600; i++)
		ck_assert_int_eq(scsi_lun_init(&l[i], mem, sizeof(mem),
					       i % 300, i < 300 ? 1 : 2), 0);
	/* Counted, then asserted once: each Check assertion costs a write
	 * to the runner, and 180,000 of them outlast the test timeout on a
	 * loaded machine. */
	for (i = 0; i < 600; i++) {
		ck_assert_uint_eq(l[i].naa_id[0] >> 4, 6);
		ck_assert_uint_eq(strlen(l[i].serial), 20);
		for (j = i + 1; j < 600; j++)
			same += !memcmp(l[i].naa_id, l[j].naa_id, 16) ||
				!strcmp(l[i].serial, l[j].serial);
	}
	ck_assert_uint_eq(same, 0);
	free(l);
}
END_TEST

START_TEST(test_report_luns_three)
{
	static const uint8_t exp[] = {
		0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t wlun[8] = { 0xc1, 0x01 };
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0, 0x00);
	ck_data(&t, exp, sizeof(exp));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 4096 - sizeof(exp));
	scsi_task_finish(&tdesc, &t);
	/* SELECT REPORT 02h: the same */
	RUN(&t, 0, SCSI_DIR_IN, 32, 0xa0, 0x00, 0x02, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x20, 0, 0x00);
	ck_data(&t, exp, sizeof(exp));
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* truncated at 16 */
	RUN(&t, 0, SCSI_DIR_IN, 16, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x10, 0, 0x00);
	ck_data(&t, exp, 16);
	/* truncated mid-entry */
	RUN(&t, 0, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x13, 0, 0x00);
	ck_data(&t, exp, 19);
	/* from a LUN that does not exist, and from the well-known LUN */
	RUN(&t, NO_LUN, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0, 0x00);
	ck_data(&t, exp, sizeof(exp));
	run_cdb_lun8(&t, wlun, (const uint8_t[]){ 0xa0, 0, 0, 0, 0, 0, 0, 0,
						  0x10, 0, 0, 0 }, 12,
		     SCSI_DIR_IN, 4096);
	ck_data(&t, exp, sizeof(exp));
	/* well-known LUs only: there are none */
	RUN(&t, 0, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x01, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0, 0x00);
	ck_data(&t, "\0\0\0\0\0\0\0\0", 8);
}
END_TEST

START_TEST(test_report_luns_errors)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x03, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 2, -1);
	RUN(&t, 0, SCSI_DIR_IN, 4096, 0xa0, 0x00, 0x10, 0, 0, 0,
	    0x00, 0x00, 0x10, 0x00, 0, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	RUN(&t, 0, SCSI_DIR_IN, 15, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x0f, 0, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 6, -1);
	RUN(&t, 0, SCSI_DIR_IN, 15, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x00, 0, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	/* no LUNs at all */
	tdesc.nluns = 0;
	RUN(&t, 0, SCSI_DIR_IN, 16, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x10, 0, 0x00);
	ck_data(&t, "\0\0\0\0\0\0\0\0", 8);
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0);
	ck_sense(&t, 5, 0x25, 0x00);
}
END_TEST

static struct scsi_lun *many_luns(unsigned int n, uint8_t *mem, size_t bytes)
{
	struct scsi_lun *l = calloc(n, sizeof(*l));
	unsigned int i;

	ck_assert_ptr_nonnull(l);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(scsi_lun_init(&l[i], mem, bytes,
					       i < SCSI_MAX_LUNS ? i : 0, 9),
				 0);
	return l;
}

START_TEST(test_report_luns_300)
{
	static uint8_t mem[4096];
	struct scsi_lun *l = many_luns(300, mem, sizeof(mem));
	uint32_t want = 8 + 8 * 300;
	uint8_t lun8[8] = { 0x41, 0x2b };
	struct scsi_task t;
	unsigned int i;

	tdesc.luns = l;
	tdesc.nluns = 300;
	RUN(&t, 0, SCSI_DIR_IN, 65536, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x01, 0x00, 0x00, 0, 0x00);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, want);
	ck_assert_ptr_ne(t.buf, t.small);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 65536 - want);
	ck_assert_mem_eq(t.buf, "\x00\x00\x09\x60\x00\x00\x00\x00", 8);
	for (i = 0; i < 300; i++) {
		uint8_t exp[8] = { 0 };

		if (i < 256) {
			exp[1] = (uint8_t)i;
		} else {
			exp[0] = (uint8_t)(0x40 | i >> 8);
			exp[1] = (uint8_t)i;
		}
		ck_assert_mem_eq(t.buf + 8 + 8 * i, exp, 8);
		/* and every entry addresses its LUN */
		ck_assert_int_eq(scsi_lun_to_index(t.buf + 8 + 8 * i), (int)i);
	}
	scsi_task_finish(&tdesc, &t);
	ck_assert_ptr_null(t.heap);
	ck_assert_ptr_null(t.buf);

	/* a detached buffer outlives the task's own release */
	RUN(&t, 0, SCSI_DIR_IN, 65536, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x01, 0x00, 0x00, 0, 0x00);
	{
		uint8_t *buf = t.buf;
		void *heap = scsi_task_detach_buffer(&t);

		ck_assert_ptr_eq(heap, buf);
		scsi_task_finish(&tdesc, &t);
		ck_assert_ptr_eq(t.buf, buf);
		ck_assert_mem_eq(buf, "\x00\x00\x09\x60", 4);
		free(heap);
	}
	RUN(&t, 0, SCSI_DIR_IN, 16, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x10, 0, 0x00);
	ck_assert_ptr_eq(t.buf, t.small);
	ck_assert_ptr_null(scsi_task_detach_buffer(&t));

	/* truncated: the list length still says 300 */
	RUN(&t, 0, SCSI_DIR_IN, 100, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x64, 0, 0x00);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, 100);
	ck_assert_mem_eq(t.buf, "\x00\x00\x09\x60", 4);
	ck_assert_mem_eq(t.buf + 96, "\x00\x0b\x00\x00", 4);
	scsi_task_finish(&tdesc, &t);

	/* the last LUN works through its flat address */
	run_cdb_lun8(&t, lun8, (const uint8_t[]){ 0x12, 0x01, 0x80, 0, 0xff,
						  0 }, 6, SCSI_DIR_IN, 255);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, 24);
	ck_assert_mem_eq(t.buf + 4, l[299].serial, 20);
	free(l);
}
END_TEST

/* More LUNs than 14 bits address: the list stops at SCSI_MAX_LUNS. */
START_TEST(test_report_luns_cap)
{
	static uint8_t mem[512];
	struct scsi_lun *l = many_luns(SCSI_MAX_LUNS + 5, mem, sizeof(mem));
	struct scsi_task t;

	tdesc.luns = l;
	tdesc.nluns = SCSI_MAX_LUNS + 5;
	RUN(&t, 0, SCSI_DIR_IN, 0xffffffffu, 0xa0, 0x00, 0x00, 0, 0, 0,
	    0xff, 0xff, 0xff, 0xff, 0, 0x00);
	ck_assert_uint_eq(t.status, 0);
	ck_assert_uint_eq(t.len, 8 + 8 * SCSI_MAX_LUNS);
	ck_assert_mem_eq(t.buf, "\x00\x02\x00\x00", 4);
	ck_assert_mem_eq(t.buf + 8 * SCSI_MAX_LUNS, "\x7f\xff\0\0\0\0\0\0", 8);
	scsi_task_finish(&tdesc, &t);
	free(l);
}
END_TEST

TCase *tcase_lun(void)
{
	TCase *tc = scsi_tcase("lun");

	tcase_add_test(tc, test_lun_to_index);
	tcase_add_test(tc, test_lun_from_index);
	tcase_add_test(tc, test_lun_init);
	tcase_add_test(tc, test_designators_unique);
	tcase_add_test(tc, test_report_luns_three);
	tcase_add_test(tc, test_report_luns_errors);
	tcase_add_test(tc, test_report_luns_300);
	tcase_add_test(tc, test_report_luns_cap);
	return tc;
}
