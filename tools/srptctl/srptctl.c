/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srptctl: asks a running srpt-blockdev, through its control socket
 * (--control), what it serves and who is connected, and tells it to
 * close a channel, add or remove a LUN, change its ALUA state or log
 * level, or save or reload its configuration. One JSON-RPC 2.0 request per line, one answer per line
 * (srptctl(8)). Tables for people, --json for scripts.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define PROG "srptctl"
#define DEFAULT_SOCKET "/run/srpt-blockdev.sock"

static const char usage[] =
"Usage: srptctl [-s SOCKET] [--json] COMMAND [ARG]\n"
"Ask a running srpt-blockdev through its control socket (--control).\n"
"\n"
"Commands:\n"
"  show            the target port, its LUNs and ALUA state\n"
"  sessions        every channel: initiator, state, credits, counters\n"
"  close ID        disconnect channel ID (from 'sessions')\n"
"  lun add PATH [--lun N] [--name NAME] [--ro]\n"
"                  serve a file or block device as a new LUN (default:\n"
"                  the lowest free number); initiators are told\n"
"  lun remove N    stop serving LUN N\n"
"  alua STATE      set the port group's ALUA state: active,\n"
"                  non-optimized, standby or unavailable\n"
"  log LEVEL       set the log level: err, warning, notice, info, debug\n"
"  save [PATH]     write the running configuration to PATH (default:\n"
"                  the --config file it was started with)\n"
"  reload          read the --config file again and apply its LUN\n"
"                  changes (as SIGHUP)\n"
"  call METHOD [PARAMS]  send any method, PARAMS a JSON object\n"
"\n"
"Options:\n"
"  -s, --socket PATH  the control socket (default: $SRPTCTL_SOCKET, or\n"
"                     " DEFAULT_SOCKET ")\n"
"  -j, --json         print the server's result as JSON\n"
"  -T, --timeout SEC  give up waiting for the answer (default 10)\n"
"  -h, --help         show this help\n"
"  -V, --version      show the version\n"
"\n"
"Exit status: 0 done, 1 the server refused or could not be reached,\n"
"2 wrong usage.\n";

static int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return status;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(-1, "%s: too long for a Unix socket path", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-1, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return fail(-1, "cannot reach srpt-blockdev at %s: %s%s", path,
			    strerror(e),
			    e == ENOENT ? " (is it running, with --control? see -s)" :
			    e == ECONNREFUSED ? " (a socket left by a process that ended?)" :
			    e == EACCES ? " (the socket is its owner's only: run as that user or root)" : "");
	}
	return fd;
}

/* Send one request and read its one-line answer: the "result", or NULL
 * after an error (printed; *status set). */
static json_object *call(const char *path, const char *method,
			 json_object *params, int timeout_s, int *status)
{
	json_object *req = json_object_new_object(), *rsp, *v, *result = NULL;
	struct json_tokener *tok = NULL;
	const char *text;
	size_t len, off = 0;
	char buf[65536];
	int fd;

	*status = 1;
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params)
		json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int(1));
	fd = connect_to(path);
	if (fd < 0) {
		json_object_put(req);
		return NULL;
	}
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	while (off <= len) {
		ssize_t w = off < len ?
			send(fd, text + off, len - off, MSG_NOSIGNAL) :
			send(fd, "\n", 1, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fail(0, "%s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	tok = json_tokener_new();
	for (rsp = NULL; !rsp;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		enum json_tokener_error e;
		ssize_t got;
		char *nl;

		if (poll(&p, 1, timeout_s * 1000) == 0) {
			fail(0, "no answer from %s in %d s", path, timeout_s);
			goto out;
		}
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fail(0, "%s closed the connection without an answer",
			     path);
			goto out;
		}
		nl = memchr(buf, '\n', (size_t)got);
		rsp = json_tokener_parse_ex(tok, buf,
					    (int)(nl ? nl - buf : got));
		e = json_tokener_get_error(tok);
		if (!rsp && (e != json_tokener_continue || nl)) {
			fail(0, "the answer is not JSON: %s",
			     json_tokener_error_desc(e));
			goto out;
		}
	}
	if (json_object_object_get_ex(rsp, "error", &v) && v) {
		json_object *m = NULL, *c = NULL;

		json_object_object_get_ex(v, "message", &m);
		json_object_object_get_ex(v, "code", &c);
		fail(0, "%s: %s (%d)", method,
		     m ? json_object_get_string(m) : "error",
		     c ? json_object_get_int(c) : 0);
	} else if (json_object_object_get_ex(rsp, "result", &v)) {
		result = json_object_get(v);
		if (!result)	/* a null result */
			result = json_object_new_object();
		*status = 0;
	} else {
		fail(0, "the answer has neither result nor error");
	}
	json_object_put(rsp);
out:
	if (tok)
		json_tokener_free(tok);
	close(fd);
	json_object_put(req);
	return result;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

static uint64_t u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_uint64(v);
}

static int64_t i64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_int64(v);
}

