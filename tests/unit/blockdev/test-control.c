/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The control socket (examples/srpt-blockdev/ctl-server.c) and
 * srpt-blockdev's methods (service.c) over a made-up target: JSON-RPC
 * framing, each method, malformed requests that change nothing, a
 * client that leaves in the middle of a line, several clients at once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "blockdev-test.h"
#include "config.h"
#include "ctl-server.h"
#include "fake-svc.h"

static struct fake_svc fake;
static struct ctl_server *srv;
static char dir[64], sock[128], cfg[128];

static void setup(void)
{
	char err[256];
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/ctl-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
	snprintf(cfg, sizeof(cfg), "%s/target.json", dir);
	fake_svc_init(&fake, cfg);
	ck_assert_msg(!ctl_server_open(&srv, sock, svc_methods, &fake.svc, err,
				       sizeof(err)), "%s", err);
	ck_assert_int_eq(ctl_server_start(srv), 0);
}

static void teardown(void)
{
	char path[200];

	ctl_server_close(srv);
	srv = NULL;
	fake_svc_fini(&fake);
	unlink(cfg);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_text(int fd, const char *s)
{
	size_t len = strlen(s);

	ck_assert_int_eq(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* One line from the server (without its newline), within 5 s; NULL at
 * the end of the connection. The caller frees it. Peeks first, so that
 * it takes no byte of the next line. */
static char *read_line(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;
		char *nl;

		ck_assert_msg(poll(&p, 1, 5000) == 1, "no answer in 5 s");
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		got = recv(fd, buf + len, cap - len - 1, MSG_PEEK);
		ck_assert_int_ge(got, 0);
		if (got == 0) {
			ck_assert_int_eq(len, 0);
			free(buf);
			return NULL;
		}
		nl = memchr(buf + len, '\n', (size_t)got);
		if (nl)
			got = nl - (buf + len) + 1;
		ck_assert_int_eq(recv(fd, buf + len, (size_t)got, 0), got);
		len += (size_t)got;
		if (nl) {
			buf[len - 1] = 0;
			return buf;
		}
	}
}

/* Send one line, parse the one-line answer. */
static json_object *rpc_on(int fd, const char *line)
{
	char *text;
	json_object *r;

	send_text(fd, line);
	text = read_line(fd);
	ck_assert_ptr_nonnull(text);
	r = json_tokener_parse(text);
	ck_assert_msg(r != NULL, "answer is not JSON: %s", text);
	ck_assert_msg(!strchr(text, '\n'), "answer spans lines");
	free(text);
	return r;
}

static json_object *rpc(const char *line)
{
	int fd = client();
	json_object *r = rpc_on(fd, line);

	close(fd);
	return r;
}

static json_object *get(json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (key[0] >= '0' && key[0] <= '9')
			o = json_object_array_get_idx(o, (size_t)atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *gets_(json_object *o, const char *path)
{
	json_object *v = get(o, path);

	return v ? json_object_get_string(v) : "(absent)";
}

static int64_t geti(json_object *o, const char *path)
{
	json_object *v = get(o, path);

	ck_assert_msg(v != NULL, "%s absent", path);
	return json_object_get_int64(v);
}

static void assert_error(json_object *r, int code, const char *part)
{
	ck_assert_msg(get(r, "error") != NULL, "no error: %s",
		      json_object_to_json_string(r));
	ck_assert_msg(geti(r, "error.code") == code, "error %lld, not %d: %s",
		      (long long)geti(r, "error.code"), code,
		      gets_(r, "error.message"));
	ck_assert_msg(strstr(gets_(r, "error.message"), part),
		      "message '%s' lacks '%s'", gets_(r, "error.message"),
		      part);
	ck_assert_ptr_null(get(r, "result"));
	ck_assert_str_eq(gets_(r, "jsonrpc"), "2.0");
}

START_TEST(socket_mode_is_0600)
{
	struct stat st;

	ck_assert_int_eq(lstat(sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(second_server_refused_stale_replaced)
{
	struct ctl_server *s2;
	char err[256];
	int fd;

	/* A live server: refused. */
	ck_assert_int_eq(ctl_server_open(&s2, sock, svc_methods, &fake.svc,
					 err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "another server"));
	/* Not a socket: refused. */
	fd = open(cfg, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ctl_server_open(&s2, cfg, svc_methods, &fake.svc,
					 err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "not a socket"));
	/* A socket whose server ended (no unlink, as after a crash). */
	ctl_server_close(srv);
	srv = NULL;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		strcpy(sa.sun_path, sock);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	close(fd);
	ck_assert_msg(!ctl_server_open(&srv, sock, svc_methods, &fake.svc, err,
				       sizeof(err)), "%s", err);
	ck_assert_int_eq(ctl_server_start(srv), 0);
	json_object_put(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":1}\n"));
}
END_TEST

START_TEST(target_show)
{
	json_object *r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":\"a\"}\n");

	ck_assert_str_eq(gets_(r, "id"), "a");
	ck_assert_str_eq(gets_(r, "result.ports.0.ioc_guid"), "0x0002c903000e8acd");
	ck_assert_str_eq(gets_(r, "result.ports.0.address"), "any");
	ck_assert_int_eq(geti(r, "result.ports.0.port"), 5555);
	ck_assert_int_eq(json_object_array_length(get(r, "result.luns")), 2);
	ck_assert_str_eq(gets_(r, "result.luns.0.path"), "/dev/fake0");
	ck_assert_int_eq(geti(r, "result.luns.0.size"), 2048 * 512);
	ck_assert_int_eq(geti(r, "result.luns.0.block_size"), 512);
	ck_assert(json_object_get_boolean(get(r, "result.luns.0.thin")));
	ck_assert(json_object_get_boolean(get(r, "result.luns.0.write_cache")));
	ck_assert(!json_object_get_boolean(get(r, "result.luns.0.read_only")));
	ck_assert_str_eq(gets_(r, "result.luns.1.name"), "disk1");
	ck_assert_int_eq(geti(r, "result.luns.1.size"), 256 * 4096);
	ck_assert(json_object_get_boolean(get(r, "result.luns.1.read_only")));
	ck_assert_int_eq(geti(r, "result.alua.group"), 7);
	ck_assert_str_eq(gets_(r, "result.alua.state"), "active");
	ck_assert_str_eq(gets_(r, "result.log_level"), "notice");
	ck_assert_int_eq(geti(r, "result.channels"), 2);
	json_object_put(r);
}
END_TEST

START_TEST(sessions_list)
{
	json_object *r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"sessions.list\",\"id\":2}\n");

	ck_assert_int_eq(geti(r, "id"), 2);
	ck_assert_int_eq(json_object_array_length(get(r, "result.channels")), 2);
	ck_assert_int_eq(geti(r, "result.channels.0.id"), 11);
	ck_assert_str_eq(gets_(r, "result.channels.0.state"), "LIVE");
	ck_assert_str_eq(gets_(r, "result.channels.0.initiator"),
			 "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
	ck_assert_str_eq(gets_(r, "result.channels.1.source"), "10.0.0.2");
	ck_assert_str_eq(gets_(r, "result.channels.1.device"), "rxe0");
	ck_assert_int_eq(geti(r, "result.channels.1.qp"), 18);
	ck_assert_int_eq(geti(r, "result.channels.1.credits"), 128);
	ck_assert_int_eq(geti(r, "result.channels.1.credits_held"), 119);
	ck_assert_int_eq(geti(r, "result.channels.1.outstanding"), 4);
	ck_assert_int_eq(geti(r, "result.channels.1.stats.cmds"), 2000);
	ck_assert_int_eq(geti(r, "result.channels.0.stats.tmf.abort_task"), 2);
	json_object_put(r);
}
END_TEST

START_TEST(session_close)
{
	json_object *r;

	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":12},\"id\":3}\n");
	ck_assert_int_eq(geti(r, "result.id"), 12);
	ck_assert(!json_object_get_boolean(get(r, "result.already_closing")));
	json_object_put(r);
	ck_assert_int_eq(fake.closed[1], 1);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":12},\"id\":3}\n");
	ck_assert(json_object_get_boolean(get(r, "result.already_closing")));
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"sessions.list\",\"id\":4}\n");
	ck_assert_str_eq(gets_(r, "result.channels.1.state"), "DISCONNECTING");
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":99},\"id\":5}\n");
	assert_error(r, CTL_NOT_FOUND, "no channel 99");
	json_object_put(r);
	/* Bad params reach no channel. */
	fake.close_calls = 0;
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":\"11\"},\"id\":6}\n");
	assert_error(r, CTL_INVALID_PARAMS, "params.id");
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"id\":7}\n");
	assert_error(r, CTL_INVALID_PARAMS, "\"id\"");
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":11,\"force\":true},\"id\":8}\n");
	assert_error(r, CTL_INVALID_PARAMS, "params.force: unknown field");
	json_object_put(r);
	ck_assert_int_eq(fake.close_calls, 0);
	ck_assert_int_eq(fake.closed[0], 0);
}
END_TEST

