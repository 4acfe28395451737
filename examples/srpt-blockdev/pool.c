/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <srpt/io.h>

#include "pool.h"

/*
 * The free chunks are a stack of indexes under one mutex: a command takes
 * or gives back all of its chunks (at most 16) in one critical section of
 * a few loads and stores, so the lock is held for nanoseconds and taken
 * twice per command. The stack reuses the chunk freed last first, whose
 * pages are the likeliest to be in cache and TLB.
 */
struct pool {
	uint8_t *mem;
	size_t size;
	pthread_mutex_t lock;
	uint32_t nfree;
	uint32_t nchunks;
	uint32_t free[];
};

/* mmap aligns to a page only: map a chunk more and trim, so that chunks
 * are 64 KiB aligned (O_DIRECT and devices with large blocks want
 * aligned memory). */
static uint8_t *map_aligned(size_t size)
{
	uint8_t *m = mmap(NULL, size + POOL_CHUNK_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t head;

	if (m == MAP_FAILED)
		return NULL;
	head = (POOL_CHUNK_SIZE - (uintptr_t)m % POOL_CHUNK_SIZE) %
	       POOL_CHUNK_SIZE;
	if (head)
		munmap(m, head);
	munmap(m + head + size, POOL_CHUNK_SIZE - head);
	return m + head;
}

int pool_new(size_t size, struct pool **ret)
{
	size_t n = size / POOL_CHUNK_SIZE;
	struct pool *p;

	*ret = NULL;
	if (!size || size % POOL_CHUNK_SIZE || n > UINT32_MAX)
		return -EINVAL;
	p = calloc(1, sizeof(*p) + n * sizeof(p->free[0]));
	if (!p)
		return -ENOMEM;
	p->mem = map_aligned(size);
	if (!p->mem) {
		free(p);
		return -ENOMEM;
	}
	p->size = size;
	p->nchunks = (uint32_t)n;
	/* Lowest address on top: a fresh pool hands out its start first. */
	for (uint32_t i = 0; i < p->nchunks; i++)
		p->free[i] = p->nchunks - 1 - i;
	p->nfree = p->nchunks;
	pthread_mutex_init(&p->lock, NULL);
	*ret = p;
	return 0;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	munmap(p->mem, p->size);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void *pool_base(const struct pool *p)
{
	return p->mem;
}

size_t pool_size(const struct pool *p)
{
	return p->size;
}

unsigned int pool_avail(struct pool *p)
{
	unsigned int n;

	pthread_mutex_lock(&p->lock);
	n = p->nfree;
	pthread_mutex_unlock(&p->lock);
	return n;
}

int pool_get(struct pool *p, uint32_t len, struct pool_buf *b)
{
	unsigned int need = (len + POOL_CHUNK_SIZE - 1) / POOL_CHUNK_SIZE;
	uint32_t idx[POOL_MAX_CHUNKS];

	b->pool = p;
	b->n = 0;
	b->len = 0;
	if (!len || len > POOL_MAX_BYTES)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (p->nfree < need) {
		pthread_mutex_unlock(&p->lock);
		return -ENOBUFS;
	}
	for (unsigned int i = 0; i < need; i++)
		idx[i] = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	/* Addresses outside the lock: the indexes are ours now. */
	for (unsigned int i = 0; i < need; i++)
		b->chunk[i] = p->mem + (size_t)idx[i] * POOL_CHUNK_SIZE;
	b->n = need;
	b->len = len;
	return 0;
}

void pool_put(struct pool_buf *b)
{
	struct pool *p = b->pool;
	uint32_t idx[POOL_MAX_CHUNKS];
	unsigned int n = b->n;

	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++)
		idx[i] = (uint32_t)(((uint8_t *)b->chunk[i] - p->mem) /
				    POOL_CHUNK_SIZE);
	b->n = 0;
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < n; i++)
		p->free[p->nfree++] = idx[i];
	pthread_mutex_unlock(&p->lock);
}

void pool_release(struct srpt_io *io, void *arg)
{
	pool_put(arg);
}

unsigned int pool_buf_sge(const struct pool_buf *b, struct srpt_mr *mr,
			  struct srpt_sge *sg)
{
	for (unsigned int i = 0; i < b->n; i++) {
		sg[i].addr = b->chunk[i];
		sg[i].len = pool_buf_chunk_len(b, i);
		sg[i].mr = mr;
	}
	return b->n;
}
