/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Flow control, task management and the ways an initiator can vanish:
 * credit overruns, TMs on unknown tags, functions and LUNs, a disconnect
 * or SIGKILL with I/O outstanding, a QP moved to error without a DREQ,
 * an IU before the RTU, and a login abandoned before its RTU.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

#define LBA_MID		20480u	/* 2 MiB of the data LUN */
#define LBA_KILL	24576u

/* Sends @n TEST UNIT READYs back to back; every one must be answered. */
static int case_credit_overrun(const void *arg)
{
	unsigned int extra = (unsigned int)(uintptr_t)arg;
	uint8_t iu[W_CMD_LEN], cdb[16], raw[HC_RX_SLOT], *seen = NULL;
	struct hconn_cfg cfg;
	struct w_login l;
	struct hconn c;
	struct w_rsp r;
	uint64_t base = 0, delta = 0;
	unsigned int n, good = 0, full = 0, got = 0;
	int fail = 0;

	login_default(&l);
	cfg_default(&cfg);
	/* Credits are not known before the login: size for the default. */
	cfg.nrx = 320;
	cfg.ntx = 300;
	if (sess_open(&c, &l, &cfg)) {
		hc_close(&c);
		return 1;
	}
	n = extra == 0 ? c.credits + 3 : 2 * c.credits + 8;
	if (n > cfg.ntx || n > cfg.nrx) {
		hc_close(&c);
		return failf("the target granted %u credits, more than this case can send",
			     c.credits);
	}
	seen = calloc(n, 1);
	if (!seen) {
		hc_close(&c);
		return failf("out of memory");
	}
	cdb_tur(cdb);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t tag = new_tag();

		if (!i)
			base = tag;
		w_cmd_hdr(iu, tag, G.data_lun, 0, 0, 0, 0, cdb, 16);
		if (hc_send(&c, iu, sizeof(iu))) {
			fail = failf("could not post SEND %u", i);
			break;
		}
	}
	while (!fail && got < n) {
		int len = hc_recv(&c, raw, sizeof(raw), G.timeout_ms);
		uint64_t k;

		if (len < 0) {
			fail = failf("expected %u answers, got %u, then %s", n,
				     got, len == -ETIMEDOUT ? "nothing" :
				     "a disconnect");
			break;
		}
		w_rsp_parse(raw, (uint32_t)len, &r);
		k = r.tag - base;
		if (r.op != W_RSP || k >= n || seen[k]) {
			fail = failf("expected SRP_RSP for one of the %u tags, got %s tag 0x%016llx%s",
				     n, w_op_name(r.op),
				     (unsigned long long)r.tag,
				     k < n && seen[k] ? " (twice)" : "");
			break;
		}
		seen[k] = 1;
		got++;
		delta += r.delta;
		if (r.status == S_GOOD)
			good++;
		else if (r.status == S_TASK_SET_FULL)
			full++;
		else
			fail = failf("expected GOOD or TASK SET FULL, got status 0x%02x",
				     r.status);
	}
	if (!fail && delta != n)
		fail = failf("expected the responses to return %u credits, they returned %llu",
			     n, (unsigned long long)delta);
	if (!fail) {
		notef("%u commands on %u credits: %u GOOD, %u TASK SET FULL",
		      n, c.credits, good, full);
		fail = expect_alive(&c, "the credit overrun");
	}
	free(seen);
	hc_close(&c);
	return fail;
}

struct tm_case {
	unsigned int lun;
	uint8_t func;
	uint8_t code;		/* the response code expected */
};

