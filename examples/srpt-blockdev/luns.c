/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* srpt-blockdev's LUN table: RCU-published slots and a reference per
 * command (luns.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "backing-rbd.h"
#include "luns.h"

int lun_table_init(struct lun_table *lt, struct scsi_target_desc *desc,
		   unsigned int flags, uint32_t block_size)
{
	int r;

	memset(lt, 0, sizeof(*lt));
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++)
		atomic_init(&lt->slots[i], NULL);
	r = pthread_mutex_init(&lt->lock, NULL);
	if (r)
		return -r;
	lt->desc = desc;
	lt->flags = flags;
	lt->block_size = block_size;
	desc->luns = NULL;
	desc->lun_slots = lt->slots;
	desc->nluns = LUN_TABLE_MAX;
	return 0;
}

int lun_table_set_ceph(struct lun_table *lt, const char *conf,
		       const char *id)
{
	char *c = conf ? strdup(conf) : NULL;
	char *i = id ? strdup(id) : NULL;

	if ((conf && !c) || (id && !i)) {
		free(c);
		free(i);
		return -ENOMEM;
	}
	free(lt->ceph_conf);
	free(lt->ceph_id);
	lt->ceph_conf = c;
	lt->ceph_id = i;
	return 0;
}

/* The logical unit's 16-byte identity from the backing's 64-bit one:
 * equal in every process that serves the same data. */
static void lu_id(uint64_t id, uint8_t out[16])
{
	uint64_t other;
	char text[32];
	int n = snprintf(text, sizeof(text), "lu:%016" PRIx64, id);

	other = backing_id_of(text, (size_t)n);
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(id >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(other >> (56 - 8 * i));
	}
}

static void lun_free(struct bd_lun *l)
{
	backing_close(&l->b);
	free(l->path);
	free(l->name);
	free(l->ceph_conf);
	free(l->ceph_id);
	free(l);
}

/* RBD images being closed by close_later(), for lun_table_fini(). */
static atomic_uint closing;

static void *close_later(void *arg)
{
	lun_free(arg);
	atomic_fetch_sub(&closing, 1);
	return NULL;
}

static void lun_free_here_or_later(struct bd_lun *l)
{
	pthread_attr_t a;
	pthread_t t;
	int r;

	if (!l->b.rbd || !backing_rbd_in_callback()) {
		lun_free(l);
		return;
	}
	atomic_fetch_add(&closing, 1);
	r = pthread_attr_init(&a);
	if (!r) {
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&t, &a, close_later, l);
		pthread_attr_destroy(&a);
	}
	if (r) {
		/* No thread: keep the image open rather than hang librbd
		 * (its memory stays until the process ends). */
		atomic_fetch_sub(&closing, 1);
	}
}

static struct bd_lun *lun_new(const struct lun_spec *spec, unsigned int index)
{
	struct bd_lun *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->b.fd = -1;
	l->index = index;
	l->read_only = spec->read_only;
	l->path = strdup(spec->path);
	l->name = spec->name ? strdup(spec->name) : NULL;
	l->ceph_conf = spec->ceph_conf ? strdup(spec->ceph_conf) : NULL;
	l->ceph_id = spec->ceph_id ? strdup(spec->ceph_id) : NULL;
	if (!l->path || (spec->name && !l->name) ||
	    (spec->ceph_conf && !l->ceph_conf) ||
	    (spec->ceph_id && !l->ceph_id)) {
		lun_free(l);
		return NULL;
	}
	atomic_init(&l->refs, 1);
	return l;
}

/* Open the backing and describe it; @why says what failed. */
static int lun_open(struct lun_table *lt, struct bd_lun *l, char *why,
		    size_t n)
{
	struct backing_opts bo = {
		.flags = lt->flags | (l->read_only ? BACKING_RDONLY : 0),
		.block_size = lt->block_size,
		.name = l->name,
	};
	struct backing *b = &l->b;
	uint8_t id[16];
	int r;

	/* The table's Ceph defaults are for RBD images only. */
	if (backing_path_is_rbd(l->path)) {
		bo.ceph_conf = l->ceph_conf ? l->ceph_conf : lt->ceph_conf;
		bo.ceph_id = l->ceph_id ? l->ceph_id : lt->ceph_id;
	} else {
		bo.ceph_conf = l->ceph_conf;
		bo.ceph_id = l->ceph_id;
	}
	r = backing_open(b, l->path, &bo);

	if (r) {
		if (b->why[0])
			snprintf(why, n, "LUN %u: %s", l->index, b->why);
		else
			snprintf(why, n, "LUN %u: %s: %s", l->index, l->path,
				 strerror(-r));
		return r;
	}
	r = scsi_lun_init_blocks(&l->lun, NULL, b->size / b->block_size,
				 b->block_size, l->index, 1);
	if (r) {
		snprintf(why, n, "LUN %u: %s: %" PRIu64 " bytes in blocks of %u cannot be a LUN",
			 l->index, l->path, b->size, b->block_size);
		return r;
	}
	l->lun.write_protect = b->read_only;
	l->lun.write_cache = b->write_cache;
	l->lun.thin = b->can_punch;
	lu_id(b->id, id);
	scsi_lun_set_lu_id(&l->lun, id);
	return 0;
}

/* Under the lock: another LUN serves the same data as @l. */
static int lun_conflict(const struct lun_table *lt, const struct bd_lun *l,
			char *why, size_t n)
{
	for (unsigned int j = 0; j < LUN_TABLE_MAX; j++) {
		const struct bd_lun *o = lt->lun[j];

		if (o && o->b.id == l->b.id) {
			snprintf(why, n, "LUN %u: %s holds the same data as LUN %u (%s): an initiator would take them for one disk",
				 l->index, l->path, j, o->path);
			return -EEXIST;
		}
	}
	return 0;
}

