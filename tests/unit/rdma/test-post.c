/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Batched posting (libsrpt/rdma/rdma-post.c) against a QP whose provider
 * is this file: what reaches ibv_post_send(), in which order, and what
 * happens when it fails. No device is needed.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "door.h"
#include "rdma/rdma-priv.h"

#define MAX_CALLS 64
#define MAX_WRS 512

/* One ibv_post_send() as the provider saw it. */
struct call {
	struct ibv_qp *qp;
	unsigned int nwr;
	uint64_t wr_id[MAX_WRS];	/* 0 for unsignaled ones */
	uint64_t any_id[MAX_WRS];	/* the id, signaled or not */
	int num_sge[MAX_WRS];
	enum ibv_wr_opcode op[MAX_WRS];
};

static struct call calls[MAX_CALLS];
static unsigned int ncalls;
static int fail_at = -1;	/* fail the next call at this WR (index) */
static int fail_err = ENOMEM;

static int fake_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
			  struct ibv_send_wr **bad)
{
	struct call *c = &calls[ncalls++];
	int i = 0;

	ck_assert_uint_lt(ncalls, MAX_CALLS);
	c->qp = qp;
	c->nwr = 0;
	for (; wr; wr = wr->next, i++) {
		if (i == fail_at) {
			fail_at = -1;
			*bad = wr;
			return fail_err;
		}
		ck_assert_uint_lt(c->nwr, MAX_WRS);
		ck_assert(wr->num_sge >= 0 && wr->num_sge <= 16);
		for (int s = 0; s < wr->num_sge; s++)
			ck_assert_uint_ne(wr->sg_list[s].length, 0);
		c->wr_id[c->nwr] = wr->send_flags & IBV_SEND_SIGNALED ?
				   wr->wr_id : 0;
		c->any_id[c->nwr] = wr->wr_id;
		c->num_sge[c->nwr] = wr->num_sge;
		c->op[c->nwr++] = wr->opcode;
	}
	return 0;
}

/* A channel on its own fake QP. */
struct fake_ch {
	struct ibv_context ctx;
	struct ibv_qp qp;
	struct rdma_cm_id id;
	struct rtp_conn rc;
	struct srpt_tp_channel ch;
};

static struct fake_ch *fake_ch_new(uint32_t qp_num)
{
	struct fake_ch *f = calloc(1, sizeof(*f));

	ck_assert_ptr_nonnull(f);
	f->ctx.ops.post_send = fake_post_send;
	f->qp.context = &f->ctx;
	f->qp.qp_num = qp_num;
	f->id.qp = &f->qp;
	f->rc.id = &f->id;
	f->rc.max_sge = 16;
	f->rc.max_sge_rd = 16;
	f->rc.max_msg = 1u << 30;
	f->rc.max_inline = 64;
	f->ch.conn = &f->rc;
	f->ch.qp_num = qp_num;
	pthread_mutex_init(&f->ch.post_lock, NULL);
	ck_assert_int_eq(rtp_pend_alloc(&f->ch), 0);
	return f;
}

static void fake_ch_free(struct fake_ch *f)
{
	/* Every reference a batch took was given back. */
	ck_assert_int_eq(door_holds(&f->ch), 0);
	rtp_pend_free(&f->ch);
	pthread_mutex_destroy(&f->ch.post_lock);
	free(f);
}

static uint8_t local[1 << 16];

/* A 4 KiB read: one RDMA WRITE, then the response SEND (signaled
 * unless @unsignaled). */
static int post_read_sig(struct fake_ch *f, uint64_t wr_id, bool unsignaled)
{
	struct srpt_tp_sge s[2] = {
		{ .addr = (uintptr_t)local, .len = 4096, .lkey = 3 },
		{ .addr = (uintptr_t)local, .len = 36, .lkey = 3 },
	};
	struct srpt_tp_wr w[2] = {
		{ .op = SRPT_TP_WRITE, .nsge = 1, .sge = &s[0],
		  .raddr = 0x1000, .rkey = 7 },
		{ .op = SRPT_TP_SEND, .nsge = 1, .sge = &s[1] },
	};
	struct srpt_tp_chain c = { .wr = w, .nwr = 2, .wr_id = wr_id,
				   .unsignaled = unsignaled };
	int ret;

	pthread_mutex_lock(&f->ch.post_lock);
	ret = rtp_post_chain(&f->ch, &c);
	pthread_mutex_unlock(&f->ch.post_lock);
	return ret;
}

