/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "util/byteorder.h"

void dp_init(struct dp *d, uint32_t queue_depth, uint32_t sq_cap)
{
	memset(d, 0, sizeof(*d));
	d->a = app_alloc();
	d->a->auto_complete = false;
	if (queue_depth)
		d->a->opts.queue_depth = queue_depth;
	ck_assert_int_eq(app_start(d->a), 0);
	if (sq_cap)
		fake_set_sq_cap(d->a->f, sq_cap);
	d->remote = calloc(1, DP_REMOTE_LEN);
	ck_assert_ptr_nonnull(d->remote);
	d->rkey = fake_remote_add(d->a->f, d->remote, DP_REMOTE_LEN);
	d->mem = app_mem(d->a, DP_MEM_LEN);
	d->c = app_login_live(d->a, 1);
	d->next_tag = 0x100;
}

void dp_end(struct dp *d)
{
	app_end(d->a);
	free(d->remote);
}

void dp_fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

void dp_cdb_rw(uint8_t cdb[16], uint8_t op, uint32_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_be32(cdb + 2, 0x1234);
	put_be16(cdb + 7, (uint16_t)blocks);
}

struct cmd_spec dp_read_spec(struct dp *d, uint32_t len, uint64_t roff)
{
	struct cmd_spec s = { .tag = d->next_tag++ };

	s.lun[1] = 1;
	dp_cdb_rw(s.cdb, 0x28, len / 512);
	s.fmt_in = SRPT_DATA_FMT_DIRECT;
	s.direct.va = (uintptr_t)d->remote + roff;
	s.direct.key = d->rkey;
	s.direct.len = len;
	return s;
}

struct cmd_spec dp_write_spec(struct dp *d, uint32_t len, uint64_t roff)
{
	struct cmd_spec s = dp_read_spec(d, len, roff);

	s.cdb[0] = 0x2a;
	s.fmt_out = SRPT_DATA_FMT_DIRECT;
	s.fmt_in = 0;
	return s;
}

int dp_deliver(struct dp *d, const void *iu, uint32_t len)
{
	return fake_deliver(d->c, iu, len);
}

struct srpt_io *dp_cmd(struct dp *d, const struct cmd_spec *s)
{
	uint8_t iu[8400];
	unsigned int held = app_held(d->a);
	int n;

	n = mk_cmd(s, iu, sizeof(iu));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fake_deliver(d->c, iu, (uint32_t)n), 0);
	ck_assert_uint_eq(app_held(d->a), held + 1);
	return app_take_tag(d->a, s->tag);
}

void dp_complete_len(struct srpt_io *io, const struct srpt_sge *sg,
		     unsigned int nsge, uint32_t expected)
{
	struct srpt_io_result res = { .size = sizeof(res),
		.status = 0,
		.data = sg,
		.nsge = nsge,
		.expected_len = expected,
	};

	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
}

void dp_complete(struct srpt_io *io, const struct srpt_sge *sg,
		 unsigned int nsge)
{
	dp_complete_len(io, sg, nsge, SRPT_LEN_AS_DESCRIBED);
}

const struct fake_wr *dp_last_wr(struct dp *d)
{
	unsigned int n = fake_sq_len(d->c);

	ck_assert_uint_gt(n, 0);
	return fake_sq_get(d->c, n - 1);
}

/* The last SEND, decoded into @rsp: an SRP_RSP for @tag with @status. */
static void last_rsp(struct dp *d, uint64_t tag, uint8_t status,
		     struct srpt_rsp *rsp)
{
	app_last_rsp(d->c, rsp);
	ck_assert_uint_eq(rsp->tag, tag);
	ck_assert_uint_eq(rsp->status, status);
}

void dp_expect_rsp(struct dp *d, uint64_t tag, uint8_t status)
{
	struct srpt_rsp rsp;

	last_rsp(d, tag, status, &rsp);
}

void dp_expect_check(struct dp *d, uint64_t tag, uint8_t key, uint16_t ascq)
{
	struct srpt_rsp rsp;

	last_rsp(d, tag, 2, &rsp);
	ck_assert(rsp.flags & SRPT_RSP_SNSVALID);
	ck_assert_uint_ge(rsp.sense_len, 14);
	ck_assert_uint_eq(rsp.sense[2] & 0xf, key);
	ck_assert_uint_eq(rsp.sense[12], ascq >> 8);
	ck_assert_uint_eq(rsp.sense[13], ascq & 0xff);
}

void dp_expect_good(struct dp *d, uint64_t tag, uint32_t delta)
{
	struct srpt_rsp rsp;

	last_rsp(d, tag, 0, &rsp);
	ck_assert_uint_eq(rsp.flags, 0);
	ck_assert_uint_eq(rsp.req_lim_delta, delta);
	ck_assert_uint_eq(rsp.sense_len, 0);
	ck_assert_uint_eq(rsp.resp_data_len, 0);
}

void dp_expect_no_rdma_to(struct dp *d, uint32_t rkey)
{
	for (unsigned int i = 0; i < fake_sq_len(d->c); i++) {
		const struct fake_wr *wr = fake_sq_get(d->c, i);

		for (unsigned int j = 0; j < wr->nrdma; j++)
			ck_assert_msg(wr->rdma[j].rkey != rkey,
				      "an RDMA %s of %u bytes to a buffer no command describes",
				      wr->rdma_read ? "READ" : "WRITE",
				      wr->rdma[j].len);
	}
}

uint8_t *dp_table(struct dp *d, uint32_t n, uint32_t piece, uint32_t stride,
		  uint64_t roff, struct srpt_buf_desc *tdesc)
{
	uint8_t *t = calloc(n ? n : 1, 16);

	ck_assert_ptr_nonnull(t);
	for (uint32_t i = 0; i < n; i++) {
		put_be64(t + 16 * i, (uintptr_t)d->remote + roff +
			 (uint64_t)stride * i);
		put_be32(t + 16 * i + 8, d->rkey);
		put_be32(t + 16 * i + 12, piece);
	}
	tdesc->va = (uintptr_t)t;
	tdesc->key = fake_remote_add(d->a->f, t, (uint64_t)n * 16);
	tdesc->len = n * 16;
	return t;
}

void dp_fetch_done(struct srpt_io *io, int status, void *arg)
{
	struct dp_fetch *fc = arg;

	fc->calls++;
	fc->status = status;
	if (fc->complete) {
		struct srpt_io_result res = { .size = sizeof(res),
			.status = status ? 2 : 0,
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	}
}

void dp_complete_all(struct dp *d)
{
	while (fake_complete_sends(d->c, UINT32_MAX, 0) > 0)
		;
}
