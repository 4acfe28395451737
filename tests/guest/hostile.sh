#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: srp-hostile (tests/hostile) against srpt-ramdisk (this
# tree's build) over soft-RoCE, while the kernel SRP initiator runs fio
# --verify on LUN 0 for the whole time.
# Usage: hostile.sh BUILD_DIR [RSS_BUILD_DIR]
#
# 1. srpt-ramdisk from BUILD_DIR (the ASan build in CI) with 2 LUNs; the
#    kernel initiator logs in and runs random write + verify at qd 16 on
#    LUN 0 until the end.
# 2. srp-hostile runs every case against it (its data cases use LUN 1),
#    then a storm of rejected logins and one of accepted-and-dropped
#    logins (every login must get its answer), then a fresh login with
#    I/O.
# 3. Memory: a second srpt-ramdisk (from RSS_BUILD_DIR, default BUILD_DIR;
#    under ASan with the quarantine off) takes a warm-up storm and then
#    two measured windows of logins; its VmRSS, read while idle before
#    and after each window, must grow by less than HOSTILE_RSS_LIMIT_KB
#    in at least one of them. Two windows because ASan's allocator grows
#    its regions by a few MB now and then, once: a leak shows in both
#    windows, such a step in one. A build without sanitizers shows
#    neither (RSS_BUILD_DIR=build-ci, say).
# 4. fio must end with no verify error; both srpt-ramdisks must exit 0 on
#    SIGTERM without a sanitizer report.
#
# Environment (all optional):
#   HOSTILE_BIN            srp-hostile to run (default BUILD/tests/hostile/srp-hostile)
#   HOSTILE_CASES          space-separated case patterns (default: every case)
#   HOSTILE_STORM_REJECTS  rejected logins in step 2 (default 10000;
#                          100000 for a run by hand)
#   HOSTILE_STORM_DROPS    accepted-and-dropped logins in step 2 (default
#                          10000)
#   HOSTILE_RSS_LOGINS     step 3: a window is this many rejected logins
#                          and half as many dropped ones; the warm-up
#                          twice that (default 500)
#   HOSTILE_RSS_LIMIT_KB   allowed VmRSS growth in a window (default 1024)
#   HOSTILE_NO_FIO=1       leave the kernel initiator and fio out (quick runs)
#
# Under TCG one rejected login took 4-40 ms and a dropped one 14-85 ms,
# depending on how busy the host is: on a quiet host the defaults keep the
# storms near 6 minutes and the whole run near 8. By hand, 100000 rejected
# logins on the build without sanitizers (README, "Login storms"):
#   HOSTILE_STORM_REJECTS=100000 HOSTILE_NO_FIO=1 HOSTILE_TIMEOUT=10800 \
#   tests/guest/run-hostile-tests.sh build-ci build-ci
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"

BUILD=${1:?usage: hostile.sh BUILD_DIR [RSS_BUILD_DIR]}
RSS_BUILD=${2:-$BUILD}
PORT=5555
RSS_PORT=5556
LUNS=2
SIZE_MB=32
HOSTILE=${HOSTILE_BIN:-$BUILD/tests/hostile/srp-hostile}
REJECTS=${HOSTILE_STORM_REJECTS:-10000}
DROPS=${HOSTILE_STORM_DROPS:-10000}
RSS_LOGINS=${HOSTILE_RSS_LOGINS:-500}
RSS_LIMIT_KB=${HOSTILE_RSS_LIMIT_KB:-1024}
NO_FIO=${HOSTILE_NO_FIO:-0}

out=$(guest_result_dir hostile)
: >"$out/summary.txt"
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}

fio_pid=
cleanup() {
	[ -z "$fio_pid" ] || kill -INT "$fio_pid" 2>/dev/null || true
}
trap cleanup EXIT

secs_since() {
	printf '%s\n' $((($(_now_cs) - $1) / 100))
}

# run NAME PORT ARGS...: srp-hostile against the target on PORT, output
# in $out/NAME.txt and on the console.
run() {
	local name=$1 port=$2 rc=0
	shift 2
	"$HOSTILE" --dest "$GUEST_IP:$port" --id-ext "$RAMDISK_ID_EXT" \
		--ioc-guid "$RAMDISK_GUID" --data-lun 1 "$@" \
		>"$out/$name.txt" 2>"$out/$name.err" || rc=$?
	sed "s/^/srp-hostile: /" "$out/$name.txt"
	return $rc
}

