/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The control socket's methods of srpt-blockdev (service.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "reload.h"
#include "service.h"
#include "show.h"

/* libsrpt's target behind the methods. */

struct visit {
	int (*fn)(const struct srpt_channel_info *in,
		  const struct srpt_io_stats *st, void *arg);
	void *arg;
};

static int srpt_visit(struct srpt_channel *ch, void *arg)
{
	struct visit *v = arg;
	struct srpt_channel_info in = { .size = sizeof(in) };
	struct srpt_io_stats st = { .size = sizeof(st) };

	if (srpt_channel_get_info(ch, &in) || srpt_channel_get_stats(ch, &st))
		return 0;
	return v->fn(&in, &st, v->arg);
}

static int srpt_foreach(void *t, int (*fn)(const struct srpt_channel_info *,
					   const struct srpt_io_stats *, void *),
			void *arg)
{
	struct visit v = { .fn = fn, .arg = arg };

	return srpt_target_foreach_channel(t, srpt_visit, &v);
}

static int srpt_close(void *t, uint64_t id)
{
	struct srpt_channel *ch;
	int r = srpt_target_find_channel(t, id, &ch);

	if (r)
		return r;
	r = srpt_channel_close(ch);
	srpt_channel_unref(ch);
	return r;
}

static int srpt_log(void *t, int level)
{
	return srpt_target_set_log_level(t, level);
}

static int srpt_port_id(void *t, uint64_t *id_ext, uint64_t *ioc_guid)
{
	return srpt_target_get_port_id(t, id_ext, ioc_guid);
}

static int srpt_stats(void *t, struct srpt_target_stats *st,
		      struct srpt_io_stats *io)
{
	return srpt_target_get_stats(t, st, io);
}

const struct svc_target_ops svc_srpt_ops = {
	.foreach_channel = srpt_foreach,
	.close_channel = srpt_close,
	.set_log_level = srpt_log,
	.get_port_id = srpt_port_id,
	.get_stats = srpt_stats,
};

/* JSON helpers: json-c's adders ignore a NULL value as null. */

static void put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void put_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void put_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void put_hex64(json_object *o, const char *k, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "0x%016" PRIx64, v);
	put_str(o, k, text);
}

static json_object *io_stats(const struct srpt_io_stats *st)
{
	static const char *const tmf[SRPT_STATS_TMF] = {
		"abort_task", "abort_task_set", "clear_task_set", "lun_reset",
		"clear_aca", "other",
	};
	json_object *o = json_object_new_object(), *t = json_object_new_object();

	put_u64(o, "cmds", st->cmds);
	put_u64(o, "cmds_in", st->cmds_in);
	put_u64(o, "cmds_out", st->cmds_out);
	put_u64(o, "bytes_in", st->bytes_in);
	put_u64(o, "bytes_out", st->bytes_out);
	put_u64(o, "rsps", st->rsps);
	for (int i = 0; i < SRPT_STATS_TMF; i++)
		put_u64(t, tmf[i], st->tmf[i]);
	json_object_object_add(o, "tmf", t);
	put_u64(o, "aborted", st->aborted);
	put_u64(o, "bad_ius", st->bad_ius);
	put_u64(o, "credit_overruns", st->credit_overruns);
	put_u64(o, "busy", st->busy);
	put_u64(o, "transfer_errors", st->transfer_errors);
	put_u64(o, "cred_reqs", st->cred_reqs);
	put_u64(o, "aer_reqs", st->aer_reqs);
	return o;
}

/* Methods: params must be an object (or absent) with only the fields
 * named; everything is checked before anything changes. */

static int no_params(json_object *params, char *msg, size_t n)
{
	if (params && (!json_object_is_type(params, json_type_object) ||
		       json_object_object_length(params))) {
		snprintf(msg, n, "this method takes no params");
		return CTL_INVALID_PARAMS;
	}
	return 0;
}