START_TEST(alua_set_state)
{
	json_object *r;

	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"standby\"},\"id\":1}\n");
	ck_assert_str_eq(gets_(r, "result.state"), "standby");
	ck_assert_str_eq(gets_(r, "result.previous"), "active");
	json_object_put(r);
	ck_assert_int_eq(scsi_target_get_alua_state(&fake.desc), SCSI_ALUA_STANDBY);
	ck_assert_int_eq(fake.opt.alua_state, SCSI_ALUA_STANDBY);
	/* Wrong state, wrong group: nothing changes. */
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"sleepy\"},\"id\":2}\n");
	assert_error(r, CTL_INVALID_PARAMS, "params.state");
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"active\",\"group\":8},\"id\":3}\n");
	assert_error(r, CTL_INVALID_PARAMS, "port group 7");
	json_object_put(r);
	ck_assert_int_eq(scsi_target_get_alua_state(&fake.desc), SCSI_ALUA_STANDBY);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"active\",\"group\":7},\"id\":4}\n");
	ck_assert_str_eq(gets_(r, "result.state"), "active");
	json_object_put(r);
	/* A target without ALUA has no state to set. */
	fake.desc.tpg_id = 0;
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"standby\"},\"id\":5}\n");
	assert_error(r, CTL_FAILED, "no ALUA");
	json_object_put(r);
}
END_TEST

