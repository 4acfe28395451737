/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "core/core.h"
#include "table/chan-table.h"
#include "util/tsan.h"

static unsigned long qpn_hash(uint32_t qpn)
{
	/* Fibonacci hashing spreads the sequential QP numbers rxe hands out. */
	return (unsigned long)((uint64_t)qpn * 0x9e3779b97f4a7c15ull >> 16);
}

/* A reader touches every node it compares: after its grace period the
 * free may go (channel_free_rcu() acquires what this releases), and the
 * node was published whole (srpt_chan_table_add() releases it). */
static int qpn_match(struct cds_lfht_node *node, const void *key)
{
	struct srpt_channel *ch =
		caa_container_of(node, struct srpt_channel, ht_node);
	int match;

	srpt_tsan_acquire(&ch->published);
	match = ch->qp_num == *(const uint32_t *)key;
	srpt_tsan_release(&ch->rcu);
	return match;
}

struct cds_lfht *srpt_chan_table_new(void)
{
	return cds_lfht_new_flavor(64, 64, 0,
				   CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
				   &urcu_memb_flavor, NULL);
}

void srpt_chan_table_destroy(struct cds_lfht *ht)
{
	if (ht)
		cds_lfht_destroy(ht, NULL);
}

int srpt_chan_table_add(struct cds_lfht *ht, struct srpt_channel *ch)
{
	struct cds_lfht_node *old;

	cds_lfht_node_init(&ch->ht_node);
	atomic_store_explicit(&ch->published, true, memory_order_release);
	srpt_tsan_release(&ch->published);
	urcu_memb_read_lock();
	old = cds_lfht_add_unique(ht, qpn_hash(ch->qp_num), qpn_match,
				  &ch->qp_num, &ch->ht_node);
	urcu_memb_read_unlock();
	return old == &ch->ht_node ? 0 : -EEXIST;
}

void srpt_chan_table_del(struct cds_lfht *ht, struct srpt_channel *ch)
{
	urcu_memb_read_lock();
	cds_lfht_del(ht, &ch->ht_node);
	urcu_memb_read_unlock();
}

struct srpt_channel *srpt_chan_table_get(struct cds_lfht *ht, uint32_t qp_num)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;
	struct srpt_channel *ch = NULL;

	urcu_memb_read_lock();
	cds_lfht_lookup(ht, qpn_hash(qp_num), qpn_match, &qp_num, &it);
	node = cds_lfht_iter_get_node(&it);
	if (node) {
		struct srpt_channel *found =
			caa_container_of(node, struct srpt_channel, ht_node);

		if (srpt_channel_get_unless_zero(found)) {
			ch = found;
			(void)atomic_load_explicit(&ch->published,
						   memory_order_acquire);
		}
		/* the last touch of a channel that may be freed after
		 * this grace period */
		srpt_tsan_release(&found->rcu);
	}
	urcu_memb_read_unlock();
	return ch;
}
