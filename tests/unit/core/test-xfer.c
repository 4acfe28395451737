/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Transfers and descriptors: a command context reused after a READ never
 * carries that READ's state into a command the library answers itself;
 * external tables up to the 64 KiB limit (4096 descriptors) are served
 * whole, larger ones refused; table buffers come from a bounded pool.
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
	tcase_add_test(tc, test_table_1025);
	tcase_add_test(tc, test_table_2048);
	tcase_add_test(tc, test_table_4096);
	tcase_add_test(tc, test_table_pool_bounded);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(xfer_suite)
