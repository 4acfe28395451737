/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The one posting path: send queue slots reserved for exactly what a
 * chain takes, chains that do not fit parked (and given back when the
 * channel closes), waiting ios posted in order by a loop (never a
 * recursion), transfers longer than a chain split into chains, failed
 * posts ending the channel without reusing buffers under a transfer
 * that may still run, and no application callback inside a call the
 * application made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "util/byteorder.h"

/* Every send queue slot is back once nothing is posted, but those of
 * unsignaled responses that no later completion reclaimed yet (sq.c). */
static void expect_sq_whole(struct dp *d)
{
	struct srpt_channel *ch = fake_conn_channel(d->c);
	struct fake_conn_info ci;
	struct srpt_io *io;
	int held = 0, n = 0;

	ck_assert_uint_eq(fake_sq_len(d->c), 0);
	cds_list_for_each_entry(io, &ch->sq_unsig, unsig_link) {
		held += (int)io->sq_wrs;
		n++;
	}
	ck_assert_int_eq(atomic_load(&ch->sq_unsig_n), n);
	/* the fake holds exactly those slots as well */
	fake_conn_info(d->c, &ci);
	ck_assert_int_eq((int)ci.sq_held, held);
	ck_assert_int_eq(atomic_load(&ch->sq_avail) + held,
			 (int)ch->tp.sq_size - 1);
	ck_assert_int_eq(atomic_load(&ch->sq_nparked), 0);
}

/* An indirect READ with @n pieces of @piece bytes at @roff, @stride apart,
 * all inline. */
static struct cmd_spec indirect_read(struct dp *d, struct srpt_buf_desc *list,
				     uint32_t n, uint32_t piece, uint64_t roff,
				     uint32_t stride)
{
	struct cmd_spec s = { .tag = d->next_tag++ };

	for (uint32_t i = 0; i < n; i++)
		list[i] = (struct srpt_buf_desc){
			(uintptr_t)d->remote + roff + (uint64_t)stride * i,
			d->rkey, piece };
	s.lun[1] = 1;
	dp_cdb_rw(s.cdb, 0x28, n * piece / 512);
	s.fmt_in = SRPT_DATA_FMT_INDIRECT;
	s.list = list;
	s.nlist = n;
	s.total_len = n * piece;
	return s;
}

/*
 * The review's reproduction of the sq_kick()/io_submit() recursion:
 * queue depth 16, a send queue of 8, a direct READ completed, then an
 * indirect READ of 4 pieces of 1 KiB while the queue is full: the
 * waiting chain needs 5 slots and must get exactly those.
 */