/* Only the named fields (NULL-terminated), params an object. */
static int only(json_object *params, const char *const *names, bool required,
		char *msg, size_t n)
{
	if (!params) {
		if (!required)
			return 0;
		snprintf(msg, n, "params: an object with \"%s\"", names[0]);
		return CTL_INVALID_PARAMS;
	}
	if (!json_object_is_type(params, json_type_object)) {
		snprintf(msg, n, "params: an object, not an array");
		return CTL_INVALID_PARAMS;
	}
	json_object_object_foreach(params, key, v) {
		const char *const *k = names;

		(void)v;
		while (*k && strcmp(*k, key))
			k++;
		if (!*k) {
			snprintf(msg, n, "params.%s: unknown field", key);
			return CTL_INVALID_PARAMS;
		}
	}
	return 0;
}

static json_object *lun_json(const struct bd_lun *l)
{
	json_object *j = json_object_new_object();

	put_int(j, "lun", l->index);
	put_str(j, "path", l->path);
	put_str(j, "name", l->name);
	put_u64(j, "size", l->lun.nblocks * l->lun.block_size);
	put_u64(j, "blocks", l->lun.nblocks);
	put_int(j, "block_size", l->lun.block_size);
	put_bool(j, "read_only", l->lun.write_protect);
	put_bool(j, "thin", l->lun.thin);
	put_bool(j, "write_cache", l->lun.write_cache);
	return j;
}

static int add_lun(const struct bd_lun *l, void *arg)
{
	json_object_array_add(arg, lun_json(l));
	return 0;
}

/* The JSON of LUN @idx, into *@out. */
struct find {
	int idx;
	json_object **out;
};

static int find_lun(const struct bd_lun *l, void *arg)
{
	struct find *f = arg;

	if ((int)l->index != f->idx)
		return 0;
	*f->out = lun_json(l);
	return 1;
}

static int target_show(void *arg, json_object *params, json_object **result,
		       char *msg, size_t n)
{
	struct svc *s = arg;
	const struct options *o = s->opt;
	struct srpt_target_stats ts = { .size = sizeof(ts) };
	struct srpt_io_stats io = { .size = sizeof(io) };
	json_object *r, *ports, *port, *luns, *alua;
	uint64_t id_ext, guid;
	int e = no_params(params, msg, n);

	if (e)
		return e;
	r = json_object_new_object();
	ports = json_object_new_array();
	port = json_object_new_object();
	put_str(port, "address", strcmp(o->cli.bind_str, "any address") ?
		o->cli.bind_str : "any");
	put_int(port, "port", o->cli.port);
	if (!s->ops->get_port_id(s->t, &id_ext, &guid)) {
		put_hex64(port, "id_ext", id_ext);
		put_hex64(port, "ioc_guid", guid);
	}
	json_object_array_add(ports, port);
	json_object_object_add(r, "ports", ports);
	luns = json_object_new_array();
	lun_table_foreach(s->luns, add_lun, luns);
	json_object_object_add(r, "luns", luns);
	if (s->desc->tpg_id) {
		alua = json_object_new_object();
		put_int(alua, "group", s->desc->tpg_id);
		put_int(alua, "port", s->desc->rel_port_id);
		put_str(alua, "state", options_alua_state_name(
				scsi_target_get_alua_state(s->desc)));
		json_object_object_add(r, "alua", alua);
	} else {
		json_object_object_add(r, "alua", NULL);
	}
	put_str(r, "log_level", options_log_level_name(o->log_level));
	put_str(r, "config", o->config_path);
	if (!s->ops->get_stats(s->t, &ts, &io)) {
		put_int(r, "channels", ts.channels);
		put_u64(r, "logins", ts.logins);
		json_object_object_add(r, "stats", io_stats(&io));
	}
	*result = r;
	return 0;
}