START_TEST(log_set_level)
{
	json_object *r;

	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"log.set_level\",\"params\":{\"level\":\"debug\"},\"id\":1}\n");
	ck_assert_str_eq(gets_(r, "result.level"), "debug");
	ck_assert_str_eq(gets_(r, "result.previous"), "notice");
	json_object_put(r);
	ck_assert_int_eq(fake.log_level, SRPT_LOG_DEBUG);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"log.set_level\",\"params\":{\"level\":\"loud\"},\"id\":2}\n");
	assert_error(r, CTL_INVALID_PARAMS, "params.level");
	json_object_put(r);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"log.set_level\",\"params\":[\"info\"],\"id\":3}\n");
	assert_error(r, CTL_INVALID_PARAMS, "not an array");
	json_object_put(r);
	ck_assert_int_eq(fake.log_level, SRPT_LOG_DEBUG);
	ck_assert_int_eq(fake.opt.log_level, SRPT_LOG_DEBUG);
}
END_TEST

START_TEST(config_save_and_reload)
{
	struct options o;
	char err[CONFIG_ERR_MAX], other[160];
	json_object *r;

	/* The running state goes in: the ALUA state set at run time. */
	json_object_put(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"alua.set_state\",\"params\":{\"state\":\"non-optimized\"},\"id\":1}\n"));
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"id\":2}\n");
	ck_assert_str_eq(gets_(r, "result.path"), cfg);
	json_object_put(r);
	options_init(&o);
	ck_assert_msg(!config_load(&o, cfg, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(o.nluns, 2);
	ck_assert_str_eq(o.lun[1].path, "/srv/disk1.img");
	ck_assert_str_eq(o.lun[1].name, "disk1");
	ck_assert(o.lun[1].read_only);
	ck_assert_int_eq(o.alua_group, 7);
	ck_assert_int_eq(o.alua_state, SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	ck_assert_int_eq(o.cli.queue_depth, 64);
	options_free(&o);
	/* Another path, given. */
	snprintf(other, sizeof(other), "{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"params\":{\"path\":\"%s/other.json\"},\"id\":3}\n", dir);
	r = rpc(other);
	ck_assert_ptr_nonnull(strstr(gets_(r, "result.path"), "other.json"));
	json_object_put(r);
	/* A directory that does not exist: an error, and the old file stays. */
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"params\":{\"path\":\"/nonexistent/dir/x.json\"},\"id\":4}\n");
	assert_error(r, CTL_FAILED, "/nonexistent/dir/x.json");
	json_object_put(r);
	/* Without --config and without a path: nowhere to save. */
	free(fake.opt.config_path);
	fake.opt.config_path = NULL;
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"id\":5}\n");
	assert_error(r, CTL_INVALID_PARAMS, "without --config");
	json_object_put(r);
}
END_TEST

