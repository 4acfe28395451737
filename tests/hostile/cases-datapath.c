/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The data path under load and across reuse: every credit used at once
 * by commands with indirect lists of many pieces (the target's send queue
 * runs full and commands wait for slots), command contexts that served a
 * READ and then get a command the target must answer itself, and
 * descriptor tables in our memory of more than 1024 descriptors. The
 * bytes of every piece are checked, and so is every byte around them.
 * All I/O goes to the data LUN, in regions no other case file uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

/* Regions of the data LUN (512-byte blocks). The other case files stay
 * below LBA 32768 (16 MiB; check-io writes LBA 30000), the soak's second
 * kernel session verifies 16-20 MiB: these start at 20 MiB. */
#define LBA_EXT		40960u	/* 2 MiB the big descriptor tables read */
#define EXT_BLKS	4096u
#define LBA_SRC		45056u	/* 1 MiB the bursts and warm-ups read */
#define SRC_BLKS	2048u
#define LBA_WR		47104u	/* 1 MiB the mixed bursts write */
#define WR_BLKS		2048u
#define LBA_BAD		49152u	/* what a rejected WRITE would change */
#define BAD_BLKS	64u
#define LBA_END		(LBA_BAD + BAD_BLKS)

#define FILL		0xd5	/* in every byte the target must not write */
#define IO_LEN		(128u * 1024)	/* s->io: 64 KiB out, 64 KiB back */
#define IO_BACK		(64u * 1024)
#define CHUNK_BLKS	128u	/* a region goes 64 KiB at a time */
#define WARM_BLKS	8u	/* the warm-up READs: 4 KiB each */
#define WARM_LEN	(WARM_BLKS * S_BLOCK)
#define MAX_CREDITS	256u
#define RESID_FLAGS	(W_DIOVER | W_DIUNDER | W_DOOVER | W_DOUNDER)

static uint32_t seed(uint32_t k)
{
	return (uint32_t)now_ms() * 7919u + k;
}

static size_t round64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

struct dp {
	struct hconn c;
	struct hbuf b;		/* pieces and tables, FILL-ed */
	struct hbuf io;		/* region writes and read-backs */
	uint8_t *src;		/* what LBA_SRC holds */
};

/* The data LUN must hold every region (READ CAPACITY: a DATA-IN). */
static int dp_check_lun(struct dp *s)
{
	uint64_t nb;

	if (lun_blocks(&s->c, G.data_lun, &nb))
		return 1;
	if (nb < LBA_END)
		return failf("the data LUN has %llu blocks; these cases use LBAs up to %u",
			     (unsigned long long)nb, LBA_END - 1);
	return 0;
}

/*
 * A channel with room for every credit's command and answer at once.
 * @fresh: no command yet (the data LUN's size is not checked).
 */
static int dp_open(struct dp *s, int fresh)
{
	struct hconn_cfg cfg;

	memset(s, 0, sizeof(*s));
	cfg_default(&cfg);
	cfg.nrx = MAX_CREDITS + 64;
	cfg.ntx = MAX_CREDITS + 32;
	if (sess_open(&s->c, NULL, &cfg))
		return 1;
	if (s->c.credits < 2 || s->c.credits > MAX_CREDITS)
		return failf("the target granted %u credits; these cases use 2..%u at once",
			     s->c.credits, MAX_CREDITS);
	if (hb_alloc(&s->c, &s->io, IO_LEN, 0))
		return failf("cannot register a buffer");
	return fresh ? 0 : dp_check_lun(s);
}

static int dp_buf(struct dp *s, size_t len)
{
	if (hb_alloc(&s->c, &s->b, len, FILL))
		return failf("cannot register %zu bytes", len);
	return 0;
}

static void dp_close(struct dp *s)
{
	hb_free(&s->b);
	hb_free(&s->io);
	free(s->src);
	hc_close(&s->c);
}

/* Reads @nblk blocks at @lba, 64 KiB at a time: they must be @want. */
static int cmp_region(struct dp *s, uint32_t lba, uint32_t nblk,
		      const uint8_t *want, const char *what)
{
	uint8_t *rb = s->io.p + IO_BACK;

	for (uint32_t done = 0; done < nblk; done += CHUNK_BLKS) {
		uint32_t n = nblk - done < CHUNK_BLKS ? nblk - done : CHUNK_BLKS;
		const uint8_t *w = want + (size_t)done * S_BLOCK;

		memset(rb, 0x11, (size_t)n * S_BLOCK);
		if (blk_io(&s->c, G.data_lun, 0, lba + done, (uint16_t)n,
			   &s->io, IO_BACK))
			return 1;
		for (size_t i = 0; i < (size_t)n * S_BLOCK; i++)
			if (rb[i] != w[i])
				return failf("%s: LBA %u + byte %zu is 0x%02x, expected 0x%02x",
					     what, lba,
					     (size_t)done * S_BLOCK + i, rb[i],
					     w[i]);
	}
	return 0;
}

