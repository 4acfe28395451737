/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-blockdev's configuration file, with json-c (config.h): one JSON
 * object, each field checked as its command-line option is, each
 * problem named by the field's path (luns[2].path).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include <srpt/log.h>

#include "config.h"
#include "pool.h"
#include "show.h"

/* A configuration is a few kilobytes; this bounds a wrong file's cost. */
#define CONFIG_MAX_BYTES (1u << 20)

struct ctx {
	const char *file;
	char *err;
	size_t n;
	struct options *o;
};

bool config_available(void)
{
	return true;
}

__attribute__((format(printf, 3, 4)))
static int bad(struct ctx *c, const char *field, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(c->err, c->n, "%s: %s: ", c->file, field);

	if (k < 0 || (size_t)k >= c->n)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int get_uint(struct ctx *c, const char *field, json_object *v,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return bad(c, field, "not a number from %" PRIu64 " to %" PRIu64,
			   min, max);
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
		return bad(c, field, "%" PRId64 " is not a number from %" PRIu64 " to %" PRIu64,
			   x, min, max);
	*out = (uint64_t)x;
	return 0;
}

static int get_bool(struct ctx *c, const char *field, json_object *v,
		    bool *out)
{
	if (!json_object_is_type(v, json_type_boolean))
		return bad(c, field, "not true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

/* A non-empty string. */
static int get_string(struct ctx *c, const char *field, json_object *v,
		      const char **out)
{
	if (!json_object_is_type(v, json_type_string))
		return bad(c, field, "not a string");
	*out = json_object_get_string(v);
	if (!**out)
		return bad(c, field, "an empty string");
	return 0;
}

static int set_string(struct ctx *c, const char *field, json_object *v,
		      char **dst)
{
	const char *s;
	char *n;

	if (get_string(c, field, v, &s))
		return -1;
	n = strdup(s);
	if (!n)
		return bad(c, field, "out of memory");
	free(*dst);
	*dst = n;
	return 0;
}

/* Field names of an object: each known one handled, any other an error
 * (a misspelt field must not be silently ignored). */
struct field {
	const char *name;
	int (*fn)(struct ctx *c, const char *field, json_object *v);
};

static int walk(struct ctx *c, const char *prefix, json_object *obj,
		const struct field *fields)
{
	char name[128];

	if (!json_object_is_type(obj, json_type_object))
		return bad(c, *prefix ? prefix : "(top level)",
			   "not an object ({ ... })");
	json_object_object_foreach(obj, key, v) {
		const struct field *f = fields;

		snprintf(name, sizeof(name), "%s%s%s", prefix,
			 *prefix ? "." : "", key);
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name)
			return bad(c, name, "unknown field");
		if (f->fn(c, name, v))
			return -1;
	}
	return 0;
}

static int f_address(struct ctx *c, const char *field, json_object *v)
{
	struct in6_addr a;
	const char *s;

	if (get_string(c, field, v, &s))
		return -1;
	if (inet_pton(AF_INET, s, &a) != 1 && inet_pton(AF_INET6, s, &a) != 1)
		return bad(c, field, "'%s' is not an IPv4 or IPv6 address", s);
	if (strlen(s) >= sizeof(c->o->cli.bind_str))
		return bad(c, field, "'%s' is too long", s);
	snprintf(c->o->cli.bind_str, sizeof(c->o->cli.bind_str), "%s", s);
	return 0;
}

static int f_port(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, 1, 65535, &x))
		return -1;
	c->o->cli.port = (uint16_t)x;
	return 0;
}

static int f_listen(struct ctx *c, const char *field, json_object *v)
{
	static const struct field fields[] = {
		{ "address", f_address },
		{ "port", f_port },
		{ NULL, NULL },
	};

	return walk(c, field, v, fields);
}

static int f_ioc_guid(struct ctx *c, const char *field, json_object *v)
{
	if (!json_object_is_type(v, json_type_string) ||
	    cli_parse_hex64(json_object_get_string(v), &c->o->cli.ioc_guid))
		return bad(c, field, "not a non-zero 64-bit hex number in a string (e.g. \"0x0002c903000e8acd\")");
	return 0;
}

