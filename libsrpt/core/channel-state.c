/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The one place where a channel changes state. States only move forward,
 * which is what makes every close path idempotent: a second close finds
 * the channel already past the state it would move to and does nothing.
 *
 *   CONNECTING -> LIVE -> DISCONNECTING -> DRAINING -> DISCONNECTED
 *        \__________\___________/^            ^
 *         \______________________\___________/   (any state may skip ahead)
 */
#include "core/core.h"
#include "util/export.h"

bool srpt_ch_set_state(struct srpt_channel *ch,
			    enum srpt_channel_state new_state)
{
	int old = atomic_load(&ch->state);

	/* Only the dispatch thread writes the state; readers may race. */
	if ((int)new_state <= old)
		return false;
	atomic_store(&ch->state, (int)new_state);
	srpt_dbg(ch->t, "channel %llu: %s -> %s", (unsigned long long)ch->id,
		 srpt_channel_state_name((enum srpt_channel_state)old),
		 srpt_channel_state_name(new_state));
	return true;
}

SRPT_EXPORT const char *srpt_channel_state_name(enum srpt_channel_state s)
{
	switch (s) {
	case SRPT_CH_CONNECTING:
		return "CONNECTING";
	case SRPT_CH_LIVE:
		return "LIVE";
	case SRPT_CH_DISCONNECTING:
		return "DISCONNECTING";
	case SRPT_CH_DRAINING:
		return "DRAINING";
	case SRPT_CH_DISCONNECTED:
		return "DISCONNECTED";
	}
	return "unknown";
}
