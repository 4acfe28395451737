# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Guest helper: crash consistency of a target killed with SIGKILL in the
# middle of writes. Source after lib.sh and ramdisk.sh; the target runs
# as ramdisk_start left it (RAMDISK_PID), the initiator is logged in.
#
# crash_kill_restart OUT DEV OFFSET SIZE SECS CHECK WHERE START...
#   Writes 8 MiB of a pattern at the start of DEV (answered before
#   anything else), then runs fio's paced 64 KiB random writes (20 a
#   second, queue depth 16) over SIZE bytes at OFFSET with
#   --verify_state_save, so that fio records every write it had
#   acknowledged. Once fio has had SECS * 10 writes acknowledged (half
#   of SECS seconds at its pace; a loaded guest may take longer to start
#   fio, so this waits up to a minute for them) it kills the target with
#   SIGKILL,
#   runs CHECK PATTERN_FILE (true when the 8 MiB are in the backing, read
#   past the target; WHERE says where it looked, for the messages),
#   restarts the target with START... (the same port and identity:
#   ramdisk_start and its arguments), waits for the
#   initiator's reconnect and fio's end (no I/O error), then has fio
#   --verify_only --verify_state_load read back every write it was told
#   is done, and reads the 8 MiB back through DEV. Any failure dies.
#   Sets CRASH_NOTE, a sentence of what was checked, with the numbers.
#   Leaves fio's outputs in OUT (fio-crash*.json, fio-crash*.err).

# Field N (1-based) of DEV's /sys/block/*/stat.
_crash_stat() {
	local f
	read -r -a f <"/sys/block/${1#/dev/}/stat"
	printf '%s\n' "${f[$2 - 1]}"
}

# The fio JSON of $1: "BYTES ERROR MAX_CLAT_MS" for direction $2.
_crash_fio_json() {
	python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
j = json.loads(text[text.index("{"):])["jobs"][0]
d = j[sys.argv[2]]
print(d["io_bytes"], j["error"], round(d["clat_ns"]["max"] / 1e6))
PY
}

# True once DEV ($1) has completed at least $3 sectors of writes since
# the count was $2.
_crash_acked() {
	[ $(($(_crash_stat "$1" 7) - $2)) -ge "$3" ]
}

_crash_fio_done() {
	! kill -0 "$1" 2>/dev/null
}

