/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-blockdev's sd_notify(3) messages (examples/srpt-blockdev/notify.c)
 * received on a NOTIFY_SOCKET this test binds, a path and an abstract
 * one, as systemd does for a Type=notify service; and the log hook's
 * journal form (examples/common/show.c) when stderr is $JOURNAL_STREAM.
 *
 * srpt-blockdev itself cannot get as far as READY=1 without an RDMA
 * device, so the program's three calls are tested here through the very
 * file it links. Built twice: with libsystemd's sd_notify() when it is
 * found (test-notify) and with the built-in writer (test-notify-builtin).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <srpt/log.h>

#include "blockdev-test.h"
#include "notify.h"
#include "show.h"

static char dir[64];
static char path[96];
static int sock = -1;

static void unbind(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	if (path[0])
		unlink(path);
	path[0] = '\0';
	if (dir[0])
		rmdir(dir);
	dir[0] = '\0';
	unsetenv("NOTIFY_SOCKET");
}

/* Binds a datagram socket as systemd's notify socket: @abstract names it
 * "@srpt-notify-test.PID", else a path in a new temporary directory. */
static void listen_notify(int abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[sizeof(sa.sun_path)];
	socklen_t len;

	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sock, 0);
	if (abstract) {
		snprintf(name, sizeof(name), "@srpt-notify-test.%ld",
			 (long)getpid());
		memcpy(sa.sun_path, name, strlen(name));
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  strlen(name));
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/notify.XXXXXX",
			 tmp && tmp[0] ? tmp : "/tmp");
		ck_assert_ptr_nonnull(mkdtemp(dir));
		ck_assert_int_lt(snprintf(path, sizeof(path), "%s/notify", dir),
				 (int)sizeof(path));
		memcpy(name, path, sizeof(path));
		memcpy(sa.sun_path, name, strlen(name) + 1);
		len = sizeof(sa);
	}
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
}

/* The next datagram, which must be there already (the sender is done). */
static void expect(const char *want)
{
	char buf[512];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_msg(n >= 0, "no datagram (%s), wanted \"%s\"",
		      strerror(errno), want);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

static void expect_none(void)
{
	char buf[64];

	ck_assert_int_lt(recv(sock, buf, sizeof(buf), MSG_DONTWAIT), 0);
}

/* What systemd sees from srpt-blockdev's life: serving, a SIGUSR1, a
 * SIGHUP, a SIGTERM. */
static void lifecycle(void)
{
	ck_assert_int_eq(notify_ready(2, 0), 1);
	expect("READY=1\nSTATUS=Serving 2 LUNs, 0 channels");
	ck_assert_int_eq(notify_status(1, 1), 1);
	expect("STATUS=Serving 1 LUN, 1 channel");
	ck_assert_int_eq(notify_status(2, 3), 1);
	expect("STATUS=Serving 2 LUNs, 3 channels");
	/* a SIGHUP reload: RELOADING=1, then READY=1 again */
	ck_assert_int_eq(notify_reloading(), 1);
	expect("RELOADING=1\nSTATUS=Reloading the configuration");
	ck_assert_int_eq(notify_ready(3, 3), 1);
	expect("READY=1\nSTATUS=Serving 3 LUNs, 3 channels");
	ck_assert_int_eq(notify_stopping("SIGTERM"), 1);
	expect("STOPPING=1\nSTATUS=Stopping (SIGTERM): disconnecting every channel");
	expect_none();
}

START_TEST(test_path_socket)
{
	listen_notify(0);
	lifecycle();
	unbind();
}
END_TEST

START_TEST(test_abstract_socket)
{
	listen_notify(1);
	lifecycle();
	unbind();
}
END_TEST

/* Not started by systemd: nothing to do, no error. */
START_TEST(test_no_socket)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_ready(1, 0), 0);
	ck_assert_int_eq(notify_status(1, 0), 0);
	ck_assert_int_eq(notify_stopping("SIGTERM"), 0);
}
END_TEST

/* A socket nobody listens on, or a name that is no socket: an error the
 * program may ignore, never a crash or a hang. */
START_TEST(test_bad_socket)
{
	char gone[sizeof(path)];

	listen_notify(0);
	snprintf(gone, sizeof(gone), "%s", path);
	unbind();
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", gone, 1), 0);
	ck_assert_int_lt(notify_ready(1, 0), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "relative/name", 1), 0);
	ck_assert_int_lt(notify_ready(1, 0), 0);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

/* Under systemd the log hook writes "<N>message": the journal's priority
 * and no timestamp of our own. */
START_TEST(test_journal_log)
{
	char file[128], env[64], buf[256];
	struct stat st;
	FILE *f;
	int fd = bt_tmpfile(file, sizeof(file));
	int saved = dup(STDERR_FILENO);
	size_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", env, 1), 0);
	fflush(stderr);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	show_log(SRPT_LOG_WARNING, "an initiator misbehaved", NULL);
	show_log(SRPT_LOG_ERR, "the port failed", NULL);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	ck_assert(show_to_journal());

	f = fdopen(fd, "r");
	ck_assert_ptr_nonnull(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(file);
	ck_assert_str_eq(buf, "<4>an initiator misbehaved\n<3>the port failed\n");
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("blockdev-notify");
	TCase *tc = bt_tcase(s, "notify", NULL, NULL);

	tcase_add_test(tc, test_path_socket);
	tcase_add_test(tc, test_abstract_socket);
	tcase_add_test(tc, test_no_socket);
	tcase_add_test(tc, test_bad_socket);
	tc = bt_tcase(s, "journal", NULL, NULL);
	tcase_add_test(tc, test_journal_log);
	return s;
}

int main(void)
{
	return bt_run(notify_suite());
}
