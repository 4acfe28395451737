#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (blktests srp/002 and srp/011 style): dm-multipath over two
# I_T nexuses to srpt-ramdisk (two ib_srp logins with different
# initiator_ext). multipathd (with udev) must build one map per LUN from
# the VPD 0x83 designators, both paths of a LUN showing the same WWID.
# Then fio randwrite --verify=crc32c (qd 16, direct, libaio) runs on every
# map while a loop logs one path out and back in, alternating between the
# two, for CHURN_SECS (default 60) and at least MIN_CYCLES (default 4)
# cycles, so that each path goes and comes back twice. Checks: no I/O or verify error, every
# cycle's path comes back into its map, at the end both paths of every
# map are active, srpt-ramdisk exits 0 on SIGTERM. Then the ALUA failover
# of srpt-blockdev (blockdev-alua.sh), failover between two srpt-blockdev
# processes on one RBD image through the image's lock
# (blockdev-rbd-failover.sh) and srpt-blockdev run as a service from its
# configuration files and steered by srptctl (service.sh), in the same
# guest.
# Usage: blk-multipath.sh BUILD_DIR
# Needs multipath-tools and udev.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=blk-lib.sh
. "$here/blk-lib.sh"

BLK_BUILD=${1:?usage: blk-multipath.sh BUILD_DIR}
BLK_PORT=5555
CHURN_SECS=${CHURN_SECS:-60}
MIN_CYCLES=${MIN_CYCLES:-4}
LUNS=2
SIZE_MB=32
FIO_MB=8
EXT_A=${GID_PREFIX:-}	# set after blk_init
EXT_B=fe800000000000b2

for tool in multipathd multipath udevadm /lib/systemd/systemd-udevd \
		/lib/udev/scsi_id; do
	command -v "$tool" >/dev/null ||
		{ echo "blk-multipath: $tool not found (install multipath-tools, udev)" >&2; exit 1; }
done

blk_init blk-multipath
EXT_A=$GID_PREFIX

# --- udev, dm-multipath, multipathd ---------------------------------------
blk_multipathd_start
mpd_pid=$BLK_MPD_PID

cleanup() {
	[ -z "${fio_pid:-}" ] || kill "$fio_pid" 2>/dev/null
	kill "$mpd_pid" 2>/dev/null
	udevadm control --exit 2>/dev/null
}
trap cleanup EXIT

# --- two nexuses ------------------------------------------------------------
blk_target_start --luns $LUNS --size ${SIZE_MB}M
blk_login "$EXT_A" || blk_fail "login A failed"
port_a=$SRP_LAST_PORT
blk_login "$EXT_B" || blk_fail "login B failed"
port_b=$SRP_LAST_PORT
if [ -z "$port_a" ] || [ -z "$port_b" ] || [ "$port_a" = "$port_b" ]; then
	blk_fail "two logins did not make two remote ports ($port_a, $port_b)"
fi
srp_wait_disks $((2 * LUNS)) 30 >"$BLK_OUT/disks.txt" ||
	blk_fail "expected $((2 * LUNS)) SCSI disks"
grep -q "port id ${EXT_B}" "$RAMDISK_LOG" ||
	blk_fail "the target did not see initiator_ext $EXT_B"
note "two nexuses: ${port_a##*/} (initiator_ext $EXT_A), ${port_b##*/} (initiator_ext $EXT_B)"

# Every path's WWID as udev computes it: the same for both paths of a LUN,
# different between LUNs.
while read -r d p hctl; do
	printf '%s %s %s %s\n' "$(/lib/udev/scsi_id -g -u -d "$d")" "$d" "$p" "$hctl"
done <"$BLK_OUT/disks.txt" | sort >"$BLK_OUT/wwids.txt"
nwwid=$(awk '{ print $1 }' "$BLK_OUT/wwids.txt" | sort -u | grep -c . || true)
[ "$nwwid" -eq $LUNS ] || {
	cat "$BLK_OUT/wwids.txt" >&2
	blk_fail "expected $LUNS distinct WWIDs over $((2 * LUNS)) paths, got $nwwid"
}
awk '{ n[$1]++ } END { for (w in n) if (n[w] != 2) exit 1 }' "$BLK_OUT/wwids.txt" ||
	blk_fail "a WWID is not seen on exactly two paths: $(cat "$BLK_OUT/wwids.txt")"