static int case_tm(const void *arg)
{
	const struct tm_case *tc = arg;
	uint8_t iu[W_TSK_MGMT_LEN];
	struct hconn c;
	struct w_rsp r;
	uint64_t tag = new_tag();
	int fail, rc;

	if (sess_open(&c, NULL, NULL)) {
		hc_close(&c);
		return 1;
	}
	w_tsk_mgmt(iu, tag, tc->lun == 0xffff ? G.data_lun : tc->lun, tc->func,
		   0x0badc0de0badc0deull);
	rc = roundtrip(&c, iu, sizeof(iu), &r, NULL);
	if (rc)
		fail = failf("expected a task management response, got %s",
			     rc == -ETIMEDOUT ? "no answer" : "a disconnect");
	else if (r.op != W_RSP || r.malformed || r.tag != tag)
		fail = failf("expected SRP_RSP for tag 0x%016llx, got %s tag 0x%016llx",
			     (unsigned long long)tag, w_op_name(r.op),
			     (unsigned long long)r.tag);
	else if (!(r.flags & W_RSPVALID) || r.resp_len < 4)
		fail = failf("expected RSPVALID with 4 bytes of response data, got flags 0x%02x resp_data_len %u",
			     r.flags, r.resp_len);
	else if (r.resp[3] != tc->code)
		fail = failf("expected response code %u, got %u", tc->code,
			     r.resp[3]);
	else if (r.delta < 1)
		fail = failf("expected req_lim_delta >= 1, got 0");
	else
		fail = expect_alive(&c, "the task management function");
	hc_close(&c);
	return fail;
}

/*
 * Task management of commands in flight: four 2 MiB READs (or WRITEs),
 * and right behind them an ABORT TASK of the last one (or a LUN RESET).
 * An aborted command may end with its response (before the TM's) or
 * without one, but every IU's credit must come back exactly once: the
 * deltas of all responses, up to and including a TEST UNIT READY sent
 * after the TM's answer, must add up to the IUs sent.
 */
