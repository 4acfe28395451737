/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uring.h"

/* io_uring refuses a fixed buffer larger than this. */
#define FIXED_MAX (1ull << 30)
/* -EAGAIN/-EINTR completions of one piece retried before giving up. */
#define MAX_TRIES 8
#define REAP_BATCH 32

struct uring {
	struct io_uring ring;
	struct pool *pool;
	uint8_t *base;
	int efd;			/* registered: completions */
	int wakefd;			/* uring_post() */
	unsigned int cq_entries;
	unsigned int inflight;		/* SQEs made whose CQE has not come */
	unsigned int busy;		/* operations queued, not completed */
	/* Pieces waiting for an SQE, in order. */
	struct uring_piece *pend_head, **pend_tail;
	pthread_mutex_t qlock;		/* the cross-thread queue */
	struct uring_op *q_head, **q_tail;
};

static struct uring_op *piece_op(struct uring_piece *p)
{
	return (struct uring_op *)((char *)(p - p->idx) -
				   offsetof(struct uring_op, piece));
}

static bool is_rw(const struct uring_op *op)
{
	return op->opcode == IORING_OP_READ_FIXED ||
	       op->opcode == IORING_OP_WRITE_FIXED;
}

static int ring_init(struct io_uring *ring, unsigned int entries)
{
	struct io_uring_params p = {
		/* A failing SQE must not hold back the others after it. */
		.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP,
	};
	int r = io_uring_queue_init_params(entries, ring, &p);

	if (r == -EINVAL) {	/* before Linux 5.18: no SUBMIT_ALL */
		p = (struct io_uring_params){ .flags = IORING_SETUP_CLAMP };
		r = io_uring_queue_init_params(entries, ring, &p);
	}
	return r;
}

static int register_pool(struct uring *r)
{
	size_t size = pool_size(r->pool);
	unsigned int n = (unsigned int)((size + FIXED_MAX - 1) / FIXED_MAX);
	struct iovec *iov = calloc(n, sizeof(*iov));
	int ret;

	if (!iov)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		size_t off = (size_t)i * FIXED_MAX;

		iov[i].iov_base = r->base + off;
		iov[i].iov_len = size - off < FIXED_MAX ? size - off : FIXED_MAX;
	}
	ret = io_uring_register_buffers(&r->ring, iov, n);
	free(iov);
	return ret;
}

int uring_new(unsigned int entries, struct pool *pool, struct uring **ret)
{
	struct uring *r;
	int err;

	*ret = NULL;
	if (!entries || !pool)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pool = pool;
	r->base = pool_base(pool);
	r->efd = r->wakefd = -1;
	r->pend_tail = &r->pend_head;
	r->q_tail = &r->q_head;
	pthread_mutex_init(&r->qlock, NULL);
	err = ring_init(&r->ring, entries);
	if (err) {
		pthread_mutex_destroy(&r->qlock);
		free(r);
		return err;
	}
	r->cq_entries = r->ring.cq.ring_entries;
	err = register_pool(r);
	if (!err) {
		r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (r->efd < 0 || r->wakefd < 0)
			err = -errno;
	}
	if (!err)
		err = io_uring_register_eventfd(&r->ring, r->efd);
	if (err) {
		uring_free(r);
		return err;
	}
	*ret = r;
	return 0;
}

void uring_free(struct uring *r)
{
	if (!r)
		return;
	io_uring_queue_exit(&r->ring);
	if (r->efd >= 0)
		close(r->efd);
	if (r->wakefd >= 0)
		close(r->wakefd);
	pthread_mutex_destroy(&r->qlock);
	free(r);
}

int uring_event_fd(const struct uring *r)
{
	return r->efd;
}

int uring_wake_fd(const struct uring *r)
{
	return r->wakefd;
}

static void prep(struct uring_op *op, uint8_t opcode, int fd, uint64_t off,
		 uint64_t len, const struct pool_buf *buf, int flags,
		 uring_done_fn done, void *arg)
{
	op->done = done;
	op->arg = arg;
	op->buf = buf;
	op->off = off;
	op->len = len;
	op->fd = fd;
	op->err = 0;
	op->flags = flags;
	op->opcode = opcode;
	/* A buffer may hold more chunks than the data needs. */
	op->npieces = buf ? (uint8_t)((len + POOL_CHUNK_SIZE - 1) /
				      POOL_CHUNK_SIZE) : 1;
	op->next = NULL;
}

void uring_prep_read(struct uring_op *op, int fd, uint64_t off,
		     const struct pool_buf *buf, uring_done_fn done, void *arg)
{
	prep(op, IORING_OP_READ_FIXED, fd, off, buf->len, buf, 0, done, arg);
}

