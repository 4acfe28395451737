/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A chain of an io completed (or was flushed, or will never complete):
 * its send queue slots come back, and the io goes on by what the chain
 * was: the next chain of a long transfer, DATA-OUT to the application,
 * a descriptor table to the command's delivery, or the end of the io.
 * Waiting ios get the slots last, so a long transfer keeps its place.
 */
#include <errno.h>

#include "core/core.h"

void srpt_io_finish(struct srpt_io *io, enum srpt_wr_type type, int status)
{
	struct srpt_channel *ch = io->ch;

	srpt_sq_done(io);
	if (status > 0)
		atomic_fetch_add(&ch->cnt.transfer_errors, 1);
	switch (type) {
	case SRPT_WR_TABLE:
		srpt_iu_table_done(io, status);
		break;
	case SRPT_WR_READ:
		if (!status && !srpt_xfer_done(io))
			srpt_sq_submit(io);
		else
			srpt_io_data_arrived(io, status > 0 ? -EIO : status);
		break;
	case SRPT_WR_WRITE:
		/* DATA-IN goes on; on an error the channel is closing and
		 * the response is not sent. */
		if (!status)
			srpt_sq_submit(io);
		else
			srpt_io_release(io);
		break;
	default:	/* SRPT_WR_SEND: a response or a T_LOGOUT */
		srpt_io_release(io);
		break;
	}
	srpt_sq_kick(ch);
}

/* What a chain of @io in its current state would complete as. */
static enum srpt_wr_type pending_type(const struct srpt_io *io)
{
	switch (atomic_load(&io->state)) {
	case SRPT_IO_TABLE:
		return SRPT_WR_TABLE;
	case SRPT_IO_FETCHING:
		return SRPT_WR_READ;
	default:
		return SRPT_WR_SEND;
	}
}

/*
 * Dispatch thread, channel DISCONNECTED: finish the ios whose chains were
 * never posted, or failed to post, as if they had been flushed. Nothing
 * of theirs can still move: the drain write completed after everything
 * posted before it, or its timeout gave up on the queue.
 */
void srpt_io_finish_dead(struct srpt_channel *ch)
{
	struct srpt_io *io;

	if (srpt_ch_state(ch) != SRPT_CH_DISCONNECTED)
		return;
	while ((io = srpt_sq_pop_dead(ch)))
		srpt_io_finish(io, pending_type(io), -ESHUTDOWN);
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
	srpt_sq_unsig_forget(ch);
	for (uint32_t i = 0; i < ch->nio; i++) {
		struct srpt_io *io = &ch->ios[i];

		if (atomic_exchange(&io->posted, false))
			srpt_io_finish(io, pending_type(io), -ESHUTDOWN);
	}
}
