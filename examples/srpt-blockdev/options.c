/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Command line of srpt-blockdev; every bad value gets a one-line error. */
#include <getopt.h>
#include <stdio.h>

#include <srpt/log.h>
#include <stdlib.h>
#include <string.h>

#include <srpt/version.h>

#include "backing-rbd.h"
#include "config.h"
#include "options.h"
#include "pool.h"

#define PROG "srpt-blockdev"

static const char usage[] =
"Usage: srpt-blockdev [OPTION]... PATH[,name=NAME][,ro]...\n"
"       srpt-blockdev [OPTION]... rbd:POOL/IMAGE[,conf=FILE][,id=ID][,name=NAME][,ro]...\n"
"Serve files and block devices to SRP initiators over RDMA/CM, through\n"
"io_uring (libsrpt example). Each PATH is a LUN, in order from LUN 0. Its\n"
"designators come from the data's identity (device and inode, or the\n"
"disk's serial), or from NAME: processes that serve the same data give\n"
"the same designators, so an initiator sees one disk with a path each.\n"
"With ,ro the LUN is write protected. rbd:POOL/IMAGE serves a Ceph RBD\n"
"image through librbd (designators from the cluster, pool and image ids);\n"
"conf= and id= name its cluster's configuration file and client id.\n"
"\n"
"  -B, --block-size N   logical block size, 512 or 4096 (default: 512 for\n"
"                       files, the device's for block devices)\n"
"  -r, --read-only      serve every LUN write protected\n"
"      --shared         open block devices without O_EXCL (another process,\n"
"                       e.g. a second srpt-blockdev, may have them open)\n"
"      --dsync          write through (O_DSYNC): no volatile write cache\n"
"                       to announce, every write durable when answered\n"
"      --pool SIZE      data buffers, registered for RDMA and io_uring\n"
"                       (default 128M; at least 1M)\n"
"      --alua-group N   implicit ALUA: this process is target port group N\n"
"                       (1-65535), alone in it (default: no ALUA)\n"
"      --alua-port N    its relative target port id (default: the group)\n"
"      --alua-state S   active (default), non-optimized, standby or\n"
"                       unavailable; SIGUSR2 makes it active\n"
"      --rbd-lock       active/passive with other processes on the same\n"
"                       rbd: LUN (the only LUN): the owner of the image's\n"
"                       exclusive lock is active, the others standby and\n"
"                       take over when its heartbeat stops\n"
"      --rbd-stale S    seconds without heartbeat before a takeover\n"
"                       (2-60, default 3)\n"
"  -c, --config FILE    read the configuration from FILE (JSON, see\n"
"                       srpt-blockdev(8)); options given too override it,\n"
"                       and LUNs and --allow entries add to it\n"
"      --control PATH   serve srptctl(8) on this Unix socket (mode 0600)\n"
"      --ceph-conf FILE Ceph configuration of rbd: LUNs without conf=\n"
"                       (default: Ceph's search: CEPH_CONF, /etc/ceph/...)\n"
"      --ceph-id ID     Ceph client id of rbd: LUNs without id= (default\n"
"                       admin, i.e. client.admin)\n"
"      --log-level L    err, warning, notice (default), info or debug\n"
TARGET_CLI_USAGE
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Completion work runs on srpt-blockdev's own threads (one per --threads),\n"
"each driving an io_uring ring. SIGUSR1 prints the channels and counters.\n";

enum {
	OPT_SHARED = 1,
	OPT_DSYNC,
	OPT_POOL,
	OPT_ALUA_GROUP,
	OPT_ALUA_PORT,
	OPT_ALUA_STATE,
	OPT_RBD_LOCK,
	OPT_RBD_STALE,
	OPT_CONTROL,
	OPT_LOG_LEVEL,
	OPT_CEPH_CONF,
	OPT_CEPH_ID,
};

static const struct {
	const char *name;
	enum scsi_alua_state st;
} alua_names[] = {
	{ "active", SCSI_ALUA_ACTIVE_OPTIMIZED },
	{ "non-optimized", SCSI_ALUA_ACTIVE_NON_OPTIMIZED },
	{ "standby", SCSI_ALUA_STANDBY },
	{ "unavailable", SCSI_ALUA_UNAVAILABLE },
};

int options_alua_state(const char *s, enum scsi_alua_state *st)
{
	for (size_t i = 0; i < sizeof(alua_names) / sizeof(alua_names[0]); i++) {
		if (!strcmp(s, alua_names[i].name)) {
			*st = alua_names[i].st;
			return 0;
		}
	}
	return -1;
}