/* Writes @data to @nblk blocks at @lba and reads them back. */
static int put_region(struct dp *s, uint32_t lba, uint32_t nblk,
		      const uint8_t *data)
{
	for (uint32_t done = 0; done < nblk; done += CHUNK_BLKS) {
		uint32_t n = nblk - done < CHUNK_BLKS ? nblk - done : CHUNK_BLKS;

		memcpy(s->io.p, data + (size_t)done * S_BLOCK,
		       (size_t)n * S_BLOCK);
		if (blk_io(&s->c, G.data_lun, 1, lba + done, (uint16_t)n,
			   &s->io, 0))
			return 1;
	}
	return cmp_region(s, lba, nblk, data, "the blocks just written");
}

/* The source region: a fresh pattern, written and verified. */
static int put_src(struct dp *s, uint32_t k)
{
	s->src = malloc((size_t)SRC_BLKS * S_BLOCK);
	if (!s->src)
		return failf("out of memory");
	pattern(s->src, (size_t)SRC_BLKS * S_BLOCK, seed(k));
	return put_region(s, LBA_SRC, SRC_BLKS, s->src);
}

/*
 * Where the pieces of one transfer lie in our memory: @total bytes in @n
 * pieces (as even as can be; lengths differ by at most one byte), piece
 * i in slot i * mul % n (so neighbours in the list are not neighbours in
 * memory), every slot preceded by @gap bytes of FILL and followed by
 * FILL up to the longest piece; after the last slot @gap bytes more.
 */
struct layout {
	uint32_t n;
	uint32_t total;
	uint32_t gap;
	uint32_t mul;
};

static void layout_init(struct layout *l, uint32_t n, uint32_t total,
			uint32_t gap)
{
	static const uint32_t muls[] = { 7, 11, 13, 17, 19, 23, 29, 31 };

	l->n = n;
	l->total = total;
	l->gap = gap;
	l->mul = 1;
	for (size_t i = 0; i < sizeof(muls) / sizeof(muls[0]); i++) {
		uint32_t a = muls[i], b = n;

		while (b) {
			uint32_t t = a % b;

			a = b;
			b = t;
		}
		if (a == 1) {
			l->mul = muls[i];
			break;
		}
	}
}

static uint32_t pc_len(const struct layout *l, uint32_t i)
{
	return l->total / l->n + (i < l->total % l->n);
}

/* Offset of piece @i in the transfer */
static size_t pc_start(const struct layout *l, uint32_t i)
{
	uint32_t r = l->total % l->n;

	return (size_t)i * (l->total / l->n) + (i < r ? i : r);
}

static size_t slot_size(const struct layout *l)
{
	return l->total / l->n + (l->total % l->n != 0) + l->gap;
}

/* Offset of piece @i in its area */
static size_t pc_off(const struct layout *l, uint32_t i)
{
	return (size_t)((uint64_t)i * l->mul % l->n) * slot_size(l) + l->gap;
}

static size_t area_size(const struct layout *l)
{
	return (size_t)l->n * slot_size(l) + l->gap;
}

/* Puts the transfer @data into the pieces at @area. */
static void scatter(uint8_t *area, const struct layout *l, const uint8_t *data)
{
	for (uint32_t i = 0; i < l->n; i++)
		memcpy(area + pc_off(l, i), data + pc_start(l, i), pc_len(l, i));
}

/* The pieces at @area must hold @want, everything around them FILL. */
static int check_pieces(const uint8_t *area, const struct layout *l,
			const uint8_t *want, const char *what)
{
	size_t ss = slot_size(l);
	long bad;

	for (uint32_t i = 0; i < l->n; i++) {
		const uint8_t *p = area + pc_off(l, i);
		const uint8_t *w = want + pc_start(l, i);
		uint32_t len = pc_len(l, i);

		for (uint32_t k = 0; k < len; k++)
			if (p[k] != w[k])
				return failf("%s: piece %u of %u (%u bytes): its byte %u is 0x%02x, expected 0x%02x (byte %zu of the transfer)",
					     what, i, l->n, len, k, p[k], w[k],
					     pc_start(l, i) + k);
		/* From the gap before it to the end of its slot */
		bad = first_not(p - l->gap, l->gap, FILL);
		if (bad < 0) {
			bad = first_not(p + len, ss - l->gap - len, FILL);
			if (bad >= 0)
				bad += l->gap + len;
		}
		if (bad >= 0)
			return failf("%s: byte %ld from the start of piece %u of %u (%u bytes) was written (0x%02x): outside every descriptor",
				     what, bad - (long)l->gap, i, l->n, len,
				     p[bad - (long)l->gap]);
	}
	bad = first_not(area + l->n * ss, l->gap, FILL);
	if (bad >= 0)
		return failf("%s: byte %ld after the last slot was written: outside every descriptor",
			     what, bad);
	return 0;
}

/* Writes the descriptors of pieces [@from, @from + @cnt) at @out. */
static void put_descs(uint8_t *out, const struct layout *l,
		      const uint8_t *area, uint32_t rkey, uint32_t from,
		      uint32_t cnt)
{
	for (uint32_t i = 0; i < cnt; i++)
		w_direct(out + (size_t)W_DIRECT_LEN * i,
			 (uintptr_t)(area + pc_off(l, from + i)), rkey,
			 pc_len(l, from + i));
}

