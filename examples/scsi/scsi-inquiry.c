/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * INQUIRY: standard data and the VPD pages Linux, udev scsi_id and
 * multipathd read (SPC-4 6.6, 7.8; SBC-3 6.5).
 */
#include <string.h>

#include "scsi-internal.h"

#define STD_INQUIRY_LEN		96
#define PQ_NOT_CONNECTED	0x7f	/* qualifier 011b, type 1Fh */
#define TYPE_DISK		0x00
#define VERSION_SPC4		0x06
#define RDF_SPC			0x02
#define CMDQUE			0x02
#define TPGS_IMPLICIT		0x10

/* Version descriptors (SPC-4 table 29): no particular revision claimed. */
static const uint16_t version_descs[] = {
	0x00a0,		/* SAM-5 */
	0x0940,		/* SRP */
	0x0460,		/* SPC-4 */
	0x04c0,		/* SBC-3 */
};

static const uint8_t vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };

static size_t serial_len(const struct scsi_lun *lu)
{
	const char *end = memchr(lu->serial, '\0', sizeof(lu->serial) - 1);

	return end ? (size_t)(end - lu->serial) : sizeof(lu->serial) - 1;
}

static void inquiry_std(const struct scsi_target_desc *t,
			struct scsi_task *task, uint32_t alloc)
{
	uint8_t *b = task->small;
	size_t i;

	memset(b, 0, STD_INQUIRY_LEN);
	b[0] = task->lu ? TYPE_DISK : PQ_NOT_CONNECTED;
	b[2] = VERSION_SPC4;
	b[3] = RDF_SPC;
	b[4] = STD_INQUIRY_LEN - 5;
	if (t->tpg_id)
		b[5] = TPGS_IMPLICIT;
	b[7] = CMDQUE;
	scsi_copy_ascii(b + 8, t->vendor ? t->vendor : "LIBSRPT", 8);
	scsi_copy_ascii(b + 16, t->product ? t->product : "RAMDISK", 16);
	scsi_copy_ascii(b + 32, t->revision ? t->revision : "0001", 4);
	for (i = 0; i < sizeof(version_descs) / sizeof(version_descs[0]); i++)
		scsi_put_be16(b + 58 + 2 * i, version_descs[i]);
	scsi_data_in(task, b, STD_INQUIRY_LEN, alloc);
}

static uint32_t vpd_supported(uint8_t *b)
{
	memcpy(b + 4, vpd_pages, sizeof(vpd_pages));
	return sizeof(vpd_pages);
}

static uint32_t vpd_serial(const struct scsi_lun *lu, uint8_t *b)
{
	size_t n = serial_len(lu);

	scsi_copy_ascii(b + 4, lu->serial, n);
	return (uint32_t)n;
}

/*
 * Two designators, both associated with the LU, both derived only from
 * the LUN so every path reports the same: NAA 6 (binary) and T10 vendor
 * id (ASCII: vendor, then the unit serial number). With ALUA two more,
 * associated with the target port, which differ per path: its relative
 * port and its port group, which Linux scsi_dh_alua needs to attach.
 */
static uint32_t vpd_devid(const struct scsi_target_desc *t,
			  const struct scsi_lun *lu, uint8_t *b)
{
	uint8_t *d = b + 4;
	size_t sn = serial_len(lu);

	d[0] = 0x01;			/* code set: binary */
	d[1] = 0x03;			/* assoc: LU, type: NAA */
	d[3] = sizeof(lu->naa_id);
	memcpy(d + 4, lu->naa_id, sizeof(lu->naa_id));
	d += 4 + sizeof(lu->naa_id);

	d[0] = 0x02;			/* code set: ASCII */
	d[1] = 0x01;			/* assoc: LU, type: T10 vendor id */
	d[3] = (uint8_t)(8 + sn);
	scsi_copy_ascii(d + 4, t->vendor ? t->vendor : "LIBSRPT", 8);
	scsi_copy_ascii(d + 12, lu->serial, sn);
	d += 4 + 8 + sn;

	if (t->tpg_id) {
		d[0] = 0x01;		/* code set: binary */
		d[1] = 0x14;		/* assoc: target port, relative port */
		d[3] = 4;
		scsi_put_be16(d + 6, t->rel_port_id);
		d += 8;
		d[0] = 0x01;
		d[1] = 0x15;		/* assoc: target port, port group */
		d[3] = 4;
		scsi_put_be16(d + 6, t->tpg_id);
		d += 8;
	}

	return (uint32_t)(d - (b + 4));
}