const char *options_alua_state_name(enum scsi_alua_state st)
{
	for (size_t i = 0; i < sizeof(alua_names) / sizeof(alua_names[0]); i++)
		if (alua_names[i].st == st)
			return alua_names[i].name;
	return st == SCSI_ALUA_TRANSITIONING ? "transitioning" : "unknown";
}

static const char *const level_names[] = {
	[SRPT_LOG_ERR] = "err",
	[SRPT_LOG_WARNING] = "warning",
	[SRPT_LOG_NOTICE] = "notice",
	[SRPT_LOG_INFO] = "info",
	[SRPT_LOG_DEBUG] = "debug",
};

int options_log_level(const char *s)
{
	for (int l = SRPT_LOG_ERR; l <= SRPT_LOG_DEBUG; l++)
		if (!strcmp(s, level_names[l]) ||
		    (s[0] == '0' + l && !s[1]))
			return l;
	if (!strcmp(s, "error"))
		return SRPT_LOG_ERR;
	return -1;
}

const char *options_log_level_name(int level)
{
	return level >= SRPT_LOG_ERR && level <= SRPT_LOG_DEBUG ?
	       level_names[level] : "unknown";
}

bool options_lun_is_rbd(const struct bd_lun_arg *l)
{
	return backing_path_is_rbd(l->path);
}

/* The LUN options that take a value, "KEY=VALUE". */
static const char *const lun_keys[] = { "name=", "conf=", "id=" };
#define NKEYS (sizeof(lun_keys) / sizeof(lun_keys[0]))

/* Where the options of a LUN argument start: the first comma followed
 * by one of them (a path may hold commas of its own). */
static const char *lun_opts(const char *arg)
{
	for (const char *c = strchr(arg, ','); c; c = strchr(c + 1, ',')) {
		for (size_t k = 0; k < NKEYS; k++)
			if (!strncmp(c + 1, lun_keys[k], strlen(lun_keys[k])))
				return c;
		if (!strcmp(c + 1, "ro") || !strncmp(c + 1, "ro,", 3))
			return c;
	}
	return NULL;
}

/* "PATH[,name=NAME][,conf=FILE][,id=ID][,ro]" */
static int add_lun(struct options *o, const char *arg)
{
	struct bd_lun_arg *l = &o->lun[o->nluns];
	const char *opts = lun_opts(arg);

	if (o->nluns == BD_MAX_LUNS)
		return cli_fail(PROG, "more than %u LUNs", BD_MAX_LUNS);
	if (opts == arg || !*arg)
		return cli_fail(PROG, "'%s' names no file or block device", arg);
	memset(l, 0, sizeof(*l));
	l->path = opts ? strndup(arg, (size_t)(opts - arg)) : strdup(arg);
	if (!l->path)
		return cli_fail(PROG, "%s", "out of memory");
	o->nluns++;	/* options_free() frees what is set so far */
	while (opts) {
		const char *v = opts + 1, *end = strchr(v, ',');
		size_t n = end ? (size_t)(end - v) : strlen(v);
		char **dst[NKEYS] = { &l->name, &l->ceph_conf, &l->ceph_id };
		size_t k;

		for (k = 0; k < NKEYS; k++)
			if (!strncmp(v, lun_keys[k], strlen(lun_keys[k])))
				break;
		if (n == 2 && !strncmp(v, "ro", 2)) {
			l->read_only = true;
		} else if (k < NKEYS && n > strlen(lun_keys[k]) && !*dst[k]) {
			*dst[k] = strndup(v + strlen(lun_keys[k]),
					  n - strlen(lun_keys[k]));
			if (!*dst[k])
				return cli_fail(PROG, "%s", "out of memory");
		} else {
			return cli_fail(PROG, "'%s': '%.*s' is not a LUN option (name=NAME, ro; conf=FILE, id=ID for rbd:)",
					arg, (int)n, v);
		}
		opts = end;
	}
	if (!options_lun_is_rbd(l) && (l->ceph_conf || l->ceph_id))
		return cli_fail(PROG, "'%s': conf= and id= are for RBD images (rbd:POOL/IMAGE)",
				arg);
	return 0;
}

