/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * LUNs whose medium is the caller's (data NULL): what task->io tells a
 * backend for each block command, with 512- and 4096-byte blocks; RAM
 * with 4096-byte blocks; how a backend error ends a task.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "scsi-test.h"

/*
 * LUN 0: the caller's, 1024 x 512. LUN 1: the caller's, 256 x 4096.
 * LUN 2: RAM, 16 x 4096. LUN 3: the caller's, 64 x 512, write-protected.
 */
#define X0_BLOCKS	1024u
#define X1_BLOCKS	256u
#define R4K_BLOCKS	16u
#define BS4K		4096u

static struct scsi_lun xluns[4];
static uint8_t *ram4k;

static void backing_setup(void)
{
	scsi_fixture_setup();
	ram4k = malloc(R4K_BLOCKS * BS4K);
	ck_assert_ptr_nonnull(ram4k);
	memset(ram4k, 0xb2, R4K_BLOCKS * BS4K);
	ck_assert_int_eq(scsi_lun_init_blocks(&xluns[0], NULL, X0_BLOCKS,
					      512, 0, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&xluns[1], NULL, X1_BLOCKS,
					      BS4K, 1, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&xluns[2], ram4k, R4K_BLOCKS,
					      BS4K, 2, TEST_TARGET_ID), 0);
	ck_assert_int_eq(scsi_lun_init_blocks(&xluns[3], NULL, 64, 512, 3,
					      TEST_TARGET_ID), 0);
	xluns[3].write_protect = true;
	tdesc.luns = xluns;
	tdesc.nluns = 4;
}

static void backing_teardown(void)
{
	free(ram4k);
	ram4k = NULL;
	scsi_fixture_teardown();
}

START_TEST(test_ext_read)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x28, 0x08, 16, 8);		/* FUA on a READ: no matter */
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 4096);
	ck_ext(&t, SCSI_DIR_IN, 4096);
	ck_io(&t, SCSI_IO_READ, 16, 8);
	ck_assert(!t.io.fua);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	/* 4096-byte blocks: the last one */
	cdb16(c, 0x88, 0, X1_BLOCKS - 1, 1);
	run_cdb(&t, 1, c, 16, SCSI_DIR_IN, BS4K);
	ck_ext(&t, SCSI_DIR_IN, BS4K);
	ck_io(&t, SCSI_IO_READ, X1_BLOCKS - 1, 1);
	cdb16(c, 0x88, 0, X1_BLOCKS - 1, 2);
	run_cdb(&t, 1, c, 16, SCSI_DIR_IN, 2 * BS4K);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	/* READ(6) */
	RUN(&t, 0, SCSI_DIR_IN, 1024, 0x08, 0x00, 0x01, 0x02, 0x02, 0x00);
	ck_ext(&t, SCSI_DIR_IN, 1024);
	ck_io(&t, SCSI_IO_READ, 0x102, 2);
	/* described short: len is what to send, nblk what was asked */
	cdb10(c, 0x28, 0, 0, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_IN, 1000);
	ck_ext(&t, SCSI_DIR_IN, 1000);
	ck_io(&t, SCSI_IO_READ, 0, 8);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 4096 - 1000);
	/* no block, or nothing described: nothing for the backend */
	cdb10(c, 0x28, 0, 5, 0);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	cdb10(c, 0x28, 0, 5, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 512);
}
END_TEST

START_TEST(test_ext_write)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2a, 0x08, 100, 2);		/* FUA */
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1024);
	ck_ext(&t, SCSI_DIR_OUT, 1024);
	ck_io(&t, SCSI_IO_WRITE, 100, 2);
	ck_assert(t.io.fua);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	cdb16(c, 0x8a, 0x00, 7, 2);
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, 2 * BS4K);
	ck_ext(&t, SCSI_DIR_OUT, 2 * BS4K);
	ck_io(&t, SCSI_IO_WRITE, 7, 2);
	ck_assert(!t.io.fua);
	cdb16(c, 0x8a, 0x08, 7, 2);
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, 2 * BS4K);
	ck_assert(t.io.fua);
	/* WRITE(6) has no FUA bit */
	RUN(&t, 0, SCSI_DIR_OUT, 512, 0x0a, 0x00, 0x00, 0x09, 0x01, 0x00);
	ck_ext(&t, SCSI_DIR_OUT, 512);
	ck_io(&t, SCSI_IO_WRITE, 9, 1);
	ck_assert(!t.io.fua);
	/* described short, write-protected, too long: nothing to write */
	cdb10(c, 0x2a, 0, 0, 2);
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 1023);
	ck_sense(&t, 5, 0x0e, 0x03);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	run_cdb(&t, 3, c, 10, SCSI_DIR_OUT, 1024);
	ck_sense(&t, 7, 0x27, 0x00);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	tdesc.max_xfer_bytes = 2 * BS4K;
	cdb16(c, 0x8a, 0, 0, 3);
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, 3 * BS4K);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 10, -1);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
}
END_TEST

