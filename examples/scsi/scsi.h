/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_EXAMPLES_SCSI_H
#define SRPT_EXAMPLES_SCSI_H

/*
 * SCSI block device emulation (SPC-4 / SBC-3 subset) for a RAM disk.
 *
 * Pure code: no library calls, no I/O, no global state. Every function
 * may be called from any thread, concurrently on different tasks, and
 * from inside library callbacks; the target description and its LUNs are
 * only read (except LUN data written by the caller's data phase).
 *
 * Two phases, no bulk copies:
 *   1. scsi_task_start() decodes the CDB. On success it names the data
 *      phase: dir, buf, len. For READ/WRITE, buf points straight into the
 *      LUN's memory, so the transport moves the data with RDMA to or from
 *      the RAM disk itself. Generated data (INQUIRY, MODE SENSE...) lives
 *      in the task.
 *   2. The caller runs the data phase (if len != 0) and then calls
 *      scsi_task_finish(), which sets the final status (VERIFY with
 *      BYTCHK compares there) and frees what the task allocated.
 */

#include <stdbool.h>
#include <stdint.h>

/* SAM status codes */
#define SCSI_STATUS_GOOD		0x00
#define SCSI_STATUS_CHECK_CONDITION	0x02
#define SCSI_STATUS_BUSY		0x08

/* Sense keys used by the emulation */
#define SCSI_SK_NO_SENSE		0x0
#define SCSI_SK_ILLEGAL_REQUEST		0x5
#define SCSI_SK_DATA_PROTECT		0x7
#define SCSI_SK_MISCOMPARE		0xe

#define SCSI_BLOCK_SIZE			512u
/* Flat space addressing has 14 bits: LUN indexes 0..16383. */
#define SCSI_MAX_LUNS			16384u
/* Fixed-format sense data, 0x70, with 10 additional bytes */
#define SCSI_SENSE_LEN			18u
/* Generated data that fits here needs no allocation. */
#define SCSI_TASK_SMALL_LEN		512u
/* Default and upper bound of the MAXIMUM TRANSFER LENGTH (VPD 0xB0). */
#define SCSI_DEFAULT_MAX_XFER_BYTES	(4u << 20)
#define SCSI_MAX_XFER_BYTES_LIMIT	(32u << 20)
/*
 * IEEE company id in the NAA 6 designators. libsrpt has no OUI of its
 * own, so this is an administratively assigned (locally administered)
 * value: unique among libsrpt targets only, provided target ids differ.
 */
#define SCSI_NAA_COMPANY_ID		0x025352u

/* One logical unit backed by RAM. */
struct scsi_lun {
	uint8_t *data;		/* nblocks * block_size bytes */
	uint64_t nblocks;
	uint32_t block_size;	/* non-zero; scsi_lun_init sets 512 */
	uint8_t naa_id[16];	/* NAA 6 designator, stable and unique */
	char serial[21];	/* unit serial number, printable ASCII */
	bool write_protect;
	unsigned int index;	/* in the target */
};

struct scsi_target_desc {
	struct scsi_lun *luns;	/* LUN index i is luns[i] */
	unsigned int nluns;	/* only the first SCSI_MAX_LUNS are served */
	const char *vendor;	/* at most 8 characters, NULL: "LIBSRPT" */
	const char *product;	/* at most 16, NULL: "RAMDISK" */
	const char *revision;	/* at most 4, NULL: "0001" */
	/*
	 * Largest READ/WRITE/VERIFY(BYTCHK) data in bytes, as reported in
	 * VPD 0xB0; 0 means SCSI_DEFAULT_MAX_XFER_BYTES. Clamped to
	 * SCSI_MAX_XFER_BYTES_LIMIT. Set it to what the transport can move
	 * in one command; longer commands get 5/24/00.
	 */
	uint32_t max_xfer_bytes;
};

enum scsi_dir {
	SCSI_DIR_NONE,
	SCSI_DIR_IN,		/* data to the initiator (RDMA WRITE) */
	SCSI_DIR_OUT,		/* data from the initiator (RDMA READ) */
};

struct scsi_task {
	/* in: set by the caller before scsi_task_start() */
	const uint8_t *lun8;	/* the command's 8-byte SAM LUN */
	const uint8_t *cdb;
	unsigned int cdb_len;	/* bytes valid at cdb (SRP: 16 or more) */
	enum scsi_dir init_dir;	/* direction of the SRP descriptors */
	uint32_t init_len;	/* bytes the descriptors cover */

	/* out: the data phase; len == 0 means there is none */
	enum scsi_dir dir;
	uint8_t *buf;		/* LUN memory, small[] or heap */
	uint32_t len;

	/* out: status; sense_len != 0 only with CHECK CONDITION */
	uint8_t status;
	uint8_t sense_len;
	uint8_t sense[SCSI_SENSE_LEN];