static const struct option lopts[] = {
	TARGET_CLI_LONG,
	{ "block-size", required_argument, NULL, 'B' },
	{ "read-only", no_argument, NULL, 'r' },
	{ "shared", no_argument, NULL, OPT_SHARED },
	{ "dsync", no_argument, NULL, OPT_DSYNC },
	{ "pool", required_argument, NULL, OPT_POOL },
	{ "alua-group", required_argument, NULL, OPT_ALUA_GROUP },
	{ "alua-port", required_argument, NULL, OPT_ALUA_PORT },
	{ "alua-state", required_argument, NULL, OPT_ALUA_STATE },
	{ "rbd-lock", no_argument, NULL, OPT_RBD_LOCK },
	{ "rbd-stale", required_argument, NULL, OPT_RBD_STALE },
	{ "config", required_argument, NULL, 'c' },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "ceph-conf", required_argument, NULL, OPT_CEPH_CONF },
	{ "ceph-id", required_argument, NULL, OPT_CEPH_ID },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 }
};
#define SHORT_OPTS TARGET_CLI_SHORT "B:c:rhV"

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	target_cli_init(&o->cli, PROG);
	o->pool_size = 128ull << 20;
	o->alua_state = SCSI_ALUA_ACTIVE_OPTIMIZED;
}

/* The first pass over the command line: only --config, --help and
 * --version, so that the file is read before the options that override
 * it. Returns 1 to go on, 0 after --help/--version, -1 after an error. */
static int first_pass(struct options *o, int argc, char **argv)
{
	char err[CONFIG_ERR_MAX];
	const char *config = NULL;
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, SHORT_OPTS, lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("srpt-blockdev (libsrpt) %s\n", srpt_version());
			return 0;
		default:
			break;
		}
	}
	opterr = 1;
	optind = 0;
	if (!config)
		return 1;
	o->config_path = strdup(config);
	if (!o->config_path)
		return cli_fail(PROG, "%s", "out of memory");
	if (config_load(o, config, err, sizeof(err)))
		return cli_fail(PROG, "%s", err);
	return 1;
}

static int replace(char **dst, const char *src)
{
	char *n = strdup(src);

	if (!n)
		return cli_fail(PROG, "%s", "out of memory");
	free(*dst);
	*dst = n;
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	int r;

	options_init(o);
	r = first_pass(o, argc, argv);
	if (r <= 0)
		return r;
	if (options_apply_cli(o, argc, argv))
		return -1;
	return options_finish(o) ? -1 : 1;
}

int options_apply_cli(struct options *o, int argc, char **argv)
{
	unsigned long v;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, SHORT_OPTS, lopts, NULL)) != -1) {
		r = target_cli_option(&o->cli, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'B':
			if (cli_parse_uint(optarg, 4096, &v) ||
			    (v != 512 && v != 4096))
				return cli_fail(PROG, "--block-size: '%s' is neither 512 nor 4096", optarg);
			o->block_size = (uint32_t)v;
			break;
		case 'r':
			o->read_only = true;
			break;
		case OPT_SHARED:
			o->shared = true;
			break;
		case OPT_DSYNC:
			o->dsync = true;
			break;
		case OPT_POOL:
			if (cli_parse_size(optarg, &o->pool_size) ||
			    o->pool_size < POOL_MAX_BYTES ||
			    o->pool_size > (64ull << 30))
				return cli_fail(PROG, "--pool: '%s' is not a size from 1M to 64G (e.g. 256M)", optarg);
			break;
		case OPT_ALUA_GROUP:
			if (cli_parse_uint(optarg, 65535, &v) || !v)
				return cli_fail(PROG, "--alua-group: '%s' is not a number from 1 to 65535", optarg);
			o->alua_group = (uint16_t)v;
			break;
		case OPT_ALUA_PORT:
			if (cli_parse_uint(optarg, 65535, &v) || !v)
				return cli_fail(PROG, "--alua-port: '%s' is not a number from 1 to 65535", optarg);
			o->alua_port = (uint16_t)v;
			break;
		case OPT_ALUA_STATE:
			if (options_alua_state(optarg, &o->alua_state))
				return cli_fail(PROG, "--alua-state: '%s' is none of active, non-optimized, standby, unavailable", optarg);
			break;
		case OPT_RBD_LOCK:
			o->rbd_lock = true;
			break;
		case OPT_RBD_STALE:
			if (cli_parse_uint(optarg, OPTIONS_RBD_STALE_MAX, &v) ||
			    v < OPTIONS_RBD_STALE_MIN)
				return cli_fail(PROG, "--rbd-stale: '%s' is not a number of seconds from %u to %u",
						optarg, OPTIONS_RBD_STALE_MIN,
						OPTIONS_RBD_STALE_MAX);
			o->rbd_stale = (unsigned int)v;
			break;
		case 'c':
			break;	/* read in the first pass */
		case OPT_CONTROL:
			if (!config_available())
				return cli_fail(PROG, "--control: not available: srpt-blockdev was built without json-c (libjson-c-dev)");
			if (!*optarg)
				return cli_fail(PROG, "--control: an empty path");
			if (replace(&o->control_path, optarg))
				return -1;
			break;
		case OPT_CEPH_CONF:
		case OPT_CEPH_ID:
			if (!*optarg)
				return cli_fail(PROG, "--%s: empty", c == OPT_CEPH_CONF ?
						"ceph-conf" : "ceph-id");
			if (replace(c == OPT_CEPH_CONF ? &o->ceph_conf :
				    &o->ceph_id, optarg))
				return -1;
			break;
		case OPT_LOG_LEVEL:
			o->log_level = options_log_level(optarg);
			if (o->log_level < 0)
				return cli_fail(PROG, "--log-level: '%s' is none of err, warning, notice, info, debug", optarg);
			break;
		default:
			fprintf(stderr, "Try 'srpt-blockdev --help'.\n");
			return -1;
		}
	}
	for (; optind < argc; optind++)
		if (add_lun(o, argv[optind]))
			return -1;
	return 0;
}