START_TEST(test_ext_sync)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x35, 0x00, 100, 8);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_SYNC, 100, 8);
	/* 0 blocks: through the last one */
	cdb16(c, 0x91, 0x02, 3, 0);
	run_cdb(&t, 1, c, 16, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_SYNC, 3, 0);
	cdb16(c, 0x91, 0x00, X1_BLOCKS, 0);
	run_cdb(&t, 1, c, 16, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	/* a write-protected LUN syncs */
	cdb10(c, 0x35, 0x00, 0, 0);
	run_cdb(&t, 3, c, 10, SCSI_DIR_NONE, 0);
	ck_io(&t, SCSI_IO_SYNC, 0, 0);
	/* and so does RAM, with nothing to do but the same description */
	cdb10(c, 0x35, 0x00, 0, 0);
	run_cdb(&t, 2, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_SYNC, 0, 0);
}
END_TEST

/* BYTCHK 0 checks the range only; comparing needs RAM. */
START_TEST(test_ext_verify)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x2f, 0x00, 10, 4);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_good_nodata(&t);
	ck_io(&t, SCSI_IO_NONE, 0, 0);
	cdb10(c, 0x2f, 0x00, X0_BLOCKS, 1);
	run_cdb(&t, 0, c, 10, SCSI_DIR_NONE, 0);
	ck_sense(&t, 5, 0x21, 0x00);
	cdb10(c, 0x2f, 0x02, 10, 1);		/* BYTCHK 01b */
	run_cdb(&t, 0, c, 10, SCSI_DIR_OUT, 512);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 2);
	cdb16(c, 0x8f, 0x06, 10, 1);		/* BYTCHK 11b */
	run_cdb(&t, 1, c, 16, SCSI_DIR_OUT, BS4K);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 2);
	/* RAM with 4096-byte blocks compares whole blocks */
	cdb10(c, 0x2f, 0x02, 3, 1);
	run_cdb(&t, 2, c, 10, SCSI_DIR_OUT, BS4K);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.len, BS4K);
	memset(t.buf, 0xb2, BS4K);
	t.buf[4000] = 0;
	scsi_task_finish(&tdesc, &t);
	ck_assert_uint_eq(t.status, SCSI_STATUS_CHECK_CONDITION);
	ck_assert_uint_eq(t.sense[2], 0x0e);
	ck_assert_uint_eq(t.sense[5] << 8 | t.sense[6], 4000);
}
END_TEST

/* Capacity, block descriptor and limits in units of 4096 bytes. */
START_TEST(test_4k_reports)
{
	static const uint8_t rc10[8] = {
		0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x10, 0x00,
	};
	static const uint8_t rc16[12] = {
		0, 0, 0, 0, 0, 0, 0x00, 0xff, 0x00, 0x00, 0x10, 0x00,
	};
	static const uint8_t ms10[24] = {
		0x00, 0x22, 0x00, 0x10, 0x01, 0x00, 0x00, 0x10,
		0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x10,
		0x00,
	};
	struct scsi_task t;

	RUN(&t, 1, SCSI_DIR_IN, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	ck_data(&t, rc10, 8);
	RUN(&t, 1, SCSI_DIR_IN, 12, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 12, 0, 0);
	ck_data(&t, rc16, 12);
	/* MODE SENSE(10), LLBAA, no page but the header and descriptor */
	RUN(&t, 1, SCSI_DIR_IN, 24, 0x5a, 0x10, 0x0a, 0, 0, 0, 0, 0, 24, 0);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_mem_eq(t.buf + 4, ms10 + 4, 4);	/* LONGLBA, bd len */
	ck_assert_mem_eq(t.buf + 8, ms10 + 8, 16);
	/* block limits: granularity 1, max transfer 4 MiB = 1024 blocks */
	RUN(&t, 1, SCSI_DIR_IN, 64, 0x12, 0x01, 0xb0, 0x00, 0x40, 0x00);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[6] << 8 | t.buf[7], 1);
	ck_assert_uint_eq((uint32_t)t.buf[8] << 24 | t.buf[9] << 16 |
			  t.buf[10] << 8 | t.buf[11], 1024);
}
END_TEST

