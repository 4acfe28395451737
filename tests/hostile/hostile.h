/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef HOSTILE_H
#define HOSTILE_H

/* Shared by the hostile initiator's cases: options, checks, helpers. */

#include <stdint.h>
#include <netinet/in.h>

#include "conn.h"
#include "wire.h"

struct hopts {
	struct sockaddr_in dest;
	uint64_t id_ext, ioc_guid;
	int timeout_ms;		/* for one answer */
	int gone_ms;		/* for a disconnect the target must start */
	unsigned int data_lun;	/* the LUN the data cases write (not 0!) */
	int verbose;
	const char *self;	/* our own path, for the killed child */
};

extern struct hopts G;

struct hcase {
	const char *name;
	int (*fn)(const void *arg);
	const void *arg;
	const char *what;	/* one line: what is sent, what must come back */
};

extern const struct hcase login_cases[];
extern const struct hcase iu_cases[];
extern const struct hcase data_cases[];
extern const struct hcase flow_cases[];
extern const struct hcase datapath_cases[];

/* Records the first failure of the running case; returns 1. */
int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line under the case's result. */
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t new_tag(void);
/* A login that srpt-ramdisk accepts, with an initiator port id of its
 * own (so a SINGLE login never ends another nexus's channels). */
void login_default(struct w_login *l);
void cfg_default(struct hconn_cfg *cfg);

/* Connect and require acceptance; a failure is recorded. */
int sess_open(struct hconn *c, const struct w_login *l,
	      const struct hconn_cfg *cfg);

/*
 * Sends @iu and waits for the next IU (@raw, 4096 bytes, may be NULL),
 * decoded into @r. Returns 0, or -ETIMEDOUT / -ECONNRESET (not recorded:
 * callers decide whether that is a failure).
 */
int roundtrip(struct hconn *c, const uint8_t *iu, uint32_t len,
	      struct w_rsp *r, uint8_t *raw);

/* SRP_RSP for @tag with @status, and sense @key/@asc/@ascq when
 * @key >= 0. Returns 0 or failf(). */
int check_rsp(const struct w_rsp *r, int rc, uint64_t tag, uint8_t status,
	      int key, int asc, int ascq);
/* Sends @iu, expects CHECK CONDITION with the given sense for @tag. */
int expect_check(struct hconn *c, const uint8_t *iu, uint32_t len,
		 uint64_t tag, int key, int asc, int ascq);
/* Next IU must be SRP_T_LOGOUT with @reason (and @tag unless it is
 * UINT64_MAX), then the target must disconnect. */
int expect_logout(struct hconn *c, uint32_t reason, uint64_t tag);
/* The target must end the connection (responses before it ignored). */
int expect_gone(struct hconn *c, const char *why);
/* TEST UNIT READY on @c must succeed: the channel survived. */
int expect_alive(struct hconn *c, const char *after);

/*
 * One SCSI command with a direct descriptor over @b (@off, @len) in the
 * direction @dir (0 none, 'i' data-in, 'o' data-out). The response is
 * decoded into @r. Returns roundtrip()'s value.
 */
int scsi_direct(struct hconn *c, unsigned int lun, const uint8_t cdb[16],
		int dir, const struct hbuf *b, size_t off, uint32_t len,
		struct w_rsp *r);
/* READ/WRITE(10) of @nblk blocks from/to @b at @off; must be GOOD. */
int blk_io(struct hconn *c, unsigned int lun, int write, uint32_t lba,
	   uint16_t nblk, const struct hbuf *b, size_t off);
/* Number of blocks of @lun (READ CAPACITY(10)). */
int lun_blocks(struct hconn *c, unsigned int lun, uint64_t *nblocks);

/* Fills @p with a pattern derived from @seed and the byte offset. */
void pattern(uint8_t *p, size_t len, uint32_t seed);
/* Offset of the first byte of @p (@len) that is not @v, or -1. */
long first_not(const uint8_t *p, size_t len, uint8_t v);

/* The killed-child mode: log in and keep I/O going until killed. */
int child_io_main(int ready_fd);

/* Login storms; return the number of failures. */
int storm_rejects(unsigned long n);
int storm_drops(unsigned long n);
/* @n channels of one initiator at once, all serving; returns failf(). */
int many_channels(unsigned long n);

#endif
