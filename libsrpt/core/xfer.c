/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Descriptors to work requests. A transfer walks the initiator's buffers
 * (a direct descriptor, an inline list, or a fetched table) and the io's
 * local pieces side by side and cuts them into work requests that fit
 * the channel (pieces per request, bytes per request), in chains of at
 * most SRPT_TP_CHAIN_MAX_WR. A transfer too big for one chain goes out
 * chain after chain, each one posted when the one before completed: so
 * any number of descriptors is served with a bounded send queue, and the
 * count of work requests a chain takes is known exactly before it is
 * posted. Only bytes the descriptors name are ever addressed.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "util/alloc.h"

void srpt_xfer_start(struct srpt_io *io, enum srpt_xfer_op op,
		     uint32_t xfer_len)
{
	io->xop = op;
	io->xfer_len = xfer_len;
	memset(&io->pos, 0, sizeof(io->pos));
	memset(&io->next, 0, sizeof(io->next));
}

bool srpt_xfer_done(const struct srpt_io *io)
{
	return io->pos.done >= io->xfer_len;
}

static const struct srpt_data_desc *xfer_desc(const struct srpt_io *io)
{
	switch (io->xop) {
	case SRPT_XFER_DATA_OUT:
		return &io->cmd.data_out;
	case SRPT_XFER_RSP:
		return &io->cmd.data_in;
	case SRPT_XFER_TABLE:
		return io->info.dir == SRPT_DIR_IN ? &io->cmd.data_in :
		       &io->cmd.data_out;
	default:
		return NULL;
	}
}

/* The @i-th remote buffer of the transfer; false past the last. */
static bool remote_buf(const struct srpt_io *io, uint32_t i,
		       struct srpt_buf_desc *b)
{
	const struct srpt_data_desc *d = xfer_desc(io);

	if (!d)
		return false;
	if (io->xop == SRPT_XFER_TABLE) {
		*b = d->table;
		return i == 0;
	}
	if (d->fmt == SRPT_DATA_FMT_DIRECT) {
		*b = d->direct;
		return i == 0;
	}
	if (d->fmt != SRPT_DATA_FMT_INDIRECT || i >= d->inline_cnt)
		return false;
	return srpt_buf_desc_get(d, i, b) == 0;
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

uint32_t srpt_xfer_max_wr(const struct srpt_channel *ch)
{
	return clamp(ch->tp.sq_size - 1, 1, SRPT_TP_CHAIN_MAX_WR);
}

/*
 * Build the io's next chain from io->pos into @cb; io->next is where the
 * transfer stands once it is posted. Deterministic: a chain that had to
 * wait for send queue slots is built again, the same, when it goes.
 */
void srpt_xfer_build(struct srpt_io *io, struct srpt_chain_buf *cb)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_xfer_pos p = io->pos;
	bool read = io->xop == SRPT_XFER_TABLE || io->xop == SRPT_XFER_DATA_OUT;
	bool send = !read;
	uint32_t max_sge = clamp(read ? ch->tp.caps.max_read_sge :
				 ch->tp.caps.max_send_sge, 1, SRPT_MAX_IO_SGE);
	uint32_t max_msg = ch->tp.caps.max_msg ? ch->tp.caps.max_msg : 1;
	uint32_t max_wr = srpt_xfer_max_wr(ch);
	uint32_t sge_room = SRPT_TP_CHAIN_MAX_SGE - (send ? 1 : 0);
	unsigned int nwr = 0, nsge = 0;
	bool stuck = false;

