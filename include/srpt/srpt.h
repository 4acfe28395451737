/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_SRPT_H
#define SRPT_SRPT_H

/* Umbrella header: the whole public API of libsrpt. See libsrpt(7). */
#include <srpt/version.h>
#include <srpt/log.h>
#include <srpt/proto.h>
#include <srpt/target.h>
#include <srpt/channel.h>
#include <srpt/mr.h>
#include <srpt/io.h>

#endif