/* The descriptor table at @table must still be what we wrote. */
static int check_table(const uint8_t *table, const struct layout *l,
		       const uint8_t *area, uint32_t rkey, const char *what)
{
	uint8_t d[W_DIRECT_LEN];

	for (uint32_t i = 0; i < l->n; i++) {
		put_descs(d, l, area, rkey, i, 1);
		if (memcmp(d, table + (size_t)W_DIRECT_LEN * i, sizeof(d)))
			return failf("%s: descriptor %u of the table in our memory was overwritten",
				     what, i);
	}
	return 0;
}

/*
 * SRP_CMD with @cdb and an indirect descriptor for direction @write over
 * the pieces of @l at @area: the table of all @l->n descriptors in our
 * memory at @table, its descriptor saying @tlen bytes (0: the table's
 * length), the first @ninl of them in the IU too, total length @total.
 * Returns the IU's length.
 */
static uint32_t build_ind(uint8_t *iu, uint64_t tag, const uint8_t cdb[16],
			  int write, const struct layout *l,
			  const uint8_t *area, uint8_t *table,
			  const struct hbuf *b, uint32_t ninl, uint32_t total,
			  uint32_t tlen)
{
	uint8_t *d = iu + W_CMD_LEN;

	put_descs(table, l, area, b->mr->rkey, 0, l->n);
	w_cmd_hdr(iu, tag, G.data_lun, write ? W_FMT_INDIRECT << 4 :
		  W_FMT_INDIRECT, write ? (uint8_t)ninl : 0,
		  write ? 0 : (uint8_t)ninl, 0, cdb, 16);
	w_direct(d, (uintptr_t)table, b->mr->rkey,
		 tlen ? tlen : l->n * W_DIRECT_LEN);
	w32(d + 16, total);
	memcpy(d + W_INDIRECT_HDR_LEN, table, (size_t)ninl * W_DIRECT_LEN);
	return W_CMD_LEN + W_INDIRECT_HDR_LEN + ninl * W_DIRECT_LEN;
}

static void cdb_rw(uint8_t cdb[16], int write, uint32_t lba, uint32_t nblk,
		   int sixteen)
{
	if (sixteen)
		cdb_rw16(cdb, write, lba, nblk);
	else
		cdb_rw10(cdb, write, lba, (uint16_t)nblk);
}

/*
 * Takes one answer for each of the @n tags, in any order: an SRP_RSP
 * with @status (sense @key/@asc/@ascq when @key >= 0; GOOD without a
 * residual), one per tag, and together they return @n credits.
 */
static int collect(struct hconn *c, const uint64_t *tags, unsigned int n,
		   uint8_t status, int key, int asc, int ascq,
		   const char *what)
{
	uint8_t raw[HC_RX_SLOT], *seen = calloc(n, 1);
	char want[64];
	uint64_t delta = 0;
	unsigned int got = 0;
	int fail = 0;

	if (!seen)
		return failf("out of memory");
	if (key >= 0)
		snprintf(want, sizeof(want), "status 0x%02x sense %x/%02x/%02x",
			 status, key, asc, ascq);
	else
		snprintf(want, sizeof(want), "status 0x%02x without residual",
			 status);
	while (!fail && got < n) {
		int len = hc_recv(c, raw, sizeof(raw), G.timeout_ms);
		struct w_rsp r;
		unsigned int k;

		if (len < 0) {
			fail = failf("%s: expected %u SRP_RSP(s) (%s), got %u, then %s",
				     what, n, want, got, len == -ETIMEDOUT ?
				     "nothing more" : "a disconnect");
			break;
		}
		w_rsp_parse(raw, (uint32_t)len, &r);
		for (k = 0; k < n && tags[k] != r.tag; k++)
			;
		if (r.op != W_RSP || r.malformed || k == n || seen[k]) {
			fail = failf("%s: expected an SRP_RSP for one of the %u tags, got %s tag 0x%016llx%s",
				     what, n, w_op_name(r.op),
				     (unsigned long long)r.tag,
				     r.malformed ? " (malformed)" :
				     k < n ? " (its second answer)" : "");
			break;
		}
		seen[k] = 1;
		got++;
		delta += r.delta;
		if (r.status != status ||
		    (key >= 0 && (!(r.flags & W_SNSVALID) || r.key != key ||
				  r.asc != asc || r.ascq != ascq)) ||
		    (status == S_GOOD && (r.flags & RESID_FLAGS)) || !r.delta)
			fail = failf("%s: command %u of %u: expected %s and req_lim_delta >= 1, got status 0x%02x flags 0x%02x sense %x/%02x/%02x din_res %u dout_res %u delta %u",
				     what, k, n, want, r.status, r.flags, r.key,
				     r.asc, r.ascq, r.din_res, r.dout_res,
				     r.delta);
	}
	if (!fail && delta != n)
		fail = failf("%s: expected the %u answers to return %u credits, they returned %llu",
			     what, n, n, (unsigned long long)delta);
	free(seen);
	return fail;
}

/* Nothing more may come: no second or late answer. */
static int no_stray(struct hconn *c)
{
	uint8_t raw[HC_RX_SLOT];
	struct w_rsp r;
	int n = hc_recv(c, raw, sizeof(raw), 300);

	if (n == -ETIMEDOUT)
		return 0;
	if (n < 0)
		return failf("the target ended the channel after answering everything");
	w_rsp_parse(raw, (uint32_t)n, &r);
	return failf("expected no more IUs, got %s tag 0x%016llx status 0x%02x (an answer twice, or to nothing)",
		     w_op_name(r.op), (unsigned long long)r.tag, r.status);
}

