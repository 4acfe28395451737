/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Command line of srpt-ramdisk; every bad value gets a one-line error. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <srpt/version.h>

#include "options.h"

#define PROG "srpt-ramdisk"

static const char usage[] =
"Usage: srpt-ramdisk [OPTION]...\n"
"Serve RAM disks to SRP initiators over RDMA/CM (libsrpt example).\n"
"\n"
"  -n, --luns N         number of LUNs (default 1, at most 256)\n"
"  -s, --size SIZE      size of each LUN, with K, M or G (default 64M)\n"
TARGET_CLI_USAGE
"      --app-poll       run the completion work on srpt-ramdisk's own\n"
"                       threads (SRPT_TARGET_APP_POLL), one per --threads\n"
"      --staging N      send READs from a pool of N registered 512 KiB\n"
"                       buffers, recycled on the library's release\n"
"                       notification (default 0: straight from the disk)\n"
"      --stall-lun N    hold READs and WRITEs of LUN N's middle block until\n"
"                       task management aborts them (to test an initiator's\n"
"                       error handling)\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n";

int options_parse(struct options *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		TARGET_CLI_LONG,
		{ "luns", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "stall-lun", required_argument, NULL, 1 },
		{ "staging", required_argument, NULL, 3 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	unsigned long v;
	int c, r;

	memset(o, 0, sizeof(*o));
	target_cli_init(&o->cli, PROG);
	o->luns = 1;
	o->size = 64ull << 20;
	o->stall_lun = -1;
	while ((c = getopt_long(argc, argv, TARGET_CLI_SHORT "n:s:hV", lopts,
				NULL)) != -1) {
		r = target_cli_option(&o->cli, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'n':
			if (cli_parse_uint(optarg, 256, &v) || !v)
				return cli_fail(PROG, "--luns: '%s' is not a number from 1 to 256", optarg);
			o->luns = (unsigned int)v;
			break;
		case 's':
			if (cli_parse_size(optarg, &o->size) || o->size < 4096 ||
			    o->size % 512)
				return cli_fail(PROG, "--size: '%s' is not a size of at least 4K in 512-byte blocks (e.g. 64M)", optarg);
			break;
		case 1:
			if (cli_parse_uint(optarg, 255, &v))
				return cli_fail(PROG, "--stall-lun: '%s' is not a LUN from 0 to 255", optarg);
			o->stall_lun = (int)v;
			break;
		case 3:
			if (cli_parse_uint(optarg, 4096, &v))
				return cli_fail(PROG, "--staging: '%s' is not a number from 0 to 4096", optarg);
			o->staging = (unsigned int)v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("srpt-ramdisk (libsrpt) %s\n", srpt_version());
			return 0;
		default:
			fprintf(stderr, "Try 'srpt-ramdisk --help'.\n");
			return -1;
		}
	}
	if (optind < argc)
		return cli_fail(PROG, "unexpected argument '%s'", argv[optind]);
	return target_cli_finish(&o->cli) ? -1 : 1;
}

void options_free(struct options *o)
{
	target_cli_free(&o->cli);
}