static int case_tm_inflight(const void *arg)
{
	int mode = *(const int *)arg;	/* 0 ABORT TASK, 1 LUN RESET,
					 * 2 ABORT TASK of a command whose
					 * descriptor table is being read,
					 * 3 ABORT TASK of a 2 MiB WRITE */
	int reset = mode == 1;
	unsigned int nreads = 4, rsps = 0;
	uint8_t iu[W_CMD_LEN + W_INDIRECT_HDR_LEN + W_DIRECT_LEN], cdb[16];
	uint8_t raw[HC_RX_SLOT];
	uint64_t tags[4], tm_tag = new_tag(), tur_tag = new_tag(), delta = 0;
	struct hconn c;
	struct hbuf b;
	struct w_rsp r;
	int fail = 0, tm_done = 0, tur_done = 0;

	if (sess_open(&c, NULL, NULL)) {
		hc_close(&c);
		return 1;
	}
	if (hb_alloc(&c, &b, 2u << 20, 0)) {
		hc_close(&c);
		return failf("cannot register a buffer");
	}
	for (unsigned int i = 0; i < nreads && !fail; i++) {
		uint32_t len = W_CMD_LEN + W_DIRECT_LEN;

		tags[i] = new_tag();
		cdb_rw10(cdb, 0, LBA_MID, 4096);
		if (mode == 2) {
			/* 2 x 1 MiB, one inline, the table of 2 at the end
			 * of the buffer */
			uint8_t *t = b.p + (2u << 20) - 64;
			uint64_t va = (uintptr_t)b.p;

			w_direct(t, va, b.mr->rkey, 1u << 20);
			w_direct(t + 16, va + (1u << 20), b.mr->rkey,
				 (1u << 20) - 64);
			cdb_rw10(cdb, 0, LBA_MID, 4095);
			w_cmd_hdr(iu, tags[i], G.data_lun, W_FMT_INDIRECT, 0, 1,
				  0, cdb, 16);
			w_direct(iu + W_CMD_LEN, (uintptr_t)t, b.mr->rkey, 32);
			w32(iu + W_CMD_LEN + 16, (2u << 20) - 64);
			w_direct(iu + W_CMD_LEN + 20, va, b.mr->rkey, 1u << 20);
			len = W_CMD_LEN + W_INDIRECT_HDR_LEN + W_DIRECT_LEN;
		} else {
			cdb_rw10(cdb, mode == 3, LBA_MID, 4096);
			w_cmd_hdr(iu, tags[i], G.data_lun, mode == 3 ?
				  W_FMT_DIRECT << 4 : W_FMT_DIRECT, 0, 0, 0,
				  cdb, 16);
			w_direct(iu + W_CMD_LEN, (uintptr_t)b.p, b.mr->rkey,
				 2u << 20);
		}
		if (hc_send(&c, iu, len))
			fail = failf("could not post READ %u", i);
	}
	/* The last command waits behind the others on the target's send
	 * queue: it is surely still in flight when the TM arrives. */
	w_tsk_mgmt(iu, tm_tag, G.data_lun,
		   reset ? W_TM_LUN_RESET : W_TM_ABORT_TASK, tags[nreads - 1]);
	if (!fail && hc_send(&c, iu, W_TSK_MGMT_LEN))
		fail = failf("could not post the task management IU");
	while (!fail && !tur_done) {
		int n = hc_recv(&c, raw, sizeof(raw), G.timeout_ms);

		if (n < 0) {
			fail = failf("expected answers to the READs, the TM and a TEST UNIT READY, got %s after %u",
				     n == -ETIMEDOUT ? "nothing more" : "a disconnect",
				     rsps);
			break;
		}
		w_rsp_parse(raw, (uint32_t)n, &r);
		if (r.op != W_RSP) {
			fail = failf("expected SRP_RSP, got %s", w_op_name(r.op));
			break;
		}
		rsps++;
		delta += r.delta;
		if (r.tag == tm_tag) {
			if (!(r.flags & W_RSPVALID) || r.resp_len < 4 ||
			    r.resp[3] != W_TM_COMPLETE) {
				fail = failf("expected the TM answered with FUNCTION COMPLETE, got flags 0x%02x code %d",
					     r.flags, r.resp && r.resp_len >= 4 ?
					     r.resp[3] : -1);
				break;
			}
			tm_done = 1;
			/* Everything before it is answered or dropped. */
			cdb_tur(cdb);
			w_cmd_hdr(iu, tur_tag, G.data_lun, 0, 0, 0, 0, cdb, 16);
			if (hc_send(&c, iu, W_CMD_LEN))
				fail = failf("could not post TEST UNIT READY");
		} else if (r.tag == tur_tag) {
			if (!tm_done || r.status != S_GOOD)
				fail = failf("TEST UNIT READY: status 0x%02x", r.status);
			tur_done = 1;
		} else {
			unsigned int k;

			for (k = 0; k < nreads && r.tag != tags[k]; k++)
				;
			if (k == nreads)
				fail = failf("an answer for tag 0x%016llx, never sent",
					     (unsigned long long)r.tag);
			else if (tm_done && (reset || k == nreads - 1))
				fail = failf("command %u answered after the TM that aborted it (the TM was answered FUNCTION COMPLETE first)",
					     k);
		}
	}
	if (!fail && delta != nreads + 2)
		fail = failf("expected the responses to return %u credits (one per IU), they returned %llu; %u of the %u commands were answered before the TM",
			     nreads + 2, (unsigned long long)delta, rsps - 2,
			     nreads);
	if (!fail)
		notef("%u of %u commands answered before the TM", rsps - 2,
		      nreads);
	hb_free(&b);
	hc_close(&c);
	return fail;
}

/*
 * Queue a burst of 64 KiB READs and WRITEs without waiting; every third
 * one with its descriptor table left in our memory (one of two
 * descriptors inline), so the target has table reads in flight too.
 * @b: 33 x 64 KiB, the last 64 KiB for the tables.
 */
#define BURST_BUF (33u * 65536)