START_TEST(test_parked_indirect_read)
{
	struct dp d;
	struct srpt_buf_desc list[4];
	struct srpt_io *io[8];
	struct cmd_spec s[8];
	struct srpt_sge sg;

	dp_init(&d, 16, 8);
	dp_fill(d.mem, 65536, 3);
	s[0] = dp_read_spec(&d, 4096, 0);
	io[0] = dp_cmd(&d, &s[0]);
	sg = (struct srpt_sge){ d.mem, 4096, d.a->mr };
	dp_complete(io[0], &sg, 1);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	/* three more direct READs take 6 of the 7 slots */
	for (int i = 1; i < 4; i++) {
		s[i] = dp_read_spec(&d, 4096, 4096 * (uint64_t)i);
		io[i] = dp_cmd(&d, &s[i]);
	}
	s[4] = indirect_read(&d, list, 4, 1024, 65536, 4096);
	io[4] = dp_cmd(&d, &s[4]);
	for (int i = 1; i < 4; i++) {
		sg = (struct srpt_sge){ d.mem + 4096 * i, 4096, d.a->mr };
		dp_complete(io[i], &sg, 1);
	}
	sg = (struct srpt_sge){ d.mem + 16384, 4096, d.a->mr };
	dp_complete(io[4], &sg, 1);
	ck_assert_uint_eq(fake_sq_len(d.c), 3);	/* the indirect one waits */
	dp_complete_all(&d);
	ck_assert_uint_eq(fake_sent_count(d.c), 5);
	dp_expect_rsp(&d, s[4].tag, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_mem_eq(d.remote + 65536 + 4096 * i,
				 d.mem + 16384 + 1024 * i, 1024);
	expect_sq_whole(&d);
	dp_end(&d);
}
END_TEST

/* Every credit in use by indirect READs of many pieces each, on a send
 * queue smaller than one of them: split into chains, all answered once,
 * every byte where it belongs. */
START_TEST(test_indirect_read_burst)
{
	struct dp d;
	static struct srpt_buf_desc list[16][64];
	struct cmd_spec s[16];
	struct srpt_io *io[16];
	const uint32_t pieces[4] = { 2, 8, 16, 64 };

	dp_init(&d, 16, 8);
	for (int round = 0; round < 4; round++) {
		uint32_t n = pieces[round];

		memset(d.remote, 0, 16 * 64 * 512);
		for (int i = 0; i < 16; i++) {
			s[i] = indirect_read(&d, list[i], n, 512,
					     (uint64_t)i * 64 * 512, 512);
			io[i] = dp_cmd(&d, &s[i]);
		}
		for (int i = 0; i < 16; i++) {
			struct srpt_sge sg = { d.mem + (size_t)i * 64 * 512,
					       n * 512, d.a->mr };

			dp_fill(sg.addr, sg.len, (uint32_t)(round * 16 + i));
			dp_complete(io[i], &sg, 1);
		}
		dp_complete_all(&d);
		for (int i = 0; i < 16; i++)
			ck_assert_mem_eq(d.remote + (size_t)i * 64 * 512,
					 d.mem + (size_t)i * 64 * 512, n * 512);
		ck_assert_uint_eq(fake_sent_count(d.c), (unsigned int)(16 * (round + 1)));
		expect_sq_whole(&d);
	}
	for (unsigned int i = 0; i < fake_sent_count(d.c); i++) {
		struct srpt_rsp rsp;

		app_rsp_at(d.c, i, &rsp);
		ck_assert_uint_eq(rsp.status, 0);
	}
	dp_end(&d);
}
END_TEST

/* Work requests are cut to the channel's limits: pieces per request,
 * bytes per request, requests per chain; the transfer is whole. */
START_TEST(test_chain_split)
{
	struct dp d;
	struct srpt_buf_desc list[3];
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg[5];
	struct dp_fetch fc = { .complete = true };
	unsigned int chains = 0;

	memset(&d, 0, sizeof(d));
	d.a = app_alloc();
	d.a->auto_complete = false;
	ck_assert_int_eq(app_start(d.a), 0);
	fake_set_caps(d.a->f, 2, 1000);
	d.remote = calloc(1, DP_REMOTE_LEN);
	d.rkey = fake_remote_add(d.a->f, d.remote, DP_REMOTE_LEN);
	d.mem = app_mem(d.a, DP_MEM_LEN);
	d.c = app_login_live(d.a, 1);

	/* 64 KiB READ over 3 remote buffers from 5 local pieces */
	s = indirect_read(&d, list, 3, 0, 0, 0);
	list[0] = (struct srpt_buf_desc){ (uintptr_t)d.remote, d.rkey, 10000 };
	list[1] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 20000, d.rkey, 30000 };
	list[2] = (struct srpt_buf_desc){ (uintptr_t)d.remote + 60000, d.rkey, 25536 };
	s.total_len = 65536;
	io = dp_cmd(&d, &s);
	for (int i = 0; i < 5; i++)
		sg[i] = (struct srpt_sge){ d.mem + 20000 * i, 13107 + (i == 4),
					   d.a->mr };
	dp_fill(d.mem, DP_MEM_LEN, 11);
	dp_complete(io, sg, 5);
	while (fake_sq_len(d.c)) {
		const struct fake_wr *wr = fake_sq_get(d.c, 0);

		ck_assert_uint_le(wr->nwr, SRPT_TP_CHAIN_MAX_WR);
		for (unsigned int i = 0; i < wr->nrdma; i++)
			ck_assert_uint_le(wr->rdma[i].len, 1000);
		chains++;
		fake_complete_sends(d.c, 1, 0);
	}
	/* at least 66 WRITEs of at most 1000 bytes: three chains at least */
	ck_assert_uint_ge(chains, 3);
	dp_expect_rsp(&d, s.tag, 0);
	{
		uint32_t off = 0;
		const uint8_t *src[5];

		for (int i = 0; i < 5; i++)
			src[i] = d.mem + 20000 * i;
		/* the local pieces, in order, land in the remote buffers */
		uint8_t *flat = malloc(65536);

		for (int i = 0; i < 5; i++) {
			memcpy(flat + off, src[i], sg[i].len);
			off += sg[i].len;
		}
		ck_assert_mem_eq(d.remote, flat, 10000);
		ck_assert_mem_eq(d.remote + 20000, flat + 10000, 30000);
		ck_assert_mem_eq(d.remote + 60000, flat + 40000, 25536);
		free(flat);
	}

	/* and a DATA-OUT of 64 KiB the same way */
	s = dp_write_spec(&d, 65536, 128 * 1024);
	dp_fill(d.remote + 128 * 1024, 65536, 99);
	io = dp_cmd(&d, &s);
	sg[0] = (struct srpt_sge){ d.mem + 512 * 1024, 65536, d.a->mr };
	ck_assert_int_eq(srpt_io_fetch_data(io, sg, 1, dp_fetch_done, &fc), 0);
	while (fake_sq_len(d.c) && !fc.calls)
		fake_complete_sends(d.c, 1, 0);
	ck_assert_int_eq(fc.calls, 1);
	ck_assert_int_eq(fc.status, 0);
	ck_assert_mem_eq(d.mem + 512 * 1024, d.remote + 128 * 1024, 65536);
	dp_complete_all(&d);
	expect_sq_whole(&d);
	dp_end(&d);
}
END_TEST

