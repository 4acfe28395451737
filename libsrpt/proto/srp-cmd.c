/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * SRP_CMD and its data buffer descriptors (direct, indirect, immediate).
 * This is the hot path and the biggest attack surface of the codec: every
 * length read from the wire is checked against the received length in
 * 64-bit arithmetic before anything is dereferenced.
 */
#include "srp-codec.h"

/*
 * SRP_CMD, 48-byte fixed part
 *
 *  off size field
 *    0    1 opcode 0x02
 *    1    1 sol_not (SCSOLNT 0x02, UCSOLNT 0x04)
 *    2    3 reserved
 *    5    1 buf_fmt: bits 7..4 DATA-OUT format, bits 3..0 DATA-IN format
 *    6    1 data_out_desc_cnt
 *    7    1 data_in_desc_cnt
 *    8    8 tag (opaque)
 *   16    4 reserved
 *   20    8 lun
 *   28    1 reserved
 *   29    1 task_attr
 *   30    1 reserved
 *   31    1 add_cdb_len (bytes; bits 1..0 reserved)
 *   32   16 cdb
 *   48    . additional CDB (add_cdb_len bytes)
 *    .    . DATA-OUT descriptor, then DATA-IN descriptor
 *
 * Descriptors, by format code:
 *   DIRECT    16 bytes: va BE64 | key BE32 | len BE32
 *   INDIRECT  20 + 16 * desc_cnt bytes: table descriptor (16, a direct
 *             descriptor of the whole table) | total length BE32 |
 *             desc_cnt inline direct descriptors
 *   IMM       4 bytes: len BE32; the data itself starts at the
 *             immediate-data offset negotiated at login (from byte 0)
 */

static void get_buf_desc(const uint8_t *p, struct srpt_buf_desc *d)
{
	d->va = get_be64(p);
	d->key = get_be32(p + 8);
	d->len = get_be32(p + 12);
}

static void put_buf_desc(uint8_t *p, const struct srpt_buf_desc *d)
{
	put_be64(p, d->va);
	put_be32(p + 8, d->key);
	put_be32(p + 12, d->len);
}

/* Format codes, checked before any descriptor is looked at. */
static int check_fmt(uint8_t out_fmt, uint8_t in_fmt, uint32_t imm_off)
{
	if (out_fmt > SRPT_DATA_FMT_IMM || in_fmt > SRPT_DATA_FMT_IMM)
		return -EBADMSG;
	if (in_fmt == SRPT_DATA_FMT_IMM)
		return -EBADMSG;
	if (out_fmt == SRPT_DATA_FMT_IMM && imm_off == 0)
		return -EBADMSG;
	return 0;
}

/*
 * Parses the descriptor of one direction at byte *off of the IU and moves
 * *off past it. Immediate data is checked by the caller once the end of
 * both descriptors is known.
 */
static int parse_desc(const uint8_t *p, size_t len, uint64_t *off,
		      uint8_t fmt, uint8_t cnt, uint32_t imm_off,
		      struct srpt_data_desc *d)
{
	const uint8_t *q = p + *off;

	d->fmt = fmt;
	switch (fmt) {
	case SRPT_DATA_FMT_NONE:
		return 0;
	case SRPT_DATA_FMT_DIRECT:
		if (*off + SRPT_DIRECT_DESC_LEN > len)
			return -EOVERFLOW;
		get_buf_desc(q, &d->direct);
		d->total_len = d->direct.len;
		*off += SRPT_DIRECT_DESC_LEN;
		return 0;
	case SRPT_DATA_FMT_INDIRECT:
		if (*off + SRPT_INDIRECT_HDR_LEN > len)
			return -EOVERFLOW;
		get_buf_desc(q, &d->table);
		if (d->table.len == 0 || cnt == 0)
			return -ENOENT;
		if (d->table.len % SRPT_DIRECT_DESC_LEN)
			return -EOVERFLOW;
		d->table_cnt = d->table.len / SRPT_DIRECT_DESC_LEN;
		if (cnt > d->table_cnt)
			return -EOVERFLOW;
		if (*off + SRPT_INDIRECT_HDR_LEN +
		    (uint64_t)cnt * SRPT_DIRECT_DESC_LEN > len)
			return -EOVERFLOW;
		d->total_len = get_be32(q + 16);
		d->inline_cnt = cnt;
		d->inline_list = q + SRPT_INDIRECT_HDR_LEN;
		*off += SRPT_INDIRECT_HDR_LEN +
			(uint64_t)cnt * SRPT_DIRECT_DESC_LEN;
		return 0;
	default: /* SRPT_DATA_FMT_IMM; check_fmt() let nothing else by */
		if (*off + SRPT_IMM_HDR_LEN > len)
			return -EOVERFLOW;
		d->total_len = get_be32(q);
		d->imm_offset = imm_off;
		*off += SRPT_IMM_HDR_LEN;
		return 0;
	}
}

