/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "staging.h"

struct staging {
	struct srpt_target *t;
	uint8_t *mem;
	size_t len;
	struct srpt_mr *mr;
	pthread_mutex_t lock;
	unsigned int *free;		/* stack of free buffer indexes */
	unsigned int nfree, n;
	atomic_ullong released;
};

/* The release notification gets the buffer; there is one pool. */
static struct staging *the_pool;

int staging_new(struct srpt_target *t, unsigned int n, struct staging **ret)
{
	struct staging *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->t = t;
	s->n = n;
	s->len = (size_t)n * STAGING_BUF;
	s->free = calloc(n, sizeof(*s->free));
	s->mem = mmap(NULL, s->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!s->free || s->mem == MAP_FAILED) {
		if (s->mem != MAP_FAILED)
			munmap(s->mem, s->len);
		free(s->free);
		free(s);
		return -ENOMEM;
	}
	r = srpt_target_reg_mem(t, s->mem, s->len, &s->mr);
	if (r) {
		munmap(s->mem, s->len);
		free(s->free);
		free(s);
		return r;
	}
	pthread_mutex_init(&s->lock, NULL);
	for (unsigned int i = 0; i < n; i++)
		s->free[s->nfree++] = i;
	the_pool = s;
	*ret = s;
	return 0;
}

void staging_free(struct staging *s)
{
	if (!s)
		return;
	srpt_target_dereg_mem(s->t, s->mr);
	munmap(s->mem, s->len);
	pthread_mutex_destroy(&s->lock);
	free(s->free);
	free(s);
}

void *staging_get(struct staging *s, struct srpt_mr **mr)
{
	void *buf = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->nfree)
		buf = s->mem + (size_t)s->free[--s->nfree] * STAGING_BUF;
	pthread_mutex_unlock(&s->lock);
	*mr = s->mr;
	return buf;
}

/* @arg is the buffer. Poisoned first: nothing may read it from here on. */
void staging_release(struct srpt_io *io, void *arg)
{
	struct staging *s = the_pool;
	uint8_t *buf = arg;

	memset(buf, 0xab, STAGING_BUF);
	pthread_mutex_lock(&s->lock);
	s->free[s->nfree++] = (unsigned int)((buf - s->mem) / STAGING_BUF);
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&s->released, 1);
}

uint64_t staging_released(struct staging *s)
{
	return s ? atomic_load(&s->released) : 0;
}