/*
 * 4 KiB READs of the source region by direct descriptors into the first
 * credits x 4 KiB of s->b: @rounds rounds of every credit at once, then
 * @more with the window kept full (more commands than credits in all,
 * and a context still sending its response is busy too), so that the
 * command contexts the target picks next have served a READ. Every
 * READ's data is checked.
 */
static int warm_reads(struct dp *s, unsigned int rounds, unsigned int more)
{
	unsigned int w = s->c.credits, total = rounds * w + more;
	unsigned int sent = 0, done = 0, out = 0, nfree = w;
	uint64_t delta = 0, *tag = calloc(w, sizeof(*tag));
	uint32_t *off = calloc(w, sizeof(*off));
	unsigned int *freel = calloc(w, sizeof(*freel));
	uint8_t *busy = calloc(w, 1);
	int fail = 0;

	if (!tag || !off || !freel || !busy)
		fail = failf("out of memory");
	for (unsigned int i = 0; !fail && i < w; i++)
		freel[i] = w - 1 - i;
	while (!fail && done < total) {
		uint8_t raw[HC_RX_SLOT];
		struct w_rsp r;
		unsigned int k;
		int len;

		if (sent < total && out < w &&
		    (sent >= rounds * w || sent % w || !out)) {
			uint8_t iu[W_CMD_LEN + W_DIRECT_LEN], cdb[16], *p;

			k = freel[--nfree];
			p = s->b.p + (size_t)k * WARM_LEN;
			tag[k] = new_tag();
			off[k] = (uint32_t)((uint64_t)sent * 7919u %
					    (SRC_BLKS - WARM_BLKS + 1));
			busy[k] = 1;
			memset(p, FILL, WARM_LEN);
			cdb_rw10(cdb, 0, LBA_SRC + off[k], WARM_BLKS);
			w_cmd_hdr(iu, tag[k], G.data_lun, W_FMT_DIRECT, 0, 0, 0,
				  cdb, 16);
			w_direct(iu + W_CMD_LEN, (uintptr_t)p, s->b.mr->rkey,
				 WARM_LEN);
			if (hc_send(&s->c, iu, sizeof(iu))) {
				fail = failf("READs: could not post READ %u", sent);
				break;
			}
			sent++;
			out++;
			continue;
		}
		len = hc_recv(&s->c, raw, sizeof(raw), G.timeout_ms);
		if (len < 0) {
			fail = failf("READs: expected %u answers, got %u, then %s",
				     total, done, len == -ETIMEDOUT ?
				     "nothing more" : "a disconnect");
			break;
		}
		w_rsp_parse(raw, (uint32_t)len, &r);
		for (k = 0; k < w && !(busy[k] && tag[k] == r.tag); k++)
			;
		if (r.op != W_RSP || r.malformed || k == w) {
			fail = failf("READs: expected an SRP_RSP for one of the READs in flight, got %s tag 0x%016llx",
				     w_op_name(r.op), (unsigned long long)r.tag);
			break;
		}
		if (r.status != S_GOOD || (r.flags & RESID_FLAGS) || !r.delta) {
			fail = failf("READs: READ(10) of %u blocks: expected GOOD without residual, got status 0x%02x flags 0x%02x sense %x/%02x/%02x delta %u",
				     WARM_BLKS, r.status, r.flags, r.key, r.asc,
				     r.ascq, r.delta);
			break;
		}
		if (memcmp(s->b.p + (size_t)k * WARM_LEN,
			   s->src + (size_t)off[k] * S_BLOCK, WARM_LEN)) {
			fail = failf("READs: the data of the READ of LBA %u is not what was written there",
				     LBA_SRC + off[k]);
			break;
		}
		delta += r.delta;
		busy[k] = 0;
		freel[nfree++] = k;
		out--;
		done++;
	}
	if (!fail && delta != total)
		fail = failf("READs: expected the %u answers to return %u credits, they returned %llu",
			     total, total, (unsigned long long)delta);
	free(tag);
	free(off);
	free(freel);
	free(busy);
	return fail;
}

/* ---- every credit at once, indirect lists of many pieces ---- */

struct bcmd {
	uint64_t tag;
	int write;
	uint32_t lba;
	uint32_t nblk;
	uint32_t ninl;		/* descriptors in the IU */
	struct layout l;
	size_t area;		/* its pieces: s->b.p + area */
	size_t table;		/* its descriptor table: s->b.p + table */
	const uint8_t *want;	/* the bytes it moves */
};

/* Sends the @n commands back to back, then takes their @n answers. */
static int run_all(struct dp *s, struct bcmd *cmd, unsigned int n,
		   int sixteen, const char *what)
{
	static uint8_t iu[HC_TX_SLOT];
	uint64_t *tags = calloc(n, sizeof(*tags));
	int fail;

	if (!tags)
		return failf("out of memory");
	for (unsigned int i = 0; i < n; i++) {
		uint8_t cdb[16];
		uint32_t len;

		cdb_rw(cdb, cmd[i].write, cmd[i].lba, cmd[i].nblk, sixteen);
		cmd[i].tag = tags[i] = new_tag();
		len = build_ind(iu, cmd[i].tag, cdb, cmd[i].write, &cmd[i].l,
				s->b.p + cmd[i].area, s->b.p + cmd[i].table,
				&s->b, cmd[i].ninl, cmd[i].l.total, 0);
		if (hc_send(&s->c, iu, len)) {
			free(tags);
			return failf("%s: could not post command %u of %u", what,
				     i, n);
		}
	}
	fail = collect(&s->c, tags, n, S_GOOD, -1, 0, 0, what);
	free(tags);
	return fail;
}

