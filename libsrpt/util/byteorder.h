/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_UTIL_BYTEORDER_H
#define SRPT_UTIL_BYTEORDER_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/*
 * Wire fields at any alignment: copied out of or into the buffer, and
 * turned with <endian.h>. No cast of a wire buffer to a struct.
 */
static inline uint16_t get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/* Tags are opaque: copied byte for byte, never byte-swapped. */
static inline uint64_t get_tag(const uint8_t *p)
{
	uint64_t t;

	memcpy(&t, p, sizeof(t));
	return t;
}

static inline void put_tag(uint8_t *p, uint64_t t)
{
	memcpy(p, &t, sizeof(t));
}

#endif
