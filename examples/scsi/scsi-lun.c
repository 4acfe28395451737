/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * LUN addressing (SAM-5 4.7), LUN set-up and REPORT LUNS (SPC-4 6.33).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scsi-internal.h"

#define AM_PERIPHERAL	0x0
#define AM_FLAT		0x1

int scsi_lun_to_index(const uint8_t lun8[8])
{
	unsigned int i;

	for (i = 2; i < 8; i++)
		if (lun8[i])
			return -EINVAL;
	switch (lun8[0] >> 6) {
	case AM_PERIPHERAL:
		/* Bus identifier 0 only: no LUNs behind other buses. */
		return lun8[0] ? -EINVAL : lun8[1];
	case AM_FLAT:
		return (lun8[0] & 0x3f) << 8 | lun8[1];
	default:
		return -EINVAL;
	}
}

void scsi_lun_from_index(unsigned int index, uint8_t lun8[8])
{
	memset(lun8, 0, 8);
	if (index < 256) {
		lun8[1] = (uint8_t)index;
	} else {
		lun8[0] = (uint8_t)(AM_FLAT << 6 | ((index >> 8) & 0x3f));
		lun8[1] = (uint8_t)index;
	}
}

/*
 * NAA 6 (IEEE Registered Extended): company id, then a 36-bit vendor
 * specific identifier holding the LUN index, then a 64-bit extension
 * holding the target id. The serial is the same pair in hexadecimal.
 */
int scsi_lun_init_blocks(struct scsi_lun *lun, void *mem, uint64_t nblocks,
			 uint32_t block_size, unsigned int index,
			 uint64_t target_id)
{
	if (!lun || !nblocks || index >= SCSI_MAX_LUNS ||
	    (block_size != SCSI_BLOCK_SIZE && block_size != SCSI_BLOCK_SIZE_4K))
		return -EINVAL;
	/* lba * block_size must stay a valid offset into the RAM */
	if (mem && nblocks > SIZE_MAX / block_size)
		return -EINVAL;
	memset(lun, 0, sizeof(*lun));
	lun->data = mem;
	lun->nblocks = nblocks;
	lun->block_size = block_size;
	lun->index = index;
	/* RAM can always deallocate: the emulation zeroes the blocks. */
	lun->thin = mem != NULL;
	scsi_lun_set_target_id(lun, target_id);
	return 0;
}

int scsi_lun_init(struct scsi_lun *lun, void *mem, uint64_t bytes,
		  unsigned int index, uint64_t target_id)
{
	if (!mem)
		return -EINVAL;
	return scsi_lun_init_blocks(lun, mem, bytes / SCSI_BLOCK_SIZE,
				    SCSI_BLOCK_SIZE, index, target_id);
}

void scsi_lun_set_target_id(struct scsi_lun *lun, uint64_t target_id)
{
	unsigned int index = lun->index;
	uint8_t *naa;

	naa = lun->naa_id;
	naa[0] = (uint8_t)(0x60 | (SCSI_NAA_COMPANY_ID >> 20));
	naa[1] = (uint8_t)(SCSI_NAA_COMPANY_ID >> 12);
	naa[2] = (uint8_t)(SCSI_NAA_COMPANY_ID >> 4);
	naa[3] = (uint8_t)((SCSI_NAA_COMPANY_ID & 0xf) << 4);
	scsi_put_be32(naa + 4, index);
	scsi_put_be64(naa + 8, target_id);

	snprintf(lun->serial, sizeof(lun->serial), "%016" PRIX64 "%04X",
		 target_id, index);
}

/* The finaliser of splitmix64: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/*
 * The id goes through three Feistel rounds, a permutation of 128 bits,
 * so ids that differ in any bit (a UUID's fixed version and variant
 * bits included) still differ in the 99 bits the NAA designator keeps.
 * Its 36-bit vendor specific identifier has bit 35 set, which an index
 * (below 2^14) never has; the serial starts with 'L' where the target's
 * are hexadecimal: neither can equal one made of a target id.
 */
int scsi_lun_set_lu_id(struct scsi_lun *lun, const uint8_t id[16])
{
	uint64_t hi, lo;
	uint8_t *naa;

	if (!lun || !id)
		return -EINVAL;
	hi = scsi_get_be64(id);
	lo = scsi_get_be64(id + 8);
	if (!hi && !lo)
		return -EINVAL;
	lo ^= mix64(hi);
	hi ^= mix64(lo);
	lo ^= mix64(hi);

	naa = lun->naa_id;
	naa[0] = (uint8_t)(0x60 | (SCSI_NAA_COMPANY_ID >> 20));
	naa[1] = (uint8_t)(SCSI_NAA_COMPANY_ID >> 12);
	naa[2] = (uint8_t)(SCSI_NAA_COMPANY_ID >> 4);
	/* company id low nibble, then 0x8 << 32 | the top 35 bits of hi */
	naa[3] = (uint8_t)((SCSI_NAA_COMPANY_ID & 0xf) << 4 | 0x8 |
			   (hi >> 61));
	scsi_put_be32(naa + 4, (uint32_t)(hi >> 29));
	scsi_put_be64(naa + 8, lo);

	snprintf(lun->serial, sizeof(lun->serial), "L%03X%016" PRIX64,
		 (unsigned int)(hi >> 52), lo);
	return 0;
}

/*
 * SELECT REPORT 00h and 02h list every LU; 01h lists the well-known LUs,
 * of which there are none. One pass over the LUNs, each slot loaded
 * once, so that a LUN set changing meanwhile still gives a list that
 * agrees with its length; only the entries the initiator can receive
 * are written, in a buffer of at most 8 + 8 * SCSI_MAX_LUNS bytes.
 * Reading the list clears the nexus's REPORTED LUNS DATA HAS CHANGED
 * for the set it read.
 */
void scsi_cmd_report_luns(const struct scsi_target_desc *t,
			  struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint8_t select = cdb[2];
	uint32_t alloc = scsi_get_be32(cdb + 6);
	unsigned int gen = atomic_load(&t->luns_gen);
	unsigned int slots, i, n = 0;
	size_t room;
	uint8_t *b;

	if (select > 0x02) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 2, NO_BIT);
		return;
	}
	if (alloc < 16) {		/* SPC-4 6.33 */
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 6, NO_BIT);
		return;
	}
	slots = select == 0x01 ? 0 : scsi_visible_luns(t);
	/* Whole entries: never more than a list of every slot. */
	room = 8 + 8 * (size_t)slots;
	if (room > ((size_t)alloc + 7) / 8 * 8)
		room = ((size_t)alloc + 7) / 8 * 8;
	b = scsi_task_buffer(task, room);
	if (!b)
		return;
	memset(b, 0, 8);
	for (i = 0; i < slots; i++) {
		if (!scsi_lun_at(t, i))
			continue;
		if (8 + 8 * (size_t)n < room)
			scsi_lun_from_index(i, b + 8 + 8 * n);
		n++;
	}
	scsi_put_be32(b, 8 * n);
	scsi_data_in(task, b, 8 + 8 * n, alloc);
	if (task->nx && task->status == SCSI_STATUS_GOOD)
		scsi_ua_clear_luns(task->nx, gen);
}