/*
 * The second chain of a long DATA-OUT cannot be posted: the channel ends,
 * and the application hears of the failed transfer only once the send
 * queue is known to be empty (its memory may not be reused before: the
 * first chain's READs could still be writing into it).
 */
START_TEST(test_post_failure_mid_transfer)
{
	struct dp d;
	struct cmd_spec s;
	struct srpt_io *io;
	struct srpt_sge sg;
	struct dp_fetch fc = { .complete = true };
	struct srpt_channel *ch;

	memset(&d, 0, sizeof(d));
	d.a = app_alloc();
	d.a->auto_complete = false;
	ck_assert_int_eq(app_start(d.a), 0);
	fake_set_caps(d.a->f, 1, 1024);
	fake_set_sq_cap(d.a->f, 8);
	d.remote = calloc(1, DP_REMOTE_LEN);
	d.rkey = fake_remote_add(d.a->f, d.remote, DP_REMOTE_LEN);
	d.mem = app_mem(d.a, DP_MEM_LEN);
	d.c = app_login_live(d.a, 1);
	ch = srpt_channel_ref(fake_conn_channel(d.c));

	s = dp_write_spec(&d, 32768, 0);
	io = dp_cmd(&d, &s);
	sg = (struct srpt_sge){ d.mem, 32768, d.a->mr };
	ck_assert_int_eq(srpt_io_fetch_data(io, &sg, 1, dp_fetch_done, &fc), 0);
	ck_assert_uint_eq(fake_sq_len(d.c), 1);
	fake_fail_nth(d.a->f, FAKE_OP_POST_CHAIN, 1, EIO);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert(fake_fail_fired(d.a->f, FAKE_OP_POST_CHAIN));
	ck_assert_int_eq(fc.calls, 0);
	app_dispatch(d.a);
	ck_assert_int_ge(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTING);
	ck_assert_int_eq(fc.calls, 0);
	fake_disconnected(d.c);
	app_dispatch(d.a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
	ck_assert_int_eq(fc.calls, 0);	/* the queue may still move data */
	fake_flush(d.c, FAKE_FLUSH_SEND_RECV_DRAIN);
	app_dispatch(d.a);
	ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DISCONNECTED);
	ck_assert_int_eq(fc.calls, 1);
	ck_assert_int_eq(fc.status, -ESHUTDOWN);
	srpt_channel_unref(ch);
	dp_end(&d);
}
END_TEST

