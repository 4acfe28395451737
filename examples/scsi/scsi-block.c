/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Block commands (SBC-3): READ/WRITE(6/10/16), VERIFY(10/16),
 * SYNCHRONIZE CACHE(10/16), READ CAPACITY(10/16); the CDB decoding that
 * WRITE SAME shares.
 *
 * READ and WRITE hand out a pointer into the LUN's memory: the transport
 * moves the data, this code only checks that the range is inside the LUN.
 * On a LUN whose medium is the caller's (data NULL) there is no pointer:
 * task->io says what the caller reads or writes.
 */
#include <string.h>

#include "scsi-internal.h"

void scsi_decode_range(const uint8_t *cdb, struct lba_range *r)
{
	switch (cdb[0]) {
	case OP_READ_6:
	case OP_WRITE_6:
		r->lba = (uint32_t)(cdb[1] & 0x1f) << 16 |
			 scsi_get_be16(cdb + 2);
		r->nblk = cdb[4] ? cdb[4] : 256;
		r->flags = 0;
		r->len_byte = 4;
		break;
	case OP_READ_10:
	case OP_WRITE_10:
	case OP_VERIFY_10:
	case OP_SYNC_CACHE_10:
	case OP_WRITE_SAME_10:
		r->lba = scsi_get_be32(cdb + 2);
		r->nblk = scsi_get_be16(cdb + 7);
		r->flags = cdb[1];
		r->len_byte = 7;
		break;
	default:	/* the 16-byte CDBs */
		r->lba = scsi_get_be64(cdb + 2);
		r->nblk = scsi_get_be32(cdb + 10);
		r->flags = cdb[1];
		r->len_byte = 10;
		break;
	}
}

bool scsi_rw_covers(const uint8_t *cdb, uint64_t lba)
{
	struct lba_range r;

	switch (cdb[0]) {
	case OP_READ_6: case OP_WRITE_6: case OP_READ_10: case OP_WRITE_10:
	case OP_READ_16: case OP_WRITE_16:
		break;
	default:
		return false;
	}
	scsi_decode_range(cdb, &r);
	return lba >= r.lba && lba - r.lba < r.nblk;
}

uint32_t scsi_max_xfer_blocks(const struct scsi_target_desc *t,
			      const struct scsi_lun *lu)
{
	uint32_t bytes = t->max_xfer_bytes ? t->max_xfer_bytes :
			 SCSI_DEFAULT_MAX_XFER_BYTES;
	uint32_t blocks;

	if (bytes > SCSI_MAX_XFER_BYTES_LIMIT)
		bytes = SCSI_MAX_XFER_BYTES_LIMIT;
	blocks = bytes / lu->block_size;
	return blocks ? blocks : 1;
}

/*
 * The first LBA must exist even when no block is accessed; the last one
 * must too. Written to not overflow: lba + nblk may exceed 2^64.
 */
bool scsi_range_ok(const struct scsi_lun *lu, uint64_t lba, uint64_t nblk)
{
	return lba < lu->nblocks && nblk <= lu->nblocks - lba;
}

/* Protection information is not supported: xxPROTECT must be 0. */
static bool check_common(const struct scsi_target_desc *t,
			 struct scsi_task *task, const struct lba_range *r,
			 bool limit)
{
	if (r->flags & 0xe0) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 7);
		return false;
	}
	if (limit && r->nblk > scsi_max_xfer_blocks(t, task->lu)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
				     r->len_byte, NO_BIT);
		return false;
	}
	if (!scsi_range_ok(task->lu, r->lba, r->nblk)) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

uint8_t *scsi_lba_ptr(const struct scsi_lun *lu, uint64_t lba)
{
	return lu->data + lba * lu->block_size;
}

void scsi_set_io(struct scsi_task *task, enum scsi_io_kind kind,
		 uint64_t lba, uint32_t nblk)
{
	task->io.kind = kind;
	task->io.lba = lba;
	task->io.nblk = nblk;
}

/*
 * DPO, group number: accepted, nothing to do. FUA: nothing to do for
 * RAM; the caller's backing gets it in task->io.
 */
void scsi_cmd_rw(const struct scsi_target_desc *t, struct scsi_task *task)
{
	struct scsi_lun *lu = task->lu;
	bool write = task->op == OP_WRITE_6 || task->op == OP_WRITE_10 ||
		     task->op == OP_WRITE_16;
	struct lba_range r;

	scsi_decode_range(task->cdb, &r);
	if (!check_common(t, task, &r, true))
		return;
	if (write && lu->write_protect) {
		scsi_set_sense(task, SCSI_SK_DATA_PROTECT,
			       ASC_WRITE_PROTECTED);
		return;
	}
	task->lba = r.lba;
	task->nblk = r.nblk;
	/* nblk * block_size fits: nblk is under the max transfer length. */
	scsi_data_phase(task, write ? SCSI_DIR_OUT : SCSI_DIR_IN,
			lu->data ? scsi_lba_ptr(lu, r.lba) : NULL,
			r.nblk * lu->block_size);
	/* No bytes to move (no block, or none described): nothing to do. */
	if (task->status != SCSI_STATUS_GOOD || !task->len)
		return;
	scsi_set_io(task, write ? SCSI_IO_WRITE : SCSI_IO_READ, r.lba, r.nblk);
	task->io.fua = write && (r.flags & 0x08);
}