static int f_lun_path(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->lun[c->o->nluns - 1].path);
}

static int f_lun_name(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->lun[c->o->nluns - 1].name);
}

static int f_lun_ro(struct ctx *c, const char *field, json_object *v)
{
	return get_bool(c, field, v, &c->o->lun[c->o->nluns - 1].read_only);
}

static int f_lun_number(struct ctx *c, const char *field, json_object *v)
{
	struct bd_lun_arg *l = &c->o->lun[c->o->nluns - 1];

	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) >= BD_MAX_LUNS)
		return bad(c, field, "not a LUN number from 0 to %u",
			   BD_MAX_LUNS - 1);
	l->has_index = true;
	l->index = (unsigned int)json_object_get_int64(v);
	return 0;
}

static int f_lun_ceph_conf(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->lun[c->o->nluns - 1].ceph_conf);
}

static int f_lun_ceph_id(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->lun[c->o->nluns - 1].ceph_id);
}

static int f_luns(struct ctx *c, const char *field, json_object *v)
{
	static const struct field fields[] = {
		{ "lun", f_lun_number },
		{ "path", f_lun_path },
		{ "name", f_lun_name },
		{ "read_only", f_lun_ro },
		{ "ceph_conf", f_lun_ceph_conf },
		{ "ceph_id", f_lun_ceph_id },
		{ NULL, NULL },
	};
	char name[64];
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return bad(c, field, "not an array of LUNs ([ { \"path\": ... } ])");
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		struct bd_lun_arg *l;

		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (c->o->nluns == BD_MAX_LUNS)
			return bad(c, name, "more than %u LUNs", BD_MAX_LUNS);
		l = &c->o->lun[c->o->nluns++];
		memset(l, 0, sizeof(*l));
		if (walk(c, name, json_object_array_get_idx(v, i), fields))
			return -1;
		if (!l->path)
			return bad(c, name, "no \"path\"");
		if (!options_lun_is_rbd(l) && (l->ceph_conf || l->ceph_id))
			return bad(c, name, "\"ceph_conf\" and \"ceph_id\" are for RBD images (\"rbd:POOL/IMAGE\")");
	}
	return 0;
}

static int f_block_size(struct ctx *c, const char *field, json_object *v)
{
	if (!json_object_is_type(v, json_type_int) ||
	    (json_object_get_int64(v) != 512 && json_object_get_int64(v) != 4096))
		return bad(c, field, "neither 512 nor 4096");
	c->o->block_size = (uint32_t)json_object_get_int64(v);
	return 0;
}

static int f_pool(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x = 0;

	if (json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0)
		x = (uint64_t)json_object_get_int64(v);
	else if (!json_object_is_type(v, json_type_string) ||
		 cli_parse_size(json_object_get_string(v), &x))
		x = 0;
	if (x < POOL_MAX_BYTES || x > (64ull << 30))
		return bad(c, field, "not a size from 1M to 64G (bytes, or a string such as \"256M\")");
	c->o->pool_size = x;
	return 0;
}

static int f_threads(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, 1, 16, &x))
		return -1;
	c->o->cli.threads = (uint32_t)x;
	return 0;
}

static int f_cpus(struct ctx *c, const char *field, json_object *v)
{
	char name[64];
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return bad(c, field, "not an array of CPU numbers");
	n = json_object_array_length(v);
	if (n > 64)
		return bad(c, field, "more than 64 CPUs");
	c->o->cli.ncpus = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t x;

		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (get_uint(c, name, json_object_array_get_idx(v, i), 0, 1023,
			     &x))
			return -1;
		c->o->cli.cpus[c->o->cli.ncpus++] = (unsigned int)x;
	}
	return 0;
}

static int f_queue_depth(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, 2, 4096, &x))
		return -1;
	c->o->cli.queue_depth = (uint32_t)x;
	return 0;
}

