#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: userspace RDMA works on rxe0 (what a userspace target needs):
# the verbs device is visible and an RDMA/CM ping-pong (rping) runs over
# 10.99.0.1 in loopback.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

guest_rdma_up || die "soft-RoCE setup failed"
ibv_devinfo -d "$RXE_DEV" | grep -E 'hca_id|node_guid|state|active_mtu' ||
	die "ibv_devinfo does not see $RXE_DEV"

timeout 30 rping -s -a "$GUEST_IP" -p 7471 -C 10 >/tmp/rping-s.log 2>&1 &
srv=$!
sleep 1  # let the server bind
timeout 30 rping -c -a "$GUEST_IP" -p 7471 -C 10 -v >/tmp/rping-c.log 2>&1 ||
	{ cat /tmp/rping-c.log /tmp/rping-s.log >&2; die "rping client failed"; }
wait "$srv" || { cat /tmp/rping-s.log >&2; die "rping server failed"; }
glog "rping: $(grep -c 'ping data' /tmp/rping-c.log) pings over RDMA/CM ok"
