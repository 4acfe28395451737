#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (blktests srp/014 style): fio randwrite --verify against
# srpt-ramdisk while a loop resets the device every second, alternating
# `sg_reset -d` (ib_srp sends an SRP_TSK_MGMT LUN RESET) and `sg_reset -b`
# (ib_srp has no bus reset; the midlayer escalates to a host reset, which
# ib_srp carries out by reconnecting every channel). Checks: every fio pass
# completes with no I/O or verify error, the SCSI device stays running, the
# target logs the task management, srpt-ramdisk exits 0 on SIGTERM.
# Usage: blk-sg-reset.sh BUILD_DIR   (RESET_SECS, default 30)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=blk-lib.sh
. "$here/blk-lib.sh"

BLK_BUILD=${1:?usage: blk-sg-reset.sh BUILD_DIR}
BLK_PORT=5555
RESET_SECS=${RESET_SECS:-30}

blk_init blk-sg-reset
blk_target_start --size 64M

blk_login "$GID_PREFIX" || blk_fail "login failed"
srp_wait_disks 1 30 >/dev/null || blk_fail "the LUN did not appear"
dev=${SRP_DISKS[0]}
note "disk $dev, $(grep -c "login accepted" "$RAMDISK_LOG") channel(s)"

# fio passes until $stop exists; a different seed each pass, so data left
# over from an earlier pass fails the verify.
stop=/tmp/fio-stop
fio_loop() {
	local n=0 rc
	while [ ! -e "$stop" ] || [ $n -eq 0 ]; do
		n=$((n + 1))
		rc=0
		fio --name="reset-$n" --filename="$dev" --rw=randwrite --bs=64k \
			--iodepth=16 --ioengine=libaio --direct=1 --size=32M \
			--verify=crc32c --do_verify=1 --verify_fatal=1 \
			--randseed=$((1000 + n)) \
			>"$BLK_OUT/fio-pass-$n.txt" 2>&1 || rc=$?
		echo "pass $n rc=$rc" >>"$BLK_OUT/fio-passes.txt"
		[ $rc -eq 0 ] || return 1
	done
}

rm -f "$stop"
: >"$BLK_OUT/fio-passes.txt"
fio_loop &
fio_pid=$!
sleep 2

: >"$BLK_OUT/sg-reset.txt"
end=$(($(_now_cs) + RESET_SECS * 100))
i=0
while [ "$(_now_cs)" -lt "$end" ] && kill -0 $fio_pid 2>/dev/null; do
	sleep 1
	if [ $((i % 2)) -eq 0 ]; then opt=-d; else opt=-b; fi
	i=$((i + 1))
	{
		echo "[$(guest_uptime)] sg_reset $opt $dev"
		timeout 120 sg_reset "$opt" "$dev" 2>&1
		echo "rc=$?"
	} >>"$BLK_OUT/sg-reset.txt"
done
touch "$stop"
frc=0
wait $fio_pid || frc=$?
resets_d=$(grep -c "sg_reset -d" "$BLK_OUT/sg-reset.txt" || true)
resets_b=$(grep -c "sg_reset -b" "$BLK_OUT/sg-reset.txt" || true)
failed=$(grep -c "^rc=[^0]" "$BLK_OUT/sg-reset.txt" || true)
passes=$(wc -l <"$BLK_OUT/fio-passes.txt")
[ $frc -eq 0 ] || {
	tail -n 30 "$BLK_OUT/fio-pass-$passes.txt" >&2
	blk_fail "fio failed during the resets: $(tail -n 1 "$BLK_OUT/fio-passes.txt")"
}
for f in "$BLK_OUT"/fio-pass-*.txt; do
	grep -q "err= 0" "$f" || blk_fail "$(basename "$f"): fio reported an error"
done
blk_disk_ok "$dev" || blk_fail "$dev is no longer running after the resets"
blk_target_alive
lun_resets=$(grep -c "LUN RESET\|LUN_RESET" "$RAMDISK_LOG" || true)
logins=$(grep -c "login accepted" "$RAMDISK_LOG" || true)
note "$resets_d device resets + $resets_b bus resets in ${RESET_SECS}s ($failed reported failure), $passes fio pass(es) of 32 MiB randwrite+verify: no error"
reconnects=$(dmesg | grep -c "ib_srp: reconnect succeeded" || true)
note "target log: $lun_resets LUN RESET(s), $logins channel login(s) in all; ib_srp: $reconnects reconnect(s) after host resets"
! dmesg | grep -q "reconnect attempt failed\|reconnect failed" ||
	blk_fail "ib_srp could not reconnect after a host reset"
# One SRP_TSK_MGMT LUN RESET per `sg_reset -d`.
if [ "$lun_resets" -lt "$resets_d" ] || [ "$lun_resets" -lt 1 ]; then
	blk_fail "the target logged $lun_resets LUN RESET(s) for $resets_d device reset(s)"
fi
[ "$failed" -eq 0 ] || blk_fail "sg_reset reported $failed failure(s)"

# Still usable: a short read/write round trip after the storm.
dd if=/dev/urandom of=/tmp/pat bs=1M count=4 status=none
dd if=/tmp/pat of="$dev" bs=1M count=4 oflag=direct status=none ||
	blk_fail "write after the resets failed"
dd if="$dev" of=/tmp/back bs=1M count=4 iflag=direct status=none ||
	blk_fail "read after the resets failed"
cmp -s /tmp/pat /tmp/back || blk_fail "read-back after the resets differs"
note "4 MiB round trip after the resets: identical"

srp_logout_all || blk_fail "logout failed"
ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM"
note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
blk_save_dmesg
note "PASS ($(blk_elapsed) s)"
