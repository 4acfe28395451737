/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Task management. A command is a task from the moment it is accepted
 * (before its descriptor table is read) until its io is released; its
 * tag and LUN are kept apart from the public io_info, under its
 * channel's lock, so a scan never reads a context that another thread is
 * binding to a new IU.
 *
 * Scope, as SAM-5 has it for an I_T nexus that may span several
 * channels (the Linux initiator opens ch_count of them and sends task
 * management on one): ABORT TASK, ABORT TASK SET and CLEAR TASK SET act
 * on the tasks of the requesting I_T nexus on that LUN, over every
 * channel of the nexus; LUN RESET on every task of the LUN, from every
 * nexus. Aborted commands get no response; the task management response
 * goes out once each of them has been released (the application
 * completed it, or its transfer ended), and carries their credits.
 *
 * The application hears of each aborted command it holds through
 * on_abort (also of those its closing channel ends), so it can stop the
 * backend work instead of holding the answer up. The io must stay the
 * same command during that call even if another thread completes it: its
 * end waits for the note (srpt_tm_note_holds()).
 */
#include <string.h>

#include "core/core.h"
#include "util/alloc.h"

#define ABORT_NOTE_ON 1		/* on_abort is about to hear, or hears, of it */
#define ABORT_NOTE_END 2	/* it ended meanwhile: the note ends it */

void srpt_task_bind(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;

	pthread_mutex_lock(&ch->lock);
	io->task_tag = io->info.tag;
	memcpy(io->task_lun, io->cmd.lun, 8);
	io->tm_owner = NULL;
	/* Under the lock, with is_task: note_collect() reads both. */
	io->abort_noted = false;
	io->is_task = true;
	pthread_mutex_unlock(&ch->lock);
}

/* The io ends: returns the TM io it held up, if any, and whether it was
 * aborted. Only the io's owner writes is_task, so reading it here
 * without the lock is safe, and an io that was never a task cannot have
 * been aborted. */
struct srpt_io *srpt_task_unbind(struct srpt_io *io, bool *was_aborted)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_io *tm;

	*was_aborted = false;
	if (!io->is_task)
		return NULL;
	pthread_mutex_lock(&ch->lock);
	io->is_task = false;
	tm = io->tm_owner;
	io->tm_owner = NULL;
	*was_aborted = atomic_exchange(&io->aborted, false);
	pthread_mutex_unlock(&ch->lock);
	return tm;
}

/*
 * One of the ios @tm aborted is gone: the last one sends its answer. The
 * caller may hold only the aborted io's channel (a LUN RESET reaches
 * every channel), and @tm is what keeps its own channel registered: once
 * the answer is handed on (posted, or buried when that channel closed
 * meanwhile), the dispatch thread may end @tm and the channel with it
 * before this thread is done touching it. Pinned here while @tm still
 * counts, so the count cannot be zero.
 */
void srpt_tm_one_done(struct srpt_io *tm)
{
	struct srpt_channel *ch = tm->ch;

	if (atomic_fetch_sub(&tm->tm_waiting, 1) != 1)
		return;
	srpt_ch_hold(ch);
	srpt_rsp_tm(tm, SRPT_TSK_MGMT_COMPLETE);
	srpt_ch_drop(ch);
}

static bool same_nexus(const struct srpt_channel *a,
		       const struct srpt_channel *b)
{
	return !memcmp(a->login.initiator_port_id, b->login.initiator_port_id,
		       16) &&
	       !memcmp(a->login.target_port_id, b->login.target_port_id, 16);
}

/* Mark the tasks of channel @o that @tm covers; under o->lock. Returns
 * how many. */
static unsigned int abort_on(struct srpt_io *tm, struct srpt_channel *o)
{
	unsigned int n = 0;

	const uint8_t *lun = tm->info.lun;

	for (uint32_t i = 0; i < o->nio; i++) {
		struct srpt_io *io = &o->ios[i];

		if (!io->is_task || memcmp(io->task_lun, lun, 8))
			continue;
		if (tm->tm_func == SRPT_TSK_ABORT_TASK &&
		    io->task_tag != tm->tm_task_tag)
			continue;
		if (atomic_load(&io->aborted))
			continue;	/* another request holds it already */
		atomic_store(&io->aborted, true);
		io->tm_owner = tm;
		atomic_fetch_add(&tm->tm_waiting, 1);
		atomic_fetch_add(&o->cnt.aborted, 1);
		n++;
	}
	return n;
}