crash_kill_restart() {
	local out=$1 dev=$2 off=$3 size=$4 secs=$5 check=$6 where=$7
	shift 7
	local pat=$out/crash-pattern p fio_pid w0 w1 inflight t_kill t_up t_rec
	local t_start t_end bytes err lat vbytes verr job
	# Reconnect soon after the target is back; hold the I/O meanwhile
	# (fast_io_fail_tmo, 15 s by default, would fail it while CHECK
	# reads the backing and the target starts again).
	for p in /sys/class/srp_remote_ports/port-*; do
		echo 2 >"$p/reconnect_delay" 2>/dev/null || true
		echo 60 >"$p/fast_io_fail_tmo" 2>/dev/null || true
	done
	dd if=/dev/urandom of="$pat" bs=1M count=8 status=none
	dd if="$pat" of="$dev" bs=1M count=8 oflag=direct status=none ||
		die "write before the kill failed"
	job=(--name=crash --filename="$dev" --rw=randwrite --bs=64k --iodepth=16
		--ioengine=libaio --direct=1 --offset="$off" --size="$size" --rate_iops=20
		--verify=crc32c --allow_file_create=0 --output-format=json --eta=never)
	# Sectors the block layer has seen completed, i.e. that the target
	# answered: the difference at the kill is what fio had acknowledged.
	w0=$(_crash_stat "$dev" 7)
	# fio records what it has had acknowledged (verify_state_save, in
	# its working directory), paced so that the kill lands in the
	# middle of its writes.
	(cd "$out" && exec fio "${job[@]}" --do_verify=0 --verify_state_save=1 \
		--output="$out/fio-crash.json" 2>"$out/fio-crash.err") &
	fio_pid=$!
	# 64 KiB writes are 128 sectors each.
	wait_until 60 _crash_acked "$dev" "$w0" $((secs * 10 * 128)) ||
		die "fio had fewer than $((secs * 10)) writes acknowledged in 60 s: $(tail -n 5 "$out/fio-crash.err")"
	_crash_fio_done "$fio_pid" && die "fio ended before the kill: $(tail -n 5 "$out/fio-crash.err")"
	w1=$(_crash_stat "$dev" 7)
	inflight=$(_crash_stat "$dev" 9)
	kill -9 "$RAMDISK_PID"
	wait "$RAMDISK_PID" 2>/dev/null
	t_kill=$(_now_cs)
	kmsg_mark "crash restart"
	[ $((w1 - w0)) -gt 0 ] || die "fio had no write acknowledged before the kill"
	"$check" "$pat" || die "the 8 MiB answered before SIGKILL are not $where"
	t_start=$(_now_cs)
	"$@" || die "the target did not start again"
	t_up=$(_now_cs)
	wait_until 60 sh -c "dmesg | sed -n '/crash restart/,\$p' | grep -q 'reconnect succeeded'" ||
		die "the initiator did not reconnect to the restarted target: $(dmesg | tail -n 20)"
	t_rec=$(_now_cs)
	wait_until 120 _crash_fio_done "$fio_pid" || die "fio did not end after the restart"
	t_end=$(_now_cs)
	wait "$fio_pid" || die "fio's writes failed across the kill: $(tail -n 20 "$out/fio-crash.err")"
	read -r bytes err lat < <(_crash_fio_json "$out/fio-crash.json" write) ||
		die "no fio results in $out/fio-crash.json"
	[ "$err" = 0 ] || die "fio reported error $err across the kill"
	[ "$bytes" -eq "$size" ] || die "fio wrote $bytes bytes, not $size"
	(cd "$out" && exec fio "${job[@]}" --verify_only --verify_state_load=1 \
		--verify_fatal=1 --output="$out/fio-crash-verify.json" \
		2>"$out/fio-crash-verify.err") ||
		die "fio --verify_only --verify_state_load found a lost write: $(tail -n 20 "$out/fio-crash-verify.err")"
	read -r vbytes verr _ < <(_crash_fio_json "$out/fio-crash-verify.json" read) ||
		die "no fio results in $out/fio-crash-verify.json"
	[ "$verr" = 0 ] || die "fio --verify_only reported error $verr"
	[ "$(fio_verify_errors "$out/fio-crash-verify.err")" -eq 0 ] ||
		die "fio --verify_only reported errors: $(tail -n 20 "$out/fio-crash-verify.err")"
	[ "$vbytes" -gt 0 ] || die "fio --verify_only read nothing back"
	cmp <(dd if="$dev" bs=1M count=8 iflag=direct status=none) "$pat" ||
		die "the restarted target serves other data"
	# shellcheck disable=SC2034 # for the caller
	CRASH_NOTE="SIGKILL once at least $((secs * 10)) of fio's paced 64k random writes over $((size >> 20)) MiB were acknowledged (verify_state_save): $(awk -v s=$((w1 - w0)) 'BEGIN { printf "%.2f", s / 2048 }') MiB ($(((w1 - w0) / 128)) writes) acknowledged before it, $inflight in flight; the 8 MiB answered before that are $where; restarted $(((t_start - t_kill) / 100)) s after the kill (after that check) and up in $(((t_up - t_start) / 100)).$(printf '%02d' $(((t_up - t_start) % 100))) s, the initiator reconnected $(((t_rec - t_kill) / 100)) s after the kill, fio's writes all completed $(((t_end - t_kill) / 100)) s after it (the longest ${lat} ms), and fio --verify_only --verify_state_load read back every acknowledged write ($((vbytes >> 10)) KiB, no error), the 8 MiB too"
}
