/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Transfers and descriptors: a command context reused after a READ never
 * carries that READ's state into a command the library answers itself;
 * descriptors the library refuses never reach on_cmd; a table not all
 * inline is read from initiator memory first; external tables up to the
 * 64 KiB limit (4096 descriptors) are served whole, larger ones refused;
 * table buffers come from a bounded pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "core/scsi.h"
#include "util/byteorder.h"

/* A READ of 16 KiB served from registered memory, to the end: its
 * context goes back on top of the free stack, so the next IU takes it. */
static void serve_read(struct dp *d)
{
	struct cmd_spec s = dp_read_spec(d, 16384, 0);
	struct srpt_io *io = dp_cmd(d, &s);
	struct srpt_sge sg = { d->mem, 16384, d->a->mr };

	dp_fill(d->mem, 16384, 0x5a);
	dp_complete(io, &sg, 1);
	dp_complete_all(d);
	dp_expect_rsp(d, s.tag, 0);
}

/* The bytes of an SRP_CMD naming both a data-out and a data-in direct
 * buffer (the encoder takes one). */
static int bidi_cmd(struct dp *d, uint64_t tag, struct srpt_buf_desc out,
		    struct srpt_buf_desc in, uint8_t *iu)
{
	struct cmd_spec s = { .tag = tag, .fmt_in = SRPT_DATA_FMT_DIRECT };
	int n;

	s.direct = in;
	dp_cdb_rw(s.cdb, 0x28, 32);
	n = mk_cmd(&s, iu, 256);
	ck_assert_int_eq(n, 64);
	/* data-out first on the wire, then data-in */
	iu[5] = (SRPT_DATA_FMT_DIRECT << 4) | SRPT_DATA_FMT_DIRECT;
	put_be64(iu + 48, out.va);
	put_be32(iu + 56, out.key);
	put_be32(iu + 60, out.len);
	put_be64(iu + 64, in.va);
	put_be32(iu + 72, in.key);
	put_be32(iu + 76, in.len);
	return 80;
}

enum stale_kind { S_BIDI, S_SUMS, S_TABLE_BIG, S_CUT, S_ABORTED, S_COUNT };

/*
 * Each kind of command the library answers itself, right after a READ
 * on the same context, naming a data-out buffer of its own (a region
 * with its own key): the answer is sent, once, and moves no byte.
 */
START_TEST(test_no_stale_transfer)
{
	enum stale_kind k = (enum stale_kind)_i;
	struct dp d;
	uint8_t *sentinel = calloc(1, 65536);
	struct srpt_buf_desc out, list[2];
	struct cmd_spec s;
	uint8_t iu[256];
	unsigned int sent;
	uint32_t skey;
	int n;

	dp_init(&d, 8, 0);
	memset(sentinel, 0xee, 65536);
	skey = fake_remote_add(d.a->f, sentinel, 65536);
	out = (struct srpt_buf_desc){ (uintptr_t)sentinel, skey, 16384 };
	serve_read(&d);
	sent = fake_sent_count(d.c);
	memset(&s, 0, sizeof(s));
	s.tag = 0x5a1e;
	dp_cdb_rw(s.cdb, 0x2a, 32);
	switch (k) {
	case S_BIDI:
		n = bidi_cmd(&d, s.tag, out, (struct srpt_buf_desc){
			(uintptr_t)sentinel + 32768, skey, 16384 }, iu);
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n), 0);
		dp_expect_check(&d, s.tag, SENSE_ILLEGAL_REQUEST,
				ASC_INVALID_FIELD_IN_CDB);
		break;
	case S_SUMS:
		list[0] = out;
		list[1] = (struct srpt_buf_desc){ out.va + 16384, skey, 100 };
		s.fmt_out = SRPT_DATA_FMT_INDIRECT;
		s.list = list;
		s.nlist = 2;
		s.total_len = 16384;	/* the pieces say 16484 */
		n = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n), 0);
		dp_expect_check(&d, s.tag, SENSE_ILLEGAL_REQUEST,
				ASC_INVALID_FIELD_IN_CIU);
		break;
	case S_TABLE_BIG:
		list[0] = out;
		s.fmt_out = SRPT_DATA_FMT_INDIRECT;
		s.list = list;
		s.nlist = 1;
		s.table_cnt = 4097;	/* 65552 bytes: over the limit */
		s.total_len = 16384;
		n = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n), 0);
		dp_expect_check(&d, s.tag, SENSE_ILLEGAL_REQUEST,
				ASC_INVALID_FIELD_IN_CIU);
		break;
	case S_CUT:
		/* a data-out descriptor cut off by the end of the IU */
		s.fmt_out = SRPT_DATA_FMT_DIRECT;
		s.direct = out;
		n = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n - 4), 0);
		dp_expect_check(&d, s.tag, SENSE_ILLEGAL_REQUEST,
				ASC_INVALID_FIELD_IN_CIU);
		break;
	case S_ABORTED: {
		struct srpt_io *io;
		struct srpt_tsk_mgmt tm = {
			.tag = 0x7a,
			.tsk_mgmt_func = SRPT_TSK_ABORT_TASK,
			.task_tag = s.tag,
		};

		s.fmt_out = SRPT_DATA_FMT_DIRECT;
		s.direct = out;
		s.lun[1] = 1;
		tm.lun[1] = 1;
		io = dp_cmd(&d, &s);
		n = srpt_tsk_mgmt_encode(&tm, iu, sizeof(iu));
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)n), 0);
		/* the application still answers it; nothing goes out */
		dp_complete(io, NULL, 0);
		dp_complete_all(&d);
		ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
		{
			struct srpt_rsp rsp;

			app_last_rsp(d.c, &rsp);
			ck_assert_uint_eq(rsp.tag, 0x7a);
			ck_assert(rsp.flags & SRPT_RSP_RSPVALID);
		}
		break;
	}
	default:
		break;
	}
	dp_expect_no_rdma_to(&d, skey);
	dp_complete_all(&d);
	ck_assert_uint_eq(fake_sent_count(d.c), sent + 1);
	for (int i = 0; i < 65536; i++)
		ck_assert_msg(sentinel[i] == 0xee, "byte %d of a buffer no command may write changed", i);
	dp_end(&d);
	free(sentinel);
}
END_TEST

