/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TESTS_PROTO_TEST_H
#define SRPT_TESTS_PROTO_TEST_H

/*
 * Helpers shared by the codec tests. Every decode in these tests reads from
 * an exact-size heap copy, so that AddressSanitizer catches a read past the
 * received length, and every failing call is checked against a 0xA5
 * sentinel to prove that it wrote nothing.
 */

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srpt/proto.h"

#define SENTINEL 0xA5

/* A decoder or encoder behind a common signature (see the test files). */
typedef int (*decode_fn)(const void *buf, size_t len, void *out);
typedef int (*encode_fn)(const void *in, void *buf, size_t buflen);

bool is_sentinel(const void *p, size_t n);

/* malloc()ed copy of exactly @n bytes (never NULL; free() it). */
uint8_t *dup_exact(const void *v, size_t n);

/* The 8 tag bytes at @p as the decoders report them: verbatim. */
uint64_t tag_of(const uint8_t *p);

/*
 * Decodes @v (@n bytes, must succeed) and then every shorter prefix, each
 * from an exact-size heap copy: each prefix must fail, with -EMSGSIZE below
 * @fixed, and leave the output untouched.
 */
void sweep_prefixes(decode_fn fn, const uint8_t *v, size_t n, size_t fixed,
		    size_t out_size);

/*
 * Decodes an exact-size copy of @v and asserts error @err with the output
 * untouched.
 */
void expect_decode_error(decode_fn fn, const uint8_t *v, size_t n,
			 size_t out_size, int err);

/*
 * Encodes @in and asserts that exactly the @n bytes of @exp come out: into a
 * larger sentinel-filled buffer (nothing written past @n, reserved bytes
 * zeroed), into an exact-size heap buffer, and that @n - 1 bytes fail with
 * -ENOSPC without writing. NULL arguments must give -EINVAL.
 */
void expect_encoding(encode_fn fn, const void *in, const uint8_t *exp,
		     size_t n);

/* Asserts that encoding @in fails with @err and writes nothing. */
void expect_encode_error(encode_fn fn, const void *in, int err);

/* Test cases, one per codec file. */
TCase *tcase_srp_login(void);
TCase *tcase_srp_cmd(void);
TCase *tcase_srp_rsp(void);
TCase *tcase_srp_iu(void);
TCase *tcase_srp_names(void);

#endif
