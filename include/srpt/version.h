/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_VERSION_H
#define SRPT_VERSION_H

#define SRPT_VERSION_MAJOR 0
#define SRPT_VERSION_MINOR 1
#define SRPT_VERSION_PATCH 0
#define SRPT_VERSION_HEX \
	((SRPT_VERSION_MAJOR << 16) | (SRPT_VERSION_MINOR << 8) | SRPT_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/**
 * srpt_version() - version of the library that is actually loaded
 *
 * Return: a static string such as "0.1.0". Any thread, any context,
 * including inside callbacks.
 */
const char *srpt_version(void);

#ifdef __cplusplus
}
#endif

#endif
