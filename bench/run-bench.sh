#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# The benchmark in one command: builds srpt-ramdisk and srpt-blockdev in a
# release tree, boots the soft-RoCE guest (tests/guest/boot.sh), measures
# the verbs ceiling, LIO ib_srpt and srpt-ramdisk, then LIO's iblock and
# fileio backstores against srpt-blockdev on the same brd device and tmpfs
# file, in alternating rounds, and prints one table
# (also saved as build-bench-out/results-<date>.md). With --rbd instead:
# srpt-blockdev on a Ceph RBD image against LIO iblock on the kernel RBD
# client, and the takeover time after a kill (results-rbd-<date>.md,
# 14-20 min on a loaded host). See bench/README.md.
#
# usage: bench/run-bench.sh [--quick | --rbd] [--rounds N] [--build DIR]
#                           [--no-build] [--smp N] [--verbose]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/.." && pwd -P)
# Everything the guest, LIO, perftest and the report need (jq too).
"$REPO/scripts/install-deps.sh" --guest

quick=0
rbd=0
rounds=
build=$REPO/build-bench
do_build=1
smp=2
verbose=0

usage() {
	sed -n '14,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--rbd) rbd=1; shift ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--rounds=*) rounds=${1#*=}; shift ;;
	--build) build=${2:?}; shift 2 ;;
	--build=*) build=${1#*=}; shift ;;
	--no-build) do_build=0; shift ;;
	--smp) smp=${2:?}; shift 2 ;;
	--smp=*) smp=${1#*=}; shift ;;
	-v|--verbose) verbose=1; shift ;;
	-h|--help) usage ;;
	*) echo "run-bench.sh: unknown argument $1" >&2; usage ;;
	esac
done
case ${rounds:-1}$smp in *[!0-9]*) echo "run-bench.sh: numeric value expected" >&2; exit 2 ;; esac

# Run-time budget on a 2-CPU host: the default run about 25 min, --quick
# about 10 (12 and 5 with BENCH_BD=0), --rbd 14-20 at load 12-14; the
# guest timeout leaves room for a loaded host.
[ $quick = 0 ] || [ $rbd = 0 ] || { echo "run-bench.sh: --quick or --rbd, not both" >&2; exit 2; }
guest_script=$here/guest/bench.sh
prefix=results
if [ $rbd = 1 ]; then
	export BENCH_ROUNDS=${rounds:-3} BENCH_RUNTIME=${BENCH_RUNTIME:-10}
	export BENCH_RBD_MB=${BENCH_RBD_MB:-64} BENCH_RBD_KILLS=${BENCH_RBD_KILLS:-3}
	export BENCH_RBD_KILL_SECS=${BENCH_RBD_KILL_SECS:-20}
	export BENCH_RBD_JOBS=${BENCH_RBD_JOBS:-rr4k_qd32 rw4k_qd32}
	guest_script=$here/guest/bench-rbd.sh
	prefix=results-rbd
	mode=rbd
	tmo=$((600 + BENCH_ROUNDS * 300))
elif [ $quick = 1 ]; then
	export BENCH_ROUNDS=${rounds:-1} BENCH_RUNTIME=3 BENCH_PT_SECS=2
	export BENCH_IDLE_SECS=10 BENCH_CYCLES=3 BENCH_GRID_RUNTIME=2
	export BENCH_GRID_CH="1 16" BENCH_GRID_QD="1 32"
	mode=quick
	tmo=1500
else
	export BENCH_ROUNDS=${rounds:-2} BENCH_RUNTIME=8 BENCH_PT_SECS=3
	export BENCH_IDLE_SECS=10 BENCH_CYCLES=3 BENCH_GRID_RUNTIME=4
	export BENCH_GRID_CH="1 4 16" BENCH_GRID_QD="1 8 32 128"
	mode=full
	tmo=$((900 + BENCH_ROUNDS * 900))
fi
[ "$BENCH_ROUNDS" -ge 1 ] || { echo "run-bench.sh: --rounds must be >= 1" >&2; exit 2; }
export BENCH_SIZE_MB=${BENCH_SIZE_MB:-128} BENCH_SEQ_QD=${BENCH_SEQ_QD:-8}
# The backend pairs (LIO iblock/fileio against srpt-blockdev): on unless
# BENCH_BD=0; --quick runs them with its shorter jobs and no 1 MiB write.
export BENCH_BD=${BENCH_BD:-1}
if [ $quick = 1 ]; then
	export BENCH_BD_JOBS=${BENCH_BD_JOBS:-rr4k_qd1 rw4k_qd1 rr4k_qd32 rw4k_qd32 sr1m}
