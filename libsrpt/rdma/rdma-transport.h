/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RDMA_TRANSPORT_H
#define SRPT_RDMA_TRANSPORT_H

#include "core/transport.h"

/* The rdma-core (librdmacm + libibverbs) backend of the transport table. */
extern const struct srpt_tp_ops srpt_rdma_tp_ops;

#endif