/* A file of @size bytes in the test's directory; its path in @path. */
static void make_file(char *path, size_t n, const char *name, off_t size)
{
	int fd;

	snprintf(path, n, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
}

__attribute__((format(printf, 1, 2)))
static json_object *rpcf(const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return rpc(line);
}

/* A request (printf-like) that must get error @code naming @part. */
__attribute__((format(printf, 3, 4)))
static void refused(int code, const char *part, const char *fmt, ...)
{
	char line[512];
	json_object *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r = rpc(line);
	assert_error(r, code, part);
	json_object_put(r);
}

/* What an initiator's next command to @lun gets: 0 GOOD, else
 * sense key << 16 | ASC << 8 | ASCQ. */
static int tur(struct scsi_nexus *nx, unsigned int lun)
{
	static const uint8_t cdb[16];
	struct scsi_task t = { .cdb = cdb, .cdb_len = 16 };
	uint8_t lun8[8];

	scsi_lun_from_index(lun, lun8);
	t.lun8 = lun8;
	ck_assert_int_eq(scsi_task_start_nexus(&fake.desc, nx, &t), 0);
	scsi_task_finish(&fake.desc, &t);
	return t.status ? t.sense[2] << 16 | t.sense[12] << 8 | t.sense[13] : 0;
}

START_TEST(lun_add_remove)
{
	struct scsi_nexus nx;
	char a[128], b[128];
	json_object *r;

	make_file(a, sizeof(a), "a.img", 1 << 20);
	make_file(b, sizeof(b), "b.img", 2 << 20);
	scsi_nexus_init(&nx, &fake.desc);
	ck_assert_int_eq(tur(&nx, 0), 0);
	ck_assert_int_eq(tur(&nx, 2), 0x052500);
	/* the lowest free number */
	r = rpcf("{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"%s\"},\"id\":1}\n", a);
	ck_assert_msg(get(r, "result"), "%s", json_object_to_json_string(r));
	ck_assert_int_eq(geti(r, "result.lun"), 2);
	ck_assert_str_eq(gets_(r, "result.path"), a);
	ck_assert_int_eq(geti(r, "result.size"), 1 << 20);
	ck_assert_int_eq(geti(r, "result.block_size"), 512);
	ck_assert(!json_object_get_boolean(get(r, "result.read_only")));
	json_object_put(r);
	/* the initiator's next command learns of it, once; then it is
	 * served */
	ck_assert_int_eq(tur(&nx, 0), 0x063f0e);
	ck_assert_int_eq(tur(&nx, 0), 0);
	ck_assert_int_eq(tur(&nx, 2), 0);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":2}\n");
	ck_assert_int_eq(json_object_array_length(get(r, "result.luns")), 3);
	ck_assert_int_eq(geti(r, "result.luns.2.lun"), 2);
	ck_assert_str_eq(gets_(r, "result.luns.2.path"), a);
	json_object_put(r);
	/* a number of one's own, read-only, a name */
	r = rpcf("{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"%s\",\"lun\":9,\"read_only\":true,\"name\":\"bee\"},\"id\":3}\n", b);
	ck_assert_int_eq(geti(r, "result.lun"), 9);
	ck_assert(json_object_get_boolean(get(r, "result.read_only")));
	ck_assert_str_eq(gets_(r, "result.name"), "bee");
	ck_assert_int_eq(geti(r, "result.size"), 2 << 20);
	json_object_put(r);
	ck_assert_int_eq(fake.luns.count, 4);
	ck_assert_int_eq(tur(&nx, 9), 0x063f0e);

	/* refusals name the problem and change nothing */
	refused(CTL_INVALID_PARAMS, "LUN 0 exists (/dev/fake0)", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"%s\",\"lun\":0},\"id\":4}\n", b);
	refused(CTL_INVALID_PARAMS, "holds the same data as LUN 2", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"%s\"},\"id\":5}\n", a);
	refused(CTL_FAILED, "/nonexistent/lun.img", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"/nonexistent/lun.img\"},\"id\":6}\n");
	refused(CTL_INVALID_PARAMS, "params.lun", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"/x\",\"lun\":256},\"id\":7}\n");
	refused(CTL_INVALID_PARAMS, "params.path", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":3},\"id\":8}\n");
	refused(CTL_INVALID_PARAMS, "params.size: unknown field", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"/x\",\"size\":3},\"id\":9}\n");
	refused(CTL_NOT_FOUND, "no LUN 7", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.remove\",\"params\":{\"lun\":7},\"id\":10}\n");
	refused(CTL_INVALID_PARAMS, "params.lun: missing", "{\"jsonrpc\":\"2.0\",\"method\":\"lun.remove\",\"params\":{},\"id\":11}\n");
	ck_assert_int_eq(fake.luns.count, 4);
	ck_assert_int_eq(tur(&nx, 0), 0);	/* and no unit attention */

	/* removed: not served, and said once */
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"lun.remove\",\"params\":{\"lun\":2},\"id\":12}\n");
	ck_assert_int_eq(geti(r, "result.lun"), 2);
	ck_assert_int_eq(geti(r, "result.busy"), 0);
	json_object_put(r);
	ck_assert_int_eq(tur(&nx, 2), 0x052500);
	ck_assert_int_eq(tur(&nx, 0), 0x063f0e);
	ck_assert_int_eq(tur(&nx, 0), 0);
	ck_assert_int_eq(fake.luns.count, 3);
}
END_TEST

