# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# ALUA failover between two srpt-blockdev processes that serve one file:
# A is port group 1, active/optimized; B is port group 2,
# active/non-optimized. Both give the file the same designators, so
# dm-multipath (hardware handler alua, prio alua, group_by_prio) makes
# one map with a path group per process and sends I/O to A. fio
# randwrite --verify runs on the map in passes while A is killed with
# SIGKILL and restarted, again and again for ALUA_SECS (default 60) and
# at least ALUA_MIN_CYCLES (default 2) times: each time I/O moves to B
# and back to A with no error, every pass verifies, and the map ends
# with both paths active. SIGUSR2 then makes B active/optimized, which
# the initiator sees in its path priority. Sourced by blk-multipath.sh
# after its own scenario, in the same guest, with multipathd running and
# $BLK_OUT, note, blk_fail set; alua_run and alua_start are blk-lib.sh's.

# RAMDISK_PID, RAMDISK_LOG: what ramdisk_stop stops.
# shellcheck disable=SC2034
ALUA_SECS=${ALUA_SECS:-60}
ALUA_MIN_CYCLES=${ALUA_MIN_CYCLES:-2}
ALUA_IMG_DIR=/mnt/alua
ALUA_MB=32

mkdir -p "$ALUA_IMG_DIR"
mountpoint -q "$ALUA_IMG_DIR" ||
	mount -t tmpfs -o size=$((ALUA_MB + 8))M tmpfs "$ALUA_IMG_DIR" ||
	blk_fail "cannot mount a tmpfs for the shared file"
alua_img=$ALUA_IMG_DIR/shared.img
truncate -s ${ALUA_MB}M "$alua_img"
A_ARGS=(5561 a1a1a1a1a1a1a1a1 --alua-group 1 "$alua_img")
alua_start A "${A_ARGS[@]}"
alua_start B 5562 b2b2b2b2b2b2b2b2 --alua-group 2 \
	--alua-state non-optimized "$alua_img"
blk_fast_failover "$A_PORT" "$B_PORT"

# One map over the two processes, a path group each: A's priority 50
# (active/optimized), B's 10 (active/non-optimized).
_alua_map() {
	[ "$(alua_paths | awk '$3 == "active" && $4 == "ready" && $5 == 50' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$3 == "active" && $4 == "ready" && $5 == 10' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$5 == 50 || $5 == 10 { print $2 }' | sort -u | wc -l)" -eq 1 ]
}
blk_wait_map _alua_map "an optimized and a non-optimized path"
alua_wwid=$BLK_MAP_WWID alua_map=$BLK_MAP
multipath -ll "$alua_map" >"$BLK_OUT/alua-ll-start.txt" 2>&1
note "ALUA: srpt-blockdev A (port group 1, active/optimized) and B (group 2, non-optimized) serve one file: one map ${alua_map##*/}, paths $(alua_paths | awk '$5 == 50 || $5 == 10 { printf "%s%s prio %s", s, $1, $5; s = ", " }')"

stop=/tmp/alua-fio-stop
rm -f "$stop"
blk_fio_loop "$alua_map" alua 3000 2 "$stop" &
fio_pid=$!
sleep 3
# I/O goes on through B while A is gone; A's path comes back when it does.
_alua_failed_over() {
	alua_paths | awk '$5 == 10 && $3 == "active"' | grep -q . &&
		! alua_paths | awk '$5 == 50 && $3 == "active"' | grep -q .
}
cycles=0
t0=$(_now_cs)
end=$((t0 + ALUA_SECS * 100))
hard_end=$((t0 + 4 * ALUA_SECS * 100))
while [ "$(_now_cs)" -lt "$end" ] || [ $cycles -lt "$ALUA_MIN_CYCLES" ]; do
	kill -0 $fio_pid 2>/dev/null || break
	[ "$(_now_cs)" -lt "$hard_end" ] ||
		blk_fail "only $cycles ALUA kill/restart cycles in $((4 * ALUA_SECS))s"
	kill -9 "$A_PID"
	wait "$A_PID" 2>/dev/null || true
	wait_until 90 _alua_failed_over || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "cycle $cycles: the map did not fail over to B within 90 s of SIGKILL to A"
	}
	sleep 2
	alua_run A "${A_ARGS[@]}"
	wait_until 90 _alua_map || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "cycle $cycles: A's path did not come back active/optimized within 90 s of its restart"
	}
	cycles=$((cycles + 1))
	sleep 2
done
blk_fio_end alua "$fio_pid" "$stop" "across the failovers"
fio_pid=
[ $cycles -ge "$ALUA_MIN_CYCLES" ] || blk_fail "fio ended after $cycles ALUA cycles"
wait_until 60 _alua_map || blk_fail "the map does not end with both paths active"
note "ALUA failover: A killed with SIGKILL and restarted $cycles times in $(( ($(_now_cs) - t0) / 100 ))s under fio randwrite --verify: I/O moved to B and back each time, $(wc -l <"$BLK_OUT/alua-passes.txt") passes, no I/O or verify error; both paths active at the end"

# The survivor becomes active/optimized; the initiator's path priority
# (from REPORT TARGET PORT GROUPS) follows.
RAMDISK_PID=$B_PID RAMDISK_LOG=$B_LOG
kill -USR2 "$B_PID"
wait_until 10 grep -q "now active/optimized" "$B_LOG" || blk_fail "B did not change its ALUA state"
wait_until 60 sh -c "multipathd show paths raw format '%w %t %p' | awk -v w='$alua_wwid' '\$1 == w && \$2 == \"active\" && \$3 == 50' | grep -q ." || {
	alua_paths >&2
	blk_fail "the initiator does not see B as active/optimized after SIGUSR2"
}
dd if="$alua_map" of=/dev/null bs=1M count=8 iflag=direct status=none ||
	blk_fail "read through the map after B's promotion failed"
note "ALUA: SIGUSR2 made B active/optimized; multipathd shows its path at priority 50; I/O goes on"

multipath -f "${alua_map##*/}" >/dev/null 2>&1 || gwarn "multipath -f ${alua_map##*/} failed"
srp_logout_all || blk_fail "logout (ALUA) failed"
ramdisk_stop || blk_fail "srpt-blockdev B did not exit 0 on SIGTERM"
RAMDISK_PID=$A_PID RAMDISK_LOG=$A_LOG
ramdisk_stop || blk_fail "srpt-blockdev A did not exit 0 on SIGTERM"
note "ALUA: A and B SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
