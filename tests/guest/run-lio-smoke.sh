#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: boot the guest and run lio-smoke.sh in it. Options are passed
# to boot.sh (e.g. --verbose, --timeout 300). Exit status is the guest's.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/../.." && pwd -P)
out=${GUEST_OUT:-$REPO/build-guest-out}

rm -f "$out/lio-smoke/summary.txt"
rc=0
GUEST_PASS_ENV="${GUEST_PASS_ENV:-} FIO_RUNTIME LIO_PORT" \
	"$here/boot.sh" --timeout 300 "$@" "$here/lio-smoke.sh" || rc=$?
if [ -f "$out/lio-smoke/summary.txt" ]; then
	sed 's/^/lio-smoke: /' "$out/lio-smoke/summary.txt"
fi
exit $rc
