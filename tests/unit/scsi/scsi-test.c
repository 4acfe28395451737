/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Fixture and checks shared by the SCSI emulation tests.
 */
#include <stdio.h>
#include <stdlib.h>

#include "scsi-test.h"

struct scsi_target_desc tdesc;
struct scsi_lun tluns[3];
static uint8_t *tmem[3];

void scsi_fixture_setup(void)
{
	static const uint32_t blocks[3] = {
		LUN0_BLOCKS, LUN1_BLOCKS, LUN2_BLOCKS
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		size_t bytes = (size_t)blocks[i] * SCSI_BLOCK_SIZE;

		tmem[i] = malloc(bytes);
		ck_assert_ptr_nonnull(tmem[i]);
		memset(tmem[i], 0xa0 + (int)i, bytes);
		ck_assert_int_eq(scsi_lun_init(&tluns[i], tmem[i], bytes, i,
					       TEST_TARGET_ID), 0);
	}
	tluns[1].write_protect = true;
	memset(&tdesc, 0, sizeof(tdesc));
	tdesc.luns = tluns;
	tdesc.nluns = 3;
	tdesc.vendor = "LIBSRPT";
	tdesc.product = "srpt-ramdisk";
	tdesc.revision = "0.1";
}

void scsi_fixture_teardown(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		free(tmem[i]);
		tmem[i] = NULL;
	}
}

TCase *scsi_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, scsi_fixture_setup,
				  scsi_fixture_teardown);
	return tc;
}

void run_cdb_lun8(struct scsi_task *task, const uint8_t lun8[8],
		  const uint8_t *cdb, unsigned int cdb_len, enum scsi_dir dir,
		  uint32_t init_len)
{
	/* Poison the outputs: scsi_task_start must set every one. */
	memset(task, 0x5a, sizeof(*task));
	task->lun8 = lun8;
	task->cdb = cdb;
	task->cdb_len = cdb_len;
	task->init_dir = dir;
	task->init_len = init_len;
	ck_assert_int_eq(scsi_task_start(&tdesc, task), 0);
}

void run_cdb(struct scsi_task *task, unsigned int lun, const uint8_t *cdb,
	     unsigned int cdb_len, enum scsi_dir dir, uint32_t init_len)
{
	static uint8_t lun8[8];

	scsi_lun_from_index(lun, lun8);
	run_cdb_lun8(task, lun8, cdb, cdb_len, dir, init_len);
}

void cdb10(uint8_t *c, uint8_t op, uint8_t flags, uint32_t lba, uint16_t n)
{
	memset(c, 0, 10);
	c[0] = op;
	c[1] = flags;
	c[2] = (uint8_t)(lba >> 24);
	c[3] = (uint8_t)(lba >> 16);
	c[4] = (uint8_t)(lba >> 8);
	c[5] = (uint8_t)lba;
	c[7] = (uint8_t)(n >> 8);
	c[8] = (uint8_t)n;
}