static int post_read(struct fake_ch *f, uint64_t wr_id)
{
	return post_read_sig(f, wr_id, false);
}

/* What the core does at a close, under the post lock. */
static void close_flush(struct fake_ch *f)
{
	pthread_mutex_lock(&f->ch.post_lock);
	rtp_pend_flush(&f->ch);
	pthread_mutex_unlock(&f->ch.post_lock);
}

static int post_drain(struct fake_ch *f, uint64_t wr_id)
{
	int r;

	pthread_mutex_lock(&f->ch.post_lock);
	r = rtp_post_drain(&f->ch, wr_id);
	pthread_mutex_unlock(&f->ch.post_lock);
	return r;
}

static struct srpt_tp_channel *failed_ch[MAX_WRS];
static uint64_t failed_id[MAX_WRS];
static unsigned int nfailed;

static void record_failed(struct srpt_tp_channel *ch, uint32_t qp_num,
			  uint64_t wr_id)
{
	ck_assert_uint_eq(ch->qp_num, qp_num);
	failed_ch[nfailed] = ch;
	failed_id[nfailed++] = wr_id;
}

static struct rtp_batch batch = { .failed = record_failed };

static void setup(void)
{
	ncalls = 0;
	nfailed = 0;
	fail_at = -1;
	fail_err = ENOMEM;
}

/* Outside a completion thread nothing waits: one call per chain. */
START_TEST(test_unbatched_posts_at_once)
{
	struct fake_ch *a = fake_ch_new(10);

	ck_assert_int_eq(post_read(a, 101), 0);
	ck_assert_uint_eq(ncalls, 1);
	ck_assert_uint_eq(calls[0].nwr, 2);
	ck_assert_int_eq(calls[0].op[0], IBV_WR_RDMA_WRITE);
	ck_assert_uint_eq(calls[0].wr_id[0], 0);
	ck_assert_int_eq(calls[0].op[1], IBV_WR_SEND);
	ck_assert_uint_eq(calls[0].wr_id[1], 101);
	ck_assert_int_eq(post_read(a, 102), 0);
	ck_assert_uint_eq(ncalls, 2);
	fake_ch_free(a);
}
END_TEST

/* In a batch: nothing until the flush, then one call per channel with
 * its chains in the order they were posted. */
START_TEST(test_batch_one_call_per_channel)
{
	struct fake_ch *a = fake_ch_new(10), *b = fake_ch_new(11);

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 1), 0);
	ck_assert_int_eq(post_read(b, 2), 0);
	ck_assert_int_eq(post_read(a, 3), 0);
	ck_assert_int_eq(post_read(a, 5), 0);
	ck_assert_int_eq(post_read(b, 4), 0);
	ck_assert_uint_eq(ncalls, 0);
	ck_assert_int_eq(door_holds(&a->ch), 1);
	rtp_batch_flush();
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_ptr_eq(calls[0].qp, &a->qp);
	ck_assert_uint_eq(calls[0].nwr, 6);
	ck_assert_uint_eq(calls[0].wr_id[1], 1);
	ck_assert_uint_eq(calls[0].wr_id[3], 3);
	ck_assert_uint_eq(calls[0].wr_id[5], 5);
	for (int i = 0; i < 6; i += 2) {
		ck_assert_int_eq(calls[0].op[i], IBV_WR_RDMA_WRITE);
		ck_assert_uint_eq(calls[0].wr_id[i], 0);
	}
	ck_assert_ptr_eq(calls[1].qp, &b->qp);
	ck_assert_uint_eq(calls[1].nwr, 4);
	ck_assert_uint_eq(calls[1].wr_id[1], 2);
	ck_assert_uint_eq(calls[1].wr_id[3], 4);
	/* A second flush has nothing left to post. */
	rtp_batch_flush();
	ck_assert_uint_eq(ncalls, 2);
	rtp_batch_end();
	ck_assert_int_eq(post_read(a, 6), 0);
	ck_assert_uint_eq(ncalls, 3);
	fake_ch_free(a);
	fake_ch_free(b);
}
END_TEST

