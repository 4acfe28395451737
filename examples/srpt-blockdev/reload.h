/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_RELOAD_H
#define SRPT_BLOCKDEV_RELOAD_H
/*
 * Reloading srpt-blockdev's configuration file while it serves (SIGHUP,
 * config.reload, systemd's ExecReload): the file is read again and its
 * LUNs applied with the LUN table's own additions and removals, so
 * sessions stay and unchanged LUNs are not touched; the log level and
 * the ALUA state follow the file too. Everything else is fixed once the
 * target runs (listening address, threads, pool...): a file that
 * changes one of those is refused, naming the field, and nothing
 * changes. The command line the target was started with is applied
 * over the file again, as at the start (srpt-blockdev@.service gives
 * --control there).
 */
#include <stddef.h>

#include "service.h"

/* What a reload did. */
struct reload_result {
	unsigned int added, removed, kept;
	bool log_level, alua_state;	/* changed */
};

/**
 * svc_reload() - read the configuration file again and apply it
 * @s: the service (its options, LUN table, target and SCSI description)
 * @res: what changed, on success
 * @msg: on failure, a sentence naming the file, field or LUN at fault
 * @n: its size
 *
 * Every new LUN is opened before anything changes; a LUN whose path,
 * name or read_only changed is removed and added again under its
 * number.
 *
 * Return: 0, or -EINVAL (the file is wrong, or changes what cannot
 * change live), -ENODATA (no --config), or what opening a LUN returned;
 * on failure nothing changed.
 * Context: one thread at a time (the caller holds the service's lock),
 * outside a liburcu read-side critical section.
 */
int svc_reload(struct svc *s, struct reload_result *res, char *msg,
	       size_t n);

#endif