/* A logout answer takes its send queue slot like any other post. */
START_TEST(test_logout_takes_a_slot)
{
	struct dp d;
	struct srpt_channel *ch;
	uint8_t bad[64] = { 0x7f };	/* no such opcode */

	dp_init(&d, 16, 8);
	ch = fake_conn_channel(d.c);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(dp_deliver(&d, bad, sizeof(bad)), 0);
	ck_assert_uint_eq(fake_sq_len(d.c), 3);
	ck_assert_int_eq(atomic_load(&ch->sq_avail), (int)ch->tp.sq_size - 1 - 3);
	ck_assert_int_eq(fake_complete_sends(d.c, 3, 0), 3);
	ck_assert_int_eq(atomic_load(&ch->sq_avail), (int)ch->tp.sq_size - 1);
	dp_end(&d);
}
END_TEST

/* ---- send queue parking ---- */

/* @n 4 KiB READs (tags 0x100 on) delivered at once, then all answered
 * from registered memory filled with @seed. */
static void read_burst(struct dp *d, int n, uint32_t seed)
{
	uint8_t iu[128];

	for (int i = 0; i < n; i++) {
		struct cmd_spec s = { .tag = 0x100 + i, .fmt_in =
				      SRPT_DATA_FMT_DIRECT };
		int len;

		s.direct = (struct srpt_buf_desc){ (uintptr_t)d->remote + 4096 * i,
						   d->rkey, 4096 };
		len = mk_cmd(&s, iu, sizeof(iu));
		ck_assert_int_eq(fake_deliver(d->c, iu, (uint32_t)len), 0);
	}
	ck_assert_uint_eq(app_held(d->a), (unsigned int)n);
	dp_fill(d->mem, (size_t)n * 4096, seed);
	for (int i = 0; i < n; i++) {
		struct srpt_io *io = app_take_tag(d->a, 0x100 + i);

		dp_complete(io, &(struct srpt_sge){ d->mem + 4096 * i, 4096,
			    d->a->mr }, 1);
	}
}

START_TEST(test_sq_parking)
{
	struct dp d;
	struct srpt_stats st;

	dp_init(&d, 16, 8);	/* 7 slots for chains, 1 for the drain */
	read_burst(&d, 16, 5);
	/* each chain takes two slots (WRITE + SEND, counted with its local
	 * piece: 3): only some fit, the rest are parked */
	ck_assert_uint_lt(fake_sq_len(d.c), 16);
	while (fake_sq_len(d.c))
		fake_complete_sends(d.c, 1, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), 16);
	ck_assert_mem_eq(d.remote, d.mem, 65536);
	app_stats(d.a, &st);
	ck_assert_uint_eq(st.post_chain_calls, 16);
	dp_end(&d);
}
END_TEST

/* Parked chains of a channel that closes are given back. */
START_TEST(test_sq_parking_close)
{
	struct dp d;
	uint8_t iu[128];

	dp_init(&d, 16, 4);
	for (int i = 0; i < 12; i++) {
		struct cmd_spec s = { .tag = 0x100 + i };
		int n = mk_cmd(&s, iu, sizeof(iu));

		ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
	}
	app_complete_all(d.a);
	ck_assert_uint_le(fake_sq_len(d.c), 3);
	srpt_channel_close(fake_conn_channel(d.c));
	dp_end(&d);
}
END_TEST

/* ---- lazy reclaim of unsignaled responses ---- */

static void count_release(struct srpt_io *io, void *arg)
{
	(void)io;
	(*(int *)arg)++;
}

