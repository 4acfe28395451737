# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Shared pieces of the blktests-style guest scenarios (blk-*.sh). Source
# after lib.sh and ramdisk.sh. Each scenario writes its results under
# $GUEST_OUT/<name>/ (summary.txt, target.log, dmesg.txt, ...).
#
# blk_init NAME: result dir (BLK_OUT), summary file, soft-RoCE up.
# note MSG: log MSG and append it to the summary.
# blk_fail MSG: the kernel log and target log tails into the result dir,
#   then die.
# blk_target_start [ARGS...]: srpt-ramdisk from $BLK_BUILD, log in
#   $BLK_OUT/target.log.
# blk_login [INITIATOR_EXT] [EXTRA_OPTS]: srp_login to that target.
# blk_srp_reload [MODULE_PARAMS...]: log out, reload ib_srp with the
#   parameters, wait for add_target (and re-arm the IU-size probe).
# blk_trace_on / blk_trace_lens: a kprobe on ib_srp's srp_post_send()
#   records the length of every IU the initiator sends; blk_trace_lens
#   prints "LEN COUNT" lines. A direct descriptor SRP_CMD is 64 bytes, an
#   indirect one 68 + 16 * (inline descriptors), so the lengths show what
#   kind of data descriptors the target really had to handle.
# blk_disk_ok DEV: the SCSI device under DEV is still "running".
# blk_fio_loop MAP NAME SEED MIN STOP [FIO_ARGS...]: fio randwrite
#   --verify passes (8 MiB, qd 16) on MAP until the file STOP exists and
#   at least MIN passes ran; pass N's output in $BLK_OUT/NAME-fio-N.txt,
#   "pass N rc=R" lines in $BLK_OUT/NAME-passes.txt; returns 1 after the
#   first failed pass. Run it in the background.
# blk_fio_end NAME PID STOP WHAT: creates STOP, waits for the loop PID;
#   blk_fail (naming WHAT) unless every pass ended without an error.
# blk_multipathd_start: udev for block devices, dm-multipath with this
#   tree's device sections (srpt-ramdisk multibus, srpt-blockdev ALUA),
#   multipathd in the background: BLK_MPD_PID.
# blk_fast_failover PORT...: ib_srp's remote ports (sysfs directories)
#   fail I/O over within seconds of a lost target, not the default 15.
# blk_wait_map COND WHAT: waits up to 60 s for the function COND (the
#   paths multipathd should have), then finds the map of the path at ALUA
#   priority 50: BLK_MAP_WWID, BLK_MAP (/dev/mapper/NAME). blk_fail
#   ("... one map of WHAT") otherwise.
# alua_paths: "DEV WWID DM_STATE CHECKER_STATE PRIO" per path.
# alua_run NAME PORT GUID ARGS...: srpt-blockdev from $BLK_BUILD with
#   --ioc-guid GUID, log $BLK_OUT/blockdev-NAME.log: NAME_PID, NAME_LOG.
# alua_start NAME PORT GUID ARGS...: the same, then a login: NAME_PORT.

BLK_TRACEFS=/sys/kernel/tracing

