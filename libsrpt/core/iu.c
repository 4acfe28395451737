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
#include "util/byteorder.h"

/* Fixed-format sense: ILLEGAL REQUEST with the given ASC/ASCQ. */
static void build_sense(uint8_t *s, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(s, 0, 18);
	s[0] = 0x70;
	s[2] = key;
	s[7] = 10;
	s[12] = asc;
	s[13] = ascq;
}

static void answer_check(struct srpt_io *io, uint8_t key, uint8_t asc,
			 uint8_t ascq)
{
	uint8_t sense[18];

	atomic_fetch_add(&io->ch->t->stats.bad_ius, 1);
	build_sense(sense, key, asc, ascq);
	srpt_io_send_rsp(io, 2, sense, sizeof(sense), 0, 0, 0);
}

/* Tell the initiator why and end the channel. */
static void answer_logout(struct srpt_io *io, uint32_t reason)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_t_logout lo = { .reason = reason };
	struct srpt_tp_chain chain = { 0 };
	int n;

	atomic_fetch_add(&ch->t->stats.bad_ius, 1);
	if (io->rx_len >= 16)
		lo.tag = get_tag(io->rx_buf + 8);
	srpt_warn(ch->t, "channel %llu: bad IU (opcode 0x%02x, %u bytes): logging out, reason %u",
		  (unsigned long long)ch->id, io->rx_len ? io->rx_buf[0] : 0,
		  io->rx_len, reason);
	n = srpt_t_logout_encode(&lo, io->tx_buf, ch->ti_iu_len);
	if (n > 0) {
		chain.send.addr = (uintptr_t)io->tx_buf;
		chain.send.len = (uint32_t)n;
		chain.send.lkey = ch->tx_mr->lkey[ch->dev];
		chain.wr_id = srpt_wr_id(ch, SRPT_WR_SEND, io->index);
		atomic_store(&io->state, SRPT_IO_SENDING);
		io->sq_wrs = 1;
		pthread_mutex_lock(&ch->post_lock);
		/* Set before the post: see srpt_io_reclaim_posted(). */
		atomic_store(&io->posted, true);
		if (srpt_ch_state(ch) >= SRPT_CH_DRAINING ||
		    ch->t->tp_ops->post_chain(ch, &chain)) {
			atomic_store(&io->posted, false);
			pthread_mutex_unlock(&ch->post_lock);
			srpt_io_release(io);
		} else {
			atomic_fetch_add(&ch->t->stats.post_chain_calls, 1);
			atomic_fetch_add(&ch->t->stats.signaled_wrs, 1);
			pthread_mutex_unlock(&ch->post_lock);
		}
	} else {
		srpt_io_release(io);
	}
	srpt_channel_queue_ev(ch, SRPT_EV_APP_CLOSE);
}