struct burst_case {
	uint32_t pieces[4];	/* per command, cycled */
	uint32_t nblk[4];
	int mixed;		/* every second command a WRITE */
	int sixteen;		/* READ(16)/WRITE(16), else (10) */
	unsigned int rounds;
};

static int case_burst(const void *arg)
{
	const struct burst_case *bc = arg;
	struct bcmd *cmd = NULL;
	uint8_t *wimg = NULL;
	struct dp s;
	unsigned int n;
	size_t need = 0;
	int fail;

	fail = dp_open(&s, 0);
	n = s.c.credits;
	if (!fail) {
		cmd = calloc(n, sizeof(*cmd));
		wimg = malloc((size_t)WR_BLKS * S_BLOCK);
		if (!cmd || !wimg)
			fail = failf("out of memory");
	}
	for (unsigned int j = 0; !fail && j < n; j++) {
		struct bcmd *c = &cmd[j];

		c->nblk = bc->nblk[j % 4];
		c->write = bc->mixed && (j & 1);
		layout_init(&c->l, bc->pieces[j % 4], c->nblk * S_BLOCK, 16);
		c->ninl = c->l.n;
		c->area = need;
		need += round64(area_size(&c->l));
		c->table = need;
		need += round64((size_t)c->l.n * W_DIRECT_LEN);
	}
	if (!fail)
		fail = dp_buf(&s, need);
	if (!fail)
		fail = put_src(&s, 1);
	for (unsigned int round = 1; !fail && round <= bc->rounds; round++) {
		uint32_t wblk = 0;
		char what[160];

		memset(s.b.p, FILL, need);
		for (unsigned int j = 0; !fail && j < n; j++) {
			struct bcmd *c = &cmd[j];

			if (c->write) {
				if (wblk + c->nblk > WR_BLKS) {
					fail = failf("internal: the WRITEs need more than %u blocks",
						     WR_BLKS);
					break;
				}
				c->lba = LBA_WR + wblk;
				c->want = wimg + (size_t)wblk * S_BLOCK;
				pattern(wimg + (size_t)wblk * S_BLOCK,
					(size_t)c->nblk * S_BLOCK,
					seed(round * 1000 + j));
				scatter(s.b.p + c->area, &c->l, c->want);
				wblk += c->nblk;
			} else {
				uint32_t off = (uint32_t)(((uint64_t)j * 131u +
							   round * 577u) * 7u %
							  (SRC_BLKS - c->nblk + 1));

				c->lba = LBA_SRC + off;
				c->want = s.src + (size_t)off * S_BLOCK;
			}
		}
		snprintf(what, sizeof(what), "round %u", round);
		if (!fail)
			fail = run_all(&s, cmd, n, bc->sixteen, what);
		for (unsigned int j = 0; !fail && j < n; j++) {
			const struct bcmd *c = &cmd[j];

			snprintf(what, sizeof(what),
				 "round %u, command %u of %u: %s(%d) of LBA %u, %u blocks in %u pieces%s",
				 round, j, n, c->write ? "WRITE" : "READ",
				 bc->sixteen ? 16 : 10, c->lba, c->nblk, c->l.n,
				 c->write ? " (our buffer)" : "");
			fail = check_pieces(s.b.p + c->area, &c->l, c->want,
					    what);
		}
		if (!fail && wblk) {
			snprintf(what, sizeof(what),
				 "round %u: read back what the WRITEs wrote",
				 round);
			fail = cmp_region(&s, LBA_WR, wblk, wimg, what);
		}
	}
	if (!fail)
		fail = expect_alive(&s.c, "the bursts");
	if (!fail)
		fail = no_stray(&s.c);
	free(cmd);
	free(wimg);
	dp_close(&s);
	return fail;
}

/* ---- contexts that served a READ, then a command the target answers ---- */

enum stale_kind {
	ST_BIDI,	/* XDWRITEREAD(10): data-out and data-in, direct */
	ST_SUM_LESS,	/* WRITE(10), indirect 4 x 1 KiB, total 8 KiB */
	ST_SUM_MORE,	/* WRITE(10), indirect 4 x 2 KiB, total 4 KiB */
	ST_BAD_DESC,	/* WRITE(10), indirect count 3, table 32 or 40 bytes */
	ST_EXT_OVER,	/* READ(10), a table of 4097 descriptors */
};

struct stale_case {
	enum stale_kind kind;
	unsigned int n;		/* such commands, sent back to back */
	int key, asc, ascq;
};