int lun_table_open(struct lun_table *lt, unsigned int index,
		   const struct lun_spec *spec, struct bd_lun **ret,
		   char *why, size_t n)
{
	struct bd_lun *l;
	int r;

	*ret = NULL;
	if (index >= LUN_TABLE_MAX) {
		snprintf(why, n, "LUN %u: LUN numbers go from 0 to %u", index,
			 LUN_TABLE_MAX - 1);
		return -ERANGE;
	}
	if (!spec || !spec->path || !*spec->path) {
		snprintf(why, n, "LUN %u: no path", index);
		return -EINVAL;
	}
	l = lun_new(spec, index);
	if (!l) {
		snprintf(why, n, "LUN %u: out of memory", index);
		return -ENOMEM;
	}
	r = lun_open(lt, l, why, n);
	if (r) {
		lun_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

int lun_table_insert(struct lun_table *lt, struct bd_lun *l, char *why,
		     size_t n)
{
	int r = 0;

	pthread_mutex_lock(&lt->lock);
	if (lt->lun[l->index]) {
		snprintf(why, n, "LUN %u exists (%s)", l->index,
			 lt->lun[l->index]->path);
		r = -EEXIST;
	} else {
		r = lun_conflict(lt, l, why, n);
	}
	if (!r) {
		lt->lun[l->index] = l;
		lt->count++;
		/* Everything the LUN holds is written before commands can
		 * see it. */
		atomic_store_explicit(&lt->slots[l->index], &l->lun,
				      memory_order_release);
		scsi_target_luns_changed(lt->desc);
	}
	pthread_mutex_unlock(&lt->lock);
	return r;
}

int lun_table_add(struct lun_table *lt, unsigned int index,
		  const struct lun_spec *spec, char *why, size_t n)
{
	struct bd_lun *l;
	int r = 0;

	/* Not even opened when the number is taken. */
	if (index < LUN_TABLE_MAX) {
		pthread_mutex_lock(&lt->lock);
		if (lt->lun[index]) {
			snprintf(why, n, "LUN %u exists (%s)", index,
				 lt->lun[index]->path);
			r = -EEXIST;
		}
		pthread_mutex_unlock(&lt->lock);
		if (r)
			return r;
	}
	r = lun_table_open(lt, index, spec, &l, why, n);
	if (r)
		return r;
	r = lun_table_insert(lt, l, why, n);
	if (r)
		lun_put(l);
	return r;
}

int lun_table_remove(struct lun_table *lt, unsigned int index,
		     unsigned int *busy)
{
	struct bd_lun *l;

	if (index >= LUN_TABLE_MAX)
		return -ENOENT;
	pthread_mutex_lock(&lt->lock);
	l = lt->lun[index];
	if (!l) {
		pthread_mutex_unlock(&lt->lock);
		return -ENOENT;
	}
	atomic_store_explicit(&lt->slots[index], NULL, memory_order_release);
	lt->lun[index] = NULL;
	lt->count--;
	scsi_target_luns_changed(lt->desc);
	/* After the grace period every command that loaded the slot holds
	 * its reference: the count is the commands still running. */
	urcu_memb_synchronize_rcu();
	if (busy)
		*busy = atomic_load(&l->refs) - 1;
	pthread_mutex_unlock(&lt->lock);
	lun_put(l);
	return 0;
}

int lun_table_free_index(struct lun_table *lt)
{
	int r = -ENOSPC;

	pthread_mutex_lock(&lt->lock);
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++) {
		if (!lt->lun[i]) {
			r = (int)i;
			break;
		}
	}
	pthread_mutex_unlock(&lt->lock);
	return r;
}

int lun_table_foreach(struct lun_table *lt,
		      int (*fn)(const struct bd_lun *l, void *arg), void *arg)
{
	int r = 0;

	pthread_mutex_lock(&lt->lock);
	for (unsigned int i = 0; !r && i < LUN_TABLE_MAX; i++)
		if (lt->lun[i])
			r = fn(lt->lun[i], arg);
	pthread_mutex_unlock(&lt->lock);
	return r;
}

bool lun_table_exists(const struct lun_table *lt, int index)
{
	return index >= 0 && (unsigned int)index < LUN_TABLE_MAX &&
	       atomic_load_explicit(&lt->slots[index], memory_order_acquire);
}

void lun_table_fini(struct lun_table *lt)
{
	if (!lt->desc)
		return;
	for (unsigned int i = 0; i < LUN_TABLE_MAX; i++)
		if (lt->lun[i])
			lun_table_remove(lt, i, NULL);
	while (atomic_load(&closing))
		usleep(1000);
	pthread_mutex_destroy(&lt->lock);
	free(lt->ceph_conf);
	free(lt->ceph_id);
	lt->ceph_conf = lt->ceph_id = NULL;
	lt->desc = NULL;
}

struct bd_lun *lun_hold(struct scsi_lun *lu)
{
	struct bd_lun *l;

	if (!lu)
		return NULL;
	l = (struct bd_lun *)((char *)lu - offsetof(struct bd_lun, lun));
	atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
	return l;
}

void lun_put(struct bd_lun *l)
{
	if (l && atomic_fetch_sub_explicit(&l->refs, 1,
					   memory_order_acq_rel) == 1)
		lun_free_here_or_later(l);
}
