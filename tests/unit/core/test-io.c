/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Reads and writes through the fake: what on_cmd sees, what gets posted
 * (the hot-path counters of the performance issue: one post call per
 * I/O, response SENDs unsignaled so that at most one I/O in four asks for
 * a completion of its own, no allocation with registered memory),
 * zero copy and bounce buffers, immediate data, DATA-OUT by RDMA READ and
 * its failure, indirect descriptors, residuals and sense data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"

static const uint8_t lun1[8] = { 0x00, 0x01 };

/*
 * Signaled work requests for @n I/Os of one response each, one at a
 * time: the responses go unsignaled, one in at most 16 (sq.c) or when
 * the spare ios run out is signaled, and the fake saw as many.
 */
static void expect_lazy_signals(struct dp *d, const struct srpt_stats *s0,
				const struct srpt_stats *s1, unsigned long n,
				unsigned long sig0)
{
	unsigned long sig = s1->signaled_wrs - s0->signaled_wrs;
	struct fake_conn_info ci;

	fake_conn_info(d->c, &ci);
	ck_assert_uint_eq(ci.signaled - sig0, sig);
	ck_assert_uint_le(sig * 4, n);
	ck_assert_uint_ge(sig * 16, n - 15);
}

static unsigned long conn_signaled(struct dp *d)
{
	struct fake_conn_info ci;

	fake_conn_info(d->c, &ci);
	return ci.signaled;
}

/* ---- reads ---- */
/*
 * An on_cmd that answers at once runs inside the receive completion,
 * whose pin on the channel covers srpt_io_complete(): the hot path takes
 * no pin of its own there (two atomic updates of the channel's count
 * per I/O). The fake notes the count at each post: inside on_cmd it is
 * what on_cmd saw (one more would be a pin taken again); answered later
 * from outside any completion, srpt_io_complete() pins the channel.
 */
struct pin_probe {
	struct dp *d;
	long ref_at_cmd;
	unsigned int cmds;
};

static void answer_at_once(struct app *a, struct srpt_channel *ch,
			   struct srpt_io *io)
{
	struct pin_probe *p = a->arg;
	struct srpt_sge sg = { p->d->mem, 4096, a->mr };

	p->ref_at_cmd = atomic_load(&ch->ref);
	p->cmds++;
	dp_complete(io, &sg, 1);
}

START_TEST(test_complete_inside_on_cmd_takes_no_pin)
{
	struct pin_probe p = { 0 };
	struct srpt_sge sg;
	struct srpt_io *io;
	struct cmd_spec s;
	uint8_t iu[512];
	struct dp d;
	long ref;
	int n;

	dp_init(&d, 0, 0);
	p.d = &d;
	d.a->arg = &p;
	d.a->hooks.on_cmd = answer_at_once;
	for (unsigned int i = 0; i < 4; i++) {
		s = dp_read_spec(&d, 4096, 4096 * i);
		n = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n), 0);
		ck_assert_uint_eq(p.cmds, i + 1);
		dp_expect_good(&d, s.tag, 1);
		ck_assert_int_gt(p.ref_at_cmd, 0);
		ck_assert_int_eq(dp_last_wr(&d)->ch_ref, p.ref_at_cmd);
		ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	}
	/* held, and answered from the test's thread: pinned for the call */
	d.a->hooks.on_cmd = NULL;
	s = dp_read_spec(&d, 4096, 0);
	io = dp_cmd(&d, &s);
	ref = atomic_load(&fake_conn_channel(d.c)->ref);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	dp_complete(io, &sg, 1);
	ck_assert_int_eq(dp_last_wr(&d)->ch_ref, ref + 1);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	dp_end(&d);
}
END_TEST


