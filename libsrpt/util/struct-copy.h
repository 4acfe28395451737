/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_UTIL_STRUCT_COPY_H
#define SRPT_UTIL_STRUCT_COPY_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The ABI rule of libsrpt's extensible structs (a size_t size first, see
 * libsrpt(7)), as Linux's copy_struct_from_user() has it: @usize bytes
 * the program gave become @ksize bytes the library knows. A program built
 * against older headers gives fewer: the rest is zero. One built against
 * newer headers may give more: taken if what this library does not know
 * is all zero (-E2BIG otherwise), since a field it would ignore could
 * change what the program meant.
 */
static inline int srpt_copy_struct(void *dst, size_t ksize, const void *src,
				   size_t usize)
{
	size_t n = usize < ksize ? usize : ksize;

	for (size_t i = ksize; i < usize; i++)
		if (((const uint8_t *)src)[i])
			return -E2BIG;
	memset(dst, 0, ksize);
	memcpy(dst, src, n);
	return 0;
}

#endif
