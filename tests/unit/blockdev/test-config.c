/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-blockdev's configuration file (examples/srpt-blockdev/config.c)
 * and its command line over it (options.c): every field read, every
 * wrong field named in the error, text that is not JSON placed by line
 * and column, a saved configuration read back the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <srpt/log.h>

#include "blockdev-test.h"
#include "config.h"
#include "options.h"

static char path[128];

static void setup(void)
{
	int fd = bt_tmpfile(path, sizeof(path));

	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Load @text; returns 0 or -1 with the message in @err. */
static int load(struct options *o, const char *text, char *err, size_t n)
{
	write_config(text);
	options_init(o);
	return config_load(o, path, err, n);
}

static const char full[] =
"{\n"
"  \"listen\": { \"address\": \"192.168.7.1\", \"port\": 5556 },\n"
"  \"ioc_guid\": \"0x0002c903000e8acd\",\n"
"  \"luns\": [\n"
"    { \"path\": \"/dev/sdb\" },\n"
"    { \"path\": \"/srv/a,b.img\", \"name\": \"vol-a\", \"read_only\": true },\n"
"    { \"path\": \"rbd:rbd/vol\", \"ceph_conf\": \"/etc/ceph/b.conf\", \"ceph_id\": \"srpt\" }\n"
"  ],\n"
"  \"ceph_conf\": \"/etc/ceph/a.conf\",\n"
"  \"ceph_id\": \"gw\",\n"
"  \"block_size\": 4096,\n"
"  \"pool\": \"256M\",\n"
"  \"threads\": 3,\n"
"  \"cpus\": [ 0, 2 ],\n"
"  \"queue_depth\": 64,\n"
"  \"srq\": 1024,\n"
"  \"alua\": { \"group\": 2, \"port\": 5, \"state\": \"standby\" },\n"
"  \"allow\": [ \"0x00112233445566778899aabbccddeeff\", \"10.0.0.9\" ],\n"
"  \"log_level\": \"info\",\n"
"  \"control\": \"/run/srpt-blockdev/test.sock\",\n"
"  \"read_only\": true,\n"
"  \"shared\": true,\n"
"  \"dsync\": true\n"
"}\n";

static void assert_full(const struct options *o)
{
	ck_assert_str_eq(o->cli.bind_str, "192.168.7.1");
	ck_assert_int_eq(o->cli.port, 5556);
	ck_assert_uint_eq(o->cli.ioc_guid, 0x0002c903000e8acdull);
	ck_assert_int_eq(o->nluns, 3);
	ck_assert_str_eq(o->lun[0].path, "/dev/sdb");
	ck_assert_ptr_null(o->lun[0].name);
	ck_assert(!o->lun[0].read_only);
	ck_assert_str_eq(o->lun[1].path, "/srv/a,b.img");
	ck_assert_str_eq(o->lun[1].name, "vol-a");
	ck_assert(o->lun[1].read_only);
	ck_assert_ptr_null(o->lun[1].ceph_conf);
	ck_assert_str_eq(o->lun[2].path, "rbd:rbd/vol");
	ck_assert_str_eq(o->lun[2].ceph_conf, "/etc/ceph/b.conf");
	ck_assert_str_eq(o->lun[2].ceph_id, "srpt");
	ck_assert_str_eq(o->ceph_conf, "/etc/ceph/a.conf");
	ck_assert_str_eq(o->ceph_id, "gw");
	ck_assert_int_eq(o->block_size, 4096);
	ck_assert_uint_eq(o->pool_size, 256ull << 20);
	ck_assert_int_eq(o->cli.threads, 3);
	ck_assert_int_eq(o->cli.ncpus, 2);
	ck_assert_int_eq(o->cli.cpus[1], 2);
	ck_assert_int_eq(o->cli.queue_depth, 64);
	ck_assert_int_eq(o->cli.srq_size, 1024);
	ck_assert_int_eq(o->alua_group, 2);
	ck_assert_int_eq(o->alua_port, 5);
	ck_assert_int_eq(o->alua_state, SCSI_ALUA_STANDBY);
	ck_assert_int_eq(o->cli.nallow, 2);
	ck_assert(!o->cli.allow[0].is_addr);
	ck_assert_int_eq(o->cli.allow[0].port_id[15], 0xff);
	ck_assert(o->cli.allow[1].is_addr);
	ck_assert_int_eq(o->log_level, SRPT_LOG_INFO);
	ck_assert_str_eq(o->control_path, "/run/srpt-blockdev/test.sock");
	ck_assert(o->read_only);
	ck_assert(o->shared);
	ck_assert(o->dsync);
}

START_TEST(every_field)
{
	struct options o;
	char err[CONFIG_ERR_MAX] = "";

	ck_assert_msg(!load(&o, full, err, sizeof(err)), "%s", err);
	assert_full(&o);
	ck_assert_int_eq(options_finish(&o), 0);
	options_free(&o);
}
END_TEST

START_TEST(minimal_and_defaults)
{
	struct options o;
	char err[CONFIG_ERR_MAX] = "";

	ck_assert_msg(!load(&o, "{\"luns\":[{\"path\":\"/x\"}], \"pool\": 2097152, \"srq\": 0}",
			    err, sizeof(err)), "%s", err);
	ck_assert_int_eq(o.nluns, 1);
	ck_assert_int_eq(o.cli.port, 5555);
	ck_assert_uint_eq(o.pool_size, 2u << 20);
	ck_assert_int_eq(o.cli.srq_size, 0);
	ck_assert_int_eq(options_finish(&o), 0);
	ck_assert_int_eq(o.log_level, SRPT_LOG_NOTICE);
	ck_assert_str_eq(o.cli.bind_str, "any address");
	options_free(&o);
}
END_TEST

/* Each wrong field: the message names the file and the field. */
START_TEST(wrong_fields)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "{\"luns\": {}}", "luns: not an array" },
		{ "{\"luns\": [ {\"path\":\"/a\"}, {\"path\":\"/b\"}, {\"path\": 3} ]}", "luns[2].path: not a string" },
		{ "{\"luns\": [ {\"path\":\"\"} ]}", "luns[0].path: an empty string" },
		{ "{\"luns\": [ {\"name\":\"x\"} ]}", "luns[0]: no \"path\"" },
		{ "{\"luns\": [ \"/dev/sdb\" ]}", "luns[0]: not an object" },
		{ "{\"luns\": [ {\"path\":\"/a\", \"ro\": true} ]}", "luns[0].ro: unknown field" },
		{ "{\"luns\": [ {\"path\":\"/a\", \"name\": 1} ]}", "luns[0].name: not a string" },
		{ "{\"luns\": [ {\"path\":\"/a\", \"read_only\": \"yes\"} ]}", "luns[0].read_only: not true or false" },
		{ "{\"luns\": [ {\"path\":\"/a\", \"ceph_id\": \"x\"} ]}", "luns[0]: \"ceph_conf\" and \"ceph_id\" are for RBD images" },
		{ "{\"luns\": [ {\"path\":\"rbd:p/i\", \"ceph_conf\": 2} ]}", "luns[0].ceph_conf: not a string" },
		{ "{\"luns\": [ {\"path\":\"/a\"} ], \"ceph_id\": \"\"}", "ceph_id: an empty string" },
		{ "{\"listen\": 5555}", "listen: not an object" },
		{ "{\"listen\": {\"port\": 0}}", "listen.port: 0 is not a number from 1 to 65535" },
		{ "{\"listen\": {\"port\": \"5555\"}}", "listen.port: not a number" },
		{ "{\"listen\": {\"address\": \"example.com\"}}", "listen.address: 'example.com' is not an IPv4 or IPv6" },
		{ "{\"listen\": {\"host\": \"::\"}}", "listen.host: unknown field" },
		{ "{\"ioc_guid\": 1234}", "ioc_guid: not a non-zero 64-bit hex number" },
		{ "{\"ioc_guid\": \"0x0\"}", "ioc_guid: not a non-zero" },
		{ "{\"block_size\": 1024}", "block_size: neither 512 nor 4096" },
		{ "{\"pool\": \"4K\"}", "pool: not a size from 1M to 64G" },
		{ "{\"pool\": true}", "pool: not a size" },
		{ "{\"threads\": 17}", "threads: 17 is not a number from 1 to 16" },
		{ "{\"threads\": 2.5}", "threads: not a number" },
		{ "{\"cpus\": [0, 1024]}", "cpus[1]: 1024 is not a number from 0 to 1023" },
		{ "{\"cpus\": 3}", "cpus: not an array" },
		{ "{\"queue_depth\": 1}", "queue_depth: 1 is not a number from 2 to 4096" },
		{ "{\"srq\": 8}", "srq: 8 is not a number from 16 to 65536" },
		{ "{\"alua\": {\"group\": 0}}", "alua.group: 0 is not a number from 1 to 65535" },
		{ "{\"alua\": {\"group\": 1, \"port\": 70000}}", "alua.port: 70000 is not a number" },
		{ "{\"alua\": {\"group\": 1, \"state\": \"sleepy\"}}", "alua.state: 'sleepy' is none of active" },
		{ "{\"alua\": {\"state\": \"standby\"}}", "alua: no \"group\"" },
		{ "{\"alua\": {\"group\": 1, \"mode\": 1}}", "alua.mode: unknown field" },
		{ "{\"allow\": \"10.0.0.1\"}", "allow: not an array" },
		{ "{\"allow\": [\"10.0.0.1\", \"host\"]}", "allow[1]: 'host' is neither" },
		{ "{\"allow\": [7]}", "allow[0]: not a string" },
		{ "{\"log_level\": \"loud\"}", "log_level: none of" },
		{ "{\"log_level\": 7}", "log_level: none of" },
		{ "{\"control\": \"\"}", "control: an empty string" },
		{ "{\"control\": false}", "control: not a string" },
		{ "{\"read_only\": 1}", "read_only: not true or false" },
		{ "{\"shared\": \"no\"}", "shared: not true or false" },
		{ "{\"dsync\": null}", "dsync: not true or false" },
		{ "{\"lun\": []}", "lun: unknown field" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		char err[CONFIG_ERR_MAX] = "", want[CONFIG_ERR_MAX];

		snprintf(want, sizeof(want), "%s: %s", path, cases[i].msg);
		ck_assert_msg(load(&o, cases[i].text, err, sizeof(err)) == -1,
			      "accepted: %s", cases[i].text);
		ck_assert_msg(!strncmp(err, want, strlen(want)),
			      "%s: got '%s', want '%s...'", cases[i].text, err,
			      want);
		options_free(&o);
	}
}
END_TEST

