/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * LUN addressing, scsi_lun_init designators, designators of a medium
 * (scsi_lun_set_lu_id), REPORT LUNS.
 */
#include <errno.h>
#include <stdio.h>
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

static const uint8_t lu_id_a[16] = {
	0x6b, 0x1f, 0x04, 0x55, 0x9c, 0x2e, 0x4d, 0x71,
	0x80, 0x3a, 0x11, 0xc2, 0x5e, 0x90, 0xaf, 0x07,
};

static void vpd(struct scsi_task *t, unsigned int lun, uint8_t page)
{
	const uint8_t cdb[6] = { 0x12, 0x01, page, 0x00, 0xfe, 0x00 };

	run_cdb(t, lun, cdb, sizeof(cdb), SCSI_DIR_IN, 254);
	ck_assert_uint_eq(t->status, SCSI_STATUS_GOOD);
}

/*
 * The LU designators are made of the id alone: LUN 0 of this target and
 * LUN 2 of another target (another target id) report the same NAA and
 * T10 designators and the same serial.
 */
START_TEST(test_lu_id_shared)
{
	uint8_t p80[24], p83[56];
	struct scsi_task t;

	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[0], lu_id_a), 0);
	vpd(&t, 0, 0x80);
	ck_assert_uint_eq(t.len, 24);
	memcpy(p80, t.buf, 24);
	vpd(&t, 0, 0x83);
	ck_assert_uint_eq(t.len, 56);
	memcpy(p83, t.buf, 56);
	ck_assert(memcmp(p83 + 8, tluns[1].naa_id, 16) != 0);

	scsi_lun_set_target_id(&tluns[2], 0x99);
	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[2], lu_id_a), 0);
	vpd(&t, 2, 0x80);
	ck_data(&t, p80, 24);
	vpd(&t, 2, 0x83);
	ck_data(&t, p83, 56);
	ck_assert_mem_eq(tluns[0].naa_id, tluns[2].naa_id, 16);
	ck_assert_str_eq(tluns[0].serial, tluns[2].serial);
}
END_TEST

/*
 * The exact designators of one id: company id, the vendor specific
 * identifier's bit 35 set, and the serial 'L' and 19 hexadecimal
 * digits of the same bits. Pinned: processes of different versions
 * serving one medium must agree.
 */
START_TEST(test_lu_id_value)
{
	static const uint8_t naa[16] = {
		0x60, 0x25, 0x35, 0x2f, 0xa6, 0xb8, 0xec, 0xab,
		0x9c, 0x0c, 0x9f, 0x92, 0x98, 0x64, 0x53, 0x0a,
	};
	uint8_t exp[24] = { 0x00, 0x80, 0x00, 0x14, 'L' };
	struct scsi_lun *lu = &tluns[1];
	unsigned int i;

	ck_assert_int_eq(scsi_lun_set_lu_id(lu, lu_id_a), 0);
	ck_assert_uint_eq(lu->naa_id[3] & 0x08, 0x08);
	ck_assert_uint_eq(strlen(lu->serial), 20);
	ck_assert_uint_eq(lu->serial[0], 'L');
	for (i = 1; i < 20; i++)
		ck_assert(strchr("0123456789ABCDEF", lu->serial[i]));
	if (memcmp(lu->naa_id, naa, 16)) {
		for (i = 0; i < 16; i++)
			fprintf(stderr, "0x%02x,%c", lu->naa_id[i],
				i % 8 == 7 ? '\n' : ' ');
		ck_abort_msg("NAA designator of the pinned id changed");
	}
	/* The serial holds the top 12 bits of those in the NAA's bytes 3-7 */
	memcpy(exp + 5, "F4D", 3);
	memcpy(exp + 8, "9C0C9F929864530A", 16);
	{
		struct scsi_task t;

		vpd(&t, 1, 0x80);
		ck_data(&t, exp, 24);
	}
	/* Index and target id do not matter; a later target id does */
	lu->index = 2;
	ck_assert_int_eq(scsi_lun_set_lu_id(lu, lu_id_a), 0);
	ck_assert_mem_eq(lu->naa_id, naa, 16);
	scsi_lun_set_target_id(lu, TEST_TARGET_ID);
	ck_assert_uint_eq(lu->naa_id[3], 0x20);
	ck_assert_str_eq(lu->serial, "00112233445566770002");
}
END_TEST

/* Ids one bit apart, in any of the 128 bits, give other designators. */
START_TEST(test_lu_id_unique)
{
	struct scsi_lun a = tluns[0], b = tluns[0];
	uint8_t id[16];
	unsigned int bit;

	ck_assert_int_eq(scsi_lun_set_lu_id(&a, lu_id_a), 0);
	for (bit = 0; bit < 128; bit++) {
		memcpy(id, lu_id_a, sizeof(id));
		id[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(scsi_lun_set_lu_id(&b, id), 0);
		ck_assert_msg(memcmp(a.naa_id, b.naa_id, 16) != 0,
			      "bit %u: same NAA", bit);
		ck_assert_msg(strcmp(a.serial, b.serial) != 0,
			      "bit %u: same serial", bit);
		ck_assert_mem_eq(a.naa_id, b.naa_id, 3);
	}
	/* Never the designators of a target id */
	ck_assert_uint_eq(tluns[0].naa_id[3] & 0x0f, 0);
	ck_assert(tluns[0].serial[0] != 'L');
}
END_TEST

START_TEST(test_lu_id_errors)
{
	static const uint8_t zero[16];
	struct scsi_lun before = tluns[0];

	ck_assert_int_eq(scsi_lun_set_lu_id(NULL, lu_id_a), -EINVAL);
	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[0], NULL), -EINVAL);
	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[0], zero), -EINVAL);
	ck_assert_mem_eq(&tluns[0], &before, sizeof(before));
}
END_TEST

TCase *tcase_lun(void)
{
	TCase *tc = scsi_tcase("lun");

	tcase_add_test(tc, test_lun_to_index);
	tcase_add_test(tc, test_lun_from_index);
	tcase_add_test(tc, test_lun_init);
	tcase_add_test(tc, test_designators_unique);
	tcase_add_test(tc, test_lu_id_shared);
	tcase_add_test(tc, test_lu_id_value);
	tcase_add_test(tc, test_lu_id_unique);
	tcase_add_test(tc, test_lu_id_errors);
	tcase_add_test(tc, test_report_luns_three);
	tcase_add_test(tc, test_report_luns_errors);
	tcase_add_test(tc, test_report_luns_300);
	tcase_add_test(tc, test_report_luns_cap);
	return tc;
}
