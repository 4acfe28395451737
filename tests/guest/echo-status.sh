#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Harness self-check: prints where it runs and exits with the status given
# as $1 (default 0), so boot.sh's status propagation can be tested.
echo "guest: $(uname -r) cwd=$(pwd) args=$*"
echo "guest: uptime $(cut -d' ' -f1 /proc/uptime) s"
touch "$GUEST_OUT/echo-status.stamp" || exit 3
exit "${1:-0}"
