/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_OPTIONS_H
#define SRPT_BLOCKDEV_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "scsi.h"

#define BD_MAX_LUNS 256u

/* One LUN: a path, the name its data goes by if the user gave one
 * ("PATH,name=NAME": the designators then come from the name), and
 * whether it is served write protected (",ro"). */
struct bd_lun_arg {
	char *path;
	char *name;
	bool read_only;		/* ",ro" */
};

struct options {
	struct target_cli cli;		/* listening, logins, threads */
	struct bd_lun_arg lun[BD_MAX_LUNS];
	unsigned int nluns;
	uint32_t block_size;		/* 0: the backing's */
	uint64_t pool_size;		/* bytes of data buffers */
	bool read_only;
	bool shared;			/* block devices without O_EXCL */
	bool dsync;			/* written through: no write cache */
	uint16_t alua_group;		/* 0: no ALUA */
	uint16_t alua_port;
	enum scsi_alua_state alua_state;
};

/* Returns 1 to run, 0 after --help/--version, -1 after an error (printed). */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

#endif