rate() {
	grep -h "logins/s" "$out/$1.txt" || echo "$1: no summary"
}

[ -x "$HOSTILE" ] || die "no $HOSTILE (is 'hostile' in tests/meson.build?)"
guest_rdma_up || die "soft-RoCE setup failed"

# ---- 1. the target under test, the kernel initiator and its fio ----
ramdisk_start "$BUILD" "$out/target.log" --port $PORT --luns $LUNS \
	--size ${SIZE_MB}M || die "srpt-ramdisk did not start"
note "target: $RAMDISK_LINE"

if [ "$NO_FIO" != 1 ]; then
	srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
		die "kernel initiator login failed"
	srp_wait_disks $LUNS 30 >"$out/disks.txt" || die "the LUNs did not appear"
	lun0=$(awk '$3 ~ /:0$/ { print $1 }' "$out/disks.txt")
	[ -b "$lun0" ] || die "no LUN 0 among $(cat "$out/disks.txt")"
	fio --name=bg --filename="$lun0" --rw=randwrite --bs=4k --iodepth=16 \
		--ioengine=libaio --direct=1 --size=$((SIZE_MB / 2))M \
		--verify=crc32c --verify_backlog=64 --verify_fatal=1 \
		--time_based --runtime=3600 --output="$out/fio.txt" \
		>"$out/fio.out" 2>&1 &
	fio_pid=$!
	kmsg_mark "hostile: kernel session up"
	sleep 2
	kill -0 "$fio_pid" 2>/dev/null || die "fio did not start: $(cat "$out/fio.out")"
	note "kernel initiator: fio randwrite qd16 --verify=crc32c on $lun0 running"
fi

# ---- 2. the cases, the storms, still serving ----
case_args=(--all)
if [ -n "${HOSTILE_CASES:-}" ]; then
	case_args=()
	for c in $HOSTILE_CASES; do
		case_args+=(--case "$c")
	done
fi
fails=0
t0=$(_now_cs)
run cases $PORT -v "${case_args[@]}" || fails=1
note "cases: $(tail -n 1 "$out/cases.txt") in $(secs_since "$t0") s"
ramdisk_alive

storm_rss0=$(ramdisk_rss_idle)
if [ "$REJECTS" -gt 0 ]; then
	t0=$(_now_cs)
	run storm-rejects $PORT --storm-rejects "$REJECTS" || fails=1
	note "$(rate storm-rejects) ($(secs_since "$t0") s)"
	ramdisk_alive
fi
if [ "$DROPS" -gt 0 ]; then
	t0=$(_now_cs)
	run storm-drops $PORT --storm-drops "$DROPS" || fails=1
	note "$(rate storm-drops) ($(secs_since "$t0") s)"
	ramdisk_alive
fi
run check-io $PORT --check-io || fails=1
note "after the storms: $(tail -n 1 "$out/check-io.txt")"
# Informational here (a sanitizer build's allocator keeps memory, and the
# kernel session's I/O runs alongside); step 3 is the memory check.
note "target under test: VmRSS $storm_rss0 kB before the storms, $(ramdisk_rss_idle) kB after"

# ---- 3. memory over login storms, on a target of its own ----
rss_fail=0
if [ "$RSS_LOGINS" -gt 0 ]; then
	main_pid=$RAMDISK_PID main_log=$RAMDISK_LOG
	# ASan's quarantine would hold on to freed memory: off for this one.
	ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
		ramdisk_start "$RSS_BUILD" "$out/target-rss.log" --port $RSS_PORT \
		--luns 2 --size 4M || die "the second srpt-ramdisk did not start"
	t0=$(_now_cs)
	run rss-warmup $RSS_PORT --storm-rejects $((2 * RSS_LOGINS)) \
		--storm-drops "$RSS_LOGINS" || fails=1
	note "memory: warm-up of $((2 * RSS_LOGINS)) rejected and $RSS_LOGINS dropped logins in $(secs_since "$t0") s"
	growth=()
	for w in 1 2; do
		r0=$(ramdisk_rss_idle)
		run "rss-window$w" $RSS_PORT --storm-rejects "$RSS_LOGINS" \
			--storm-drops $((RSS_LOGINS / 2)) || fails=1
		r1=$(ramdisk_rss_idle)
		growth+=($((r1 - r0)))
		note "memory: window $w: $RSS_LOGINS rejected, $((RSS_LOGINS / 2)) dropped logins: VmRSS $r0 -> $r1 kB ($((r1 - r0)) kB)"
		ramdisk_alive
	done
	g=${growth[0]}
	[ "${growth[1]}" -ge "$g" ] || g=${growth[1]}
	if [ "$g" -ge "$RSS_LIMIT_KB" ]; then
		note "FAIL: srpt-ramdisk's VmRSS grew by ${growth[0]} and ${growth[1]} kB in the two windows (limit $RSS_LIMIT_KB kB in at least one)"
		rss_fail=1
	fi
	ramdisk_stop || die "the second srpt-ramdisk did not exit 0 on SIGTERM (or left a sanitizer report)"
	RAMDISK_PID=$main_pid RAMDISK_LOG=$main_log
