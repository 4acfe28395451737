/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Helpers shared by the cases: logins, round trips, expectations. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

struct hopts G;

static uint64_t tag_seq = 0x8877665544330000ull;
static uint64_t port_seq;

uint64_t new_tag(void)
{
	/* Bytes that differ in every position: an echo must be exact. */
	return ++tag_seq ^ 0x0102030405060000ull;
}

void login_default(struct w_login *l)
{
	uint32_t pid = (uint32_t)getpid();

	memset(l, 0, sizeof(*l));
	l->tag = new_tag();
	l->buf_fmt = W_BUF_FMT_DIRECT | W_BUF_FMT_INDIRECT;
	l->flags = W_MC_SINGLE | W_IMMED_REQUESTED;
	l->opcode = W_LOGIN_REQ;
	l->it_iu_len = 8260;	/* what Linux asks for: 68 + 8 KiB */
	/* "HOST", our pid, a sequence number */
	memcpy(l->iport, "HOST", 4);
	w32(l->iport + 4, pid);
	w64(l->iport + 8, ++port_seq);
	w64(l->tport, G.id_ext);
	w64(l->tport + 8, G.ioc_guid);
	l->imm_off = 68;
}

void cfg_default(struct hconn_cfg *cfg)
{
	hc_cfg_default(cfg);
	cfg->dest = G.dest;
}

static const char *cm_event_name(int ev)
{
	return ev >= 0 ? rdma_event_str((enum rdma_cm_event_type)ev) :
	       "no event";
}

int sess_open(struct hconn *c, const struct w_login *l,
	      const struct hconn_cfg *cfg)
{
	struct w_login def;
	struct hconn_cfg dcfg;
	int r;

	if (!l) {
		login_default(&def);
		l = &def;
	}
	if (!cfg) {
		cfg_default(&dcfg);
		cfg = &dcfg;
	}
	r = hc_connect(c, l, cfg);
	if (r == HC_ACCEPTED)
		return 0;
	if (r == HC_REJECTED)
		return failf("expected the login to be accepted, got LOGIN_REJ reason 0x%08x",
			     c->pdata_len >= 8 ? r32(c->pdata + 4) : 0);
	return failf("expected the login to be accepted, got %s (%s, status %d)",
		     strerror(-r), cm_event_name(c->cm_event), c->cm_status);
}

int roundtrip(struct hconn *c, const uint8_t *iu, uint32_t len,
	      struct w_rsp *r, uint8_t *raw)
{
	static uint8_t scratch[HC_RX_SLOT];
	int n;

	if (!raw)
		raw = scratch;
	memset(r, 0, sizeof(*r));
	n = hc_send(c, iu, len);
	if (n)
		return n == -ETIMEDOUT ? n : -ECONNRESET;
	n = hc_recv(c, raw, HC_RX_SLOT, G.timeout_ms);
	if (n < 0)
		return n;
	w_rsp_parse(raw, (uint32_t)n, r);
	return 0;
}

static const char *rc_name(int rc)
{
	if (rc == -ETIMEDOUT)
		return "no answer (timeout)";
	if (rc == -ECONNRESET)
		return "a disconnect";
	return strerror(-rc);
}

static void describe(const struct w_rsp *r, char *out, size_t n)
{
	if (r->op == W_T_LOGOUT) {
		snprintf(out, n, "SRP_T_LOGOUT reason %u tag 0x%016llx",
			 r->reason, (unsigned long long)r->tag);
		return;
	}
	if (r->op != W_RSP) {
		snprintf(out, n, "IU %s (%u bytes)", w_op_name(r->op), r->len);
		return;
	}
	snprintf(out, n, "SRP_RSP tag 0x%016llx status 0x%02x flags 0x%02x sense %x/%02x/%02x din_res %u dout_res %u%s",
		 (unsigned long long)r->tag, r->status, r->flags, r->key,
		 r->asc, r->ascq, r->din_res, r->dout_res,
		 r->malformed ? " (malformed)" : "");
}

int check_rsp(const struct w_rsp *r, int rc, uint64_t tag, uint8_t status,
	      int key, int asc, int ascq)
{
	char want[96], got[200];

	if (key >= 0)
		snprintf(want, sizeof(want), "SRP_RSP status 0x%02x sense %x/%02x/%02x",
			 status, key, asc, ascq);
	else
		snprintf(want, sizeof(want), "SRP_RSP status 0x%02x", status);
	if (rc)
		return failf("expected %s, got %s", want, rc_name(rc));
	describe(r, got, sizeof(got));
	if (r->op != W_RSP || r->malformed)
		return failf("expected %s, got %s", want, got);
	if (r->tag != tag)
		return failf("expected %s for tag 0x%016llx, got %s", want,
			     (unsigned long long)tag, got);
	if (r->status != status)
		return failf("expected %s, got %s", want, got);
	if (key >= 0 && (!(r->flags & W_SNSVALID) || r->key != key ||
			 r->asc != asc || r->ascq != ascq))
		return failf("expected %s, got %s", want, got);
	if (r->delta < 1)
		return failf("expected req_lim_delta >= 1 in %s, got 0", got);
	return 0;
}

