/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The initiator's IUs (see fuzz-core.h). Every SRP_CMD gets initiator
 * memory of its own, registered with the fake under its own rkey, so that
 * an RDMA work request names the command it is for. Its shadow (data
 * direction, descriptors) comes from decoding the bytes actually sent with
 * the codec, never from what the builder meant to send: a mutated or
 * truncated IU is judged by what it says.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-core.h"

/* What a CMD operation asks for, decoded from its operand bytes. */
struct fc_spec {
	uint8_t dir;		/* 0 none, 1 in, 2 out, 3 bidi */
	uint8_t fmt;		/* 0 direct, 1 inline list, 2 external, 3 imm */
	uint8_t defect;		/* 0-3 none, see cmd_defect() */
	uint32_t n;		/* descriptors per direction */
	uint32_t plen;		/* bytes per descriptor */
	uint32_t gap;		/* bytes between described pieces */
	uint8_t act;		/* application action, task attribute */
	uint8_t lun;
	uint8_t mut, flip;	/* mutation of the encoded IU */
};

/* The layout of one direction's data in the command's region. */
struct fc_dir_layout {
	uint8_t fmt;
	uint64_t data_off;	/* first piece */
	uint64_t table_off;	/* the descriptor table */
	uint32_t n;
	uint32_t inline_n;	/* descriptors in the IU */
	uint32_t table_len;
	uint32_t total;		/* the IU's total length field */
	uint32_t imm_len;
};

enum { DEFECT_SUM = 4, DEFECT_ZERO = 5, DEFECT_TABLE = 6, DEFECT_COUNT = 7 };

void fc_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void fc_put_be64(uint8_t *p, uint64_t v)
{
	fc_put_be32(p, (uint32_t)(v >> 32));
	fc_put_be32(p + 4, (uint32_t)v);
}

uint32_t fc_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint64_t fc_get_be64(const uint8_t *p)
{
	return (uint64_t)fc_get_be32(p) << 32 | fc_get_be32(p + 4);
}

