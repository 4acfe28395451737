/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_RDMA_DOOR_H
#define SRPT_TESTS_RDMA_DOOR_H

/* What the rdma transport told the stand-in core (door.c). */

#include <stdatomic.h>

#include "core/events.h"
#include "core/transport.h"

#define DOOR_MAX_CH 256

struct door_ref {
	struct srpt_tp_channel *ch;
	atomic_long holds;		/* srpt_tp_channel_hold - drop */
};

struct door {
	struct door_ref refs[DOOR_MAX_CH];
	unsigned int nrefs;
	unsigned int logs;
	char last_log[256];
	unsigned int connect_requests, lifecycle, qp_events, devices_gone;
	unsigned int completions, post_failed;
};

extern struct door door;

/* References the transport holds on @ch now (-1: too many channels). */
long door_holds(struct srpt_tp_channel *ch);

#endif