/* A 4 KiB READ answered from registered memory; returns its chain. */
static const struct fake_wr *lazy_read(struct dp *d, unsigned int i,
				       int *released)
{
	struct cmd_spec s = dp_read_spec(d, 4096, 4096 * i);
	struct srpt_io *io = dp_cmd(d, &s);
	struct srpt_sge sg = { d->mem + 4096 * i, 4096, d->a->mr };
	struct srpt_io_result res = {
		.size = sizeof(res), .data = &sg, .nsge = 1,
		.expected_len = SRPT_LEN_AS_DESCRIBED,
		.release = released ? count_release : NULL,
		.release_arg = released,
	};

	ck_assert_int_eq(srpt_io_complete(io, &res), 0);
	return dp_last_wr(d);
}

/*
 * Responses go unsignaled and complete silently; their contexts and
 * slots stay taken until a later completion on the queue, which
 * reclaims everything posted before it, in order. A response with a
 * release notification asks for its completion: the application's
 * memory comes back when the SEND is done, not later.
 */
START_TEST(test_lazy_reclaim_by_position)
{
	struct srpt_channel *ch;
	struct srpt_stats s0, s1;
	struct dp d;
	int released = 0;

	dp_init(&d, 32, 0);	/* spare ios for all of them */
	ch = fake_conn_channel(d.c);
	app_stats(d.a, &s0);
	for (unsigned int i = 0; i < 4; i++) {
		const struct fake_wr *wr = lazy_read(&d, i, NULL);

		ck_assert(wr->unsignaled);
		ck_assert_uint_eq(wr->send_len, SRPT_RSP_LEN);
	}
	ck_assert_int_eq(fake_complete_sends(d.c, UINT32_MAX, 0), 4);
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.late_completions, s0.late_completions);
	/* done on the wire, not yet known to be */
	ck_assert_uint_eq(fake_sent_count(d.c), 4);
	ck_assert_int_eq(atomic_load(&ch->io_outstanding), 4);
	ck_assert_int_eq(atomic_load(&ch->sq_unsig_n), 4);
	expect_sq_whole(&d);
	/* two more, not yet done by the "hardware" */
	ck_assert(lazy_read(&d, 4, NULL)->unsignaled);
	ck_assert(!lazy_read(&d, 5, &released)->unsignaled);
	ck_assert(lazy_read(&d, 6, NULL)->unsignaled);
	ck_assert_int_eq(atomic_load(&ch->io_outstanding), 7);
	/* the unsignaled one completes silently, then the signaled one:
	 * everything up to it is reclaimed, the one after it is not */
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_int_eq(atomic_load(&ch->io_outstanding), 7);
	ck_assert_int_eq(released, 0);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	ck_assert_int_eq(released, 1);
	ck_assert_int_eq(atomic_load(&ch->io_outstanding), 1);
	ck_assert_int_eq(atomic_load(&ch->sq_unsig_n), 1);
	ck_assert_mem_eq(d.remote, d.mem, 7 * 4096);
	ck_assert_int_eq(fake_complete_sends(d.c, 1, 0), 1);
	expect_sq_whole(&d);
	dp_end(&d);
}
END_TEST

/*
 * A close with unsignaled responses in every state: done silently before
 * the error, flushed (each completes with its own id, as verbs reports a
 * failed work request whether signaled or not), or neither (the drain's
 * completion reclaims them). Each context comes back exactly once and
 * on_drained follows.
 */
