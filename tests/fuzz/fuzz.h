/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_FUZZ_H
#define SRPT_TESTS_FUZZ_H

/*
 * Shared by the codec fuzz targets. Each target feeds the input to its
 * decoders; whenever one succeeds it checks that every pointer lies within
 * the input, re-encodes into an exact-size heap buffer, decodes that again
 * and checks that the two decodes agree (round-trip invariant), and that a
 * second encode reproduces the first byte for byte (fixpoint).
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srpt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* [p, p + n) lies within [buf, buf + len). */
static inline bool fuzz_within(const void *p, size_t n, const uint8_t *buf,
			       size_t len)
{
	uintptr_t q = (uintptr_t)p, b = (uintptr_t)buf;

	return q >= b && q - b <= len && n <= len - (q - b);
}

/* Two byte ranges hold the same bytes. */
static inline bool fuzz_same(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* malloc() that never returns NULL (n may be 0). */
static inline uint8_t *fuzz_alloc(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

#endif
