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
 * @t: target, listening or not yet
 * @addr: start
 * @len: length
 * @ret: where the registration is stored
 *
 * The memory is registered with every RDMA device the target uses, for
 * local access and RDMA READ results. Before srpt_target_listen() the
 * registration is kept and made with the devices when the target starts
 * listening, so that a target's LUNs are ready before the first login;
 * a device that comes later gets every registration too.
 *
 * Return: 0, -EINVAL, -ENOMEM, or (listening) a negative errno from
 * ibv_reg_mr(); registrations kept from before listen that a device
 * refuses make srpt_target_listen() fail instead.
 * Context: any thread, not inside callbacks.
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
 * Return: 0, or -EINVAL when @t is NULL.
 * Context: any thread, not inside callbacks.
 */
int srpt_target_dereg_mem(struct srpt_target *t, struct srpt_mr *mr);

#ifdef __cplusplus
}
#endif

#endif