START_TEST(test_lazy_flush_exactly_once)
{
	for (int order = 0; order < FAKE_FLUSH_ORDERS; order++) {
		struct srpt_channel *ch;
		struct srpt_stats s0, s1;
		struct dp d;

		dp_init(&d, 32, 0);
		ch = fake_conn_channel_ref(d.c);
		for (unsigned int i = 0; i < 6; i++)
			ck_assert(lazy_read(&d, i, NULL)->unsignaled);
		/* two done silently, four still on the queue */
		ck_assert_int_eq(fake_complete_sends(d.c, 2, 0), 2);
		ck_assert_int_eq(atomic_load(&ch->io_outstanding), 6);
		app_stats(d.a, &s0);
		ck_assert_int_eq(srpt_channel_close(ch), 0);
		app_dispatch(d.a);
		ck_assert_int_eq(fake_disconnected(d.c), 0);
		app_dispatch(d.a);
		ck_assert_int_eq(srpt_channel_get_state(ch), SRPT_CH_DRAINING);
		ck_assert_uint_eq(d.a->drained, 0);
		fake_flush(d.c, (enum fake_flush_order)order);
		app_dispatch(d.a);
		if (order == FAKE_FLUSH_NO_DRAIN) {
			ck_assert_uint_eq(d.a->drained, 0);
			fake_advance(d.a->f, d.a->opts.drain_timeout_ms + 1);
			app_dispatch(d.a);
		}
		app_stats(d.a, &s1);
		ck_assert_int_eq(atomic_load(&ch->io_outstanding), 0);
		ck_assert_int_eq(atomic_load(&ch->sq_unsig_n), 0);
		ck_assert_int_eq(srpt_channel_get_state(ch),
				 SRPT_CH_DISCONNECTED);
		ck_assert_uint_eq(d.a->drained, 1);
		/* the flushed ones were taken, none came late but after
		 * the drain timeout */
		if (order != FAKE_FLUSH_NO_DRAIN)
			ck_assert_uint_eq(s1.late_completions,
					  s0.late_completions);
		srpt_channel_unref(ch);
		dp_end(&d);
	}
}
END_TEST

/*
 * More responses than the send queue holds at once, completed one chain
 * at a time: an unsignaled tail never leaves a parked chain without the
 * completion that frees its slots.
 */
START_TEST(test_sq_parking_lazy)
{
	struct dp d;
	struct srpt_stats st;
	unsigned int rounds = 0;

	dp_init(&d, 64, 0);
	read_burst(&d, 64, 9);
	ck_assert_uint_lt(fake_sq_len(d.c), 64);
	while (fake_sq_len(d.c) && rounds++ < 1000)
		fake_complete_sends(d.c, 1, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), 64);
	ck_assert_mem_eq(d.remote, d.mem, 64 * 4096);
	app_stats(d.a, &st);
	ck_assert_uint_eq(st.post_chain_calls, 64);
	ck_assert_uint_lt(st.signaled_wrs, 64);
	expect_sq_whole(&d);
	dp_end(&d);
}
END_TEST

/*
 * One command at a time on a small channel, the send queue moving only
 * when a response waits: each unsignaled response holds a spare io until
 * it is reclaimed; the one that takes the last spare is signaled, so the
 * next response, which has to wait for a spare, gets one from that
 * completion and is not stuck.
 */
START_TEST(test_spare_wait_lazy)
{
	struct srpt_channel *ch;
	struct srpt_stats st0, st;
	struct dp d;
	uint32_t spares;

	dp_init(&d, 0, 0);
	ch = fake_conn_channel(d.c);
	spares = ch->nio - ch->tp.nrx;
	app_stats(d.a, &st0);
	for (unsigned int i = 0; i < 3 * spares; i++) {
		struct cmd_spec s = dp_read_spec(&d, 4096, 0);
		struct srpt_io *io = dp_cmd(&d, &s);

		dp_complete(io, &(struct srpt_sge){ d.mem, 4096, d.a->mr }, 1);
		/* the "hardware" only moves when a response waits */
		while (fake_sent_count(d.c) < i + 1) {
			ck_assert_uint_gt(fake_sq_len(d.c), 0);
			fake_complete_sends(d.c, 1, 0);
		}
	}
	while (fake_sq_len(d.c))
		fake_complete_sends(d.c, 1, 0);
	ck_assert_uint_eq(fake_sent_count(d.c), 3 * spares);
	app_stats(d.a, &st);
	ck_assert_uint_gt(st.rsp_waits, st0.rsp_waits);
	ck_assert_uint_lt(st.signaled_wrs - st0.signaled_wrs, 3 * spares);
	dp_end(&d);
}
END_TEST