START_TEST(test_ram_4k)
{
	uint8_t c[16];
	struct scsi_task t;

	cdb10(c, 0x28, 0, 3, 2);
	run_cdb(&t, 2, c, 10, SCSI_DIR_IN, 2 * BS4K);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_ptr_eq(t.buf, ram4k + 3 * BS4K);
	ck_assert_uint_eq(t.len, 2 * BS4K);
	ck_io(&t, SCSI_IO_READ, 3, 2);
	cdb16(c, 0x8a, 0, R4K_BLOCKS - 1, 1);
	run_cdb(&t, 2, c, 16, SCSI_DIR_OUT, BS4K);
	ck_assert_ptr_eq(t.buf, ram4k + (R4K_BLOCKS - 1) * BS4K);
	ck_assert_uint_eq(t.len, BS4K);
}
END_TEST

static void start_io(struct scsi_task *t, uint8_t op)
{
	uint8_t c[10];

	cdb10(c, op, 0, 8, 1);
	run_cdb(t, 0, c, 10, op == 0x35 ? SCSI_DIR_NONE :
		op == 0x28 ? SCSI_DIR_IN : SCSI_DIR_OUT, op == 0x35 ? 0 : 512);
	ck_assert_uint_eq(t->status, SCSI_STATUS_GOOD);
}

/* Each errno class, on a READ, a WRITE and a SYNCHRONIZE CACHE. */
START_TEST(test_backend_failed)
{
	static const struct {
		int err;
		uint8_t op;
		uint8_t key, asc, ascq;
	} cases[] = {
		{ -EIO, 0x28, 0x3, 0x11, 0x00 },
		{ EIO, 0x28, 0x3, 0x11, 0x00 },
		{ -EIO, 0x2a, 0x3, 0x0c, 0x00 },
		{ -EIO, 0x35, 0x3, 0x0c, 0x00 },
		{ -ENOSPC, 0x2a, 0x7, 0x27, 0x07 },
		{ -ENOSPC, 0x35, 0x7, 0x27, 0x07 },
		{ -EROFS, 0x2a, 0x7, 0x27, 0x00 },
		{ -EPERM, 0x2a, 0x7, 0x27, 0x00 },
		{ -EACCES, 0x28, 0x7, 0x27, 0x00 },
		/* Ceph blocklisted this client: NOT READY, TARGET PORT IN
		 * UNAVAILABLE STATE, which multipath retries elsewhere */
		{ -ESHUTDOWN, 0x2a, 0x2, 0x04, 0x0c },
		{ -ESHUTDOWN, 0x28, 0x2, 0x04, 0x0c },
		{ -EINVAL, 0x28, 0x4, 0x44, 0x00 },
		{ -EOPNOTSUPP, 0x35, 0x4, 0x44, 0x00 },
		{ -ENXIO, 0x2a, 0x4, 0x44, 0x00 },
		{ 0, 0x2a, 0x4, 0x44, 0x00 },	/* never a silent success */
	};
	struct scsi_task t;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_io(&t, cases[i].op);
		scsi_task_backend_failed(&t, cases[i].err);
		ck_sense(&t, cases[i].key, cases[i].asc, cases[i].ascq);
		ck_no_sks(&t);
		ck_io(&t, SCSI_IO_NONE, 0, 0);
		if (cases[i].op == 0x35)
			ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
		else
			ck_resid(&t, RES_UNDER, cases[i].op == 0x28 ?
				 SCSI_DIR_IN : SCSI_DIR_OUT, 512);
		/* finishing afterwards changes nothing */
		scsi_task_finish(&tdesc, &t);
		ck_sense(&t, cases[i].key, cases[i].asc, cases[i].ascq);
	}
}
END_TEST

