/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_FUZZ_CORE_H
#define SRPT_TESTS_FUZZ_CORE_H

/*
 * The stateful fuzzer of the session core (fuzz-core.c): one target on
 * the fake transport, driven single-threaded by a sequence of operations
 * decoded from the input. These files see the library only through its
 * public headers, the transport and event seams, the fake and the codec;
 * whatever they check, they check against a shadow of what the initiator
 * sent and saw, never against the core's own bookkeeping.
 *
 * fuzz-core.c        input decoding, the operations, setup and teardown
 * fuzz-core-iu.c     the IUs the initiator sends, and their shadows
 * fuzz-core-app.c    the application: callbacks, held commands
 * fuzz-core-check.c  what the target posted, and the invariants
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srpt/target.h>
#include <srpt/channel.h>
#include <srpt/io.h>
#include <srpt/proto.h>

#include "fake-transport.h"

#define FC_MAX_CONNS 8
#define FC_MAX_IUS 512
#define FC_TAG_BASE 0x5a17000000000000ull	/* + the IU's index */
#define FC_DRAIN_MS 1000
#define FC_POOL_LEN (1u << 20)		/* registered application memory */
#define FC_MAX_DATA (512u << 10)	/* initiator data of one command */
#define FC_MAX_REGIONS (16u << 20)	/* ... of all commands of an input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The invariants, numbered as fuzz-core.c lists them. */
enum fc_inv {
	FC_INV_RSP = 1,		/* one SRP_RSP per accepted request */
	FC_INV_RDMA = 2,	/* RDMA only where the command said */
	FC_INV_CREDIT = 3,	/* credits balance */
	FC_INV_DRAIN = 4,	/* nothing after the drain write or QP error */
	FC_INV_CALLBACK = 5,	/* callback order */
	FC_INV_TEARDOWN = 6,	/* everything goes away */
	FC_INV_DATA = 7,	/* data arrives intact */
};

/* A piece of initiator memory a descriptor names. */
struct fc_range {
	uint64_t va;
	uint32_t len;
};

enum fc_kind { FC_CMD, FC_TM, FC_OTHER };

/* What the application does with a command on_cmd hands over. */
enum fc_action {
	FC_HOLD,		/* keep it for a later step */
	FC_DONE_REG,		/* GOOD, DATA-IN from registered memory */
	FC_DONE_UNREG,		/* GOOD, DATA-IN from unregistered memory */
	FC_FETCH_REG,		/* fetch DATA-OUT into registered memory */
	FC_FETCH_UNREG,		/* ... into unregistered memory */
	FC_DONE_CHECK,		/* CHECK CONDITION with sense data */
	FC_DONE_BAD,		/* an invalid result (too many pieces) */
	FC_DONE_SHORT,		/* GOOD with less data than described */
	FC_ACTIONS,
};

/* One IU the initiator sent, and what became of it. */
struct fc_iu {
	unsigned int conn;
	uint64_t tag;
	enum fc_kind kind;
	bool sent;		/* the target received it */
	bool credit;		/* the initiator spent a credit on it */
	bool short_iu;		/* under 16 bytes: no tag to answer */
	uint8_t lun[8];
	/* SRP_TSK_MGMT */
	bool tm_ok;		/* decodes as one */
	bool tmf_seen;		/* on_tmf saw it: its aborts happened */
	uint8_t tm_func;
	uint64_t task_tag;
	/* SRP_CMD, as the codec decodes what was sent */
	bool decoded;
	enum srpt_dir dir;
	uint32_t data_len;
	struct fc_range *in, *out;	/* non-empty pieces, in order */
	uint32_t nin, nout;
	struct fc_range table[2];	/* external tables (out, in) */
	uint8_t *imm;			/* immediate data (a copy) */
	uint8_t *region;		/* its own initiator memory */
	uint64_t region_len;
	uint32_t rkey;
	enum fc_action action;
	bool done_after_fetch;
	/* what happened */
	unsigned int answers;		/* SRP_RSPs with its tag */
	bool resolved;			/* aborted by a completed TMF */
	bool delivered;			/* on_cmd saw it */
	struct srpt_io *io;		/* the application holds it */
	bool fetching;			/* srpt_io_fetch_data() under way */
	uint64_t read_allow, read_done;
	uint8_t *app_buf;		/* where DATA-OUT was fetched to */
	uint32_t fetch_xfer;
	bool app_buf_owned;		/* malloc'd, not in the pool */
	bool write_ok;			/* completed with DATA-IN */
	uint64_t write_allow, write_done, write_checked;
	/* completed with a release notification, and how often it came */
	bool release_armed;
	unsigned int released;
};

