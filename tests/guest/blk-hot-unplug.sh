#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (blktests srp/016 style): RDMA hot-unplug under a running
# srpt-ramdisk. With a session open and fio writing, `rdma link delete
# rxe0`. Checks:
# - srpt-ramdisk neither crashes nor hangs, and says in its log that the
#   device went away;
# - every channel it had accepted is drained and unregistered;
# - the device removal completes while srpt-ramdisk keeps running (the
#   kernel cannot finish removing rxe0 while a process still holds verbs
#   resources on it: rxe cannot disassociate them);
# - after `rdma link add rxe0 ...` it either serves again (login, I/O) or
#   its log says it has stopped listening;
# - SIGTERM at the end: exit 0 (no leak under ASan).
# Usage: blk-hot-unplug.sh BUILD_DIR   (UNPLUG_WAIT, default 30 s)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=blk-lib.sh
. "$here/blk-lib.sh"

BLK_BUILD=${1:?usage: blk-hot-unplug.sh BUILD_DIR}
BLK_PORT=5555
UNPLUG_WAIT=${UNPLUG_WAIT:-30}

blk_init blk-hot-unplug
# A second soft-RoCE device (on veth1, no address) stays while rxe0 goes.
# librdmacm (rdma-core 44) refreshes its device list only while at least
# one device exists, and only a refresh lets it close a removed device's
# context: with no device left, the kernel's removal waits until the
# target process exits. srpt-ramdisk logs that case; see the README.
rdma link add rxe1 type rxe netdev veth1 || blk_fail "cannot add rxe1"
wait_until 20 test -e /sys/class/infiniband/rxe1 || blk_fail "rxe1 did not appear"
blk_target_start --size 32M --verbose

blk_login "$GID_PREFIX" || blk_fail "login failed"
srp_wait_disks 1 30 >/dev/null || blk_fail "the LUN did not appear"
dev=${SRP_DISKS[0]}
nacc=$(grep -c "login accepted" "$RAMDISK_LOG" || true)
note "session: $dev over $nacc channel(s)"

# I/O in flight when the device goes; it is expected to fail. fio must
# never create a file where the disk's node was: a regular /dev/sda would
# keep the disk that comes back from getting its node.
fio --name=unplug --filename="$dev" --rw=randwrite --bs=4k --iodepth=16 \
	--ioengine=libaio --direct=1 --size=16M --time_based --runtime=120 \
	--allow_file_create=0 \
	>"$BLK_OUT/fio.txt" 2>&1 &
fio_pid=$!
sleep 3
kill -0 $fio_pid 2>/dev/null || blk_fail "fio stopped before the unplug"

_gone_pid() { ! kill -0 "$1" 2>/dev/null; }

