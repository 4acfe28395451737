/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Many channels of one initiator at once (issue 12: the target used to
 * run out of completion queue entries after about 27 channels per
 * completion thread). N logins with one initiator port id, the first
 * SINGLE and the others MULTI, all kept open: every login must get its
 * LOGIN_RSP, every channel must then answer a TEST UNIT READY, and the
 * last one an INQUIRY and a block written and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

/* Each connection holds two descriptors and a PD of its own. */
#define CHANNELS_MAX 1000

static int last_io(struct hconn *c)
{
	struct hbuf b;
	struct w_rsp r;
	uint8_t cdb[16];
	int rc, fail;

	if (hb_alloc(c, &b, 2 * S_BLOCK, 0))
		return failf("cannot register a buffer");
	cdb_inquiry(cdb, 96);
	rc = scsi_direct(c, 0, cdb, 'i', &b, 0, 96, &r);
	fail = check_rsp(&r, rc, r.tag, S_GOOD, -1, 0, 0);
	if (!fail) {
		pattern(b.p, S_BLOCK, (uint32_t)now_ms());
		fail = blk_io(c, G.data_lun, 1, 0, 1, &b, 0) ||
		       blk_io(c, G.data_lun, 0, 0, 1, &b, S_BLOCK);
	}
	if (!fail && memcmp(b.p, b.p + S_BLOCK, S_BLOCK))
		fail = failf("the block read back differs from the one written");
	hb_free(&b);
	return fail;
}

int many_channels(unsigned long n)
{
	struct hconn *c;
	struct hconn_cfg cfg;
	struct w_login l;
	unsigned long i, ok = 0, first_bad = 0, last = 0;
	uint32_t reason = 0;
	int64_t t0 = now_ms();
	int first_r = 0, fail = 0;

	if (!n || n > CHANNELS_MAX)
		return failf("--channels takes 1 to %d", CHANNELS_MAX);
	c = calloc(n, sizeof(*c));
	if (!c)
		return failf("out of memory");
	/* Few slots of our own: the target's side is what is measured. */
	cfg_default(&cfg);
	cfg.nrx = 4;
	cfg.ntx = 4;
	login_default(&l);
	for (i = 0; i < n; i++) {
		int r = hc_connect(&c[i], &l, &cfg);

		if (r == HC_ACCEPTED) {
			ok++;
			last = i;
		} else {
			if (!first_bad) {
				first_bad = i + 1;
				first_r = r;
				if (r == HC_REJECTED && c[i].pdata_len >= 8)
					reason = r32(c[i].pdata + 4);
			}
			hc_close(&c[i]);
		}
		/* Every further login joins the nexus of the first. */
		l.tag = new_tag();
		l.flags = W_MC_MULTI | W_IMMED_REQUESTED;
		if (G.verbose && (i + 1) % 16 == 0)
			fprintf(stderr, "channels: %lu logins, %lu accepted\n",
				i + 1, ok);
	}
	printf("channels: %lu logins of one initiator, %lu accepted (LOGIN_RSP), %.1f s\n",
	       n, ok, (double)(now_ms() - t0) / 1000);
	if (first_bad) {
		if (first_r == HC_REJECTED)
			fail = failf("login %lu was the first not accepted: LOGIN_REJ reason 0x%08x",
				     first_bad, reason);
		else
			fail = failf("login %lu was the first not accepted: %s",
				     first_bad, strerror(-first_r));
	}
	/* Every channel still serving: none was closed as the others came. */
	for (i = 0; i < n && ok; i++) {
		if (!c[i].id)
			continue;
		if (expect_alive(&c[i], "the other logins")) {
			fail = 1;
			printf("channels: channel %lu does not serve\n", i + 1);
			break;
		}
	}
	if (ok && !fail) {
		if (last_io(&c[last]))
			fail = 1;
		else
			printf("channels: all %lu serve TEST UNIT READY; channel %lu: INQUIRY, a block written and read back on LUN %u\n",
			       ok, last + 1, G.data_lun);
	}
	for (i = 0; i < n; i++)
		hc_close(&c[i]);
	free(c);
	return fail;
}