void cdb16(uint8_t *c, uint8_t op, uint8_t flags, uint64_t lba, uint32_t n)
{
	int i;

	memset(c, 0, 16);
	c[0] = op;
	c[1] = flags;
	for (i = 0; i < 8; i++)
		c[2 + i] = (uint8_t)(lba >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		c[10 + i] = (uint8_t)(n >> (24 - 8 * i));
}

void check_sense_at(const char *file, int line, const struct scsi_task *task,
		    uint8_t key, uint8_t asc, uint8_t ascq)
{
	ck_assert_msg(task->status == SCSI_STATUS_CHECK_CONDITION,
		      "%s:%d: status %#x, want CHECK CONDITION", file, line,
		      task->status);
	ck_assert_msg(task->sense_len == 18 && (task->sense[0] & 0x7f) == 0x70
		      && task->sense[7] == 10,
		      "%s:%d: not fixed-format sense (len %u, %#x)", file,
		      line, task->sense_len, task->sense[0]);
	ck_assert_msg(task->sense[2] == key && task->sense[12] == asc &&
		      task->sense[13] == ascq,
		      "%s:%d: sense %x/%02x/%02x, want %x/%02x/%02x", file,
		      line, task->sense[2], task->sense[12], task->sense[13],
		      key, asc, ascq);
	ck_assert_msg(task->len == 0 && task->buf == NULL &&
		      task->dir == SCSI_DIR_NONE,
		      "%s:%d: a failed command has a data phase", file, line);
}

void check_field_at(const char *file, int line, const struct scsi_task *task,
		    unsigned int byte, int bit)
{
	uint8_t want = 0xc0 | (bit >= 0 ? 0x08 | bit : 0);

	ck_assert_msg(task->sense[15] == want &&
		      task->sense[16] == (uint8_t)(byte >> 8) &&
		      task->sense[17] == (uint8_t)byte,
		      "%s:%d: SKS %02x %02x %02x, want %02x %02x %02x", file,
		      line, task->sense[15], task->sense[16], task->sense[17],
		      want, byte >> 8, byte & 0xff);
}

void check_no_sks_at(const char *file, int line, const struct scsi_task *task)
{
	ck_assert_msg(!task->sense[15] && !task->sense[16] && !task->sense[17],
		      "%s:%d: unexpected sense-key specific data", file, line);
}

static void dump(const char *what, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	fprintf(stderr, "%s:", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

void check_data_at(const char *file, int line, const struct scsi_task *task,
		   const void *exp, uint32_t n)
{
	ck_assert_msg(task->status == SCSI_STATUS_GOOD && !task->sense_len,
		      "%s:%d: status %#x sense %x/%02x/%02x", file, line,
		      task->status, task->sense[2], task->sense[12],
		      task->sense[13]);
	ck_assert_msg(task->dir == SCSI_DIR_IN, "%s:%d: dir %d", file, line,
		      task->dir);
	ck_assert_msg(task->len == n, "%s:%d: len %u, want %u", file, line,
		      task->len, n);
	if (memcmp(task->buf, exp, n)) {
		dump("got", task->buf, n);
		dump("want", exp, n);
		ck_abort_msg("%s:%d: data differs", file, line);
	}
}

void check_resid_at(const char *file, int line, const struct scsi_task *task,
		    int kind, enum scsi_dir dir, uint32_t residual)
{
	ck_assert_msg(task->underflow == (kind == RES_UNDER) &&
		      task->overflow == (kind == RES_OVER),
		      "%s:%d: under %d over %d, want kind %d", file, line,
		      task->underflow, task->overflow, kind);
	ck_assert_msg(task->residual == residual, "%s:%d: residual %u, want %u",
		      file, line, task->residual, residual);
	ck_assert_msg(task->resid_dir == (kind == RES_NONE ? SCSI_DIR_NONE :
					  dir),
		      "%s:%d: resid_dir %d", file, line, task->resid_dir);
}

void check_good_nodata_at(const char *file, int line,
			  const struct scsi_task *task)
{
	ck_assert_msg(task->status == SCSI_STATUS_GOOD && !task->sense_len,
		      "%s:%d: status %#x sense %x/%02x/%02x", file, line,
		      task->status, task->sense[2], task->sense[12],
		      task->sense[13]);
	ck_assert_msg(task->len == 0 && task->dir == SCSI_DIR_NONE &&
		      task->buf == NULL, "%s:%d: unexpected data phase",
		      file, line);
}

void check_io_at(const char *file, int line, const struct scsi_task *task,
		 enum scsi_io_kind kind, uint64_t lba, uint32_t nblk)
{
	ck_assert_msg(task->io.kind == kind && task->io.lba == lba &&
		      task->io.nblk == nblk,
		      "%s:%d: io %d lba %llu nblk %u, want %d %llu %u", file,
		      line, task->io.kind, (unsigned long long)task->io.lba,
		      task->io.nblk, kind, (unsigned long long)lba, nblk);
}

void check_ext_at(const char *file, int line, const struct scsi_task *task,
		  enum scsi_dir dir, uint32_t len)
{
	ck_assert_msg(task->status == SCSI_STATUS_GOOD && !task->sense_len,
		      "%s:%d: status %#x sense %x/%02x/%02x", file, line,
		      task->status, task->sense[2], task->sense[12],
		      task->sense[13]);
	ck_assert_msg(task->dir == dir && task->len == len && !task->buf,
		      "%s:%d: dir %d len %u buf %p, want %d %u NULL", file,
		      line, task->dir, task->len, (void *)task->buf, dir, len);
}

int main(void)
{
	Suite *s = suite_create("scsi");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, tcase_dispatch());
	suite_add_tcase(s, tcase_inquiry());
	suite_add_tcase(s, tcase_mode());
	suite_add_tcase(s, tcase_capacity());
	suite_add_tcase(s, tcase_rw());
	suite_add_tcase(s, tcase_verify_sync());
	suite_add_tcase(s, tcase_lun());
	suite_add_tcase(s, tcase_backing());
	suite_add_tcase(s, tcase_provision());
	suite_add_tcase(s, tcase_alua());
	suite_add_tcase(s, tcase_ua());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