/* Not JSON: json-c's words, with the line and column. */
START_TEST(not_json)
{
	static const struct {
		const char *text;
		const char *where;
	} cases[] = {
		{ "{\n  \"luns\": [\n    { \"path\": \"/a\" },\n  ],\n}\n", ":4:3: " },
		{ "{\n  \"threads\": 2\n  \"pool\": \"1M\"\n}\n", ":3:3: " },
		{ "{\n  \"luns\": [\n", ":3:1: the file ends inside" },
		{ "{ \"threads\": 2 }\n}\n", ":2:1: " },
		{ "", ":1:1: the file ends inside" },
		{ "// comment\n{}", ":1:1: " },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		char err[CONFIG_ERR_MAX] = "", want[CONFIG_ERR_MAX];

		snprintf(want, sizeof(want), "%s%s", path, cases[i].where);
		ck_assert_msg(load(&o, cases[i].text, err, sizeof(err)) == -1,
			      "accepted: %s", cases[i].text);
		ck_assert_msg(!strncmp(err, want, strlen(want)) &&
			      strlen(err) > strlen(want),
			      "case %zu: got '%s', want '%s...'", i, err, want);
		options_free(&o);
	}
}
END_TEST

START_TEST(not_an_object_or_no_file)
{
	struct options o;
	char err[CONFIG_ERR_MAX] = "";

	ck_assert_int_eq(load(&o, "[1, 2]", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a JSON object"));
	options_free(&o);
	options_init(&o);
	ck_assert_int_eq(config_load(&o, "/nonexistent/srpt.json", err,
				     sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/srpt.json: No such file or directory");
	ck_assert_int_eq(config_load(&o, "/tmp", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/tmp: not a regular file");
	options_free(&o);
}
END_TEST

static int parse(struct options *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "srpt-blockdev";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return options_parse(o, argc, argv);
}

/* The command line over the file: options replace, LUNs and --allow
 * entries add. */
START_TEST(command_line_overrides)
{
	struct options o;

	write_config(full);
	ck_assert_int_eq(parse(&o, "-t", "2", "--port", "6000",
			       "--alua-state", "active", "/dev/sdc,ro",
			       "--allow", "10.0.0.10", "--config", path,
			       "--log-level", "debug", "--control", "/tmp/c.sock",
			       NULL), 1);
	ck_assert_str_eq(o.config_path, path);
	ck_assert_int_eq(o.cli.threads, 2);
	ck_assert_int_eq(o.cli.port, 6000);
	ck_assert_str_eq(o.cli.bind_str, "192.168.7.1");
	ck_assert_int_eq(o.cli.queue_depth, 64);
	ck_assert_int_eq(o.alua_group, 2);
	ck_assert_int_eq(o.alua_state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_int_eq(o.nluns, 4);
	ck_assert_str_eq(o.lun[3].path, "/dev/sdc");
	ck_assert(o.lun[3].read_only);
	ck_assert_int_eq(o.cli.nallow, 3);
	ck_assert_int_eq(o.log_level, SRPT_LOG_DEBUG);
	ck_assert_str_eq(o.control_path, "/tmp/c.sock");
	options_free(&o);
	/* A file with the LUNs is enough. */
	write_config("{\"luns\": [{\"path\": \"/x\"}]}");
	ck_assert_int_eq(parse(&o, "-c", path, "-v", NULL), 1);
	ck_assert_int_eq(o.nluns, 1);
	ck_assert_int_eq(o.log_level, SRPT_LOG_INFO);
	options_free(&o);
	/* A bad file: no start, whatever the rest. */
	write_config("{\"luns\": [{\"path\": 1}]}");
	ck_assert_int_eq(parse(&o, "-c", path, "/dev/sdb", NULL), -1);
	options_free(&o);
	/* The checks over both: ALUA state without a group. */
	write_config("{\"luns\": [{\"path\": \"/x\"}]}");
	ck_assert_int_eq(parse(&o, "-c", path, "--alua-state", "standby", NULL), -1);
	options_free(&o);
}
END_TEST

/* Written, read back: the same options. */
START_TEST(save_round_trip)
{
	struct options o, back;
	char err[CONFIG_ERR_MAX] = "", saved[160];

	ck_assert_msg(!load(&o, full, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(options_finish(&o), 0);
	snprintf(saved, sizeof(saved), "%s.saved", path);
	ck_assert_msg(!config_save(&o, saved, err, sizeof(err)), "%s", err);
	options_init(&back);
	ck_assert_msg(!config_load(&back, saved, err, sizeof(err)), "%s", err);
	assert_full(&back);
	ck_assert_int_eq(options_finish(&back), 0);
	options_free(&back);
	/* Over an existing file, keeping its mode. */
	chmod(saved, 0640);
	o.cli.port = 7000;
	ck_assert_msg(!config_save(&o, saved, err, sizeof(err)), "%s", err);
	{
		struct stat st;

		ck_assert_int_eq(stat(saved, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0640);
	}
	options_init(&back);
	ck_assert_msg(!config_load(&back, saved, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(back.cli.port, 7000);
	options_free(&back);
	options_free(&o);
	unlink(saved);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = bt_tcase(s, "config", setup, teardown);

	tcase_add_test(tc, every_field);
	tcase_add_test(tc, minimal_and_defaults);
	tcase_add_test(tc, wrong_fields);
	tcase_add_test(tc, not_json);
	tcase_add_test(tc, not_an_object_or_no_file);
	tcase_add_test(tc, command_line_overrides);
	tcase_add_test(tc, save_round_trip);
	return s;
}

int main(void)
{
	return bt_run(suite());
}
