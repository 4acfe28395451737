/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Command dispatch and the data-phase length rules.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "scsi-internal.h"

typedef void (*scsi_cmd_fn)(const struct scsi_target_desc *t,
			    struct scsi_task *task);

struct scsi_cmd {
	scsi_cmd_fn fn;
	uint8_t cdb_len;
	bool any_lun;		/* also served on LUNs that do not exist */
	/* ALUA_OK_*: also served in those states; ALUA_ONLY: a hole
	 * when tpg_id is 0 */
	uint8_t alua;
};

static void scsi_cmd_good(const struct scsi_target_desc *t,
			  struct scsi_task *task)
{
	/* TEST UNIT READY, START STOP UNIT: a RAM disk is always ready. */
	scsi_data_phase(task, SCSI_DIR_NONE, NULL, 0);
}

#define ALUA_ONLY	0x80
#define ALUA_S		ALUA_OK_STANDBY
#define ALUA_SU		(ALUA_OK_STANDBY | ALUA_OK_UNAVAILABLE)

/* Indexed by operation code; a hole means 5/20/00. */
static const struct scsi_cmd scsi_cmds[256] = {
	[OP_TEST_UNIT_READY]	= { scsi_cmd_good, 6, false, 0 },
	[OP_REQUEST_SENSE]	= { scsi_cmd_request_sense, 6, true, ALUA_SU },
	[OP_READ_6]		= { scsi_cmd_rw, 6, false, 0 },
	[OP_WRITE_6]		= { scsi_cmd_rw, 6, false, 0 },
	[OP_INQUIRY]		= { scsi_cmd_inquiry, 6, true, ALUA_SU },
	[OP_MODE_SENSE_6]	= { scsi_cmd_mode_sense, 6, false, ALUA_S },
	[OP_START_STOP_UNIT]	= { scsi_cmd_good, 6, false, 0 },
	[OP_READ_CAPACITY_10]	= { scsi_cmd_read_capacity, 10, false, ALUA_S },
	[OP_READ_10]		= { scsi_cmd_rw, 10, false, 0 },
	[OP_WRITE_10]		= { scsi_cmd_rw, 10, false, 0 },
	[OP_VERIFY_10]		= { scsi_cmd_verify, 10, false, 0 },
	[OP_SYNC_CACHE_10]	= { scsi_cmd_sync_cache, 10, false, 0 },
	[OP_WRITE_SAME_10]	= { scsi_cmd_write_same, 10, false, 0 },
	[OP_UNMAP]		= { scsi_cmd_unmap, 10, false, 0 },
	[OP_MODE_SENSE_10]	= { scsi_cmd_mode_sense, 10, false, ALUA_S },
	[OP_READ_16]		= { scsi_cmd_rw, 16, false, 0 },
	[OP_WRITE_16]		= { scsi_cmd_rw, 16, false, 0 },
	[OP_VERIFY_16]		= { scsi_cmd_verify, 16, false, 0 },
	[OP_SYNC_CACHE_16]	= { scsi_cmd_sync_cache, 16, false, 0 },
	[OP_WRITE_SAME_16]	= { scsi_cmd_write_same, 16, false, 0 },
	[OP_SERVICE_ACTION_IN_16] = { scsi_cmd_read_capacity, 16, false,
				      ALUA_S },
	[OP_REPORT_LUNS]	= { scsi_cmd_report_luns, 12, true, ALUA_SU },
	[OP_MAINTENANCE_IN]	= { scsi_cmd_maintenance_in, 12, false,
				    ALUA_SU | ALUA_ONLY },
};

unsigned int scsi_visible_luns(const struct scsi_target_desc *t)
{
	if (!t->luns && !t->lun_slots)
		return 0;
	return t->nluns < SCSI_MAX_LUNS ? t->nluns : SCSI_MAX_LUNS;
}

struct scsi_lun *scsi_lun_at(const struct scsi_target_desc *t,
			     unsigned int idx)
{
	if (idx >= scsi_visible_luns(t))
		return NULL;
	if (t->lun_slots)
		return atomic_load_explicit(&t->lun_slots[idx],
					    memory_order_acquire);
	return &t->luns[idx];
}

struct scsi_lun *scsi_task_lun(const struct scsi_task *task)
{
	return task->lu;
}

/* Space padded, graphic characters only (SPC-4 4.4.1). */
void scsi_copy_ascii(uint8_t *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; src && src[i] && i < n; i++) {
		uint8_t c = (uint8_t)src[i];

		dst[i] = c >= 0x20 && c <= 0x7e ? c : ' ';
	}
	memset(dst + i, ' ', n - i);
}

/*
 * Room for generated data: the task's small buffer, or one heap buffer
 * (REPORT LUNS for many LUNs, the VERIFY compare buffer). Callers keep
 * size bounded: 8 + 8 * SCSI_MAX_LUNS, or SCSI_MAX_XFER_BYTES_LIMIT.
 * On allocation failure the task ends with BUSY so the initiator
 * retries later.
 */
