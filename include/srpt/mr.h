/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_MR_H
#define SRPT_MR_H

/* Memory the application registers so that data moves by RDMA straight
 * to and from it (zero copy). */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct srpt_target;
struct srpt_mr;

/**
 * srpt_target_reg_mem() - register memory for zero-copy transfers
 * @t: a listening target
 * @addr: start
 * @len: length
 * @ret: where the registration is stored
 *
 * The memory is registered with every RDMA device the target uses, for
 * local access and RDMA READ results.
 *
 * Return: 0, -EINVAL, -ENOMEM, -ENODEV when not listening, or a negative
 * errno from ibv_reg_mr(). Context: any thread, not inside callbacks.
 */
int srpt_target_reg_mem(struct srpt_target *t, void *addr, size_t len,
			struct srpt_mr **ret);

/**
 * srpt_target_dereg_mem() - drop a registration
 * @t: target
 * @mr: registration, or NULL
 *
 * No command may still use it (call after the channels using it drained).
 *
 * Return: 0. Context: any thread, not inside callbacks.
 */
int srpt_target_dereg_mem(struct srpt_target *t, struct srpt_mr *mr);

#ifdef __cplusplus
}
#endif

#endif