static int burst(struct hconn *c, const struct hbuf *b, unsigned int n,
		 uint32_t lba)
{
	uint8_t iu[W_CMD_LEN + W_INDIRECT_HDR_LEN + W_DIRECT_LEN], cdb[16];

	for (unsigned int i = 0; i < n; i++) {
		int write = i & 1;
		size_t off = (size_t)(i % 32) * 65536;
		uint64_t va = (uintptr_t)(b->p + off);
		uint32_t len = W_CMD_LEN + W_DIRECT_LEN;

		cdb_rw10(cdb, write, lba + (i % 32) * 128, 128);
		if (i % 3 == 2) {
			uint8_t *t = b->p + 32u * 65536 + (i % 32) * 32;

			w_direct(t, va, b->mr->rkey, 32768);
			w_direct(t + 16, va + 32768, b->mr->rkey, 32768);
			w_cmd_hdr(iu, new_tag(), G.data_lun, write ?
				  W_FMT_INDIRECT << 4 : W_FMT_INDIRECT,
				  write ? 1 : 0, write ? 0 : 1, 0, cdb, 16);
			w_direct(iu + W_CMD_LEN, (uintptr_t)t, b->mr->rkey, 32);
			w32(iu + W_CMD_LEN + 16, 65536);
			w_direct(iu + W_CMD_LEN + 20, va, b->mr->rkey, 32768);
			len = sizeof(iu);
		} else {
			w_cmd_hdr(iu, new_tag(), G.data_lun, write ?
				  W_FMT_DIRECT << 4 : W_FMT_DIRECT, 0, 0, 0,
				  cdb, 16);
			w_direct(iu + W_CMD_LEN, va, b->mr->rkey, 65536);
		}
		if (hc_send(c, iu, len))
			return -1;
	}
	return 0;
}

static int case_disconnect_mid_io(const void *arg)
{
	struct hconn_cfg cfg;
	struct hconn c;
	struct hbuf b;
	int fail = 0;

	cfg_default(&cfg);
	cfg.ntx = 64;
	if (sess_open(&c, NULL, &cfg)) {
		hc_close(&c);
		return 1;
	}
	if (hb_alloc(&c, &b, BURST_BUF, 0x3c)) {
		hc_close(&c);
		return failf("cannot register a buffer");
	}
	if (burst(&c, &b, 48, LBA_MID))
		fail = failf("could not post the burst");
	/* Away with everything, answers or not. */
	rdma_disconnect(c.id);
	hb_free(&b);
	hc_close(&c);
	return fail;
}