fi

# ---- 4. the kernel's fio, shutdown ----
if [ "$NO_FIO" != 1 ]; then
	kill -0 "$fio_pid" 2>/dev/null || die "fio ended early: $(cat "$out/fio.txt" "$out/fio.out")"
	kill -INT "$fio_pid"
	frc=0
	wait "$fio_pid" || frc=$?
	fio_pid=
	# fio ends with status 128 when stopped by a signal; its report
	# still says whether anything failed.
	[ $frc -ne 128 ] || frc=0
	if [ $frc -ne 0 ] || ! grep -q "err= 0" "$out/fio.txt" ||
	   grep -qi "verify.*\(bad\|fail\)\|crc32c.*wanted" "$out/fio.txt" "$out/fio.out"; then
		cat "$out/fio.txt" "$out/fio.out" >&2
		die "the kernel initiator's fio --verify failed (status $frc)"
	fi
	note "kernel initiator: fio --verify ended with no error ($(sed -n 's/.*write: IOPS=\([^,]*\),.*/\1/p' "$out/fio.txt") write IOPS, $(sed -n 's/.*issued rwts: total=\([0-9]*\),.*/\1/p' "$out/fio.txt") blocks verified)"
	# The hostile traffic must not have touched the kernel's session,
	# but for soft-RoCE's own fast-registration fault (lib.sh).
	dmesg_since "hostile: kernel session up" >"$out/dmesg-session.txt"
	grep . /sys/class/infiniband/"$RXE_DEV"/ports/1/hw_counters/* \
		>"$out/rxe-counters.txt" 2>/dev/null || true
	if grep -E "ib_srp|scsi host|sd [0-9]|I/O error|blk_update" \
		"$out/dmesg-session.txt" |
	   grep -i "reconnect\|error\|fail\|abort\|reset\|timing out\|disconnect" \
		>"$out/dmesg-bad.txt"; then
		cat "$out/dmesg-bad.txt" >&2
		if rxe_fastreg_fault "$out/dmesg-session.txt" "$out/dmesg-bad.txt"; then
			note "kernel initiator: reconnected after soft-RoCE's fast-reg fault (rxe_reg_fast_mr ... not free), not the target's doing; fio unaffected"
		else
			die "the kernel initiator's session was disturbed (see $out/dmesg-session.txt)"
		fi
	else
		note "kernel initiator: session undisturbed (no reconnect, no SCSI error in the kernel log)"
	fi
	for p in /sys/class/srp_remote_ports/port-*; do
		[ "$(cat "$p/state")" = running ] ||
			die "kernel initiator: ${p##*/} is $(cat "$p/state")"
	done
	srp_logout_all || die "kernel initiator logout failed"
fi

ramdisk_stop || die "srpt-ramdisk did not exit 0 on SIGTERM (or left a sanitizer report)"
note "srpt-ramdisk: SIGTERM, exit 0, no sanitizer report"

if [ $fails -ne 0 ] || [ $rss_fail -ne 0 ]; then
	for f in "$out"/*.txt; do
		[ "$f" = "$out/summary.txt" ] || grep -h "^FAIL" "$f" || true
	done >"$out/failures.list"
	cat "$out/failures.list" >>"$out/summary.txt"
	note "FAIL"
	exit 1
fi
note "PASS"
