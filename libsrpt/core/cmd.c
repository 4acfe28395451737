/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The command data path: DATA-OUT by immediate data or RDMA READ, DATA-IN
 * by RDMA WRITE chained with the SRP_RSP (one post call per I/O, only the
 * last work request signaled), credits returned on every response, task
 * management aborts, and the send queue accounting that parks an io
 * until slots free up instead of overrunning the queue.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "util/alloc.h"
#include "util/export.h"

#define SRPT_MAX_RDMA 1024	/* remote descriptors one io may name */
#define WRID_ID_MASK ((1ull << 40) - 1)

_Thread_local bool srpt_rcu_registered;

uint64_t srpt_wr_id(const struct srpt_channel *ch, enum srpt_wr_type type,
		    uint32_t index)
{
	return (ch->id & WRID_ID_MASK) << SRPT_WRID_ID_SHIFT |
	       (uint64_t)type << SRPT_WRID_TYPE_SHIFT |
	       (index & SRPT_WRID_INDEX_MASK);
}

bool srpt_ch_srq(const struct srpt_channel *ch)
{
	return ch->t->opts.flags & SRPT_TARGET_SRQ;
}

static uint32_t rx_stride(const struct srpt_channel *ch)
{
	return (ch->it_iu_len + 63) & ~63u;
}

static uint8_t *rx_addr(const struct srpt_channel *ch, uint32_t slot)
{
	const struct srpt_srq *q = &ch->t->srq[ch->dev];

	if (srpt_ch_srq(ch))
		return q->mem + (size_t)q->stride * slot;
	return ch->rx_mem + (size_t)rx_stride(ch) * slot;
}

/* Receive buffer @slot goes back: to the channel's QP, or to the shared
 * queue (always, also while the channel closes: the pool is shared). */
void srpt_rx_post(struct srpt_channel *ch, uint32_t slot)
{
	struct srpt_target *t = ch->t;
	struct srpt_tp_sge sge;
	uint64_t wr_id;

	if (srpt_ch_srq(ch)) {
		srpt_srq_post(t, ch->dev, slot);
		return;
	}
	sge.addr = (uintptr_t)rx_addr(ch, slot);
	sge.len = rx_stride(ch);
	sge.lkey = ch->rx_mr->lkey[ch->dev];
	wr_id = srpt_wr_id(ch, SRPT_WR_RECV, slot);
	pthread_mutex_lock(&ch->post_lock);
	if (srpt_ch_state(ch) < SRPT_CH_DRAINING) {
		atomic_fetch_add(&ch->rx_posted, 1);
		if (t->tp_ops->post_recv(ch, &sge, &wr_id, 1))
			atomic_fetch_sub(&ch->rx_posted, 1);
		else
			atomic_fetch_add(&t->stats.post_recv_calls, 1);
	}
	pthread_mutex_unlock(&ch->post_lock);
}

/*
 * An IU arrived in receive buffer @slot: give it a free io. Every posted
 * receive buffer has a free io promised to it (io_unreserved counts the
 * others), so this fails only on a bookkeeping bug; the channel then
 * closes rather than lose the IU silently.
 */
struct srpt_io *srpt_io_rx_bind(struct srpt_channel *ch, uint32_t slot,
				uint32_t len)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(&ch->io_lock);
	if (ch->nio_free)
		io = &ch->ios[ch->io_free[--ch->nio_free]];
	pthread_mutex_unlock(&ch->io_lock);
	if (!io) {
		atomic_fetch_add(&ch->t->stats.io_starved, 1);
		srpt_err(ch->t, "channel %llu: no free io for an IU",
			 (unsigned long long)ch->id);
		return NULL;
	}
	io->rx_slot = slot;
	io->rx_buf = rx_addr(ch, slot);
	io->rx_len = len;
	return io;
}

/*
 * A response returns its IU's credit, and the initiator may use it as
 * soon as the response arrives, before this side sees the SEND complete.
 * So the IU's receive buffer must be back on the QP before the response
 * goes out. The io itself stays busy until the SEND completes; the
 * buffer's next IU takes a spare free io. Returns false, with the io
 * parked on rsp_wait, when there is no spare: the response then waits
 * for a SEND completion to free one (io_put()), rather than leave the
 * initiator a credit without a receive buffer (RNR, and the Linux
 * initiator reconnects).
 */
