/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TABLE_CHAN_TABLE_H
#define SRPT_TABLE_CHAN_TABLE_H

#include <stdint.h>

struct cds_lfht;
struct srpt_channel;

/*
 * Channels by QP number, for the completion and async-event paths: a
 * lock-free liburcu hash table. Readers never block writers; a channel
 * found here is pinned with a get-unless-zero on its refcount, and its
 * memory is freed only after a grace period (call_rcu), so a reader that
 * lost the race sees a zero count, never freed memory.
 */

struct cds_lfht *srpt_chan_table_new(void);
/* Call with no reader left and the table empty. */
void srpt_chan_table_destroy(struct cds_lfht *ht);

/* Insert; -EEXIST if another channel holds the QP number. Any thread. */
int srpt_chan_table_add(struct cds_lfht *ht, struct srpt_channel *ch);
/* Remove; the caller still owns its reference. Any thread. */
void srpt_chan_table_del(struct cds_lfht *ht, struct srpt_channel *ch);
/*
 * Look up and pin (a reference the caller drops with srpt_channel_put()).
 * Takes the RCU read lock itself; the calling thread must be registered
 * with RCU. Returns NULL if absent or being freed.
 */
struct srpt_channel *srpt_chan_table_get(struct cds_lfht *ht,
					 uint32_t qp_num);

#endif