# "%w %N %t": map WWID, number of paths, dm state, one line per map;
# "%d %w %t %T": path device, WWID, dm path state, checker state.
maps() { multipathd show maps raw format "%n %w %N %t" 2>/dev/null; }
paths() { multipathd show paths raw format "%d %w %t %T" 2>/dev/null; }
# All maps complete: LUNS maps of 2 paths, and the active, ready paths are
# exactly the SCSI disks behind the remote ports that exist now (not a
# stale view of a path that was just logged out).
_all_paths_up() {
	local want have
	[ "$(maps | awk '$3 == 2' | wc -l)" -eq $LUNS ] || return 1
	want=$(srp_list_disks | awk '{ sub("/dev/", "", $1); print $1 }' | sort)
	have=$(paths | awk '$3 == "active" && $4 == "ready" { print $1 }' | sort)
	[ "$(printf '%s\n' "$want" | grep -c .)" -eq $((2 * LUNS)) ] &&
		[ "$want" = "$have" ]
}
_one_path_each() {
	[ "$(paths | awk '$3 == "active" && $4 == "ready"' | wc -l)" -eq $LUNS ]
}
wait_until 60 _all_paths_up || {
	maps >&2; paths >&2; multipath -ll >&2
	blk_fail "multipathd did not build $LUNS maps of 2 active paths"
}
multipath -ll >"$BLK_OUT/multipath-ll-start.txt" 2>&1
multipathd show wildcards >"$BLK_OUT/wildcards.txt" 2>&1
maps | sort -k2 >"$BLK_OUT/maps.txt"
# The maps' WWIDs are the paths' WWIDs.
[ "$(awk '{ print $2 }' "$BLK_OUT/maps.txt")" = "$(awk '{ print $1 }' "$BLK_OUT/wwids.txt" | sort -u)" ] ||
	blk_fail "map WWIDs differ from the path WWIDs"
mapfile -t mapdevs < <(awk '{ print "/dev/mapper/" $1 }' "$BLK_OUT/maps.txt")
note "multipath: ${#mapdevs[@]} maps, 2 active paths each: $(awk '{ printf "%s%s=%s", s, $1, $2; s = ", " }' "$BLK_OUT/maps.txt")"

# --- fio on the maps while paths come and go -------------------------------
stop=/tmp/fio-stop
fio_loop() {
	local n=0 rc args=() m
	for m in "${mapdevs[@]}"; do
		args+=(--name="mp-${m##*/}" --filename="$m")
	done
	while [ ! -e "$stop" ] || [ $n -eq 0 ]; do
		n=$((n + 1))
		rc=0
		fio --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio \
			--direct=1 --size=${FIO_MB}M --verify=crc32c \
			--do_verify=1 --verify_fatal=1 --randseed=$((2000 + n)) \
			"${args[@]}" >"$BLK_OUT/fio-pass-$n.txt" 2>&1 || rc=$?
		echo "pass $n rc=$rc" >>"$BLK_OUT/fio-passes.txt"
		[ $rc -eq 0 ] || return 1
	done
}
rm -f "$stop"
: >"$BLK_OUT/fio-passes.txt"
fio_loop &
fio_pid=$!
sleep 2