static bool boolean(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v &&
	       json_object_get_boolean(v);
}

/* 1536 -> "1.5K"; the unit steps at 1024. */
static void human(uint64_t v, char *out, size_t n)
{
	static const char units[] = "BKMGTPE";
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 6) {
		d /= 1024;
		u++;
	}
	if (!u)
		snprintf(out, n, "%" PRIu64 "B", v);
	else
		snprintf(out, n, d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
}

static void print_lun_head(void)
{
	printf("%-4s %-8s %-6s %-3s %-4s %-6s %-s\n", "LUN", "SIZE", "BLOCK",
	       "RO", "THIN", "WCACHE", "PATH");
}

static void print_lun(json_object *l)
{
	json_object *name;
	char size[32];

	human(u64(l, "size"), size, sizeof(size));
	printf("%-4" PRId64 " %-8s %-6" PRId64 " %-3s %-4s %-6s %s",
	       i64(l, "lun"), size, i64(l, "block_size"),
	       boolean(l, "read_only") ? "yes" : "no",
	       boolean(l, "thin") ? "yes" : "no",
	       boolean(l, "write_cache") ? "yes" : "no", str(l, "path"));
	if (json_object_object_get_ex(l, "name", &name) && name)
		printf(" (name %s)", json_object_get_string(name));
	printf("\n");
}

static void print_show(json_object *r)
{
	json_object *ports, *luns, *alua;

	if (json_object_object_get_ex(r, "ports", &ports))
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			json_object *p = json_object_array_get_idx(ports, i);

			printf("target port   id_ext %s ioc_guid %s, listening on %s port %" PRId64 "\n",
			       str(p, "id_ext"), str(p, "ioc_guid"),
			       str(p, "address"), i64(p, "port"));
		}
	if (json_object_object_get_ex(r, "alua", &alua) && alua)
		printf("ALUA          port group %" PRId64 ", relative port %" PRId64 ", %s\n",
		       i64(alua, "group"), i64(alua, "port"),
		       str(alua, "state"));
	else
		printf("ALUA          none\n");
	printf("log level     %s\n", str(r, "log_level"));
	printf("configuration %s\n", str(r, "config"));
	printf("channels      %" PRIu64 " now, %" PRIu64 " logins\n",
	       u64(r, "channels"), u64(r, "logins"));
	printf("\n");
	print_lun_head();
	if (json_object_object_get_ex(r, "luns", &luns))
		for (size_t i = 0; i < json_object_array_length(luns); i++)
			print_lun(json_object_array_get_idx(luns, i));
}

