/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Implicit ALUA (SPC-4 5.15): the access state of this target's port
 * group, what it lets through, and REPORT TARGET PORT GROUPS (SPC-4
 * 6.36) in both parameter data formats.
 *
 * One word holds the state and the status code, so a command reads
 * both at once and a state change needs no lock.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "scsi-internal.h"

#define ALUA_STATE_MASK		0x0fu
#define ALUA_STATUS_SHIFT	8
#define STATUS_IMPLICIT		0x02	/* altered by implicit ALUA */

#define RTPG_FMT_LENGTH_ONLY	0
#define RTPG_FMT_EXTENDED	1
#define RTPG_EXT_HDR		0x10	/* FORMAT TYPE 001b */
/* T_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP: the states of the enum */
#define RTPG_SUPPORTED		0x8f
#define RTPG_DESC_LEN		8u
#define RTPG_PORT_LEN		4u

static unsigned int alua_word(const struct scsi_target_desc *t)
{
	return atomic_load_explicit(&t->alua, memory_order_acquire);
}

static bool alua_state_valid(unsigned int state)
{
	switch (state) {
	case SCSI_ALUA_ACTIVE_OPTIMIZED:
	case SCSI_ALUA_ACTIVE_NON_OPTIMIZED:
	case SCSI_ALUA_STANDBY:
	case SCSI_ALUA_UNAVAILABLE:
	case SCSI_ALUA_TRANSITIONING:
		return true;
	default:
		return false;
	}
}

int scsi_target_set_alua_state(struct scsi_target_desc *t,
			       enum scsi_alua_state state)
{
	unsigned int old, word;

	if (!t || !t->tpg_id || !alua_state_valid((unsigned int)state))
		return -EINVAL;
	old = alua_word(t);
	do {
		word = (unsigned int)state;
		if (word == (old & ALUA_STATE_MASK))
			word = old;
		else
			word |= STATUS_IMPLICIT << ALUA_STATUS_SHIFT;
	} while (!atomic_compare_exchange_weak_explicit(&t->alua, &old, word,
							memory_order_acq_rel,
							memory_order_acquire));
	/* Every nexus hears of a change once (scsi-ua.c). */
	if (word != old)
		atomic_fetch_add(&t->alua_gen, 1);
	return 0;
}

enum scsi_alua_state
scsi_target_get_alua_state(const struct scsi_target_desc *t)
{
	return (enum scsi_alua_state)(alua_word(t) & ALUA_STATE_MASK);
}

/*
 * SPC-4 lists, for the standby, unavailable and transitioning states,
 * what a port group that is not active serves; the table in scsi.c marks
 * those of the commands the emulation has (and READ CAPACITY in standby,
 * see scsi.h). The rest gets NOT READY with the state's own reason.
 * Without ALUA nothing is refused.
 */
bool scsi_alua_allows(const struct scsi_target_desc *t, uint8_t ok,
		      struct scsi_task *task)
{
	uint16_t asc;

	if (!t->tpg_id)
		return true;
	switch (scsi_target_get_alua_state(t)) {
	case SCSI_ALUA_STANDBY:
		if (ok & ALUA_OK_STANDBY)
			return true;
		asc = ASC_NOT_READY_STANDBY;
		break;
	case SCSI_ALUA_UNAVAILABLE:
		if (ok & ALUA_OK_UNAVAILABLE)
			return true;
		asc = ASC_NOT_READY_UNAVAILABLE;
		break;
	case SCSI_ALUA_TRANSITIONING:
		if (ok & ALUA_OK_UNAVAILABLE)
			return true;
		asc = ASC_NOT_READY_TRANSITION;
		break;
	default:
		return true;
	}
	scsi_set_sense(task, SCSI_SK_NOT_READY, asc);
	return false;
}

/*
 * One descriptor: this process's group, with its one port. The extended
 * header (asked for by Linux scsi_dh_alua) adds the format type and an
 * implicit transition time, 0: none given, the initiator's default.
 * RETURN DATA LENGTH counts every byte after itself in both formats.
 */
static void report_tpgs(const struct scsi_target_desc *t,
			struct scsi_task *task, unsigned int fmt)
{
	unsigned int word = alua_word(t);
	uint32_t hdr = fmt == RTPG_FMT_EXTENDED ? 8 : 4;
	uint32_t n = hdr + RTPG_DESC_LEN + RTPG_PORT_LEN;
	uint8_t *b = task->small;
	uint8_t *d = b + hdr;

	memset(b, 0, n);
	scsi_put_be32(b, n - 4);
	if (fmt == RTPG_FMT_EXTENDED)
		b[4] = RTPG_EXT_HDR;
	d[0] = (uint8_t)(word & ALUA_STATE_MASK);	/* PREF 0 */
	d[1] = RTPG_SUPPORTED;
	scsi_put_be16(d + 2, t->tpg_id);
	d[5] = (uint8_t)(word >> ALUA_STATUS_SHIFT);
	d[7] = 1;					/* port count */
	scsi_put_be16(d + RTPG_DESC_LEN + 2, t->rel_port_id);
	scsi_data_in(task, b, n, scsi_get_be32(task->cdb + 6));
}

/*
 * MAINTENANCE IN: REPORT TARGET PORT GROUPS only. Only with ALUA: the
 * dispatch treats the operation code as a hole when tpg_id is 0, so a
 * target without ALUA answers exactly as before ALUA was there.
 */
void scsi_cmd_maintenance_in(const struct scsi_target_desc *t,
			     struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	unsigned int fmt = cdb[1] >> 5;

	if ((cdb[1] & 0x1f) != MI_REPORT_TARGET_PGS) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 4);
		return;
	}
	if (fmt != RTPG_FMT_LENGTH_ONLY && fmt != RTPG_FMT_EXTENDED) {
		scsi_set_sense_field(task, ASC_INVALID_FIELD_IN_CDB, 1, 7);
		return;
	}
	report_tpgs(t, task, fmt);
}