START_TEST(test_read_4k_zero_copy)
{
	struct dp d;
	struct srpt_stats s0, s1;
	const unsigned int n = 40;
	unsigned long sig0;

	dp_init(&d, 0, 0);
	dp_fill(d.mem, DP_MEM_LEN, 3);
	app_stats(d.a, &s0);
	sig0 = conn_signaled(&d);
	for (unsigned int i = 0; i < n; i++) {
		struct cmd_spec s = dp_read_spec(&d, 4096, 4096 * (i % 32));
		const struct srpt_io_info *info;
		struct srpt_io *io = dp_cmd(&d, &s);
		struct srpt_sge sg = { d.mem + 4096 * (i % 32), 4096, d.a->mr };
		const struct fake_wr *wr;
		unsigned long posts = fake_op_calls(d.a->f, FAKE_OP_POST_CHAIN);

		info = srpt_io_get_info(io);
		ck_assert_uint_eq(info->tag, s.tag);
		ck_assert_mem_eq(info->lun, lun1, 8);
		ck_assert_uint_eq(info->cdb_len, 16);
		ck_assert_mem_eq(info->cdb, s.cdb, 16);
		ck_assert_int_eq(info->dir, SRPT_DIR_IN);
		ck_assert_uint_eq(info->data_len, 4096);
		ck_assert_uint_eq(info->imm, 0);
		ck_assert_ptr_eq(srpt_io_get_channel(io), fake_conn_channel(d.c));
		dp_complete(io, &sg, 1);
		/* exactly one post: the WRITE chained with the SEND */
		ck_assert_uint_eq(fake_op_calls(d.a->f, FAKE_OP_POST_CHAIN),
				  posts + 1);
		wr = dp_last_wr(&d);
		ck_assert_int_eq(wr->rdma_read, 0);
		ck_assert_uint_eq(wr->nrdma, 1);
		ck_assert_uint_eq(wr->rdma[0].raddr, s.direct.va);
		ck_assert_uint_eq(wr->rdma[0].rkey, d.rkey);
		ck_assert_uint_eq(wr->rdma[0].len, 4096);
		ck_assert_uint_eq(wr->nsge, 1);
		ck_assert_uint_eq(wr->sge[0].addr, (uintptr_t)sg.addr);
		ck_assert_uint_eq(wr->sge[0].len, 4096);
		ck_assert_uint_eq(wr->send_len, SRPT_RSP_LEN);
		dp_expect_good(&d, s.tag, 1);
		ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
		ck_assert_mem_eq(d.remote + 4096 * (i % 32), sg.addr, 4096);
	}
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.post_chain_calls - s0.post_chain_calls, n);
	expect_lazy_signals(&d, &s0, &s1, n, sig0);
	ck_assert_uint_eq(s1.io_allocs - s0.io_allocs, 0);
	ck_assert_uint_eq(s1.rsp_sent - s0.rsp_sent, n);
	ck_assert_uint_eq(s1.cmds - s0.cmds, n);
	/* one receive reposted per I/O, one call each */
	ck_assert_uint_eq(s1.post_recv_calls - s0.post_recv_calls, n);
	dp_end(&d);
}
END_TEST

/*
 * Unregistered memory goes through a bounce buffer owned by the io
 * context: the first use of a context allocates it once, later I/Os do
 * not allocate. Free contexts are reused last-in first-out, but an
 * unsignaled response keeps its context until a later completion
 * reclaims it, so one I/O at a time cycles through a few contexts (up to
 * the spares, nrx / 2): a few allocations during the first ring, none
 * after.
 */
