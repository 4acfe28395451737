/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef BLOCKDEV_FAKE_SVC_H
#define BLOCKDEV_FAKE_SVC_H
/*
 * A target for the control socket's methods without RDMA: two LUNs in a
 * real LUN table (made up: their backings are not open; lun.add opens
 * real ones), ALUA port group 7, and two channels (ids 11 and 12)
 * whose information and counters are made up; closing one marks it
 * DISCONNECTING. What the methods did is kept for the tests to check.
 */
#include "service.h"

struct fake_svc {
	struct svc svc;
	struct options opt;
	struct scsi_target_desc desc;
	struct lun_table luns;	/* two made-up LUNs, no backing open */
	int closed[2];		/* times each channel was closed */
	int log_level;		/* what set_log_level was given, 0: never */
	int close_calls;
};

/* Fill @f; @config_path (may be NULL) becomes opt.config_path. */
void fake_svc_init(struct fake_svc *f, const char *config_path);
void fake_svc_fini(struct fake_svc *f);

#endif
