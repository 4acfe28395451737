/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The command line the example targets share (cli.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <srpt/srpt.h>

#include "cli.h"
#include "show.h"

int cli_fail(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int cli_parse_size(const char *s, uint64_t *out)
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

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

int cli_parse_hex64(const char *s, uint64_t *out)
{
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (!*s || strlen(s) > 16 || !isxdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return *end || errno || !*out ? -1 : 0;
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

int target_cli_add_allow(struct target_cli *c, const char *s)
{
	struct allow_entry e = { 0 }, *n;

	if (parse_port_id(s, e.port_id) == 0)
		e.is_addr = false;
	else if (parse_addr(s, 0, &e.addr) == 0)
		e.is_addr = true;
	else
		return -EINVAL;
	n = realloc(c->allow, (c->nallow + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->allow = n;
	c->allow[c->nallow++] = e;
	return 0;
}

static int add_allow(struct target_cli *c, const char *s)
{
	int r = target_cli_add_allow(c, s);

	if (r == -EINVAL)
		return cli_fail(c->prog, "--allow: '%s' is neither a 32-hex-digit port id nor an IP address", s);
	if (r)
		return cli_fail(c->prog, "%s", "out of memory");
	return 0;
}

/* "0,2,3": each a CPU number below 1024, at most 64 of them. */
static int parse_cpus(struct target_cli *c, const char *arg)
{
	const char *p = arg;

	c->ncpus = 0;
	do {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*p))
			return cli_fail(c->prog, "--cpus: '%s' is not a list of CPU numbers (e.g. 0,2,3)", arg);
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v >= 1024 || c->ncpus == 64 ||
		    (*end && *end != ','))
			return cli_fail(c->prog, "--cpus: '%s' is not a list of CPU numbers (e.g. 0,2,3)", arg);
		c->cpus[c->ncpus++] = (unsigned int)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
}

void target_cli_init(struct target_cli *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->port = 5555;
}

int target_cli_option(struct target_cli *c, int opt, const char *arg)
{
	unsigned long v;

	switch (opt) {
	case 'p':
		if (cli_parse_uint(arg, 65535, &v) || !v)
			return cli_fail(c->prog, "--port: '%s' is not a port number (1-65535)", arg);
		c->port = (uint16_t)v;
		return 1;
	case 'b':
		if (parse_addr(arg, 0, &c->bind))
			return cli_fail(c->prog, "--bind: '%s' is not an IPv4 or IPv6 address", arg);
		snprintf(c->bind_str, sizeof(c->bind_str), "%s", arg);
		return 1;
	case 'g':
		if (cli_parse_hex64(arg, &c->ioc_guid))
			return cli_fail(c->prog, "--ioc-guid: '%s' is not a non-zero 64-bit hex number", arg);
		return 1;
	case 'a':
		return add_allow(c, arg) ? -1 : 1;
	case 'q':
		if (cli_parse_uint(arg, 4096, &v) || v < 2)
			return cli_fail(c->prog, "--queue-depth: '%s' is not a number from 2 to 4096", arg);
		c->queue_depth = (uint32_t)v;
		return 1;
	case 'P':
		c->busy_poll = true;
		return 1;
	case 'S':
		if (cli_parse_uint(arg, 65536, &v) || v < 16)
			return cli_fail(c->prog, "--srq: '%s' is not a number from 16 to 65536", arg);
		c->srq_size = (uint32_t)v;
		return 1;
	case 't':
		if (cli_parse_uint(arg, 16, &v) || !v)
			return cli_fail(c->prog, "--threads: '%s' is not a number from 1 to 16", arg);
		c->threads = (uint32_t)v;
		return 1;
	case TARGET_CLI_FIRST_LONG:
		c->app_poll = true;
		return 1;
	case TARGET_CLI_FIRST_LONG + 1:
		return parse_cpus(c, arg) ? -1 : 1;
	case 'v':
		c->verbose++;
		return 1;
	default:
		return 0;
	}
}

int target_cli_finish(struct target_cli *c)
{
	if (c->app_poll && c->busy_poll)
		return cli_fail(c->prog, "--app-poll and --busy-poll: the first runs no completion thread of the library's to busy-poll");
	if (c->bind_str[0]) {
		parse_addr(c->bind_str, c->port, &c->bind);
	} else {
		/* IPv6 any also takes IPv4 connections. */
		parse_addr("::", c->port, &c->bind);
		snprintf(c->bind_str, sizeof(c->bind_str), "any address");
	}
	return 0;
}

void target_cli_free(struct target_cli *c)
{
	free(c->allow);
	c->allow = NULL;
	c->nallow = 0;
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

bool target_cli_allowed(const struct target_cli *c, const uint8_t port_id[16],
			const struct sockaddr_storage *src)
{
	if (!c->nallow)
		return true;
	for (unsigned int i = 0; i < c->nallow; i++) {
		const struct allow_entry *e = &c->allow[i];

		if (e->is_addr ? same_addr(&e->addr, src) :
		    !memcmp(e->port_id, port_id, 16))
			return true;
	}
	return false;
}

int target_cli_login(const struct target_cli *c,
		     const struct srpt_login_info *li)
{
	char id[33], src[INET6_ADDRSTRLEN];

	show_port_id(li->initiator_port_id, id);
	show_addr(&li->src, src, sizeof(src));
	if (!target_cli_allowed(c, li->initiator_port_id, &li->src)) {
		fprintf(stderr, "%s: login from %s (port id %s) rejected: not in --allow list\n",
			c->prog, src, id);
		return SRPT_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
	}
	fprintf(stderr, "%s: login from %s (port id %s, %s)\n", c->prog, src,
		id, li->multichannel ? "multi" : "single");
	return SRPT_LOGIN_ACCEPT;
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

void target_cli_dest(const struct target_cli *c, char *out, size_t n)
{
	char a[sizeof(c->bind_str)] = "ADDR";

	if (strcmp(c->bind_str, "any address"))
		snprintf(a, sizeof(a), "%s", c->bind_str);
	else
		rdma_netdev_addr(a, sizeof(a));
	if (strchr(a, ':'))
		snprintf(out, n, "[%s]:%u", a, c->port);
	else
		snprintf(out, n, "%s:%u", a, c->port);
}

/* The library's threads get names that top(1) and the guest tests can
 * find: srpt-dispatch, srpt-cq0, srpt-cq1... */
static void name_thread(int kind, unsigned int index, void *userdata)
{
	char name[16];

	(void)userdata;
	if (kind == SRPT_THREAD_DISPATCH)
		snprintf(name, sizeof(name), "srpt-dispatch");
	else
		snprintf(name, sizeof(name), "srpt-cq%u", index);
	pthread_setname_np(pthread_self(), name);
}

/* One completion thread per CPU: the initiator opens a channel per CPU,
 * and on soft-RoCE the protocol work of a post runs in the posting
 * thread, so one thread would serialise every channel. */
static uint32_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 16 ? 16 : (uint32_t)n;
}

void target_cli_target_opts(const struct target_cli *c,
			    struct srpt_target_opts *o)
{
	o->ioc_guid = c->ioc_guid;
	o->queue_depth = c->queue_depth;
	o->flags = c->busy_poll ? SRPT_TARGET_BUSY_POLL : 0;
	if (c->app_poll)
		o->flags |= SRPT_TARGET_APP_POLL;
	if (c->srq_size) {
		o->flags |= SRPT_TARGET_SRQ;
		o->srq_size = c->srq_size;
	}
	o->completion_threads = c->threads ? c->threads : online_cpus();
	o->completion_cpus = c->ncpus ? c->cpus : NULL;
	o->ncompletion_cpus = c->ncpus;
	o->thread_start = name_thread;
	o->log_level = c->verbose ? SRPT_LOG_INFO : SRPT_LOG_NOTICE;
}
