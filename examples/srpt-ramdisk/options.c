/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* Command line of srpt-ramdisk; every bad value gets a one-line error. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srpt/version.h>

#include "options.h"

static const char usage[] =
"Usage: srpt-ramdisk [OPTION]...\n"
"Serve RAM disks to SRP initiators over RDMA/CM (libsrpt example).\n"
"\n"
"  -p, --port PORT      RDMA/CM port to listen on (default 5555)\n"
"  -b, --bind ADDR      IPv4 or IPv6 address to listen on (default: any)\n"
"  -n, --luns N         number of LUNs (default 1, at most 256)\n"
"  -s, --size SIZE      size of each LUN, with K, M or G (default 64M)\n"
"  -g, --ioc-guid HEX   IOC GUID of the target port (default: the node GUID\n"
"                       of the RDMA device that carries the address)\n"
"  -a, --allow ID       allow only this initiator: a 32-hex-digit initiator\n"
"                       port id, or an IP address; repeatable (default: all)\n"
"  -q, --queue-depth N  credits per channel (default 128)\n"
"  -P, --busy-poll      poll completions without sleeping (real hardware;\n"
"                       costs one core per completion thread)\n"
"  -S, --srq N          all channels of a device share N receive buffers\n"
"                       (16-65536) instead of queue depth + 4 each\n"
"  -t, --threads N      completion threads, each serving its share of the\n"
"                       channels (default: one per online CPU, at most 16)\n"
"      --app-poll       run the completion work on srpt-ramdisk's own\n"
"                       threads (SRPT_TARGET_APP_POLL), one per --threads\n"
"      --cpus LIST      pin completion threads to these CPUs in turn\n"
"                       (e.g. 0,2,3)\n"
"      --staging N      send READs from a pool of N registered 512 KiB\n"
"                       buffers, recycled on the library's release\n"
"                       notification (default 0: straight from the disk)\n"
"      --stall-lun N    hold READs and WRITEs of LUN N's middle block until\n"
"                       task management aborts them (to test an initiator's\n"
"                       error handling)\n"
"  -v, --verbose        log channel lifecycle steps\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n";

__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "srpt-ramdisk: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int options_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mul = 1ull << 10; end++; break;
	case 'M': mul = 1ull << 20; end++; break;
	case 'G': mul = 1ull << 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return 0;
	}
	return -1;
}

static int parse_port_id(const char *s, uint8_t id[16])
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (strlen(s) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		id[i] = (uint8_t)b;
	}
	return 0;
}

static int add_allow(struct options *o, const char *s)
{
	struct allow_entry e = { 0 }, *n;

	if (parse_port_id(s, e.port_id) == 0)
		e.is_addr = false;
	else if (parse_addr(s, 0, &e.addr) == 0)
		e.is_addr = true;
	else
		return fail("--allow: '%s' is neither a 32-hex-digit port id nor an IP address", s);
	n = realloc(o->allow, (o->nallow + 1) * sizeof(*n));
	if (!n)
		return fail("%s", "out of memory");
	o->allow = n;
	o->allow[o->nallow++] = e;
	return 0;
}

