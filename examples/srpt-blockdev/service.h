/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_SERVICE_H
#define SRPT_BLOCKDEV_SERVICE_H
/*
 * What srpt-blockdev answers on its control socket (srptctl(8)): the
 * JSON-RPC methods target.show, sessions.list, session.close,
 * lun.add, lun.remove, alua.set_state, log.set_level, config.save and
 * config.reload,
 * over the running
 * target. The target is reached through struct svc_target_ops, so that
 * the tests can put a fake one in libsrpt's place; svc_srpt_ops is
 * libsrpt's own.
 *
 * Context: the methods run on the control server's thread, one at a
 * time. They change the LUN table (luns.h, safe while commands run),
 * the ALUA state (atomic in the SCSI emulation), the library's log
 * level, and opt's LUN list, alua_state and log_level, which no other
 * thread reads once the target serves.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <srpt/srpt.h>

#include "ctl-server.h"
#include "luns.h"
#include "options.h"
#include "scsi.h"

/* What a method needs of the target; @t is svc.t. */
struct svc_target_ops {
	/* Call @fn with each channel's information and counters, until it
	 * returns non-zero (then that value). */
	int (*foreach_channel)(void *t,
			       int (*fn)(const struct srpt_channel_info *in,
					 const struct srpt_io_stats *st,
					 void *arg),
			       void *arg);
	/* srpt_channel_close() of channel @id: 0, -ENOENT, -EALREADY. */
	int (*close_channel)(void *t, uint64_t id);
	int (*set_log_level)(void *t, int level);
	int (*get_port_id)(void *t, uint64_t *id_ext, uint64_t *ioc_guid);
	int (*get_stats)(void *t, struct srpt_target_stats *st,
			 struct srpt_io_stats *io);
};

extern const struct svc_target_ops svc_srpt_ops;

/* One LUN as served: its SCSI description and where its data is. */
struct svc {
	const struct svc_target_ops *ops;
	void *t;
	struct options *opt;		/* the running configuration */
	struct scsi_target_desc *desc;	/* ALUA */
	struct lun_table *luns;		/* the LUNs, changed by lun.* */
	/* Held around every method (ctl_server_set_lock()) and by a
	 * reload from another thread. */
	pthread_mutex_t lock;
	/* The command line it was started with, which a reload applies
	 * over the file again (argc 0: none). */
	int argc;
	char **argv;
	/* NULL, or told when a reload starts (@done false) and ends. */
	void (*on_reload)(struct svc *s, bool done);
};

struct reload_result;

/* opt's LUN list from the table: 0, or -ENOMEM (opt then misses some). */
int svc_sync_luns(struct svc *s);

/* svc_reload() (reload.h) with on_reload around it and a log line
 * saying what it did or why not, naming @by ("SIGHUP"). */
int svc_reload_logged(struct svc *s, struct reload_result *res, char *msg,
		      size_t n, const char *by);

/* The method table for ctl_server_open(), with a struct svc as @arg. */
extern const struct ctl_method svc_methods[];

#endif