static bool io_take_spare(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	bool ok;

	if (io->rx_slot == SRPT_NO_SLOT || io->has_spare)
		return true;
	pthread_mutex_lock(&ch->io_lock);
	ok = ch->io_unreserved > 0;
	if (ok) {
		ch->io_unreserved--;
		io->has_spare = true;
	} else {
		/* From here on whoever unparks it owns it. */
		cds_list_add_tail(&io->sq_link, &ch->rsp_wait);
	}
	pthread_mutex_unlock(&ch->io_lock);
	if (!ok)
		atomic_fetch_add(&ch->t->stats.rsp_waits, 1);
	return ok;
}

/* Right before the response is posted (the RDMA WRITEs are built, the IU
 * is no longer needed): the receive buffer goes back. */
static void io_rx_early(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	if (io->rx_slot == SRPT_NO_SLOT)
		return;
	srpt_rx_post(ch, io->rx_slot);
	io->rx_slot = SRPT_NO_SLOT;
	io->rx_buf = NULL;	/* the next IU may land there any moment */
	atomic_fetch_add(&ch->t->stats.rx_early, 1);
}

static int io_submit(struct srpt_io *io);
static void io_post_failed(struct srpt_io *io, int err);

/*
 * The io is free again. A receive buffer it still holds goes back to the
 * QP with this io promised to it; otherwise the io is a spare, and the
 * first response waiting for one can go out.
 */
static void io_put(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_io *next = NULL;
	uint32_t slot = io->rx_slot;
	bool spare = slot == SRPT_NO_SLOT || io->has_spare;

	io->rx_slot = SRPT_NO_SLOT;
	io->rx_buf = NULL;
	io->rx_len = 0;
	io->has_spare = false;
	if (slot != SRPT_NO_SLOT) {
		srpt_rx_post(ch, slot);
		atomic_fetch_add(&ch->t->stats.rx_late, 1);
	}
	pthread_mutex_lock(&ch->io_lock);
	ch->io_free[ch->nio_free++] = io->index;
	if (spare) {
		if (!cds_list_empty(&ch->rsp_wait)) {
			next = cds_list_first_entry(&ch->rsp_wait,
						    struct srpt_io, sq_link);
			cds_list_del(&next->sq_link);
		} else {
			ch->io_unreserved++;
		}
	}
	pthread_mutex_unlock(&ch->io_lock);
	if (next) {
		int r;

		next->has_spare = true;
		r = io_submit(next);
		if (r)
			io_post_failed(next, r);
	}
}

/* ---- abort bookkeeping ---- */

static void tm_finished_one(struct srpt_io *tm);

void srpt_io_release(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_io *tm = NULL;
	bool credit_back = false;

	atomic_store(&io->state, SRPT_IO_FREE);
	if (atomic_load(&io->aborted)) {
		pthread_mutex_lock(&ch->lock);
		if (io->tm_owner) {
			tm = io->tm_owner;
			io->tm_owner = NULL;
			if (--tm->tm_waiting)
				tm = NULL;
		}
		atomic_store(&io->aborted, false);
		pthread_mutex_unlock(&ch->lock);
		/* No response went out for it: a later response returns its
		 * credit, once the receive buffer is back (io_put()). A
		 * response already posted returned it itself. */
		credit_back = !io->rsp_posted;
	}
	io->rsp_posted = false;
	io_put(io);
	if (credit_back)
		atomic_fetch_add(&ch->req_lim_delta, 1);
	if (tm)
		tm_finished_one(tm);
	if (atomic_fetch_sub(&ch->io_outstanding, 1) == 1)
		srpt_channel_io_done(ch);
}

