/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_UTIL_ALLOC_H
#define SRPT_UTIL_ALLOC_H

#include <stddef.h>

/*
 * Every allocation of the library goes through these, so that the fault
 * injection tests can make any one of them fail. @site names the caller
 * for the tests' reports.
 */
void *srpt_zalloc(size_t size, const char *site);
void *srpt_aligned_zalloc(size_t align, size_t size, const char *site);
void srpt_free(void *p);

/*
 * Test seam: when set, called before each allocation; a non-zero return
 * makes that allocation fail. Not exported from the shared library.
 */
extern int (*srpt_fault_hook)(const char *site);

#endif