START_TEST(test_read_4k_bounce)
{
	struct dp d;
	struct srpt_stats s0, s1;
	uint8_t *plain = malloc(4096);
	uint32_t nrx;
	unsigned long allocs_after_ring = 0;

	dp_init(&d, 4, 0);
	nrx = 4 + SRPT_SPARE_RX;
	app_stats(d.a, &s0);
	for (unsigned int i = 0; i < 5 * nrx; i++) {
		struct cmd_spec s = dp_read_spec(&d, 4096, 0);
		struct srpt_io *io = dp_cmd(&d, &s);
		struct srpt_sge sg = { plain, 4096, NULL };
		const struct fake_wr *wr;

		dp_fill(plain, 4096, i);
		dp_complete(io, &sg, 1);
		wr = dp_last_wr(&d);
		ck_assert_uint_eq(wr->nrdma, 1);
		ck_assert_uint_eq(wr->nsge, 1);
		ck_assert_uint_ne(wr->sge[0].addr, (uintptr_t)plain);
		/* the data was copied before the call returned */
		memset(plain, 0, 4096);
		ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
		dp_fill(plain, 4096, i);
		ck_assert_mem_eq(d.remote, plain, 4096);
		app_stats(d.a, &s1);
		if (i == 0)
			ck_assert_uint_eq(s1.io_allocs - s0.io_allocs, 1);
		if (i == nrx - 1)
			allocs_after_ring = s1.io_allocs - s0.io_allocs;
	}
	app_stats(d.a, &s1);
	ck_assert_uint_ge(allocs_after_ring, 1);
	ck_assert_uint_le(allocs_after_ring, SRPT_IO_SPARE(nrx) + 1);
	ck_assert_uint_eq(s1.io_allocs - s0.io_allocs, allocs_after_ring);
	/* still one post per I/O */
	ck_assert_uint_eq(s1.post_chain_calls - s0.post_chain_calls, 5 * nrx);
	free(plain);
	dp_end(&d);
}
END_TEST

/* ---- writes ---- */

START_TEST(test_write_4k_immediate)
{
	struct dp d;
	struct srpt_stats s0, s1;
	static uint8_t data[4096];
	const unsigned int n = 20;
	unsigned long sig0;

	dp_init(&d, 0, 0);
	app_stats(d.a, &s0);
	sig0 = conn_signaled(&d);
	for (unsigned int i = 0; i < n; i++) {
		struct cmd_spec s = { .tag = d.next_tag++ };
		struct srpt_sge sg = { d.mem, 4096, d.a->mr };
		const struct srpt_io_info *info;
		struct srpt_io *io;
		const struct fake_wr *wr;

		memcpy(s.lun, lun1, 8);
		dp_cdb_rw(s.cdb, 0x2a, 8);
		dp_fill(data, sizeof(data), 100 + i);
		s.fmt_out = SRPT_DATA_FMT_IMM;
		s.total_len = 4096;
		s.imm = data;
		s.imm_offset = 68;
		io = dp_cmd(&d, &s);
		info = srpt_io_get_info(io);
		ck_assert_int_eq(info->dir, SRPT_DIR_OUT);
		ck_assert_uint_eq(info->data_len, 4096);
		ck_assert_uint_eq(info->imm, 1);
		memset(d.mem, 0, 4096);
		ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1,
				 (srpt_io_data_fn)abort, NULL), 1);
		ck_assert_mem_eq(d.mem, data, 4096);
		dp_complete(io, NULL, 0);
		wr = dp_last_wr(&d);
		ck_assert_uint_eq(wr->nrdma, 0);
		ck_assert_uint_eq(wr->nsge, 0);
		ck_assert_uint_eq(wr->send_len, SRPT_RSP_LEN);
		dp_expect_good(&d, s.tag, 1);
		ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	}
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.post_chain_calls - s0.post_chain_calls, n);
	expect_lazy_signals(&d, &s0, &s1, n, sig0);
	ck_assert_uint_eq(s1.io_allocs - s0.io_allocs, 0);
	dp_end(&d);
}
END_TEST

static void write_rdma_read(struct dp *d, bool registered, unsigned int n,
			    struct srpt_stats *delta)
{
	struct srpt_stats s0, s1;
	uint8_t *plain = malloc(4096);