#define NOTE_BATCH 64

/* The ios of @ch the application holds that on_abort should hear of
 * (all of them when @all, else the aborted ones), each once, at most
 * @max; under ch->lock. */
static unsigned int note_collect(struct srpt_channel *ch, bool all,
				 struct srpt_io **out, unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < ch->nio && n < max; i++) {
		struct srpt_io *io = &ch->ios[i];
		int st = atomic_load(&io->state);

		/* is_task first: abort_noted is only the task's (both are
		 * written under ch->lock). */
		if (!io->is_task || io->abort_noted ||
		    (st != SRPT_IO_APP && st != SRPT_IO_FETCHING) ||
		    (!all && !atomic_load(&io->aborted)))
			continue;
		io->abort_noted = true;
		atomic_store(&io->abort_note, ABORT_NOTE_ON);
		out[n++] = io;
	}
	return n;
}

/*
 * Tell the application, with on_abort, of the commands of @ch it holds
 * that were aborted (@all: every one; the channel is closing). No lock is
 * held during the calls.
 */
void srpt_tm_notify(struct srpt_channel *ch, bool all)
{
	struct srpt_target *t = ch->t;
	struct srpt_io *notes[NOTE_BATCH];
	unsigned int n;

	if (!t->ops.on_abort || !ch->ios)
		return;
	do {
		pthread_mutex_lock(&ch->lock);
		n = note_collect(ch, all, notes, NOTE_BATCH);
		pthread_mutex_unlock(&ch->lock);
		for (unsigned int i = 0; i < n; i++) {
			t->ops.on_abort(notes[i], t->userdata);
			/* An end that came meanwhile waited for us. */
			if (atomic_exchange(&notes[i]->abort_note, 0) &
			    ABORT_NOTE_END)
				srpt_io_end(notes[i]);
		}
	} while (n == NOTE_BATCH);
}

/* The io ends (srpt_io_release()): false if a note about it is under
 * way, which then ends it when the application's on_abort returns. */
bool srpt_tm_note_holds(struct srpt_io *io)
{
	int n = atomic_load(&io->abort_note);

	while (n & ABORT_NOTE_ON)
		if (atomic_compare_exchange_weak(&io->abort_note, &n,
						 n | ABORT_NOTE_END))
			return true;
	return false;
}

/* Run task management request @tm (its function, LUN and task tag are
 * set): mark what it covers, and answer now or when the last is gone. */
void srpt_tm_abort(struct srpt_io *tm)
{
	struct srpt_channel *ch = tm->ch;
	struct srpt_target *t = ch->t;
	struct srpt_channel *o, **hit = NULL;
	unsigned int marked;
	unsigned int nhit = 0, cap;

	/* One for the scan itself, so no early answer. */
	atomic_store(&tm->tm_waiting, 1);
	pthread_mutex_lock(&t->lock);
	/* The channels to tell on_abort about, held, for after the lock
	 * (the application's callback may call into the target). Without
	 * memory for the list the aborts still happen; the application
	 * then sees them with srpt_io_is_aborted() only. */
	cap = t->ops.on_abort ? t->nchannels : 0;
	if (cap)
		hit = srpt_zalloc(cap * sizeof(*hit), "tm-notes");
	cds_list_for_each_entry(o, &t->channels, t_link) {
		/* Rings and login facts are made before LIVE is stored. */
		if (srpt_ch_state(o) < SRPT_CH_LIVE || !o->ios)
			continue;
		if (tm->tm_func != SRPT_TSK_LUN_RESET && !same_nexus(ch, o))
			continue;
		pthread_mutex_lock(&o->lock);
		marked = abort_on(tm, o);
		pthread_mutex_unlock(&o->lock);
		/* An aborted io whose response went out unsignaled ends only
		 * with a later completion on its channel: the dispatch thread
		 * asks for one (not here: t->lock is held, and a transport
		 * may take locks of its own around calls into the core). */
		if (marked)
			srpt_ch_queue_ev(o, SRPT_EV_FENCE);
		if (hit && nhit < cap) {
			srpt_ch_hold(o);
			hit[nhit++] = o;
		}
	}
	pthread_mutex_unlock(&t->lock);
	for (unsigned int i = 0; i < nhit; i++) {
		srpt_tm_notify(hit[i], false);
		srpt_ch_drop(hit[i]);
	}
	srpt_free(hit);
	srpt_tm_one_done(tm);
}
