#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: the blktests-style scenarios (tests/guest/blk-*.sh) against
# srpt-ramdisk, one fresh soft-RoCE guest per scenario.
# usage: run-blk-tests.sh [BUILD_DIR] [SCENARIO...]
#   BUILD_DIR  build of this tree to test (default build-asan)
#   SCENARIO   multipath, large-io, discontig, sg-reset, hot-unplug
#              (default: all, in that order)
# Environment passed to the guest: CHURN_SECS and MIN_CYCLES (multipath,
# 60 and 4), ALUA_SECS and ALUA_MIN_CYCLES (multipath's srpt-blockdev
# failover, 60 and 2), RBD_FAILOVER=0 to leave out the failover through
# an RBD image's lock, RBDFO_SECS and RBDFO_MIN_CYCLES for it,
# RESET_SECS (sg-reset, 30), UNPLUG_WAIT (hot-unplug, 30).
# Prints each scenario's summary and wall time; after a failure, the tail
# of the target's log and of the kernel log. Exits 1 if any scenario
# failed (all of them run regardless).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/../.." && pwd -P)
all=(multipath large-io discontig sg-reset hot-unplug)

build=$REPO/build-asan
if [ $# -gt 0 ] && [ -d "$1" ]; then
	build=$1
	shift
fi
build=$(cd "$build" && pwd -P)
[ -x "$build/examples/srpt-ramdisk/srpt-ramdisk" ] || {
	echo "run-blk-tests: no srpt-ramdisk in $build (build it first)" >&2
	exit 2
}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${all[@]}")
for s in "${scenarios[@]}"; do
	[ -f "$here/blk-$s.sh" ] || {
		echo "run-blk-tests: unknown scenario '$s' (one of: ${all[*]})" >&2
		exit 2
	}
done

out=${GUEST_OUT:-$REPO/build-guest-out}
mkdir -p "$out"

# Guest time limit per scenario, seconds: generous for a loaded 2-CPU
# host under TCG, yet bounded.
limit() {
	case $1 in
	multipath) echo 960 ;;	# with the RBD failover's cluster and minute
	*) echo 360 ;;
	esac
}

results=()
rc=0
for s in "${scenarios[@]}"; do
	name=blk-$s
	rm -rf "${out:?}/$name"
	echo "=== $name"
	t0=$SECONDS
	src=0
	GUEST_PASS_ENV="${GUEST_PASS_ENV:-} CHURN_SECS MIN_CYCLES RESET_SECS UNPLUG_WAIT ALUA_SECS ALUA_MIN_CYCLES RBD_FAILOVER RBDFO_SECS RBDFO_MIN_CYCLES" \
		"$here/boot.sh" --timeout "$(limit "$s")" "$here/$name.sh" \
		"$build" 2>"$out/$name.boot.err" || src=$?
	dt=$((SECONDS - t0))
	if [ -f "$out/$name/summary.txt" ]; then
		sed "s/^/$name: /" "$out/$name/summary.txt"
	fi
	if [ $src -eq 0 ]; then
		results+=("$(printf '%-16s ok      %4d s' "$name" "$dt")")
	else
		rc=1
		results+=("$(printf '%-16s FAILED  %4d s (status %d)' "$name" "$dt" "$src")")
		grep "^boot.sh:" "$out/$name.boot.err" >&2 || true
		if [ -f "$out/$name/target.log" ]; then
			echo "---- $name: srpt-ramdisk log (last 60 lines)"
			tail -n 60 "$out/$name/target.log"
		fi
		if [ -f "$out/$name/dmesg.txt" ]; then
			echo "---- $name: kernel log (last 40 lines)"
			tail -n 40 "$out/$name/dmesg.txt"
		else
			echo "---- $name: console (last 60 lines)"
			tail -n 60 "$out/console-$name.log" 2>/dev/null || true
		fi
	fi
done

echo "=== blk scenarios against $build"
printf '%s\n' "${results[@]}"
exit $rc