/* config.save writes the LUNs that run, with their numbers. */
START_TEST(lun_config_save)
{
	struct options o;
	char err[CONFIG_ERR_MAX], a[128];
	json_object *r;

	make_file(a, sizeof(a), "a.img", 1 << 20);
	json_object_put(rpcf("{\"jsonrpc\":\"2.0\",\"method\":\"lun.add\",\"params\":{\"path\":\"%s\",\"lun\":4},\"id\":1}\n", a));
	json_object_put(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"lun.remove\",\"params\":{\"lun\":0},\"id\":2}\n"));
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"id\":3}\n");
	ck_assert_str_eq(gets_(r, "result.path"), cfg);
	json_object_put(r);
	options_init(&o);
	ck_assert_msg(!config_load(&o, cfg, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(o.nluns, 2);
	ck_assert_str_eq(o.lun[0].path, "/srv/disk1.img");
	ck_assert_int_eq(options_lun_index(&o, 0), 1);
	ck_assert(o.lun[0].read_only);
	ck_assert_str_eq(o.lun[1].path, a);
	ck_assert_int_eq(options_lun_index(&o, 1), 4);
	options_free(&o);
}
END_TEST

/* The configuration file as the target runs. */
static void save_running(void)
{
	json_object_put(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.save\",\"id\":90}\n"));
}

/* The configuration file, edited by @edit, for config.reload. */
static void edit_config(void (*edit)(json_object *root, const char *arg),
			const char *arg)
{
	json_object *root;

	root = json_object_from_file(cfg);
	ck_assert_ptr_nonnull(root);
	edit(root, arg);
	ck_assert_int_eq(json_object_to_file_ext(cfg, root,
						 JSON_C_TO_STRING_PRETTY), 0);
	json_object_put(root);
}

static json_object *luns_of(json_object *root)
{
	json_object *luns;

	ck_assert(json_object_object_get_ex(root, "luns", &luns));
	return luns;
}

/* Every LUN with its number, so that removing one moves no other. */
static void number_luns(json_object *root)
{
	json_object *luns = luns_of(root);
	size_t n = json_object_array_length(luns);
	int num = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(luns, i), *v;

		if (json_object_object_get_ex(l, "lun", &v))
			num = json_object_get_int(v);
		else
			json_object_object_add(l, "lun",
					       json_object_new_int(num));
		num++;
	}
}

/* A LUN of @path numbered 5, or above the highest. */
static void add_file_lun(json_object *root, const char *path)
{
	json_object *l = json_object_new_object(), *luns = luns_of(root), *v;
	int num = 5;

	number_luns(root);
	for (size_t i = 0; i < json_object_array_length(luns); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(luns, i),
					      "lun", &v) &&
		    json_object_get_int(v) >= num)
			num = json_object_get_int(v) + 1;
	json_object_object_add(l, "lun", json_object_new_int(num));
	json_object_object_add(l, "path", json_object_new_string(path));
	json_object_array_add(luns_of(root), l);
}