/* The drain write goes out after what waits, never before it. */
START_TEST(test_drain_posts_waiting_chains_first)
{
	struct fake_ch *a = fake_ch_new(10);

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 1), 0);
	ck_assert_int_eq(post_read(a, 2), 0);
	ck_assert_int_eq(post_drain(a, 99), 0);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[0].nwr, 4);
	ck_assert_uint_eq(calls[0].wr_id[3], 2);
	ck_assert_uint_eq(calls[1].nwr, 1);
	ck_assert_uint_eq(calls[1].wr_id[0], 99);
	rtp_batch_end();
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(nfailed, 0);
	fake_ch_free(a);
}
END_TEST

/* If what waits cannot go out at the drain, the drain is not posted
 * either (the core's drain timeout then finishes those ios). */
START_TEST(test_drain_not_posted_after_failure)
{
	struct fake_ch *a = fake_ch_new(10);

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 1), 0);
	fail_at = 0;
	ck_assert_int_eq(post_drain(a, 99), -EIO);
	ck_assert_uint_eq(ncalls, 1);
	rtp_batch_end();
	ck_assert_uint_eq(ncalls, 1);
	fake_ch_free(a);
}
END_TEST

/* Before the QP leaves RTS (QP to error, disconnect) what waits goes
 * out, so a T_LOGOUT posted just before a close still reaches the
 * initiator; if it cannot, the drain is not posted later. */
START_TEST(test_close_flushes_waiting_chains)
{
	struct fake_ch *a = fake_ch_new(10), *b = fake_ch_new(11);

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 1), 0);
	ck_assert_int_eq(post_read(b, 2), 0);
	close_flush(a);
	ck_assert_uint_eq(ncalls, 1);
	ck_assert_uint_eq(calls[0].wr_id[1], 1);
	fail_at = 0;
	close_flush(b);
	ck_assert_int_eq(post_drain(b, 99), -EIO);
	ck_assert_uint_eq(ncalls, 2);
	rtp_batch_end();
	ck_assert_uint_eq(ncalls, 2);
	fake_ch_free(a);
	fake_ch_free(b);
}
END_TEST

/* A flush that fails part-way: each chain whose signaled work request
 * did not go out is reported once, those before it are not. */
START_TEST(test_flush_failure_reports_unposted_chains)
{
	struct fake_ch *a = fake_ch_new(10), *b = fake_ch_new(11);

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 1), 0);
	ck_assert_int_eq(post_read(a, 2), 0);
	ck_assert_int_eq(post_read(a, 3), 0);
	ck_assert_int_eq(post_read(b, 4), 0);
	/* The second chain's SEND fails: chain 1 went out, 2 and 3 not. */
	fail_at = 3;
	rtp_batch_end();
	ck_assert_uint_eq(nfailed, 2);
	ck_assert_ptr_eq(failed_ch[0], &a->ch);
	ck_assert_uint_eq(failed_id[0], 2);
	ck_assert_uint_eq(failed_id[1], 3);
	/* The other channel is not affected. */
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_ptr_eq(calls[1].qp, &b->qp);
	ck_assert_uint_eq(calls[1].wr_id[1], 4);
	fake_ch_free(a);
	fake_ch_free(b);
}
END_TEST

/* More than a channel can hold: the chain that does not fit is posted
 * at once, but after what waits: the send queue keeps the order of the
 * post calls, which the core's reclaim of unsignaled responses relies
 * on. */
START_TEST(test_full_channel_posts_directly)
{
	struct fake_ch *a = fake_ch_new(10);
	unsigned int i, held = RTP_PEND_WR / 2;

	rtp_batch_begin(&batch);
	for (i = 0; i < held; i++)
		ck_assert_int_eq(post_read(a, 1 + i), 0);
	ck_assert_uint_eq(ncalls, 0);
	ck_assert_int_eq(post_read(a, 1000), 0);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[0].nwr, 2 * held);
	ck_assert_uint_eq(calls[0].wr_id[1], 1);
	ck_assert_uint_eq(calls[0].wr_id[2 * held - 1], held);
	ck_assert_uint_eq(calls[1].nwr, 2);
	ck_assert_uint_eq(calls[1].wr_id[1], 1000);
	rtp_batch_end();
	ck_assert_uint_eq(ncalls, 2);
	fake_ch_free(a);
}
END_TEST