static int f_srq(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	/* 0: a receive ring per channel, as without the option */
	if (json_object_is_type(v, json_type_int) && !json_object_get_int64(v)) {
		c->o->cli.srq_size = 0;
		return 0;
	}
	if (get_uint(c, field, v, 16, 65536, &x))
		return -1;
	c->o->cli.srq_size = (uint32_t)x;
	return 0;
}

static int f_alua_group(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, 1, 65535, &x))
		return -1;
	c->o->alua_group = (uint16_t)x;
	return 0;
}

static int f_alua_port(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, 1, 65535, &x))
		return -1;
	c->o->alua_port = (uint16_t)x;
	return 0;
}

static int f_alua_state(struct ctx *c, const char *field, json_object *v)
{
	const char *s;

	if (get_string(c, field, v, &s))
		return -1;
	if (options_alua_state(s, &c->o->alua_state))
		return bad(c, field, "'%s' is none of active, non-optimized, standby, unavailable", s);
	return 0;
}

static int f_alua_rbd_lock(struct ctx *c, const char *field, json_object *v)
{
	return get_bool(c, field, v, &c->o->rbd_lock);
}

static int f_alua_rbd_stale(struct ctx *c, const char *field, json_object *v)
{
	uint64_t x;

	if (get_uint(c, field, v, OPTIONS_RBD_STALE_MIN, OPTIONS_RBD_STALE_MAX,
		     &x))
		return -1;
	c->o->rbd_stale = (unsigned int)x;
	return 0;
}

static int f_alua(struct ctx *c, const char *field, json_object *v)
{
	static const struct field fields[] = {
		{ "group", f_alua_group },
		{ "port", f_alua_port },
		{ "state", f_alua_state },
		{ "rbd_lock", f_alua_rbd_lock },
		{ "rbd_stale", f_alua_rbd_stale },
		{ NULL, NULL },
	};

	if (walk(c, field, v, fields))
		return -1;
	if (!c->o->alua_group)
		return bad(c, field, "no \"group\" (port and state belong to a target port group)");
	return 0;
}

static int f_allow(struct ctx *c, const char *field, json_object *v)
{
	char name[64];
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return bad(c, field, "not an array of initiators");
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		const char *s;
		int r;

		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (get_string(c, name, json_object_array_get_idx(v, i), &s))
			return -1;
		r = target_cli_add_allow(&c->o->cli, s);
		if (r == -EINVAL)
			return bad(c, name, "'%s' is neither a 32-hex-digit initiator port id nor an IP address", s);
		if (r)
			return bad(c, name, "out of memory");
	}
	return 0;
}

static int f_log_level(struct ctx *c, const char *field, json_object *v)
{
	int l = -1;

	if (json_object_is_type(v, json_type_string))
		l = options_log_level(json_object_get_string(v));
	if (l < 0)
		return bad(c, field, "none of \"err\", \"warning\", \"notice\", \"info\", \"debug\"");
	c->o->log_level = l;
	return 0;
}

static int f_control(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->control_path);
}

static int f_ceph_conf(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->ceph_conf);
}

static int f_ceph_id(struct ctx *c, const char *field, json_object *v)
{
	return set_string(c, field, v, &c->o->ceph_id);
}

static int f_read_only(struct ctx *c, const char *field, json_object *v)
{
	return get_bool(c, field, v, &c->o->read_only);
}

static int f_shared(struct ctx *c, const char *field, json_object *v)
{
	return get_bool(c, field, v, &c->o->shared);
}

static int f_dsync(struct ctx *c, const char *field, json_object *v)
{
	return get_bool(c, field, v, &c->o->dsync);
}

