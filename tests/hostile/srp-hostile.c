/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srp-hostile: an SRP initiator that sends what a good one never would,
 * and checks that the target answers as the protocol says and keeps
 * serving. Each case uses connections of its own; after each one, a
 * fresh login and an INQUIRY must still work.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static char fail_msg[1024];
static char notes[2048];

int failf(const char *fmt, ...)
{
	va_list ap;

	if (fail_msg[0])
		return 1;
	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	return 1;
}

void notef(const char *fmt, ...)
{
	size_t n = strlen(notes);
	va_list ap;

	if (n + 16 >= sizeof(notes))
		return;
	n += (size_t)snprintf(notes + n, sizeof(notes) - n, "  note: ");
	va_start(ap, fmt);
	vsnprintf(notes + n, sizeof(notes) - n, fmt, ap);
	va_end(ap);
	n = strlen(notes);
	if (n + 1 < sizeof(notes))
		strcat(notes, "\n");
}

void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!G.verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static const char usage[] =
"usage: srp-hostile --dest IP:PORT --id-ext HEX --ioc-guid HEX\n"
"                   [--case PATTERN]... [--all] [--list]\n"
"                   [--storm-rejects N] [--storm-drops N]\n"
"                   [--channels N] [--check-io] [--data-lun N]\n"
"                   [--timeout-ms MS] [--gone-ms MS] [-v]\n"
"Sends malformed and hostile SRP traffic to an SRP target over RDMA/CM\n"
"and checks each answer. Prints PASS name or FAIL name: why, per case;\n"
"exits 1 if any case failed. --case takes shell patterns (login-*).\n"
"--channels N: N channels of one initiator open at once, all serving,\n"
"I/O on the last one.\n"
"--check-io: a fresh login, INQUIRY, one block written and read back.\n"
"The data cases write to --data-lun (default 1); never point it at a\n"
"LUN something else is using.\n";

/* A fresh login and an INQUIRY: the target is still serving. */
static int sanity(void)
{
	struct hconn c;
	struct hbuf b;
	struct w_rsp r;
	uint8_t cdb[16];
	int rc, fail;

	if (sess_open(&c, NULL, NULL)) {
		hc_close(&c);
		return 1;
	}
	if (hb_alloc(&c, &b, 96, 0)) {
		hc_close(&c);
		return failf("cannot register a buffer");
	}
	cdb_inquiry(cdb, 96);
	rc = scsi_direct(&c, 0, cdb, 'i', &b, 0, 96, &r);
	fail = check_rsp(&r, rc, r.tag, S_GOOD, -1, 0, 0);
	if (!fail && ((b.p[0] & 0x1f) != 0 || b.p[4] + 5 < 36))
		fail = failf("INQUIRY data: peripheral type 0x%02x, length %u",
			     b.p[0], b.p[4] + 5u);
	hb_free(&b);
	hc_close(&c);
	return fail;
}

/* After the storms: a fresh login, INQUIRY, and a block written and
 * read back on the data LUN. */
static int check_io(void)
{
	struct hconn c;
	struct hbuf b;
	int fail;

	fail_msg[0] = 0;
	fail = sanity();
	if (!fail && sess_open(&c, NULL, NULL)) {
		hc_close(&c);
		fail = 1;
	} else if (!fail) {
		fail = hb_alloc(&c, &b, 2 * S_BLOCK, 0) ?
		       failf("cannot register a buffer") : 0;
		if (!fail) {
			pattern(b.p, S_BLOCK, (uint32_t)now_ms());
			fail = blk_io(&c, G.data_lun, 1, 30000, 1, &b, 0) ||
			       blk_io(&c, G.data_lun, 0, 30000, 1, &b, S_BLOCK);
			if (!fail && memcmp(b.p, b.p + S_BLOCK, S_BLOCK))
				fail = failf("the block read back differs from the one written");
			hb_free(&b);
		}
		hc_close(&c);
	}
	if (fail)
		printf("FAIL check-io: %s\n", fail_msg);
	else
		printf("PASS check-io\n");
	return fail;
}

static int channels(unsigned long n)
{
	fail_msg[0] = 0;
	if (many_channels(n)) {
		printf("FAIL channels: %s\n", fail_msg);
		return 1;
	}
	printf("PASS channels\n");
	return 0;
}

/* The data-path group last: its bursts are the heaviest load. */
static const struct hcase *const groups[] = {
	login_cases, iu_cases, data_cases, flow_cases, datapath_cases,
};

static int selected(const char *name, char **pats, int npats)
{
	for (int i = 0; i < npats; i++)
		if (!fnmatch(pats[i], name, 0))
			return 1;
	return 0;
}

