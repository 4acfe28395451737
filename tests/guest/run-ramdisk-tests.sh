#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: boot the soft-RoCE guest and run the srpt-ramdisk scenarios
# against the build in BUILD_DIR (default build-asan). Exit status is the
# guest's; a failure prints the guest console and the target's log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/../.." && pwd -P)
build=$(cd "${1:-$REPO/build-asan}" && pwd -P)
out=${GUEST_OUT:-$REPO/build-guest-out}
mkdir -p "$out"

rc=0
rm -rf "$out/ramdisk-basic" "$out/blockdev-basic" "$out/blockdev-rbd"
GUEST_PASS_ENV="${GUEST_PASS_ENV:-} FIO_RUNTIME RAMDISK_CHANNELS HOSTILE_BIN" \
	"$here/boot.sh" --timeout 780 "$here/ramdisk-basic.sh" "$build" || rc=$?
for s in ramdisk-basic blockdev-basic blockdev-rbd; do
	if [ -f "$out/$s/summary.txt" ]; then
		sed "s/^/$s: /" "$out/$s/summary.txt"
	fi
done
if [ $rc -ne 0 ]; then
	for f in "$out"/ramdisk-basic/target*.log "$out"/blockdev-basic/target*.log \
		"$out"/blockdev-rbd/target*.log "$out"/blockdev-rbd/cluster.err; do
		[ -f "$f" ] || continue
		echo "---- $f (last 60 lines)"
		tail -n 60 "$f"
	done
fi
exit $rc