static void print_sessions(json_object *r)
{
	json_object *chs;
	size_t n;

	if (!json_object_object_get_ex(r, "channels", &chs) ||
	    !(n = json_object_array_length(chs))) {
		printf("no channel\n");
		return;
	}
	printf("%-5s %-13s %-32s %-15s %-9s %-6s %-9s %-5s %-10s %-8s %-8s\n",
	       "ID", "STATE", "INITIATOR", "SOURCE", "DEVICE", "QP",
	       "CREDITS", "OUTST", "CMDS", "READ", "WRITTEN");
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(chs, i), *st = NULL;
		char dev[80], cred[32], rd[32], wr[32];

		json_object_object_get_ex(c, "stats", &st);
		snprintf(dev, sizeof(dev), "%s:%" PRId64, str(c, "device"),
			 i64(c, "port"));
		snprintf(cred, sizeof(cred), "%" PRId64 "/%" PRIu64,
			 i64(c, "credits_held"), u64(c, "credits"));
		human(u64(st, "bytes_in"), rd, sizeof(rd));
		human(u64(st, "bytes_out"), wr, sizeof(wr));
		printf("%-5" PRIu64 " %-13s %-32s %-15s %-9s %-6" PRIu64 " %-9s %-5" PRIu64 " %-10" PRIu64 " %-8s %-8s\n",
		       u64(c, "id"), str(c, "state"), str(c, "initiator"),
		       str(c, "source"), dev, u64(c, "qp"), cred,
		       u64(c, "outstanding"), u64(st, "cmds"), rd, wr);
	}
}

/* A LUN number on the command line: 0..255, or -1. */
static int lun_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 255)
		return -1;
	return (int)v;
}

/* "lun add PATH [--lun N] [--name NAME] [--ro]", "lun remove N": the
 * method and its params, or a usage error (status 2). */
