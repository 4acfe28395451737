# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# srpt-blockdev as a service (issue 17): two processes started from JSON
# configuration files (--config), each with its control socket, serve
# one file as ALUA port groups 1 (active/optimized) and 2
# (active/non-optimized); the kernel initiator logs in to both and
# dm-multipath makes one map. Then, through srptctl only:
#   - sessions lists the initiator's channel with non-zero counters after
#     I/O;
#   - lun add serves a new file as LUN 1: the initiator's nexus gets
#     REPORTED LUNS DATA HAS CHANGED (06/3F/0E) once (read with SG_IO,
#     sg_raw, or seen by the kernel, whichever command came first), a
#     host rescan makes the disk appear with the file's size, and it
#     reads back what was written to it;
#   - lun remove takes it away: commands get LOGICAL UNIT NOT SUPPORTED,
#     and once the stale disk is deleted a rescan does not bring it back;
#   - a reload (SIGHUP, then srptctl reload) applies the file's LUN
#     changes without touching the sessions, and refuses a change of
#     the listening port;
#   - alua swaps the two port groups (1 to standby, 2 to active) and back
#     while fio randwrite --verify runs on the map: multipathd follows
#     with the path priorities, the active path group changes, and fio
#     sees no error.
# Sourced by blk-multipath.sh after blockdev-alua.sh, in the same guest
# (multipathd running, $BLK_OUT, $BLK_BUILD, note, blk_fail set).

SVC_DIR=/mnt/alua
SVC_MB=32
SVC_NEW_MB=16
svc_ctl=$BLK_BUILD/tools/srptctl/srptctl
[ -x "$svc_ctl" ] || blk_fail "no srptctl in $BLK_BUILD"

svc_paths() { multipathd show paths raw format "%d %w %t %T %p" 2>/dev/null; }

# svc_conf NAME PORT GUID GROUP STATE: /etc/srpt/NAME.json, control
# socket /run/srpt/NAME.sock.
svc_conf() {
	mkdir -p /etc/srpt /run/srpt
	cat >"/etc/srpt/$1.json" <<EOF
{
  "listen": { "address": "$GUEST_IP", "port": $2 },
  "ioc_guid": "0x$3",
  "luns": [ { "path": "$SVC_DIR/svc.img" } ],
  "pool": "16M",
  "alua": { "group": $4, "state": "$5" },
  "control": "/run/srpt/$1.sock"
}
EOF
}

