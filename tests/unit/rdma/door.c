/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The core's side of the transport door (core/transport.h, core/events.h)
 * for the rdma tests: the transport is linked alone, and what it tells the
 * core is counted here instead of acted on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "door.h"

struct door door;

static struct door_ref *ref_of(struct srpt_tp_channel *ch)
{
	for (unsigned int i = 0; i < door.nrefs; i++)
		if (door.refs[i].ch == ch)
			return &door.refs[i];
	if (door.nrefs == DOOR_MAX_CH)
		return NULL;
	door.refs[door.nrefs].ch = ch;
	return &door.refs[door.nrefs++];
}

long door_holds(struct srpt_tp_channel *ch)
{
	struct door_ref *r = ref_of(ch);

	return r ? atomic_load(&r->holds) : -1;
}

void srpt_tp_channel_hold(struct srpt_tp_channel *ch)
{
	struct door_ref *r = ref_of(ch);

	if (r)
		atomic_fetch_add(&r->holds, 1);
}

void srpt_tp_channel_drop(struct srpt_tp_channel *ch)
{
	struct door_ref *r = ref_of(ch);

	if (r)
		atomic_fetch_sub(&r->holds, 1);
}

void srpt_tp_log(struct srpt_tp_target *t, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(door.last_log, sizeof(door.last_log), fmt, ap);
	va_end(ap);
	door.logs++;
}

int srpt_ev_connect_request(struct srpt_tp_target *t, void *conn,
			    const void *pdata, uint8_t len,
			    const struct sockaddr *src,
			    const struct sockaddr *dst,
			    struct srpt_tp_channel **ret)
{
	door.connect_requests++;
	return -ENOMEM;
}

int srpt_ev_build_reject(const void *pdata, uint8_t len, uint32_t reason,
			 void *rej, uint8_t rej_len)
{
	memset(rej, 0, rej_len);
	return rej_len;
}

void srpt_ev_established(struct srpt_tp_channel *ch)
{
	door.lifecycle++;
}

void srpt_ev_conn_error(struct srpt_tp_channel *ch)
{
	door.lifecycle++;
}

void srpt_ev_disconnected(struct srpt_tp_channel *ch)
{
	door.lifecycle++;
}

void srpt_ev_timewait_exit(struct srpt_tp_channel *ch)
{
	door.lifecycle++;
}

void srpt_ev_fatal(struct srpt_tp_channel *ch)
{
	door.lifecycle++;
}

void srpt_ev_qp_event(struct srpt_tp_target *t, uint32_t qp_num,
		      enum srpt_qp_event ev)
{
	door.qp_events++;
}

void srpt_ev_device_gone(struct srpt_tp_target *t, int dev)
{
	door.devices_gone++;
}

unsigned int srpt_core_dev_channels(struct srpt_tp_target *t, int dev)
{
	return 0;
}

int srpt_ev_completion(struct srpt_tp_target *t, uint32_t qp_num,
		       uint64_t wr_id, int status, uint32_t byte_len)
{
	door.completions++;
	return 0;
}

int srpt_ev_post_failed(struct srpt_tp_target *t, uint32_t qp_num,
			uint64_t wr_id)
{
	door.post_failed++;
	return 0;
}

void srpt_rcu_thread_online(void)
{
}

void srpt_rcu_thread_offline(void)
{
}

bool srpt_rcu_thread_is_online(void)
{
	return false;
}

int srpt_core_dispatch(struct srpt_tp_target *t)
{
	return -1;
}