static void drop_lun1(json_object *root, const char *arg)
{
	(void)arg;
	number_luns(root);
	json_object_array_del_idx(luns_of(root), 1, 1);
}

static void set_field(json_object *root, const char *arg)
{
	/* "listen.port=6000", "log_level=info" */
	char key[64];
	const char *eq = strchr(arg, '=');
	json_object *o = root, *v;

	ck_assert_ptr_nonnull(eq);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	if (!strncmp(key, "listen.", 7)) {
		ck_assert(json_object_object_get_ex(root, "listen", &o));
		memmove(key, key + 7, strlen(key + 7) + 1);
	}
	v = isdigit((unsigned char)eq[1]) ?
	    json_object_new_int(atoi(eq + 1)) : json_object_new_string(eq + 1);
	json_object_object_add(o, key, v);
}

/* Reloads @arg's edit, which must be refused with @part; then the
 * target serves what it served, and no initiator hears of a change. */
static void reload_refused(void (*edit)(json_object *, const char *),
			   const char *arg, struct scsi_nexus *nx,
			   const char *part)
{
	unsigned int count = fake.luns.count;

	save_running();
	edit_config(edit, arg);
	refused(CTL_FAILED, part, "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":1}\n");
	ck_assert_uint_eq(fake.luns.count, count);
	ck_assert_int_eq(tur(nx, 0), 0);
}

START_TEST(config_reload)
{
	struct scsi_nexus nx;
	char a[128], text[200];
	json_object *r;
	FILE *f;

	make_file(a, sizeof(a), "a.img", 1 << 20);
	scsi_nexus_init(&nx, &fake.desc);
	/* the file as it runs: nothing to do */
	save_running();
	edit_config(set_field, "log_level=debug");
	fake.opt.log_level = SRPT_LOG_DEBUG;
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":1}\n");
	ck_assert_msg(get(r, "result"), "%s", json_object_to_json_string(r));
	ck_assert_int_eq(geti(r, "result.added"), 0);
	ck_assert_int_eq(geti(r, "result.removed"), 0);
	ck_assert_int_eq(geti(r, "result.kept"), 2);
	json_object_put(r);
	ck_assert_int_eq(tur(&nx, 0), 0);

	/* a LUN more: added, the others kept, the initiator told */
	save_running();
	edit_config(add_file_lun, a);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":2}\n");
	ck_assert_int_eq(geti(r, "result.added"), 1);
	ck_assert_int_eq(geti(r, "result.kept"), 2);
	json_object_put(r);
	ck_assert_int_eq(fake.luns.count, 3);
	ck_assert_str_eq(fake.luns.lun[5]->path, a);
	ck_assert_str_eq(fake.luns.lun[1]->path, "/srv/disk1.img");
	ck_assert_int_eq(tur(&nx, 0), 0x063f0e);
	ck_assert_int_eq(tur(&nx, 5), 0);

	/* what cannot change live is refused, naming it, and nothing of
	 * the rest of the file is applied either */
	reload_refused(set_field, "listen.port=6000", &nx, "listen.port: cannot change");
	reload_refused(set_field, "queue_depth=32", &nx, "queue_depth: cannot change");
	reload_refused(set_field, "threads=3", &nx, "threads: cannot change");
	/* a LUN that does not open: nothing changes, not even LUN 1 */
	save_running();
	edit_config(drop_lun1, NULL);
	edit_config(add_file_lun, "/nonexistent/b.img");
	refused(CTL_FAILED, "/nonexistent/b.img", "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":3}\n");
	ck_assert_int_eq(fake.luns.count, 3);
	ck_assert_ptr_nonnull(fake.luns.lun[1]);
	ck_assert_int_eq(tur(&nx, 0), 0);
	/* not JSON: the line and column */
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\n  \"luns\": [ { \"path\": \"/x\" }\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "%s:", cfg);
	refused(CTL_FAILED, text, "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":4}\n");
	ck_assert_int_eq(fake.luns.count, 3);

	/* LUN 1 gone from the file: removed; log level followed */
	save_running();
	edit_config(drop_lun1, NULL);
	edit_config(set_field, "log_level=info");
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":5}\n");
	ck_assert_msg(get(r, "result"), "%s", json_object_to_json_string(r));
	ck_assert_int_eq(geti(r, "result.removed"), 1);
	ck_assert_int_eq(geti(r, "result.kept"), 2);
	ck_assert_str_eq(gets_(r, "result.log_level"), "info");
	json_object_put(r);
	ck_assert_ptr_null(fake.luns.lun[1]);
	ck_assert_ptr_nonnull(fake.luns.lun[5]);
	ck_assert_int_eq(fake.log_level, SRPT_LOG_INFO);
	ck_assert_int_eq(tur(&nx, 1), 0x052500);
	ck_assert_int_eq(tur(&nx, 0), 0x063f0e);

	/* without --config: nothing to read */
	free(fake.opt.config_path);
	fake.opt.config_path = NULL;
	refused(CTL_INVALID_PARAMS, "without --config", "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":6}\n");
}
END_TEST

