/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The end of an io, whatever ended it (its response was sent, it was
 * aborted, its channel closed): it stops being a task, gives back its
 * table buffer, the application hears that its memory is free (the
 * release notification of srpt_io_result), the context and receive
 * buffer go back, and its credit when no response carried it; a task
 * management request it held up may answer; the channel learns when its
 * last io is gone. An end that would come while on_abort tells the
 * application of the io waits for that call (tm.c).
 */
#include "core/core.h"

void srpt_io_release(struct srpt_io *io)
{
	if (srpt_tm_note_holds(io))
		return;
	srpt_io_end(io);
}

void srpt_io_end(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_io *tm, *next;
	bool aborted, credit_back, close = io->close_after;
	srpt_io_release_fn rel = io->release_fn;

	tm = srpt_task_unbind(io, &aborted);
	/* An aborted command got no response: a later response returns
	 * its credit. One already posted returned it itself. */
	credit_back = aborted && !io->rsp_posted;
	io->rsp_posted = false;
	io->close_after = false;
	srpt_table_put(io);
	/* The application's memory is free now; the io is still this
	 * command during the call. */
	if (rel) {
		io->release_fn = NULL;
		rel(io, io->release_arg);
	}
	atomic_store(&io->state, SRPT_IO_FREE);
	next = srpt_io_put(io);
	if (credit_back) {
		atomic_fetch_add(&ch->req_lim_delta, 1);
		/* The credit goes back with SRP_CRED_REQ once nothing is
		 * outstanding: unsignaled responses must not keep that
		 * from happening on an idle channel (sq.c). No core lock
		 * is held here (the release notification just ran). */
		srpt_sq_fence(ch);
	}
	if (next)
		srpt_sq_resume(next);
	if (tm)
		srpt_tm_one_done(tm);
	/* The SRP_T_LOGOUT left (or failed): only now the disconnect, which
	 * would otherwise flush it off the send queue. */
	if (close)
		srpt_ch_queue_ev(ch, SRPT_EV_APP_CLOSE);
	if (atomic_fetch_sub(&ch->io_outstanding, 1) == 1) {
		/* Nothing in flight can carry credits that are due. */
		srpt_rsp_cred_req(ch);
		srpt_ch_io_done(ch);
	}
}
