/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_PROTO_SRP_CODEC_H
#define SRPT_PROTO_SRP_CODEC_H

/*
 * Checks shared by the SRP codec files. Each decoder validates everything
 * before it writes its output, and each encoder before it writes a byte, so
 * that a failed call leaves its output untouched.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "srpt/proto.h"
#include "util/byteorder.h"
#include "util/export.h"

/* Arguments, fixed length, then the opcode at @op_off. */
static inline int srp_decode_check(const void *buf, size_t len,
				   const void *out, size_t fixed,
				   size_t op_off, uint8_t op)
{
	if (!buf || !out)
		return -EINVAL;
	if (len < fixed)
		return -EMSGSIZE;
	if (((const uint8_t *)buf)[op_off] != op)
		return -EPROTO;
	return 0;
}

/* Arguments, then room for @need bytes. */
static inline int srp_encode_check(const void *in, const void *buf,
				   size_t buflen, uint64_t need)
{
	if (!in || !buf)
		return -EINVAL;
	if (need > buflen)
		return -ENOSPC;
	return 0;
}

#endif
