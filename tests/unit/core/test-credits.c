/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Credits: commands beyond the initiator's credits are answered TASK SET
 * FULL, each returning its credit, no sooner than their receive buffers
 * are back; a credit a response returns can be used at once, before that
 * response's SEND completes.
 */
#include <errno.h>

#include "dp.h"

START_TEST(test_credit_overrun)
{
	/* receives the overrun can use: the spare ones, and those that
	 * spare ios let go back early */
	enum { NRX = 2 + SRPT_SPARE_RX,
	       NOVER = SRPT_SPARE_RX + SRPT_IO_SPARE(NRX) };
	struct dp d;
	struct srpt_stats st;
	struct srpt_io *io[2];
	uint64_t tags[NOVER];
	unsigned int sent0;
	uint8_t iu[128];
	int n;

	dp_init(&d, 2, 0);
	for (int i = 0; i < 2; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		io[i] = dp_cmd(&d, &s);
	}
	sent0 = fake_sent_count(d.c);
	/* the initiator has no credit left but sends more */
	for (int i = 0; i < NOVER; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		n = mk_cmd(&s, iu, sizeof(iu));
		tags[i] = s.tag;
		ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), 0);
		ck_assert_uint_eq(app_held(d.a), 0);
	}
	/* Only as many answers as spare ios went out at once: the others
	 * wait for a SEND completion, so that no credit goes back before
	 * its receive buffer. */
	ck_assert_uint_eq(fake_sent_count(d.c) - sent0, SRPT_IO_SPARE(NRX));
	/* the ring is exhausted: the hardware would send RNR NAKs */
	n = mk_cmd(&(struct cmd_spec){ .tag = 1 }, iu, sizeof(iu));
	ck_assert_int_eq(fake_deliver(d.c, iu, (uint32_t)n), -ENOBUFS);
	dp_complete_all(&d);
	/* every one answered TASK SET FULL, returning its credit */
	ck_assert_uint_eq(fake_sent_count(d.c) - sent0, NOVER);
	for (int i = 0; i < NOVER; i++) {
		struct srpt_rsp rsp;

		app_rsp_at(d.c, sent0 + (unsigned int)i, &rsp);
		ck_assert_uint_eq(rsp.tag, tags[i]);
		ck_assert_uint_eq(rsp.status, 0x28);	/* TASK SET FULL */
		ck_assert_uint_eq(rsp.req_lim_delta, 1);
	}
	app_stats(d.a, &st);
	ck_assert_uint_eq(st.credit_overruns, NOVER);
	ck_assert_uint_eq(st.rsp_waits, NOVER - SRPT_IO_SPARE(NRX));
	ck_assert_uint_eq(st.cmds, 2);
	ck_assert_uint_eq(fake_rq_len(d.c), NRX - 2);
	for (int i = 0; i < 2; i++)
		dp_complete_len(io[i], NULL, 0, 0);
	fake_complete_sends(d.c, UINT32_MAX, 0);
	ck_assert_uint_eq(fake_rq_len(d.c), NRX);
	/* credits are back: two commands reach the application again */
	for (int i = 0; i < 2; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		io[i] = dp_cmd(&d, &s);
		dp_complete_len(io[i], NULL, 0, 0);
	}
	fake_complete_sends(d.c, UINT32_MAX, 0);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(d.c)),
			 SRPT_CH_LIVE);
	dp_end(&d);
}
END_TEST

/*
 * A response returns its command's credit, so the initiator may send the
 * next command as soon as it sees the response, before the target has
 * seen that response's SEND complete. The receive buffer must be back on
 * the queue by then: here the initiator uses every credit twice over
 * while no SEND has completed, and never meets an empty receive queue
 * (which would be RNR on real hardware).
 */
START_TEST(test_credit_reuse_before_send_completion)
{
	enum { QD = 8, NRX = QD + SRPT_SPARE_RX };
	struct dp d;
	struct srpt_stats s0, s1;
	struct srpt_io *io[QD];
	unsigned int sent0, back;

	dp_init(&d, QD, 0);
	app_stats(d.a, &s0);
	for (unsigned int i = 0; i < QD; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		io[i] = dp_cmd(&d, &s);	/* asserts delivery */
	}
	sent0 = fake_sent_count(d.c);
	for (unsigned int i = 0; i < QD; i++)
		dp_complete_len(io[i], NULL, 0, 0);
	/* One response per spare io went out at once, each after its
	 * receive buffer; the rest wait for a SEND completion. */
	back = fake_sent_count(d.c) - sent0;
	ck_assert_uint_eq(back, SRPT_IO_SPARE(NRX) < QD ? SRPT_IO_SPARE(NRX) : QD);
	ck_assert_uint_ge(fake_rq_len(d.c), back);
	/* the initiator uses those credits again at once: no RNR */
	for (unsigned int i = 0; i < back; i++) {
		struct cmd_spec s = dp_read_spec(&d, 512, 0);

		io[i] = dp_cmd(&d, &s);
		dp_complete_len(io[i], NULL, 0, 0);
	}
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.credit_overruns - s0.credit_overruns, 0);
	ck_assert_uint_eq(s1.io_starved, 0);
	/* Every SEND completes: the responses that waited go out, the
	 * receive buffers come home and the ring is whole again. */
	dp_complete_all(&d);
	ck_assert_uint_eq(fake_rq_len(d.c), NRX);
	app_stats(d.a, &s1);
	ck_assert_uint_eq(s1.rsp_sent - s0.rsp_sent, QD + back);
	ck_assert_uint_eq(fake_sent_count(d.c) - sent0, QD + back);
	ck_assert_int_eq(srpt_channel_get_state(fake_conn_channel(d.c)),
			 SRPT_CH_LIVE);
	dp_end(&d);
}
END_TEST

static Suite *credits_suite(void)
{
	Suite *s = suite_create("core-credits");
	TCase *tc = tcase_create("credits");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_credit_overrun);
	tcase_add_test(tc, test_credit_reuse_before_send_completion);
	suite_add_tcase(s, tc);
	return s;
}

CORE_TEST_MAIN(credits_suite)