static int add_channel(const struct srpt_channel_info *in,
		       const struct srpt_io_stats *st, void *arg)
{
	json_object *list = arg, *c = json_object_new_object();
	char text[INET6_ADDRSTRLEN > 33 ? INET6_ADDRSTRLEN : 33];

	put_u64(c, "id", in->id);
	put_str(c, "state", srpt_channel_state_name(in->state));
	show_port_id(in->initiator_port_id, text);
	put_str(c, "initiator", text);
	show_port_id(in->target_port_id, text);
	put_str(c, "target", text);
	show_addr(&in->src, text, sizeof(text));
	put_str(c, "source", text);
	show_addr(&in->dst, text, sizeof(text));
	put_str(c, "destination", text);
	put_int(c, "login_time", in->login_time_sec);
	put_str(c, "device", in->device);
	put_int(c, "port", in->port);
	put_u64(c, "qp", in->qp_num);
	put_u64(c, "credits", in->credits);
	put_int(c, "credits_held", in->credits_held);
	put_u64(c, "outstanding", in->cmds_outstanding);
	put_str(c, "multichannel", in->multichannel ? "multi" : "single");
	put_bool(c, "srq", in->srq);
	put_u64(c, "max_it_iu_len", in->max_it_iu_len);
	json_object_object_add(c, "stats", io_stats(st));
	json_object_array_add(list, c);
	return 0;
}

static int sessions_list(void *arg, json_object *params, json_object **result,
			 char *msg, size_t n)
{
	struct svc *s = arg;
	json_object *list;
	int e = no_params(params, msg, n);

	if (e)
		return e;
	list = json_object_new_array();
	s->ops->foreach_channel(s->t, add_channel, list);
	*result = json_object_new_object();
	json_object_object_add(*result, "channels", list);
	return 0;
}

