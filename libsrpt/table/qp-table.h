/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TABLE_QP_TABLE_H
#define SRPT_TABLE_QP_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

/*
 * Objects by a 32-bit key (the core keeps its channels here by QP
 * number), for the completion and async-event paths: a lock-free liburcu
 * hash table. Readers never block writers. A lookup pins what it finds
 * with the table's get callback (a get-unless-zero on the object's
 * count), and an object is freed only after a grace period (call_rcu),
 * so a reader that lost the race sees a zero count, never freed memory.
 *
 * The table knows nothing of what it holds: the object embeds a
 * struct srpt_qp_node and the callback gets from the node to it.
 */

struct srpt_qp_node {
	struct cds_lfht_node lfht;
	uint32_t key;
	/* Stored (release) before the node enters the table and loaded
	 * (acquire) by every lookup that finds it: the edge liburcu's own
	 * publication makes in inline asm, spelled so TSan can see it. */
	atomic_bool published;
};

/* Pin the object of @node unless it is being freed. */
typedef bool (*srpt_qp_get_fn)(struct srpt_qp_node *node);

struct srpt_qp_table {
	struct cds_lfht *ht;
	srpt_qp_get_fn get;
};

int srpt_qp_table_init(struct srpt_qp_table *t, srpt_qp_get_fn get);
/* Call with no reader left and the table empty. */
void srpt_qp_table_fini(struct srpt_qp_table *t);

/* Insert under @key; -EEXIST if another node holds it. Any thread. */
int srpt_qp_table_add(struct srpt_qp_table *t, struct srpt_qp_node *node,
		      uint32_t key);
/* Remove; the caller still owns its reference. Any thread. */
void srpt_qp_table_del(struct srpt_qp_table *t, struct srpt_qp_node *node);
/*
 * Look up and pin (with the get callback). Takes the RCU read lock
 * itself; the calling thread must be registered with RCU. NULL if absent
 * or being freed.
 */
struct srpt_qp_node *srpt_qp_table_get(struct srpt_qp_table *t, uint32_t key);
/* Right before a node's memory is freed (after the grace period). */
void srpt_qp_node_retire(struct srpt_qp_node *node);
/* Right before the grace period that precedes the free is asked for. */
void srpt_qp_node_release(struct srpt_qp_node *node);

#endif
