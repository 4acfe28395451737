/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Logical block provisioning (SBC-4 4.7): UNMAP and WRITE SAME(10/16),
 * their limits, and how a RAM LUN carries them out.
 *
 * Both move a small data out into the task's own buffer (the UNMAP
 * parameter list, the one block of WRITE SAME) that
 * scsi_task_data_out_done() looks at; the operation itself is the
 * caller's, or scsi_task_finish()'s on RAM.
 */
#include <string.h>

#include "scsi-internal.h"

#define WS_NDOB		0x01	/* WRITE SAME(16) only */
#define WS_UNMAP	0x08
#define ANCHOR		0x10	/* ANC_SUP is 0: never accepted */
#define UNMAP_ANCHOR	0x01
#define UNMAP_HDR	8u
#define UNMAP_DESC	16u

static uint32_t blocks_of(const struct scsi_lun *lu, uint32_t bytes)
{
	uint32_t n = bytes / lu->block_size;

	return n ? n : 1;
}

uint32_t scsi_max_unmap_blocks(const struct scsi_lun *lu)
{
	return lu->max_unmap_blocks ? lu->max_unmap_blocks :
	       blocks_of(lu, SCSI_DEFAULT_UNMAP_BYTES);
}

uint32_t scsi_max_unmap_descs(const struct scsi_lun *lu)
{
	uint32_t n = lu->max_unmap_descs ? lu->max_unmap_descs :
		     SCSI_DEFAULT_UNMAP_DESCS;

	return scsi_min_u32(n, SCSI_MAX_UNMAP_DESCS_LIMIT);
}

uint32_t scsi_unmap_granularity(const struct scsi_lun *lu)
{
	return lu->unmap_granularity ? lu->unmap_granularity :
	       blocks_of(lu, 4096);
}

uint32_t scsi_max_write_same_blocks(const struct scsi_lun *lu)
{
	return lu->max_write_same_blocks ? lu->max_write_same_blocks :
	       blocks_of(lu, SCSI_DEFAULT_WRITE_SAME_BYTES);
}

/* The highest bit set in @v, which is not 0. */
static int top_bit(uint8_t v)
{
	int bit = 7;

	while (!(v & 0x80)) {
		v = (uint8_t)(v << 1);
		bit--;
	}
	return bit;
}

/*
 * WRITE SAME(10/16), SBC-4 5.47-5.48. No protection information, no
 * anchored state, the obsolete LBDATA/PBDATA bits rejected. NUMBER OF
 * LOGICAL BLOCKS 0 (the whole rest of the medium) is refused, as the
 * WSNZ bit of VPD 0xB0 says, so one command stays within the maximum.
 * The UNMAP bit is served on thin LUNs only. NDOB: no data out, zeros.
 */
void scsi_cmd_write_same(const struct scsi_target_desc *t,
			 struct scsi_task *task)
{
	struct scsi_lun *lu = task->lu;
	bool ws16 = task->op == OP_WRITE_SAME_16;
	uint8_t obsolete = ws16 ? 0x06 : 0x07;
	struct lba_range r;
	uint8_t *buf;

	scsi_decode_range(task->cdb, &r);
	if (r.flags & 0xe0) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 7);
		return;
	}
	if (r.flags & (obsolete | ANCHOR)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1,
				     top_bit(r.flags & (obsolete | ANCHOR)));
		return;
	}
	if ((r.flags & WS_UNMAP) && !lu->thin) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 3);
		return;
	}
	if (!r.nblk || r.nblk > scsi_max_write_same_blocks(lu)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
				     r.len_byte, NO_BIT);
		return;
	}
	if (!scsi_range_ok(lu, r.lba, r.nblk)) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (lu->write_protect) {
		scsi_set_sense(task, SCSI_SK_DATA_PROTECT,
			       ASC_WRITE_PROTECTED);
		return;
	}
	task->lba = r.lba;
	task->nblk = r.nblk;
	scsi_set_io(task, SCSI_IO_WRITE_SAME, r.lba, r.nblk);
	task->io.unmap = r.flags & WS_UNMAP;
	if (ws16 && (r.flags & WS_NDOB)) {
		task->io.zero = true;
		scsi_data_phase(task, SCSI_DIR_NONE, NULL, 0);
		return;
	}
	buf = scsi_data_out_buffer(task, lu->block_size);
	if (task->status != SCSI_STATUS_GOOD)
		return;
	scsi_data_phase(task, SCSI_DIR_OUT, buf, lu->block_size);
	task->out_pending = true;
}

/*
 * UNMAP, SBC-4 5.32: served on thin LUNs only. A parameter list too
 * short for its header is a length error; length 0 is no list and
 * nothing to do.
 */