void srpt_io_abort_matching(struct srpt_io *tm, bool whole_set,
			    uint64_t task_tag, const uint8_t lun[8])
{
	struct srpt_channel *ch = tm->ch;
	bool respond;
	uint32_t i;

	pthread_mutex_lock(&ch->lock);
	tm->tm_waiting = 0;
	for (i = 0; i < ch->nio; i++) {
		struct srpt_io *io = &ch->ios[i];
		int st = atomic_load(&io->state);

		if (io == tm || (st != SRPT_IO_APP && st != SRPT_IO_FETCHING &&
				 st != SRPT_IO_SENDING && st != SRPT_IO_TABLE))
			continue;
		if (whole_set ? memcmp(io->info.lun, lun, 8) :
		    io->info.tag != task_tag)
			continue;
		if (atomic_load(&io->aborted))
			continue;
		atomic_store(&io->aborted, true);
		io->tm_owner = tm;
		tm->tm_waiting++;
		/* It may have finished between our look and the mark. */
		if (atomic_load(&io->state) == SRPT_IO_FREE) {
			io->tm_owner = NULL;
			atomic_store(&io->aborted, false);
			tm->tm_waiting--;
		}
	}
	respond = tm->tm_waiting == 0;
	pthread_mutex_unlock(&ch->lock);
	if (respond)
		srpt_io_send_tm_rsp(tm, SRPT_TSK_MGMT_COMPLETE);
}

static void tm_finished_one(struct srpt_io *tm)
{
	srpt_io_send_tm_rsp(tm, SRPT_TSK_MGMT_COMPLETE);
}

/* ---- posting ---- */

static const struct srpt_data_desc *io_desc(struct srpt_io *io)
{
	return io->info.dir == SRPT_DIR_IN ? &io->cmd.data_in :
	       &io->cmd.data_out;
}

/* The initiator's buffers, cut to @xfer bytes. */
static int build_rdma(struct srpt_io *io, uint32_t xfer,
		      struct srpt_tp_rdma *out)
{
	const struct srpt_data_desc *d = io_desc(io);
	struct srpt_buf_desc b;
	unsigned int n = 0;
	uint32_t i;

	if (!xfer)
		return 0;
	if (io->table_fetch) {
		out[0].raddr = d->table.va;
		out[0].rkey = d->table.key;
		out[0].len = xfer;
		return 1;
	}
	if (d->fmt == SRPT_DATA_FMT_DIRECT) {
		out[0].raddr = d->direct.va;
		out[0].rkey = d->direct.key;
		out[0].len = xfer < d->direct.len ? xfer : d->direct.len;
		return 1;
	}
	if (d->fmt != SRPT_DATA_FMT_INDIRECT)
		return -EINVAL;
	for (i = 0; i < d->inline_cnt && xfer; i++) {
		srpt_buf_desc_get(d, i, &b);
		if (!b.len)
			continue;
		if (n == SRPT_MAX_RDMA)
			return -E2BIG;
		out[n].raddr = b.va;
		out[n].rkey = b.key;
		out[n].len = xfer < b.len ? xfer : b.len;
		xfer -= out[n].len;
		n++;
	}
	return (int)n;
}

static bool sq_reserve(struct srpt_channel *ch, uint32_t wrs)
{
	if (atomic_fetch_sub(&ch->sq_avail, (int)wrs) >= (int)wrs)
		return true;
	atomic_fetch_add(&ch->sq_avail, (int)wrs);
	return false;
}

static void io_post_failed(struct srpt_io *io, int err)
{
	if (io->table_fetch) {
		srpt_io_table_done(io, err);
	} else if (io->op_read) {
		atomic_store(&io->state, SRPT_IO_APP);
		io->data_done(io, err, io->data_arg);
	} else {
		srpt_io_release(io);
	}
}

static void sq_kick(struct srpt_channel *ch);

/*
 * Post the io's pending chain. Returns 0 when posted or parked (it is
 * then posted by a later completion), or a negative errno when it cannot
 * be posted at all; the caller then finishes the io.
 */