static void stale_layout(enum stale_kind kind, struct layout *l)
{
	switch (kind) {
	case ST_BIDI:
		layout_init(l, 2, 16 * S_BLOCK, 16);	/* out, then in */
		break;
	case ST_SUM_LESS:
		layout_init(l, 4, 8 * S_BLOCK, 16);
		break;
	case ST_SUM_MORE:
		layout_init(l, 4, 16 * S_BLOCK, 16);
		break;
	case ST_BAD_DESC:
		layout_init(l, 3, 3 * S_BLOCK, 16);
		break;
	default:	/* ST_EXT_OVER */
		layout_init(l, 4097, 129 * S_BLOCK, 8);
		break;
	}
}

static uint32_t build_stale(uint8_t *iu, enum stale_kind kind, unsigned int j,
			    uint64_t tag, const struct layout *l,
			    uint8_t *area, uint8_t *table,
			    const struct hbuf *b)
{
	uint8_t cdb[16];

	switch (kind) {
	case ST_BIDI:
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = 0x53;	/* XDWRITEREAD(10) */
		w32(cdb + 2, LBA_BAD);
		w16(cdb + 7, 8);
		w_cmd_hdr(iu, tag, G.data_lun,
			  W_FMT_DIRECT << 4 | W_FMT_DIRECT, 0, 0, 0, cdb, 16);
		w_direct(iu + W_CMD_LEN, (uintptr_t)(area + pc_off(l, 0)),
			 b->mr->rkey, pc_len(l, 0));
		w_direct(iu + W_CMD_LEN + W_DIRECT_LEN,
			 (uintptr_t)(area + pc_off(l, 1)), b->mr->rkey,
			 pc_len(l, 1));
		return W_CMD_LEN + 2 * W_DIRECT_LEN;
	case ST_SUM_LESS:
		cdb_rw10(cdb, 1, LBA_BAD, 16);
		return build_ind(iu, tag, cdb, 1, l, area, table, b, l->n,
				 16 * S_BLOCK, 0);
	case ST_SUM_MORE:
		cdb_rw10(cdb, 1, LBA_BAD, 8);
		return build_ind(iu, tag, cdb, 1, l, area, table, b, l->n,
				 8 * S_BLOCK, 0);
	case ST_BAD_DESC:
		cdb_rw10(cdb, 1, LBA_BAD, 3);
		return build_ind(iu, tag, cdb, 1, l, area, table, b, l->n,
				 l->total, j & 1 ? 40 : 32);
	case ST_EXT_OVER:
		cdb_rw10(cdb, 0, LBA_SRC, 129);
		return build_ind(iu, tag, cdb, 0, l, area, table, b,
				 j & 1 ? 16 : 1, l->total, 0);
	}
	return 0;
}

/* Where the bytes written into a sentinel area came from, if they are
 * LUN data of the source region: up to 32 of them, 12 at least. */
static void leak_note(const struct dp *s, const uint8_t *p, size_t avail)
{
	const size_t n = (size_t)SRC_BLKS * S_BLOCK;
	size_t run = 0;

	while (run < avail && run < 32 && p[run] != FILL)
		run++;
	if (run < 12)
		return;
	for (size_t o = 0; o + run <= n; o++) {
		if (s->src[o] == p[0] && !memcmp(s->src + o, p, run)) {
			notef("the bytes written there are the LUN's data at LBA %zu + %zu: what an earlier READ on the channel read",
			      LBA_SRC + o / S_BLOCK, o % S_BLOCK);
			return;
		}
	}
}

static int case_stale(const void *arg)
{
	const struct stale_case *sc = arg;
	static uint8_t iu[HC_TX_SLOT];
	uint64_t tags[32] = { 0 };
	uint8_t *keep = NULL;
	struct layout l;
	struct dp s;
	size_t warm, asz, tsz, need;
	unsigned int n = sc->n, posted = 0;
	int fail, leak = 0;

	fail = dp_open(&s, 0);
	if (!fail && (n > s.c.credits || n > sizeof(tags) / sizeof(tags[0])))
		fail = failf("internal: %u commands on %u credits", n,
			     s.c.credits);
	stale_layout(sc->kind, &l);
	asz = round64(area_size(&l));
	tsz = round64((size_t)l.n * W_DIRECT_LEN);
	warm = (size_t)s.c.credits * WARM_LEN;
	need = warm + n * (asz + tsz);
	if (!fail)
		fail = dp_buf(&s, need);
	if (!fail)
		fail = put_src(&s, 2);
	if (!fail) {
		keep = malloc((size_t)BAD_BLKS * S_BLOCK);
		if (!keep)
			fail = failf("out of memory");
	}
	if (!fail) {
		pattern(keep, (size_t)BAD_BLKS * S_BLOCK, seed(3));
		fail = put_region(&s, LBA_BAD, BAD_BLKS, keep);
	}
	/* The contexts serve READs: 2 rounds of every credit at once, then
	 * twice the credits with the window kept full. */
	if (!fail)
		fail = warm_reads(&s, 2, 2 * s.c.credits);
	for (unsigned int j = 0; !fail && j < n; j++) {
		uint8_t *area = s.b.p + warm + j * (asz + tsz);
		uint32_t len;

		tags[j] = new_tag();
		len = build_stale(iu, sc->kind, j, tags[j], &l, area,
				  area + asz, &s.b);
		if (hc_send(&s.c, iu, len))
			fail = failf("could not post command %u", j);
		else
			posted++;
	}
	if (!fail)
		fail = collect(&s.c, tags, n, S_CHECK_CONDITION, sc->key,
			       sc->asc, sc->ascq, "the rejected commands");
	/* Whatever the answers: nothing may have been written to us. */
	for (unsigned int j = 0; j < posted && !leak; j++) {
		uint8_t *area = s.b.p + warm + j * (asz + tsz);
		long bad = first_not(area, area_size(&l), FILL);
		const char *whose;

		if (bad < 0) {
			if (sc->kind != ST_BIDI &&
			    check_table(area + asz, &l, area, s.b.mr->rkey,
					"the descriptor table")) {
				if (fail)
					notef("and command %u's descriptor table in our memory was overwritten",
					      j);
				fail = 1;
			}
			continue;
		}
		if (sc->kind == ST_BIDI)
			whose = (size_t)bad < pc_off(&l, 1) ?
				"its data-out buffer" : "its data-in buffer";
		else if (sc->kind == ST_EXT_OVER)
			whose = "an inline data-in piece";
		else
			whose = "a data-out piece";
		leak = 1;
		if (!fail)
			fail = failf("command %u of %u was rejected, but %s was written by the target (byte %ld of its area is 0x%02x, was 0x%02x)",
				     j, n, whose, bad, area[bad], FILL);
		else
			notef("and %s of command %u was written by the target (byte %ld of its area is 0x%02x, was 0x%02x)",
			      whose, j, bad, area[bad], FILL);
		leak_note(&s, area + bad, area_size(&l) - (size_t)bad);
	}
	if (!fail)
		fail = cmp_region(&s, LBA_BAD, BAD_BLKS, keep,
				  "a rejected command changed the medium");
	if (!fail)
		fail = expect_alive(&s.c, "the rejected commands");
	if (!fail)
		fail = warm_reads(&s, 1, 0);
	if (!fail)
		fail = no_stray(&s.c);
	free(keep);
	dp_close(&s);
	return fail;
}