static void *post_5(void *arg)
{
	return (void *)(intptr_t)post_read(arg, 5);
}

/* An application thread (no batch of its own) posting while a
 * completion thread holds chains of the channel: those go first. */
START_TEST(test_direct_post_keeps_order)
{
	struct fake_ch *a = fake_ch_new(10);
	pthread_t th;
	void *ret;

	rtp_batch_begin(&batch);
	ck_assert_int_eq(post_read(a, 3), 0);
	ck_assert_int_eq(post_read(a, 4), 0);
	ck_assert_uint_eq(ncalls, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, post_5, a), 0);
	ck_assert_int_eq(pthread_join(th, &ret), 0);
	ck_assert_int_eq((int)(intptr_t)ret, 0);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[0].nwr, 4);
	ck_assert_uint_eq(calls[0].wr_id[1], 3);
	ck_assert_uint_eq(calls[0].wr_id[3], 4);
	ck_assert_uint_eq(calls[1].wr_id[1], 5);
	rtp_batch_end();	/* nothing left to post */
	ck_assert_uint_eq(ncalls, 2);
	fake_ch_free(a);
}
END_TEST

/* An unsignaled chain: its last work request carries the id (a failure
 * or flush completes it with that id) but asks for no completion; a
 * fence is a signaled zero-length RDMA WRITE without pieces. */
START_TEST(test_unsignaled_chain_and_fence)
{
	struct fake_ch *a = fake_ch_new(10);
	static const struct srpt_tp_wr fence = { .op = SRPT_TP_WRITE };
	struct srpt_tp_chain fc = { .wr = &fence, .nwr = 1, .wr_id = 77 };

	ck_assert_int_eq(post_read_sig(a, 5, true), 0);
	ck_assert_uint_eq(ncalls, 1);
	ck_assert_uint_eq(calls[0].nwr, 2);
	ck_assert_uint_eq(calls[0].op[1], IBV_WR_SEND);
	ck_assert_uint_eq(calls[0].wr_id[1], 0);	/* not signaled */
	ck_assert_uint_eq(calls[0].any_id[1], 5);	/* but named */
	ck_assert_uint_eq(calls[0].any_id[0], 0);
	pthread_mutex_lock(&a->ch.post_lock);
	ck_assert_int_eq(rtp_post_chain(&a->ch, &fc), 0);
	pthread_mutex_unlock(&a->ch.post_lock);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[1].nwr, 1);
	ck_assert_uint_eq(calls[1].op[0], IBV_WR_RDMA_WRITE);
	ck_assert_int_eq(calls[1].num_sge[0], 0);
	ck_assert_uint_eq(calls[1].wr_id[0], 77);	/* signaled */
	fake_ch_free(a);
}
END_TEST

/* More channels than a batch tracks: the rest post at once. */
START_TEST(test_many_channels)
{
	struct fake_ch *f[RTP_BATCH_CH + 2];
	unsigned int i;

	for (i = 0; i < RTP_BATCH_CH + 2; i++)
		f[i] = fake_ch_new(100 + i);
	rtp_batch_begin(&batch);
	for (i = 0; i < RTP_BATCH_CH + 2; i++)
		ck_assert_int_eq(post_read(f[i], 1 + i), 0);
	ck_assert_uint_eq(ncalls, 2);
	rtp_batch_end();
	ck_assert_uint_eq(ncalls, RTP_BATCH_CH + 2);
	for (i = 0; i < RTP_BATCH_CH + 2; i++)
		fake_ch_free(f[i]);
}
END_TEST

static Suite *post_suite(void)
{
	Suite *s = suite_create("rdma-post");
	TCase *tc = tcase_create("batch");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_unbatched_posts_at_once);
	tcase_add_test(tc, test_batch_one_call_per_channel);
	tcase_add_test(tc, test_drain_posts_waiting_chains_first);
	tcase_add_test(tc, test_drain_not_posted_after_failure);
	tcase_add_test(tc, test_close_flushes_waiting_chains);
	tcase_add_test(tc, test_flush_failure_reports_unposted_chains);
	tcase_add_test(tc, test_full_channel_posts_directly);
	tcase_add_test(tc, test_direct_post_keeps_order);
	tcase_add_test(tc, test_unsignaled_chain_and_fence);
	tcase_add_test(tc, test_many_channels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(post_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
