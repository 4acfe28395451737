/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_CORE_DP_H
#define SRPT_TESTS_CORE_DP_H

/*
 * A logged-in channel with initiator memory (remote) and registered
 * target memory, for the data path tests: command builders, answers and
 * what was posted. The application holds every command (auto_complete
 * off) until the test completes it.
 */

#include "harness.h"

#define DP_REMOTE_LEN (1024 * 1024)
#define DP_MEM_LEN (1024 * 1024)

struct dp {
	struct app *a;
	struct fake_conn *c;
	uint8_t *remote;		/* the initiator's memory */
	uint32_t rkey;
	uint8_t *mem;			/* the target's registered memory */
	uint64_t next_tag;
};

/* @queue_depth 0: the harness default; @sq_cap 0: none. */
void dp_init(struct dp *d, uint32_t queue_depth, uint32_t sq_cap);
void dp_end(struct dp *d);

void dp_fill(uint8_t *p, size_t len, uint32_t seed);
/* READ(10) 0x28 or WRITE(10) 0x2a of @blocks at LBA 0x1234. */
void dp_cdb_rw(uint8_t cdb[16], uint8_t op, uint32_t blocks);

/* READ(10)/WRITE(10) of @len bytes over one direct descriptor at @roff
 * of the remote memory. */
struct cmd_spec dp_read_spec(struct dp *d, uint32_t len, uint64_t roff);
struct cmd_spec dp_write_spec(struct dp *d, uint32_t len, uint64_t roff);

/* Deliver @s; it must reach on_cmd. Returns the held io. */
struct srpt_io *dp_cmd(struct dp *d, const struct cmd_spec *s);
/* Deliver raw bytes; returns fake_deliver()'s value. */
int dp_deliver(struct dp *d, const void *iu, uint32_t len);

/* Complete GOOD with @nsge pieces of data, the length as described. */
void dp_complete(struct srpt_io *io, const struct srpt_sge *sg,
		 unsigned int nsge);
/* ... with the application's expected length @expected (residuals). */
void dp_complete_len(struct srpt_io *io, const struct srpt_sge *sg,
		     unsigned int nsge, uint32_t expected);
const struct fake_wr *dp_last_wr(struct dp *d);

/* The last SEND is an SRP_RSP for @tag with @status (and, for CHECK
 * CONDITION, sense key @key and @asc << 8 | @ascq). */
void dp_expect_rsp(struct dp *d, uint64_t tag, uint8_t status);
void dp_expect_check(struct dp *d, uint64_t tag, uint8_t key, uint16_t ascq);
/* The last SEND is a plain GOOD for @tag: no flags, no sense, no response
 * data, @delta credits. */
void dp_expect_good(struct dp *d, uint64_t tag, uint32_t delta);
/* No RDMA of any posted chain since send number @from touches @rkey
 * (used as "nothing was written to that buffer"). */
void dp_expect_no_rdma_to(struct dp *d, uint32_t rkey);

/*
 * An external descriptor table in its own remote region: @n descriptors
 * of @piece bytes each over the remote memory from @roff, @stride apart.
 * Returns the table (free it); *tdesc names it.
 */
uint8_t *dp_table(struct dp *d, uint32_t n, uint32_t piece, uint32_t stride,
		  uint64_t roff, struct srpt_buf_desc *tdesc);

/* DATA-OUT fetch callbacks. */
struct dp_fetch {
	int calls;
	int status;
	bool complete;		/* complete the command from the callback */
};
void dp_fetch_done(struct srpt_io *io, int status, void *arg);

/* Complete sends until the send queue is empty (but the drain). */
void dp_complete_all(struct dp *d);

#endif
