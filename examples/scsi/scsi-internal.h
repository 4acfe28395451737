/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_EXAMPLES_SCSI_INTERNAL_H
#define SRPT_EXAMPLES_SCSI_INTERNAL_H

/* Shared by the scsi*.c files only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scsi.h"

/* Operation codes handled (SPC-4, SBC-3) */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_MODE_SENSE_6		0x1a
#define OP_START_STOP_UNIT	0x1b
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_VERIFY_10		0x2f
#define OP_SYNC_CACHE_10	0x35
#define OP_WRITE_SAME_10	0x41
#define OP_UNMAP		0x42
#define OP_MODE_SENSE_10	0x5a
#define OP_READ_16		0x88
#define OP_WRITE_16		0x8a
#define OP_VERIFY_16		0x8f
#define OP_SYNC_CACHE_16	0x91
#define OP_WRITE_SAME_16	0x93
#define OP_SERVICE_ACTION_IN_16	0x9e
#define OP_REPORT_LUNS		0xa0
#define OP_MAINTENANCE_IN	0xa3

#define SAI_READ_CAPACITY_16	0x10
#define MI_REPORT_TARGET_PGS	0x0a

/* Additional sense code and qualifier, as one 16-bit value */
#define ASC_NONE			0x0000
#define ASC_NOT_READY_TRANSITION	0x040a
#define ASC_NOT_READY_STANDBY		0x040b
#define ASC_NOT_READY_UNAVAILABLE	0x040c
#define ASC_WRITE_ERROR			0x0c00
#define ASC_INVALID_FIELD_IN_IU		0x0e03
#define ASC_UNRECOVERED_READ_ERROR	0x1100
#define ASC_PARAM_LIST_LENGTH		0x1a00
#define ASC_MISCOMPARE_VERIFY		0x1d00
#define ASC_INVALID_OPCODE		0x2000
#define ASC_LBA_OUT_OF_RANGE		0x2100
#define ASC_INVALID_FIELD_IN_CDB	0x2400
#define ASC_LUN_NOT_SUPPORTED		0x2500
#define ASC_INVALID_FIELD_IN_PARAM	0x2600
#define ASC_WRITE_PROTECTED		0x2700
#define ASC_SPACE_ALLOC_FAILED_WP	0x2707
#define ASC_ALUA_STATE_CHANGED		0x2a06
#define ASC_SAVING_NOT_SUPPORTED	0x3900
#define ASC_REPORTED_LUNS_CHANGED	0x3f0e
#define ASC_INTERNAL_TARGET_FAILURE	0x4400

/* No bit pointer: the field pointer names a whole byte. */
#define NO_BIT	(-1)

/* The wire is big-endian, byte by byte; no casts, no alignment needs. */
static inline uint16_t scsi_get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

static inline uint32_t scsi_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t scsi_get_be64(const uint8_t *p)
{
	return (uint64_t)scsi_get_be32(p) << 32 | scsi_get_be32(p + 4);
}

static inline void scsi_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void scsi_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void scsi_put_be64(uint8_t *p, uint64_t v)
{
	scsi_put_be32(p, (uint32_t)(v >> 32));
	scsi_put_be32(p + 4, (uint32_t)v);
}

static inline uint32_t scsi_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* An LBA range as a block command's CDB gives it. */
struct lba_range {
	uint64_t lba;
	uint32_t nblk;
	uint8_t flags;		/* CDB byte 1 (0 for the 6-byte CDBs) */
	uint8_t len_byte;	/* CDB byte where the length field starts */
};

/* scsi-sense.c */
void scsi_set_sense(struct scsi_task *task, uint8_t key, uint16_t asc);
/* ILLEGAL REQUEST with a field pointer into the CDB (SPC-4 4.5.2.4.2) */
void scsi_set_sense_field(struct scsi_task *task, uint16_t asc,
			  unsigned int byte, int bit);
