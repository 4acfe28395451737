/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The configuration file, read again while the target serves (reload.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "reload.h"

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The first field the running target cannot change that @o changes, or
 * NULL. Threads: 0 in the file means "one per CPU", which is what runs
 * when it started so. */
static const char *fixed_field(const struct options *run,
			       const struct options *o)
{
	const struct target_cli *a = &run->cli, *b = &o->cli;

	if (strcmp(a->bind_str, b->bind_str))
		return "listen.address";
	if (a->port != b->port)
		return "listen.port";
	if (a->ioc_guid != b->ioc_guid)
		return "ioc_guid";
	if (b->threads && a->threads != b->threads)
		return "threads";
	if (a->ncpus != b->ncpus ||
	    memcmp(a->cpus, b->cpus, a->ncpus * sizeof(a->cpus[0])))
		return "cpus";
	if (a->queue_depth != b->queue_depth)
		return "queue_depth";
	if (a->srq_size != b->srq_size)
		return "srq";
	if (a->nallow != b->nallow ||
	    (a->nallow && memcmp(a->allow, b->allow,
				 a->nallow * sizeof(a->allow[0]))))
		return "allow";
	if (run->pool_size != o->pool_size)
		return "pool";
	if (run->block_size != o->block_size)
		return "block_size";
	if (run->read_only != o->read_only)
		return "read_only";
	if (run->shared != o->shared)
		return "shared";
	if (run->dsync != o->dsync)
		return "dsync";
	if (run->alua_group != o->alua_group)
		return "alua.group";
	if (run->alua_port != o->alua_port)
		return "alua.port";
	if (run->rbd_lock != o->rbd_lock)
		return "alua.rbd_lock";
	if (run->rbd_stale != o->rbd_stale)
		return "alua.rbd_stale";
	/* The lock's thread holds the one LUN's backing. */
	if (run->rbd_lock && (!same_str(run->lun[0].path, o->lun[0].path) ||
			      !same_str(run->lun[0].ceph_conf, o->lun[0].ceph_conf) ||
			      !same_str(run->lun[0].ceph_id, o->lun[0].ceph_id) ||
			      !same_str(run->lun[0].name, o->lun[0].name)))
		return "luns (fixed with alua.rbd_lock)";
	if (!same_str(run->control_path, o->control_path))
		return "control";
	/* The defaults of the RBD images that run. */
	if (!same_str(run->ceph_conf, o->ceph_conf))
		return "ceph_conf";
	if (!same_str(run->ceph_id, o->ceph_id))
		return "ceph_id";
	return NULL;
}

/* The plan: per LUN number, what the file wants and what runs. */
struct plan {
	const struct bd_lun_arg *want[LUN_TABLE_MAX];
	bool drop[LUN_TABLE_MAX];		/* running, to be removed */
	struct bd_lun *open[LUN_TABLE_MAX];	/* opened, to be inserted */
};

static int note_running(const struct bd_lun *l, void *arg)
{
	struct plan *p = arg;
	const struct bd_lun_arg *w = p->want[l->index];

	if (!w || strcmp(w->path, l->path) || !same_str(w->name, l->name) ||
	    w->read_only != l->read_only ||
	    !same_str(w->ceph_conf, l->ceph_conf) ||
	    !same_str(w->ceph_id, l->ceph_id))
		p->drop[l->index] = true;
	else
		p->want[l->index] = NULL;	/* kept as it is */
	return 0;
}

static void discard(struct plan *p)
{
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++) {
		lun_put(p->open[i]);
		p->open[i] = NULL;
	}
}

/* Two LUNs of the new set that serve the same data: one of the opened
 * against one that stays or another opened one. */