void uring_prep_write(struct uring_op *op, int fd, uint64_t off,
		      const struct pool_buf *buf, unsigned int flags,
		      uring_done_fn done, void *arg)
{
	prep(op, IORING_OP_WRITE_FIXED, fd, off, buf->len, buf,
	     flags & URING_FUA ? RWF_DSYNC : 0, done, arg);
}

void uring_prep_sync(struct uring_op *op, int fd, uring_done_fn done,
		     void *arg)
{
	prep(op, IORING_OP_FSYNC, fd, 0, 0, NULL, IORING_FSYNC_DATASYNC, done,
	     arg);
}

void uring_prep_punch(struct uring_op *op, int fd, uint64_t off, uint64_t len,
		      uring_done_fn done, void *arg)
{
	prep(op, IORING_OP_FALLOCATE, fd, off, len, NULL,
	     FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, done, arg);
}

void uring_prep_zero(struct uring_op *op, int fd, uint64_t off, uint64_t len,
		     uring_done_fn done, void *arg)
{
	prep(op, IORING_OP_FALLOCATE, fd, off, len, NULL,
	     FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, done, arg);
}

static void fill_sqe(struct uring *r, struct io_uring_sqe *sqe,
		     struct uring_piece *p)
{
	struct uring_op *op = piece_op(p);

	if (is_rw(op)) {
		uint8_t *addr = (uint8_t *)op->buf->chunk[p->idx] + p->done;
		uint32_t len = pool_buf_chunk_len(op->buf, p->idx) - p->done;
		uint64_t off = op->off + (uint64_t)p->idx * POOL_CHUNK_SIZE +
			       p->done;
		int idx = (int)((size_t)(addr - r->base) / FIXED_MAX);

		if (op->opcode == IORING_OP_READ_FIXED) {
			io_uring_prep_read_fixed(sqe, op->fd, addr, len, off, idx);
		} else {
			io_uring_prep_write_fixed(sqe, op->fd, addr, len, off,
						  idx);
			sqe->rw_flags = op->flags;
		}
	} else if (op->opcode == IORING_OP_FSYNC) {
		io_uring_prep_fsync(sqe, op->fd, (unsigned int)op->flags);
	} else {
		io_uring_prep_fallocate(sqe, op->fd, op->flags, op->off,
					op->len);
	}
	io_uring_sqe_set_data(sqe, p);
}

/* io_uring_submit(), again when interrupted; 0 when the kernel cannot
 * take SQEs now. */
static int submit(struct uring *r)
{
	for (;;) {
		int n = io_uring_submit(&r->ring);

		if (n >= 0)
			return n;
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN || n == -EBUSY)
			return 0;
		return n;
	}
}

/*
 * Turns waiting pieces into SQEs. No more SQEs are in the kernel than
 * the completion queue holds, so completions never overflow it; a full
 * submission queue is submitted to make room.
 */
static int fill(struct uring *r)
{
	while (r->pend_head && r->inflight < r->cq_entries) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
		struct uring_piece *p;

		if (!sqe) {
			int n = submit(r);

			if (n <= 0)
				return n;	/* the next round tries again */
			continue;
		}
		p = r->pend_head;
		r->pend_head = p->next;
		if (!r->pend_head)
			r->pend_tail = &r->pend_head;
		fill_sqe(r, sqe, p);
		r->inflight++;
	}
	return 0;
}

static void pend(struct uring *r, struct uring_piece *p)
{
	p->next = NULL;
	*r->pend_tail = p;
	r->pend_tail = &p->next;
}

static bool valid(const struct uring *r, const struct uring_op *op)
{
	return !is_rw(op) || (op->buf->pool == r->pool && op->npieces &&
			      op->npieces <= op->buf->n &&
			      op->buf->n <= POOL_MAX_CHUNKS);
}

static void start(struct uring *r, struct uring_op *op)
{
	op->left = op->npieces;
	for (uint8_t i = 0; i < op->npieces; i++) {
		op->piece[i] = (struct uring_piece){ .idx = i };
		pend(r, &op->piece[i]);
	}
	r->busy++;
	fill(r);
}

int uring_queue(struct uring *r, struct uring_op *op)
{
	if (!valid(r, op))
		return -EINVAL;
	start(r, op);
	return 0;
}

/* Only EAGAIN can fail the write (the counter at its maximum): the
 * owner has a wake-up pending then anyway. */
static void wake(struct uring *r)
{
	uint64_t one = 1;

	if (write(r->wakefd, &one, sizeof(one)) < 0)
		return;
}