/* INVALID FIELD IN PARAMETER LIST, pointing into the parameter data */
void scsi_set_sense_param(struct scsi_task *task, unsigned int byte);
void scsi_set_information(struct scsi_task *task, uint32_t info);
void scsi_cmd_request_sense(const struct scsi_target_desc *t,
			    struct scsi_task *task);

/* scsi.c */
void scsi_data_phase(struct scsi_task *task, enum scsi_dir cmd_dir,
		     uint8_t *buf, uint32_t implied);
void scsi_data_in(struct scsi_task *task, uint8_t *buf, uint32_t avail,
		  uint32_t alloc_len);
uint8_t *scsi_task_buffer(struct scsi_task *task, size_t size);
uint8_t *scsi_data_out_buffer(struct scsi_task *task, uint32_t size);
void scsi_copy_ascii(uint8_t *dst, const char *src, size_t n);
unsigned int scsi_visible_luns(const struct scsi_target_desc *t);

/* scsi-inquiry.c */
void scsi_cmd_inquiry(const struct scsi_target_desc *t,
		      struct scsi_task *task);

/* scsi-mode.c */
void scsi_cmd_mode_sense(const struct scsi_target_desc *t,
			 struct scsi_task *task);

/* scsi-block.c */
void scsi_decode_range(const uint8_t *cdb, struct lba_range *r);
bool scsi_range_ok(const struct scsi_lun *lu, uint64_t lba, uint64_t nblk);
uint8_t *scsi_lba_ptr(const struct scsi_lun *lu, uint64_t lba);
void scsi_set_io(struct scsi_task *task, enum scsi_io_kind kind,
		 uint64_t lba, uint32_t nblk);
uint32_t scsi_max_xfer_blocks(const struct scsi_target_desc *t,
			      const struct scsi_lun *lu);
void scsi_cmd_rw(const struct scsi_target_desc *t, struct scsi_task *task);
void scsi_cmd_verify(const struct scsi_target_desc *t,
		     struct scsi_task *task);
void scsi_verify_compare(struct scsi_task *task);
void scsi_cmd_sync_cache(const struct scsi_target_desc *t,
			 struct scsi_task *task);
void scsi_cmd_read_capacity(const struct scsi_target_desc *t,
			    struct scsi_task *task);

/* scsi-provision.c */
uint32_t scsi_max_unmap_blocks(const struct scsi_lun *lu);
uint32_t scsi_max_unmap_descs(const struct scsi_lun *lu);
uint32_t scsi_unmap_granularity(const struct scsi_lun *lu);
uint32_t scsi_max_write_same_blocks(const struct scsi_lun *lu);
void scsi_cmd_write_same(const struct scsi_target_desc *t,
			 struct scsi_task *task);
void scsi_cmd_unmap(const struct scsi_target_desc *t, struct scsi_task *task);
void scsi_provision_data_out(struct scsi_task *task);
void scsi_provision_ram(struct scsi_task *task);

/* scsi-alua.c: where a command may run without a full access state */
#define ALUA_OK_STANDBY		0x01
#define ALUA_OK_UNAVAILABLE	0x02	/* and transitioning */
bool scsi_alua_allows(const struct scsi_target_desc *t, uint8_t ok,
		      struct scsi_task *task);
void scsi_cmd_maintenance_in(const struct scsi_target_desc *t,
			     struct scsi_task *task);

/* scsi-ua.c: the nexus's unit attention */
/* The pending unit attention's ASC/ASCQ, taken, or ASC_NONE. */
uint16_t scsi_ua_take(const struct scsi_target_desc *t, struct scsi_nexus *nx);
void scsi_ua_clear_luns(struct scsi_nexus *nx, unsigned int gen);
/* Ends @task with the pending unit attention, if it is one to get it. */
bool scsi_ua_check(const struct scsi_target_desc *t, struct scsi_task *task);

/* scsi.c: LUN index @idx (below scsi_visible_luns()), or NULL */
struct scsi_lun *scsi_lun_at(const struct scsi_target_desc *t,
			     unsigned int idx);

/* scsi-lun.c */
void scsi_cmd_report_luns(const struct scsi_target_desc *t,
			  struct scsi_task *task);

#endif