/*
 * BYTCHK 00b: check the range only (RAM has no medium errors; a caller's
 * backing is not read either: verifying it would need a read the caller
 * has no io kind for).
 * BYTCHK 01b: compare nblk blocks of data-out with the medium.
 * BYTCHK 11b: compare one block of data-out with each of nblk blocks.
 * The data-out lands in a heap buffer, never on the medium; the compare
 * runs in scsi_task_finish(), on RAM only: with the caller's backing
 * BYTCHK is an invalid field.
 */
void scsi_cmd_verify(const struct scsi_target_desc *t,
		     struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	uint8_t bytchk = (task->cdb[1] >> 1) & 0x03;
	struct lba_range r;
	uint32_t bytes;
	uint8_t *buf;

	if (bytchk == 2 || (bytchk && !lu->data)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 2);
		return;
	}
	scsi_decode_range(task->cdb, &r);
	/* Comparing is work per block: bound it like a transfer. */
	if (!check_common(t, task, &r, bytchk != 0))
		return;
	if (!bytchk || !r.nblk) {
		scsi_data_phase(task, SCSI_DIR_NONE, NULL, 0);
		return;
	}
	bytes = bytchk == 1 ? r.nblk * lu->block_size : lu->block_size;
	buf = scsi_data_out_buffer(task, bytes);
	if (task->status != SCSI_STATUS_GOOD)
		return;
	task->lba = r.lba;
	task->nblk = r.nblk;
	task->bytchk = bytchk;
	scsi_data_phase(task, SCSI_DIR_OUT, buf, bytes);
}

static bool first_diff(const uint8_t *a, const uint8_t *b, size_t n,
		       size_t *off)
{
	size_t i;

	if (!memcmp(a, b, n))
		return false;
	for (i = 0; a[i] == b[i]; i++)
		;
	*off = i;
	return true;
}

/*
 * INFORMATION: byte offset of the first difference from the start of
 * the data-out buffer (BYTCHK 11b: as if that one block were repeated).
 */
void scsi_verify_compare(struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	uint32_t bs = lu->block_size;
	const uint8_t *medium = scsi_lba_ptr(lu, task->lba);
	size_t off = 0;
	bool diff = false;
	uint32_t i;

	if (task->bytchk == 1) {
		diff = first_diff(task->buf, medium,
				  (size_t)task->nblk * bs, &off);
	} else {
		for (i = 0; i < task->nblk && !diff; i++) {
			diff = first_diff(task->buf, medium + (size_t)i * bs,
					  bs, &off);
			if (diff)
				off += (size_t)i * bs;
		}
	}
	if (!diff)
		return;
	scsi_set_sense(task, SCSI_SK_MISCOMPARE, ASC_MISCOMPARE_VERIFY);
	scsi_set_information(task, off > 0xffffffffu ? 0xffffffffu :
			     (uint32_t)off);
}

/*
 * RAM caches nothing; the caller's backing gets the range in task->io.
 * IMMED is accepted (the answer comes after the sync all the same).
 */
void scsi_cmd_sync_cache(const struct scsi_target_desc *t,
			 struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	struct lba_range r;

	scsi_decode_range(task->cdb, &r);
	/* NUMBER OF LOGICAL BLOCKS 0: from lba to the end of the medium. */
	if (!scsi_range_ok(lu, r.lba, r.nblk)) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_LBA_OUT_OF_RANGE);
		return;
	}
	scsi_data_phase(task, SCSI_DIR_NONE, NULL, 0);
	scsi_set_io(task, SCSI_IO_SYNC, r.lba, r.nblk);
}

/*
 * READ CAPACITY(10), and (16) as service action 10h of SERVICE ACTION
 * IN(16); other service actions of 9Eh: 5/24/00. PMI 0 with an LBA is
 * invalid (SBC-3 5.16); PMI 1 has no delay point to report on RAM, so it
 * returns the last LBA like PMI 0.
 */
void scsi_cmd_read_capacity(const struct scsi_target_desc *t,
			    struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	const struct scsi_lun *lu = task->lu;
	uint64_t last = lu->nblocks ? lu->nblocks - 1 : 0;
	uint8_t *b = task->small;

	if (cdb[0] == OP_READ_CAPACITY_10) {
		if (!(cdb[8] & 0x01) && scsi_get_be32(cdb + 2)) {
			scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
					     2, NO_BIT);
			return;
		}
		scsi_put_be32(b, last > 0xffffffffu ? 0xffffffffu :
			      (uint32_t)last);
		scsi_put_be32(b + 4, lu->block_size);
		scsi_data_in(task, b, 8, 8);
		return;
	}
	if ((cdb[1] & 0x1f) != SAI_READ_CAPACITY_16) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 4);
		return;
	}
	if (!(cdb[14] & 0x01) && scsi_get_be64(cdb + 2)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 2, NO_BIT);
		return;
	}
	/* No protection, one logical block per physical block, LBPRZ 0. */
	memset(b, 0, 32);
	scsi_put_be64(b, last);
	scsi_put_be32(b + 8, lu->block_size);
	if (lu->thin)
		b[14] = 0x80;			/* LBPME */
	scsi_data_in(task, b, 32, scsi_get_be32(cdb + 10));
}
