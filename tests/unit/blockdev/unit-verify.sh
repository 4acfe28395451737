#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# srpt-blockdev@.service as systemd reads it: "systemd-analyze verify" on
# an instance of the built unit, its ExecStart= pointed at the built
# program (the installed path need not exist here), and the settings
# this project relies on still present.
# Usage: unit-verify.sh BUILT-UNIT BUILT-SRPT-BLOCKDEV
set -euo pipefail

unit=$1
prog=$2
fail() { echo "unit-verify: $*"; exit 1; }

# shellcheck disable=SC2016 # $MAINPID is the unit's, not ours
for want in '^Type=notify$' '^LimitMEMLOCK=infinity$' '^NoNewPrivileges=yes$' \
	'^ProtectSystem=strict$' '^ProtectHome=yes$' '^PrivateTmp=yes$' \
	'^ExecStart=/.*/srpt-blockdev --config /etc/srpt/%i.json --control /run/srpt/%i.sock$' \
	'^ExecReload=/bin/kill -HUP \$MAINPID$' \
	'^RuntimeDirectory=srpt$' '^ReadWritePaths=-/etc/srpt$' \
	'^DevicePolicy=closed$' '^DeviceAllow=char-infiniband_verbs rw$' \
	'^RestrictAddressFamilies=.*AF_IB'; do
	grep -q -- "$want" "$unit" || fail "no line matching $want in $unit"
done

if ! command -v systemd-analyze >/dev/null; then
	echo "unit-verify: SKIP systemd-analyze: no systemd-analyze (apt-get install systemd)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=[^ ]*|ExecStart=$(realpath "$prog")|" "$unit" \
	>"$tmp/srpt-blockdev@ci.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
	"$tmp/srpt-blockdev@ci.service" 2>&1) || {
	echo "$out"
	fail "systemd-analyze verify failed"
}
# verify exits 0 on some complaints it only prints: a line naming our
# unit is one.
if grep -F 'srpt-blockdev@' <<<"$out"; then
	fail "systemd-analyze verify complained"
fi
[ -z "$out" ] || echo "$out"
echo "unit-verify: systemd-analyze verify: ok"