uint8_t *scsi_task_buffer(struct scsi_task *task, size_t size)
{
	if (size <= sizeof(task->small))
		return task->small;
	free(task->heap);
	task->heap = malloc(size);
	if (!task->heap)
		task->status = SCSI_STATUS_BUSY;
	return task->heap;
}

/*
 * Room for a data out of @size bytes, or NULL when the descriptors cover
 * less, which scsi_data_phase() then rejects: nothing is allocated for
 * a command that fails anyway. NULL with BUSY when allocation failed.
 */
uint8_t *scsi_data_out_buffer(struct scsi_task *task, uint32_t size)
{
	if (task->init_dir != SCSI_DIR_OUT || task->init_len < size)
		return NULL;
	return scsi_task_buffer(task, size);
}

/*
 * Sets the data phase of a command that is going to succeed.
 * @implied is the length the CDB implies (for generated data: the
 * allocation length or the data available, whichever is less).
 *
 * The transfer is min(implied, init_len) in the command's direction.
 * Descriptors in the opposite direction: 5/24/00. Data-out described
 * short of what the CDB implies: 5/0E/03, nothing written, because a
 * partial write would leave the range half old and half new while
 * reporting GOOD. A short data-in buffer is a plain overflow (SAM-5).
 */
void scsi_data_phase(struct scsi_task *task, enum scsi_dir cmd_dir,
		     uint8_t *buf, uint32_t implied)
{
	enum scsi_dir idir = task->init_len ? task->init_dir : SCSI_DIR_NONE;
	uint32_t ilen = idir == SCSI_DIR_NONE ? 0 : task->init_len;
	uint32_t xfer = 0;

	if (cmd_dir != SCSI_DIR_NONE && idir != SCSI_DIR_NONE &&
	    idir != cmd_dir) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	if (cmd_dir == SCSI_DIR_OUT && implied > ilen) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_IU);
		return;
	}
	if (cmd_dir == SCSI_DIR_NONE)
		implied = 0;
	else if (idir == cmd_dir)
		xfer = scsi_min_u32(implied, ilen);

	if (xfer) {
		task->dir = cmd_dir;
		task->buf = buf;
		task->len = xfer;
	}
	if (implied > ilen) {
		task->overflow = true;
		task->residual = implied - ilen;
		task->resid_dir = cmd_dir;
	} else if (ilen > xfer) {
		task->underflow = true;
		task->residual = ilen - xfer;
		task->resid_dir = idir;
	}
}

/* Data-in of @avail generated bytes at @buf, cut at the allocation length. */
void scsi_data_in(struct scsi_task *task, uint8_t *buf, uint32_t avail,
		  uint32_t alloc_len)
{
	scsi_data_phase(task, SCSI_DIR_IN, buf,
			scsi_min_u32(avail, alloc_len));
}

void scsi_task_release(struct scsi_task *task)
{
	if (!task)
		return;
	if (task->heap && task->buf == task->heap) {
		task->buf = NULL;
		task->len = 0;
	}
	free(task->heap);
	task->heap = NULL;
}

uint32_t scsi_task_expected_len(const struct scsi_task *task)
{
	if (task->overflow)
		return task->init_len + task->residual;
	return task->len;
}

void *scsi_task_detach_buffer(struct scsi_task *task)
{
	void *heap = task->heap;

	task->heap = NULL;
	return heap;
}

static void scsi_task_reset(struct scsi_task *task)
{
	task->dir = SCSI_DIR_NONE;
	task->buf = NULL;
	task->len = 0;
	task->status = SCSI_STATUS_GOOD;
	task->sense_len = 0;
	memset(task->sense, 0, sizeof(task->sense));
	task->residual = 0;
	task->overflow = false;
	task->underflow = false;
	task->resid_dir = SCSI_DIR_NONE;
	memset(&task->io, 0, sizeof(task->io));
	task->heap = NULL;
	task->lu = NULL;
	task->nx = NULL;
	task->lba = 0;
	task->nblk = 0;
	task->op = 0;
	task->bytchk = 0;
	task->out_pending = false;
}

/*
 * A failed command moves no data: all of what was described is unused,
 * and the medium has nothing to do.
 */
static void scsi_task_failed(struct scsi_task *task)
{
	scsi_task_release(task);
	memset(&task->io, 0, sizeof(task->io));
	task->out_pending = false;
	task->dir = SCSI_DIR_NONE;
	task->buf = NULL;
	task->len = 0;
	task->overflow = false;
	task->underflow = task->init_dir != SCSI_DIR_NONE && task->init_len;
	task->residual = task->underflow ? task->init_len : 0;
	task->resid_dir = task->underflow ? task->init_dir : SCSI_DIR_NONE;
}

static void scsi_dispatch(const struct scsi_target_desc *t,
			  struct scsi_task *task)
{
	const struct scsi_cmd *cmd;
	uint8_t control;
	int idx;

	if (!task->cdb || !task->cdb_len) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	task->op = task->cdb[0];
	cmd = &scsi_cmds[task->op];

	idx = task->lun8 ? scsi_lun_to_index(task->lun8) : -EINVAL;
	if (idx >= 0)
		task->lu = scsi_lun_at(t, (unsigned int)idx);

