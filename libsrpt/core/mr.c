/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Memory registrations of the core (rings, bounce and table buffers, the
 * shared receive pool) and of the application: one struct srpt_mr, made
 * and registered with every device in one step, undone in one step. The
 * application may register before the target listens (so its LUNs exist
 * before the first login can come): such registrations are kept and
 * handed to the transport when it starts (srpt_mr_register_all()).
 */
#include <errno.h>

#include "core/core.h"
#include "util/alloc.h"
#include "util/export.h"

int srpt_mr_new(struct srpt_target *t, void *addr, size_t len,
		const char *site, struct srpt_mr **ret)
{
	struct srpt_mr *mr = srpt_zalloc(sizeof(*mr), site);
	int r = 0;

	if (!mr)
		return -ENOMEM;
	mr->tp.addr = addr;
	mr->tp.len = len;
	pthread_mutex_lock(&t->mr_lock);
	if (t->listening) {
		r = t->tp_ops->reg_mem(&t->tp, &mr->tp);
		mr->registered = r == 0;
	}
	if (!r)
		cds_list_add_tail(&mr->link, &t->mrs);
	pthread_mutex_unlock(&t->mr_lock);
	if (r) {
		srpt_free(mr);
		return r;
	}
	*ret = mr;
	return 0;
}

void srpt_mr_free(struct srpt_target *t, struct srpt_mr *mr)
{
	if (!mr)
		return;
	pthread_mutex_lock(&t->mr_lock);
	cds_list_del(&mr->link);
	if (mr->registered)
		t->tp_ops->dereg_mem(&t->tp, &mr->tp);
	pthread_mutex_unlock(&t->mr_lock);
	srpt_free(mr);
}

/* The transport has started: what was registered before goes to it.
 * Returns 0 or the first error (what went through stays registered). */
int srpt_mr_register_all(struct srpt_target *t)
{
	struct srpt_mr *mr;
	int r = 0;

	pthread_mutex_lock(&t->mr_lock);
	t->listening = true;
	cds_list_for_each_entry(mr, &t->mrs, link) {
		if (mr->registered)
			continue;
		r = t->tp_ops->reg_mem(&t->tp, &mr->tp);
		if (r)
			break;
		mr->registered = true;
	}
	pthread_mutex_unlock(&t->mr_lock);
	return r;
}

/* The transport stops: it drops every registration with its devices. */
void srpt_mr_unregister_all(struct srpt_target *t)
{
	struct srpt_mr *mr;

	pthread_mutex_lock(&t->mr_lock);
	t->listening = false;
	cds_list_for_each_entry(mr, &t->mrs, link) {
		if (mr->registered)
			t->tp_ops->dereg_mem(&t->tp, &mr->tp);
		mr->registered = false;
	}
	pthread_mutex_unlock(&t->mr_lock);
}

SRPT_EXPORT int srpt_target_reg_mem(struct srpt_target *t, void *addr,
				    size_t len, struct srpt_mr **ret)
{
	if (!t || !addr || !len || !ret)
		return -EINVAL;
	return srpt_mr_new(t, addr, len, "app-mr", ret);
}

SRPT_EXPORT int srpt_target_dereg_mem(struct srpt_target *t, struct srpt_mr *mr)
{
	if (!t)
		return -EINVAL;
	srpt_mr_free(t, mr);
	return 0;
}
