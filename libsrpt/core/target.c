/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The target port object: options, listening, enable/disable, lookups. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include <srpt/version.h>

#include "core/core.h"
#include "core/events.h"
#include "util/alloc.h"
#include "util/export.h"
#include "util/struct-copy.h"

#define DEFAULT_QUEUE_DEPTH 128
#define DEFAULT_MAX_IT_IU_LEN 8276	/* 8 KiB immediate data at offset 80 */
#define DEFAULT_MAX_TI_IU_LEN 256
#define DEFAULT_DRAIN_TIMEOUT_MS 5000
#define DEFAULT_SRQ_SIZE 1024
#define DEFAULT_MAX_CHANNELS 256
#define DEFAULT_MAX_INITIATOR_CHANNELS 64
#define DEFAULT_TABLE_POOL_SIZE (1u << 20)

SRPT_EXPORT const char *srpt_version(void)
{
	return SRPT_VERSION_STRING;
}

/* Wait on @cond (with @m held) for at most @s seconds. */
static int cond_wait_s(pthread_cond_t *cond, pthread_mutex_t *m, int s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s;
	return pthread_cond_timedwait(cond, m, &ts);
}

/* The size of version 1.0 of the ops: every program gives at least it. */
#define OPS_V1_SIZE (offsetof(struct srpt_target_ops, on_abort) + \
		     sizeof(((struct srpt_target_ops *)0)->on_abort))

static int fill_opts(struct srpt_target *t, const struct srpt_target_opts *in)
{
	struct srpt_target_opts *o = &t->opts;
	const unsigned int *cpus_in;
	int r;

	r = srpt_copy_struct(o, sizeof(*o), in, in->size);
	/* Until copied, the CPUs are the caller's: nothing to free. */
	cpus_in = o->completion_cpus;
	o->completion_cpus = NULL;
	if (r)
		return r;
	o->size = sizeof(*o);
	if (!o->ops || o->ops->size < OPS_V1_SIZE)
		return -EINVAL;
	r = srpt_copy_struct(&t->ops, sizeof(t->ops), o->ops, o->ops->size);
	if (r)
		return r;
	o->ops = &t->ops;
	if (!t->ops.on_req || !t->ops.on_cmd)
		return -EINVAL;
	if (!o->queue_depth)
		o->queue_depth = DEFAULT_QUEUE_DEPTH;
	if (!o->max_it_iu_len)
		o->max_it_iu_len = DEFAULT_MAX_IT_IU_LEN;
	if (!o->max_ti_iu_len)
		o->max_ti_iu_len = DEFAULT_MAX_TI_IU_LEN;
	if (!o->drain_timeout_ms)
		o->drain_timeout_ms = DEFAULT_DRAIN_TIMEOUT_MS;
	if (!o->completion_threads)
		o->completion_threads = 1;
	if (!o->log_level)
		o->log_level = SRPT_LOG_NOTICE;
	if (!o->srq_size)
		o->srq_size = DEFAULT_SRQ_SIZE;
	if (!o->max_channels)
		o->max_channels = DEFAULT_MAX_CHANNELS;
	if (!o->max_initiator_channels)
		o->max_initiator_channels =
			o->max_channels < DEFAULT_MAX_INITIATOR_CHANNELS ?
			o->max_channels : DEFAULT_MAX_INITIATOR_CHANNELS;
	if (!o->table_pool_size)
		o->table_pool_size = DEFAULT_TABLE_POOL_SIZE;
	if (o->queue_depth < 2 || o->queue_depth > 4096 ||
	    o->max_it_iu_len < 64 || o->max_it_iu_len > (1u << 20) ||
	    o->max_ti_iu_len < 40 || o->max_ti_iu_len > 65536 ||
	    o->completion_threads > 64 || o->srq_size < 16 ||
	    o->srq_size > 65536 || o->max_channels > 65536 ||
	    o->max_initiator_channels > o->max_channels ||
	    o->table_pool_size < SRPT_MAX_TABLE_BYTES ||
	    o->table_pool_size > (64u << 20) ||
	    o->log_level < SRPT_LOG_ERR || o->log_level > SRPT_LOG_DEBUG ||
	    (o->ncompletion_cpus && !cpus_in) ||
	    o->ncompletion_cpus > 1024 ||
	    (o->flags & ~(SRPT_TARGET_BUSY_POLL | SRPT_TARGET_SRQ |
			  SRPT_TARGET_APP_POLL)) ||
	    /* busy polling is what the library's threads do */
	    ((o->flags & SRPT_TARGET_BUSY_POLL) &&
	     (o->flags & SRPT_TARGET_APP_POLL)))
		return -EINVAL;
	for (unsigned int i = 0; i < o->ncompletion_cpus; i++)
		if (cpus_in[i] >= CPU_SETSIZE)
			return -EINVAL;
	if (o->ncompletion_cpus) {
		unsigned int *cpus = srpt_zalloc(sizeof(*cpus) *
						 o->ncompletion_cpus, "cpus");

		if (!cpus)
			return -ENOMEM;
		memcpy(cpus, cpus_in, sizeof(*cpus) * o->ncompletion_cpus);
		o->completion_cpus = cpus;
	}
	atomic_init(&t->log_level, o->log_level);
	return 0;
}