SRPT_EXPORT int srpt_cmd_decode(const void *buf, size_t len,
				uint32_t imm_data_offset, struct srpt_cmd *out)
{
	const uint8_t *p = buf;
	struct srpt_cmd c;
	uint64_t off;
	int ret;

	ret = srp_decode_check(buf, len, out, SRPT_CMD_LEN, 0, SRPT_OP_CMD);
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.sol_not = p[1];
	c.data_out_fmt = p[5] >> 4;
	c.data_in_fmt = p[5] & 0xf;
	c.data_out_desc_cnt = p[6];
	c.data_in_desc_cnt = p[7];
	c.tag = get_tag(p + 8);
	memcpy(c.lun, p + 20, 8);
	c.task_attr = p[29];
	c.add_cdb_len = (uint8_t)(p[31] & ~3u);
	c.cdb = p + 32;
	c.cdb_len = 16 + c.add_cdb_len;

	ret = check_fmt(c.data_out_fmt, c.data_in_fmt, imm_data_offset);
	if (ret)
		return ret;
	off = SRPT_CMD_LEN + (uint64_t)c.add_cdb_len;
	if (off > len)
		return -ERANGE;

	ret = parse_desc(p, len, &off, c.data_out_fmt, c.data_out_desc_cnt,
			 imm_data_offset, &c.data_out);
	if (ret)
		return ret;
	ret = parse_desc(p, len, &off, c.data_in_fmt, c.data_in_desc_cnt,
			 imm_data_offset, &c.data_in);
	if (ret)
		return ret;

	if (c.data_out_fmt == SRPT_DATA_FMT_IMM) {
		if (imm_data_offset < off)
			return -ENODATA;
		if ((uint64_t)imm_data_offset + c.data_out.total_len > len)
			return -ENODATA;
		c.data_out.imm_data = p + imm_data_offset;
	}

	*out = c;
	return 0;
}

/*
 * Size of the descriptor @d of a direction whose format code is @fmt (<= 3),
 * or -EINVAL when @d is not something srpt_cmd_decode() could produce.
 */
static int64_t desc_size(const struct srpt_data_desc *d, uint8_t fmt,
			 uint8_t cnt)
{
	if (d->fmt != fmt)
		return -EINVAL;
	switch (fmt) {
	case SRPT_DATA_FMT_NONE:
		return 0;
	case SRPT_DATA_FMT_DIRECT:
		return SRPT_DIRECT_DESC_LEN;
	case SRPT_DATA_FMT_INDIRECT:
		if (d->table.len == 0 ||
		    d->table.len % SRPT_DIRECT_DESC_LEN ||
		    d->inline_cnt == 0 || d->inline_cnt != cnt ||
		    d->inline_cnt > d->table.len / SRPT_DIRECT_DESC_LEN ||
		    !d->inline_list)
			return -EINVAL;
		return SRPT_INDIRECT_HDR_LEN +
		       (int64_t)d->inline_cnt * SRPT_DIRECT_DESC_LEN;
	default: /* SRPT_DATA_FMT_IMM; the caller let nothing else by */
		if (d->total_len && !d->imm_data)
			return -EINVAL;
		return SRPT_IMM_HDR_LEN;
	}
}

