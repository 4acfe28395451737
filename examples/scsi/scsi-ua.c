/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Unit attentions of an I_T nexus (SAM-5 5.14), the two the emulation
 * raises: ASYMMETRIC ACCESS STATE CHANGED (06/2A/06) and REPORTED LUNS
 * DATA HAS CHANGED (06/3F/0E).
 *
 * The target counts changes of its ALUA state (alua_gen) and of its LUN
 * set (luns_gen); a nexus remembers the counts it last reported
 * (alua_seen, luns_seen). A difference is a pending unit attention.
 * Reporting one is a compare-and-swap of the nexus's count, so that of
 * several commands of one nexus racing on different threads exactly one
 * reports it, and changes made meanwhile are covered by the same report
 * (SPC-4 allows a device server to coalesce them). With both pending,
 * the access state goes first: it decides where the initiator sends
 * its I/O.
 */
#include <stdatomic.h>

#include "scsi-internal.h"

void scsi_nexus_init(struct scsi_nexus *nx, const struct scsi_target_desc *t)
{
	atomic_init(&nx->luns_seen, atomic_load(&t->luns_gen));
	atomic_init(&nx->alua_seen, atomic_load(&t->alua_gen));
}

void scsi_target_luns_changed(struct scsi_target_desc *t)
{
	atomic_fetch_add(&t->luns_gen, 1);
}

/* Take the change of @gen not yet in @seen: true for the one caller
 * that does. */
static bool take(const _Atomic unsigned int *gen, _Atomic unsigned int *seen)
{
	unsigned int g = atomic_load(gen);
	unsigned int s = atomic_load(seen);

	while (s != g)
		if (atomic_compare_exchange_weak(seen, &s, g))
			return true;
	return false;
}

uint16_t scsi_ua_take(const struct scsi_target_desc *t, struct scsi_nexus *nx)
{
	if (take(&t->alua_gen, &nx->alua_seen))
		return ASC_ALUA_STATE_CHANGED;
	if (take(&t->luns_gen, &nx->luns_seen))
		return ASC_REPORTED_LUNS_CHANGED;
	return ASC_NONE;
}

/* The nexus has read the LUN set as of @gen: what changed until then
 * is no longer pending. A later change that another command already
 * reported (seen ahead of @gen) stays reported. */
void scsi_ua_clear_luns(struct scsi_nexus *nx, unsigned int gen)
{
	unsigned int seen = atomic_load(&nx->luns_seen);

	while ((int)(gen - seen) > 0)
		if (atomic_compare_exchange_weak(&nx->luns_seen, &seen, gen))
			return;
}

/* Commands that never report a unit attention (SAM-5 5.14). */
static bool ua_exempt(uint8_t op)
{
	return op == OP_INQUIRY || op == OP_REPORT_LUNS ||
	       op == OP_REQUEST_SENSE;
}

bool scsi_ua_check(const struct scsi_target_desc *t, struct scsi_task *task)
{
	uint16_t asc;

	if (!task->nx || !task->lu || ua_exempt(task->op))
		return false;
	asc = scsi_ua_take(t, task->nx);
	if (asc == ASC_NONE)
		return false;
	scsi_set_sense(task, SCSI_SK_UNIT_ATTENTION, asc);
	return true;
}
