/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The I_T nexuses of srpt-blockdev (nexus.h): a short list, changed
 * only at login and at a channel's end. */
#include <stdlib.h>
#include <string.h>

#include "nexus.h"

struct nexus *nexus_get(struct nexus_list *nl, const uint8_t *initiator,
			const uint8_t *target, const struct scsi_target_desc *t)
{
	struct nexus *n;

	pthread_mutex_lock(&nl->lock);
	for (n = nl->head; n; n = n->next)
		if (!memcmp(n->initiator, initiator, 16) &&
		    !memcmp(n->target, target, 16))
			break;
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (n) {
			memcpy(n->initiator, initiator, 16);
			memcpy(n->target, target, 16);
			scsi_nexus_init(&n->nx, t);
			n->next = nl->head;
			nl->head = n;
		}
	}
	if (n)
		n->channels++;
	pthread_mutex_unlock(&nl->lock);
	return n;
}

void nexus_put(struct nexus_list *nl, struct nexus *n)
{
	struct nexus **p;

	if (!n)
		return;
	pthread_mutex_lock(&nl->lock);
	if (--n->channels) {
		pthread_mutex_unlock(&nl->lock);
		return;
	}
	for (p = &nl->head; *p != n; p = &(*p)->next)
		;
	*p = n->next;
	pthread_mutex_unlock(&nl->lock);
	free(n);
}