int expect_check(struct hconn *c, const uint8_t *iu, uint32_t len,
		 uint64_t tag, int key, int asc, int ascq)
{
	struct w_rsp r;
	int rc = roundtrip(c, iu, len, &r, NULL);

	return check_rsp(&r, rc, tag, S_CHECK_CONDITION, key, asc, ascq);
}

int expect_gone(struct hconn *c, const char *why)
{
	if (hc_wait_gone(c, G.gone_ms))
		return failf("expected the target to disconnect (%s) within %d ms, the channel stayed up",
			     why, G.gone_ms);
	return 0;
}

int expect_logout(struct hconn *c, uint32_t reason, uint64_t tag)
{
	uint8_t raw[HC_RX_SLOT];
	struct w_rsp r;
	char got[200];
	int n = hc_recv(c, raw, sizeof(raw), G.timeout_ms);

	if (n < 0)
		return failf("expected SRP_T_LOGOUT reason %u, got %s", reason,
			     rc_name(n));
	w_rsp_parse(raw, (uint32_t)n, &r);
	describe(&r, got, sizeof(got));
	if (r.op != W_T_LOGOUT || r.malformed || r.reason != reason)
		return failf("expected SRP_T_LOGOUT reason %u, got %s", reason, got);
	if (tag != UINT64_MAX && r.tag != tag)
		return failf("expected SRP_T_LOGOUT with tag 0x%016llx, got %s",
			     (unsigned long long)tag, got);
	return expect_gone(c, "after SRP_T_LOGOUT");
}

int scsi_direct(struct hconn *c, unsigned int lun, const uint8_t cdb[16],
		int dir, const struct hbuf *b, size_t off, uint32_t len,
		struct w_rsp *r)
{
	uint8_t iu[W_CMD_LEN + W_DIRECT_LEN];
	uint8_t fmt = dir == 'i' ? W_FMT_DIRECT : dir == 'o' ?
		      W_FMT_DIRECT << 4 : 0;
	uint32_t n = W_CMD_LEN;

	w_cmd_hdr(iu, new_tag(), lun, fmt, 0, 0, 0, cdb, 16);
	if (dir) {
		w_direct(iu + W_CMD_LEN, (uintptr_t)(b->p + off), b->mr->rkey,
			 len);
		n += W_DIRECT_LEN;
	}
	return roundtrip(c, iu, n, r, NULL);
}

int blk_io(struct hconn *c, unsigned int lun, int write, uint32_t lba,
	   uint16_t nblk, const struct hbuf *b, size_t off)
{
	uint8_t cdb[16];
	struct w_rsp r;
	int rc;

	cdb_rw10(cdb, write, lba, nblk);
	rc = scsi_direct(c, lun, cdb, write ? 'o' : 'i', b, off,
			 (uint32_t)nblk * S_BLOCK, &r);
	if (rc || r.op != W_RSP || r.status != S_GOOD) {
		char got[200];

		if (rc)
			snprintf(got, sizeof(got), "%s", rc_name(rc));
		else
			describe(&r, got, sizeof(got));
		return failf("expected GOOD for %s(10) LUN %u LBA %u x%u, got %s",
			     write ? "WRITE" : "READ", lun, lba, nblk, got);
	}
	return 0;
}

int lun_blocks(struct hconn *c, unsigned int lun, uint64_t *nblocks)
{
	struct hbuf b;
	uint8_t cdb[16];
	struct w_rsp r;
	int rc;

	if (hb_alloc(c, &b, 8, 0))
		return failf("cannot register a buffer");
	cdb_read_capacity10(cdb);
	rc = scsi_direct(c, lun, cdb, 'i', &b, 0, 8, &r);
	if (rc || r.op != W_RSP || r.status != S_GOOD) {
		hb_free(&b);
		return failf("READ CAPACITY(10) of LUN %u failed", lun);
	}
	*nblocks = (uint64_t)r32(b.p) + 1;
	hb_free(&b);
	return 0;
}

int expect_alive(struct hconn *c, const char *after)
{
	uint8_t cdb[16];
	struct w_rsp r;
	int rc;

	cdb_tur(cdb);
	rc = scsi_direct(c, 0, cdb, 0, NULL, 0, 0, &r);
	if (rc || r.op != W_RSP || r.status != S_GOOD) {
		char got[200];

		if (rc)
			snprintf(got, sizeof(got), "%s", rc_name(rc));
		else
			describe(&r, got, sizeof(got));
		return failf("expected the channel to stay usable after %s (TEST UNIT READY GOOD), got %s",
			     after, got);
	}
	return 0;
}

void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		if (!(i & 3))
			x = x * 1103515245u + 12345u + (uint32_t)(i >> 9);
		p[i] = (uint8_t)(x >> ((i & 3) * 8));
	}
}

long first_not(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return (long)i;
	return -1;
}