	app_stats(d->a, &s0);
	for (unsigned int i = 0; i < n; i++) {
		struct cmd_spec s = dp_write_spec(d, 4096, 8192);
		struct srpt_sge sg = {
			registered ? d->mem + 4096 : plain, 4096,
			registered ? d->a->mr : NULL,
		};
		struct dp_fetch fc = { .complete = true };
		struct srpt_io *io;
		const struct fake_wr *wr;
		unsigned long posts;

		dp_fill(d->remote + 8192, 4096, 7 * i);
		io = dp_cmd(d, &s);
		ck_assert_uint_eq(srpt_io_get_info(io)->imm, 0);
		memset(sg.addr, 0, 4096);
		posts = fake_op_calls(d->a->f, FAKE_OP_POST_CHAIN);
		ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done,
						    &fc), 0);
		ck_assert_uint_eq(fake_op_calls(d->a->f, FAKE_OP_POST_CHAIN),
				  posts + 1);
		wr = dp_last_wr(d);
		ck_assert_int_eq(wr->rdma_read, 1);
		ck_assert_uint_eq(wr->nrdma, 1);
		ck_assert_uint_eq(wr->rdma[0].raddr, s.direct.va);
		ck_assert_uint_eq(wr->rdma[0].len, 4096);
		ck_assert_uint_eq(wr->send_len, 0);
		ck_assert_int_eq(fc.calls, 0);
		/* the READ completes; the callback answers */
		ck_assert_int_eq(fake_complete_sends(d->c, 1, 0), 1);
		ck_assert_int_eq(fc.calls, 1);
		ck_assert_int_eq(fc.status, 0);
		ck_assert_mem_eq(sg.addr, d->remote + 8192, 4096);
		ck_assert_uint_eq(fake_op_calls(d->a->f, FAKE_OP_POST_CHAIN),
				  posts + 2);
		wr = dp_last_wr(d);
		ck_assert_uint_eq(wr->nrdma, 0);
		ck_assert_uint_eq(wr->send_len, SRPT_RSP_LEN);
		dp_expect_good(d, s.tag, 1);
		ck_assert_int_eq(fake_complete_sends(d->c, 1, 0), 1);
	}
	app_stats(d->a, &s1);
	delta->post_chain_calls = s1.post_chain_calls - s0.post_chain_calls;
	delta->signaled_wrs = s1.signaled_wrs - s0.signaled_wrs;
	delta->io_allocs = s1.io_allocs - s0.io_allocs;
	free(plain);
}

START_TEST(test_write_4k_rdma_read)
{
	struct dp d;
	struct srpt_stats delta;

	dp_init(&d, 0, 0);
	write_rdma_read(&d, true, 20, &delta);
	ck_assert_uint_eq(delta.post_chain_calls, 2 * 20);
	/* the RDMA READs are signaled (the io goes on from there), the
	 * responses not: each READ's completion reclaims the response
	 * before it */
	ck_assert_uint_eq(delta.signaled_wrs, 20);
	ck_assert_uint_eq(delta.io_allocs, 0);
	/* through a bounce buffer: same posts, at most one allocation per
	 * io context */
	write_rdma_read(&d, false, 3 * (8 + SRPT_SPARE_RX), &delta);
	ck_assert_uint_eq(delta.post_chain_calls, 2 * 3 * (8 + SRPT_SPARE_RX));
	ck_assert_uint_ge(delta.io_allocs, 1);
	ck_assert_uint_le(delta.io_allocs, 8 + SRPT_SPARE_RX);
	dp_end(&d);
}
END_TEST

/* A failed RDMA READ reaches the callback with an error. */
START_TEST(test_write_read_error)
{
	struct dp d;
	struct cmd_spec s;
	struct dp_fetch fc = { .complete = true };
	struct srpt_sge sg;
	struct srpt_io *io;
	struct srpt_rsp rsp;

	dp_init(&d, 0, 0);
	s = dp_write_spec(&d, 4096, 0);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	io = dp_cmd(&d, &s);
	ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done, &fc), 0);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 12), 1);
	ck_assert_int_eq(fc.calls, 1);
	ck_assert_int_lt(fc.status, 0);
	/* the error moves the channel to its close; the answer was still
	 * attempted */
	app_dispatch(d.a);
	ck_assert_int_ge(srpt_channel_get_state(fake_conn_channel(d.c)),
			 SRPT_CH_DISCONNECTING);
	(void)rsp;
	dp_end(&d);
}
END_TEST

/* ---- indirect descriptors ---- */