/* A child process with I/O in flight, killed. */
static int case_kill_mid_io(const void *arg)
{
	int pfd[2], st;
	char fdarg[16], ok;
	pid_t pid;

	if (pipe(pfd))
		return failf("pipe: %s", strerror(errno));
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	pid = fork();
	if (pid < 0)
		return failf("fork: %s", strerror(errno));
	if (pid == 0) {
		char dest[64], idx[20], guid[20], lun[8];

		close(pfd[0]);
		snprintf(dest, sizeof(dest), "%s:%u", inet_ntoa(G.dest.sin_addr),
			 ntohs(G.dest.sin_port));
		snprintf(idx, sizeof(idx), "%016llx", (unsigned long long)G.id_ext);
		snprintf(guid, sizeof(guid), "%016llx", (unsigned long long)G.ioc_guid);
		snprintf(lun, sizeof(lun), "%u", G.data_lun);
		execl(G.self, G.self, "--dest", dest, "--id-ext", idx,
		      "--ioc-guid", guid, "--data-lun", lun, "--child-io",
		      fdarg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* The child says when its I/O is flowing. */
	{
		struct timeval tv = { .tv_sec = G.gone_ms / 1000 };
		fd_set rs;

		FD_ZERO(&rs);
		FD_SET(pfd[0], &rs);
		if (select(pfd[0] + 1, &rs, NULL, NULL, &tv) <= 0 ||
		    read(pfd[0], &ok, 1) != 1) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(pfd[0]);
			return failf("the child never got its I/O going");
		}
	}
	usleep(20000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[0]);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return failf("the child ended before the kill (status 0x%x)", st);
	return 0;
}

int child_io_main(int ready_fd)
{
	uint8_t raw[HC_RX_SLOT];
	struct hconn_cfg cfg;
	struct w_login l;
	struct hconn c;
	struct hbuf b;
	unsigned int done = 0;

	cfg_default(&cfg);
	cfg.ntx = 64;
	login_default(&l);
	if (hc_connect(&c, &l, &cfg) != HC_ACCEPTED)
		return 2;
	if (hb_alloc(&c, &b, BURST_BUF, 0x5a))
		return 2;
	if (burst(&c, &b, 32, LBA_KILL))
		return 2;
	for (;;) {
		int n = hc_recv(&c, raw, sizeof(raw), 10000);

		if (n < 0)
			return 2;
		if (++done == 32 && write(ready_fd, "R", 1) != 1)
			return 2;
		if (burst(&c, &b, 1, LBA_KILL + (done % 32) * 128))
			return 2;
	}
}

/*
 * The QP goes to error under outstanding I/O, without a DREQ: 16 READs
 * of 2 MiB, and the QP errored as soon as the first answer is in, so the
 * target still has RDMA WRITEs to us in flight. They can no longer be
 * acknowledged: the target must notice (retries exhausted) and end the
 * channel on its own. The login asks for 1 transport retry: soft-RoCE
 * retries forever when asked for 7 (what Linux asks for), and the target
 * would then never learn of it.
 */
static int case_qp_error(const void *arg)
{
	uint8_t raw[HC_RX_SLOT], iu[W_CMD_LEN + W_DIRECT_LEN], cdb[16];
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	struct hconn_cfg cfg;
	struct hconn c;
	struct hbuf b;
	int64_t t0;
	int n, fail = 0;

	cfg_default(&cfg);
	cfg.retry_count = 1;
	if (sess_open(&c, NULL, &cfg)) {
		hc_close(&c);
		return 1;
	}
	if (hb_alloc(&c, &b, 2u << 20, 0x3c)) {
		hc_close(&c);
		return failf("cannot register a buffer");
	}
	for (int i = 0; i < 16 && !fail; i++) {
		cdb_rw10(cdb, 0, LBA_MID, 4096);
		w_cmd_hdr(iu, new_tag(), G.data_lun, W_FMT_DIRECT, 0, 0, 0,
			  cdb, 16);
		w_direct(iu + W_CMD_LEN, (uintptr_t)b.p, b.mr->rkey, 2u << 20);
		if (hc_send(&c, iu, sizeof(iu)))
			fail = failf("could not post READ %d", i);
	}
	n = fail ? 0 : hc_recv(&c, raw, sizeof(raw), G.timeout_ms);
	if (!fail && ibv_modify_qp(c.qp, &a, IBV_QP_STATE))
		fail = failf("ibv_modify_qp(ERR): %s", strerror(errno));
	if (!fail && n < 0)
		fail = failf("no answer to the first READ before the QP error");
	t0 = now_ms();
	/* Our own flushes do not count: only the target's disconnect. */
	while (!fail && !c.disconnected && now_ms() - t0 < G.gone_ms) {
		hc_wait_gone(&c, 200);
		c.wc_status = 0;
	}
	if (!fail) {
		if (c.disconnected)
			notef("the target disconnected %lld ms after the QP error",
			      (long long)(now_ms() - t0));
		else
			fail = failf("expected the target to end the channel after its RDMA WRITEs to an errored QP failed, no disconnect within %d ms",
				     G.gone_ms);
	}
	hb_free(&b);
	hc_close(&c);
	return fail;
}

/* An IU that arrives before the RTU: it is the establishment. */
static int case_iu_before_rtu(const void *arg)
{
	struct hconn_cfg cfg;
	struct hconn c;
	struct w_login l;
	int r, fail;

	login_default(&l);
	cfg_default(&cfg);
	cfg.mode = HC_OWN_QP;
	r = hc_connect(&c, &l, &cfg);
	if (r != HC_ACCEPTED) {
		hc_close(&c);
		return failf("expected the login accepted, got %d", r);
	}
	if (c.cm_event != RDMA_CM_EVENT_CONNECT_RESPONSE) {
		hc_close(&c);
		return failf("expected CONNECT_RESPONSE for a QP of our own, got %s",
			     rdma_event_str(c.cm_event));
	}
	if (hc_own_qp_rts(&c)) {
		hc_close(&c);
		return failf("cannot move our QP to RTS");
	}
	fail = expect_alive(&c, "an IU sent before the RTU");
	if (!fail && hc_establish(&c))
		fail = failf("rdma_establish: %s", strerror(errno));
	if (!fail)
		fail = expect_alive(&c, "the late RTU");
	hc_close(&c);
	return fail;
}

/* Accepted, then abandoned before the RTU: the kernel CM sends a REJ. */
static int case_no_rtu(const void *arg)
{
	struct hconn_cfg cfg;
	struct hconn c;
	struct w_login l;
	int r;

	login_default(&l);
	cfg_default(&cfg);
	cfg.mode = HC_OWN_QP;
	r = hc_connect(&c, &l, &cfg);
	hc_close(&c);
	if (r != HC_ACCEPTED)
		return failf("expected the login accepted, got %d", r);
	return 0;
}

#define TM(n, lun, func, code, w) { n, case_tm, \
	&(const struct tm_case){ lun, func, code }, w }