static void drop_field(json_object *root, const char *key)
{
	json_object_object_del(root, key);
}

/* The command line it started with goes over the file again: a unit's
 * --control is no change of the file's (absent) control. */
START_TEST(config_reload_command_line)
{
	char *argv[] = { "srpt-blockdev", "--config", cfg, "--control",
			 "/run/srpt/t.sock", NULL };
	json_object *r;

	fake.opt.control_path = strdup("/run/srpt/t.sock");
	save_running();
	edit_config(drop_field, "control");
	refused(CTL_FAILED, "control: cannot change", "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":1}\n");
	fake.svc.argc = 5;
	fake.svc.argv = argv;
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":2}\n");
	ck_assert_msg(get(r, "result"), "%s", json_object_to_json_string(r));
	ck_assert_int_eq(geti(r, "result.kept"), 2);
	json_object_put(r);
	/* a command line that no longer applies: refused */
	argv[4] = "";
	refused(CTL_FAILED, "the command line does not apply", "{\"jsonrpc\":\"2.0\",\"method\":\"config.reload\",\"id\":3}\n");
	ck_assert_uint_eq(fake.luns.count, 2);
}
END_TEST

START_TEST(malformed_requests)
{
	static const struct {
		const char *line;
		int code;
		const char *part;
	} cases[] = {
		{ "{\"jsonrpc\":\"2.0\",\"method\":\n", CTL_PARSE_ERROR, "not JSON" },
		{ "hello\n", CTL_PARSE_ERROR, "not JSON" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":1} x\n", CTL_PARSE_ERROR, "at byte 48" },
		{ "[1,2]\n", CTL_INVALID_REQUEST, "batch" },
		{ "42\n", CTL_INVALID_REQUEST, "JSON object" },
		{ "{\"method\":\"target.show\",\"id\":1}\n", CTL_INVALID_REQUEST, "jsonrpc" },
		{ "{\"jsonrpc\":\"1.0\",\"method\":\"target.show\",\"id\":1}\n", CTL_INVALID_REQUEST, "jsonrpc" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":7,\"id\":1}\n", CTL_INVALID_REQUEST, "method" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"params\":3,\"id\":1}\n", CTL_INVALID_REQUEST, "params" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":{}}\n", CTL_INVALID_REQUEST, "id" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":1,\"x\":1}\n", CTL_INVALID_REQUEST, "only" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.destroy\",\"id\":1}\n", CTL_METHOD_NOT_FOUND, "target.destroy" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"params\":{\"x\":1},\"id\":1}\n", CTL_INVALID_PARAMS, "no params" },
	};
	int fd = client();

	/* All on one connection: each gets its answer, and the
	 * connection stays usable. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *r = rpc_on(fd, cases[i].line);

		assert_error(r, cases[i].code, cases[i].part);
		json_object_put(r);
	}
	{
		json_object *r = rpc_on(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":9}\n");

		ck_assert_int_eq(geti(r, "id"), 9);
		ck_assert_ptr_nonnull(get(r, "result"));
		json_object_put(r);
	}
	close(fd);
	ck_assert_int_eq(fake.close_calls, 0);
	ck_assert_int_eq(fake.log_level, 0);
	ck_assert_int_eq(scsi_target_get_alua_state(&fake.desc),
			 SCSI_ALUA_ACTIVE_OPTIMIZED);
}
END_TEST

START_TEST(framing)
{
	int fd = client();
	char *a, *b;

	/* Two requests in one write, a notification between them (no
	 * answer), empty lines, CRLF: two answers, in order. */
	send_text(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":1}\r\n\n"
		      "{\"jsonrpc\":\"2.0\",\"method\":\"log.set_level\",\"params\":{\"level\":\"info\"}}\n"
		      "{\"jsonrpc\":\"2.0\",\"method\":\"sessions.list\",\"id\":2}\n");
	a = read_line(fd);
	b = read_line(fd);
	ck_assert_ptr_nonnull(strstr(a, "\"id\":1"));
	ck_assert_ptr_nonnull(strstr(a, "\"luns\""));
	ck_assert_ptr_nonnull(strstr(b, "\"id\":2"));
	ck_assert_ptr_nonnull(strstr(b, "\"channels\""));
	free(a);
	free(b);
	ck_assert_int_eq(fake.log_level, SRPT_LOG_INFO);
	/* A request in pieces. */
	send_text(fd, "{\"jsonrpc\":\"2.0\",");
	usleep(20000);
	send_text(fd, "\"method\":\"target.show\",\"id\":3}");
	usleep(20000);
	send_text(fd, "\n");
	a = read_line(fd);
	ck_assert_ptr_nonnull(strstr(a, "\"id\":3"));
	free(a);
	close(fd);
}
END_TEST

