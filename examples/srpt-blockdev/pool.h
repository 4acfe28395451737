/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_POOL_H
#define SRPT_BLOCKDEV_POOL_H

/*
 * The data buffers of srpt-blockdev: one anonymous mapping cut into
 * chunks of POOL_CHUNK_SIZE bytes. A command takes the chunks its data
 * needs (not necessarily adjacent), the backend reads or writes them in
 * place (io_uring fixed buffers) and the RDMA transfers use them in place
 * (libsrpt registration): no copy on the data path.
 *
 * The whole mapping is registered once with libsrpt, by the caller
 * (srpt_target_reg_mem(t, pool_base(p), pool_size(p), &mr)), and once per
 * ring, by uring_new(). Chunks go back with pool_put(), or for a READ
 * with pool_release() as the release notification of srpt_io_complete().
 *
 * Threads: every function may be called from any thread, also inside
 * libsrpt callbacks; pool_get() never blocks on memory and never waits
 * for chunks to come back.
 */

#include <stddef.h>
#include <stdint.h>

struct pool;
struct srpt_io;
struct srpt_mr;
struct srpt_sge;

/* 64 KiB chunks; 16 of them make the largest command (1 MiB), which is
 * also the most pieces srpt_io_fetch_data() takes. */
#define POOL_CHUNK_SIZE (64u << 10)
#define POOL_MAX_CHUNKS 16u
#define POOL_MAX_BYTES (POOL_CHUNK_SIZE * POOL_MAX_CHUNKS)

/**
 * struct pool_buf - the chunks that hold one command's data
 * @pool: where they came from
 * @len: bytes of data; chunk i holds bytes i * POOL_CHUNK_SIZE onwards
 * @n: chunks held (0 when nothing is held)
 * @chunk: their addresses, in data order
 *
 * Storage of the caller's (in a command's private space, say): the pool
 * allocates nothing per command.
 */
struct pool_buf {
	struct pool *pool;
	uint32_t len;
	unsigned int n;
	void *chunk[POOL_MAX_CHUNKS];
};

/**
 * pool_new() - map a pool
 * @size: bytes, a non-zero multiple of POOL_CHUNK_SIZE
 * @ret: where the pool is stored
 *
 * Return: 0, -EINVAL for a bad @size, -ENOMEM.
 * Context: any thread.
 */
int pool_new(size_t size, struct pool **ret);

/**
 * pool_free() - unmap a pool
 * @p: pool, or NULL
 *
 * Every chunk must be back, and the libsrpt registration and the rings
 * that registered the mapping gone.
 *
 * Context: any thread.
 */
void pool_free(struct pool *p);

/**
 * pool_base() - start of the mapping
 * @p: pool
 *
 * Return: the address, POOL_CHUNK_SIZE-aligned. Context: any thread.
 */
void *pool_base(const struct pool *p);

/**
 * pool_size() - length of the mapping
 * @p: pool
 *
 * Return: bytes. Context: any thread.
 */
size_t pool_size(const struct pool *p);

/**
 * pool_avail() - chunks not handed out
 * @p: pool
 *
 * Return: the number at the time of the call (other threads may change
 * it at once). Context: any thread.
 */
unsigned int pool_avail(struct pool *p);

/**
 * pool_get() - take the chunks for @len bytes
 * @p: pool
 * @len: 1 .. POOL_MAX_BYTES
 * @b: filled in; on failure @b->n is 0
 *
 * All or nothing: a call that cannot have every chunk it needs takes
 * none, so commands never hold part of what they need while waiting.
 *
 * Return: 0; -EINVAL for a bad @len; -ENOBUFS when too few chunks are
 * free (answer the command with BUSY or TASK SET FULL).
 * Context: any thread.
 */
int pool_get(struct pool *p, uint32_t len, struct pool_buf *b);

/**
 * pool_put() - give the chunks of @b back
 * @b: a buffer pool_get() filled, or one that holds nothing (n 0)
 *
 * @b holds nothing afterwards, so a second call does nothing.
 *
 * Context: any thread.
 */
void pool_put(struct pool_buf *b);

/**
 * pool_release() - pool_put() as a libsrpt release notification
 * @io: the command (unused)
 * @arg: the &struct pool_buf whose chunks the command's DATA-IN used
 *
 * For &srpt_io_result.release, with release_arg the buffer: the chunks
 * come back once libsrpt no longer reads them. The buffer may live in
 * the command's private space (libsrpt keeps it valid during the call).
 *
 * Context: where libsrpt calls it (a completion or the dispatch thread).
 */
void pool_release(struct srpt_io *io, void *arg);

/**
 * pool_buf_chunk_len() - bytes of data in chunk @i of @b
 * @b: buffer
 * @i: below @b->n
 *
 * Return: POOL_CHUNK_SIZE, or less for the last chunk. Context: any thread.
 */
static inline uint32_t pool_buf_chunk_len(const struct pool_buf *b,
					  unsigned int i)
{
	uint32_t off = i * POOL_CHUNK_SIZE;

	return b->len - off < POOL_CHUNK_SIZE ? b->len - off : POOL_CHUNK_SIZE;
}

/**
 * pool_buf_sge() - describe @b for srpt_io_fetch_data()/srpt_io_complete()
 * @b: buffer
 * @mr: the libsrpt registration of the pool
 * @sg: @b->n entries to fill
 *
 * Return: the number of entries filled (@b->n). Context: any thread.
 */
unsigned int pool_buf_sge(const struct pool_buf *b, struct srpt_mr *mr,
			  struct srpt_sge *sg);

#endif
