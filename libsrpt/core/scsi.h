/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CORE_SCSI_H
#define SRPT_CORE_SCSI_H

/* The SCSI status and sense values the library sends itself (SAM-5,
 * SPC-4); everything else is the application's. */
enum {
	SAM_STAT_GOOD = 0x00,
	SAM_STAT_CHECK_CONDITION = 0x02,
	SAM_STAT_BUSY = 0x08,
	SAM_STAT_TASK_SET_FULL = 0x28,
};

enum {
	SENSE_HARDWARE_ERROR = 0x04,
	SENSE_ILLEGAL_REQUEST = 0x05,
};

/* Additional sense code and qualifier, as one value: asc << 8 | ascq. */
enum {
	ASC_INTERNAL_TARGET_FAILURE = 0x4400,
	ASC_INVALID_FIELD_IN_CDB = 0x2400,
	ASC_INVALID_FIELD_IN_CIU = 0x0e03,	/* command information unit */
};

#define SENSE_FIXED_LEN 18

#endif