/* Consume one credit; false if the initiator had none left. */
static bool take_credit(struct srpt_channel *ch)
{
	if (atomic_fetch_sub(&ch->req_lim, 1) > 0)
		return true;
	atomic_fetch_add(&ch->t->stats.credit_overruns, 1);
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

static void handle_cmd(struct srpt_channel *ch, struct srpt_io *io)
{
	struct srpt_target *t = ch->t;
	const struct srpt_data_desc *d;
	enum srpt_dir dir;
	bool credit = take_credit(ch);
	int r;

	r = srpt_cmd_decode(io->rx_buf, io->rx_len, ch->imm_offset, &io->cmd);
	memset(&io->info, 0, sizeof(io->info));
	if (r) {
		if (io->rx_len < 16) {
			answer_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
			return;
		}
		io->info.tag = get_tag(io->rx_buf + 8);
		/* INVALID FIELD IN COMMAND INFORMATION UNIT */
		answer_check(io, 0x05, 0x0e, 0x03);
		return;
	}
	io->info.tag = io->cmd.tag;
	if (!credit) {
		/* TASK SET FULL: answered, never dropped. */
		srpt_io_send_rsp(io, 0x28, NULL, 0, 0, 0, 0);
		return;
	}
	d = cmd_desc(&io->cmd, &dir);
	if (dir == SRPT_DIR_BIDI) {
		answer_check(io, 0x05, 0x24, 0x00);
		return;
	}
	io->info.dir = dir;
	/* Task management matches commands by LUN, also while reading. */
	memcpy(io->info.lun, io->cmd.lun, 8);
	if (d && d->fmt == SRPT_DATA_FMT_INDIRECT &&
	    d->inline_cnt < d->table_cnt) {
		/* Only part of the table came with the command: read the
		 * whole table from the initiator first. */
		r = srpt_io_fetch_table(io, (struct srpt_data_desc *)d);
		if (r) {
			srpt_warn(t, "channel %llu: cannot read a %u-byte descriptor table (%d)",
				  (unsigned long long)ch->id, d->table.len, r);
			answer_check(io, 0x05, 0x0e, 0x03);
		}
		return;
	}
	srpt_iu_deliver_cmd(io);
}

void srpt_iu_deliver_cmd(struct srpt_io *io)
{
	struct srpt_channel *ch = io->ch;
	struct srpt_target *t = ch->t;
	enum srpt_dir dir;
	const struct srpt_data_desc *d = cmd_desc(&io->cmd, &dir);

	if (d && d->fmt == SRPT_DATA_FMT_INDIRECT && check_indirect(d)) {
		answer_check(io, 0x05, 0x0e, 0x03);
		return;
	}
	memcpy(io->info.lun, io->cmd.lun, 8);
	io->info.cdb = io->cmd.cdb;
	io->info.cdb_len = io->cmd.cdb_len;
	io->info.dir = dir;
	io->info.data_len = d ? d->total_len : 0;
	io->info.task_attr = io->cmd.task_attr;
	io->info.imm = d && d->fmt == SRPT_DATA_FMT_IMM;
	atomic_fetch_add(&t->stats.cmds, 1);
	atomic_store(&io->state, SRPT_IO_APP);
	t->ops.on_cmd(ch, io, t->userdata);
}

static void handle_tm(struct srpt_channel *ch, struct srpt_io *io)
{
	struct srpt_target *t = ch->t;
	struct srpt_tsk_mgmt tm;
	bool credit = take_credit(ch);
	int code;

	if (srpt_tsk_mgmt_decode(io->rx_buf, io->rx_len, &tm)) {
		if (io->rx_len < 16) {
			answer_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
			return;
		}
		io->info.tag = get_tag(io->rx_buf + 8);
		atomic_fetch_add(&t->stats.bad_ius, 1);
		srpt_io_send_tm_rsp(io, SRPT_TSK_MGMT_INVALID);
		return;
	}
	memset(&io->info, 0, sizeof(io->info));
	io->info.tag = tm.tag;
	memcpy(io->info.lun, tm.lun, 8);
	io->tm_func = tm.tsk_mgmt_func;
	io->tm_task_tag = tm.task_tag;
	atomic_fetch_add(&t->stats.tmfs, 1);
	atomic_store(&io->state, SRPT_IO_TM);
	if (!credit) {
		srpt_io_send_tm_rsp(io, SRPT_TSK_MGMT_FAILED);
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
		srpt_io_send_tm_rsp(io, SRPT_TSK_MGMT_FUNC_NOT_SUPP);
		return;
	}
	code = t->ops.on_tmf ? t->ops.on_tmf(ch, tm.tsk_mgmt_func, tm.lun,
					     t->userdata) : 0;
	if (code) {
		srpt_io_send_tm_rsp(io, (uint8_t)code);
		return;
	}
	srpt_notice(t, "channel %llu: %s, LUN %02x%02x",
		    (unsigned long long)ch->id,
		    srpt_tsk_mgmt_func_name(tm.tsk_mgmt_func), tm.lun[0], tm.lun[1]);
	srpt_io_abort_matching(io, tm.tsk_mgmt_func != SRPT_TSK_ABORT_TASK,
			       tm.task_tag, tm.lun);
}

static void process_live(struct srpt_channel *ch, struct srpt_io *io)
{
	if (io->rx_len == 0) {
		atomic_fetch_add(&ch->io_outstanding, 1);
		answer_logout(io, SRPT_T_LOGOUT_INVALID_IU_LEN);
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
		srpt_notice(ch->t, "channel %llu: initiator logout",
			    (unsigned long long)ch->id);
		srpt_channel_queue_ev(ch, SRPT_EV_APP_CLOSE);
		break;
	case SRPT_OP_CRED_RSP:
	case SRPT_OP_AER_RSP:
		/* We never send CRED_REQ or AER_REQ. */
		answer_logout(io, SRPT_T_LOGOUT_UNEXPECTED_RSP);
		break;
	default:
		answer_logout(io, SRPT_T_LOGOUT_INVALID_IU_TYPE);
		break;
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
	atomic_fetch_sub(&ch->delivering, 1);
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
			srpt_channel_queue_ev(ch, SRPT_EV_ESTABLISHED);
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