/* Descriptors the library refuses: CHECK CONDITION, ILLEGAL REQUEST with
 * @asc/@ascq, the command's credit back; never on_cmd. */
static void expect_refused(struct dp *d, uint64_t tag, uint8_t asc,
			   uint8_t ascq)
{
	struct srpt_rsp rsp;

	dp_expect_check(d, tag, SENSE_ILLEGAL_REQUEST,
			(uint16_t)(asc << 8 | ascq));
	app_last_rsp(d->c, &rsp);
	ck_assert_uint_eq(rsp.req_lim_delta, 1);
}

START_TEST(test_refused_descriptors)
{
	struct dp d;
	struct srpt_buf_desc list[2];
	struct cmd_spec s;
	uint8_t iu[256];
	unsigned long cmds;
	int n;

	dp_init(&d, 0, 0);
	cmds = d.a->cmds;
	list[0] = (struct srpt_buf_desc){ (uintptr_t)d.remote, d.rkey, 512 };
	list[1] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 512, d.rkey, 512 };
	memset(&s, 0, sizeof(s));
	dp_cdb_rw(s.cdb, 0x28, 2);
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = list;
	s.nlist = 2;

	/* an external descriptor table too large to be one */
	s.tag = 1;
	s.table_cnt = 8192;
	s.total_len = 1024;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
	expect_refused(&d, 1, 0x0e, 0x03);

	/* inline lengths not adding up to the total */
	s.tag = 2;
	s.table_cnt = 0;
	s.total_len = 4096;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
	expect_refused(&d, 2, 0x0e, 0x03);

	/* bidirectional */
	s.tag = 3;
	s.fmt_in = SRPT_DATA_FMT_DIRECT;
	s.fmt_out = SRPT_DATA_FMT_DIRECT;
	s.direct = list[0];
	n = mk_cmd(&s, iu, sizeof(iu));
	if (n > 0) {
		ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
		expect_refused(&d, 3, 0x24, 0x00);
	} else {
		/* the encoder takes one descriptor: write both by hand */
		struct cmd_spec s1 = s;

		s1.fmt_out = 0;
		n = mk_cmd(&s1, iu, sizeof(iu));
		ck_assert_int_gt(n, 0);
		iu[5] = (SRPT_DATA_FMT_DIRECT << 4) | SRPT_DATA_FMT_DIRECT;
		memcpy(iu + n, iu + 48, 16);
		n += 16;
		ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
		expect_refused(&d, 3, 0x24, 0x00);
	}
	ck_assert_uint_eq(d.a->cmds, cmds);
	fake_complete_sends(d.c, UINT32_MAX, 0);
	dp_end(&d);
}
END_TEST

