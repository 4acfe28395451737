/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* srpt-blockdev built without json-c: no configuration file (config.h). */
#include <errno.h>
#include <stdio.h>

#include "config.h"

#define UNAVAILABLE "not available: srpt-blockdev was built without json-c (install libjson-c-dev and rebuild)"

bool config_available(void)
{
	return false;
}

int config_load(struct options *o, const char *path, char *err, size_t n)
{
	(void)o;
	snprintf(err, n, "--config %s: " UNAVAILABLE, path);
	return -1;
}

int config_save(const struct options *o, const char *path, char *err,
		size_t n)
{
	(void)o;
	snprintf(err, n, "%s: " UNAVAILABLE, path);
	return -EOPNOTSUPP;
}