blk_init() {
	BLK_NAME=${1:?name}
	BLK_OUT=$(guest_result_dir "$BLK_NAME")
	rm -f "$BLK_OUT"/*
	: >"$BLK_OUT/summary.txt"
	BLK_T0=$(_now_cs)
	guest_rdma_up || blk_fail "soft-RoCE setup failed"
}

note() {
	glog "$*"
	printf '%s\n' "$*" >>"$BLK_OUT/summary.txt"
}

# Seconds since blk_init, for the summary.
blk_elapsed() {
	local d=$(($(_now_cs) - BLK_T0))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

blk_save_dmesg() {
	dmesg >"$BLK_OUT/dmesg.txt" 2>/dev/null || true
}

blk_fail() {
	note "FAIL: $*"
	blk_save_dmesg
	if [ -e "$BLK_TRACEFS/events/blk/srp_send/enable" ]; then
		blk_trace_lens >"$BLK_OUT/iu-lens-at-failure.txt" 2>/dev/null
	fi
	if [ -n "${RAMDISK_LOG:-}" ] && [ -f "$RAMDISK_LOG" ]; then
		gwarn "---- srpt-ramdisk log (last 40 lines)"
		tail -n 40 "$RAMDISK_LOG" >&2
	fi
	die "$*"
}

blk_target_start() {
	ramdisk_start "$BLK_BUILD" "$BLK_OUT/target.log" --port "$BLK_PORT" "$@" ||
		blk_fail "srpt-ramdisk did not start"
	note "target: $RAMDISK_LINE"
}

# The target process must still exist (no crash, no abort).
blk_target_alive() {
	kill -0 "$RAMDISK_PID" 2>/dev/null ||
		blk_fail "srpt-ramdisk is gone (crashed?)"
}

blk_login() {
	srp_login "$GUEST_IP" "$BLK_PORT" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" \
		"${1:-}" "${2:-}"
}

_blk_have_add_target() {
	test -e "$(srp_add_target_file)"
}

blk_srp_reload() {
	srp_logout_all || blk_fail "logout before reloading ib_srp failed"
	blk_trace_off
	modprobe -r ib_srp || blk_fail "rmmod ib_srp failed"
	modprobe ib_srp "$@" || blk_fail "modprobe ib_srp $* failed"
	wait_until 20 _blk_have_add_target ||
		blk_fail "ib_srp did not create $(srp_add_target_file)"
	glog "ib_srp reloaded: $*"
}

blk_trace_on() {
	local tf=$BLK_TRACEFS
	mountpoint -q "$tf" || mount -t tracefs nodev "$tf" ||
		blk_fail "cannot mount tracefs"
	echo 0 >"$tf/tracing_on"
	echo >"$tf/trace"
	echo "$((4 * 1024))" >"$tf/buffer_size_kb"
	# srp_post_send(ch, iu, len): the third argument is in %dx.
	echo 'p:blk/srp_send ib_srp:srp_post_send len=%dx:u32' \
		>>"$tf/kprobe_events" || blk_fail "cannot add the srp_post_send kprobe"
	echo 1 >"$tf/events/blk/srp_send/enable"
	echo 1 >"$tf/tracing_on"
}

blk_trace_off() {
	local tf=$BLK_TRACEFS
	[ -e "$tf/events/blk/srp_send/enable" ] || return 0
	echo 0 >"$tf/events/blk/srp_send/enable"
	echo '-:blk/srp_send' >>"$tf/kprobe_events"
}

blk_trace_lens() {
	sed -n 's/.* srp_send: .* len=\([0-9]*\).*/\1/p' "$BLK_TRACEFS/trace" |
		sort -n | uniq -c | awk '{ print $2, $1 }'
}

blk_trace_clear() {
	echo >"$BLK_TRACEFS/trace"
}

# blk_desc_stats: from blk_trace_lens, sets BLK_N_DIRECT (SRP_CMDs with a
# direct descriptor), BLK_N_IMM (immediate data), BLK_N_INDIRECT (indirect
# table, all inline or not) and BLK_MAX_INLINE (most inline descriptors in
# one SRP_CMD); BLK_DESC_SUMMARY is a one-line account of them.
blk_desc_stats() {
	local len n
	BLK_N_DIRECT=0 BLK_N_IMM=0 BLK_N_INDIRECT=0 BLK_MAX_INLINE=0
	while read -r len n; do
		if [ "$len" -eq 64 ]; then
			BLK_N_DIRECT=$((BLK_N_DIRECT + n))
		elif [ "$len" -eq 68 ]; then
			BLK_N_IMM=$((BLK_N_IMM + n))
		elif [ "$len" -gt 68 ] && [ $(((len - 68) % 16)) -eq 0 ]; then
			BLK_N_INDIRECT=$((BLK_N_INDIRECT + n))
			[ $(((len - 68) / 16)) -le "$BLK_MAX_INLINE" ] ||
				BLK_MAX_INLINE=$(((len - 68) / 16))
		fi
	done < <(blk_trace_lens)
	# shellcheck disable=SC2034 # for the scenario scripts
	BLK_DESC_SUMMARY="SRP_CMDs: $BLK_N_DIRECT direct, $BLK_N_IMM immediate, $BLK_N_INDIRECT indirect (up to $BLK_MAX_INLINE inline descriptors)"
}

