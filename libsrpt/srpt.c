/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The wiring: a target made through the public API runs on the rdma-core
 * transport. The session core knows transports only through the ops
 * table of core/transport.h (the test transport fills the same table),
 * so this is the one place where the two meet.
 */
#include "core/core.h"
#include "rdma/rdma-transport.h"
#include "util/export.h"

SRPT_EXPORT int srpt_target_new(struct srpt_target **ret,
				const struct srpt_target_opts *opts)
{
	return srpt_target_new_tp(ret, opts, &srpt_rdma_tp_ops, NULL);
}
