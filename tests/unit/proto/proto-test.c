/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <stdlib.h>

#include "proto-test.h"

/* Large enough for any decoded struct and any encoded vector here. */
#define SCRATCH_LEN 4096

bool is_sentinel(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != SENTINEL)
			return false;
	return true;
}

uint8_t *dup_exact(const void *v, size_t n)
{
	/* malloc(0) may return NULL; one byte is allocated but never read. */
	uint8_t *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	if (n)
		memcpy(p, v, n);
	return p;
}

uint64_t tag_of(const uint8_t *p)
{
	uint64_t t;

	memcpy(&t, p, sizeof(t));
	return t;
}

void expect_decode_error(decode_fn fn, const uint8_t *v, size_t n,
			 size_t out_size, int err)
{
	_Alignas(max_align_t) uint8_t out[SCRATCH_LEN];
	uint8_t *copy = dup_exact(v, n);

	ck_assert_uint_le(out_size, sizeof(out));
	memset(out, SENTINEL, sizeof(out));
	ck_assert_int_eq(fn(copy, n, out), err);
	ck_assert(is_sentinel(out, sizeof(out)));
	free(copy);
}

void sweep_prefixes(decode_fn fn, const uint8_t *v, size_t n, size_t fixed,
		    size_t out_size)
{
	_Alignas(max_align_t) uint8_t out[SCRATCH_LEN];
	uint8_t *copy = dup_exact(v, n);

	ck_assert_uint_le(out_size, sizeof(out));
	ck_assert_int_eq(fn(copy, n, out), 0);
	free(copy);

	for (size_t k = 0; k < n; k++) {
		int ret;

		copy = dup_exact(v, k);
		memset(out, SENTINEL, sizeof(out));
		ret = fn(copy, k, out);
		ck_assert_msg(ret < 0, "prefix %zu of %zu decoded", k, n);
		if (k < fixed)
			ck_assert_int_eq(ret, -EMSGSIZE);
		ck_assert_msg(is_sentinel(out, sizeof(out)),
			      "prefix %zu wrote its output", k);
		free(copy);
	}
}

void expect_encoding(encode_fn fn, const void *in, const uint8_t *exp,
		     size_t n)
{
	uint8_t buf[SCRATCH_LEN];
	uint8_t *exact;

	ck_assert_uint_lt(n, sizeof(buf));
	memset(buf, SENTINEL, sizeof(buf));
	ck_assert_int_eq(fn(in, buf, sizeof(buf)), (int)n);
	ck_assert_mem_eq(buf, exp, n);
	ck_assert(is_sentinel(buf + n, sizeof(buf) - n));

	exact = malloc(n);
	ck_assert_ptr_nonnull(exact);
	ck_assert_int_eq(fn(in, exact, n), (int)n);
	ck_assert_mem_eq(exact, exp, n);
	free(exact);

	memset(buf, SENTINEL, sizeof(buf));
	ck_assert_int_eq(fn(in, buf, n - 1), -ENOSPC);
	ck_assert_int_eq(fn(in, buf, 0), -ENOSPC);
	ck_assert_int_eq(fn(NULL, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(fn(in, NULL, sizeof(buf)), -EINVAL);
	ck_assert(is_sentinel(buf, sizeof(buf)));
}

void expect_encode_error(encode_fn fn, const void *in, int err)
{
	uint8_t buf[SCRATCH_LEN];

	memset(buf, SENTINEL, sizeof(buf));
	ck_assert_int_eq(fn(in, buf, sizeof(buf)), err);
	ck_assert(is_sentinel(buf, sizeof(buf)));
}
