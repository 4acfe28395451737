/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_EXAMPLES_CLI_H
#define SRPT_EXAMPLES_CLI_H
/*
 * The command line every example target shares: where it listens, who
 * may log in, how the library runs (credits, receive queues, completion
 * threads). Each program adds its own options around these; every bad
 * value gets a one-line error that names the option.
 *
 * Usage, in a getopt_long() loop:
 *
 *	target_cli_init(&cli, "srpt-xyz");
 *	while ((c = getopt_long(argc, argv, "x:" TARGET_CLI_SHORT, lopts,
 *				NULL)) != -1) {
 *		r = target_cli_option(&cli, c, optarg);
 *		if (r < 0) return -1;
 *		if (r > 0) continue;
 *		...the program's own options...
 *	}
 *	if (target_cli_finish(&cli)) return -1;
 *
 * with TARGET_CLI_LONG inside the program's struct option array, and
 * TARGET_CLI_USAGE inside its help text. The program's own long-only
 * options take values below TARGET_CLI_FIRST_LONG.
 *
 * Context: the main thread, before the target exists (getopt is not
 * thread safe), but for target_cli_allowed(), which the login callback
 * calls from the library's dispatch thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct srpt_target_opts;

struct allow_entry {
	bool is_addr;
	uint8_t port_id[16];
	struct sockaddr_storage addr;
};

struct target_cli {
	const char *prog;		/* for messages */
	uint16_t port;
	struct sockaddr_storage bind;
	char bind_str[64];
	uint64_t ioc_guid;		/* 0: the device's node GUID */
	uint32_t queue_depth;		/* 0: the library's default */
	uint32_t srq_size;		/* 0: a receive ring per channel */
	uint32_t threads;		/* 0: one per online CPU */
	struct allow_entry *allow;
	unsigned int nallow;
	int verbose;
	bool busy_poll;
	bool app_poll;			/* SRPT_TARGET_APP_POLL */
	unsigned int cpus[64];		/* --cpus */
	unsigned int ncpus;
};

#define TARGET_CLI_FIRST_LONG 0x100
#define TARGET_CLI_SHORT "p:b:g:a:q:PS:t:v"
#define TARGET_CLI_LONG \
	{ "port", required_argument, NULL, 'p' }, \
	{ "bind", required_argument, NULL, 'b' }, \
	{ "ioc-guid", required_argument, NULL, 'g' }, \
	{ "allow", required_argument, NULL, 'a' }, \
	{ "queue-depth", required_argument, NULL, 'q' }, \
	{ "busy-poll", no_argument, NULL, 'P' }, \
	{ "srq", required_argument, NULL, 'S' }, \
	{ "threads", required_argument, NULL, 't' }, \
	{ "app-poll", no_argument, NULL, TARGET_CLI_FIRST_LONG }, \
	{ "cpus", required_argument, NULL, TARGET_CLI_FIRST_LONG + 1 }, \
	{ "verbose", no_argument, NULL, 'v' }

#define TARGET_CLI_USAGE \
"  -p, --port PORT      RDMA/CM port to listen on (default 5555)\n" \
"  -b, --bind ADDR      IPv4 or IPv6 address to listen on (default: any)\n" \
"  -g, --ioc-guid HEX   IOC GUID of the target port (default: the node GUID\n" \
"                       of the RDMA device that carries the address)\n" \
"  -a, --allow ID       allow only this initiator: a 32-hex-digit initiator\n" \
"                       port id, or an IP address; repeatable (default: all)\n" \
"  -q, --queue-depth N  credits per channel (default 128)\n" \
"  -P, --busy-poll      poll completions without sleeping (real hardware;\n" \
"                       costs one core per completion thread)\n" \
"  -S, --srq N          all channels of a device share N receive buffers\n" \
"                       (16-65536) instead of queue depth + 4 each\n" \
"  -t, --threads N      completion threads, each serving its share of the\n" \
"                       channels (default: one per online CPU, at most 16)\n" \
"      --cpus LIST      pin completion threads to these CPUs in turn\n" \
"                       (e.g. 0,2,3)\n" \
"  -v, --verbose        log channel lifecycle steps\n"

/* Defaults: port 5555, any address, everybody allowed. */
void target_cli_init(struct target_cli *c, const char *prog);

/*
 * One option of getopt_long(): 1 when it was one of ours (taken), 0 when
 * it is the program's, -1 after an error (printed).
 */
int target_cli_option(struct target_cli *c, int opt, const char *arg);

/* After the last option: the listening address, and the options that
 * exclude each other. Returns 0, or -1 after an error (printed). */
int target_cli_finish(struct target_cli *c);

void target_cli_free(struct target_cli *c);

/* One --allow entry (a 32-hex-digit initiator port id or an IP address)
 * added without a message, for a configuration file: 0, -EINVAL for
 * neither, -ENOMEM. */
int target_cli_add_allow(struct target_cli *c, const char *s);

/* Whether an initiator may log in (no --allow: everybody). Any thread. */
bool target_cli_allowed(const struct target_cli *c, const uint8_t port_id[16],
			const struct sockaddr_storage *src);

struct srpt_login_info;

/*
 * The login decision every example target makes in on_req: the --allow
 * list, with a line on stderr either way ("PROG: login from ADDR (port
 * id ID, single|multi)", or "... rejected: not in --allow list").
 * Returns SRPT_LOGIN_ACCEPT or SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED.
 * Any thread (the library's dispatch thread).
 */
int target_cli_login(const struct target_cli *c,
		     const struct srpt_login_info *li);

/* "ADDR:PORT" for the add_target line; the any-address is replaced by
 * an address of an RDMA-capable interface when one is found. */
void target_cli_dest(const struct target_cli *c, char *out, size_t n);

/*
 * Fill the library's options from the command line: GUID, credits,
 * receive queues, flags, completion threads (default: one per online
 * CPU, at most 16) and their CPUs, and a start hook that names the
 * library's threads srpt-dispatch, srpt-cq0, srpt-cq1...
 */
void target_cli_target_opts(const struct target_cli *c,
			    struct srpt_target_opts *o);

/* The pieces, for the programs' own options. */
__attribute__((format(printf, 2, 3)))
int cli_fail(const char *prog, const char *fmt, ...);	/* returns -1 */
/* "64M"-style sizes (K, M, G; an optional B): 0, or -1. */
int cli_parse_size(const char *s, uint64_t *out);
/* A decimal number up to @max: 0, or -1. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A non-zero hexadecimal number of up to 16 digits, "0x" allowed. */
int cli_parse_hex64(const char *s, uint64_t *out);

#endif