static int lun_command(int n, char **a, const char **method,
		       json_object **params, const char **sub)
{
	int x;

	if (n < 1)
		return fail(2, "lun: add or remove (see --help)");
	*sub = a[0];
	if (!strcmp(a[0], "remove")) {
		if (n != 2 || (x = lun_arg(a[1])) < 0)
			return fail(2, "lun remove: needs one LUN number from 0 to 255 (see 'srptctl show')");
		*method = "lun.remove";
		*params = json_object_new_object();
		json_object_object_add(*params, "lun", json_object_new_int(x));
		return 0;
	}
	if (strcmp(a[0], "add"))
		return fail(2, "lun: '%s' is neither add nor remove", a[0]);
	if (n < 2 || a[1][0] == '-' || !a[1][0])
		return fail(2, "lun add: needs the PATH of a file or block device first");
	*method = "lun.add";
	*params = json_object_new_object();
	json_object_object_add(*params, "path", json_object_new_string(a[1]));
	for (int i = 2; i < n; i++) {
		if (!strcmp(a[i], "--ro")) {
			json_object_object_add(*params, "read_only",
					       json_object_new_boolean(1));
		} else if (!strcmp(a[i], "--lun") && i + 1 < n) {
			x = lun_arg(a[++i]);
			if (x < 0)
				return fail(2, "lun add: --lun '%s' is not a LUN number from 0 to 255", a[i]);
			json_object_object_add(*params, "lun",
					       json_object_new_int(x));
		} else if (!strcmp(a[i], "--name") && i + 1 < n && a[i + 1][0]) {
			json_object_object_add(*params, "name",
					       json_object_new_string(a[++i]));
		} else {
			return fail(2, "lun add: '%s' is not --lun N, --name NAME or --ro", a[i]);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *path = getenv("SRPTCTL_SOCKET"), *cmd, *method, *sub = "";
	json_object *params = NULL, *result;
	bool json = false;
	int c, status, timeout_s = 10, nargs;
	char *end;

	if (!path || !*path)
		path = DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:jT:hV", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'T':
			timeout_s = (int)strtol(optarg, &end, 10);
			if (*end || timeout_s < 1 || timeout_s > 3600)
				return fail(2, "--timeout: '%s' is not a number of seconds from 1 to 3600", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf(PROG " (libsrpt) %s\n", SRPTCTL_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'srptctl --help'.\n");
			return 2;
		}
	}
	if (optind == argc)
		return fail(2, "no command (show, sessions, close, lun, alua, log, save, reload, call; see --help)");
	cmd = argv[optind++];
	nargs = argc - optind;
#define ARGS(lo, hi, what) \
	do { if (nargs < (lo) || nargs > (hi)) \
		return fail(2, "%s: %s (see --help)", cmd, what); } while (0)
	if (!strcmp(cmd, "show")) {
		ARGS(0, 0, "takes no argument");
		method = "target.show";
	} else if (!strcmp(cmd, "sessions")) {
		ARGS(0, 0, "takes no argument");
		method = "sessions.list";
	} else if (!strcmp(cmd, "close")) {
		unsigned long long id;

		ARGS(1, 1, "needs a channel ID");
		errno = 0;
		id = strtoull(argv[optind], &end, 10);
		if (*end || errno || !id || id > INT64_MAX ||
		    argv[optind][0] == '-')
			return fail(2, "close: '%s' is not a channel ID (see 'srptctl sessions')", argv[optind]);
		method = "session.close";
		params = json_object_new_object();
		json_object_object_add(params, "id",
				       json_object_new_int64((int64_t)id));
	} else if (!strcmp(cmd, "lun")) {
		int e = lun_command(nargs, argv + optind, &method, &params,
				    &sub);

		if (e) {
			json_object_put(params);
			return e;
		}
	} else if (!strcmp(cmd, "alua")) {
		ARGS(1, 1, "needs a state: active, non-optimized, standby, unavailable");
		method = "alua.set_state";
		params = json_object_new_object();
		json_object_object_add(params, "state",
				       json_object_new_string(argv[optind]));
	} else if (!strcmp(cmd, "log")) {
		ARGS(1, 1, "needs a level: err, warning, notice, info, debug");
		method = "log.set_level";
		params = json_object_new_object();
		json_object_object_add(params, "level",
				       json_object_new_string(argv[optind]));
	} else if (!strcmp(cmd, "save")) {
		ARGS(0, 1, "takes at most a PATH");
		method = "config.save";
		if (nargs) {
			params = json_object_new_object();
			json_object_object_add(params, "path",
					       json_object_new_string(argv[optind]));
		}
	} else if (!strcmp(cmd, "reload")) {
		ARGS(0, 0, "takes no argument");
		method = "config.reload";
	} else if (!strcmp(cmd, "call")) {
		ARGS(1, 2, "needs a METHOD and at most one PARAMS object");
		method = argv[optind];
		if (nargs == 2) {
			params = json_tokener_parse(argv[optind + 1]);
			if (!params ||
			    !json_object_is_type(params, json_type_object)) {
				json_object_put(params);
				return fail(2, "call: '%s' is not a JSON object", argv[optind + 1]);
			}
		}
	} else {
		return fail(2, "'%s' is no command (show, sessions, close, lun, alua, log, save, reload, call)", cmd);
	}
	result = call(path, method, params, timeout_s, &status);
	if (!result)
		return status;
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(result,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (!strcmp(cmd, "show")) {
		print_show(result);
	} else if (!strcmp(cmd, "sessions")) {
		print_sessions(result);
	} else if (!strcmp(cmd, "close")) {
		printf("channel %s %s\n", str(result, "id"),
		       boolean(result, "already_closing") ?
		       "was already closing" : "is closing");
	} else if (!strcmp(cmd, "lun") && !strcmp(sub, "add")) {
		print_lun_head();
		print_lun(result);
	} else if (!strcmp(cmd, "lun")) {
		printf("LUN %s removed", str(result, "lun"));
		if (u64(result, "busy"))
			printf("; its backing closes once its %" PRIu64 " running command(s) complete",
			       u64(result, "busy"));
		printf("\n");
	} else if (!strcmp(cmd, "alua")) {
		printf("ALUA port group %s: %s (was %s)\n", str(result, "group"),
		       str(result, "state"), str(result, "previous"));
	} else if (!strcmp(cmd, "log")) {
		printf("log level %s (was %s)\n", str(result, "level"),
		       str(result, "previous"));
	} else if (!strcmp(cmd, "save")) {
		printf("configuration saved to %s\n", str(result, "path"));
	} else if (!strcmp(cmd, "reload")) {
		printf("reloaded %s: %" PRIu64 " LUN(s) added, %" PRIu64 " removed, %" PRIu64 " kept\n",
		       str(result, "path"), u64(result, "added"),
		       u64(result, "removed"), u64(result, "kept"));
	} else {
		printf("%s\n", json_object_to_json_string_ext(result,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(result);
	return 0;
}