static int session_close(void *arg, json_object *params, json_object **result,
			 char *msg, size_t n)
{
	static const char *const names[] = { "id", NULL };
	struct svc *s = arg;
	json_object *v;
	int64_t id;
	int e = only(params, names, true, msg, n), r;

	if (e)
		return e;
	if (!json_object_object_get_ex(params, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (id = json_object_get_int64(v)) <= 0) {
		snprintf(msg, n, "params.id: not a channel id (a number from sessions.list)");
		return CTL_INVALID_PARAMS;
	}
	r = s->ops->close_channel(s->t, (uint64_t)id);
	if (r == -ENOENT) {
		snprintf(msg, n, "no channel %" PRId64, id);
		return CTL_NOT_FOUND;
	}
	if (r && r != -EALREADY) {
		snprintf(msg, n, "channel %" PRId64 ": %s", id, strerror(-r));
		return CTL_FAILED;
	}
	*result = json_object_new_object();
	put_u64(*result, "id", (uint64_t)id);
	put_bool(*result, "already_closing", r == -EALREADY);
	return 0;
}

static int alua_set_state(void *arg, json_object *params, json_object **result,
			  char *msg, size_t n)
{
	static const char *const names[] = { "state", "group", NULL };
	struct svc *s = arg;
	enum scsi_alua_state st, was;
	json_object *v;
	int e = only(params, names, true, msg, n);

	if (e)
		return e;
	if (!json_object_object_get_ex(params, "state", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    options_alua_state(json_object_get_string(v), &st)) {
		snprintf(msg, n, "params.state: none of \"active\", \"non-optimized\", \"standby\", \"unavailable\"");
		return CTL_INVALID_PARAMS;
	}
	if (!s->desc->tpg_id) {
		snprintf(msg, n, "no ALUA: the target was started without a port group (alua.group, --alua-group)");
		return CTL_FAILED;
	}
	if (s->opt->rbd_lock) {
		snprintf(msg, n, "the RBD image's lock decides this port group's state (alua.rbd_lock, --rbd-lock)");
		return CTL_FAILED;
	}
	if (json_object_object_get_ex(params, "group", &v) &&
	    (!json_object_is_type(v, json_type_int) ||
	     json_object_get_int64(v) != s->desc->tpg_id)) {
		snprintf(msg, n, "params.group: this target is port group %u",
			 s->desc->tpg_id);
		return CTL_INVALID_PARAMS;
	}
	was = scsi_target_get_alua_state(s->desc);
	if (scsi_target_set_alua_state(s->desc, st)) {
		snprintf(msg, n, "the SCSI emulation refused the state");
		return CTL_FAILED;
	}
	s->opt->alua_state = st;
	fprintf(stderr, "srpt-blockdev: ALUA port group %u: %s (was %s), by the control socket\n",
		s->desc->tpg_id, options_alua_state_name(st),
		options_alua_state_name(was));
	*result = json_object_new_object();
	put_int(*result, "group", s->desc->tpg_id);
	put_str(*result, "state", options_alua_state_name(st));
	put_str(*result, "previous", options_alua_state_name(was));
	return 0;
}

static int log_set_level(void *arg, json_object *params, json_object **result,
			 char *msg, size_t n)
{
	static const char *const names[] = { "level", NULL };
	struct svc *s = arg;
	json_object *v;
	int e = only(params, names, true, msg, n), level = -1, was;

	if (e)
		return e;
	if (json_object_object_get_ex(params, "level", &v) &&
	    json_object_is_type(v, json_type_string))
		level = options_log_level(json_object_get_string(v));
	if (level < 0) {
		snprintf(msg, n, "params.level: none of \"err\", \"warning\", \"notice\", \"info\", \"debug\"");
		return CTL_INVALID_PARAMS;
	}
	e = s->ops->set_log_level(s->t, level);
	if (e) {
		snprintf(msg, n, "the library refused level %d: %s", level,
			 strerror(-e));
		return CTL_FAILED;
	}
	was = s->opt->log_level;
	s->opt->log_level = level;
	*result = json_object_new_object();
	put_str(*result, "level", options_log_level_name(level));
	put_str(*result, "previous", options_log_level_name(was));
	return 0;
}

static int config_save_method(void *arg, json_object *params,
			      json_object **result, char *msg, size_t n)
{
	static const char *const names[] = { "path", NULL };
	struct svc *s = arg;
	const char *path = s->opt->config_path;
	char err[CONFIG_ERR_MAX];
	json_object *v;
	int e = only(params, names, false, msg, n);

	if (e)
		return e;
	if (params && json_object_object_get_ex(params, "path", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !*json_object_get_string(v)) {
			snprintf(msg, n, "params.path: not a file name");
			return CTL_INVALID_PARAMS;
		}
		path = json_object_get_string(v);
	}
	if (!path) {
		snprintf(msg, n, "no path: the target was started without --config; name one (params.path)");
		return CTL_INVALID_PARAMS;
	}
	if (!config_available()) {
		snprintf(msg, n, "not available: built without json-c");
		return CTL_NOT_SUPPORTED;
	}
	/* What runs now: a state SIGUSR2 set included. */
	if (s->desc->tpg_id && !s->opt->rbd_lock)
		s->opt->alua_state = scsi_target_get_alua_state(s->desc);
	if (config_save(s->opt, path, err, sizeof(err))) {
		snprintf(msg, n, "%s", err);
		return CTL_FAILED;
	}
	*result = json_object_new_object();
	put_str(*result, "path", path);
	return 0;
}

/* opt's LUN list as the table has it now, for config.save: in LUN
 * order, a number only where it is not the position. */
struct opt_luns {
	struct options *o;
	int err;
};

static int opt_lun(const struct bd_lun *l, void *arg)
{
	struct opt_luns *ol = arg;
	struct bd_lun_arg *a = &ol->o->lun[ol->o->nluns];

	memset(a, 0, sizeof(*a));
	a->path = strdup(l->path);
	a->name = l->name ? strdup(l->name) : NULL;
	a->ceph_conf = l->ceph_conf ? strdup(l->ceph_conf) : NULL;
	a->ceph_id = l->ceph_id ? strdup(l->ceph_id) : NULL;
	a->read_only = l->read_only;
	a->index = l->index;
	a->has_index = l->index != ol->o->nluns;
	ol->o->nluns++;
	if (!a->path || (l->name && !a->name) ||
	    (l->ceph_conf && !a->ceph_conf) || (l->ceph_id && !a->ceph_id))
		ol->err = -ENOMEM;
	return 0;
}

int svc_sync_luns(struct svc *s)
{
	struct opt_luns ol = { .o = s->opt };

	for (unsigned int i = 0; i < s->opt->nluns; i++) {
		free(s->opt->lun[i].path);
		free(s->opt->lun[i].name);
		free(s->opt->lun[i].ceph_conf);
		free(s->opt->lun[i].ceph_id);
	}
	s->opt->nluns = 0;
	lun_table_foreach(s->luns, opt_lun, &ol);
	return ol.err;
}

/* params.lun: a LUN number, or absent when @optional. */
static int lun_number(json_object *params, bool optional, int *out,
		      char *msg, size_t n)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(params, "lun", &v)) {
		if (optional) {
			*out = -1;
			return 0;
		}
		snprintf(msg, n, "params.lun: missing (the LUN number, from target.show)");
		return CTL_INVALID_PARAMS;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    (x = json_object_get_int64(v)) < 0 || x >= LUN_TABLE_MAX) {
		snprintf(msg, n, "params.lun: not a LUN number from 0 to %u",
			 LUN_TABLE_MAX - 1);
		return CTL_INVALID_PARAMS;
	}
	*out = (int)x;
	return 0;
}

