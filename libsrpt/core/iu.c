/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Received IUs: credits, the wait list of IUs that arrive before the
 * channel is live, and the dispatch by opcode. Every malformed or
 * unexpected IU gets a defined answer: an SRP_RSP with CHECK CONDITION
 * when it carries a tag we can answer, otherwise SRP_T_LOGOUT and a
 * disconnect. Only the bytes the receive completion reported are read.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "core/scsi.h"
#include "util/byteorder.h"

/* Consume one credit; false if the initiator had none left. */
static bool take_credit(struct srpt_channel *ch)
{
	if (atomic_fetch_sub(&ch->req_lim, 1) > 0)
		return true;
	atomic_fetch_add(&ch->t->stats.credit_overruns, 1);
	atomic_fetch_add(&ch->cnt.credit_overruns, 1);
	return false;
}

static const struct srpt_data_desc *cmd_desc(const struct srpt_cmd *c,
					     enum srpt_dir *dir)
{
	if (c->data_out_fmt && c->data_in_fmt) {
		*dir = SRPT_DIR_BIDI;
		return NULL;
	}
	if (c->data_out_fmt) {
		*dir = SRPT_DIR_OUT;
		return &c->data_out;
	}
	if (c->data_in_fmt) {
		*dir = SRPT_DIR_IN;
		return &c->data_in;
	}
	*dir = SRPT_DIR_NONE;
	return NULL;
}

/* The descriptors (inline, or the fetched table) must be the whole table
 * and add up to its length: the library never moves a byte outside what
 * the descriptors name. */
static int check_indirect(const struct srpt_data_desc *d)
{
	struct srpt_buf_desc b;
	uint64_t sum = 0;
	uint32_t i;

	if (d->inline_cnt != d->table_cnt)
		return -EOPNOTSUPP;
	for (i = 0; i < d->inline_cnt; i++) {
		srpt_buf_desc_get(d, i, &b);
		sum += b.len;
	}
	return sum == d->total_len ? 0 : -EINVAL;
}

/* Hand a command, its descriptors in place, to the application. */
static void deliver_cmd(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_target *t = ch->t;
	enum srpt_dir dir;
	const struct srpt_data_desc *d = cmd_desc(&io->cmd, &dir);

	if (d && d->fmt == SRPT_DATA_FMT_INDIRECT && check_indirect(d)) {
		srpt_rsp_check(io, SENSE_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CIU);
		return;
	}
	io->info.cdb = io->cmd.cdb;
	io->info.cdb_len = io->cmd.cdb_len;
	io->info.dir = dir;
	io->info.data_len = d ? d->total_len : 0;
	io->info.task_attr = io->cmd.task_attr;
	io->info.imm = d && d->fmt == SRPT_DATA_FMT_IMM;
	srpt_tally(&io->tally.cmds, 1);
	if (dir == SRPT_DIR_IN)
		srpt_tally(&io->tally.cmds_in, 1);
	else if (dir == SRPT_DIR_OUT)
		srpt_tally(&io->tally.cmds_out, 1);
	atomic_store(&io->state, SRPT_IO_APP);
	t->ops.on_cmd(ch, io, t->userdata);
}