START_TEST(test_indirect_read_split)
{
	struct dp d;
	struct srpt_buf_desc list[3];
	struct cmd_spec s;
	struct srpt_sge sg[2];
	struct srpt_io *io;
	const struct fake_wr *wr;
	uint32_t rkey2;
	uint8_t *remote2 = calloc(1, 65536);
	struct srpt_rsp rsp;

	dp_init(&d, 0, 0);
	rkey2 = fake_remote_add(d.a->f, remote2, 65536);
	list[0] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 100, d.rkey, 1000 };
	list[1] = (struct srpt_buf_desc){ (uintptr_t)remote2 + 8192, rkey2, 2000 };
	list[2] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 20000, d.rkey, 1096 };
	memset(&s, 0, sizeof(s));
	s.tag = 0x777;
	dp_cdb_rw(s.cdb, 0x28, 8);
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = list;
	s.nlist = 3;
	s.total_len = 4096;
	io = dp_cmd(&d, &s);
	ck_assert_uint_eq(srpt_io_get_info(io)->data_len, 4096);
	dp_fill(d.mem, 4096, 9);
	sg[0] = (struct srpt_sge){ d.mem, 2048, d.a->mr };
	sg[1] = (struct srpt_sge){ d.mem + 2048, 2048, d.a->mr };
	dp_complete(io, sg, 2);
	wr = dp_last_wr(&d);
	ck_assert_uint_eq(wr->nrdma, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(wr->rdma[i].raddr, list[i].va);
		ck_assert_uint_eq(wr->rdma[i].rkey, list[i].key);
		ck_assert_uint_eq(wr->rdma[i].len, list[i].len);
	}
	ck_assert_uint_eq(wr->nsge, 4);	/* cut at each remote buffer */
	dp_expect_good(&d, 0x777, 1);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_mem_eq(d.remote + 100, d.mem, 1000);
	ck_assert_mem_eq(remote2 + 8192, d.mem + 1000, 2000);
	ck_assert_mem_eq(d.remote + 20000, d.mem + 3000, 1096);

	/* the application has only 3000 bytes: cut, DIUNDER 1096 */
	s.tag = 0x778;
	io = dp_cmd(&d, &s);
	sg[0].len = 3000;
	dp_complete(io, sg, 1);
	wr = dp_last_wr(&d);
	ck_assert_uint_eq(wr->nrdma, 2);
	ck_assert_uint_eq(wr->rdma[0].len, 1000);
	ck_assert_uint_eq(wr->rdma[1].len, 2000);
	app_last_rsp(d.c, &rsp);
	ck_assert_uint_eq(rsp.flags, SRPT_RSP_DIUNDER);
	ck_assert_uint_eq(rsp.data_in_res_cnt, 1096);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	free(remote2);
	dp_end(&d);
}
END_TEST

START_TEST(test_indirect_write)
{
	struct dp d;
	struct srpt_buf_desc list[2];
	struct cmd_spec s;
	struct dp_fetch fc = { .complete = true };
	struct srpt_sge sg;
	struct srpt_io *io;
	const struct fake_wr *wr;

	dp_init(&d, 0, 0);
	dp_fill(d.remote, 65536, 77);
	list[0] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 4096, d.rkey, 512 };
	list[1] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 40960, d.rkey, 3584 };
	memset(&s, 0, sizeof(s));
	s.tag = 0x900;
	dp_cdb_rw(s.cdb, 0x2a, 8);
	s.fmt_out = SRPT_DATA_FMT_INDIRECT;
	s.list = list;
	s.nlist = 2;
	s.total_len = 4096;
	io = dp_cmd(&d, &s);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done, &fc), 0);
	wr = dp_last_wr(&d);
	ck_assert_int_eq(wr->rdma_read, 1);
	ck_assert_uint_eq(wr->nrdma, 2);
	ck_assert_uint_eq(wr->rdma[0].len, 512);
	ck_assert_uint_eq(wr->rdma[1].len, 3584);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_int_eq(fc.calls, 1);
	ck_assert_mem_eq(d.mem, d.remote + 4096, 512);
	ck_assert_mem_eq(d.mem + 512, d.remote + 40960, 3584);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	dp_end(&d);
}
END_TEST

/* ---- residuals and sense ---- */

