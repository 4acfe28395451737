/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

/* The library never prints: every line goes to the application's hook. */
void srpt_log(struct srpt_target *t, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!t || !t->opts.log || level > t->opts.log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->opts.log(level, line, t->opts.log_userdata);
}