static int io_submit(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_target *t = ch->t;
	struct srpt_tp_rdma rdma[SRPT_MAX_RDMA];
	struct srpt_tp_chain chain = { 0 };
	uint32_t wrs;
	int n, r;

	n = build_rdma(io, io->xfer_len, rdma);
	if (n < 0)
		return n;
	wrs = (uint32_t)n + io->nlocal + 1;
	if (wrs + 1 > ch->sq_size)
		return -E2BIG;
	if (!io->op_read && !io_take_spare(io))
		return 0;	/* parked: io_put() posts it */
	if (!io->sq_wrs) {
		if (!sq_reserve(ch, wrs)) {
			pthread_mutex_lock(&ch->lock);
			cds_list_add_tail(&io->sq_link, &ch->sq_wait);
			pthread_mutex_unlock(&ch->lock);
			/* Slots may have come back before we parked. */
			sq_kick(ch);
			return 0;
		}
		io->sq_wrs = wrs;
	}
	chain.rdma_read = io->op_read;
	chain.rdma = rdma;
	chain.nrdma = (unsigned int)n;
	chain.sge = io->local;
	chain.nsge = io->nlocal;
	if (io->op_read) {
		chain.wr_id = srpt_wr_id(ch, io->table_fetch ? SRPT_WR_TABLE :
					 SRPT_WR_READ, io->index);
	} else {
		chain.send.addr = (uintptr_t)io->tx_buf;
		chain.send.len = io->rsp_len;
		chain.send.lkey = ch->tx_mr->lkey[ch->dev];
		chain.wr_id = srpt_wr_id(ch, SRPT_WR_SEND, io->index);
		io_rx_early(io);
	}
	pthread_mutex_lock(&ch->post_lock);
	if (srpt_ch_state(ch) >= SRPT_CH_DRAINING) {
		r = -ESHUTDOWN;
	} else {
		/* Set before the post: the completion may come at once. */
		atomic_store(&io->posted, true);
		r = t->tp_ops->post_chain(ch, &chain);
		if (r)
			atomic_store(&io->posted, false);
	}
	pthread_mutex_unlock(&ch->post_lock);
	if (r) {
		atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
		io->sq_wrs = 0;
		return r;
	}
	atomic_fetch_add(&t->stats.post_chain_calls, 1);
	atomic_fetch_add(&t->stats.signaled_wrs, 1);
	return 0;
}

/* Post parked ios while slots last. */
static void sq_kick(struct srpt_channel *ch)
{
	for (;;) {
		struct srpt_io *io;
		int r;

		pthread_mutex_lock(&ch->lock);
		if (cds_list_empty(&ch->sq_wait)) {
			pthread_mutex_unlock(&ch->lock);
			return;
		}
		io = cds_list_first_entry(&ch->sq_wait, struct srpt_io, sq_link);
		/* Worst case for this io; io_submit recomputes exactly. */
		if (!sq_reserve(ch, io->nlocal + 2)) {
			pthread_mutex_unlock(&ch->lock);
			return;
		}
		atomic_fetch_add(&ch->sq_avail, (int)io->nlocal + 2);
		cds_list_del(&io->sq_link);
		pthread_mutex_unlock(&ch->lock);
		r = io_submit(io);
		if (r)
			io_post_failed(io, r);
	}
}

/* Take the first io off a parking list, or NULL. */
static struct srpt_io *unpark(pthread_mutex_t *lock, struct cds_list_head *list)
{
	struct srpt_io *io = NULL;

	pthread_mutex_lock(lock);
	if (!cds_list_empty(list)) {
		io = cds_list_first_entry(list, struct srpt_io, sq_link);
		cds_list_del(&io->sq_link);
	}
	pthread_mutex_unlock(lock);
	return io;
}

/* The channel is draining: parked ios will never be posted. */
void srpt_io_flush_parked(struct srpt_channel *ch)
{
	struct srpt_io *io;

	while ((io = unpark(&ch->lock, &ch->sq_wait)) ||
	       (io = unpark(&ch->io_lock, &ch->rsp_wait)))
		io_post_failed(io, -ESHUTDOWN);
}

static void io_send(struct srpt_io *io)
{
	int r;

	io->op_read = false;
	io->rsp_posted = true;
	atomic_store(&io->state, SRPT_IO_SENDING);
	r = io_submit(io);
	if (r)
		srpt_io_release(io);
}