else
	export BENCH_BD_JOBS=${BENCH_BD_JOBS:-rr4k_qd1 rw4k_qd1 rr4k_qd32 rw4k_qd32 sr1m sw1m}
fi

start=$(date +%s)

# --- build: release, not sanitized ------------------------------------------
if [ $do_build = 1 ]; then
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" -Dbuildtype=release >/dev/null
	fi
	# -j2: the host is small and usually shared.
	ninja -j2 -C "$build" examples/srpt-ramdisk/srpt-ramdisk \
		examples/srpt-blockdev/srpt-blockdev >/dev/null
fi
build=$(cd "$build" && pwd -P)
for prog in srpt-ramdisk srpt-blockdev; do
	[ -x "$build/examples/$prog/$prog" ] ||
		{ echo "run-bench.sh: no $prog in $build (srpt-blockdev needs liburing)" >&2; exit 1; }
done
buildinfo=$(meson introspect "$build" --buildoptions 2>/dev/null |
	jq -r 'map({(.name): .value}) | add |
		"buildtype=\(.buildtype), b_sanitize=\(.b_sanitize), optimization=\(.optimization)"' \
	2>/dev/null || echo unknown)
case $buildinfo in
*b_sanitize=none*) ;;
*) echo "run-bench.sh: warning: $build is not a plain release build ($buildinfo)" >&2 ;;
esac

# --- guest run -------------------------------------------------------------
export GUEST_OUT=${BENCH_OUT:-$REPO/build-bench-out}
mkdir -p "$GUEST_OUT"
GUEST_OUT=$(cd "$GUEST_OUT" && pwd -P)
rm -rf "$GUEST_OUT/run"
export GUEST_PASS_ENV="${GUEST_PASS_ENV:-} BENCH_ROUNDS BENCH_RUNTIME BENCH_PT_SECS BENCH_IDLE_SECS BENCH_CYCLES BENCH_GRID_RUNTIME BENCH_GRID_CH BENCH_GRID_QD BENCH_SIZE_MB BENCH_SEQ_QD BENCH_OURS_ARGS BENCH_BD BENCH_BD_JOBS BENCH_BD_POOL BENCH_RBD_MB BENCH_RBD_KILLS BENCH_RBD_KILL_SECS BENCH_RBD_JOBS"
console=$GUEST_OUT/console-bench.log
loadavg=$(cut -d ' ' -f 1-3 /proc/loadavg)

echo "run-bench.sh: $mode run, $BENCH_ROUNDS round(s), build $build; console $console" >&2
: >"$console"
# Progress: the guest's "bench:" lines as they come.
tail -n +1 -F "$console" 2>/dev/null | grep --line-buffered -E 'bench: |FAIL' >&2 &
tailpid=$!
trap 'kill "$tailpid" 2>/dev/null || true' EXIT
rc=0
if [ $verbose = 1 ]; then
	GUEST_VERBOSE=1 "$REPO/tests/guest/boot.sh" --timeout "$tmo" --smp "$smp" \
		--log "$console" "$guest_script" "$build" || rc=$?
else
	"$REPO/tests/guest/boot.sh" --timeout "$tmo" --smp "$smp" \
		--log "$console" "$guest_script" "$build" || rc=$?
fi
sleep 0.5
kill "$tailpid" 2>/dev/null || true

res=$GUEST_OUT/run/results.tsv
if [ ! -s "$res" ]; then
	echo "run-bench.sh: no results (guest status $rc)" >&2
	exit 1
fi
[ $rc = 0 ] || echo "run-bench.sh: the guest script failed (status $rc); the table below is partial" >&2

# --- the table ---------------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
{
	printf '0\thost\tdate\t%s\n' "$(date '+%Y-%m-%d %H:%M:%S %Z')"
	printf '0\thost\tnproc\t%s\n' "$(nproc)"
	printf '0\thost\tcpu_model\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	printf '0\thost\tkernel\t%s\n' "$(uname -r)"
	printf '0\thost\tloadavg\t%s\n' "$loadavg"
	printf '0\thost\tbuild\t%s (%s)\n' "$build" "$buildinfo"
	printf '0\thost\tmode\t%s\n' "$mode"
	printf '0\thost\twall_s\t%s\n' "$(($(date +%s) - start))"
} >>"$res"
md=$GUEST_OUT/$prefix-$stamp.md
"$here/guest/report.sh" "$res" >"$md"
cp "$res" "$GUEST_OUT/$prefix-$stamp.tsv"
cat "$md"
echo >&2
echo "run-bench.sh: saved $md (raw figures: $GUEST_OUT/$prefix-$stamp.tsv, fio/perftest output: $GUEST_OUT/run/raw)" >&2
exit $rc
