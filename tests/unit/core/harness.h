/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_CORE_HARNESS_H
#define SRPT_TESTS_CORE_HARNESS_H

/*
 * The application side of the core tests: target callbacks that keep a
 * log per channel and check the lifecycle contract as they run, a
 * finisher that tears down whatever a test left behind, and the final
 * checks every test ends with. Violations found inside callbacks (which
 * may run on other threads) go to the fake's error log; app_check()
 * turns them into a test failure.
 */

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <srpt/target.h>
#include <srpt/channel.h>
#include <srpt/io.h>
#include <srpt/proto.h>

#include "core/core.h"
#include "core/stats.h"
#include "fake-transport.h"

#define APP_LOG_MAX 16
#define APP_CMD_LOG_MAX 512

/* One channel as the application saw it, by channel id. */
struct app_ch {
	bool used;
	char log[APP_LOG_MAX + 1];	/* R on_req, T on_rtu, D on_dreq,
					 * X on_drained */
	int state_at[APP_LOG_MAX];
	unsigned int nlog;
	int verdict;			/* what on_req returned */
	unsigned int cmds;
	unsigned int cmds_after_dreq;
	unsigned int tmfs;
	int owned;			/* commands hooks said they own */
	struct srpt_channel *ch;	/* from on_req to on_drained */
};

struct app;
struct app_hooks {
	/* Replace the default answer (a->req_verdict). */
	int (*on_req)(struct app *a, struct srpt_channel *ch,
		      const struct srpt_login_info *login);
	void (*on_rtu)(struct app *a, struct srpt_channel *ch);
	void (*on_dreq)(struct app *a, struct srpt_channel *ch);
	/* Replace the default answer (a->drained_verdict). */
	int (*on_drained)(struct app *a, struct srpt_channel *ch);
	/* Replace the default handling (auto-complete or hold). */
	void (*on_cmd)(struct app *a, struct srpt_channel *ch,
		       struct srpt_io *io);
	int (*on_tmf)(struct app *a, struct srpt_channel *ch, uint8_t func,
		      const uint8_t lun[8]);
	/* Called after the count (a->aborts) went up. */
	void (*on_abort)(struct app *a, struct srpt_io *io);
};

struct app {
	struct fake_tp *f;
	struct srpt_target *t;
	struct srpt_target_opts opts;
	struct srpt_target_ops ops;
	struct app_hooks hooks;
	void *arg;			/* for the hooks */

	int req_verdict;		/* default SRPT_LOGIN_ACCEPT */
	int drained_verdict;		/* default SRPT_DRAINED_DONE */
	bool auto_complete;		/* on_cmd answers GOOD at once */
	bool strict;			/* single-threaded: no races allowed */

	pthread_mutex_t lock;
	struct app_ch *chs;
	size_t nchs;
	struct srpt_io **held;		/* commands the app still owns */
	unsigned int nheld, capheld;
	struct srpt_channel **pending;	/* on_drained said PENDING */
	unsigned int npending, cappending;
	uint64_t cmd_log[APP_CMD_LOG_MAX];	/* tags in on_cmd order */
	uint64_t cmd_log_ch[APP_CMD_LOG_MAX];
	unsigned int ncmd_log;
	unsigned long cmds, drained, reqs, rtus, dreqs, tmfs, aborts;
	struct srpt_tmf_info last_tmf;

	/* registered memory for zero-copy data, made by app_mem() */
	uint8_t *mem;
	size_t mem_len;
	struct srpt_mr *mr;

	char ctx[160];			/* printed with every failure */
};

/* Defaults in a->opts (queue depth 8, drain timeout 1000 ms, ...) and a
 * fake; the test may change a->opts and a's behavior, then app_start(). */
struct app *app_alloc(void);
int app_start(struct app *a);
/* app_alloc() + app_start(), failing the test on error. */
struct app *app_new(void);
/* Finish, check, free: the tail of most tests. */
void app_end(struct app *a);

/* Tear down every channel: complete held commands, close, answer DREQs,
 * flush, fire drain timers, finish pending unregisters. */
void app_finish(struct app *a);
/* The final checks: per-channel callback grammar, fake's checks, no
 * channel left. Fails the test. */
void app_check(struct app *a);
/* Drop the target and the fake (after app_finish/app_check). */
void app_free(struct app *a);

/* Log in initiator @initiator (MULTI, immediate data at 68) and run the
 * dispatch queue once. */
struct fake_conn *app_login(struct app *a, unsigned int initiator);
/* ... and establish it; fails the test unless the channel is LIVE. */
struct fake_conn *app_login_live(struct app *a, unsigned int initiator);
/* Manual-mode dispatch. */
int app_dispatch(struct app *a);

/* Lookup of a channel record by id (copy, under the lock). */
bool app_ch_get(struct app *a, uint64_t id, struct app_ch *out);
/* The record of a connection's channel. */
bool app_conn_ch(struct app *a, struct fake_conn *c, struct app_ch *out);

/* For on_cmd hooks: the application took (+1) or gave back (-1, before
 * srpt_io_complete) a command; on_drained checks none is left. */
void app_owned_add(struct app *a, struct srpt_channel *ch, int d);

/* Held commands (auto_complete off). */
unsigned int app_held(struct app *a);
struct srpt_io *app_take(struct app *a, unsigned int i);	/* removes */
struct srpt_io *app_take_tag(struct app *a, uint64_t tag);
/* Complete every held command GOOD without data. */
void app_complete_all(struct app *a);

/* Registered memory (zero copy), made once per app. */
uint8_t *app_mem(struct app *a, size_t len);

/* Counters of the target. */
void app_stats(struct app *a, struct srpt_stats *s);

/* Assert no violation so far (prints the fake's error log). */
#define app_assert_clean(a)						\
	ck_assert_msg(fake_errors((a)->f) == 0, "%s: violations:\n%s",	\
		      (a)->ctx, fake_error_text((a)->f))

/* The last SEND a connection posted, decoded as an SRP_RSP. */
void app_last_rsp(struct fake_conn *c, struct srpt_rsp *rsp);
/* The i-th SEND, decoded. */
void app_rsp_at(struct fake_conn *c, unsigned int i, struct srpt_rsp *rsp);

/* Encode an SRP_CMD with a 16-byte CDB; @fmt_out / @fmt_in are
 * SRPT_DATA_FMT_*; descriptors are given ready-made. */
struct cmd_spec {
	uint64_t tag;
	uint8_t lun[8];
	uint8_t cdb[16];
	uint8_t task_attr;
	uint8_t add_cdb_len;
	uint8_t fmt_out, fmt_in;
	struct srpt_buf_desc direct;		/* DIRECT */
	const struct srpt_buf_desc *list;	/* INDIRECT */
	uint32_t nlist;
	uint32_t table_cnt;			/* 0: nlist */
	struct srpt_buf_desc table;		/* len 0: a made-up one */
	uint32_t total_len;			/* INDIRECT, IMM */
	const uint8_t *imm;			/* IMM */
	uint32_t imm_offset;
};
int mk_cmd(const struct cmd_spec *s, uint8_t *buf, size_t cap);

#define CORE_TEST_MAIN(suite_fn)					\
	int main(void)							\
	{								\
		SRunner *sr = srunner_create(suite_fn());		\
		int nf;							\
									\
		srunner_run_all(sr, CK_NORMAL);				\
		nf = srunner_ntests_failed(sr);				\
		srunner_free(sr);					\
		return nf ? 1 : 0;					\
	}

#endif