/* "0,2,3": each a CPU number below 1024, at most 64 of them. */
static int parse_cpus(struct options *o, const char *arg)
{
	const char *p = arg;

	o->ncpus = 0;
	do {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*p))
			return fail("--cpus: '%s' is not a list of CPU numbers (e.g. 0,2,3)", arg);
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v >= 1024 || o->ncpus == 64 ||
		    (*end && *end != ','))
			return fail("--cpus: '%s' is not a list of CPU numbers (e.g. 0,2,3)", arg);
		o->cpus[o->ncpus++] = (unsigned int)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "luns", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "ioc-guid", required_argument, NULL, 'g' },
		{ "allow", required_argument, NULL, 'a' },
		{ "queue-depth", required_argument, NULL, 'q' },
		{ "busy-poll", no_argument, NULL, 'P' },
		{ "srq", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "stall-lun", required_argument, NULL, 1 },
		{ "staging", required_argument, NULL, 3 },
		{ "app-poll", no_argument, NULL, 4 },
		{ "cpus", required_argument, NULL, 5 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *bind = NULL;
	unsigned long v;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->port = 5555;
	o->luns = 1;
	o->size = 64ull << 20;
	o->stall_lun = -1;
	while ((c = getopt_long(argc, argv, "p:b:n:s:g:a:q:PS:t:vhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, 65535, &v) || !v)
				return fail("--port: '%s' is not a port number (1-65535)", optarg);
			o->port = (uint16_t)v;
			break;
		case 'b':
			bind = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 256, &v) || !v)
				return fail("--luns: '%s' is not a number from 1 to 256", optarg);
			o->luns = (unsigned int)v;
			break;
		case 's':
			if (options_parse_size(optarg, &o->size) || o->size < 4096 ||
			    o->size % 512)
				return fail("--size: '%s' is not a size of at least 4K in 512-byte blocks (e.g. 64M)", optarg);
			break;
		case 'g': {
			const char *s = optarg;

			if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
				s += 2;
			errno = 0;
			o->ioc_guid = strtoull(s, &end, 16);
			if (!*s || *end || errno || strlen(s) > 16 || !o->ioc_guid)
				return fail("--ioc-guid: '%s' is not a non-zero 64-bit hex number", optarg);
			break;
		}
		case 'a':
			if (add_allow(o, optarg))
				return -1;
			break;
		case 'q':
			if (parse_uint(optarg, 4096, &v) || v < 2)
				return fail("--queue-depth: '%s' is not a number from 2 to 4096", optarg);
			o->queue_depth = (uint32_t)v;
			break;
		case 'P':
			o->busy_poll = true;
			break;
		case 'S':
			if (parse_uint(optarg, 65536, &v) || v < 16)
				return fail("--srq: '%s' is not a number from 16 to 65536", optarg);
			o->srq_size = (uint32_t)v;
			break;
		case 't':
			if (parse_uint(optarg, 16, &v) || !v)
				return fail("--threads: '%s' is not a number from 1 to 16", optarg);
			o->threads = (uint32_t)v;
			break;
		case 1:
			if (parse_uint(optarg, 255, &v))
				return fail("--stall-lun: '%s' is not a LUN from 0 to 255", optarg);
			o->stall_lun = (int)v;
			break;
		case 3:
			if (parse_uint(optarg, 4096, &v))
				return fail("--staging: '%s' is not a number from 0 to 4096", optarg);
			o->staging = (unsigned int)v;
			break;
		case 4:
			o->app_poll = true;
			break;
		case 5:
			if (parse_cpus(o, optarg))
				return -1;
			break;
		case 'v':
			o->verbose++;
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
		return fail("unexpected argument '%s'", argv[optind]);
	if (o->app_poll && o->busy_poll)
		return fail("--app-poll and --busy-poll: the first runs no completion thread of the library's to busy-poll");
	if (bind) {
		if (parse_addr(bind, o->port, &o->bind))
			return fail("--bind: '%s' is not an IPv4 or IPv6 address", bind);
		snprintf(o->bind_str, sizeof(o->bind_str), "%s", bind);
	} else {
		/* IPv6 any also takes IPv4 connections. */
		parse_addr("::", o->port, &o->bind);
		snprintf(o->bind_str, sizeof(o->bind_str), "any address");
	}
	return 1;
}

void options_free(struct options *o)
{
	free(o->allow);
	o->allow = NULL;
}

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family == AF_INET && b->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6 && b->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &b6->sin6_addr, 16);
	/* An IPv4 rule against an IPv4-mapped IPv6 source. */
	if (a->ss_family == AF_INET && b->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&b6->sin6_addr))
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &b6->sin6_addr.s6_addr[12], 4);
	return false;
}

bool options_allowed(const struct options *o, const uint8_t port_id[16],
		     const struct sockaddr_storage *src)
{
	if (!o->nallow)
		return true;
	for (unsigned int i = 0; i < o->nallow; i++) {
		const struct allow_entry *e = &o->allow[i];

		if (e->is_addr ? same_addr(&e->addr, src) :
		    !memcmp(e->port_id, port_id, 16))
			return true;
	}
	return false;
}

/* An IPv4 address of a netdev that carries an RDMA device, if any. */
static bool rdma_netdev_addr(char *out, size_t n)
{
	struct ifaddrs *ifa, *p;
	DIR *d = opendir("/sys/class/infiniband");
	struct dirent *de;
	char path[512], ndev[IF_NAMESIZE + 1];
	bool found = false;

	if (!d)
		return false;
	if (getifaddrs(&ifa)) {
		closedir(d);
		return false;
	}
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/sys/class/infiniband/%s/ports/1/gid_attrs/ndevs/0",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(ndev, sizeof(ndev), f)) {
			ndev[strcspn(ndev, "\n")] = 0;
			for (p = ifa; p; p = p->ifa_next) {
				if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
				    !strcmp(p->ifa_name, ndev)) {
					inet_ntop(AF_INET,
						  &((struct sockaddr_in *)p->ifa_addr)->sin_addr,
						  out, (socklen_t)n);
					found = true;
					break;
				}
			}
		}
		fclose(f);
	}
	freeifaddrs(ifa);
	closedir(d);
	return found;
}

void options_dest(const struct options *o, char *out, size_t n)
{
	char a[sizeof(o->bind_str)] = "ADDR";

	if (strcmp(o->bind_str, "any address"))
		snprintf(a, sizeof(a), "%s", o->bind_str);
	else
		rdma_netdev_addr(a, sizeof(a));
	if (strchr(a, ':'))
		snprintf(out, n, "[%s]:%u", a, o->port);
	else
		snprintf(out, n, "%s:%u", a, o->port);
}
