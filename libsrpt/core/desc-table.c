/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * External descriptor tables. When a command carries only part of its
 * descriptor list, the whole table (at most 64 KiB, 4096 descriptors; the
 * Linux initiator sends at most 2048) is read by RDMA READ from the
 * initiator into a buffer of the target's table pool: one registered
 * region, cut in 512-byte chunks, each command taking just the chunks its
 * table needs for as long as it lives. The pool is bounded
 * (&srpt_target_opts.table_pool_size), so what a peer can make the target
 * pin is bounded too; when it is used up, a command is answered with
 * BUSY and the initiator retries.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "util/alloc.h"

#define CHUNK 512u

static int pool_init(struct srpt_target *t, struct srpt_table_pool *p)
{
	uint32_t n = t->opts.table_pool_size / CHUNK;
	int r;

	p->map = srpt_zalloc((n + 63) / 64 * sizeof(uint64_t), "table-map");
	p->mem = srpt_aligned_zalloc(4096, (size_t)n * CHUNK, "table-pool");
	if (!p->map || !p->mem) {
		r = -ENOMEM;
		goto fail;
	}
	r = srpt_mr_new(t, p->mem, (size_t)n * CHUNK, "table-mr", &p->mr);
	if (r)
		goto fail;
	p->nchunks = n;
	return 0;
fail:
	srpt_free(p->map);
	srpt_free(p->mem);
	p->map = NULL;
	p->mem = NULL;
	return r;
}

static bool used(const struct srpt_table_pool *p, uint32_t i)
{
	return p->map[i / 64] & (1ull << (i % 64));
}

static void mark(struct srpt_table_pool *p, uint32_t i, uint32_t n, bool on)
{
	for (uint32_t j = i; j < i + n; j++) {
		if (on)
			p->map[j / 64] |= 1ull << (j % 64);
		else
			p->map[j / 64] &= ~(1ull << (j % 64));
	}
}

/* First fit of @n free chunks in a row; -EBUSY when none. Tables are
 * rare (the initiator's inline list usually suffices), so a scan is
 * cheap enough. */
static int pool_get(struct srpt_target *t, uint32_t len, uint8_t **buf)
{
	struct srpt_table_pool *p = &t->desc_pool;
	uint32_t n = (len + CHUNK - 1) / CHUNK, run = 0;
	int r = -EBUSY;

	pthread_mutex_lock(&p->lock);
	if (!p->mem) {
		r = pool_init(t, p);
		if (r)
			goto out;
		r = -EBUSY;
	}
	for (uint32_t i = 0; i < p->nchunks; i++) {
		run = used(p, i) ? 0 : run + 1;
		if (run == n) {
			mark(p, i + 1 - n, n, true);
			*buf = p->mem + (size_t)(i + 1 - n) * CHUNK;
			p->nused += n;
			r = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&p->lock);
	return r;
}

void srpt_table_put(struct srpt_io *io)
{
	struct srpt_table_pool *p;
	uint32_t n = (io->table_len + CHUNK - 1) / CHUNK;

	if (!io->table)
		return;
	p = &io->ch->t->desc_pool;
	pthread_mutex_lock(&p->lock);
	mark(p, (uint32_t)((io->table - p->mem) / CHUNK), n, false);
	p->nused -= n;
	pthread_mutex_unlock(&p->lock);
	io->table = NULL;
	io->table_len = 0;
}

void srpt_table_pool_free(struct srpt_target *t)
{
	struct srpt_table_pool *p = &t->desc_pool;

	srpt_mr_free(t, p->mr);
	srpt_free(p->mem);
	srpt_free(p->map);
	p->mr = NULL;
	p->mem = NULL;
	p->map = NULL;
}

/*
 * Read the table @d names into a pool buffer; the command is handed over
 * from srpt_iu_table_done() when it is there. Returns 0, -EINVAL for a
 * table the library does not take (empty, not whole descriptors, over
 * SRPT_MAX_TABLE_BYTES), -EBUSY when the pool is used up, or the error of
 * making the pool.
 */
int srpt_table_fetch(struct srpt_io *io, const struct srpt_data_desc *d)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_table_pool *p = &ch->t->desc_pool;
	uint32_t len = d->table.len;
	uint8_t *buf;
	int r;

	if (!len || len % SRPT_DIRECT_DESC_LEN || len > SRPT_MAX_TABLE_BYTES)
		return -EINVAL;
	r = pool_get(ch->t, len, &buf);
	if (r)
		return r;
	io->table = buf;
	io->table_len = len;
	io->local[0].addr = (uintptr_t)buf;
	io->local[0].len = len;
	io->local[0].lkey = p->mr->tp.lkey[ch->tp.dev];
	io->nlocal = 1;
	srpt_xfer_start(io, SRPT_XFER_TABLE, len);
	atomic_store(&io->state, SRPT_IO_TABLE);
	srpt_sq_submit(io);
	return 0;
}
