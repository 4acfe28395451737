/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Memory registrations of the core (rings, bounce and table buffers, the
 * shared receive pool) and of the application: one struct srpt_mr, made
 * and registered with every device in one step, undone in one step.
 */
#include <errno.h>

#include "core/core.h"
#include "util/alloc.h"
#include "util/export.h"

int srpt_mr_new(struct srpt_target *t, void *addr, size_t len,
		const char *site, struct srpt_mr **ret)
{
	struct srpt_mr *mr = srpt_zalloc(sizeof(*mr), site);
	int r;

	if (!mr)
		return -ENOMEM;
	mr->addr = addr;
	mr->len = len;
	r = t->tp_ops->reg_mem(t, mr);
	if (r) {
		srpt_free(mr);
		return r;
	}
	*ret = mr;
	return 0;
}

void srpt_mr_free(struct srpt_target *t, struct srpt_mr *mr)
{
	if (mr) {
		t->tp_ops->dereg_mem(t, mr);
		srpt_free(mr);
	}
}

SRPT_EXPORT int srpt_target_reg_mem(struct srpt_target *t, void *addr,
				    size_t len, struct srpt_mr **ret)
{
	if (!t || !addr || !len || !ret)
		return -EINVAL;
	if (!t->listening)
		return -ENODEV;
	return srpt_mr_new(t, addr, len, "app-mr", ret);
}

SRPT_EXPORT int srpt_target_dereg_mem(struct srpt_target *t, struct srpt_mr *mr)
{
	if (!t)
		return -EINVAL;
	srpt_mr_free(t, mr);
	return 0;
}