	/*
	 * out: residual against init_len (SAM-5 5.4.3). overflow: the
	 * command implies residual more bytes than the initiator described;
	 * underflow: residual described bytes were not transferred.
	 * resid_dir says which of the SRP_RSP DI/DO counts it belongs to.
	 */
	uint32_t residual;
	bool overflow, underflow;
	enum scsi_dir resid_dir;

	uint8_t small[SCSI_TASK_SMALL_LEN];

	/* private to the emulation */
	uint8_t *heap;
	struct scsi_lun *lu;
	uint64_t lba;
	uint32_t nblk;
	uint8_t op;
	uint8_t bytchk;
};

/**
 * scsi_rw_covers - whether a READ or WRITE moves a given block
 * @cdb: a CDB of at least 16 bytes
 * @lba: the block
 *
 * Return: true for READ/WRITE(6/10/16) whose range holds @lba, else false.
 * Any thread; pure.
 */
bool scsi_rw_covers(const uint8_t *cdb, uint64_t lba);

/**
 * scsi_task_start - decode and validate a command, name its data phase
 * @t: the target description (read only)
 * @task: inputs set; every output field is (re)initialised
 *
 * On GOOD, task->dir/buf/len describe the data phase (len may be 0). On
 * CHECK CONDITION (or BUSY when a buffer could not be allocated) there
 * is no data phase, sense holds fixed-format sense data and the residual
 * reports all of init_len as unused. A WRITE or VERIFY(BYTCHK) whose CDB
 * implies more data than the descriptors cover is rejected with
 * 5/0E/03 (INVALID FIELD IN COMMAND INFORMATION UNIT) before anything is
 * written; a READ-type command transfers what fits and reports overflow.
 * A descriptor direction opposite to the command's gets 5/24/00.
 *
 * Any thread, also inside library callbacks; no locks taken.
 *
 * Return: 0, or -EINVAL when @t or @task is NULL.
 */
int scsi_task_start(const struct scsi_target_desc *t, struct scsi_task *task);

/**
 * scsi_task_finish - complete a task after its data phase
 * @t: the same target description
 * @task: a task scsi_task_start() ran on
 *
 * Call once per started task, after the data phase has fully landed.
 * VERIFY with BYTCHK compares here (MISCOMPARE 0xE/1D/00 on mismatch,
 * INFORMATION = byte offset of the first difference). Frees the task's
 * heap buffer: buf is invalid afterwards. Any thread.
 */
void scsi_task_finish(const struct scsi_target_desc *t,
		      struct scsi_task *task);

/**
 * scsi_task_release - free a task's buffer without completing it
 * @task: a started task whose data phase will not happen (e.g. the
 *        channel went away)
 *
 * Idempotent; scsi_task_finish() calls it. Any thread.
 */
void scsi_task_release(struct scsi_task *task);

/**
 * scsi_task_detach_buffer - take over the task's heap buffer
 * @task: a started task
 *
 * For a caller that hands the task back (e.g. to the library) before the
 * data phase ends: task->buf stays valid until the caller frees the
 * returned pointer with free(). Any thread.
 *
 * Return: the buffer, or NULL when the task has none (data in small[]
 * or in LUN memory).
 */
void *scsi_task_detach_buffer(struct scsi_task *task);

/**
 * scsi_lun_init - set up a LUN over caller-owned memory
 * @lun: filled in (write_protect false)
 * @mem: at least @bytes bytes; used directly as the medium
 * @bytes: size; rounded down to whole 512-byte blocks
 * @index: the LUN index in the target (below SCSI_MAX_LUNS)
 * @target_id: stable id of the target (e.g. its SRP target port id)
 *
 * naa_id and serial depend only on @target_id and @index, so every
 * login and every path to the same LUN sees the same designators, and
 * different LUNs or targets see different ones.
 *
 * Return: 0, or -EINVAL (NULL pointer, under one block, bad index).
 */
int scsi_lun_init(struct scsi_lun *lun, void *mem, uint64_t bytes,
		  unsigned int index, uint64_t target_id);

/**
 * scsi_lun_set_target_id - the target id the designators are made of
 * @lun: an initialised LUN
 * @target_id: as for scsi_lun_init() (set later when it is known only
 *             once the target listens)
 */
void scsi_lun_set_target_id(struct scsi_lun *lun, uint64_t target_id);

/**
 * scsi_lun_to_index - decode an 8-byte SAM LUN
 * @lun8: peripheral device addressing (00 LL, bus 0) or flat space
 *        addressing (4x LL); the other six bytes must be zero
 *
 * Return: the LUN index (0..16383), or -EINVAL for any other form.
 */
int scsi_lun_to_index(const uint8_t lun8[8]);

/**
 * scsi_lun_from_index - encode a LUN index as REPORT LUNS lists it
 * @index: below SCSI_MAX_LUNS
 * @lun8: peripheral addressing below 256 (as Linux int_to_scsilun),
 *        flat space addressing from 256 on
 */
void scsi_lun_from_index(unsigned int index, uint8_t lun8[8]);

#endif