START_TEST(test_residuals)
{
	static const struct {
		bool write;
		uint32_t app_len;	/* read: data given */
		uint32_t expected;
		uint8_t flags;
		uint32_t din, dout;
	} cases[] = {
		{ false, 1024, SRPT_LEN_AS_DESCRIBED, SRPT_RSP_DIUNDER, 3072, 0 },
		{ false, 4096, 8192, SRPT_RSP_DIOVER, 4096, 0 },
		{ false, 4096, 4096, 0, 0, 0 },
		{ false, 0, SRPT_LEN_AS_DESCRIBED, SRPT_RSP_DIUNDER, 4096, 0 },
		{ true, 0, 2048, SRPT_RSP_DOUNDER, 0, 2048 },
		{ true, 0, 8192, SRPT_RSP_DOOVER, 0, 4096 },
		{ true, 0, SRPT_LEN_AS_DESCRIBED, 0, 0, 0 },
	};
	struct dp d;

	dp_init(&d, 0, 0);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmd_spec s = cases[i].write ? dp_write_spec(&d, 4096, 0) :
				    dp_read_spec(&d, 4096, 0);
		struct srpt_io *io = dp_cmd(&d, &s);
		struct srpt_sge sg = { d.mem, cases[i].app_len, d.a->mr };
		struct srpt_rsp rsp;

		dp_complete_len(io, cases[i].app_len ? &sg : NULL,
				cases[i].app_len ? 1 : 0, cases[i].expected);
		app_last_rsp(d.c, &rsp);
		ck_assert_msg(rsp.flags == cases[i].flags,
			      "case %u: flags 0x%02x", i, rsp.flags);
		ck_assert_uint_eq(rsp.data_in_res_cnt, cases[i].din);
		ck_assert_uint_eq(rsp.data_out_res_cnt, cases[i].dout);
		ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	}
	dp_end(&d);
}
END_TEST

START_TEST(test_sense)
{
	struct dp d;
	uint8_t sense[300];
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_rsp rsp;
	struct srpt_io_result res = { .size = sizeof(res), .status = 2, .sense = sense,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	dp_init(&d, 0, 0);
	dp_fill(sense, sizeof(sense), 1);
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	res.sense_len = 18;
	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	app_last_rsp(d.c, &rsp);
	ck_assert_uint_eq(rsp.status, 2);
	ck_assert_uint_eq(rsp.flags & SRPT_RSP_SNSVALID, SRPT_RSP_SNSVALID);
	ck_assert_uint_eq(rsp.sense_len, 18);
	ck_assert_mem_eq(rsp.sense, sense, 18);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	/* longer than the negotiated response: truncated to fit 256 */
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	res.sense_len = sizeof(sense);
	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	app_last_rsp(d.c, &rsp);
	ck_assert_uint_eq(rsp.sense_len, 256 - SRPT_RSP_LEN);
	ck_assert_mem_eq(rsp.sense, sense, 256 - SRPT_RSP_LEN);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	/* a bad result: CHECK CONDITION, HARDWARE ERROR, -EINVAL */
	s = dp_read_spec(&d, 512, 0);
	io = dp_cmd(&d, &s);
	res.status = 0;
	res.sense = NULL;
	res.sense_len = 0;
	res.nsge = 1;
	res.data = NULL;
	ck_assert_int_eq(srpt_io_complete(io, &res), -EINVAL);
	app_last_rsp(d.c, &rsp);
	ck_assert_uint_eq(rsp.status, 2);
	ck_assert_uint_eq(rsp.sense[2], 0x04);
	ck_assert_int_eq(srpt_io_complete(io, &res), -EINVAL); /* not ours */
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	dp_end(&d);
}
END_TEST

static Suite *io_suite(void)
{
	Suite *s = suite_create("core-io");
	TCase *tc = tcase_create("io");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_read_4k_zero_copy);
	tcase_add_test(tc, test_complete_inside_on_cmd_takes_no_pin);
	tcase_add_test(tc, test_read_4k_bounce);
	tcase_add_test(tc, test_write_4k_immediate);
	tcase_add_test(tc, test_write_4k_rdma_read);
	tcase_add_test(tc, test_write_read_error);
	tcase_add_test(tc, test_indirect_read_split);
	tcase_add_test(tc, test_indirect_write);
	tcase_add_test(tc, test_residuals);
	tcase_add_test(tc, test_sense);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(io_suite)