# svc_start NAME: the process from its file alone; logs in; sets SVC_PID,
# SVC_LOG, SVC_HOST (the SCSI host of its remote port), SVC_SOCK.
svc_start() {
	local name=$1 p
	RAMDISK_BIND=any TARGET_PROG=srpt-blockdev ramdisk_start "$BLK_BUILD" \
		"$BLK_OUT/service-$name.log" --config "/etc/srpt/$name.json" ||
		blk_fail "srpt-blockdev --config /etc/srpt/$name.json did not start"
	grep -q "control socket /run/srpt/$name.sock" "$RAMDISK_LOG" ||
		blk_fail "$name: no control socket from the configuration file"
	# shellcheck disable=SC2153 # set by ramdisk_start (ramdisk.sh)
	srp_login "$GUEST_IP" "$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' "/etc/srpt/$name.json")" \
		"$RAMDISK_ID_EXT" "$RAMDISK_GUID" || blk_fail "login to $name failed"
	p=$SRP_LAST_PORT
	echo 1 >"$p/reconnect_delay"
	echo 2 >"$p/fast_io_fail_tmo"
	echo 60 >"$p/dev_loss_tmo"
	SVC_PID=$RAMDISK_PID
	SVC_LOG=$RAMDISK_LOG
	p=${p##*/port-}
	SVC_HOST=${p%%:*}
	SVC_SOCK=/run/srpt/$name.sock
}

# svc_disk HOST LUN: the sd device of LUN on SCSI host HOST, or nothing.
svc_disk() {
	srp_list_disks | awk -v h="$1:0:0:$2" '$3 == h { print $1 }'
}

# svc_sense DEV: what a TEST UNIT READY through SG_IO gets.
svc_sense() { sg_raw -v "$1" 00 00 00 00 00 00 2>&1 || true; }

# blockdev-alua.sh is done with its file; the tmpfs holds ours.
rm -f "$SVC_DIR/shared.img"
truncate -s ${SVC_MB}M "$SVC_DIR/svc.img"
truncate -s ${SVC_NEW_MB}M "$SVC_DIR/svc-new.img"
svc_conf s1 5571 c1c1c1c1c1c1c1c1 1 active
svc_conf s2 5572 d2d2d2d2d2d2d2d2 2 non-optimized
svc_start s1
s1_pid=$SVC_PID s1_log=$SVC_LOG s1_host=$SVC_HOST s1_sock=$SVC_SOCK
svc_start s2
s2_pid=$SVC_PID s2_log=$SVC_LOG s2_host=$SVC_HOST s2_sock=$SVC_SOCK

# One map, an optimized and a non-optimized path.
_svc_prio() {	# DEV PRIO: DEV is an active, ready path of that priority
	svc_paths | awk -v d="${1#/dev/}" -v p="$2" \
		'$1 == d && $3 == "active" && $4 == "ready" && $5 == p' | grep -q .
}
wait_until 30 _srp_have_disks 2 || blk_fail "no disks of the two services"
s1_dev=$(svc_disk "$s1_host" 0)
s2_dev=$(svc_disk "$s2_host" 0)
if [ ! -b "$s1_dev" ] || [ ! -b "$s2_dev" ]; then
	blk_fail "no LUN 0 disk of s1 ($s1_dev) or s2 ($s2_dev)"
fi
_svc_map() { _svc_prio "$s1_dev" 50 && _svc_prio "$s2_dev" 10; }
wait_until 60 _svc_map || {
	svc_paths >&2; multipath -ll >&2
	blk_fail "multipathd did not make one map of s1 (optimized) and s2 (non-optimized)"
}
svc_wwid=$(svc_paths | awk -v d="${s1_dev#/dev/}" '$1 == d { print $2 }')
svc_map=/dev/mapper/$(multipathd show maps raw format "%n %w" | awk -v w="$svc_wwid" '$2 == w { print $1 }')
[ -b "$svc_map" ] || blk_fail "no map for WWID $svc_wwid"
note "service: s1 and s2 started from /etc/srpt/s1.json and s2.json (control sockets in /run/srpt): one map ${svc_map##*/} over $s1_dev (prio 50) and $s2_dev (prio 10)"

# --- srptctl sessions: the initiator's channel and its counters ----------
dd if=/dev/urandom of="$svc_map" bs=64k count=16 oflag=direct status=none ||
	blk_fail "write through the map failed"
"$svc_ctl" -s "$s1_sock" sessions >"$BLK_OUT/service-sessions.txt" 2>&1 ||
	blk_fail "srptctl sessions failed: $(cat "$BLK_OUT/service-sessions.txt")"
awk '$2 == "LIVE" && $9 > 0' "$BLK_OUT/service-sessions.txt" | grep -q . || {
	cat "$BLK_OUT/service-sessions.txt" >&2
	blk_fail "srptctl sessions shows no LIVE channel with commands"
}
"$svc_ctl" -s "$s1_sock" --json sessions >"$BLK_OUT/service-sessions.json" ||
	blk_fail "srptctl --json sessions failed"
grep -q '"bytes_out": [1-9]' "$BLK_OUT/service-sessions.json" ||
	blk_fail "srptctl --json sessions: no bytes written counted"
note "service: srptctl sessions: $(awk '$2 == "LIVE" { printf "%s%s channel(s) %s, %s commands", s, $1, $3, $9; s = "; " }' "$BLK_OUT/service-sessions.txt")"

# --- srptctl lun add ----------------------------------------------------
"$svc_ctl" -s "$s1_sock" lun add "$SVC_DIR/svc-new.img" >"$BLK_OUT/service-lun-add.txt" 2>&1 || {
	cat "$BLK_OUT/service-lun-add.txt" >&2
	blk_fail "srptctl lun add failed"
}
grep -q "^1 .*$SVC_DIR/svc-new.img" "$BLK_OUT/service-lun-add.txt" ||
	blk_fail "srptctl lun add did not make LUN 1: $(cat "$BLK_OUT/service-lun-add.txt")"
# The nexus's next command gets the unit attention: ours, or the path
# checker's (the kernel then logs that the LUNs changed). Once only.
svc_sense "$s1_dev" >"$BLK_OUT/service-ua-1.txt"
if grep -qi "reported luns data has changed" "$BLK_OUT/service-ua-1.txt"; then
	ua_by="sg_raw (SG_IO)"
else
	wait_until 10 sh -c "dmesg | grep -q 'LUN assignments on this target have changed'" ||
		blk_fail "no REPORTED LUNS DATA HAS CHANGED after lun add: $(cat "$BLK_OUT/service-ua-1.txt")"
	ua_by="the kernel's own command"
fi
svc_sense "$s1_dev" >"$BLK_OUT/service-ua-2.txt"
grep -qi "check condition" "$BLK_OUT/service-ua-2.txt" &&
	blk_fail "a second unit attention after one lun add: $(cat "$BLK_OUT/service-ua-2.txt")"
echo '- - -' >"/sys/class/scsi_host/host$s1_host/scan"
_svc_has_lun1() { [ -n "$(svc_disk "$s1_host" 1)" ]; }
wait_until 30 _svc_has_lun1 ||
	blk_fail "LUN 1 did not appear after a rescan of host$s1_host: $(srp_list_disks)"
new_dev=$(svc_disk "$s1_host" 1)
size=$(blockdev --getsize64 "$new_dev")
[ "$size" -eq $((SVC_NEW_MB << 20)) ] || blk_fail "LUN 1 ($new_dev) has $size bytes, not $((SVC_NEW_MB << 20))"
head -c 1M /dev/urandom >/tmp/svc-pattern
dd if=/tmp/svc-pattern of="$new_dev" bs=1M seek=3 oflag=direct status=none ||
	blk_fail "write to the added LUN $new_dev failed"
dd if="$new_dev" of=/tmp/svc-back bs=1M skip=3 count=1 iflag=direct status=none ||
	blk_fail "read from the added LUN $new_dev failed"
cmp -s /tmp/svc-pattern /tmp/svc-back || blk_fail "the added LUN $new_dev read back other data"
cmp -s /tmp/svc-pattern <(dd if="$SVC_DIR/svc-new.img" bs=1M skip=3 count=1 status=none) ||
	blk_fail "the data written to LUN 1 is not in its file"
note "service: srptctl lun add: REPORTED LUNS DATA HAS CHANGED once (to $ua_by), LUN 1 $new_dev of $size bytes after a rescan, 1 MiB written and read back (and in the file)"

# --- srptctl lun remove -------------------------------------------------
new_wwid=$(/lib/udev/scsi_id -g -u -d "$new_dev")
new_map=$(multipathd show maps raw format "%n %w" | awk -v w="$new_wwid" '$2 == w { print $1 }')
[ -z "$new_map" ] || multipath -f "$new_map" >/dev/null 2>&1 ||
	gwarn "multipath -f $new_map failed"
"$svc_ctl" -s "$s1_sock" lun remove 1 >"$BLK_OUT/service-lun-remove.txt" 2>&1 ||
	blk_fail "srptctl lun remove 1 failed: $(cat "$BLK_OUT/service-lun-remove.txt")"
grep -q "^LUN 1 removed" "$BLK_OUT/service-lun-remove.txt" ||
	blk_fail "srptctl lun remove: $(cat "$BLK_OUT/service-lun-remove.txt")"
svc_sense "$new_dev" >"$BLK_OUT/service-removed.txt"
grep -qi "logical unit not supported" "$BLK_OUT/service-removed.txt" ||
	blk_fail "a command to the removed LUN got: $(cat "$BLK_OUT/service-removed.txt")"
echo 1 >"/sys/block/${new_dev#/dev/}/device/delete"
wait_until 10 sh -c "[ ! -e '$new_dev' ]" || blk_fail "$new_dev was not deleted"
echo '- - -' >"/sys/class/scsi_host/host$s1_host/scan"
sleep 2
[ -z "$(svc_disk "$s1_host" 1)" ] ||
	blk_fail "LUN 1 came back on rescan after lun remove: $(srp_list_disks)"
"$svc_ctl" -s "$s1_sock" lun remove 1 >"$BLK_OUT/service-lun-remove-2.txt" 2>&1 &&
	blk_fail "a second lun remove 1 succeeded"
grep -q "no LUN 1" "$BLK_OUT/service-lun-remove-2.txt" ||
	blk_fail "a second lun remove 1: $(cat "$BLK_OUT/service-lun-remove-2.txt")"
note "service: srptctl lun remove: LOGICAL UNIT NOT SUPPORTED through SG_IO, not listed on rescan; removing it again is refused"

# --- reload: SIGHUP and srptctl reload -----------------------------------
svc_ids() { "$svc_ctl" -s "$s1_sock" sessions | awk '$2 == "LIVE" { print $1 }' | sort | tr '\n' ' '; }
ids=$(svc_ids)
cp /etc/srpt/s1.json /tmp/s1.json.orig
sed -i "s|\"luns\": \[ { \"path\": \"$SVC_DIR/svc.img\" } \]|\"luns\": [ { \"path\": \"$SVC_DIR/svc.img\" }, { \"lun\": 1, \"path\": \"$SVC_DIR/svc-new.img\" } ]|" /etc/srpt/s1.json
grep -q svc-new.img /etc/srpt/s1.json || blk_fail "could not add a LUN to s1.json"
kill -HUP "$s1_pid"
wait_until 10 grep -q "reloaded /etc/srpt/s1.json (by SIGHUP): 1 LUN(s) added, 0 removed, 1 kept" "$s1_log" ||
	blk_fail "SIGHUP did not add LUN 1: $(tail -n 3 "$s1_log")"
echo '- - -' >"/sys/class/scsi_host/host$s1_host/scan"
wait_until 30 _svc_has_lun1 || blk_fail "LUN 1 of the reloaded file did not appear on rescan"
new_dev=$(svc_disk "$s1_host" 1)
[ "$(blockdev --getsize64 "$new_dev")" -eq $((SVC_NEW_MB << 20)) ] ||
	blk_fail "LUN 1 of the reloaded file has the wrong size"
[ "$(svc_ids)" = "$ids" ] || blk_fail "the reload changed the channels: '$ids' then '$(svc_ids)'"
# What cannot change live: refused, naming it, nothing changed.
sed -i 's/"port": 5571/"port": 5599/' /etc/srpt/s1.json
kill -HUP "$s1_pid"
wait_until 10 grep -q "refused: /etc/srpt/s1.json: listen.port: cannot change" "$s1_log" ||
	blk_fail "a reload changing listen.port was not refused: $(tail -n 3 "$s1_log")"
[ "$(svc_disk "$s1_host" 1)" = "$new_dev" ] || blk_fail "the refused reload changed the LUNs"
# Back to the first file, through srptctl reload.
new_wwid=$(/lib/udev/scsi_id -g -u -d "$new_dev")
new_map=$(multipathd show maps raw format "%n %w" | awk -v w="$new_wwid" '$2 == w { print $1 }')
[ -z "$new_map" ] || multipath -f "$new_map" >/dev/null 2>&1 ||
	gwarn "multipath -f $new_map failed"
cp /tmp/s1.json.orig /etc/srpt/s1.json
"$svc_ctl" -s "$s1_sock" reload >"$BLK_OUT/service-reload.txt" 2>&1 ||
	blk_fail "srptctl reload failed: $(cat "$BLK_OUT/service-reload.txt")"
grep -q "0 LUN(s) added, 1 removed, 1 kept" "$BLK_OUT/service-reload.txt" ||
	blk_fail "srptctl reload: $(cat "$BLK_OUT/service-reload.txt")"
svc_sense "$new_dev" | grep -qi "logical unit not supported" ||
	blk_fail "LUN 1 still answers after the reload removed it"
echo 1 >"/sys/block/${new_dev#/dev/}/device/delete"
[ "$(svc_ids)" = "$ids" ] || blk_fail "the reloads changed the channels: '$ids' then '$(svc_ids)'"
note "service: reload: SIGHUP added LUN 1 from the edited file (seen on rescan), a changed listen.port was refused naming it, srptctl reload removed LUN 1 again; channels $ids kept throughout"

# --- srptctl alua: planned failover under fio --verify ------------------
stop=/tmp/svc-fio-stop
rm -f "$stop"
# The path group dm-multipath uses: the one "status=active" in
# multipath -ll holds DEV.
_svc_active_group() {
	multipath -ll "$svc_map" 2>/dev/null | awk -v d="${1#/dev/}" '
		/status=/ { active = /status=active/ }
		$0 ~ " " d " " && active { found = 1 }
		END { exit !found }'
}
blk_fio_loop "$svc_map" service 5000 1 "$stop" --allow_file_create=0 &
fio_pid=$!
sleep 2
multipath -ll "$svc_map" >"$BLK_OUT/service-ll-before.txt" 2>&1
"$svc_ctl" -s "$s2_sock" alua active >>"$BLK_OUT/service-alua.txt" 2>&1 ||
	blk_fail "srptctl alua active (s2) failed"
"$svc_ctl" -s "$s1_sock" alua standby >>"$BLK_OUT/service-alua.txt" 2>&1 ||
	blk_fail "srptctl alua standby (s1) failed"
_svc_swapped() {
	svc_paths | awk -v d="${s2_dev#/dev/}" '$1 == d && $3 == "active" && $5 == 50' | grep -q . &&
		! svc_paths | awk -v d="${s1_dev#/dev/}" '$1 == d && $5 == 50' | grep -q . &&
		_svc_active_group "$s2_dev"
}
wait_until 60 _svc_swapped || {
	svc_paths >&2; multipath -ll "$svc_map" >&2
	blk_fail "dm-multipath did not move to s2's path group after srptctl alua"
}
multipath -ll "$svc_map" >"$BLK_OUT/service-ll-swapped.txt" 2>&1
dmsetup status "${svc_map##*/}" >"$BLK_OUT/service-dmsetup-swapped.txt" 2>&1 || true
sleep 3
# And back.
"$svc_ctl" -s "$s1_sock" alua active >>"$BLK_OUT/service-alua.txt" 2>&1 ||
	blk_fail "srptctl alua active (s1) failed"
"$svc_ctl" -s "$s2_sock" alua non-optimized >>"$BLK_OUT/service-alua.txt" 2>&1 ||
	blk_fail "srptctl alua non-optimized (s2) failed"
_svc_back() { _svc_map && _svc_active_group "$s1_dev"; }
wait_until 60 _svc_back || {
	svc_paths >&2; multipath -ll "$svc_map" >&2
	blk_fail "dm-multipath did not move back to s1's path group"
}
sleep 2
blk_fio_end service "$fio_pid" "$stop" "across the srptctl ALUA swaps"
fio_pid=
note "service: srptctl alua: s2 active and s1 standby, then back: multipathd moved the active path group to s2 ($s2_dev) and back to s1 ($s1_dev); $(wc -l <"$BLK_OUT/service-passes.txt") fio randwrite --verify pass(es) on the map, no I/O or verify error"

multipath -f "${svc_map##*/}" >/dev/null 2>&1 || gwarn "multipath -f ${svc_map##*/} failed"
srp_logout_all || blk_fail "logout (service) failed"
RAMDISK_PID=$s1_pid RAMDISK_LOG=$s1_log
ramdisk_stop || blk_fail "srpt-blockdev s1 did not exit 0 on SIGTERM"
RAMDISK_PID=$s2_pid RAMDISK_LOG=$s2_log
ramdisk_stop || blk_fail "srpt-blockdev s2 did not exit 0 on SIGTERM"
note "service: s1 and s2 SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