static int conflict(struct svc *s, struct plan *p, char *msg, size_t n)
{
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++) {
		if (!p->open[i])
			continue;
		for (unsigned int j = 0; j < LUN_TABLE_MAX; j++) {
			const struct bd_lun *o = p->open[j];

			if (j == i)
				continue;
			if (!o && !p->drop[j])
				o = s->luns->lun[j];
			if (o && o->b.id == p->open[i]->b.id) {
				snprintf(msg, n, "LUN %u: %s holds the same data as LUN %u (%s)",
					 i, p->open[i]->path, j, o->path);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int apply_luns(struct svc *s, const struct options *o,
		      struct reload_result *res, char *msg, size_t n)
{
	struct plan *p = calloc(1, sizeof(*p));
	char why[512];
	int r = 0;

	if (!p) {
		snprintf(msg, n, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < o->nluns; i++)
		p->want[options_lun_index(o, i)] = &o->lun[i];
	lun_table_foreach(s->luns, note_running, p);
	for (unsigned int i = 0; !r && i < LUN_TABLE_MAX; i++) {
		const struct bd_lun_arg *w = p->want[i];
		struct lun_spec spec;

		if (!w)
			continue;
		spec = (struct lun_spec){ .path = w->path, .name = w->name,
					  .read_only = w->read_only,
					  .ceph_conf = w->ceph_conf,
					  .ceph_id = w->ceph_id };
		r = lun_table_open(s->luns, i, &spec, &p->open[i], why,
				   sizeof(why));
		if (r)
			snprintf(msg, n, "%s", why);
	}
	if (!r)
		r = conflict(s, p, msg, n);
	if (r) {
		discard(p);
		free(p);
		return r;
	}
	res->kept = s->luns->count;
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++) {
		if (p->drop[i] && !lun_table_remove(s->luns, i, NULL)) {
			res->removed++;
			res->kept--;
		}
	}
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++) {
		if (!p->open[i])
			continue;
		/* Checked above: only a bug of ours fails here. */
		if (lun_table_insert(s->luns, p->open[i], why, sizeof(why))) {
			snprintf(msg, n, "%s", why);
			r = -EIO;
			continue;
		}
		p->open[i] = NULL;
		res->added++;
	}
	discard(p);
	free(p);
	return r;
}

int svc_reload(struct svc *s, struct reload_result *res, char *msg,
	       size_t n)
{
	struct options o;
	char err[CONFIG_ERR_MAX];
	const char *field;
	int r;

	memset(res, 0, sizeof(*res));
	if (!s->opt->config_path) {
		snprintf(msg, n, "no configuration file: the target was started without --config");
		return -ENODATA;
	}
	options_init(&o);
	if (config_load(&o, s->opt->config_path, err, sizeof(err))) {
		snprintf(msg, n, "%s", err);
		options_free(&o);
		return -EINVAL;
	}
	if (s->argc && options_apply_cli(&o, s->argc, s->argv)) {
		snprintf(msg, n, "%s: the command line does not apply over it (the log says why)",
			 s->opt->config_path);
		options_free(&o);
		return -EINVAL;
	}
	if (options_finish(&o)) {
		snprintf(msg, n, "%s: not a configuration to serve (the log says why)",
			 s->opt->config_path);
		options_free(&o);
		return -EINVAL;
	}
	field = fixed_field(s->opt, &o);
	if (field) {
		snprintf(msg, n, "%s: %s: cannot change while the target runs (restart it); nothing reloaded",
			 s->opt->config_path, field);
		options_free(&o);
		return -EINVAL;
	}
	r = apply_luns(s, &o, res, msg, n);
	if (r) {
		options_free(&o);
		return r;
	}
	if (o.log_level != s->opt->log_level &&
	    !s->ops->set_log_level(s->t, o.log_level)) {
		s->opt->log_level = o.log_level;
		res->log_level = true;
	}
	if (s->desc->tpg_id && !s->opt->rbd_lock &&
	    o.alua_state != scsi_target_get_alua_state(s->desc) &&
	    !scsi_target_set_alua_state(s->desc, o.alua_state)) {
		s->opt->alua_state = o.alua_state;
		res->alua_state = true;
	}
	options_free(&o);
	return svc_sync_luns(s);
}