void srpt_io_send_rsp(struct srpt_io *io, uint8_t status,
		      const uint8_t *sense, uint32_t sense_len, uint8_t flags,
		      uint32_t din_res, uint32_t dout_res)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_rsp r = { 0 };
	uint32_t room = ch->ti_iu_len - SRPT_RSP_LEN;
	int n;

	r.tag = io->info.tag;
	r.req_lim_delta = 1 + (uint32_t)atomic_exchange(&ch->req_lim_delta, 0);
	r.flags = flags;
	r.status = status;
	r.data_in_res_cnt = din_res;
	r.data_out_res_cnt = dout_res;
	if (sense && sense_len) {
		r.sense = sense;
		r.sense_len = sense_len < room ? sense_len : room;
		r.flags |= SRPT_RSP_SNSVALID;
	}
	n = srpt_rsp_encode(&r, io->tx_buf, ch->ti_iu_len);
	if (n < 0) {
		srpt_io_release(io);
		return;
	}
	atomic_fetch_add(&ch->req_lim, (int)r.req_lim_delta);
	atomic_fetch_add(&ch->t->stats.rsp_sent, 1);
	io->rsp_len = (uint32_t)n;
	io_send(io);
}

void srpt_io_send_tm_rsp(struct srpt_io *io, uint8_t code)
{
	struct srpt_channel *ch = io->ch;
	uint8_t data[SRPT_TSK_MGMT_RSP_DATA_LEN] = { 0, 0, 0, code };
	struct srpt_rsp r = { 0 };
	int n;

	r.tag = io->info.tag;
	r.req_lim_delta = 1 + (uint32_t)atomic_exchange(&ch->req_lim_delta, 0);
	r.flags = SRPT_RSP_RSPVALID;
	r.resp_data = data;
	r.resp_data_len = sizeof(data);
	n = srpt_rsp_encode(&r, io->tx_buf, ch->ti_iu_len);
	if (n < 0) {
		srpt_io_release(io);
		return;
	}
	atomic_fetch_add(&ch->req_lim, (int)r.req_lim_delta);
	atomic_fetch_add(&ch->t->stats.rsp_sent, 1);
	io->nlocal = 0;
	io->xfer_len = 0;
	io->rsp_len = (uint32_t)n;
	io_send(io);
}

void srpt_io_send_done(struct srpt_io *io, int status)
{
	struct srpt_channel *ch = io->ch;

	atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
	io->sq_wrs = 0;
	srpt_io_release(io);
	sq_kick(ch);
}

void srpt_io_read_done(struct srpt_io *io, int status)
{
	struct srpt_channel *ch = io->ch;
	uint32_t left = io->xfer_len, off = 0;
	unsigned int i;

	atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
	io->sq_wrs = 0;
	if (!status && io->copy_nsge) {
		for (i = 0; i < io->copy_nsge && left; i++) {
			uint32_t l = io->copy_sg[i].len < left ?
				     io->copy_sg[i].len : left;

			memcpy(io->copy_sg[i].addr, io->bounce + off, l);
			off += l;
			left -= l;
		}
	}
	io->copy_nsge = 0;
	atomic_store(&io->state, SRPT_IO_APP);
	io->data_done(io, status ? -EIO : 0, io->data_arg);
	sq_kick(ch);
}

/*
 * The drain timed out (the channel is DISCONNECTED, so completions are
 * dropped from now on): finish the ios whose chains are still posted as
 * if they had been flushed, or on_drained would wait for them forever.
 * Nothing can be posted any more (the state is past DRAINING, checked
 * under post_lock); a completion racing with this loses the exchange.
 */
void srpt_io_reclaim_posted(struct srpt_channel *ch)
{
	for (uint32_t i = 0; i < ch->nio; i++) {
		struct srpt_io *io = &ch->ios[i];

		if (!atomic_exchange(&io->posted, false))
			continue;
		if (atomic_load(&io->state) == SRPT_IO_TABLE)
			srpt_io_table_done(io, -ECANCELED);
		else if (atomic_load(&io->state) == SRPT_IO_FETCHING)
			srpt_io_read_done(io, -ECANCELED);
		else
			srpt_io_send_done(io, -ECANCELED);
	}
}

/* ---- per-io registered buffers (bounce, descriptor table) ---- */