static void handle_cmd(struct srpt_channel *ch, struct srpt_io *io)
{
	struct srpt_target *t = ch->t;
	const struct srpt_data_desc *d;
	enum srpt_dir dir;
	bool credit = take_credit(ch);
	int r;

	r = srpt_cmd_decode(io->rx_buf, io->rx_len, ch->imm_offset, &io->cmd);
	if (r) {
		if (io->rx_len < 16) {
			srpt_rsp_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
			return;
		}
		io->info.tag = get_tag(io->rx_buf + 8);
		srpt_rsp_check(io, SENSE_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CIU);
		return;
	}
	io->info.tag = io->cmd.tag;
	memcpy(io->info.lun, io->cmd.lun, 8);
	if (!credit) {
		/* TASK SET FULL: answered, never dropped. */
		srpt_rsp_status(io, SAM_STAT_TASK_SET_FULL, NULL, 0, 0, 0, 0, 0);
		return;
	}
	d = cmd_desc(&io->cmd, &dir);
	if (dir == SRPT_DIR_BIDI) {
		srpt_rsp_check(io, SENSE_ILLEGAL_REQUEST,
			       ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	io->info.dir = dir;
	/* Task management sees it from here on, also while its table is
	 * read. */
	srpt_task_bind(io);
	if (d && d->fmt == SRPT_DATA_FMT_INDIRECT &&
	    d->inline_cnt < d->table_cnt) {
		/* Only part of the table came with the command: read the
		 * whole table from the initiator first. */
		r = srpt_table_fetch(io, d);
		if (r == -EINVAL) {
			srpt_log_peer(t, SRPT_LOG_NOTICE,
				      "channel %llu: refusing a %u-byte descriptor table",
				      (unsigned long long)ch->id, d->table.len);
			srpt_rsp_check(io, SENSE_ILLEGAL_REQUEST,
				       ASC_INVALID_FIELD_IN_CIU);
		} else if (r) {
			srpt_log_peer(t, SRPT_LOG_WARNING,
				      "channel %llu: no buffer for a %u-byte descriptor table (%d): BUSY",
				      (unsigned long long)ch->id, d->table.len, r);
			atomic_fetch_add(&t->stats.table_busy, 1);
			atomic_fetch_add(&ch->cnt.busy, 1);
			srpt_rsp_status(io, SAM_STAT_BUSY, NULL, 0, 0, 0, 0, 0);
		}
		return;
	}
	deliver_cmd(io);
}

/*
 * The external table of @io arrived (or could not be read). Delivery is
 * counted in ch->delivering like that of a received IU, so no command
 * reaches on_cmd after on_dreq (channel.c waits for the count).
 */
void srpt_iu_table_done(struct srpt_io *io, int status)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_data_desc *d = io->info.dir == SRPT_DIR_IN ?
				   &io->cmd.data_in : &io->cmd.data_out;

	atomic_fetch_add(&ch->delivering, 1);
	if (status || srpt_ch_state(ch) != SRPT_CH_LIVE ||
	    atomic_load(&io->aborted)) {
		/* The channel is failing (a bad key breaks the QP), or task
		 * management aborted the command while its table was read:
		 * nothing to deliver; the io just goes back. */
		srpt_io_release(io);
	} else {
		d->inline_list = io->table;
		d->inline_cnt = d->table_cnt;
		deliver_cmd(io);
	}
	srpt_iu_delivered(ch);
}

/* Where a function is counted in struct srpt_io_stats. */
static unsigned int tmf_index(uint8_t func)
{
	switch (func) {
	case SRPT_TSK_ABORT_TASK:
		return 0;
	case SRPT_TSK_ABORT_TASK_SET:
		return 1;
	case SRPT_TSK_CLEAR_TASK_SET:
		return 2;
	case SRPT_TSK_LUN_RESET:
		return 3;
	case SRPT_TSK_CLEAR_ACA:
		return 4;
	default:
		return 5;
	}
}

static void handle_tm(struct srpt_channel *ch, struct srpt_io *io)
{
	struct srpt_target *t = ch->t;
	struct srpt_tsk_mgmt tm;
	bool credit = take_credit(ch);
	int code;

	atomic_store(&io->state, SRPT_IO_TM);
	if (srpt_tsk_mgmt_decode(io->rx_buf, io->rx_len, &tm)) {
		if (io->rx_len < 16) {
			srpt_rsp_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
			return;
		}
		io->info.tag = get_tag(io->rx_buf + 8);
		atomic_fetch_add(&t->stats.bad_ius, 1);
		atomic_fetch_add(&ch->cnt.bad_ius, 1);
		srpt_rsp_tm(io, SRPT_TSK_MGMT_INVALID);
		return;
	}
	io->info.tag = tm.tag;
	memcpy(io->info.lun, tm.lun, 8);
	io->tm_func = tm.tsk_mgmt_func;
	io->tm_task_tag = tm.task_tag;
	atomic_fetch_add(&t->stats.tmfs, 1);
	atomic_fetch_add(&ch->cnt.tmf[tmf_index(tm.tsk_mgmt_func)], 1);
	if (!credit) {
		srpt_rsp_tm(io, SRPT_TSK_MGMT_FAILED);
		return;
	}
	switch (tm.tsk_mgmt_func) {
	case SRPT_TSK_ABORT_TASK:
	case SRPT_TSK_ABORT_TASK_SET:
	case SRPT_TSK_CLEAR_TASK_SET:
	case SRPT_TSK_LUN_RESET:
		break;
	default:
		/* CLEAR ACA too: this library never establishes ACA. */
		srpt_rsp_tm(io, SRPT_TSK_MGMT_FUNC_NOT_SUPP);
		return;
	}
	if (t->ops.on_tmf) {
		struct srpt_tmf_info info = {
			.func = tm.tsk_mgmt_func,
			.tag = tm.tag,
			.task_tag = tm.task_tag,
		};

		memcpy(info.lun, tm.lun, 8);
		code = t->ops.on_tmf(ch, &info, t->userdata);
	} else {
		code = 0;
	}
	if (code) {
		srpt_rsp_tm(io, (uint8_t)code);
		return;
	}
	srpt_log_peer(t, SRPT_LOG_NOTICE, "channel %llu: %s, LUN %02x%02x",
		      (unsigned long long)ch->id,
		      srpt_tsk_mgmt_func_name(tm.tsk_mgmt_func), tm.lun[0],
		      tm.lun[1]);
	srpt_tm_abort(io);
}

static void process_live(struct srpt_channel *ch, struct srpt_io *io)
{
	if (io->rx_len == 0) {
		atomic_fetch_add(&ch->io_outstanding, 1);
		srpt_rsp_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
		return;
	}
	if (io->rx_buf[0] != SRPT_OP_I_LOGOUT)
		atomic_fetch_add(&ch->io_outstanding, 1);
	switch (io->rx_buf[0]) {
	case SRPT_OP_CMD:
		handle_cmd(ch, io);
		break;
	case SRPT_OP_TSK_MGMT:
		handle_tm(ch, io);
		break;
	case SRPT_OP_I_LOGOUT:
		/* No answer is defined: the channel just ends. */
		srpt_log_peer(ch->t, SRPT_LOG_NOTICE,
			      "channel %llu: initiator logout",
			      (unsigned long long)ch->id);
		srpt_ch_queue_ev(ch, SRPT_EV_APP_CLOSE);
		break;
	case SRPT_OP_CRED_RSP:
	case SRPT_OP_AER_RSP:
		/* The answer to a request of ours (SRP_CRED_REQ,
		 * SRP_AER_REQ) takes no credit and needs none; one we did
		 * not ask for ends the channel. */
		if (io->rx_len >= 16 &&
		    srpt_rsp_treq_answered(ch, get_tag(io->rx_buf + 8)))
			srpt_io_release(io);
		else
			srpt_rsp_logout(io, SRPT_T_LOGOUT_UNEXPECTED_RSP);
		break;
	default:
		srpt_rsp_logout(io, SRPT_T_LOGOUT_INVALID_IU_TYPE);
		break;
	}
}

/* A delivery is over; the last one wakes on_dreq's wait (channel.c). The
 * count drops before the flag is read, and the waiter sets the flag
 * before it reads the count: one of the two sees the other. */
void srpt_iu_delivered(struct srpt_channel *ch)
{
	if (atomic_fetch_sub(&ch->delivering, 1) == 1 &&
	    atomic_load(&ch->dreq_waiting)) {
		pthread_mutex_lock(&ch->lock);
		pthread_cond_broadcast(&ch->idle_cond);
		pthread_mutex_unlock(&ch->lock);
	}
}

/*
 * Deliver only while LIVE. The count of deliveries in progress lets the
 * dispatch thread wait, after leaving LIVE, until none is left before it
 * calls on_dreq: so no on_cmd ever follows on_dreq.
 */
static void process(struct srpt_channel *ch, struct srpt_io *io)
{
	atomic_fetch_add(&ch->delivering, 1);
	if (srpt_ch_state(ch) == SRPT_CH_LIVE)
		process_live(ch, io);
	/* else closing: the IU dies with the channel */
	srpt_iu_delivered(ch);
}

void srpt_iu_receive(struct srpt_channel *ch, struct srpt_io *io)
{
	if (srpt_ch_state(ch) == SRPT_CH_CONNECTING ||
	    atomic_load(&ch->replaying)) {
		pthread_mutex_lock(&ch->lock);
		if (srpt_ch_state(ch) == SRPT_CH_CONNECTING ||
		    atomic_load(&ch->replaying)) {
			cds_list_add_tail(&io->wait_link, &ch->wait_list);
			pthread_mutex_unlock(&ch->lock);
			/* A first IU before the RTU means the RTU was lost
			 * or is late: the connection is established. */
			srpt_ch_queue_ev(ch, SRPT_EV_ESTABLISHED);
			return;
		}
		pthread_mutex_unlock(&ch->lock);
	}
	process(ch, io);
}

/* Dispatch thread, right after the channel went LIVE. */
void srpt_iu_replay_wait_list(struct srpt_channel *ch)
{
	struct srpt_io *io;

	pthread_mutex_lock(&ch->lock);
	atomic_store(&ch->replaying, true);
	for (;;) {
		if (cds_list_empty(&ch->wait_list)) {
			atomic_store(&ch->replaying, false);
			break;
		}
		io = cds_list_first_entry(&ch->wait_list, struct srpt_io,
					  wait_link);
		cds_list_del_init(&io->wait_link);
		pthread_mutex_unlock(&ch->lock);
		process(ch, io);
		pthread_mutex_lock(&ch->lock);
	}
	pthread_mutex_unlock(&ch->lock);
}
