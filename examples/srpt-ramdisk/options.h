/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RAMDISK_OPTIONS_H
#define SRPT_RAMDISK_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct options {
	struct target_cli cli;		/* listening, logins, threads */
	unsigned int luns;
	uint64_t size;
	int stall_lun;			/* -1: none; else held until aborted */
	unsigned int staging;		/* buffers of the READ staging pool */
};

/* Returns 1 to run, 0 after --help/--version, -1 after an error (printed). */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

#endif