START_TEST(disconnect_mid_request)
{
	int fd = client();
	json_object *r;

	/* Half a request, then gone: nothing happens, nothing breaks. */
	send_text(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"session.close\",\"params\":{\"id\":11},\"id\":1}");
	close(fd);
	/* Gone before reading its answer. */
	fd = client();
	send_text(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"sessions.list\",\"id\":1}\n");
	close(fd);
	/* Half-closed after a whole request: it still gets its answer. */
	fd = client();
	send_text(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":5}\n");
	shutdown(fd, SHUT_WR);
	{
		char *a = read_line(fd);

		ck_assert_ptr_nonnull(strstr(a, "\"id\":5"));
		free(a);
		ck_assert_ptr_null(read_line(fd));
	}
	close(fd);
	r = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":2}\n");
	ck_assert_int_eq(geti(r, "id"), 2);
	json_object_put(r);
	ck_assert_int_eq(fake.close_calls, 0);
}
END_TEST

START_TEST(line_too_long)
{
	int fd = client();
	size_t n = CTL_MAX_LINE + 4096;
	char *big = malloc(n + 1);
	char *a;

	memset(big, ' ', n);
	big[0] = '"';
	big[n] = 0;
	send(fd, big, n, MSG_NOSIGNAL);
	a = read_line(fd);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(strstr(a, "at most"));
	free(a);
	close(fd);
	free(big);
	json_object_put(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"target.show\",\"id\":2}\n"));
}
END_TEST

struct worker {
	int n;
	int ok;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	int fd = client();

	for (int i = 0; i < w->n; i++) {
		char line[128], want[32];
		char *a;

		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"id\":%d}\n",
			 i % 2 ? "sessions.list" : "target.show", i);
		send_text(fd, line);
		a = read_line(fd);
		snprintf(want, sizeof(want), "\"id\":%d}", i);
		if (a && strstr(a, want) && strstr(a, "\"result\""))
			w->ok++;
		free(a);
	}
	close(fd);
	return NULL;
}

START_TEST(several_clients)
{
	pthread_t th[4];
	struct worker w[4];
	int idle = client();	/* one that says nothing must not block the rest */

	send_text(idle, "{\"jsonrpc\":");
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .n = 50 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].ok, 50);
	}
	close(idle);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = bt_tcase(s, "server", setup, teardown);

	tcase_add_test(tc, socket_mode_is_0600);
	tcase_add_test(tc, second_server_refused_stale_replaced);
	tcase_add_test(tc, framing);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, disconnect_mid_request);
	tcase_add_test(tc, line_too_long);
	tcase_add_test(tc, several_clients);
	tc = bt_tcase(s, "methods", setup, teardown);
	tcase_add_test(tc, target_show);
	tcase_add_test(tc, sessions_list);
	tcase_add_test(tc, session_close);
	tcase_add_test(tc, alua_set_state);
	tcase_add_test(tc, log_set_level);
	tcase_add_test(tc, config_save_and_reload);
	tcase_add_test(tc, lun_add_remove);
	tcase_add_test(tc, lun_config_save);
	tcase_add_test(tc, config_reload);
	tcase_add_test(tc, config_reload_command_line);
	return s;
}

int main(void)
{
	return bt_run(suite());
}