const struct hcase flow_cases[] = {
	{ "flow-credit-overrun", case_credit_overrun, (const void *)0,
	  "credits + 3 SRP_CMDs back to back -> all answered (GOOD or TASK SET FULL), credits balance" },
	{ "flow-credit-overrun-2x", case_credit_overrun, (const void *)1,
	  "2 x credits + 8 SRP_CMDs back to back -> all answered, none dropped" },
	TM("tm-abort-unknown-tag", 0xffff, W_TM_ABORT_TASK, W_TM_COMPLETE,
	   "ABORT TASK of a tag never used -> FUNCTION COMPLETE (0)"),
	TM("tm-unknown-func", 0xffff, 0x77, W_TM_NOT_SUPP,
	   "task management function 0x77 -> FUNCTION NOT SUPPORTED (4)"),
	TM("tm-clear-aca", 0xffff, 0x40, W_TM_NOT_SUPP,
	   "CLEAR ACA (never established) -> FUNCTION NOT SUPPORTED (4)"),
	TM("tm-lun-reset", 0xffff, W_TM_LUN_RESET, W_TM_COMPLETE,
	   "LUN RESET of the data LUN -> FUNCTION COMPLETE (0)"),
	TM("tm-unknown-lun-abort", 200, W_TM_ABORT_TASK_SET, W_TM_INCORRECT_LUN,
	   "ABORT TASK SET on LUN 200 (not served) -> INCORRECT LOGICAL UNIT NUMBER (9)"),
	TM("tm-unknown-lun-reset", 200, W_TM_LUN_RESET, W_TM_INCORRECT_LUN,
	   "LUN RESET on LUN 200 (not served) -> INCORRECT LOGICAL UNIT NUMBER (9)"),
	TM("tm-unknown-lun-abort-task", 200, W_TM_ABORT_TASK, W_TM_INCORRECT_LUN,
	   "ABORT TASK on LUN 200 (not served) -> INCORRECT LOGICAL UNIT NUMBER (9)"),
	{ "tm-abort-inflight", case_tm_inflight, &(const int){ 0 },
	  "ABORT TASK of the last of 4 x 2 MiB READs -> FUNCTION COMPLETE, each credit returned once" },
	{ "tm-lun-reset-inflight", case_tm_inflight, &(const int){ 1 },
	  "LUN RESET behind 4 x 2 MiB READs -> FUNCTION COMPLETE, each credit returned once" },
	{ "tm-abort-write-inflight", case_tm_inflight, &(const int){ 3 },
	  "ABORT TASK of the last of 4 x 2 MiB WRITEs -> FUNCTION COMPLETE, each credit returned once" },
	{ "tm-abort-ext-table", case_tm_inflight, &(const int){ 2 },
	  "ABORT TASK of a READ whose descriptor table is still being read -> no answer after the TM's" },
	{ "flow-disconnect-mid-io", case_disconnect_mid_io, NULL,
	  "48 x 64 KiB READ/WRITE queued, then disconnect and destroy at once" },
	{ "flow-kill-mid-io", case_kill_mid_io, NULL,
	  "a child process with I/O in flight is SIGKILLed" },
	{ "flow-qp-error", case_qp_error, NULL,
	  "QP moved to ERR under 16 x 2 MiB READs, no DREQ -> the target disconnects" },
	{ "flow-iu-before-rtu", case_iu_before_rtu, NULL,
	  "a command sent before the RTU -> answered; the late RTU is harmless" },
	{ "flow-no-rtu", case_no_rtu, NULL,
	  "accepted login abandoned before the RTU (the CM sends a REJ)" },
	{ NULL, NULL, NULL, NULL },
};
