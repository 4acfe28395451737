/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_OPTIONS_H
#define SRPT_BLOCKDEV_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "scsi.h"

#define BD_MAX_LUNS 256u	/* LUN numbers 0..255 */

/* One LUN: a path (or "rbd:POOL/IMAGE"), the name its data goes by if
 * the user gave one ("PATH,name=NAME": the designators then come from
 * the name), whether it is served write protected (",ro"), and for an
 * RBD image the cluster's configuration file and client id if they
 * differ from --ceph-conf and --ceph-id (",conf=FILE", ",id=ID"). */
struct bd_lun_arg {
	char *path;
	char *name;
	char *ceph_conf;	/* ",conf=FILE" */
	char *ceph_id;		/* ",id=ID" */
	bool read_only;		/* ",ro" */
	bool has_index;		/* "lun" in the file: index is its number */
	unsigned int index;	/* else it is its position in the list */
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
	bool rbd_lock;			/* --rbd-lock: the image's lock decides */
	unsigned int rbd_stale;		/* --rbd-stale: seconds, 0: default */
	int log_level;			/* SRPT_LOG_ERR..SRPT_LOG_DEBUG */
	char *config_path;		/* --config, or NULL */
	char *control_path;		/* --control or "control", or NULL */
	char *ceph_conf;		/* --ceph-conf: rbd: LUNs' default */
	char *ceph_id;			/* --ceph-id: rbd: LUNs' default */
};

/* Whether a LUN's path names an RBD image ("rbd:..."). */
bool options_lun_is_rbd(const struct bd_lun_arg *l);

/*
 * The configuration file (--config) first, then the command line over
 * it: an option replaces the file's value, LUNs and --allow entries are
 * added to the file's. Everything is checked here, before anything is
 * opened. Returns 1 to run, 0 after --help/--version, -1 after an error
 * (printed).
 */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

/* The command line's options but --config over @o (a configuration
 * file read into it), as options_parse() does: 0, or -1 after an error
 * (printed). --help and --version are not looked at. */
int options_apply_cli(struct options *o, int argc, char **argv);

/* --rbd-stale's range, in seconds. */
#define OPTIONS_RBD_STALE_MIN 2u
#define OPTIONS_RBD_STALE_MAX 60u

/**
 * options_check_rbd_lock() - whether --rbd-lock fits the rest
 * @o: the options, file and command line in
 *
 * --rbd-lock needs --alua-group, no --alua-state, exactly one LUN, an
 * RBD image, read-write; --rbd-stale needs --rbd-lock.
 *
 * Return: 0, or -1 after an error (printed). Context: any thread.
 */
int options_check_rbd_lock(const struct options *o);

/* The defaults, before a configuration file or the command line. */
void options_init(struct options *o);

/* What options_parse() checks once the file and the command line are
 * in: -1 after an error (printed, naming the options). */
int options_finish(struct options *o);

/* The LUN number of lun[@i]. */
unsigned int options_lun_index(const struct options *o, unsigned int i);

/* "err", "warning", "notice", "info", "debug" (or 3..7): the level, or
 * -1. And back: the name of a level. */
int options_log_level(const char *s);
const char *options_log_level_name(int level);

/* "active", "non-optimized", "standby", "unavailable": 0, or -1. And
 * back: the name of a state. */
int options_alua_state(const char *s, enum scsi_alua_state *st);
const char *options_alua_state_name(enum scsi_alua_state st);

#endif