cycles=0
# How long multipathd may take to see a path go or come back: seconds
# on a quiet host, but a loaded one has taken longer than 30 s under
# TCG (a liveness bound, not a timing).
PATH_WAIT=${PATH_WAIT:-90}
t0=$(_now_cs)
end=$((t0 + CHURN_SECS * 100))
# A loaded host makes a cycle slow; give up only at three times the time.
hard_end=$((t0 + 3 * CHURN_SECS * 100))
while [ "$(_now_cs)" -lt "$end" ] || [ $cycles -lt "$MIN_CYCLES" ]; do
	kill -0 $fio_pid 2>/dev/null || break
	[ "$(_now_cs)" -lt "$hard_end" ] ||
		blk_fail "only $cycles logout/login cycles in $((3 * CHURN_SECS))s"
	if [ $((cycles % 2)) -eq 0 ]; then
		port=$port_a ext=$EXT_A
	else
		port=$port_b ext=$EXT_B
	fi
	srp_logout "$port" || blk_fail "cycle $cycles: logout of ${port##*/} failed"
	# multipathd has seen the paths go: one active path per map left.
	wait_until "$PATH_WAIT" _one_path_each || {
		maps >&2; paths >&2
		blk_fail "cycle $cycles: multipathd still shows the logged-out paths after $PATH_WAIT s"
	}
	blk_login "$ext" || blk_fail "cycle $cycles: login with initiator_ext $ext failed"
	if [ $((cycles % 2)) -eq 0 ]; then port_a=$SRP_LAST_PORT; else port_b=$SRP_LAST_PORT; fi
	wait_until "$PATH_WAIT" _all_paths_up || {
		maps >&2; paths >&2
		blk_fail "cycle $cycles: the path did not come back into its map within $PATH_WAIT s"
	}
	cycles=$((cycles + 1))
	blk_target_alive
	sleep 1
done
touch "$stop"
frc=0
wait $fio_pid || frc=$?
fio_pid=
passes=$(wc -l <"$BLK_OUT/fio-passes.txt")
[ $frc -eq 0 ] || {
	tail -n 30 "$BLK_OUT/fio-pass-$passes.txt" >&2
	blk_fail "fio failed while paths came and went: $(tail -n 1 "$BLK_OUT/fio-passes.txt")"
}
for f in "$BLK_OUT"/fio-pass-*.txt; do
	grep -q "err= 0" "$f" || blk_fail "$(basename "$f"): fio reported an error"
done
[ $cycles -ge "$MIN_CYCLES" ] ||
	blk_fail "fio ended after $cycles logout/login cycles"
note "$cycles logout/login cycles in $(( ($(_now_cs) - t0) / 100 ))s, $passes fio pass(es) ($FIO_MB MiB randwrite+verify per map): no I/O or verify error"

wait_until "$PATH_WAIT" _all_paths_up || blk_fail "not every path is active at the end"
multipath -ll >"$BLK_OUT/multipath-ll-end.txt" 2>&1
active=$(grep -c "active ready running" "$BLK_OUT/multipath-ll-end.txt" || true)
[ "$active" -eq $((2 * LUNS)) ] || {
	cat "$BLK_OUT/multipath-ll-end.txt" >&2
	blk_fail "multipath -ll shows $active active paths at the end, expected $((2 * LUNS))"
}
note "end: multipath -ll shows $active paths active ready running"

# --- teardown ---------------------------------------------------------------
blk_target_alive
multipath -F >/dev/null 2>&1 || gwarn "multipath -F failed"
srp_logout_all || blk_fail "final logout failed"
ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM"
note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE; $(grep -c "login accepted" "$RAMDISK_LOG") channel logins in all"

# --- srpt-blockdev: ALUA failover between two processes, same guest -------
# shellcheck source-path=SCRIPTDIR source=blockdev-alua.sh
. "$here/blockdev-alua.sh"

# --- srpt-blockdev on an RBD image: failover through the image's lock ----
# RBD_FAILOVER=0 leaves it out of a hand run (it adds 2.5-3 minutes of
# guest time: a cluster start and a minute of kills).
if [ "${RBD_FAILOVER:-1}" = 1 ]; then
	# shellcheck source-path=SCRIPTDIR source=blockdev-rbd-failover.sh
	. "$here/blockdev-rbd-failover.sh"
else
	note "RBD failover: left out (RBD_FAILOVER=0)"
fi

# --- srpt-blockdev as a service: JSON configuration, srptctl -------------
# shellcheck source-path=SCRIPTDIR source=service.sh
. "$here/service.sh"

blk_save_dmesg
note "PASS ($(blk_elapsed) s)"
