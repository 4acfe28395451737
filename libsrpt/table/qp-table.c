/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>

#include "table/qp-table.h"
#include "util/tsan.h"

static unsigned long key_hash(uint32_t key)
{
	/* Fibonacci hashing spreads the sequential QP numbers rxe hands out. */
	return (unsigned long)((uint64_t)key * 0x9e3779b97f4a7c15ull >> 16);
}

/* A reader touches every node it compares: the node was published whole
 * (srpt_qp_table_add() releases it), and after the reader's grace period
 * it may be freed (srpt_qp_node_retire() acquires what this releases). */
static int key_match(struct cds_lfht_node *lfht, const void *key)
{
	struct srpt_qp_node *n = caa_container_of(lfht, struct srpt_qp_node,
						  lfht);
	int match;

	srpt_tsan_acquire(&n->published);
	match = n->key == *(const uint32_t *)key;
	srpt_tsan_release(n);
	return match;
}

int srpt_qp_table_init(struct srpt_qp_table *t, srpt_qp_get_fn get)
{
	t->get = get;
	t->ht = cds_lfht_new_flavor(64, 64, 0,
				    CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
				    &urcu_memb_flavor, NULL);
	return t->ht ? 0 : -ENOMEM;
}

void srpt_qp_table_fini(struct srpt_qp_table *t)
{
	if (t->ht)
		cds_lfht_destroy(t->ht, NULL);
	t->ht = NULL;
}

int srpt_qp_table_add(struct srpt_qp_table *t, struct srpt_qp_node *node,
		      uint32_t key)
{
	struct cds_lfht_node *old;

	cds_lfht_node_init(&node->lfht);
	node->key = key;
	atomic_store_explicit(&node->published, true, memory_order_release);
	srpt_tsan_release(&node->published);
	urcu_memb_read_lock();
	old = cds_lfht_add_unique(t->ht, key_hash(key), key_match, &node->key,
				  &node->lfht);
	urcu_memb_read_unlock();
	return old == &node->lfht ? 0 : -EEXIST;
}

void srpt_qp_table_del(struct srpt_qp_table *t, struct srpt_qp_node *node)
{
	urcu_memb_read_lock();
	cds_lfht_del(t->ht, &node->lfht);
	urcu_memb_read_unlock();
}

struct srpt_qp_node *srpt_qp_table_get(struct srpt_qp_table *t, uint32_t key)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *lfht;
	struct srpt_qp_node *n = NULL;

	urcu_memb_read_lock();
	cds_lfht_lookup(t->ht, key_hash(key), key_match, &key, &it);
	lfht = cds_lfht_iter_get_node(&it);
	if (lfht) {
		struct srpt_qp_node *found =
			caa_container_of(lfht, struct srpt_qp_node, lfht);

		if (t->get(found)) {
			n = found;
			(void)atomic_load_explicit(&n->published,
						   memory_order_acquire);
		}
		/* the last touch of a node that may be freed after this
		 * grace period */
		srpt_tsan_release(found);
	}
	urcu_memb_read_unlock();
	return n;
}

void srpt_qp_node_release(struct srpt_qp_node *node)
{
	srpt_tsan_release(node);
}

void srpt_qp_node_retire(struct srpt_qp_node *node)
{
	srpt_tsan_acquire(node);
}