	/* SAM-5: only INQUIRY, REPORT LUNS, REQUEST SENSE reach no LU. */
	if (!task->lu && !cmd->any_lun) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_LUN_NOT_SUPPORTED);
		return;
	}
	/* A pending unit attention comes before anything the command
	 * could be refused for. */
	if (scsi_ua_check(t, task))
		return;
	/* Without ALUA there is no REPORT TARGET PORT GROUPS to serve. */
	if (!cmd->fn || ((cmd->alua & ALUA_ONLY) && !t->tpg_id)) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_OPCODE);
		return;
	}
	if (!scsi_alua_allows(t, cmd->alua, task))
		return;
	if (task->cdb_len < cmd->cdb_len) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	/* No NACA (NORMACA is 0 in INQUIRY), no linked commands. */
	control = task->cdb[cmd->cdb_len - 1];
	if (control & 0x04) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
				     cmd->cdb_len - 1, 2);
		return;
	}
	if (control & 0x01) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
				     cmd->cdb_len - 1, 0);
		return;
	}
	cmd->fn(t, task);
}

int scsi_task_start_nexus(const struct scsi_target_desc *t,
			  struct scsi_nexus *nx, struct scsi_task *task)
{
	if (!t || !task)
		return -EINVAL;
	scsi_task_reset(task);
	task->nx = nx;
	scsi_dispatch(t, task);
	if (task->status != SCSI_STATUS_GOOD)
		scsi_task_failed(task);
	return 0;
}

int scsi_task_start(const struct scsi_target_desc *t, struct scsi_task *task)
{
	return scsi_task_start_nexus(t, NULL, task);
}

/* Not a medium error, not the initiator's: the target's own fault. */
static void fail_internal(struct scsi_task *task)
{
	scsi_set_sense(task, SCSI_SK_HARDWARE_ERROR,
		       ASC_INTERNAL_TARGET_FAILURE);
	scsi_task_failed(task);
}

/*
 * A backend error is never reported as success: an errno without a
 * better name is an internal target failure. BUSY rather than an error
 * for the transient shortages, so the initiator retries.
 */
void scsi_task_backend_failed(struct scsi_task *task, int err)
{
	if (!task)
		return;
	if (err > 0)
		err = -err;
	switch (err) {
	case -EIO:
		scsi_set_sense(task, SCSI_SK_MEDIUM_ERROR,
			       task->io.kind == SCSI_IO_READ ?
			       ASC_UNRECOVERED_READ_ERROR : ASC_WRITE_ERROR);
		break;
	case -ENOSPC:
		scsi_set_sense(task, SCSI_SK_DATA_PROTECT,
			       ASC_SPACE_ALLOC_FAILED_WP);
		break;
	case -EROFS:
	case -EPERM:
	case -EACCES:
		scsi_set_sense(task, SCSI_SK_DATA_PROTECT,
			       ASC_WRITE_PROTECTED);
		break;
	case -ESHUTDOWN:
		/* The backing was taken from this port (Ceph blocklists a
		 * client whose lock another took over: EBLOCKLISTED): the
		 * command did nothing here, and another port may serve
		 * it. Linux counts this sense as a path error, which
		 * dm-multipath retries on another path; MEDIUM ERROR
		 * would reach the application. */
		scsi_set_sense(task, SCSI_SK_NOT_READY,
			       ASC_NOT_READY_UNAVAILABLE);
		break;
	case -ENOMEM:
	case -EAGAIN:
		task->status = SCSI_STATUS_BUSY;
		task->sense_len = 0;
		memset(task->sense, 0, sizeof(task->sense));
		break;
	default:
		fail_internal(task);
		return;
	}
	scsi_task_failed(task);
}

static void data_out_done(struct scsi_task *task)
{
	if (!task->out_pending)
		return;
	task->out_pending = false;
	if (task->status != SCSI_STATUS_GOOD)
		return;
	scsi_provision_data_out(task);
	if (task->status != SCSI_STATUS_GOOD)
		scsi_task_failed(task);
}

int scsi_task_data_out_done(const struct scsi_target_desc *t,
			    struct scsi_task *task)
{
	if (!t || !task)
		return -EINVAL;
	data_out_done(task);
	return 0;
}

/* What RAM does after the data phase; a caller's backing did it. */
static void ram_finish(struct scsi_task *task)
{
	switch (task->op) {
	case OP_VERIFY_10:
	case OP_VERIFY_16:
		if (task->bytchk && task->len)
			scsi_verify_compare(task);
		break;
	case OP_UNMAP:
	case OP_WRITE_SAME_10:
	case OP_WRITE_SAME_16:
		scsi_provision_ram(task);
		break;
	default:
		break;
	}
}

void scsi_task_finish(const struct scsi_target_desc *t,
		      struct scsi_task *task)
{
	bool ram;

	if (!task)
		return;
	ram = task->lu && task->lu->data;
	if (task->out_pending) {
		if (ram)
			data_out_done(task);
		else
			fail_internal(task);
	}
	if (task->status == SCSI_STATUS_GOOD && ram)
		ram_finish(task);
	scsi_task_release(task);
}
