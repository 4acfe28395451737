/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Shared receive queues (SRPT_TARGET_SRQ): one pool of receive buffers per
 * device, made by the first channel on it and posted whole on the
 * device's queue; the IUs of every channel of the device land there. A
 * buffer goes back at the same points as a channel's own would
 * (srpt_rx_post()), and also when no channel claims it (its channel is
 * gone, or never became live): the pool never loses a buffer.
 */
#include <errno.h>

#include "core/core.h"
#include "util/alloc.h"

static uint64_t srq_wr_id(int dev, uint32_t slot)
{
	return (uint64_t)dev << SRPT_WRID_ID_SHIFT |
	       (uint64_t)SRPT_WR_SRQ_RECV << SRPT_WRID_TYPE_SHIFT | slot;
}

bool srpt_srq_post(struct srpt_target *t, int dev, uint32_t slot)
{
	struct srpt_srq *q = &t->srq[dev];
	struct srpt_tp_sge sge = {
		.addr = (uintptr_t)(q->mem + (size_t)q->stride * slot),
		.len = q->stride,
		.lkey = q->mr->tp.lkey[dev],
	};

	/* Fails only while the device goes away; srpt_srq_ensure() posts
	 * every buffer again when its queue is made anew. */
	return !t->tp_ops->srq_post(&t->tp, dev, &sge, srq_wr_id(dev, slot));
}

void srpt_srq_post_count(struct srpt_target *t, int dev, uint32_t slot)
{
	if (srpt_srq_post(t, dev, slot))
		atomic_fetch_add(&t->stats.post_recv_calls, 1);
}

static void srq_free(struct srpt_target *t, struct srpt_srq *q)
{
	srpt_mr_free(t, q->mr);
	srpt_free(q->mem);
	q->mr = NULL;
	q->mem = NULL;
}

/* Dispatch thread: device @dev's queue exists with every buffer posted. */
int srpt_srq_ensure(struct srpt_target *t, int dev)
{
	struct srpt_srq *q = &t->srq[dev];
	int r;

	if (!t->tp_ops->srq_create || !t->tp_ops->srq_post)
		return -EOPNOTSUPP;
	if (!q->mem) {
		q->stride = (t->opts.max_it_iu_len + 63) & ~63u;
		q->n = t->opts.srq_size;
		q->mem = srpt_aligned_zalloc(4096, (size_t)q->stride * q->n,
					     "srq-ring");
		if (!q->mem)
			return -ENOMEM;
		r = srpt_mr_new(t, q->mem, (size_t)q->stride * q->n, "srq-mr",
				&q->mr);
		if (r) {
			srq_free(t, q);
			return r;
		}
	}
	r = t->tp_ops->srq_create(&t->tp, dev, q->n);
	if (r < 0)
		return r;
	if (r == 1)
		for (uint32_t i = 0; i < q->n; i++)
			srpt_srq_post_count(t, dev, i);
	return 0;
}

void srpt_srq_free_all(struct srpt_target *t)
{
	for (int d = 0; d < SRPT_MAX_DEVICES; d++)
		if (t->srq[d].mem)
			srq_free(t, &t->srq[d]);
}