/* ---- no callback inside the application's call ---- */

static _Thread_local int in_call;

static void cb_fetch_done(struct srpt_io *io, int status, void *arg)
{
	struct app *a = arg;

	struct srpt_io_result res = { .size = sizeof(res), .status = status ? 2 : 0,
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	if (in_call)
		fake_error(a->f, "a DATA-OUT callback ran inside the application's call");
	srpt_io_complete(io, &res);
}

static void on_cmd_flagged(struct app *a, struct srpt_channel *ch,
			   struct srpt_io *io)
{
	if (in_call)
		fake_error(a->f, "on_cmd ran inside the application's call");
	pthread_mutex_lock(&a->lock);
	if (a->nheld == a->capheld) {
		a->capheld = a->capheld ? 2 * a->capheld : 16;
		a->held = realloc(a->held, a->capheld * sizeof(*a->held));
	}
	a->held[a->nheld++] = io;
	pthread_mutex_unlock(&a->lock);
}

/*
 * DATA-OUT fetches wait for slots, then posts fail while the application
 * completes and fetches: whatever fails is finished later, on a library
 * thread (here: the test's dispatch), never inside srpt_io_complete() or
 * srpt_io_fetch_data().
 */
START_TEST(test_no_callback_inside_calls)
{
	struct dp d;
	struct srpt_buf_desc list[6][4];

	for (int fail = 1; fail <= 6; fail++) {
		struct srpt_io *io[12];

		dp_init(&d, 16, 6);
		d.a->hooks.on_cmd = on_cmd_flagged;
		for (int i = 0; i < 12; i++) {
			struct cmd_spec s;

			if (i % 2) {
				s = dp_write_spec(&d, 4096, 8192 * (uint64_t)i);
			} else {
				s = indirect_read(&d, list[i / 2], 4, 1024,
						  8192 * (uint64_t)i, 2048);
			}
			io[i] = dp_cmd(&d, &s);
		}
		fake_fail_nth(d.a->f, FAKE_OP_POST_CHAIN, (unsigned long)fail,
			      EIO);
		for (int i = 0; i < 12; i++) {
			struct srpt_sge sg = { d.mem + 8192 * i, 4096, d.a->mr };
			struct srpt_sge sgu = { d.remote + DP_REMOTE_LEN / 2 +
						8192 * i, 4096, NULL };

			in_call++;
			if (i % 2) {
				int r = srpt_io_fetch_data(io[i], i % 4 == 1 ?
							   &sg : &sgu, 1,
							   cb_fetch_done, d.a);

				if (r)	/* still ours: complete it */
					dp_complete(io[i], NULL, 0);
			} else {
				dp_complete(io[i], &sg, 1);
			}
			in_call--;
			if (i % 3 == 2)
				fake_complete_sends(d.c, 1, 0);
		}
		app_assert_clean(d.a);
		dp_end(&d);
	}
}
END_TEST

static Suite *posting_suite(void)
{
	Suite *s = suite_create("core-posting");
	TCase *tc = tcase_create("posting");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_parked_indirect_read);
	tcase_add_test(tc, test_indirect_read_burst);
	tcase_add_test(tc, test_chain_split);
	tcase_add_test(tc, test_post_failure_mid_transfer);
	tcase_add_test(tc, test_logout_takes_a_slot);
	tcase_add_test(tc, test_sq_parking);
	tcase_add_test(tc, test_sq_parking_close);
	tcase_add_test(tc, test_lazy_reclaim_by_position);
	tcase_add_test(tc, test_lazy_flush_exactly_once);
	tcase_add_test(tc, test_sq_parking_lazy);
	tcase_add_test(tc, test_spare_wait_lazy);
	tcase_add_test(tc, test_no_callback_inside_calls);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(posting_suite)