/*
 * RAM has no preferred alignment; 4 KiB keeps RDMA off page seams.
 * WRITE SAME is served on every LUN, so its maximum is always there
 * (WSNZ: a length of 0 is refused); the unmap limits only on a thin
 * LUN: Linux takes UNMAP for discards when both unmap counts are
 * non-zero and VPD 0xB2 sets LBPU.
 */
static uint32_t vpd_block_limits(const struct scsi_target_desc *t,
				 const struct scsi_lun *lu, uint8_t *b)
{
	uint32_t gran = 4096 / lu->block_size;

	b[4] = 0x01;				/* WSNZ */
	scsi_put_be16(b + 6, (uint16_t)(gran ? gran : 1));
	scsi_put_be32(b + 8, scsi_max_xfer_blocks(t, lu));
	if (lu->thin) {
		scsi_put_be32(b + 20, scsi_max_unmap_blocks(lu));
		scsi_put_be32(b + 24, scsi_max_unmap_descs(lu));
		scsi_put_be32(b + 28, scsi_unmap_granularity(lu));
	}
	scsi_put_be64(b + 36, scsi_max_write_same_blocks(lu));
	return 0x3c;
}

static uint32_t vpd_block_chars(uint8_t *b)
{
	scsi_put_be16(b + 4, 0x0001);	/* non-rotating medium */
	return 0x3c;
}

/*
 * Logical block provisioning (SBC-4 6.6.6): a thin LUN unmaps by UNMAP
 * and both WRITE SAMEs; no thresholds, no anchoring, LBPRZ 0, no
 * provisioning group descriptor. Fully provisioned otherwise.
 */
static uint32_t vpd_provisioning(const struct scsi_lun *lu, uint8_t *b)
{
	if (lu->thin) {
		b[5] = 0xe0;			/* LBPU, LBPWS, LBPWS10 */
		b[6] = 0x02;			/* thin provisioned */
	}
	return 4;
}

static void inquiry_vpd(const struct scsi_target_desc *t,
			struct scsi_task *task, uint8_t page, uint32_t alloc)
{
	const struct scsi_lun *lu = task->lu;
	uint8_t *b = task->small;
	uint32_t n;

	/* The longest page, 0x83 with ALUA, is 4 + 20 + 32 + 16 bytes. */
	memset(b, 0, 128);
	switch (page) {
	case 0x00:
		n = vpd_supported(b);
		break;
	case 0x80:
		n = vpd_serial(lu, b);
		break;
	case 0x83:
		n = vpd_devid(t, lu, b);
		break;
	case 0xb0:
		n = vpd_block_limits(t, lu, b);
		break;
	case 0xb1:
		n = vpd_block_chars(b);
		break;
	case 0xb2:
		n = vpd_provisioning(lu, b);
		break;
	default:
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 2, NO_BIT);
		return;
	}
	b[0] = TYPE_DISK;
	b[1] = page;
	scsi_put_be16(b + 2, (uint16_t)n);
	scsi_data_in(task, b, n + 4, alloc);
}

/*
 * A LUN that does not exist answers standard INQUIRY with peripheral
 * qualifier 3 (SPC-4 6.6.2), so a scan skips it; its VPD pages do not
 * exist, so EVPD gets 5/25/00.
 */
void scsi_cmd_inquiry(const struct scsi_target_desc *t,
		      struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint32_t alloc = scsi_get_be16(cdb + 3);

	if (cdb[1] & 0x02) {		/* CMDDT, obsolete since SPC-3 */
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 1);
		return;
	}
	if (!(cdb[1] & 0x01)) {
		if (cdb[2])
			scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB,
					     2, NO_BIT);
		else
			inquiry_std(t, task, alloc);
		return;
	}
	if (!task->lu) {
		scsi_set_sense(task, SCSI_SK_ILLEGAL_REQUEST,
			       ASC_LUN_NOT_SUPPORTED);
		return;
	}
	inquiry_vpd(t, task, cdb[2], alloc);
}
