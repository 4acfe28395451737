/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_RAMDISK_OPTIONS_H
#define SRPT_RAMDISK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct allow_entry {
	bool is_addr;
	uint8_t port_id[16];
	struct sockaddr_storage addr;
};

struct options {
	uint16_t port;
	struct sockaddr_storage bind;
	char bind_str[64];
	unsigned int luns;
	uint64_t size;
	uint64_t ioc_guid;
	uint32_t queue_depth;
	uint32_t srq_size;		/* 0: a receive ring per channel */
	uint32_t threads;		/* 0: one per online CPU */
	struct allow_entry *allow;
	unsigned int nallow;
	int verbose;
	bool busy_poll;
	bool app_poll;			/* SRPT_TARGET_APP_POLL */
	unsigned int cpus[64];		/* --cpus */
	unsigned int ncpus;
	int stall_lun;			/* -1: none; else held until aborted */
	unsigned int staging;		/* buffers of the READ staging pool */
};

/* Returns 1 to run, 0 after --help/--version, -1 after an error (printed). */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);
/* Whether an initiator may log in (no --allow: everybody). */
bool options_allowed(const struct options *o, const uint8_t port_id[16],
		     const struct sockaddr_storage *src);
/* "ADDR:PORT" for the add_target line; the any-address is replaced by
 * an address of an RDMA-capable interface when one is found. */
void options_dest(const struct options *o, char *out, size_t n);
/* Parse "64M"-style sizes; -1 on error. */
int options_parse_size(const char *s, uint64_t *out);

#endif
