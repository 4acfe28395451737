/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SCSI_TEST_H
#define SCSI_TEST_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "scsi.h"

/*
 * The fixture target: three LUNs over heap memory.
 *   LUN 0: 1024 blocks, LUN 1: 64 blocks write-protected, LUN 2: 8 blocks.
 */
#define TEST_TARGET_ID	0x0011223344556677ull
#define LUN0_BLOCKS	1024u
#define LUN1_BLOCKS	64u
#define LUN2_BLOCKS	8u
#define NO_LUN		7u	/* an index past the last LUN */

extern struct scsi_target_desc tdesc;
extern struct scsi_lun tluns[3];

void scsi_fixture_setup(void);
void scsi_fixture_teardown(void);
TCase *scsi_tcase(const char *name);

/* Runs scsi_task_start() for a LUN index (peripheral addressing). */
void run_cdb(struct scsi_task *task, unsigned int lun, const uint8_t *cdb,
	     unsigned int cdb_len, enum scsi_dir dir, uint32_t init_len);
/* Same with a raw 8-byte LUN. */
void run_cdb_lun8(struct scsi_task *task, const uint8_t lun8[8],
		  const uint8_t *cdb, unsigned int cdb_len, enum scsi_dir dir,
		  uint32_t init_len);

/* READ(10)-shaped and READ(16)-shaped CDBs: op, byte 1, LBA, length */
void cdb10(uint8_t *c, uint8_t op, uint8_t flags, uint32_t lba, uint16_t n);
void cdb16(uint8_t *c, uint8_t op, uint8_t flags, uint64_t lba, uint32_t n);

#define RUN(task, lun, dir, ilen, ...)					\
	do {								\
		static const uint8_t cdb_[] = { __VA_ARGS__ };		\
		run_cdb(task, lun, cdb_, sizeof(cdb_), dir, ilen);	\
	} while (0)

void check_sense_at(const char *file, int line, const struct scsi_task *task,
		    uint8_t key, uint8_t asc, uint8_t ascq);
void check_field_at(const char *file, int line, const struct scsi_task *task,
		    unsigned int byte, int bit);
void check_no_sks_at(const char *file, int line,
		     const struct scsi_task *task);
void check_data_at(const char *file, int line, const struct scsi_task *task,
		   const void *exp, uint32_t n);
void check_resid_at(const char *file, int line, const struct scsi_task *task,
		    int kind, enum scsi_dir dir, uint32_t residual);
void check_good_nodata_at(const char *file, int line,
			  const struct scsi_task *task);

/* Exact status, sense key, ASC, ASCQ, and no data phase. */
#define ck_sense(t, k, a, q) check_sense_at(__FILE__, __LINE__, t, k, a, q)
/* Sense-key specific: field pointer into the CDB (bit < 0: no BPV). */
#define ck_field(t, byte, bit) check_field_at(__FILE__, __LINE__, t, byte, bit)
#define ck_no_sks(t) check_no_sks_at(__FILE__, __LINE__, t)
/* GOOD, data-in of exactly n bytes equal to exp. */
#define ck_data(t, exp, n) check_data_at(__FILE__, __LINE__, t, exp, n)
/* kind: 0 none, 1 underflow, 2 overflow */
#define RES_NONE	0
#define RES_UNDER	1
#define RES_OVER	2
#define ck_resid(t, kind, dir, r) \
	check_resid_at(__FILE__, __LINE__, t, kind, dir, r)
#define ck_good_nodata(t) check_good_nodata_at(__FILE__, __LINE__, t)
void check_io_at(const char *file, int line, const struct scsi_task *task,
		 enum scsi_io_kind kind, uint64_t lba, uint32_t nblk);
void check_ext_at(const char *file, int line, const struct scsi_task *task,
		  enum scsi_dir dir, uint32_t len);
/* task->io: kind, lba, nblk */
#define ck_io(t, kind, lba, nblk) \
	check_io_at(__FILE__, __LINE__, t, kind, lba, nblk)
/* GOOD, a data phase of len bytes in dir into the caller's buffers */
#define ck_ext(t, dir, len) check_ext_at(__FILE__, __LINE__, t, dir, len)

TCase *tcase_dispatch(void);
TCase *tcase_inquiry(void);
TCase *tcase_mode(void);
TCase *tcase_capacity(void);
TCase *tcase_rw(void);
TCase *tcase_verify_sync(void);
TCase *tcase_lun(void);
TCase *tcase_backing(void);
TCase *tcase_provision(void);
TCase *tcase_alua(void);
TCase *tcase_ua(void);

#endif
