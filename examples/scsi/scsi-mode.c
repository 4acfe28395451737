/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * MODE SENSE(6) and (10) (SPC-4 6.11, 6.12, 7.5; SBC-3 6.4): the caching
 * and control pages. Nothing is changeable (MODE SELECT is not
 * supported) and nothing is saved.
 */
#include <string.h>

#include "scsi-internal.h"

#define PC_CHANGEABLE		1
#define PC_SAVED		3
#define PAGE_CACHING		0x08
#define PAGE_CONTROL		0x0a
#define PAGE_ALL		0x3f
#define SUBPAGE_ALL		0xff
#define DSP_WP			0x80
#define DSP_DPOFUA		0x10	/* DPO, FUA accepted: no-ops */
#define CACHING_LEN		20
#define CACHING_WCE		0x04
#define CONTROL_LEN		12
#define QAM_UNRESTRICTED	0x10

/*
 * WCE says whether the medium has a volatile write cache: with it Linux
 * flushes by SYNCHRONIZE CACHE and sends FUA writes; written through
 * (RAM) it needs neither. Read cache enabled (RCD 0). Changeable values
 * are all zero.
 */
static uint32_t page_caching(const struct scsi_lun *lu, uint8_t *p,
			     unsigned int pc)
{
	memset(p, 0, CACHING_LEN);
	p[0] = PAGE_CACHING;
	p[1] = CACHING_LEN - 2;
	if (lu->write_cache && pc != PC_CHANGEABLE)
		p[2] = CACHING_WCE;
	return CACHING_LEN;
}

/* Fixed sense format, any command order, TST = one task set. */
static uint32_t page_control(uint8_t *p, unsigned int pc)
{
	memset(p, 0, CONTROL_LEN);
	p[0] = PAGE_CONTROL;
	p[1] = CONTROL_LEN - 2;
	if (pc != PC_CHANGEABLE)
		p[3] = QAM_UNRESTRICTED;
	return CONTROL_LEN;
}

/* Block descriptor: current values whatever PC asks (SPC-4 7.5.5). */
static uint32_t block_desc(const struct scsi_lun *lu, uint8_t *p, bool llba)
{
	if (llba) {
		memset(p, 0, 16);
		scsi_put_be64(p, lu->nblocks);
		scsi_put_be32(p + 12, lu->block_size);
		return 16;
	}
	memset(p, 0, 8);
	scsi_put_be32(p, lu->nblocks > 0xffffffffu ? 0xffffffffu :
		      (uint32_t)lu->nblocks);
	p[5] = (uint8_t)(lu->block_size >> 16);
	p[6] = (uint8_t)(lu->block_size >> 8);
	p[7] = (uint8_t)lu->block_size;
	return 8;
}

void scsi_cmd_mode_sense(const struct scsi_target_desc *t,
			 struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	const struct scsi_lun *lu = task->lu;
	bool six = cdb[0] == OP_MODE_SENSE_6;
	bool dbd = cdb[1] & 0x08;
	bool llba = !six && (cdb[1] & 0x10);
	unsigned int pc = cdb[2] >> 6;
	unsigned int page = cdb[2] & 0x3f;
	unsigned int subpage = cdb[3];
	uint32_t alloc = six ? cdb[4] : scsi_get_be16(cdb + 7);
	uint32_t hdr = six ? 4 : 8;
	uint8_t *b = task->small;
	uint32_t n, bd = 0;

	if (pc == PC_SAVED) {
		scsi_set_sense_field(task, ASC_SAVING_NOT_SUPPORTED, 2, 7);
		return;
	}
	if (page != PAGE_CACHING && page != PAGE_CONTROL &&
	    page != PAGE_ALL) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 2, 5);
		return;
	}
	/* No subpages exist; "all subpages" of all pages is all pages. */
	if (subpage && !(page == PAGE_ALL && subpage == SUBPAGE_ALL)) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 3,
				     NO_BIT);
		return;
	}

	memset(b, 0, hdr);
	if (!dbd)
		bd = block_desc(lu, b + hdr, llba);
	n = hdr + bd;
	/* Ascending page code order (SPC-4 6.11.1) */
	if (page == PAGE_CACHING || page == PAGE_ALL)
		n += page_caching(lu, b + n, pc);
	if (page == PAGE_CONTROL || page == PAGE_ALL)
		n += page_control(b + n, pc);

	if (six) {
		b[0] = (uint8_t)(n - 1);
		b[2] = (lu->write_protect ? DSP_WP : 0) | DSP_DPOFUA;
		b[3] = (uint8_t)bd;
	} else {
		scsi_put_be16(b, (uint16_t)(n - 2));
		b[3] = (lu->write_protect ? DSP_WP : 0) | DSP_DPOFUA;
		b[4] = bd == 16 ? 0x01 : 0x00;	/* LONGLBA */
		scsi_put_be16(b + 6, (uint16_t)bd);
	}
	scsi_data_in(task, b, n, alloc);
}