	while (p.done < io->xfer_len && nwr < max_wr &&
	       nsge + max_sge <= sge_room) {
		struct srpt_tp_wr *wr = &cb->wr[nwr];
		struct srpt_buf_desc b;
		uint32_t rleft, wlen = 0;

		if (!remote_buf(io, p.rd, &b)) {
			stuck = true;
			break;
		}
		if (p.roff >= b.len) {	/* empty, or used up */
			p.rd++;
			p.roff = 0;
			continue;
		}
		wr->op = read ? SRPT_TP_READ : SRPT_TP_WRITE;
		wr->raddr = b.va + p.roff;
		wr->rkey = b.key;
		wr->sge = &cb->sge[nsge];
		wr->nsge = 0;
		rleft = min32(b.len - p.roff, io->xfer_len - p.done);
		while (rleft && wr->nsge < max_sge && wlen < max_msg) {
			const struct srpt_tp_sge *lp;
			struct srpt_tp_sge *s;
			uint32_t l;

			if (p.li >= io->nlocal) {
				stuck = true;
				break;
			}
			lp = &io->local[p.li];
			l = min32(min32(lp->len - p.loff, rleft), max_msg - wlen);
			s = &cb->sge[nsge++];
			s->addr = lp->addr + p.loff;
			s->len = l;
			s->lkey = lp->lkey;
			wr->nsge++;
			p.loff += l;
			if (p.loff == lp->len) {
				p.li++;
				p.loff = 0;
			}
			rleft -= l;
			wlen += l;
			p.roff += l;
			p.done += l;
		}
		if (wr->nsge)
			nwr++;
		if (stuck)
			break;
		if (p.roff == b.len) {
			p.rd++;
			p.roff = 0;
		}
	}
	if (stuck) {
		/* The descriptors were checked against the transfer before
		 * it started, so this is a bug; never address a byte beyond
		 * them: what could not be moved is not moved. */
		srpt_err(ch->t, "channel %llu: io %u: transfer stopped at %u of %u bytes",
			 (unsigned long long)ch->id, io->index, p.done,
			 io->xfer_len);
		io->xfer_len = p.done;
	}
	cb->last = p.done >= io->xfer_len;
	/* The response follows its last WRITE in the same chain when there
	 * is room; else it goes alone, in the next one. */
	if (send && cb->last && nwr == max_wr)
		cb->last = false;
	if (send && cb->last) {
		struct srpt_tp_wr *wr = &cb->wr[nwr++];
		struct srpt_tp_sge *s = &cb->sge[nsge++];

		s->addr = (uintptr_t)io->tx_buf;
		s->len = io->rsp_len;
		s->lkey = ch->tx_mr->tp.lkey[ch->tp.dev];
		wr->op = SRPT_TP_SEND;
		wr->sge = s;
		wr->nsge = 1;
		wr->raddr = 0;
		wr->rkey = 0;
	}
	io->next = p;
	cb->chain.wr = cb->wr;
	cb->chain.nwr = nwr;
	cb->chain.unsignaled = false;	/* sq.c decides at the post */
	switch (io->xop) {
	case SRPT_XFER_TABLE:
		cb->chain.wr_id = srpt_wr_id(ch, SRPT_WR_TABLE, io->index);
		break;
	case SRPT_XFER_DATA_OUT:
		cb->chain.wr_id = srpt_wr_id(ch, SRPT_WR_READ, io->index);
		break;
	default:
		cb->chain.wr_id = srpt_wr_id(ch, cb->last ? SRPT_WR_SEND :
					     SRPT_WR_WRITE, io->index);
		break;
	}
}

uint64_t srpt_sg_total(const struct srpt_sge *sg, unsigned int n)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += sg[i].len;
	return sum;
}

static bool sg_registered(const struct srpt_sge *sg, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (sg[i].len && !sg[i].mr)
			return false;
	return true;
}

/*
 * Make sure the io's bounce buffer holds @want bytes of registered
 * memory. It only grows, so a context reused by later commands
 * allocates once.
 */
static int bounce_get(struct srpt_io *io, uint32_t want)
{
	struct srpt_target *t = io->ch->t;
	struct srpt_mr *mr;
	uint8_t *buf;
	int r;

	if (io->bounce_len >= want)
		return 0;
	atomic_fetch_add(&t->stats.io_allocs, 1);
	buf = srpt_aligned_zalloc(4096, want, "bounce");
	if (!buf)
		return -ENOMEM;
	r = srpt_mr_new(t, buf, want, "bounce-mr", &mr);
	if (r) {
		srpt_free(buf);
		return r;
	}
	srpt_mr_free(t, io->bounce_mr);
	srpt_free(io->bounce);
	io->bounce = buf;
	io->bounce_mr = mr;
	io->bounce_len = want;
	return 0;
}

/*
 * The local side of a transfer of @xfer bytes: the application's pieces
 * when they are all registered (each must lie inside its registration),
 * else the io's bounce buffer. Empty pieces are left out.
 */
int srpt_xfer_set_local(struct srpt_io *io, const struct srpt_sge *sg,
			unsigned int nsge, uint32_t xfer)
{
	struct srpt_channel *ch = io->ch;
	uint32_t left = xfer;
	unsigned int i;
	int r;

	io->nlocal = 0;
	if (!xfer)
		return 0;
	if (!sg_registered(sg, nsge)) {
		r = bounce_get(io, xfer);
		if (r)
			return r;
		io->local[0].addr = (uintptr_t)io->bounce;
		io->local[0].len = xfer;
		io->local[0].lkey = io->bounce_mr->tp.lkey[ch->tp.dev];
		io->nlocal = 1;
		return 0;
	}
	for (i = 0; i < nsge && left; i++) {
		uint32_t l = min32(sg[i].len, left);
		const struct srpt_mr *mr = sg[i].mr;
		const uint8_t *a = sg[i].addr;

		if (!l)
			continue;
		if (!a || a < (const uint8_t *)mr->tp.addr ||
		    (size_t)(a - (const uint8_t *)mr->tp.addr) + l > mr->tp.len) {
			io->nlocal = 0;
			return -EINVAL;
		}
		io->local[io->nlocal].addr = (uintptr_t)a;
		io->local[io->nlocal].len = l;
		io->local[io->nlocal].lkey = mr->tp.lkey[ch->tp.dev];
		io->nlocal++;
		left -= l;
	}
	return 0;
}
