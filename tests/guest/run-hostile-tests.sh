#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: boot the soft-RoCE guest and run srp-hostile (malformed IUs,
# hostile logins, login storms) against srpt-ramdisk from BUILD_DIR
# (default build-asan), with the kernel initiator's fio --verify running
# alongside. RSS_BUILD_DIR (default BUILD_DIR) is the build whose
# srpt-ramdisk the memory check runs on. Exit status is the guest's; a
# failure prints the cases that failed and the target's log. HOSTILE_*
# variables (see hostile.sh) are passed into the guest; HOSTILE_TIMEOUT
# (seconds, default 2400: a loaded 2-CPU host took 15 minutes) bounds the
# guest.
#
# usage: run-hostile-tests.sh [BUILD_DIR [RSS_BUILD_DIR]]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/../.." && pwd -P)
build=$(cd "${1:-$REPO/build-asan}" && pwd -P)
rss_build=$(cd "${2:-$build}" && pwd -P)
out=${GUEST_OUT:-$REPO/build-guest-out}
mkdir -p "$out"

rc=0
rm -rf "$out/hostile"
GUEST_PASS_ENV="${GUEST_PASS_ENV:-} HOSTILE_BIN HOSTILE_CASES HOSTILE_STORM_REJECTS HOSTILE_STORM_DROPS HOSTILE_RSS_LOGINS HOSTILE_RSS_LIMIT_KB HOSTILE_NO_FIO" \
	"$here/boot.sh" --timeout "${HOSTILE_TIMEOUT:-2400}" "$here/hostile.sh" "$build" "$rss_build" || rc=$?
if [ -f "$out/hostile/summary.txt" ]; then
	sed 's/^/hostile: /' "$out/hostile/summary.txt"
fi
if [ $rc -ne 0 ]; then
	if [ -f "$out/hostile/cases.txt" ]; then
		echo "---- srp-hostile failures"
		grep -h -A3 "^FAIL" "$out/hostile/cases.txt" || true
	fi
	for f in "$out"/hostile/target*.log; do
		[ -f "$f" ] || continue
		echo "---- $f (last 60 lines)"
		tail -n 60 "$f"
	done
fi
exit $rc