/* params.@key: a non-empty string, or absent (@out untouched). */
static int opt_string(json_object *params, const char *key, const char **out,
		      char *msg, size_t n)
{
	json_object *v;

	if (!json_object_object_get_ex(params, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v)) {
		snprintf(msg, n, "params.%s: not a non-empty string", key);
		return CTL_INVALID_PARAMS;
	}
	*out = json_object_get_string(v);
	return 0;
}

/* With --rbd-lock the one LUN is fixed: the lock's thread holds its
 * backing. Return: 0, or CTL_FAILED with @msg saying so. */
static int luns_fixed(const struct svc *s, char *msg, size_t n)
{
	if (!s->opt->rbd_lock)
		return 0;
	snprintf(msg, n, "the LUN is fixed while the RBD image's lock decides the port group's state (alua.rbd_lock, --rbd-lock)");
	return CTL_FAILED;
}

static int lun_add(void *arg, json_object *params, json_object **result,
		   char *msg, size_t n)
{
	static const char *const names[] = {
		"path", "name", "read_only", "lun", "ceph_conf", "ceph_id",
		NULL,
	};
	struct svc *s = arg;
	struct lun_spec spec = { 0 };
	json_object *v;
	int e = only(params, names, true, msg, n), idx, r;
	char why[512];

	if (!e)
		e = luns_fixed(s, msg, n);
	if (e)
		return e;
	if (!json_object_object_get_ex(params, "path", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v)) {
		snprintf(msg, n, "params.path: not a file or block device name");
		return CTL_INVALID_PARAMS;
	}
	spec.path = json_object_get_string(v);
	e = opt_string(params, "name", &spec.name, msg, n);
	if (e)
		return e;
	if (json_object_object_get_ex(params, "read_only", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			snprintf(msg, n, "params.read_only: not true or false");
			return CTL_INVALID_PARAMS;
		}
		spec.read_only = json_object_get_boolean(v);
	}
	e = opt_string(params, "ceph_conf", &spec.ceph_conf, msg, n);
	if (!e)
		e = opt_string(params, "ceph_id", &spec.ceph_id, msg, n);
	if (e)
		return e;
	e = lun_number(params, true, &idx, msg, n);
	if (e)
		return e;
	if (idx < 0)
		idx = lun_table_free_index(s->luns);
	if (idx < 0) {
		snprintf(msg, n, "every LUN number from 0 to %u is in use",
			 LUN_TABLE_MAX - 1);
		return CTL_FAILED;
	}
	r = lun_table_add(s->luns, (unsigned int)idx, &spec, why, sizeof(why));
	if (r) {
		snprintf(msg, n, "%s", why);
		return r == -EEXIST ? CTL_INVALID_PARAMS : CTL_FAILED;
	}
	if (svc_sync_luns(s))
		fprintf(stderr, "srpt-blockdev: out of memory: config.save would miss LUNs\n");
	fprintf(stderr, "srpt-blockdev: LUN %d: %s added, by the control socket\n",
		idx, spec.path);
	*result = NULL;
	lun_table_foreach(s->luns, find_lun, &(struct find){ idx, result });
	return 0;
}