static const struct field top_fields[] = {
	{ "listen", f_listen },
	{ "ioc_guid", f_ioc_guid },
	{ "luns", f_luns },
	{ "block_size", f_block_size },
	{ "pool", f_pool },
	{ "threads", f_threads },
	{ "cpus", f_cpus },
	{ "queue_depth", f_queue_depth },
	{ "srq", f_srq },
	{ "alua", f_alua },
	{ "allow", f_allow },
	{ "log_level", f_log_level },
	{ "control", f_control },
	{ "ceph_conf", f_ceph_conf },
	{ "ceph_id", f_ceph_id },
	{ "read_only", f_read_only },
	{ "shared", f_shared },
	{ "dsync", f_dsync },
	{ NULL, NULL },
};

/* Where byte @off of @buf is, as "LINE:COLUMN" (both from 1). */
static void position(const char *buf, size_t off, unsigned int *line,
		     unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int read_file(const char *path, char **out, size_t *len, char *err,
		     size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_BYTES) {
		snprintf(err, n, "%s: %s", path, !S_ISREG(st.st_mode) ?
			 "not a regular file" : "larger than 1 MiB");
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, n, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	*out = buf;
	*len = got;
	return 0;
}

int config_load(struct options *o, const char *path, char *err, size_t n)
{
	struct ctx c = { .file = path, .err = err, .n = n, .o = o };
	struct json_tokener *tok;
	json_object *root;
	unsigned int line, col;
	char *buf;
	size_t len, end;
	int r = -1;

	if (read_file(path, &buf, &len, err, n))
		return -1;
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, n, "%s: out of memory", path);
		free(buf);
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		position(buf, end, &line, &col);
		snprintf(err, n, "%s:%u:%u: %s", path, line, col,
			 e == json_tokener_continue || e == json_tokener_success ?
			 "the file ends inside the configuration" :
			 json_tokener_error_desc(e));
		goto out;
	}
	while (end < len && strchr(" \t\r\n", buf[end]))
		end++;
	if (end < len) {
		position(buf, end, &line, &col);
		snprintf(err, n, "%s:%u:%u: text after the configuration's closing }",
			 path, line, col);
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, n, "%s: not a JSON object ({ \"luns\": ... })", path);
		goto out;
	}
	r = walk(&c, "", root, top_fields);
out:
	json_object_put(root);
	json_tokener_free(tok);
	free(buf);
	return r;
}

/* Writing: the options as fields, only those that differ from the
 * defaults (but the LUNs, the port and the log level). */