/* One connection, as the initiator and the application saw it. */
struct fc_conn {
	struct fake_conn *c;
	uint64_t ch_id;
	struct srpt_channel *ch;	/* from on_req to on_drained */
	struct srpt_channel *pending;	/* on_drained said PENDING */
	int verdict;			/* what on_req answers */
	bool drain_pending;		/* on_drained answers PENDING */
	bool deferred;			/* on_req answered DEFER */
	unsigned int reqs, rtus, dreqs, drained;
	uint32_t req_imm_off;		/* what the login asked for */
	unsigned int initiator;		/* its I_T nexus, with the port */
	/* the initiator's side */
	bool accepted;			/* LOGIN_RSP seen */
	int64_t granted, view;		/* credits */
	uint32_t imm_off, ti_len;
	bool tlogout;			/* SRP_T_LOGOUT seen */
	uint64_t cred_due[8];		/* SRP_CRED_REQ tags to answer */
	unsigned int ncred_due;
	bool must_end;			/* sent an IU that ends the channel */
	/* what the fake recorded, seen so far */
	uint64_t last_seq;
	unsigned int sent_seen;
	bool drain_seen;
	unsigned long chains_at_drain;
};

struct fc {
	struct fake_tp *f;
	struct srpt_target *t;
	struct srpt_target_ops ops;
	struct srpt_target_opts opts;
	bool srq;
	bool post_failed;		/* an injected post_chain failure fired */
	struct fc_conn conns[FC_MAX_CONNS];
	unsigned int nconns;
	struct fc_iu *ius;
	unsigned int nius;
	uint32_t *rkey_iu;		/* IU indexes in rkey order */
	unsigned int nrkeys;
	uint64_t region_bytes;		/* initiator memory made so far */
	unsigned int held[FC_MAX_IUS];	/* IU indexes the app holds */
	unsigned int nheld;
	uint8_t *pool;			/* registered application memory */
	struct srpt_mr *mr;
	size_t pool_used;
	bool dispatched;		/* the last step ended in a dispatch */
	bool teardown;
	/* the input */
	const uint8_t *in;
	size_t len, pos;
	unsigned long step;
};

/* fuzz-core.c */
uint8_t fc_byte(struct fc *z);
void fc_trace(struct fc *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fc_fail(struct fc *z, enum fc_inv inv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
struct fc_conn *fc_conn_of(struct fc *z, struct srpt_channel *ch);

/* fuzz-core-iu.c */
void fc_put_be32(uint8_t *p, uint32_t v);
void fc_put_be64(uint8_t *p, uint64_t v);
uint32_t fc_get_be32(const uint8_t *p);
uint64_t fc_get_be64(const uint8_t *p);
uint8_t fc_pattern(uint64_t seed, uint64_t i);
bool fc_can_send(struct fc *z, struct fc_conn *k);
void fc_op_cmd(struct fc *z, struct fc_conn *k);
void fc_op_burst(struct fc *z, struct fc_conn *k);
void fc_op_tm(struct fc *z, struct fc_conn *k);
void fc_op_raw(struct fc *z, struct fc_conn *k);
struct fc_iu *fc_iu_by_tag(struct fc *z, uint64_t tag);
struct fc_iu *fc_iu_by_rkey(struct fc *z, uint32_t rkey);
void fc_iu_free_all(struct fc *z);

/* fuzz-core-app.c */
void fc_app_init(struct fc *z);
void fc_app_complete(struct fc *z, struct fc_iu *iu, enum fc_action a);
void fc_app_fetch(struct fc *z, struct fc_iu *iu, uint8_t how);
void fc_held_drop(struct fc *z, struct fc_iu *iu);
uint8_t fc_app_data(const struct fc_iu *iu, uint64_t i);

/* fuzz-core-check.c */
void fc_sync(struct fc *z, struct fc_conn *k);
void fc_sync_all(struct fc *z);
void fc_check_step(struct fc *z);
void fc_check_quiescent(struct fc *z, struct fc_conn *k);
int fc_complete_one(struct fc *z, struct fc_conn *k, int status);
void fc_flush(struct fc *z, struct fc_conn *k, unsigned int order);
void fc_check_final(struct fc *z);
void fc_check_data_out(struct fc *z, struct fc_iu *iu);

/* Task management @tm took effect: what it aborted gets no response. */
void fc_tm_resolve(struct fc *z, const struct fc_iu *tm, bool now);

#endif