/* Initiator memory starts out with a pattern unique to its command. */
uint8_t fc_pattern(uint64_t seed, uint64_t i)
{
	return (uint8_t)(seed * 29 + i * 7 + (i >> 8) + 1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

/* ---- the IU table ---- */

struct fc_iu *fc_iu_by_tag(struct fc *z, uint64_t tag)
{
	uint64_t i = tag - FC_TAG_BASE;

	if (tag < FC_TAG_BASE || i >= z->nius)
		return NULL;
	return &z->ius[i];
}

/* rkeys grow with every registration, so the table is sorted. */
struct fc_iu *fc_iu_by_rkey(struct fc *z, uint32_t rkey)
{
	unsigned int lo = 0, hi = z->nrkeys;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		uint32_t k = z->ius[z->rkey_iu[mid]].rkey;

		if (k == rkey)
			return &z->ius[z->rkey_iu[mid]];
		if (k < rkey)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct fc_iu *iu_new(struct fc *z, struct fc_conn *k)
{
	struct fc_iu *iu;

	if (z->nius == FC_MAX_IUS)
		return NULL;
	iu = &z->ius[z->nius];
	memset(iu, 0, sizeof(*iu));
	iu->conn = (unsigned int)(k - z->conns);
	iu->tag = FC_TAG_BASE + z->nius;
	z->nius++;
	return iu;
}

void fc_iu_free_all(struct fc *z)
{
	for (unsigned int i = 0; i < z->nius; i++) {
		struct fc_iu *iu = &z->ius[i];

		free(iu->in);
		free(iu->out);
		free(iu->imm);
		free(iu->region);
		if (iu->app_buf_owned)
			free(iu->app_buf);
	}
	z->nius = 0;
	z->nrkeys = 0;
}

/* Only after the login was accepted does an initiator send anything. */
bool fc_can_send(struct fc *z, struct fc_conn *k)
{
	return k && k->accepted && z->nius < FC_MAX_IUS;
}

/* Hand @len bytes to the target; the shadow counts them only if the
 * target received them. */
static int deliver(struct fc *z, struct fc_conn *k, struct fc_iu *iu,
		   const uint8_t *buf, uint32_t len)
{
	int r;

	iu->sent = true;
	iu->short_iu = len < 16;
	iu->kind = !len ? FC_OTHER : buf[0] == SRPT_OP_CMD ? FC_CMD :
		   buf[0] == SRPT_OP_TSK_MGMT ? FC_TM : FC_OTHER;
	iu->credit = iu->kind != FC_OTHER;
	r = fake_deliver(k->c, buf, len);
	fc_trace(z, "  deliver tag %#llx, %u bytes, opcode %#x: %d",
		 (unsigned long long)iu->tag, len, len ? buf[0] : 0, r);
	if (r) {
		iu->sent = false;
		iu->credit = false;
		return r;
	}
	if (iu->credit)
		k->view--;
	if (iu->kind == FC_OTHER || iu->short_iu)
		k->must_end = true;
	return 0;
}

/* ---- SRP_CMD ---- */

static const uint32_t plen_class[8] = { 1, 8, 512, 1024, 4096, 8192,
					65536, 3000 };
static const uint32_t big_n[16] = { 32, 64, 100, 128, 255, 256, 1000,
				    1024, 1025, 1100, 2048, 4095, 4096,
				    4097, 5000, 2 };

static void spec_read(struct fc *z, struct fc_spec *s)
{
	uint8_t shape = fc_byte(z), cnt = fc_byte(z), size = fc_byte(z);

	s->act = fc_byte(z);
	s->lun = fc_byte(z);
	s->mut = fc_byte(z);
	s->flip = s->mut >= 0xe0 ? fc_byte(z) : 0;
	s->dir = shape & 3;
	s->fmt = (shape >> 2) & 3;
	s->defect = (shape >> 4) & 7;
	s->n = cnt < 0xf0 ? 1u + cnt % 16 : big_n[cnt & 15];
	s->plen = plen_class[size & 7];
	s->gap = size & 8 ? 8 + (size >> 4) : 0;
	if (s->fmt == 1 && s->n > 255)
		s->n = 255;		/* the IU's count is one byte */
	if ((uint64_t)s->n * (s->plen + s->gap) > FC_MAX_DATA)
		s->plen = FC_MAX_DATA / s->n > s->gap + 1 ?
			  FC_MAX_DATA / s->n - s->gap : 1;
	/* big commands, but not hundreds of them: an input stays fast */
	if (z->region_bytes > FC_MAX_REGIONS)
		s->plen = 1;
}

/* Which directions carry data, and in which format each. */
static void dir_fmts(const struct fc_spec *s, uint8_t *out, uint8_t *in)
{
	static const uint8_t code[4] = { SRPT_DATA_FMT_DIRECT,
					 SRPT_DATA_FMT_INDIRECT,
					 SRPT_DATA_FMT_INDIRECT,
					 SRPT_DATA_FMT_IMM };

	*out = s->dir & 2 ? code[s->fmt] : 0;
	*in = s->dir & 1 ? code[s->fmt] : 0;
	/* bidirectional immediate data: DATA-IN by a direct descriptor */
	if (s->dir == 3 && s->fmt == 3)
		*in = SRPT_DATA_FMT_DIRECT;
}

/* Place one direction's pieces and table at *@off in the region. */
static void layout_dir(const struct fc_spec *s, uint8_t fmt,
		       struct fc_dir_layout *l, uint64_t *off)
{
	uint64_t data = (uint64_t)s->n * (s->plen + s->gap);

	memset(l, 0, sizeof(*l));
	l->fmt = fmt;
	l->n = s->n;
	if (fmt == SRPT_DATA_FMT_IMM) {
		l->imm_len = data < 8192 ? (uint32_t)data : 8192;
		l->total = l->imm_len;
		return;
	}
	if (!fmt)
		return;
	l->data_off = *off;
	*off += data;
	if (fmt == SRPT_DATA_FMT_DIRECT) {
		l->total = (uint32_t)((uint64_t)s->n * s->plen);
		return;
	}
	l->table_off = *off;
	l->table_len = 16 * s->n;
	*off += l->table_len;
	l->inline_n = s->fmt == 2 ? 1 : s->n;
	l->total = s->n * s->plen;
	if (s->defect == DEFECT_ZERO && s->n > 1)
		l->total -= s->plen;
}

/* The i-th descriptor of an indirect direction. */
static void piece(const struct fc_spec *s, const struct fc_dir_layout *l,
		  const struct fc_iu *iu, uint32_t i, uint8_t out[16])
{
	uint32_t len = s->plen;

	if (s->defect == DEFECT_ZERO && i == 0 && l->n > 1)
		len = 0;		/* allowed, and not counted */
	fc_put_be64(out, (uintptr_t)iu->region + l->data_off +
		    (uint64_t)i * (s->plen + s->gap));
	fc_put_be32(out + 8, iu->rkey);
	fc_put_be32(out + 12, len);
}

static uint32_t desc_size(const struct fc_dir_layout *l)
{
	switch (l->fmt) {
	case SRPT_DATA_FMT_DIRECT:
		return SRPT_DIRECT_DESC_LEN;
	case SRPT_DATA_FMT_INDIRECT:
		return SRPT_INDIRECT_HDR_LEN + 16 * l->inline_n;
	case SRPT_DATA_FMT_IMM:
		return SRPT_IMM_HDR_LEN;
	default:
		return 0;
	}
}

/* Write one direction's descriptor at @p; the table goes to the region. */
static void encode_dir(const struct fc_spec *s, const struct fc_dir_layout *l,
		       const struct fc_iu *iu, uint8_t *p)
{
	uint8_t *table;
	uint32_t total = l->total, tlen = l->table_len;

	if (s->defect == DEFECT_SUM)
		total += total ? -1u : 1u;
	switch (l->fmt) {
	case SRPT_DATA_FMT_DIRECT:
		fc_put_be64(p, (uintptr_t)iu->region + l->data_off);
		fc_put_be32(p + 8, iu->rkey);
		fc_put_be32(p + 12, s->defect == DEFECT_TABLE ? 0 : total);
		break;
	case SRPT_DATA_FMT_INDIRECT:
		table = iu->region + l->table_off;
		for (uint32_t i = 0; i < l->n; i++)
			piece(s, l, iu, i, table + 16 * i);
		if (s->defect == DEFECT_TABLE)
			tlen = s->n > 1 ? tlen - 8 : 0;
		fc_put_be64(p, (uintptr_t)table);
		fc_put_be32(p + 8, iu->rkey);
		fc_put_be32(p + 12, tlen);
		fc_put_be32(p + 16, total);
		memcpy(p + 20, table, 16 * (size_t)l->inline_n);
		break;
	case SRPT_DATA_FMT_IMM:
		fc_put_be32(p, total);
		break;
	default:
		break;
	}
}

static uint8_t task_attr(uint8_t act)
{
	static const uint8_t attr[4] = { 0, 1, 2, 4 };

	return attr[(act >> 5) & 3];
}

/* The fixed part: opcode, formats, counts, tag, LUN, CDB. */
static void encode_fixed(const struct fc_spec *s, const struct fc_iu *iu,
			 const struct fc_dir_layout *out,
			 const struct fc_dir_layout *in, uint8_t *p)
{
	uint8_t cnt_out = out->fmt == SRPT_DATA_FMT_INDIRECT ?
			  (uint8_t)out->inline_n : 0;
	uint8_t cnt_in = in->fmt == SRPT_DATA_FMT_INDIRECT ?
			 (uint8_t)in->inline_n : 0;

	if (s->defect == DEFECT_COUNT) {
		cnt_out += cnt_out ? 1 : 0;
		cnt_in += cnt_in ? 1 : 0;
	}
	p[0] = SRPT_OP_CMD;
	p[5] = (uint8_t)(out->fmt << 4 | in->fmt);
	p[6] = cnt_out;
	p[7] = cnt_in;
	memcpy(p + 8, &iu->tag, 8);
	p[21] = s->lun & 3;
	p[29] = task_attr(s->act);
	p[32] = s->dir == 1 ? 0x28 : s->dir == 2 ? 0x2a : 0;
	p[33] = s->act;
}

/* The descriptors, by the codec: where each direction's data lies. */
static int ranges(const struct srpt_data_desc *d, const struct fc_iu *iu,
		  struct fc_range **out, uint32_t *n, struct fc_range *table)
{
	struct srpt_buf_desc b;
	const uint8_t *ext = NULL;
	uint32_t cnt = d->inline_cnt;

	*out = NULL;
	*n = 0;
	if (d->fmt == SRPT_DATA_FMT_DIRECT) {
		*out = xcalloc(1, sizeof(**out));
		(*out)[0] = (struct fc_range){ d->direct.va, d->direct.len };
		*n = d->direct.len ? 1 : 0;
		return d->direct.key == iu->rkey || !d->direct.len ? 0 : -1;
	}
	if (d->fmt != SRPT_DATA_FMT_INDIRECT)
		return 0;
	if (d->inline_cnt < d->table_cnt) {
		/* the target reads the table from the initiator */
		*table = (struct fc_range){ d->table.va, d->table.len };
		if (d->table.key != iu->rkey ||
		    d->table.va < (uintptr_t)iu->region ||
		    d->table.va + d->table.len >
		    (uintptr_t)iu->region + iu->region_len)
			return -1;
		ext = (const uint8_t *)(uintptr_t)d->table.va;
		cnt = d->table_cnt;
	}
	*out = xcalloc(cnt, sizeof(**out));
	for (uint32_t i = 0; i < cnt; i++) {
		if (ext) {
			b.va = fc_get_be64(ext + 16 * i);
			b.key = fc_get_be32(ext + 16 * i + 8);
			b.len = fc_get_be32(ext + 16 * i + 12);
		} else {
			srpt_buf_desc_get(d, i, &b);
		}
		if (!b.len)
			continue;
		if (b.key != iu->rkey)
			return -1;
		(*out)[(*n)++] = (struct fc_range){ b.va, b.len };
	}
	return 0;
}

static bool in_region(const struct fc_iu *iu, const struct fc_range *r,
		      uint32_t n)
{
	uint64_t lo = (uintptr_t)iu->region, hi = lo + iu->region_len;

	for (uint32_t i = 0; i < n; i++)
		if (r[i].va < lo || r[i].va + r[i].len > hi)
			return false;
	return true;
}

static void shadow_clear(struct fc_iu *iu)
{
	free(iu->in);
	free(iu->out);
	free(iu->imm);
	iu->in = iu->out = NULL;
	iu->imm = NULL;
	iu->nin = iu->nout = 0;
	memset(iu->table, 0, sizeof(iu->table));
	iu->decoded = false;
}

/*
 * Decode what is about to be sent as the target will, and keep it as the
 * command's shadow. False when a descriptor names memory outside the
 * command's region (a mutation moved the descriptors): such an IU is not
 * sent, as the fake would count the target's RDMA to it as an error.
 */
static bool shadow_cmd(struct fc_conn *k, struct fc_iu *iu,
		       const uint8_t *buf, uint32_t len)
{
	struct srpt_cmd c;

	shadow_clear(iu);
	if (srpt_cmd_decode(buf, len, k->imm_off, &c))
		return true;		/* malformed: answered, no data */
	iu->decoded = true;
	memcpy(iu->lun, c.lun, 8);
	iu->dir = c.data_out_fmt && c.data_in_fmt ? SRPT_DIR_BIDI :
		  c.data_out_fmt ? SRPT_DIR_OUT :
		  c.data_in_fmt ? SRPT_DIR_IN : SRPT_DIR_NONE;
	iu->data_len = iu->dir == SRPT_DIR_OUT ? c.data_out.total_len :
		       iu->dir == SRPT_DIR_IN ? c.data_in.total_len : 0;
	if (ranges(&c.data_out, iu, &iu->out, &iu->nout, &iu->table[0]) ||
	    ranges(&c.data_in, iu, &iu->in, &iu->nin, &iu->table[1]) ||
	    !in_region(iu, iu->out, iu->nout) ||
	    !in_region(iu, iu->in, iu->nin))
		return false;
	if (c.data_out_fmt == SRPT_DATA_FMT_IMM && c.data_out.total_len) {
		iu->imm = xcalloc(1, c.data_out.total_len);
		memcpy(iu->imm, c.data_out.imm_data, c.data_out.total_len);
	}
	return true;
}

/* The bytes a flip may change: header and CDB, never the tag. */
static size_t flip_pos(uint8_t sel)
{
	static const uint8_t pos[] = { 0, 1, 2, 5, 5, 6, 7, 16, 20, 21, 29,
				       31, 31, 32, 33, 47 };

	return pos[sel % sizeof(pos)];
}

/* Truncate or flip a byte; undone by the caller if it moves data. */
static uint32_t mutate(const struct fc_spec *s, uint8_t *buf, uint32_t len)
{
	if (s->mut < 0xc0)
		return len;
	if (s->mut < 0xe0)
		return (uint32_t)((uint64_t)len * (s->mut & 31) / 32);
	buf[flip_pos(s->mut)] ^= s->flip ? s->flip : 0x80;
	return len;
}

static void region_new(struct fc *z, struct fc_iu *iu, uint64_t len)
{
	iu->region_len = len;
	iu->region = xcalloc(1, len);
	z->region_bytes += len;
	for (uint64_t i = 0; i < len; i++)
		iu->region[i] = fc_pattern(iu->tag, i);
	iu->rkey = fake_remote_add(z->f, iu->region, len);
	z->rkey_iu[z->nrkeys++] = (uint32_t)(iu - z->ius);
}

static uint32_t imm_offset(const struct fc_conn *k)
{
	if (k->imm_off)
		return k->imm_off;
	return k->req_imm_off ? k->req_imm_off : 68;
}

/* Encode @s into a new buffer; *@len its size. */
static uint8_t *encode_cmd(struct fc *z, struct fc_conn *k,
			   const struct fc_spec *s, struct fc_iu *iu,
			   uint32_t *len)
{
	struct fc_dir_layout out, in;
	uint8_t fout, fin, *buf;
	uint64_t off = 0;
	uint32_t n, imm_at, desc_end;

	dir_fmts(s, &fout, &fin);
	layout_dir(s, fout, &out, &off);
	layout_dir(s, fin, &in, &off);
	if (off)
		region_new(z, iu, off);
	n = desc_end = SRPT_CMD_LEN + desc_size(&out) + desc_size(&in);
	imm_at = imm_offset(k);
	if (out.imm_len && imm_at + out.imm_len > n)
		n = imm_at + out.imm_len;
	buf = xcalloc(1, n);
	encode_fixed(s, iu, &out, &in, buf);
	encode_dir(s, &out, iu, buf + SRPT_CMD_LEN);
	encode_dir(s, &in, iu, buf + SRPT_CMD_LEN + desc_size(&out));
	/* Data over the descriptors is refused by the codec anyway. */
	for (uint32_t i = 0; i < out.imm_len && imm_at + i < n; i++)
		if (imm_at + i >= desc_end)
			buf[imm_at + i] = fc_pattern(iu->tag ^ 0x1111, i);
	*len = n;
	return buf;
}

static void send_cmd(struct fc *z, struct fc_conn *k, const struct fc_spec *s)
{
	struct fc_iu *iu = iu_new(z, k);
	uint8_t *buf, *orig;
	uint32_t len, mlen;
	bool ok;

	if (!iu)
		return;
	iu->action = (enum fc_action)(s->act & 7);
	iu->done_after_fetch = s->act & 8;
	buf = encode_cmd(z, k, s, iu, &len);
	orig = xcalloc(1, len);
	memcpy(orig, buf, len);
	mlen = mutate(s, buf, len);
	ok = shadow_cmd(k, iu, buf, mlen);
	if (!ok && s->mut >= 0xc0) {
		memcpy(buf, orig, len);
		mlen = len;
		ok = shadow_cmd(k, iu, buf, mlen);
	}
	if (!ok) {
		/* A count one too high read bytes that are no descriptor. */
		fc_trace(z, "  cmd tag %#llx: descriptors outside its memory, not sent",
			 (unsigned long long)iu->tag);
		shadow_clear(iu);
		free(orig);
		free(buf);
		return;
	}
	fc_trace(z, "  cmd tag %#llx: dir %u fmt %u defect %u n %u plen %u act %#x lun %u mut %#x; decoded %d dir %d len %u",
		 (unsigned long long)iu->tag, s->dir, s->fmt, s->defect,
		 s->n, s->plen, s->act, s->lun, s->mut, iu->decoded, iu->dir,
		 iu->data_len);
	deliver(z, k, iu, buf, mlen);
	free(orig);
	free(buf);
}

void fc_op_cmd(struct fc *z, struct fc_conn *k)
{
	struct fc_spec s;

	spec_read(z, &s);
	if (fc_can_send(z, k))
		send_cmd(z, k, &s);
}

/* Many small commands at once: fills the send queue. */
void fc_op_burst(struct fc *z, struct fc_conn *k)
{
	uint8_t n = fc_byte(z), act = fc_byte(z);
	struct fc_spec s = {
		.dir = n & 0x80 ? 2 : 1,
		.n = 1,
		.plen = 4096,
		.act = act,
	};

	for (unsigned int i = 0; i < 1u + (n & 15) && fc_can_send(z, k); i++)
		send_cmd(z, k, &s);
}

/* ---- SRP_TSK_MGMT ---- */

static const uint8_t tm_funcs[8] = {
	SRPT_TSK_ABORT_TASK, SRPT_TSK_ABORT_TASK_SET, SRPT_TSK_CLEAR_TASK_SET,
	SRPT_TSK_LUN_RESET, SRPT_TSK_CLEAR_ACA, 0x00, 0x7f,
	SRPT_TSK_ABORT_TASK,
};

/* The tag of one of the channel's unanswered commands, or a stray one. */
static uint64_t tm_target(struct fc *z, struct fc_conn *k, uint8_t sel)
{
	unsigned int n = 0, want;

	for (unsigned int i = 0; i < z->nius; i++) {
		const struct fc_iu *iu = &z->ius[i];

		n += &z->conns[iu->conn] == k && iu->sent &&
		     iu->kind == FC_CMD && !iu->answers;
	}
	if (!n || sel >= 0xf0)
		return 0x0123456789abcdefull;
	want = sel % n;
	for (unsigned int i = 0; i < z->nius; i++) {
		const struct fc_iu *iu = &z->ius[i];

		if (&z->conns[iu->conn] == k && iu->sent &&
		    iu->kind == FC_CMD && !iu->answers && !want--)
			return iu->tag;
	}
	return 0;
}

void fc_op_tm(struct fc *z, struct fc_conn *k)
{
	uint8_t func = fc_byte(z), target = fc_byte(z), lun = fc_byte(z);
	uint8_t trunc = fc_byte(z);
	struct srpt_tsk_mgmt tm = { 0 };
	uint8_t buf[SRPT_TSK_MGMT_LEN];
	struct fc_iu *iu;
	uint32_t len = SRPT_TSK_MGMT_LEN;

	if (!fc_can_send(z, k) || !(iu = iu_new(z, k)))
		return;
	tm.tag = iu->tag;
	tm.lun[1] = lun & 3;
	tm.tsk_mgmt_func = tm_funcs[func & 7];
	tm.task_tag = tm_target(z, k, target);
	srpt_tsk_mgmt_encode(&tm, buf, sizeof(buf));
	if (trunc >= 0xe0)
		len = 8 + (trunc & 31);
	iu->tm_ok = len == SRPT_TSK_MGMT_LEN;
	iu->tm_func = tm.tsk_mgmt_func;
	iu->task_tag = tm.task_tag;
	memcpy(iu->lun, tm.lun, 8);
	fc_trace(z, "  tm tag %#llx: func %#x task %#llx lun %u len %u",
		 (unsigned long long)iu->tag, tm.tsk_mgmt_func,
		 (unsigned long long)tm.task_tag, tm.lun[1], len);
	deliver(z, k, iu, buf, len);
}

/* ---- everything else ---- */

static const uint8_t raw_ops[9] = {
	SRPT_OP_I_LOGOUT, SRPT_OP_CRED_RSP, SRPT_OP_AER_RSP, SRPT_OP_T_LOGOUT,
	SRPT_OP_CRED_REQ, SRPT_OP_AER_REQ, SRPT_OP_LOGIN_REQ, SRPT_OP_RSP,
	SRPT_OP_LOGIN_RSP,
};

/* Logouts, responses the target never asked for, garbage, nothing. */
void fc_op_raw(struct fc *z, struct fc_conn *k)
{
	uint8_t type = fc_byte(z), lsel = fc_byte(z);
	uint8_t buf[64] = { 0 };
	struct fc_iu *iu;
	uint32_t len = 16;

	if (!fc_can_send(z, k) || !(iu = iu_new(z, k)))
		return;
	buf[0] = type % 12 < 9 ? raw_ops[type % 12] : type;
	if (type % 12 == 11)
		len = 0;
	else if (lsel >= 0xc0)
		len = lsel & 15;
	else if (lsel >= 0x80)
		len = 36 + (lsel & 15);
	memcpy(buf + 8, &iu->tag, 8);
	fc_trace(z, "  raw tag %#llx: opcode %#x, %u bytes",
		 (unsigned long long)iu->tag, buf[0], len);
	deliver(z, k, iu, buf, len);
}
