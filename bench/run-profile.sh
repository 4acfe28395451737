#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Where an I/O's time goes: builds srpt-ramdisk (release), boots the
# soft-RoCE guest and runs bench/guest/profile.sh against LIO ib_srpt and
# srpt-ramdisk; prints a Markdown profile, also saved as
# build-bench-out/profile-<date>.md. About 3 minutes. See bench/README.md.
#
# usage: bench/run-profile.sh [--build DIR] [--no-build]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/.." && pwd -P)
"$REPO/scripts/install-deps.sh" --guest

build=$REPO/build-bench
do_build=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift 2 ;;
	--build=*) build=${1#*=}; shift ;;
	--no-build) do_build=0; shift ;;
	*) sed -n '9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

if [ $do_build = 1 ]; then
	[ -f "$build/build.ninja" ] || meson setup "$build" -Dbuildtype=release >/dev/null
	ninja -C "$build" examples/srpt-ramdisk/srpt-ramdisk >/dev/null
fi
build=$(cd "$build" && pwd -P)

export GUEST_OUT=${BENCH_OUT:-$REPO/build-bench-out}
mkdir -p "$GUEST_OUT"
GUEST_OUT=$(cd "$GUEST_OUT" && pwd -P)
rm -rf "$GUEST_OUT/profile"
export GUEST_PASS_ENV="${GUEST_PASS_ENV:-} PROFILE_RUNTIME PROFILE_OURS_ARGS"
loadavg=$(cut -d ' ' -f 1-3 /proc/loadavg)
rc=0
"$REPO/tests/guest/boot.sh" --timeout 900 --log "$GUEST_OUT/console-profile.log" \
	"$here/guest/profile.sh" "$build" || rc=$?
tsv=$GUEST_OUT/profile/profile.tsv
[ -s "$tsv" ] || { echo "run-profile.sh: no profile (guest status $rc)" >&2; exit 1; }

stamp=$(date +%Y%m%d-%H%M%S)
md=$GUEST_OUT/profile-$stamp.md
{
	echo "# Profile: LIO ib_srpt and srpt-ramdisk over soft-RoCE ($(date '+%Y-%m-%d %H:%M:%S %Z'))"
	echo
	echo "- Host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, load average at start $loadavg"
	echo "- Guest: qemu TCG, 2 vCPUs, kernel $(cat "$GUEST_OUT/profile/kernel" 2>/dev/null || echo unknown); build $build; ${PROFILE_RUNTIME:-5} s per fio job; srpt-ramdisk options: ${PROFILE_OURS_ARGS:-none}"
	echo
	"$here/guest/profile-report.sh" "$tsv"
} >"$md"
cat "$md"
echo "run-profile.sh: saved $md (raw: $GUEST_OUT/profile)" >&2
exit $rc