blk_disk_ok() {
	local b=${1#/dev/} st
	st=$(cat "/sys/block/$b/device/state" 2>/dev/null)
	[ "$st" = running ]
}

blk_fio_loop() {
	local map=$1 name=$2 seed=$3 min=$4 stop=$5 n=0 rc
	shift 5
	: >"$BLK_OUT/$name-passes.txt"
	while [ ! -e "$stop" ] || [ $n -lt "$min" ]; do
		n=$((n + 1))
		rc=0
		fio --name="$name" --filename="$map" --rw=randwrite --bs=4k \
			--iodepth=16 --ioengine=libaio --direct=1 --size=8M \
			--verify=crc32c --do_verify=1 --verify_fatal=1 \
			--randseed=$((seed + n)) "$@" \
			>"$BLK_OUT/$name-fio-$n.txt" 2>&1 || rc=$?
		echo "pass $n rc=$rc" >>"$BLK_OUT/$name-passes.txt"
		[ $rc -eq 0 ] || return 1
	done
}

blk_fio_end() {
	local name=$1 pid=$2 stop=$3 what=$4 rc=0 f
	touch "$stop"
	wait "$pid" || rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 30 "$BLK_OUT"/"$name"-fio-*.txt >&2
		blk_fail "fio failed $what: $(tail -n 1 "$BLK_OUT/$name-passes.txt")"
	fi
	for f in "$BLK_OUT"/"$name"-fio-*.txt; do
		grep -q "err= 0" "$f" || blk_fail "$(basename "$f"): fio reported an error"
	done
}

blk_multipathd_start() {
	modprobe -a dm_multipath dm_round_robin dm_service_time scsi_dh_alua ||
		blk_fail "cannot load the dm-multipath modules"
	/lib/systemd/systemd-udevd --daemon || blk_fail "systemd-udevd did not start"
	# Only block devices: a full trigger would give veth0 a new MAC address,
	# hence rxe0 a new GID and the initiator a new port id.
	udevadm trigger --action=add --subsystem-match=block
	udevadm settle -t 30 || true
	mkdir -p /etc/multipath
	cat >/etc/multipath.conf <<'EOF'
defaults {
	find_multipaths no
	user_friendly_names yes
	polling_interval 2
}
blacklist {
	devnode "^(ram|loop|fd|md|dm-|sr|scd|st|vd|nullb|rbd)"
}
devices {
	device {
		vendor "LIBSRPT"
		product "RAMDISK"
		hardware_handler "0"
		no_path_retry queue
		path_checker tur
		path_grouping_policy multibus
		prio const
	}
	device {
		vendor "LIBSRPT"
		product "BLOCKDEV"
		hardware_handler "1 alua"
		no_path_retry queue
		path_checker tur
		path_grouping_policy group_by_prio
		prio alua
		failback immediate
	}
}
EOF
	multipathd -d -s >"$BLK_OUT/multipathd.log" 2>&1 &
	# shellcheck disable=SC2034 # the caller's
	BLK_MPD_PID=$!
	wait_until 20 multipathd show daemon >/dev/null 2>&1 ||
		blk_fail "multipathd did not start"
}

blk_fast_failover() {
	local p
	for p in "$@"; do
		echo 1 >"$p/reconnect_delay"
		echo 2 >"$p/fast_io_fail_tmo"
		echo 60 >"$p/dev_loss_tmo"
	done
}

blk_wait_map() {
	wait_until 60 "$1" || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "multipathd did not make one map of $2"
	}
	BLK_MAP_WWID=$(alua_paths | awk '$5 == 50 { print $2 }')
	BLK_MAP=/dev/mapper/$(multipathd show maps raw format "%n %w" | awk -v w="$BLK_MAP_WWID" '$2 == w { print $1 }')
	[ -b "$BLK_MAP" ] || blk_fail "no map for WWID $BLK_MAP_WWID"
}

alua_paths() { multipathd show paths raw format "%d %w %t %T %p" 2>/dev/null; }

alua_run() {
	local name=$1 port=$2 guid=$3
	shift 3
	TARGET_PROG=srpt-blockdev ramdisk_start "$BLK_BUILD" "$BLK_OUT/blockdev-$name.log" \
		--port "$port" --ioc-guid "$guid" --pool 16M "$@" ||
		blk_fail "srpt-blockdev $name did not start"
	printf -v "${name}_PID" '%s' "$RAMDISK_PID"
	printf -v "${name}_LOG" '%s' "$RAMDISK_LOG"
}

alua_start() {
	alua_run "$@"
	srp_login "$GUEST_IP" "$2" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
		blk_fail "login to srpt-blockdev $1 failed"
	printf -v "${1}_PORT" '%s' "$SRP_LAST_PORT"
}