static int run_cases(char **pats, int npats, int all, int *nrun)
{
	int failed = 0, dead = 0;

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const struct hcase *hc = groups[g]; hc->name; hc++) {
			int64_t t0;
			int f, s;

			if (!all && !selected(hc->name, pats, npats))
				continue;
			(*nrun)++;
			if (dead >= 3) {
				printf("FAIL %s: not run, the target stopped serving\n",
				       hc->name);
				failed++;
				continue;
			}
			fail_msg[0] = 0;
			notes[0] = 0;
			vlog("---- %s: %s\n", hc->name, hc->what);
			t0 = now_ms();
			f = hc->fn(hc->arg);
			if (f && !fail_msg[0])
				snprintf(fail_msg, sizeof(fail_msg), "failed");
			if (f) {
				char keep[sizeof(fail_msg)];

				memcpy(keep, fail_msg, sizeof(keep));
				fail_msg[0] = 0;
				s = sanity();
				printf("FAIL %s: %s\n", hc->name, keep);
				if (s)
					printf("  note: and then the target was not serving: %s\n",
					       fail_msg);
			} else {
				s = sanity();
				if (s)
					printf("FAIL %s: expected the target to serve a fresh login and INQUIRY afterwards, got: %s\n",
					       hc->name, fail_msg);
				else
					printf("PASS %s\n", hc->name);
			}
			fputs(notes, stdout);
			vlog("     %lld ms\n", (long long)(now_ms() - t0));
			fflush(stdout);
			failed += f || s;
			dead = s ? dead + 1 : 0;
		}
	}
	return failed;
}

static void list_cases(void)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct hcase *hc = groups[g]; hc->name; hc++)
			printf("%-28s %s\n", hc->name, hc->what);
}

static int parse_dest(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static int parse_hex64(const char *s, uint64_t *out)
{
	char *end;

	if (!strncmp(s, "0x", 2))
		s += 2;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dest", required_argument, NULL, 'd' },
		{ "id-ext", required_argument, NULL, 'e' },
		{ "ioc-guid", required_argument, NULL, 'g' },
		{ "case", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'a' },
		{ "list", no_argument, NULL, 'l' },
		{ "storm-rejects", required_argument, NULL, 'R' },
		{ "storm-drops", required_argument, NULL, 'D' },
		{ "data-lun", required_argument, NULL, 'L' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "gone-ms", required_argument, NULL, 'G' },
		{ "child-io", required_argument, NULL, 'C' },
		{ "check-io", no_argument, NULL, 'I' },
		{ "channels", required_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char self[4096];
	static char *pats[64];
	int npats = 0, all = 0, have = 0, child_fd = -1, nrun = 0, failed = 0;
	int io = 0;
	unsigned long rejects = 0, drops = 0, nchan = 0;
	ssize_t sl;
	int o;

	G.timeout_ms = 10000;
	G.gone_ms = 30000;
	G.data_lun = 1;
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	G.self = sl > 0 ? self : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "d:e:g:c:alv", lo, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (parse_dest(optarg, &G.dest)) {
				fprintf(stderr, "srp-hostile: bad --dest %s (IPv4:PORT)\n", optarg);
				return 2;
			}
			have |= 1;
			break;
		case 'e':
			if (parse_hex64(optarg, &G.id_ext))
				goto bad;
			have |= 2;
			break;
		case 'g':
			if (parse_hex64(optarg, &G.ioc_guid))
				goto bad;
			have |= 4;
			break;
		case 'c':
			if (npats == (int)(sizeof(pats) / sizeof(pats[0]))) {
				fprintf(stderr, "srp-hostile: too many --case\n");
				return 2;
			}
			pats[npats++] = optarg;
			break;
		case 'a':
			all = 1;
			break;
		case 'l':
			list_cases();
			return 0;
		case 'R':
			rejects = strtoul(optarg, NULL, 10);
			break;
		case 'D':
			drops = strtoul(optarg, NULL, 10);
			break;
		case 'L':
			G.data_lun = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 't':
			G.timeout_ms = atoi(optarg);
			break;
		case 'G':
			G.gone_ms = atoi(optarg);
			break;
		case 'C':
			child_fd = atoi(optarg);
			break;
		case 'I':
			io = 1;
			break;
		case 'N':
			nchan = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			G.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (have != 7 || optind != argc)
		goto bad;
	if (child_fd >= 0)
		return child_io_main(child_fd);
	if (G.data_lun == 0 || G.data_lun > 255) {
		fprintf(stderr, "srp-hostile: --data-lun must be 1..255\n");
		return 2;
	}
	if (all || npats) {
		failed += run_cases(pats, npats, all, &nrun);
		if (!nrun) {
			fprintf(stderr, "srp-hostile: no case matches\n");
			return 2;
		}
		printf("srp-hostile: %d case(s), %d passed, %d failed\n", nrun,
		       nrun - failed, failed);
	}
	if (rejects)
		failed += storm_rejects(rejects);
	if (drops)
		failed += storm_drops(drops);
	if ((rejects || drops) && !failed) {
		fail_msg[0] = 0;
		if (sanity()) {
			printf("FAIL storms: the target does not serve a fresh login afterwards: %s\n",
			       fail_msg);
			failed++;
		}
	}
	if (nchan)
		failed += channels(nchan);
	if (io)
		failed += check_io();
	return failed ? 1 : 0;
bad:
	fputs(usage, stderr);
	return 2;
}
