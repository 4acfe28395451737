/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Fuzz target: SRP_CMD and its data descriptors. Every input is decoded
 * with immediate data not granted (offset 0) and with a few offsets an
 * initiator may negotiate.
 */
#include "fuzz.h"

static const uint32_t imm_offsets[] = { 0, 52, 68, 80 };

static void check_desc(const struct srpt_data_desc *d, const uint8_t *buf,
		       size_t len)
{
	struct srpt_buf_desc bd;

	FUZZ_CHECK(d->fmt <= SRPT_DATA_FMT_IMM);
	if (d->fmt == SRPT_DATA_FMT_INDIRECT) {
		FUZZ_CHECK(d->inline_cnt >= 1);
		FUZZ_CHECK(d->inline_cnt <= d->table_cnt);
		FUZZ_CHECK(d->table_cnt == d->table.len / 16);
		FUZZ_CHECK(fuzz_within(d->inline_list,
				       (size_t)d->inline_cnt * 16, buf, len));
		for (uint32_t i = 0; i < d->inline_cnt; i++)
			FUZZ_CHECK(srpt_buf_desc_get(d, i, &bd) == 0);
		FUZZ_CHECK(srpt_buf_desc_get(d, d->inline_cnt, &bd) ==
			   -ERANGE);
	} else {
		FUZZ_CHECK(d->inline_list == NULL && d->inline_cnt == 0);
	}
	if (d->fmt == SRPT_DATA_FMT_IMM)
		FUZZ_CHECK(fuzz_within(d->imm_data, d->total_len, buf, len));
	else
		FUZZ_CHECK(d->imm_data == NULL);
}

static bool desc_eq(const struct srpt_data_desc *a,
		    const struct srpt_data_desc *b)
{
	return a->fmt == b->fmt && a->total_len == b->total_len &&
	       a->direct.va == b->direct.va &&
	       a->direct.key == b->direct.key &&
	       a->direct.len == b->direct.len &&
	       a->table.va == b->table.va && a->table.key == b->table.key &&
	       a->table.len == b->table.len &&
	       a->table_cnt == b->table_cnt &&
	       a->inline_cnt == b->inline_cnt &&
	       fuzz_same(a->inline_list, b->inline_list,
			 (size_t)a->inline_cnt * 16) &&
	       a->imm_offset == b->imm_offset &&
	       (a->fmt != SRPT_DATA_FMT_IMM ||
		fuzz_same(a->imm_data, b->imm_data, a->total_len));
}

static bool cmd_eq(const struct srpt_cmd *a, const struct srpt_cmd *b)
{
	return a->sol_not == b->sol_not &&
	       a->data_out_fmt == b->data_out_fmt &&
	       a->data_in_fmt == b->data_in_fmt &&
	       a->data_out_desc_cnt == b->data_out_desc_cnt &&
	       a->data_in_desc_cnt == b->data_in_desc_cnt &&
	       a->tag == b->tag && !memcmp(a->lun, b->lun, 8) &&
	       a->task_attr == b->task_attr &&
	       a->add_cdb_len == b->add_cdb_len &&
	       a->cdb_len == b->cdb_len &&
	       fuzz_same(a->cdb, b->cdb, a->cdb_len) &&
	       desc_eq(&a->data_out, &b->data_out) &&
	       desc_eq(&a->data_in, &b->data_in);
}

static void one(const uint8_t *data, size_t size, uint32_t imm_off)
{
	struct srpt_cmd a, b;
	uint8_t *e1, *e2;
	int n;

	if (srpt_cmd_decode(data, size, imm_off, &a))
		return;
	FUZZ_CHECK(a.data_out_fmt == a.data_out.fmt);
	FUZZ_CHECK(a.data_in_fmt == a.data_in.fmt);
	FUZZ_CHECK(a.cdb_len == 16u + a.add_cdb_len);
	FUZZ_CHECK(fuzz_within(a.cdb, a.cdb_len, data, size));
	check_desc(&a.data_out, data, size);
	check_desc(&a.data_in, data, size);

	/* What was decoded from @size bytes encodes into at most @size. */
	e1 = fuzz_alloc(size);
	n = srpt_cmd_encode(&a, e1, size);
	FUZZ_CHECK(n >= SRPT_CMD_LEN && (size_t)n <= size);
	FUZZ_CHECK(srpt_cmd_decode(e1, (size_t)n, imm_off, &b) == 0);
	FUZZ_CHECK(cmd_eq(&a, &b));
	e2 = fuzz_alloc((size_t)n);
	FUZZ_CHECK(srpt_cmd_encode(&b, e2, (size_t)n) == n);
	FUZZ_CHECK(!memcmp(e1, e2, (size_t)n));
	if (n > SRPT_CMD_LEN)
		FUZZ_CHECK(srpt_cmd_encode(&b, e2, (size_t)n - 1) == -ENOSPC);
	free(e1);
	free(e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(imm_offsets) / sizeof(imm_offsets[0]);
	     i++)
		one(data, size, imm_offsets[i]);
	return 0;
}