int uring_post(struct uring *r, struct uring_op *op)
{
	bool was_empty;

	if (!valid(r, op))
		return -EINVAL;
	op->next = NULL;
	pthread_mutex_lock(&r->qlock);
	was_empty = !r->q_head;
	*r->q_tail = op;
	r->q_tail = &op->next;
	pthread_mutex_unlock(&r->qlock);
	/* The owner reads the eventfd before it takes the queue: a post
	 * into an empty queue is always seen, and one into a queue that
	 * was not empty rides on the wake-up of the post before it. */
	if (was_empty)
		wake(r);
	return 0;
}

unsigned int uring_drain(struct uring *r)
{
	struct uring_op *op;
	unsigned int n = 0;

	pthread_mutex_lock(&r->qlock);
	op = r->q_head;
	r->q_head = NULL;
	r->q_tail = &r->q_head;
	pthread_mutex_unlock(&r->qlock);
	while (op) {
		struct uring_op *next = op->next;

		start(r, op);
		op = next;
		n++;
	}
	return n;
}

int uring_submit(struct uring *r)
{
	int err = fill(r);

	if (err < 0)
		return err;
	if (!io_uring_sq_ready(&r->ring))
		return 0;
	err = submit(r);
	return err < 0 ? err : 0;
}

/* A piece's CQE: continue it, or count it finished (and the operation
 * with it when it was the last). */
static void complete_piece(struct uring *r, struct uring_piece *p, int res)
{
	struct uring_op *op = piece_op(p);

	if ((res == -EAGAIN || res == -EINTR) && !op->err &&
	    p->tries < MAX_TRIES) {
		p->tries++;
		pend(r, p);
		return;
	}
	if (is_rw(op) && res >= 0) {
		uint32_t want = pool_buf_chunk_len(op->buf, p->idx) - p->done;

		if (res == 0) {
			res = -EIO;	/* end of file or device: no progress */
		} else if ((uint32_t)res < want) {
			p->done += (uint32_t)res;
			res = -EIO;
			if (!op->err) {	/* the rest, unless it failed anyway */
				p->tries = 0;
				pend(r, p);
				return;
			}
		} else {
			p->done += (uint32_t)res;
			res = 0;
		}
	}
	if (res < 0 && !op->err)
		op->err = res;
	else if (res > 0 && !op->err)	/* fsync/fallocate return 0 */
		op->err = -EIO;
	if (--op->left)
		return;
	r->busy--;
	op->done(op, op->err, op->arg);
}

unsigned int uring_reap(struct uring *r)
{
	unsigned int total = 0;

	for (;;) {
		struct io_uring_cqe *cqes[REAP_BATCH];
		struct uring_piece *piece[REAP_BATCH];
		int res[REAP_BATCH];
		unsigned int n = io_uring_peek_batch_cqe(&r->ring, cqes,
							 REAP_BATCH);

		if (!n)
			break;
		/* Copied out and the slots given back before any callback
		 * runs: a callback may queue and submit more. */
		for (unsigned int i = 0; i < n; i++) {
			piece[i] = io_uring_cqe_get_data(cqes[i]);
			res[i] = cqes[i]->res;
		}
		io_uring_cq_advance(&r->ring, n);
		r->inflight -= n;
		for (unsigned int i = 0; i < n; i++)
			complete_piece(r, piece[i], res[i]);
		total += n;
	}
	fill(r);
	return total;
}

unsigned int uring_busy(const struct uring *r)
{
	return r->busy;
}

bool uring_stalled(const struct uring *r)
{
	return !r->inflight &&
	       (r->pend_head || io_uring_sq_ready(&r->ring));
}

int uring_wait(struct uring *r)
{
	struct io_uring_cqe *cqe;
	int err = uring_submit(r);

	if (err < 0)
		return err;
	/* Whatever was made is submitted now, or the kernel refused it and
	 * is then busy with earlier SQEs. */
	if (!r->inflight || io_uring_sq_ready(&r->ring) == r->inflight)
		return 0;
	do
		err = io_uring_wait_cqe(&r->ring, &cqe);
	while (err == -EINTR);
	return err;
}

const struct io_uring_sqe *uring_peek_sqe(const struct uring *r,
					  unsigned int i)
{
	const struct io_uring_sq *sq = &r->ring.sq;

	/* Those not submitted yet start at the kernel's head. */
	if (i >= io_uring_sq_ready(&r->ring))
		return NULL;
	return &sq->sqes[(*sq->khead + i) & sq->ring_mask];
}