/*
 * Make sure *@buf holds at least @want bytes of registered memory,
 * replacing a smaller one. Allocates only when it grows, so a slot
 * reused by later commands allocates once.
 */
static int io_buf_get(struct srpt_io *io, uint8_t **buf, struct srpt_mr **mrp,
		      uint32_t *have, uint32_t want, size_t align,
		      const char *site, const char *mr_site)
{
	struct srpt_target *t = io->ch->t;
	struct srpt_mr *mr;
	uint8_t *nbuf;
	int r;

	if (*have >= want)
		return 0;
	atomic_fetch_add(&t->stats.io_allocs, 1);
	nbuf = srpt_aligned_zalloc(align, want, site);
	if (!nbuf)
		return -ENOMEM;
	r = srpt_mr_new(t, nbuf, want, mr_site, &mr);
	if (r) {
		srpt_free(nbuf);
		return r;
	}
	srpt_mr_free(t, *mrp);
	srpt_free(*buf);
	*buf = nbuf;
	*mrp = mr;
	*have = want;
	return 0;
}

/* ---- external descriptor tables ---- */

/* The Linux initiator's tables hold at most 2048 descriptors (32 KiB). */
#define SRPT_MAX_TABLE_BYTES (64u << 10)

static int table_buf_get(struct srpt_io *io, uint32_t len)
{
	return io_buf_get(io, &io->table, &io->table_mr, &io->table_len,
			  SRPT_MAX_TABLE_BYTES, 64, "desc-table", "desc-table-mr");
}

/*
 * The command carries only part of its descriptor table: read the whole
 * table (the table descriptor names it) into the io's own buffer. On
 * success the command is delivered from srpt_io_table_done().
 */
int srpt_io_fetch_table(struct srpt_io *io, struct srpt_data_desc *d)
{
	struct srpt_channel *ch = io->ch;
	int r;

	if (!d->table.len || d->table.len % SRPT_DIRECT_DESC_LEN ||
	    d->table.len > SRPT_MAX_TABLE_BYTES)
		return -EINVAL;
	r = table_buf_get(io, d->table.len);
	if (r)
		return r;
	io->local[0].addr = (uintptr_t)io->table;
	io->local[0].len = d->table.len;
	io->local[0].lkey = io->table_mr->lkey[ch->dev];
	io->nlocal = 1;
	io->copy_nsge = 0;
	io->xfer_len = d->table.len;
	io->op_read = true;
	io->table_fetch = true;
	atomic_store(&io->state, SRPT_IO_TABLE);
	r = io_submit(io);
	if (r) {
		io->table_fetch = false;
		return r;
	}
	return 0;
}

void srpt_io_table_done(struct srpt_io *io, int status)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_data_desc *d = io->info.dir == SRPT_DIR_IN ?
				   &io->cmd.data_in : &io->cmd.data_out;

	atomic_fetch_add(&ch->sq_avail, (int)io->sq_wrs);
	io->sq_wrs = 0;
	io->table_fetch = false;
	io->op_read = false;
	io->nlocal = 0;
	io->xfer_len = 0;
	if (status || srpt_ch_state(ch) != SRPT_CH_LIVE ||
	    atomic_load(&io->aborted)) {
		/* The channel is failing (a bad key breaks the QP), or task
		 * management aborted the command while its table was read:
		 * nothing to deliver; the io just goes back. */
		srpt_io_release(io);
	} else {
		d->inline_list = io->table;
		d->inline_cnt = d->table_cnt;
		srpt_iu_deliver_cmd(io);
	}
	sq_kick(ch);
}

/* ---- local memory ---- */

static uint64_t sg_total(const struct srpt_sge *sg, unsigned int n)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += sg[i].len;
	return sum;
}

static bool sg_registered(const struct srpt_sge *sg, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!sg[i].mr)
			return false;
	return true;
}

static int bounce_get(struct srpt_io *io, uint32_t len)
{
	return io_buf_get(io, &io->bounce, &io->bounce_mr, &io->bounce_len,
			  len, 4096, "bounce", "bounce-mr");
}

/* Describe @xfer bytes of @sg for the transport: the pieces themselves
 * when registered, else the bounce buffer. */