/* ---- descriptor tables of more than 1024 descriptors ---- */

struct ext_case {
	uint32_t n;		/* descriptors in the table */
	uint32_t nblk;		/* blocks read */
	uint32_t ninl;		/* of them also in the IU */
	int sixteen;
};

/* One READ with the table in our memory; @data is what the LUN holds. */
static int ext_read(struct dp *s, const struct ext_case *ec,
		    const uint8_t *data)
{
	struct bcmd c;
	char what[128];
	int fail;

	memset(&c, 0, sizeof(c));
	layout_init(&c.l, ec->n, ec->nblk * S_BLOCK, ec->nblk * S_BLOCK /
		    ec->n >= S_BLOCK ? 16 : 8);
	c.lba = LBA_EXT;
	c.nblk = ec->nblk;
	c.ninl = ec->ninl;
	c.table = round64(area_size(&c.l));
	c.want = data;
	if (!s->b.p &&
	    dp_buf(s, c.table + round64((size_t)ec->n * W_DIRECT_LEN)))
		return 1;
	memset(s->b.p, FILL, c.table);
	snprintf(what, sizeof(what),
		 "READ(%d) of %u blocks, a table of %u descriptors, %u inline",
		 ec->sixteen ? 16 : 10, ec->nblk, ec->n, ec->ninl);
	fail = run_all(s, &c, 1, ec->sixteen, what);
	if (!fail)
		fail = check_pieces(s->b.p, &c.l, data, what);
	if (!fail)
		fail = check_table(s->b.p + c.table, &c.l, s->b.p,
				   s->b.mr->rkey, what);
	return fail;
}

static int case_ext_big(const void *arg)
{
	const struct ext_case *ec = arg;
	uint8_t *data = malloc((size_t)ec->nblk * S_BLOCK);
	struct dp s;
	int fail;

	fail = dp_open(&s, 0);
	if (!fail && !data)
		fail = failf("out of memory");
	if (!fail && ec->nblk > EXT_BLKS)
		fail = failf("internal: %u blocks, the region has %u", ec->nblk,
			     EXT_BLKS);
	if (!fail) {
		pattern(data, (size_t)ec->nblk * S_BLOCK, seed(4));
		fail = put_region(&s, LBA_EXT, ec->nblk, data);
	}
	if (!fail)
		fail = ext_read(&s, ec, data);
	if (!fail)
		fail = expect_alive(&s.c, "the READ");
	if (!fail)
		fail = no_stray(&s.c);
	free(data);
	dp_close(&s);
	return fail;
}

/*
 * 4097 descriptors: a 65552-byte table, more than the target takes. As
 * the first command of a channel (no context has served a DATA-IN yet,
 * not even READ CAPACITY; dp-stale-ext-4097 is the case after READs):
 * CHECK CONDITION, nothing written, and the channel still serves a READ
 * with a table of 1024.
 */
