/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Introspection: what a channel is and what moved over it, and a
 * target's counters, readable while commands flow (every field is read
 * on its own). Public structs are filled up to the size the program
 * gives, so that fields can be added later.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "util/export.h"

/* Copy what the library knows of @src (@ksize bytes) into the program's
 * @dst, of @usize bytes (its own size field stays). */
static void fill_out(void *dst, size_t usize, const void *src, size_t ksize)
{
	size_t n = usize < ksize ? usize : ksize;

	memcpy((uint8_t *)dst + sizeof(size_t), (const uint8_t *)src +
	       sizeof(size_t), n - sizeof(size_t));
}

/* The sizes of version 1.0 of the structs: every program gives at
 * least them. */
#define INFO_V1_SIZE (offsetof(struct srpt_channel_info, qp_num) + \
		      sizeof(uint32_t))
#define IO_STATS_V1_SIZE (offsetof(struct srpt_io_stats, aer_reqs) + \
			  sizeof(uint64_t))

SRPT_EXPORT int srpt_channel_get_info(struct srpt_channel *ch,
				      struct srpt_channel_info *info)
{
	struct srpt_channel_info k;

	if (!ch || !info || info->size < INFO_V1_SIZE)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	k.id = ch->id;
	k.state = srpt_ch_state(ch);
	/* Login facts and rings are written before LIVE (dispatch
	 * thread); before that only the id and state are sure. */
	if (k.state >= SRPT_CH_LIVE) {
		memcpy(k.initiator_port_id, ch->login.initiator_port_id, 16);
		memcpy(k.target_port_id, ch->login.target_port_id, 16);
		k.src = ch->login.src;
		k.dst = ch->login.dst;
		k.login_time_sec = ch->login_time.tv_sec;
		k.login_time_nsec = ch->login_time.tv_nsec;
		k.credits = ch->credits;
		k.max_it_iu_len = ch->it_iu_len;
		k.max_ti_iu_len = ch->ti_iu_len;
		k.imm_data_offset = ch->imm_offset;
		k.multichannel = ch->login.multichannel;
		k.srq = srpt_ch_srq(ch);
		k.qp_num = ch->tp.qp_num;
		if (ch->has_qp) {
			memcpy(k.device, ch->tp.dev_name, sizeof(k.device));
			k.device[sizeof(k.device) - 1] = 0;
			k.port = ch->tp.port;
		}
	}
	k.credits_held = atomic_load(&ch->req_lim);
	k.cmds_outstanding = (uint32_t)atomic_load(&ch->io_outstanding);
	fill_out(info, info->size, &k, sizeof(k));
	return 0;
}

SRPT_EXPORT int srpt_channel_get_stats(struct srpt_channel *ch,
				       struct srpt_io_stats *st)
{
	struct srpt_io_stats k;

	if (!ch || !st || st->size < IO_STATS_V1_SIZE)
		return -EINVAL;
	struct srpt_tally_sum sum = { 0 };

	memset(&k, 0, sizeof(k));
	srpt_counters_read(&ch->cnt, &k);
	srpt_tally_sum_ch(ch, &sum);
	srpt_tally_read(&sum, &k);
	fill_out(st, st->size, &k, sizeof(k));
	return 0;
}

#define TSTATS_V1_SIZE (offsetof(struct srpt_target_stats, log_suppressed) + \
			sizeof(uint64_t))

SRPT_EXPORT int srpt_target_get_stats(struct srpt_target *t,
				      struct srpt_target_stats *st,
				      struct srpt_io_stats *io)
{
	if (!t || (!st && !io) || (st && st->size < TSTATS_V1_SIZE) ||
	    (io && io->size < IO_STATS_V1_SIZE))
		return -EINVAL;
	if (io) {
		struct srpt_io_stats k;
		struct srpt_channel *ch;

		struct srpt_tally_sum sum = { 0 };

		memset(&k, 0, sizeof(k));
		pthread_mutex_lock(&t->lock);
		srpt_counters_read(&t->gone_io, &k);
		srpt_tally_sum_gone(t, &sum);
		cds_list_for_each_entry(ch, &t->channels, t_link) {
			srpt_counters_read(&ch->cnt, &k);
			srpt_tally_sum_ch(ch, &sum);
		}
		pthread_mutex_unlock(&t->lock);
		srpt_tally_read(&sum, &k);
		fill_out(io, io->size, &k, sizeof(k));
	}
	if (st) {
		struct srpt_target_stats k = { .size = st->size };

		k.logins = atomic_load(&t->stats.logins);
		for (int i = 0; i < 7; i++)
			k.login_rejects[i] = atomic_load(&t->login_rejects[i]);
		k.channels = atomic_load(&t->nalive);
		k.log_suppressed = atomic_load(&t->stats.log_suppressed);
		fill_out(st, st->size, &k, sizeof(k));
	}
	return 0;
}

SRPT_EXPORT int srpt_target_set_log_level(struct srpt_target *t, int level)
{
	if (!t || level < SRPT_LOG_ERR || level > SRPT_LOG_DEBUG)
		return -EINVAL;
	atomic_store(&t->log_level, level);
	return 0;
}