/* Part of the table inline, all of it in initiator memory (ib_srp with
 * allow_ext_sg): the library reads the table, then moves the data. */
START_TEST(test_external_table)
{
	struct dp d;
	struct srpt_buf_desc list[4], tdesc;
	struct cmd_spec s;
	struct srpt_sge sg;
	struct srpt_io *io;
	const struct fake_wr *wr;
	uint8_t *table;
	unsigned int held;
	uint8_t iu[256];
	int n;

	dp_init(&d, 0, 0);
	table = dp_table(&d, 4, 1024, 8192, 0, &tdesc);
	for (int i = 0; i < 4; i++)
		list[i] = (struct srpt_buf_desc){
			(uintptr_t)d.remote + 8192 * (uint64_t)i, d.rkey, 1024 };
	memset(&s, 0, sizeof(s));
	s.tag = 0xe77;
	dp_cdb_rw(s.cdb, 0x28, 8);
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = list;
	s.nlist = 1;
	s.total_len = 4096;
	s.table = tdesc;
	held = app_held(d.a);
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
	/* not delivered yet: the table is being read */
	ck_assert_uint_eq(app_held(d.a), held);
	wr = dp_last_wr(&d);
	ck_assert_int_eq(wr->rdma_read, 1);
	ck_assert_uint_eq(wr->nrdma, 1);
	ck_assert_uint_eq(wr->rdma[0].raddr, (uintptr_t)table);
	ck_assert_uint_eq(wr->rdma[0].len, 64);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_uint_eq(app_held(d.a), held + 1);
	io = app_take_tag(d.a, 0xe77);
	ck_assert_uint_eq(srpt_io_get_info(io)->data_len, 4096);
	dp_fill(d.mem, 4096, 5);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	dp_complete(io, &sg, 1);
	wr = dp_last_wr(&d);
	ck_assert_uint_eq(wr->nrdma, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(wr->rdma[i].raddr, list[i].va);
	dp_expect_good(&d, 0xe77, 1);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	for (int i = 0; i < 4; i++)
		ck_assert_mem_eq(d.remote + 8192 * i, d.mem + 1024 * i, 1024);

	/* a table whose descriptors do not add up: refused after reading */
	put_be32(table + 12, 1000);
	s.tag = 0xe78;
	n = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	expect_refused(&d, 0xe78, 0x0e, 0x03);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_uint_eq(app_held(d.a), held);
	free(table);
	dp_end(&d);
}
END_TEST

/* A READ whose external table holds @n descriptors of @piece bytes. */
static void table_read(uint32_t n, uint32_t piece, bool write)
{
	struct dp d;
	struct srpt_buf_desc first, tdesc;
	uint8_t *table;
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;
	uint32_t total = n * piece;
	struct dp_fetch fc = { .complete = true };

	dp_init(&d, 0, 0);
	/* pieces every 2*piece bytes: nothing merges by accident */
	table = dp_table(&d, n, piece, 2 * piece, 0, &tdesc);
	first = (struct srpt_buf_desc){ (uintptr_t)d.remote, d.rkey, piece };
	memset(&s, 0, sizeof(s));
	s.tag = 0x7ab1e;
	s.lun[1] = 1;
	dp_cdb_rw(s.cdb, write ? 0x2a : 0x28, total / 512);
	if (write)
		s.fmt_out = SRPT_DATA_FMT_INDIRECT;
	else
		s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = &first;
	s.nlist = 1;
	s.table = tdesc;
	s.table_cnt = n;
	s.total_len = total;
	{
		uint8_t iu[256];
		int len = mk_cmd(&s, iu, sizeof(iu));

		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(dp_deliver(&d, iu, (uint32_t)len), 0);
	}
	dp_complete_all(&d);	/* the table is read */
	io = app_take_tag(d.a, s.tag);
	ck_assert_ptr_nonnull(io);
	ck_assert_uint_eq(srpt_io_get_info(io)->data_len, total);
	sg = (struct srpt_sge){ d.mem, total, d.a->mr };
	if (write) {
		for (uint32_t i = 0; i < n; i++)
			dp_fill(d.remote + 2ull * piece * i, piece, i);
		ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done,
						    &fc), 0);
		dp_complete_all(&d);
		ck_assert_int_eq(fc.calls, 1);
		ck_assert_int_eq(fc.status, 0);
		for (uint32_t i = 0; i < n; i++)
			ck_assert_mem_eq(d.mem + (size_t)piece * i,
					 d.remote + 2ull * piece * i, piece);
	} else {
		dp_fill(d.mem, total, 17);
		dp_complete(io, &sg, 1);
		dp_complete_all(&d);
		for (uint32_t i = 0; i < n; i++)
			ck_assert_mem_eq(d.remote + 2ull * piece * i,
					 d.mem + (size_t)piece * i, piece);
	}
	dp_expect_rsp(&d, s.tag, 0);
	free(table);
	dp_end(&d);
}

