#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# What srpt-blockdev says to a user who gets something wrong, before any
# RDMA device is needed: each case must exit with the status the man page
# names and print a line that says what is wrong.
# usage: cli-errors.sh SRPT_BLOCKDEV
set -u
bin=${1:?usage: cli-errors.sh SRPT_BLOCKDEV}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# shellcheck source-path=SCRIPTDIR source=expect.sh
. "$(dirname "$0")/expect.sh"

truncate -s 1M "$tmp/a.img"
truncate -s 1000 "$tmp/odd.img"
mkdir "$tmp/dir"
ln -s "$tmp/a.img" "$tmp/link.img"

expect 2 "no LUN"
expect 2 "neither 512 nor 4096" --block-size 1024 "$tmp/a.img"
expect 2 "need --alua-group" --alua-state standby "$tmp/a.img"
expect 2 "none of active" --alua-group 1 --alua-state sleepy "$tmp/a.img"
# --rbd-lock: one read-write rbd: LUN in a port group of its own, the
# state the lock's.
expect 2 "needs --alua-group" --rbd-lock rbd:rbd/img
expect 2 "exactly one LUN, an rbd:POOL/IMAGE (1 LUN(s) given, not an RBD image)" \
	--alua-group 1 --rbd-lock "$tmp/a.img"
expect 2 "exactly one LUN, an rbd:POOL/IMAGE (2 LUN(s) given)" \
	--alua-group 1 --rbd-lock rbd:rbd/a rbd:rbd/b
expect 2 "the image's lock decides the state" \
	--alua-group 1 --alua-state standby --rbd-lock rbd:rbd/img
expect 2 "a read-only LUN takes no lock" --alua-group 1 --rbd-lock rbd:rbd/img,ro
expect 2 "needs --rbd-lock" --alua-group 1 --rbd-stale 5 rbd:rbd/img
expect 2 "from 2 to 60" --alua-group 1 --rbd-lock --rbd-stale 1 rbd:rbd/img
expect 2 "is not a size" --pool 4K "$tmp/a.img"
expect 2 "busy-poll" --busy-poll "$tmp/a.img"
expect 2 "is not a port number" --port 0 "$tmp/a.img"
expect 2 "'name=' is not a LUN option" "$tmp/a.img,name="
expect 2 "'fast' is not a LUN option" "$tmp/a.img,ro,fast"
# A comma that starts no option is part of the path.
expect 1 "a.img,fast: No such file" "$tmp/a.img,fast"
expect 1 "No such file" "$tmp/missing.img"
expect 1 "not a non-zero multiple of the block size" "$tmp/odd.img"
expect 1 "LUN 0:" "$tmp/dir"
# The same data twice, by another path: one disk to an initiator.
expect 1 "holds the same data as LUN 0" "$tmp/a.img" "$tmp/link.img"
# A 1 MiB file cannot have 4096-byte blocks past its end: fine; but a
# 1000-byte one cannot have them at all.
expect 1 "LUN 0:" --block-size 4096 "$tmp/odd.img"
expect 0 "Usage: srpt-blockdev" --help
# RBD images: the Ceph options are for them only; a cluster that cannot
# be read stops the start (built without librbd: it says so).
expect 2 "conf= and id= are for RBD images" "$tmp/a.img,id=admin"
expect 2 "--ceph-id: empty" --ceph-id "" "$tmp/a.img"
expect 1 "LUN 0: .*\(missing.conf\|built without librbd\)" \
	--ceph-conf "$tmp/missing.conf" rbd:rbd/img

# The configuration file and the control socket (with json-c).
if "$bin" --config /dev/null 2>&1 | grep -q "not available"; then
	echo "skip: built without json-c"
	expect 2 "not available" --control "$tmp/c.sock" "$tmp/a.img"
else
	printf '{ "luns": [ { "path": 3 } ] }\n' >"$tmp/bad.json"
	expect 2 "bad.json: luns\[0\].path: not a string" --config "$tmp/bad.json"
	printf '{\n  "luns": [ ]\n  "pool": "1M"\n}\n' >"$tmp/syntax.json"
	expect 2 "syntax.json:3:3: " --config "$tmp/syntax.json"
	expect 2 "missing.json: No such file" --config "$tmp/missing.json"
	# A bad file stops the start even with LUNs on the command line.
	expect 2 "luns\[0\].path" -c "$tmp/bad.json" "$tmp/a.img"
	printf '{ "luns": [ { "path": "%s" } ], "alua": { "state": "standby" } }\n' "$tmp/a.img" >"$tmp/alua.json"
	expect 2 "alua: no \"group\"" --config "$tmp/alua.json"
	printf '{ "luns": [ { "path": "%s" } ], "alua": { "group": 1, "rbd_lock": true } }\n' "$tmp/a.img" >"$tmp/lock.json"
	expect 2 "--rbd-lock: serve exactly one LUN, an rbd:POOL/IMAGE" --config "$tmp/lock.json"
	expect 1 "control socket $tmp/none/c.sock" --control "$tmp/none/c.sock" "$tmp/a.img"
	touch "$tmp/plain"
	expect 1 "$tmp/plain: exists and is not a socket" --control "$tmp/plain" "$tmp/a.img"
fi

[ $fails -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
