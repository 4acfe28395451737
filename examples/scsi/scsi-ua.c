/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Unit attention of an I_T nexus (SAM-5 5.14): REPORTED LUNS DATA HAS
 * CHANGED (06/3F/0E), the only condition the emulation raises.
 *
 * The target counts changes of its LUN set (luns_gen); a nexus
 * remembers the count it last reported (luns_seen). A difference is a
 * pending unit attention. Reporting it is a compare-and-swap of
 * luns_seen, so that of several commands of one nexus racing on
 * different threads exactly one reports it, and changes made meanwhile
 * are covered by the same report (SPC-4 allows a device server to
 * coalesce them).
 */
#include <stdatomic.h>

#include "scsi-internal.h"

void scsi_nexus_init(struct scsi_nexus *nx, const struct scsi_target_desc *t)
{
	atomic_init(&nx->luns_seen, atomic_load(&t->luns_gen));
}

void scsi_target_luns_changed(struct scsi_target_desc *t)
{
	atomic_fetch_add(&t->luns_gen, 1);
}

/* Report the pending unit attention: true for the one caller that
 * takes it. */
bool scsi_ua_take(const struct scsi_target_desc *t, struct scsi_nexus *nx)
{
	unsigned int gen = atomic_load(&t->luns_gen);
	unsigned int seen = atomic_load(&nx->luns_seen);

	while (seen != gen)
		if (atomic_compare_exchange_weak(&nx->luns_seen, &seen, gen))
			return true;
	return false;
}

/* The nexus has read the LUN set as of @gen: what changed until then
 * is no longer pending. A later change that another command already
 * reported (seen ahead of @gen) stays reported. */
void scsi_ua_clear(struct scsi_nexus *nx, unsigned int gen)
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
	if (!task->nx || !task->lu || ua_exempt(task->op))
		return false;
	if (!scsi_ua_take(t, task->nx))
		return false;
	scsi_set_sense(task, SCSI_SK_UNIT_ATTENTION, ASC_REPORTED_LUNS_CHANGED);
	return true;
}
