/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Sense data (SPC-4 4.5): fixed format 0x70 for autosense, and the
 * REQUEST SENSE command.
 */
#include <string.h>

#include "scsi-internal.h"

#define SENSE_FIXED_CURRENT	0x70
#define SENSE_DESC_CURRENT	0x72
#define SENSE_VALID		0x80
#define SENSE_ADD_LEN		(SCSI_SENSE_LEN - 8)
#define SKS_VALID		0x80
#define SKS_CD			0x40	/* the field is in the CDB */
#define SKS_BPV			0x08

static void fixed_sense(uint8_t *s, uint8_t key, uint16_t asc)
{
	memset(s, 0, SCSI_SENSE_LEN);
	s[0] = SENSE_FIXED_CURRENT;
	s[2] = key & 0x0f;
	s[7] = SENSE_ADD_LEN;
	s[12] = (uint8_t)(asc >> 8);
	s[13] = (uint8_t)asc;
}

void scsi_set_sense(struct scsi_task *task, uint8_t key, uint16_t asc)
{
	task->status = SCSI_STATUS_CHECK_CONDITION;
	fixed_sense(task->sense, key, asc);
	task->sense_len = SCSI_SENSE_LEN;
}

static void set_field_pointer(struct scsi_task *task, uint16_t asc,
			      uint8_t cd, unsigned int byte, int bit)
{
	scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST, asc);
	task->sense[15] = SKS_VALID | cd;
	if (bit >= 0)
		task->sense[15] |= SKS_BPV | (bit & 0x07);
	scsi_put_be16(task->sense + 16, (uint16_t)byte);
}

void scsi_set_sense_field(struct scsi_task *task, uint16_t asc,
			  unsigned int byte, int bit)
{
	set_field_pointer(task, asc, SKS_CD, byte, bit);
}

void scsi_set_sense_param(struct scsi_task *task, unsigned int byte)
{
	set_field_pointer(task, ASC_INVALID_FIELD_IN_PARAM, 0, byte, -1);
}

void scsi_set_information(struct scsi_task *task, uint32_t info)
{
	task->sense[0] |= SENSE_VALID;
	scsi_put_be32(task->sense + 3, info);
}

/*
 * The only sense ever pending is a unit attention of the nexus (errors
 * are reported with autosense in the response, there are no deferred
 * errors): REQUEST SENSE returns it and so clears it. Else the answer is
 * NO SENSE, except on a LUN that does not exist, where SAM-5 wants GOOD
 * status with ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED as the
 * parameter data. Both sense formats are offered (DESC bit).
 */
void scsi_cmd_request_sense(const struct scsi_target_desc *t,
			    struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint8_t key = task->lu ? SCSI_SK_NO_SENSE : SCSI_SK_ILLEGAL_REQUEST;
	uint16_t asc = task->lu ? ASC_NONE : ASC_LUN_NOT_SUPPORTED;
	uint8_t *b = task->small;
	uint32_t n;

	if (task->lu && task->nx) {
		uint16_t ua = scsi_ua_take(t, task->nx);

		if (ua != ASC_NONE) {
			key = SCSI_SK_UNIT_ATTENTION;
			asc = ua;
		}
	}

	if (cdb[1] & 0x01) {
		n = 8;
		memset(b, 0, n);
		b[0] = SENSE_DESC_CURRENT;
		b[1] = key;
		b[2] = (uint8_t)(asc >> 8);
		b[3] = (uint8_t)asc;
	} else {
		n = SCSI_SENSE_LEN;
		fixed_sense(b, key, asc);
	}
	scsi_data_in(task, b, n, cdb[4]);
}
