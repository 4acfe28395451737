#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Soak test, run by hand (not part of scripts/test.sh): builds
# srpt-ramdisk and srp-hostile without sanitizers (build-soak,
# debugoptimized, so that VmRSS is the target's own), boots the soft-RoCE
# guest and runs tests/guest/soak.sh: an hour of fio --verify through the
# kernel initiator, a second session logging out and in with verified
# I/O, srp-hostile batches every few minutes, and srpt-ramdisk's VmRSS
# and open descriptors sampled every minute. Prints the samples (CSV) and
# the summary; exits non-zero if the soak failed.
#
# Environment: SOAK_MINUTES (default 60) and the other SOAK_* variables
# of tests/guest/soak.sh; SOAK_BUILD (default build-soak); GUEST_OUT
# (results, default build-guest-out; the soak's are in its soak/).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$src"
build=${SOAK_BUILD:-$src/build-soak}
minutes=${SOAK_MINUTES:-60}
out=${GUEST_OUT:-$src/build-guest-out}

scripts/install-deps.sh --guest
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson configure "$build" -Dbuildtype=debugoptimized -Db_sanitize=none
ninja -C "$build"
build=$(cd "$build" && pwd -P)

mkdir -p "$out"
rm -rf "$out/soak"
echo "soak: $minutes minutes against $build (console: $out/console-soak.log)"
rc=0
SOAK_MINUTES=$minutes GUEST_PASS_ENV="${GUEST_PASS_ENV:-} SOAK_MINUTES SOAK_WARMUP SOAK_RSS_LIMIT_KB SOAK_HOSTILE_EVERY SOAK_HOSTILE_CASES SOAK_STORM_REJECTS SOAK_STORM_DROPS SOAK_LOOP_PAUSE" \
	tests/guest/boot.sh --timeout $(((minutes + 15) * 60)) \
	tests/guest/soak.sh "$build" || rc=$?

echo "---- $out/soak/samples.csv"
cat "$out/soak/samples.csv" 2>/dev/null || echo "(no samples)"
echo "---- $out/soak/summary.txt"
cat "$out/soak/summary.txt" 2>/dev/null || echo "(no summary)"
if [ $rc -ne 0 ]; then
	echo "---- srpt-ramdisk log (last 40 lines)"
	tail -n 40 "$out/soak/target.log" 2>/dev/null || true
fi
echo "soak: $([ $rc -eq 0 ] && echo PASS || echo "FAIL (status $rc)")"
exit $rc
