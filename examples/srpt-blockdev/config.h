/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_CONFIG_H
#define SRPT_BLOCKDEV_CONFIG_H
/*
 * srpt-blockdev's configuration file: a JSON object whose fields are
 * the command line's (srpt-blockdev(8), "CONFIGURATION FILE"), read into
 * struct options and written back from it. Built with json-c; without
 * it, config_available() is false and every call says so.
 *
 * Context: any one thread at a time per struct options.
 */
#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* Room for any message below. */
#define CONFIG_ERR_MAX 512

/* Whether this build reads and writes configuration files (json-c). */
bool config_available(void);

/*
 * Read @path over @o (its defaults, options_init()). Every field is
 * checked against the same limits as its option; the first problem
 * ends the reading with a one-line message in @err that names where it
 * is: "FILE:LINE:COLUMN: ..." for text that is not JSON, "FILE: FIELD:
 * ..." (e.g. "luns[2].path: not a string") for a field. Returns 0, or
 * -1 with @o holding what was read before the problem (options_free()
 * frees it). Opens nothing but @path.
 */
int config_load(struct options *o, const char *path, char *err, size_t n);

/*
 * Write @o as a configuration file that config_load() reads back to
 * the same options: a temporary file beside @path, fsync, then
 * rename(2) over @path, so a reader sees the old file or the new one,
 * never part of one. An existing file's permissions are kept (a new
 * one is 0600). Returns 0, or a negative errno with @err saying what
 * failed.
 */
int config_save(const struct options *o, const char *path, char *err,
		size_t n);

#endif