/* Writes the descriptor @d at @q; returns the bytes written. */
static size_t put_desc(uint8_t *q, const struct srpt_data_desc *d)
{
	switch (d->fmt) {
	case SRPT_DATA_FMT_DIRECT:
		put_buf_desc(q, &d->direct);
		return SRPT_DIRECT_DESC_LEN;
	case SRPT_DATA_FMT_INDIRECT:
		put_buf_desc(q, &d->table);
		put_be32(q + 16, d->total_len);
		memcpy(q + SRPT_INDIRECT_HDR_LEN, d->inline_list,
		       (size_t)d->inline_cnt * SRPT_DIRECT_DESC_LEN);
		return SRPT_INDIRECT_HDR_LEN +
		       (size_t)d->inline_cnt * SRPT_DIRECT_DESC_LEN;
	case SRPT_DATA_FMT_IMM:
		put_be32(q, d->total_len);
		return SRPT_IMM_HDR_LEN;
	default:
		return 0;
	}
}

SRPT_EXPORT int srpt_cmd_encode(const struct srpt_cmd *in, void *buf,
				size_t buflen)
{
	uint8_t *p = buf;
	int64_t out_sz, in_sz;
	uint64_t desc_end, need;
	size_t off;
	int ret;

	if (!in || !buf)
		return -EINVAL;
	if ((in->add_cdb_len & 3) || in->cdb_len > 16u + in->add_cdb_len ||
	    (in->cdb_len && !in->cdb))
		return -EINVAL;
	if (in->data_out_fmt > SRPT_DATA_FMT_IMM ||
	    in->data_in_fmt >= SRPT_DATA_FMT_IMM)
		return -EINVAL;
	out_sz = desc_size(&in->data_out, in->data_out_fmt,
			   in->data_out_desc_cnt);
	in_sz = desc_size(&in->data_in, in->data_in_fmt, in->data_in_desc_cnt);
	if (out_sz < 0 || in_sz < 0)
		return -EINVAL;
	desc_end = SRPT_CMD_LEN + (uint64_t)in->add_cdb_len +
		   (uint64_t)out_sz + (uint64_t)in_sz;
	need = desc_end;
	if (in->data_out_fmt == SRPT_DATA_FMT_IMM) {
		if (in->data_out.imm_offset < desc_end)
			return -EINVAL;
		need = (uint64_t)in->data_out.imm_offset +
		       in->data_out.total_len;
	}
	if (need > INT32_MAX)
		return -EINVAL;	/* the int return could not hold it */
	ret = srp_encode_check(in, buf, buflen, need);
	if (ret)
		return ret;

	memset(p, 0, (size_t)desc_end);
	p[0] = SRPT_OP_CMD;
	p[1] = in->sol_not;
	p[5] = (uint8_t)(in->data_out_fmt << 4 | in->data_in_fmt);
	p[6] = in->data_out_desc_cnt;
	p[7] = in->data_in_desc_cnt;
	put_tag(p + 8, in->tag);
	memcpy(p + 20, in->lun, 8);
	p[29] = in->task_attr;
	p[31] = in->add_cdb_len;
	if (in->cdb_len)
		memcpy(p + 32, in->cdb, in->cdb_len);
	off = SRPT_CMD_LEN + in->add_cdb_len;
	off += put_desc(p + off, &in->data_out);
	off += put_desc(p + off, &in->data_in);
	if (in->data_out_fmt == SRPT_DATA_FMT_IMM) {
		memset(p + off, 0, in->data_out.imm_offset - off);
		if (in->data_out.total_len)
			memcpy(p + in->data_out.imm_offset,
			       in->data_out.imm_data, in->data_out.total_len);
	}
	return (int)need;
}

SRPT_EXPORT int srpt_buf_desc_get(const struct srpt_data_desc *d, uint32_t i,
				  struct srpt_buf_desc *out)
{
	if (!d || !out)
		return -EINVAL;
	if (i >= d->inline_cnt)
		return -ERANGE;
	if (!d->inline_list)
		return -EINVAL;
	get_buf_desc(d->inline_list + (size_t)i * SRPT_DIRECT_DESC_LEN, out);
	return 0;
}