static int io_set_local(struct srpt_io *io, const struct srpt_sge *sg,
			unsigned int nsge, uint32_t xfer)
{
	struct srpt_channel *ch = io->ch;
	uint32_t left = xfer;
	unsigned int i;
	int r;

	io->nlocal = 0;
	io->copy_nsge = 0;
	if (!xfer)
		return 0;
	if (sg_registered(sg, nsge)) {
		for (i = 0; i < nsge && left; i++) {
			uint32_t l = sg[i].len < left ? sg[i].len : left;
			const struct srpt_mr *mr = sg[i].mr;

			if ((uint8_t *)sg[i].addr < (uint8_t *)mr->addr ||
			    (uint8_t *)sg[i].addr + l > (uint8_t *)mr->addr + mr->len)
				return -EINVAL;
			io->local[io->nlocal].addr = (uintptr_t)sg[i].addr;
			io->local[io->nlocal].len = l;
			io->local[io->nlocal].lkey = mr->lkey[ch->dev];
			io->nlocal++;
			left -= l;
		}
		return 0;
	}
	r = bounce_get(io, xfer);
	if (r)
		return r;
	io->local[0].addr = (uintptr_t)io->bounce;
	io->local[0].len = xfer;
	io->local[0].lkey = io->bounce_mr->lkey[ch->dev];
	io->nlocal = 1;
	return 0;
}

/* ---- public API ---- */

SRPT_EXPORT const struct srpt_io_info *srpt_io_get_info(struct srpt_io *io)
{
	return &io->info;
}

SRPT_EXPORT void *srpt_io_get_priv(struct srpt_io *io)
{
	return io->priv;
}

SRPT_EXPORT struct srpt_channel *srpt_io_get_channel(struct srpt_io *io)
{
	return io->ch;
}