/* More than 1,024 descriptors: served whole, up to the table limit. */
START_TEST(test_table_1025)
{
	table_read(1025, 128, false);
}
END_TEST

START_TEST(test_table_2048)
{
	table_read(2048, 64, false);
	table_read(2048, 64, true);
}
END_TEST

START_TEST(test_table_4096)
{
	table_read(4096, 32, false);
	table_read(4096, 32, true);
}
END_TEST

/* A READ of 2048 descriptors of 16 bytes, one inline, the table (32 KiB)
 * in initiator memory: delivered once the table is read. */
static void table_cmd(struct dp *d, uint64_t tag,
		      const struct srpt_buf_desc *first,
		      struct srpt_buf_desc tdesc)
{
	struct cmd_spec s = { .tag = tag };
	uint8_t iu[256];
	int len;

	dp_cdb_rw(s.cdb, 0x28, 64);
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = first;
	s.nlist = 1;
	s.table = tdesc;
	s.table_cnt = 2048;
	s.total_len = 2048 * 16;
	len = mk_cmd(&s, iu, sizeof(iu));
	ck_assert_int_eq(dp_deliver(d, iu, (uint32_t)len), 0);
	dp_complete_all(d);
}

/* A table is read into the target's pool, which is bounded: when it is
 * used up, commands that need one get BUSY, and it comes back. */
START_TEST(test_table_pool_bounded)
{
	struct dp d;
	struct srpt_buf_desc first, tdesc;
	uint8_t *table;
	struct srpt_stats st;

	memset(&d, 0, sizeof(d));
	d.a = app_alloc();
	d.a->auto_complete = false;
	d.a->opts.table_pool_size = 64 * 1024;
	ck_assert_int_eq(app_start(d.a), 0);
	d.remote = calloc(1, DP_REMOTE_LEN);
	d.rkey = fake_remote_add(d.a->f, d.remote, DP_REMOTE_LEN);
	d.mem = app_mem(d.a, DP_MEM_LEN);
	d.c = app_login_live(d.a, 1);
	/* 2048 descriptors: 32 KiB of table each */
	table = dp_table(&d, 2048, 16, 16, 0, &tdesc);
	first = (struct srpt_buf_desc){ (uintptr_t)d.remote, d.rkey, 16 };
	for (int i = 0; i < 3; i++)
		table_cmd(&d, 0x100 + (uint64_t)i, &first, tdesc);
	/* two hold the pool; the third was answered BUSY */
	ck_assert_uint_eq(app_held(d.a), 2);
	dp_expect_rsp(&d, 0x102, 0x08);
	app_stats(d.a, &st);
	ck_assert_uint_eq(st.table_busy, 1);
	app_complete_all(d.a);
	dp_complete_all(&d);
	/* back: the next one gets a table again */
	table_cmd(&d, 0x200, &first, tdesc);
	ck_assert_uint_eq(app_held(d.a), 1);
	free(table);
	dp_end(&d);
}
END_TEST

static Suite *xfer_suite(void)
{
	Suite *s = suite_create("core-xfer");
	TCase *tc = tcase_create("xfer");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_no_stale_transfer, 0, S_COUNT);
	tcase_add_test(tc, test_refused_descriptors);
	tcase_add_test(tc, test_external_table);
	tcase_add_test(tc, test_table_1025);
	tcase_add_test(tc, test_table_2048);
	tcase_add_test(tc, test_table_4096);
	tcase_add_test(tc, test_table_pool_bounded);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(xfer_suite)