static int lun_remove(void *arg, json_object *params, json_object **result,
		      char *msg, size_t n)
{
	static const char *const names[] = { "lun", NULL };
	struct svc *s = arg;
	unsigned int busy = 0;
	int e = only(params, names, true, msg, n), idx, r;

	if (!e)
		e = luns_fixed(s, msg, n);
	if (e)
		return e;
	e = lun_number(params, false, &idx, msg, n);
	if (e)
		return e;
	r = lun_table_remove(s->luns, (unsigned int)idx, &busy);
	if (r == -ENOENT) {
		snprintf(msg, n, "no LUN %d", idx);
		return CTL_NOT_FOUND;
	}
	if (svc_sync_luns(s))
		fprintf(stderr, "srpt-blockdev: out of memory: config.save would miss LUNs\n");
	fprintf(stderr, "srpt-blockdev: LUN %d removed, by the control socket\n",
		idx);
	*result = json_object_new_object();
	put_int(*result, "lun", idx);
	put_u64(*result, "busy", busy);
	return 0;
}

static int config_reload(void *arg, json_object *params, json_object **result,
			 char *msg, size_t n)
{
	struct svc *s = arg;
	struct reload_result res;
	int e = no_params(params, msg, n);

	if (e)
		return e;
	if (!config_available()) {
		snprintf(msg, n, "not available: built without json-c");
		return CTL_NOT_SUPPORTED;
	}
	e = svc_reload_logged(s, &res, msg, n, "the control socket");
	if (e == -ENODATA)
		return CTL_INVALID_PARAMS;
	if (e)
		return CTL_FAILED;
	*result = json_object_new_object();
	put_str(*result, "path", s->opt->config_path);
	put_u64(*result, "added", res.added);
	put_u64(*result, "removed", res.removed);
	put_u64(*result, "kept", res.kept);
	put_str(*result, "log_level", options_log_level_name(s->opt->log_level));
	if (s->desc->tpg_id)
		put_str(*result, "alua_state", options_alua_state_name(
				scsi_target_get_alua_state(s->desc)));
	return 0;
}

int svc_reload_logged(struct svc *s, struct reload_result *res, char *msg,
		      size_t n, const char *by)
{
	int r;

	if (s->on_reload)
		s->on_reload(s, false);
	r = svc_reload(s, res, msg, n);
	if (r)
		fprintf(stderr, "srpt-blockdev: reload (by %s) refused: %s\n",
			by, msg);
	else
		fprintf(stderr, "srpt-blockdev: reloaded %s (by %s): %u LUN(s) added, %u removed, %u kept%s%s\n",
			s->opt->config_path, by, res->added, res->removed,
			res->kept, res->log_level ? ", new log level" : "",
			res->alua_state ? ", new ALUA state" : "");
	if (s->on_reload)
		s->on_reload(s, true);
	return r;
}

const struct ctl_method svc_methods[] = {
	{ "target.show", target_show },
	{ "sessions.list", sessions_list },
	{ "session.close", session_close },
	{ "alua.set_state", alua_set_state },
	{ "log.set_level", log_set_level },
	{ "config.save", config_save_method },
	{ "config.reload", config_reload },
	{ "lun.add", lun_add },
	{ "lun.remove", lun_remove },
	{ NULL, NULL },
};