static int io_fetch_data(struct srpt_io *io, const struct srpt_sge *sg,
			 unsigned int nsge, srpt_io_data_fn done, void *arg)
{
	struct srpt_channel *ch;
	uint64_t total;
	uint32_t xfer;
	int r;

	if (!io || !sg || !nsge || nsge > SRPT_MAX_IO_SGE || !done ||
	    io->info.dir != SRPT_DIR_OUT ||
	    atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	ch = io->ch;
	total = sg_total(sg, nsge);
	xfer = total < io->info.data_len ? (uint32_t)total : io->info.data_len;
	if (io->info.imm) {
		const uint8_t *src = io->cmd.data_out.imm_data;

		for (unsigned int i = 0; i < nsge && xfer; i++) {
			uint32_t l = sg[i].len < xfer ? sg[i].len : xfer;

			memcpy(sg[i].addr, src, l);
			src += l;
			xfer -= l;
		}
		return 1;
	}
	if (!xfer)
		return 1;
	if (srpt_ch_state(ch) != SRPT_CH_LIVE)
		return -ESHUTDOWN;
	r = io_set_local(io, sg, nsge, xfer);
	if (r)
		return r;
	if (io->bounce && io->local[0].addr == (uintptr_t)io->bounce) {
		memcpy(io->copy_sg, sg, nsge * sizeof(*sg));
		io->copy_nsge = nsge;
	}
	io->xfer_len = xfer;
	io->op_read = true;
	io->data_done = done;
	io->data_arg = arg;
	atomic_store(&io->state, SRPT_IO_FETCHING);
	r = io_submit(io);
	if (r) {
		io->copy_nsge = 0;
		atomic_store(&io->state, SRPT_IO_APP);
		return r == -ESHUTDOWN ? r : -EIO;
	}
	return 0;
}

static void residual(const struct srpt_io *io, uint32_t expected,
		     uint32_t actual, uint8_t *flags, uint32_t *din,
		     uint32_t *dout)
{
	uint32_t described = io->info.data_len;

	*flags = 0;
	*din = *dout = 0;
	if (io->info.dir == SRPT_DIR_IN) {
		if (expected > described) {
			*flags = SRPT_RSP_DIOVER;
			*din = expected - described;
		} else if (actual < described) {
			*flags = SRPT_RSP_DIUNDER;
			*din = described - actual;
		}
	} else if (io->info.dir == SRPT_DIR_OUT) {
		if (expected > described) {
			*flags = SRPT_RSP_DOOVER;
			*dout = expected - described;
		} else if (expected < described) {
			*flags = SRPT_RSP_DOUNDER;
			*dout = described - expected;
		}
	}
}

static int io_complete(struct srpt_io *io, const struct srpt_io_result *res)
{
	static const uint8_t hw_error[18] = {
		0x70, 0, 0x04, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x44, 0x00,
	};
	uint32_t expected, xfer = 0, din, dout;
	uint8_t flags;
	int r = 0;

	if (!io || atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	if (atomic_load(&io->aborted) ||
	    srpt_ch_state(io->ch) != SRPT_CH_LIVE) {
		srpt_io_release(io);
		return 0;
	}
	if (!res || (res->nsge && !res->data) || res->nsge > SRPT_MAX_IO_SGE)
		goto bad;
	expected = res->expected_len == SRPT_LEN_AS_DESCRIBED ?
		   io->info.data_len : res->expected_len;
	io->nlocal = 0;
	if (io->info.dir == SRPT_DIR_IN && res->nsge) {
		uint64_t total = sg_total(res->data, res->nsge);

		xfer = total < io->info.data_len ? (uint32_t)total :
		       io->info.data_len;
		if (io_set_local(io, res->data, res->nsge, xfer))
			goto bad;
		if (io->nlocal == 1 && io->local[0].addr == (uintptr_t)io->bounce) {
			uint32_t off = 0, left = xfer;

			for (unsigned int i = 0; i < res->nsge && left; i++) {
				uint32_t l = res->data[i].len < left ?
					     res->data[i].len : left;

				memcpy(io->bounce + off, res->data[i].addr, l);
				off += l;
				left -= l;
			}
		}
	}
	io->xfer_len = xfer;
	residual(io, expected, xfer, &flags, &din, &dout);
	srpt_io_send_rsp(io, res->status, res->sense, res->sense_len, flags,
			 din, dout);
	return 0;
bad:
	r = -EINVAL;
	io->nlocal = 0;
	io->xfer_len = 0;
	srpt_io_send_rsp(io, 2, hw_error, sizeof(hw_error), 0, 0, 0);
	return r;
}

/*
 * The application's threads hold no reference of their own: once the io
 * is handed back (or its chain posted), its completion may end the
 * channel's last command, and on_drained and the last put may run on the
 * dispatch thread while this thread still uses the channel (queueing
 * IO_IDLE, kicking parked ios): a channel was released twice once in
 * tests/unit/core/test-stress.c under TSan. The io is the application's
 * on entry, so the channel is still registered and can be pinned.
 */
SRPT_EXPORT int srpt_io_fetch_data(struct srpt_io *io, const struct srpt_sge *sg,
				   unsigned int nsge, srpt_io_data_fn done,
				   void *arg)
{
	struct srpt_channel *ch;
	int r;

	if (!io || atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	ch = io->ch;
	srpt_channel_get(ch);
	r = io_fetch_data(io, sg, nsge, done, arg);
	srpt_channel_put(ch);
	return r;
}

SRPT_EXPORT int srpt_io_complete(struct srpt_io *io,
				 const struct srpt_io_result *res)
{
	struct srpt_channel *ch;
	int r;

	if (!io || atomic_load(&io->state) != SRPT_IO_APP)
		return -EINVAL;
	ch = io->ch;
	srpt_channel_get(ch);	/* see srpt_io_fetch_data() */
	r = io_complete(io, res);
	srpt_channel_put(ch);
	return r;
}

SRPT_EXPORT int srpt_target_reg_mem(struct srpt_target *t, void *addr,
				    size_t len, struct srpt_mr **ret)
{
	if (!t || !addr || !len || !ret)
		return -EINVAL;
	if (!t->listening)
		return -ENODEV;
	return srpt_mr_new(t, addr, len, "app-mr", ret);
}

SRPT_EXPORT int srpt_target_dereg_mem(struct srpt_target *t, struct srpt_mr *mr)
{
	if (!t)
		return -EINVAL;
	srpt_mr_free(t, mr);
	return 0;
}