int srpt_target_new_tp(struct srpt_target **ret,
		       const struct srpt_target_opts *opts,
		       const struct srpt_tp_ops *tp_ops, void *tp)
{
	struct srpt_target *t;
	int r;

	if (!ret || !opts || opts->size < offsetof(struct srpt_target_opts, ops) +
	    sizeof(opts->ops))
		return -EINVAL;
	t = srpt_zalloc(sizeof(*t), "target");
	if (!t)
		return -ENOMEM;
	r = fill_opts(t, opts);
	if (r) {
		srpt_free((void *)t->opts.completion_cpus);
		srpt_free(t);
		return r;
	}
	t->userdata = t->opts.userdata;
	t->tp_ops = tp_ops;
	t->tp.priv = tp;
	t->tp.opts = &t->opts;
	urcu_ref_init(&t->ref);
	atomic_init(&t->enabled, true);
	if (t->opts.ioc_guid) {
		/* Known without the transport: logins can be checked, and
		 * srpt_target_get_port_id() answers, before listening. */
		t->ioc_guid = t->opts.ioc_guid;
		t->id_ext = t->opts.id_ext ? t->opts.id_ext : t->ioc_guid;
		atomic_store(&t->guid_known, true);
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_mutex_init(&t->ctl_lock, NULL);
	pthread_mutex_init(&t->desc_pool.lock, NULL);
	pthread_mutex_init(&t->log_limit.lock, NULL);
	pthread_mutex_init(&t->mr_lock, NULL);
	CDS_INIT_LIST_HEAD(&t->mrs);
	CDS_INIT_LIST_HEAD(&t->channels);
	CDS_INIT_LIST_HEAD(&t->ctl_queue);
	CDS_INIT_LIST_HEAD(&t->nexuses);
	t->next_id = 1;
	if (srpt_qp_table_init(&t->qps, srpt_ch_qp_hold)) {
		srpt_free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

SRPT_EXPORT struct srpt_target *srpt_target_ref(struct srpt_target *t)
{
	if (t)
		urcu_ref_get(&t->ref);
	return t;
}

static void target_release(struct urcu_ref *ref)
{
	struct srpt_target *t = caa_container_of(ref, struct srpt_target, ref);

	srpt_target_shutdown(t);
	if (t->listening) {
		srpt_mr_unregister_all(t);
		if (t->tp_ops->stop)
			t->tp_ops->stop(&t->tp);
	}
	t->stopped = true;
	/* Channels the application still pins keep their memory; wait for
	 * them (the last put signals), then for their RCU-deferred frees.
	 * A reference that is never dropped is a bug of the application:
	 * say so, every few seconds, rather than hang silently. */
	pthread_mutex_lock(&t->lock);
	while (atomic_load(&t->nalive)) {
		if (cond_wait_s(&t->cond, &t->lock, 5) == ETIMEDOUT)
			srpt_err(t, "last unref: %u channel(s) still referenced by the application (srpt_channel_ref without srpt_channel_unref?)",
				 atomic_load(&t->nalive));
	}
	pthread_mutex_unlock(&t->lock);
	urcu_memb_barrier();
	srpt_srq_free_all(t);
	srpt_table_pool_free(t);
	/* Registrations the application did not drop go with the target. */
	while (!cds_list_empty(&t->mrs))
		srpt_mr_free(t, cds_list_first_entry(&t->mrs, struct srpt_mr,
						     link));
	pthread_mutex_destroy(&t->mr_lock);
	pthread_mutex_destroy(&t->desc_pool.lock);
	pthread_mutex_destroy(&t->log_limit.lock);
	srpt_free((void *)t->opts.completion_cpus);
	srpt_qp_table_fini(&t->qps);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->ctl_lock);
	srpt_free(t);
}

SRPT_EXPORT struct srpt_target *srpt_target_unref(struct srpt_target *t)
{
	if (t)
		urcu_ref_put(&t->ref, target_release);
	return NULL;
}

SRPT_EXPORT int srpt_target_listen(struct srpt_target *t,
				   const struct sockaddr *addr)
{
	int r;

	if (!t || !addr)
		return -EINVAL;
	if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (t->listening || t->stopped)
		return -EBUSY;
	if ((t->opts.flags & SRPT_TARGET_APP_POLL) && !t->tp_ops->poll)
		return -EOPNOTSUPP;
	r = t->tp_ops->listen(&t->tp, addr);
	if (r)
		return r;
	/* Memory registered before now, with every device. */
	r = srpt_mr_register_all(t);
	if (r) {
		srpt_mr_unregister_all(t);
		if (t->tp_ops->stop)
			t->tp_ops->stop(&t->tp);
		return r;
	}
	t->ioc_guid = t->opts.ioc_guid ? t->opts.ioc_guid : t->tp.guid_default;
	t->id_ext = t->opts.id_ext ? t->opts.id_ext : t->ioc_guid;
	atomic_store(&t->guid_known, true);
	return 0;
}

SRPT_EXPORT int srpt_target_get_port_id(struct srpt_target *t,
					uint64_t *id_ext, uint64_t *ioc_guid)
{
	if (!t)
		return -EINVAL;
	if (!atomic_load(&t->guid_known))
		return -EAGAIN;
	if (id_ext)
		*id_ext = t->id_ext;
	if (ioc_guid)
		*ioc_guid = t->ioc_guid;
	return 0;
}

SRPT_EXPORT int srpt_target_enable(struct srpt_target *t)
{
	if (!t)
		return -EINVAL;
	atomic_store(&t->enabled, true);
	return 0;
}

SRPT_EXPORT int srpt_target_disable(struct srpt_target *t)
{
	struct srpt_channel *ch;

	if (!t)
		return -EINVAL;
	atomic_store(&t->enabled, false);
	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(ch, &t->channels, t_link)
		srpt_ch_queue_ev(ch, SRPT_EV_APP_CLOSE);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

SRPT_EXPORT int srpt_target_shutdown(struct srpt_target *t)
{
	if (!t)
		return -EINVAL;
	srpt_target_disable(t);
	pthread_mutex_lock(&t->lock);
	while (t->nchannels) {
		if (cond_wait_s(&t->cond, &t->lock, 5) == ETIMEDOUT)
			srpt_warn(t, "shutdown: waiting for %u channel(s) to drain",
				  t->nchannels);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

SRPT_EXPORT unsigned int srpt_target_channel_count(struct srpt_target *t)
{
	return t ? atomic_load(&t->nalive) : 0;
}

SRPT_EXPORT int srpt_target_find_channel(struct srpt_target *t, uint64_t id,
					 struct srpt_channel **ret)
{
	struct srpt_channel *ch;
	int r = -ENOENT;

	if (!t || !ret)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	cds_list_for_each_entry(ch, &t->channels, t_link) {
		if (ch->id == id) {
			*ret = srpt_channel_ref(ch);
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

SRPT_EXPORT int srpt_target_foreach_channel(struct srpt_target *t,
					    srpt_channel_visit_fn fn,
					    void *arg)
{
	struct srpt_channel **snap, *ch;
	unsigned int n = 0, i, cap;
	int r = 0;

	if (!t || !fn)
		return -EINVAL;
	/* Visit a pinned snapshot so that @fn runs without our lock. */
	pthread_mutex_lock(&t->lock);
	cap = t->nchannels;
	snap = srpt_zalloc((cap ? cap : 1) * sizeof(*snap), "foreach");
	if (!snap) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	cds_list_for_each_entry(ch, &t->channels, t_link) {
		if (n < cap)
			snap[n++] = srpt_channel_ref(ch);
	}
	pthread_mutex_unlock(&t->lock);
	for (i = 0; i < n; i++) {
		if (!r)
			r = fn(snap[i], arg);
		srpt_channel_unref(snap[i]);
	}
	srpt_free(snap);
	return r;
}

static bool app_poll(struct srpt_target *t, unsigned int poller)
{
	return t && (t->opts.flags & SRPT_TARGET_APP_POLL) && t->listening &&
	       poller < t->opts.completion_threads && t->tp_ops->poll;
}

SRPT_EXPORT int srpt_target_poll_fd(struct srpt_target *t, unsigned int poller)
{
	if (!app_poll(t, poller))
		return -EINVAL;
	return t->tp_ops->poll_fd(&t->tp, poller);
}

SRPT_EXPORT int srpt_target_poll(struct srpt_target *t, unsigned int poller,
				 unsigned int max)
{
	if (!app_poll(t, poller))
		return -EINVAL;
	return t->tp_ops->poll(&t->tp, poller, max);
}
