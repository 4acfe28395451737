/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

int (*srpt_fault_hook)(const char *site);

void *srpt_zalloc(size_t size, const char *site)
{
	if (srpt_fault_hook && srpt_fault_hook(site))
		return NULL;
	return calloc(1, size);
}

void *srpt_aligned_zalloc(size_t align, size_t size, const char *site)
{
	void *p;

	if (srpt_fault_hook && srpt_fault_hook(site))
		return NULL;
	if (posix_memalign(&p, align, size))
		return NULL;
	memset(p, 0, size);
	return p;
}

void srpt_free(void *p)
{
	free(p);
}