static int case_ext_over(const void *arg)
{
	static const struct ext_case after = { 1024, 129, 8, 0 };
	static uint8_t iu[HC_TX_SLOT];
	uint8_t *data = malloc((size_t)after.nblk * S_BLOCK);
	struct layout l;
	struct dp s;
	uint64_t tag = new_tag();
	size_t asz;
	uint32_t len;
	long bad;
	int fail;

	stale_layout(ST_EXT_OVER, &l);
	asz = round64(area_size(&l));
	fail = dp_open(&s, 1);
	if (!fail && !data)
		fail = failf("out of memory");
	if (!fail)
		fail = dp_buf(&s, asz + round64((size_t)l.n * W_DIRECT_LEN));
	if (!fail) {
		len = build_stale(iu, ST_EXT_OVER, 0, tag, &l, s.b.p,
				  s.b.p + asz, &s.b);
		fail = expect_check(&s.c, iu, len, tag, 5, 0x0e, 0x03);
	}
	if (!fail) {
		bad = first_not(s.b.p, area_size(&l), FILL);
		if (bad >= 0)
			fail = failf("the rejected READ wrote to our buffer (byte %ld is 0x%02x)",
				     bad, s.b.p[bad]);
	}
	if (!fail)
		fail = check_table(s.b.p + asz, &l, s.b.p, s.b.mr->rkey,
				   "the rejected READ");
	if (!fail)
		fail = expect_alive(&s.c, "the rejected table");
	if (!fail)
		fail = dp_check_lun(&s);
	hb_free(&s.b);
	if (!fail) {
		pattern(data, (size_t)after.nblk * S_BLOCK, seed(5));
		fail = put_region(&s, LBA_EXT, after.nblk, data);
	}
	if (!fail)
		fail = ext_read(&s, &after, data);
	if (!fail)
		fail = no_stray(&s.c);
	free(data);
	dp_close(&s);
	return fail;
}

#define BURST(n, p, b, mix, x16, r, w) { n, case_burst, \
	&(const struct burst_case){ p, b, mix, x16, r }, w }
#define STALE(n, kind, cnt, k, a, q, w) { n, case_stale, \
	&(const struct stale_case){ kind, cnt, k, a, q }, w }
#define EXT(n, nd, nb, inl, x16, w) { n, case_ext_big, \
	&(const struct ext_case){ nd, nb, inl, x16 }, w }
#define P4(a, b, c, d) { a, b, c, d }

/* The bursts last: today they can take the target down. */
const struct hcase datapath_cases[] = {
	EXT("dp-ext-1025", 1025, 1025, 1, 0,
	    "READ(10) 1025 x 512 B, table of 1025 in our memory, 1 inline -> GOOD, pieces exact"),
	EXT("dp-ext-2048", 2048, 2048, 16, 0,
	    "READ(10) 2048 x 512 B, table of 2048 in our memory, 16 inline -> GOOD, pieces exact"),
	EXT("dp-ext-4096", 4096, 4096, 255, 0,
	    "READ(10) 4096 x 512 B (2 MiB), table of 4096 (64 KiB), 255 inline -> GOOD, pieces exact"),
	EXT("dp-ext-4096x16", 4096, 128, 1, 1,
	    "READ(16) 4096 x 16 B, table of 4096 (64 KiB), 1 inline -> GOOD, pieces exact"),
	{ "dp-ext-4097", case_ext_over, NULL,
	  "READ with a table of 4097 descriptors (65552 B) -> 5/0E/03, nothing written, channel usable" },
	STALE("dp-stale-bidi", ST_BIDI, 16, 5, 0x24, 0x00,
	      "4 x credits READs, then 16 XDWRITEREAD(10) (both directions) -> 5/24/00, both buffers untouched"),
	STALE("dp-stale-ind-sum-less", ST_SUM_LESS, 16, 5, 0x0e, 0x03,
	      "4 x credits READs, then 16 WRITE(10), data-out pieces 4 KiB of 8 -> 5/0E/03, pieces untouched"),
	STALE("dp-stale-ind-sum-more", ST_SUM_MORE, 16, 5, 0x0e, 0x03,
	      "4 x credits READs, then 16 WRITE(10), data-out pieces 8 KiB of 4 -> 5/0E/03, pieces untouched"),
	STALE("dp-stale-bad-desc", ST_BAD_DESC, 16, 5, 0x0e, 0x03,
	      "4 x credits READs, then 16 WRITE(10), count 3 > table of 2 or 40-byte table -> 5/0E/03, untouched"),
	STALE("dp-stale-ext-4097", ST_EXT_OVER, 8, 5, 0x0e, 0x03,
	      "4 x credits READs, then 8 READs with a 4097-descriptor table -> 5/0E/03, inline pieces untouched"),
	BURST("dp-burst-read-8x512", P4(8, 8, 8, 8), P4(8, 8, 8, 8), 0, 0, 3,
	      "every credit at once: READ(10)s of 8 x 512 B pieces, 3 rounds -> one GOOD each, pieces exact"),
	BURST("dp-burst-read-16x512", P4(16, 16, 16, 16), P4(16, 16, 16, 16),
	      0, 1, 3,
	      "every credit at once: READ(16)s of 16 x 512 B pieces, 3 rounds -> one GOOD each, pieces exact"),
	BURST("dp-burst-read-64-255", P4(64, 100, 160, 255), P4(8, 16, 16, 32),
	      0, 0, 3,
	      "every credit at once: READ(10)s of 64..255 pieces of 51..82 B, 3 rounds -> one GOOD each, exact"),
	BURST("dp-burst-mixed", P4(8, 64, 16, 255), P4(8, 16, 8, 32), 1, 0, 3,
	      "every credit at once: READs and WRITEs of 8..255 pieces, 3 rounds -> GOOD, data exact both ways"),
	{ NULL, NULL, NULL, NULL },
};