unsigned int options_lun_index(const struct options *o, unsigned int i)
{
	return o->lun[i].has_index ? o->lun[i].index : i;
}

int options_finish(struct options *o)
{
	if (!o->nluns)
		return cli_fail(PROG, "no LUN: name at least one file or block device (see --help)");
	for (unsigned int i = 0; i < o->nluns; i++)
		for (unsigned int j = 0; j < i; j++)
			if (options_lun_index(o, i) == options_lun_index(o, j))
				return cli_fail(PROG, "LUN %u is both %s and %s",
						options_lun_index(o, i),
						o->lun[j].path, o->lun[i].path);
	if (o->cli.busy_poll)
		return cli_fail(PROG, "--busy-poll: srpt-blockdev polls on its own threads, which sleep when idle");
	if (!o->alua_group && (o->alua_port ||
			       o->alua_state != SCSI_ALUA_ACTIVE_OPTIMIZED))
		return cli_fail(PROG, "--alua-port and --alua-state need --alua-group");
	if (o->alua_group && !o->alua_port)
		o->alua_port = o->alua_group;
	if (options_check_rbd_lock(o))
		return -1;
	/* whole chunks */
	o->pool_size -= o->pool_size % POOL_CHUNK_SIZE;
	/* -v asks for at least the lifecycle lines */
	if (!o->log_level)
		o->log_level = SRPT_LOG_NOTICE;
	if (o->cli.verbose && o->log_level < SRPT_LOG_INFO)
		o->log_level = SRPT_LOG_INFO;
	o->cli.app_poll = true;
	return target_cli_finish(&o->cli);
}

int options_check_rbd_lock(const struct options *o)
{
	if (!o->rbd_lock)
		return o->rbd_stale ?
		       cli_fail(PROG, "--rbd-stale (alua.rbd_stale) needs --rbd-lock") : 0;
	if (!o->alua_group)
		return cli_fail(PROG, "--rbd-lock (alua.rbd_lock) needs --alua-group: each process is a port group of its own");
	if (o->alua_state != SCSI_ALUA_ACTIVE_OPTIMIZED)
		return cli_fail(PROG, "--alua-state (alua.state) and --rbd-lock: the image's lock decides the state");
	if (o->nluns != 1 || !options_lun_is_rbd(&o->lun[0]))
		return cli_fail(PROG, "--rbd-lock: serve exactly one LUN, an rbd:POOL/IMAGE (%u LUN(s) given%s)",
				o->nluns, o->nluns && !options_lun_is_rbd(&o->lun[0]) ?
				", not an RBD image" : "");
	if (o->read_only || o->lun[0].read_only)
		return cli_fail(PROG, "--rbd-lock: a read-only LUN takes no lock (the owner writes)");
	return 0;
}

void options_free(struct options *o)
{
	for (unsigned int i = 0; i < o->nluns; i++) {
		free(o->lun[i].path);
		free(o->lun[i].name);
		free(o->lun[i].ceph_conf);
		free(o->lun[i].ceph_id);
	}
	o->nluns = 0;
	free(o->config_path);
	free(o->control_path);
	free(o->ceph_conf);
	free(o->ceph_id);
	o->config_path = o->control_path = NULL;
	o->ceph_conf = o->ceph_id = NULL;
	target_cli_free(&o->cli);
}