static int add(json_object *obj, const char *key, json_object *v)
{
	if (!v)
		return -1;
	if (json_object_object_add(obj, key, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int add_str(json_object *obj, const char *key, const char *s)
{
	return add(obj, key, json_object_new_string(s));
}

static int add_int(json_object *obj, const char *key, int64_t x)
{
	return add(obj, key, json_object_new_int64(x));
}

static json_object *to_json(const struct options *o)
{
	json_object *root = json_object_new_object(), *listen, *luns, *a;
	char text[64];
	int r = 0;

	if (!root)
		return NULL;
	listen = json_object_new_object();
	r |= add(root, "listen", listen);
	if (!r && strcmp(o->cli.bind_str, "any address") && o->cli.bind_str[0])
		r |= add_str(listen, "address", o->cli.bind_str);
	if (!r)
		r |= add_int(listen, "port", o->cli.port);
	if (o->cli.ioc_guid) {
		snprintf(text, sizeof(text), "0x%016" PRIx64, o->cli.ioc_guid);
		r |= add_str(root, "ioc_guid", text);
	}
	luns = json_object_new_array();
	r |= add(root, "luns", luns);
	for (unsigned int i = 0; !r && i < o->nluns; i++) {
		json_object *l = json_object_new_object();

		if (!l || json_object_array_add(luns, l)) {
			json_object_put(l);
			r = -1;
			break;
		}
		if (options_lun_index(o, i) != i)
			r |= add_int(l, "lun", options_lun_index(o, i));
		r |= add_str(l, "path", o->lun[i].path);
		if (o->lun[i].name)
			r |= add_str(l, "name", o->lun[i].name);
		if (o->lun[i].read_only)
			r |= add(l, "read_only", json_object_new_boolean(1));
		if (o->lun[i].ceph_conf)
			r |= add_str(l, "ceph_conf", o->lun[i].ceph_conf);
		if (o->lun[i].ceph_id)
			r |= add_str(l, "ceph_id", o->lun[i].ceph_id);
	}
	if (o->block_size)
		r |= add_int(root, "block_size", o->block_size);
	if (o->pool_size % (1u << 20))
		r |= add_int(root, "pool", (int64_t)o->pool_size);
	else {
		snprintf(text, sizeof(text), "%" PRIu64 "M", o->pool_size >> 20);
		r |= add_str(root, "pool", text);
	}
	if (o->cli.threads)
		r |= add_int(root, "threads", o->cli.threads);
	if (o->cli.ncpus) {
		a = json_object_new_array();
		r |= add(root, "cpus", a);
		for (unsigned int i = 0; !r && i < o->cli.ncpus; i++)
			r |= json_object_array_add(a,
				json_object_new_int64(o->cli.cpus[i]));
	}
	if (o->cli.queue_depth)
		r |= add_int(root, "queue_depth", o->cli.queue_depth);
	if (o->cli.srq_size)
		r |= add_int(root, "srq", o->cli.srq_size);
	if (o->alua_group) {
		a = json_object_new_object();
		r |= add(root, "alua", a);
		if (!r) {
			r |= add_int(a, "group", o->alua_group);
			r |= add_int(a, "port", o->alua_port ? o->alua_port :
							       o->alua_group);
			/* With the lock, the state is the lock's. */
			if (o->rbd_lock)
				r |= add(a, "rbd_lock", json_object_new_boolean(1));
			else
				r |= add_str(a, "state",
					     options_alua_state_name(o->alua_state));
			if (o->rbd_stale)
				r |= add_int(a, "rbd_stale", o->rbd_stale);
		}
	}
	if (o->cli.nallow) {
		a = json_object_new_array();
		r |= add(root, "allow", a);
		for (unsigned int i = 0; !r && i < o->cli.nallow; i++) {
			const struct allow_entry *e = &o->cli.allow[i];

			if (e->is_addr)
				show_addr(&e->addr, text, sizeof(text));
			else
				show_port_id(e->port_id, text);
			r |= json_object_array_add(a,
						   json_object_new_string(text));
		}
	}
	r |= add_str(root, "log_level", options_log_level_name(
			o->log_level ? o->log_level : SRPT_LOG_NOTICE));
	if (o->control_path)
		r |= add_str(root, "control", o->control_path);
	if (o->ceph_conf)
		r |= add_str(root, "ceph_conf", o->ceph_conf);
	if (o->ceph_id)
		r |= add_str(root, "ceph_id", o->ceph_id);
	if (o->read_only)
		r |= add(root, "read_only", json_object_new_boolean(1));
	if (o->shared)
		r |= add(root, "shared", json_object_new_boolean(1));
	if (o->dsync)
		r |= add(root, "dsync", json_object_new_boolean(1));
	if (r) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

int config_save(const struct options *o, const char *path, char *err,
		size_t n)
{
	json_object *root = to_json(o);
	const char *text;
	char *tmp = NULL, *dir, *slash;
	struct stat st;
	int fd = -1, r;

	if (!root) {
		snprintf(err, n, "%s: out of memory", path);
		return -ENOMEM;
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		r = -ENOMEM;
		goto fail;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (!stat(path, &st))
		fchmod(fd, st.st_mode & 07777);
	r = write_all(fd, text, strlen(text));
	if (!r)
		r = write_all(fd, "\n", 1);
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	fd = -1;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		goto fail;
	/* The rename itself durable: the directory's entry. */
	dir = strdup(path);
	if (dir) {
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = 0;
		fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(dir);
	}
	free(tmp);
	json_object_put(root);
	return 0;
fail:
	snprintf(err, n, "%s: %s", path, strerror(-r));
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	json_object_put(root);
	return r;
}