# Open files of srpt-ramdisk under /dev/infiniband (uverbs, rdma_cm).
ib_fds() {
	local f n=0
	for f in /proc/"$RAMDISK_PID"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in
		/dev/infiniband/*) n=$((n + 1)) ;;
		esac
	done
	echo $n
}

kmsg_mark "hot-unplug: rdma link delete $RXE_DEV"
t0=$(_now_cs)
rdma link delete "$RXE_DEV" >"$BLK_OUT/link-delete.txt" 2>&1 &
del_pid=$!
removed=0
wait_until "$UNPLUG_WAIT" _gone_pid $del_pid && removed=1
dt=$(( ($(_now_cs) - t0) / 100 ))

# The initiator loses its device too: fio must end, with errors.
wait_until 60 _gone_pid $fio_pid || {
	kill -9 $fio_pid 2>/dev/null
	blk_fail "fio still runs 60 s after the unplug"
}
wait $fio_pid 2>/dev/null || true
blk_target_alive
note "srpt-ramdisk still running after the unplug"

grep -q "RDMA device removed\|device .* removed\|fatal error" "$RAMDISK_LOG" ||
	blk_fail "srpt-ramdisk did not log the device removal"
note "target log: $(grep -m1 "RDMA device removed\|device .* removed\|fatal error" "$RAMDISK_LOG" | sed 's/^\[[0-9.]*\] //')"

# Every accepted channel drained and unregistered (verbose log).
wait_until 20 sh -c "[ \$(grep -c 'unregistered' '$RAMDISK_LOG') -ge $nacc ]" ||
	blk_fail "$(grep -c unregistered "$RAMDISK_LOG") of $nacc channels unregistered after the unplug"
note "all $nacc channel(s) drained and unregistered"

if [ $removed -eq 0 ]; then
	# Record who holds the device, then let srpt-ramdisk go and see
	# whether that releases it.
	{
		echo "== processes"
		ps -eo pid,stat,wchan:32,args
		echo "== rdma link delete stack"
		cat "/proc/$del_pid/stack" 2>&1
		echo "== srpt-ramdisk fds"
		ls -l "/proc/$RAMDISK_PID/fd" 2>&1
		echo "== rdma link"
		rdma link show 2>&1
	} >"$BLK_OUT/unplug-blocked.txt"
	note "FAIL: rdma link delete $RXE_DEV still blocked after ${UNPLUG_WAIT}s ($(awk -v p="$del_pid" '$1 == p { print $2, $3 }' "$BLK_OUT/unplug-blocked.txt")); srpt-ramdisk holds $(ib_fds) open file(s) in /dev/infiniband"
	ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM after the unplug"
	note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
	if wait_until 30 _gone_pid $del_pid; then
		note "the device removal completed once srpt-ramdisk had exited"
	else
		note "the device removal is still blocked after srpt-ramdisk exited"
	fi
	blk_fail "srpt-ramdisk kept $RXE_DEV's verbs resources after the device removal event: the kernel could not finish removing the device while it ran"
fi
wait $del_pid || blk_fail "rdma link delete failed: $(cat "$BLK_OUT/link-delete.txt")"
note "rdma link delete $RXE_DEV: done in ${dt}s while srpt-ramdisk kept running"

# --- the device comes back ---------------------------------------------------
rdma link add "$RXE_DEV" type rxe netdev "$RXE_NETDEV" ||
	blk_fail "rdma link add $RXE_DEV failed"
wait_until 20 grep -q ACTIVE "/sys/class/infiniband/$RXE_DEV/ports/1/state" ||
	blk_fail "$RXE_DEV did not come back ACTIVE"
wait_until 20 _rxe_has_ipv4_gid || blk_fail "no IPv4 GID on the new $RXE_DEV"
wait_until 20 _blk_have_add_target || blk_fail "ib_srp did not come back on $RXE_DEV"
sleep 2
if SRP_LOGIN_TIMEOUT=20 blk_login "$GID_PREFIX" 2>"$BLK_OUT/relogin.err"; then
	srp_wait_disks 1 30 >/dev/null || {
		ls -l /dev/sd* /sys/class/scsi_host/host*/device/target*/*/block >&2 2>&1
		blk_fail "logged in again, but no LUN"
	}
	dev=${SRP_DISKS[0]}
	dd if=/dev/urandom of=/tmp/pat bs=1M count=4 status=none
	dd if=/tmp/pat of="$dev" bs=1M count=4 oflag=direct status=none ||
		blk_fail "write after the re-add failed"
	dd if="$dev" of=/tmp/back bs=1M count=4 iflag=direct status=none ||
		blk_fail "read after the re-add failed"
	cmp -s /tmp/pat /tmp/back || blk_fail "read-back after the re-add differs"
	note "after rdma link add: srpt-ramdisk serves again (login, 4 MiB round trip ok)"
	srp_logout_all || blk_fail "logout failed"
else
	grep -qi "no longer listening\|stopped listening\|not listening" "$RAMDISK_LOG" ||
		blk_fail "after rdma link add: no login, and the target log does not say it stopped listening"
	note "after rdma link add: no login possible; the target log says it stopped listening"
fi

blk_target_alive
ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM"
note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
blk_save_dmesg
note "PASS ($(blk_elapsed) s)"