START_TEST(test_backend_busy)
{
	static const int errs[] = { -ENOMEM, -EAGAIN, ENOMEM };
	struct scsi_task t;
	unsigned int i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		start_io(&t, i ? 0x2a : 0x28);
		scsi_task_backend_failed(&t, errs[i]);
		ck_assert_uint_eq(t.status, SCSI_STATUS_BUSY);
		ck_assert_uint_eq(t.sense_len, 0);
		ck_assert(t.len == 0 && t.buf == NULL &&
			  t.dir == SCSI_DIR_NONE);
		ck_resid(&t, RES_UNDER, i ? SCSI_DIR_OUT : SCSI_DIR_IN, 512);
	}
	/* the last call says it all: no sense left over from the first */
	start_io(&t, 0x2a);
	scsi_task_backend_failed(&t, -EIO);
	scsi_task_backend_failed(&t, -EAGAIN);
	ck_assert_uint_eq(t.status, SCSI_STATUS_BUSY);
	ck_assert_uint_eq(t.sense_len, 0);
	ck_assert_uint_eq(t.sense[2], 0);
	scsi_task_backend_failed(NULL, -EIO);
}
END_TEST

START_TEST(test_lun_init_blocks)
{
	struct scsi_lun a, b;
	uint8_t mem[1024];

	ck_assert_int_eq(scsi_lun_init_blocks(NULL, NULL, 8, 512, 0, 1),
			 -EINVAL);
	ck_assert_int_eq(scsi_lun_init_blocks(&a, NULL, 0, 512, 0, 1),
			 -EINVAL);
	ck_assert_int_eq(scsi_lun_init_blocks(&a, NULL, 8, 1024, 0, 1),
			 -EINVAL);
	ck_assert_int_eq(scsi_lun_init_blocks(&a, NULL, 8, 0, 0, 1),
			 -EINVAL);
	ck_assert_int_eq(scsi_lun_init_blocks(&a, NULL, 8, 512,
					      SCSI_MAX_LUNS, 1), -EINVAL);
	ck_assert_int_eq(scsi_lun_init_blocks(&a, mem, SIZE_MAX / 512 + 1,
					      512, 0, 1), -EINVAL);
	ck_assert_int_eq(scsi_lun_init(&a, NULL, 1 << 20, 0, 1), -EINVAL);
	/* a backing of 2^40 blocks needs no memory */
	ck_assert_int_eq(scsi_lun_init_blocks(&a, NULL, 1ull << 40, BS4K, 5,
					      TEST_TARGET_ID), 0);
	ck_assert_ptr_null(a.data);
	ck_assert_uint_eq(a.nblocks, 1ull << 40);
	ck_assert_uint_eq(a.block_size, BS4K);
	ck_assert(!a.write_protect);
	/* designators as scsi_lun_init() makes them */
	ck_assert_int_eq(scsi_lun_init(&b, mem, sizeof(mem), 5,
				       TEST_TARGET_ID), 0);
	ck_assert_mem_eq(a.naa_id, b.naa_id, sizeof(a.naa_id));
	ck_assert_str_eq(a.serial, b.serial);
	ck_assert_uint_eq(b.nblocks, 2);
	ck_assert_uint_eq(b.block_size, 512);
}
END_TEST

TCase *tcase_backing(void)
{
	TCase *tc = tcase_create("backing");

	tcase_add_checked_fixture(tc, backing_setup, backing_teardown);
	tcase_add_test(tc, test_ext_read);
	tcase_add_test(tc, test_ext_write);
	tcase_add_test(tc, test_ext_sync);
	tcase_add_test(tc, test_ext_verify);
	tcase_add_test(tc, test_4k_reports);
	tcase_add_test(tc, test_ram_4k);
	tcase_add_test(tc, test_backend_failed);
	tcase_add_test(tc, test_backend_busy);
	tcase_add_test(tc, test_lun_init_blocks);
	return tc;
}
