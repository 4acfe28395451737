/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_UTIL_EXPORT_H
#define SRPT_UTIL_EXPORT_H

/*
 * The library is compiled with -fvisibility=hidden; SRPT_EXPORT marks the
 * definitions that libsrpt.map may export. A function needs both the marker
 * and a map entry to be visible, and tests/abi checks that the two agree.
 */
#define SRPT_EXPORT __attribute__((visibility("default")))

#endif