void scsi_cmd_unmap(const struct scsi_target_desc *t, struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	uint16_t plen = scsi_get_be16(task->cdb + 7);
	uint8_t *buf;

	if (!lu->thin) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_INVALID_OPCODE);
		return;
	}
	if (task->cdb[1] & UNMAP_ANCHOR) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 0);
		return;
	}
	if (plen && plen < UNMAP_HDR) {
		scsi_set_sense_field(task, ASC_PARAM_LIST_LENGTH, 7, NO_BIT);
		return;
	}
	if (lu->write_protect) {
		scsi_set_sense(task, SCSI_SK_DATA_PROTECT,
			       ASC_WRITE_PROTECTED);
		return;
	}
	if (!plen) {
		scsi_data_phase(task, SCSI_DIR_NONE, NULL, 0);
		return;
	}
	buf = scsi_data_out_buffer(task, plen);
	if (task->status != SCSI_STATUS_GOOD)
		return;
	scsi_data_phase(task, SCSI_DIR_OUT, buf, plen);
	task->out_pending = true;
}

/*
 * The descriptors the list holds whole: the shortest of the parameter
 * list length, UNMAP DATA LENGTH and UNMAP BLOCK DESCRIPTOR DATA LENGTH
 * governs, and a descriptor cut short is ignored (SBC-4 5.32.2).
 */
static uint32_t unmap_descs(const uint8_t *p, uint32_t plen)
{
	uint32_t avail = scsi_min_u32(plen, scsi_get_be16(p) + 2u);
	uint32_t bytes = avail > UNMAP_HDR ? avail - UNMAP_HDR : 0;

	return scsi_min_u32(bytes, scsi_get_be16(p + 2)) / UNMAP_DESC;
}

/*
 * Checks the whole list before anything is named: an error leaves no
 * range done. Then decodes it in place into io.ranges, dropping empty
 * descriptors. Range i is written at or below where descriptor i
 * starts, after descriptor i was read, and never reaches descriptor
 * i + 1, so the decoding overwrites only what it has read.
 */
static void unmap_list(struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	const uint8_t *p = task->buf;
	struct scsi_unmap_range *out = (struct scsi_unmap_range *)task->buf;
	uint32_t n = unmap_descs(p, task->len);
	uint64_t total = 0;
	unsigned int i, k = 0;

	if (n > scsi_max_unmap_descs(lu)) {
		scsi_set_sense_param(task, 2);
		return;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *d = p + UNMAP_HDR + UNMAP_DESC * i;
		uint64_t lba = scsi_get_be64(d);
		uint32_t nblk = scsi_get_be32(d + 8);

		/* A zero-length range may start right past the end. */
		if (lba > lu->nblocks || nblk > lu->nblocks - lba) {
			scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
				       ASC_LBA_OUT_OF_RANGE);
			return;
		}
		total += nblk;
		if (total > scsi_max_unmap_blocks(lu)) {
			scsi_set_sense_param(task, UNMAP_HDR + UNMAP_DESC * i +
					     8);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		const uint8_t *d = p + UNMAP_HDR + UNMAP_DESC * i;
		uint64_t lba = scsi_get_be64(d);
		uint32_t nblk = scsi_get_be32(d + 8);

		if (!nblk)
			continue;
		out[k].lba = lba;
		out[k].nblk = nblk;
		k++;
	}
	if (!k)
		return;
	task->io.kind = SCSI_IO_UNMAP;
	task->io.ranges = out;
	task->io.nranges = k;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return !p[0] && !memcmp(p, p + 1, n - 1);
}

void scsi_provision_data_out(struct scsi_task *task)
{
	switch (task->op) {
	case OP_UNMAP:
		unmap_list(task);
		break;
	case OP_WRITE_SAME_10:
	case OP_WRITE_SAME_16:
		task->io.zero = all_zero(task->buf, task->len);
		break;
	default:
		break;
	}
}

/*
 * RAM: UNMAP zeroes (what an unmapped block reads as is not promised,
 * zeros are as good as anything and leak nothing); WRITE SAME fills,
 * with or without the UNMAP bit, which always reads back right.
 */
void scsi_provision_ram(struct scsi_task *task)
{
	const struct scsi_lun *lu = task->lu;
	size_t bs = lu->block_size;
	unsigned int i;
	uint32_t b;

	if (task->op == OP_UNMAP) {
		for (i = 0; i < task->io.nranges; i++)
			memset(scsi_lba_ptr(lu, task->io.ranges[i].lba), 0,
			       task->io.ranges[i].nblk * bs);
		return;
	}
	if (task->io.zero) {
		memset(scsi_lba_ptr(lu, task->lba), 0, task->nblk * bs);
		return;
	}
	for (b = 0; b < task->nblk; b++)
		memcpy(scsi_lba_ptr(lu, task->lba + b), task->buf, bs);
}
