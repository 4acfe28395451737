#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: an hour (SOAK_MINUTES) of verified I/O against
# srpt-ramdisk from BUILD_DIR, with logins, logouts and hostile traffic
# alongside, sampling the target's memory and descriptors every minute.
# Run by hand through scripts/soak.sh (a build without sanitizers, so
# that VmRSS is the target's own).
# Usage: soak.sh BUILD_DIR
#
# - srpt-ramdisk with 2 LUNs of 32 MiB. Session A of the kernel initiator
#   runs fio randwrite --verify=crc32c (qd 16) on LUN 0 for the whole
#   soak; a verify error is counted, not fatal, so that the samples go on.
# - Login loop: session B (another initiator_ext, so another I_T nexus)
#   logs in, writes and verifies 4 MiB of its LUN 1 at 16 MiB (srp-hostile's
#   data cases write below 16 MiB and from 20 MiB on), logs out, and again.
# - Every SOAK_HOSTILE_EVERY minutes, from minute 0: a batch of
#   srp-hostile cases (data cases on LUN 1) and a small login storm.
# - Every minute: srpt-ramdisk's VmRSS, its open descriptors and the
#   counts so far into $GUEST_OUT/soak/samples.csv. The last row (minute
#   SOAK_MINUTES) is taken after the loops and fio have stopped, with
#   session A logged in and idle.
# Fails on: a verify or I/O error, a failed login, logout or hostile
# case, the target gone, more descriptors at the end than at the end of
# the warm-up, VmRSS grown by more than SOAK_RSS_LIMIT_KB since then, or
# a non-zero exit on SIGTERM.
#
# Environment (all optional):
#   SOAK_MINUTES         length (default 60)
#   SOAK_WARMUP          minute whose sample the end is compared with
#                        (default 5; SOAK_MINUTES / 2 for runs under 10)
#   SOAK_RSS_LIMIT_KB    allowed VmRSS growth after the warm-up (4096)
#   SOAK_HOSTILE_EVERY   minutes between srp-hostile batches (4)
#   SOAK_HOSTILE_CASES   space-separated case patterns (default: all)
#   SOAK_STORM_REJECTS   rejected logins per batch (200)
#   SOAK_STORM_DROPS     accepted-and-dropped logins per batch (100)
#   SOAK_LOOP_PAUSE      seconds logged out between two logins (2)
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"

BUILD=${1:?usage: soak.sh BUILD_DIR}
MINUTES=${SOAK_MINUTES:-60}
if [ "$MINUTES" -ge 10 ]; then
	WARMUP=${SOAK_WARMUP:-5}
else
	WARMUP=${SOAK_WARMUP:-$(((MINUTES + 1) / 2))}
fi
RSS_LIMIT_KB=${SOAK_RSS_LIMIT_KB:-4096}
HOSTILE_EVERY=${SOAK_HOSTILE_EVERY:-4}
STORM_REJECTS=${SOAK_STORM_REJECTS:-200}
STORM_DROPS=${SOAK_STORM_DROPS:-100}
LOOP_PAUSE=${SOAK_LOOP_PAUSE:-2}
HOSTILE=$BUILD/tests/hostile/srp-hostile
PORT=5555
LUNS=2
SIZE_MB=32
EXT_B=fe800000000000c2
if [ "$MINUTES" -lt 2 ] || [ "$WARMUP" -lt 1 ] || [ "$WARMUP" -ge "$MINUTES" ]; then
	echo "soak: need SOAK_MINUTES >= 2 and 1 <= SOAK_WARMUP < SOAK_MINUTES" >&2
	exit 2
fi

out=$(guest_result_dir soak)
rm -rf "${out:?}"/*
mkdir -p "$out/hostile" "$out/loop"
csv=$out/samples.csv
# Counters shared with the background loops, one file each.
cnt=/tmp/soak
mkdir -p "$cnt"
stop=$cnt/stop
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}
put() {
	printf '%s\n' "$2" >"$cnt/$1.new" && mv "$cnt/$1.new" "$cnt/$1"
}
get() {
	cat "$cnt/$1" 2>/dev/null || echo 0
}
for c in logins loop_verify hostile_cases hostile_fails batches storm_logins; do
	put $c 0
done

fio_pid='' loop_pid='' hostile_pid=''
cleanup() {
	touch "$stop"
	[ -z "$fio_pid" ] || kill -INT "$fio_pid" 2>/dev/null || true
	[ -z "$loop_pid" ] || kill "$loop_pid" 2>/dev/null || true
	[ -z "$hostile_pid" ] || kill "$hostile_pid" 2>/dev/null || true
}
trap cleanup EXIT

[ -x "$HOSTILE" ] || die "no $HOSTILE (is 'hostile' in tests/meson.build?)"
guest_rdma_up || die "soft-RoCE setup failed"
ramdisk_start "$BUILD" "$out/target.log" --port $PORT --luns $LUNS \
	--size ${SIZE_MB}M || die "srpt-ramdisk did not start"
note "target: $RAMDISK_LINE"
note "soak: $MINUTES minutes, warm-up $WARMUP, srp-hostile every $HOSTILE_EVERY minutes, VmRSS limit $RSS_LIMIT_KB kB"

# lun_of PORT_DIR LUN: the /dev/sdX of that LUN behind that remote port.
lun_of() {
	srp_list_disks | awk -v p="${1##*/}" -v l=":$2" \
		'$2 == p && substr($3, length($3) - length(l) + 1) == l { print $1 }'
}
_have_lun() {
	[ -n "$(lun_of "$1" "$2")" ]
}

# ---- session A and its fio, for the whole soak ----------------------------
srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
	die "kernel initiator login (session A) failed"
port_a=$SRP_LAST_PORT
wait_until 30 _have_lun "$port_a" 0 || die "LUN 0 of session A did not appear"
lun0=$(lun_of "$port_a" 0)
fio --name=soak --filename="$lun0" --rw=randwrite --bs=4k --iodepth=16 \
	--ioengine=libaio --direct=1 --size=${SIZE_MB}M --verify=crc32c \
	--verify_backlog=64 --continue_on_error=verify --time_based \
	--runtime=$((MINUTES * 60)) --output="$out/fio.txt" >"$out/fio.out" 2>&1 &
fio_pid=$!
T0=$(_now_cs)
T_END=$((T0 + MINUTES * 6000))
note "session A: ${port_a##*/}, fio randwrite qd16 --verify=crc32c on $lun0 (LUN 0) for $MINUTES min"

# ---- session B: log in, verified I/O, log out, again -----------------------
loop_fail() {
	printf '%s\n' "$*" >"$out/loop/FAILED"
	gwarn "login loop: FAIL: $*"
}
login_loop() {
	local n=0 port dev rc e
	while [ ! -e "$stop" ]; do
		srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" \
			"$EXT_B" || { loop_fail "login $((n + 1)) failed"; return; }
		port=$SRP_LAST_PORT
		n=$((n + 1))
		put logins $n
		[ -n "$port" ] || { loop_fail "login $n: no new remote port"; return; }
		wait_until 30 _have_lun "$port" 1 ||
			{ loop_fail "login $n: LUN 1 did not appear on ${port##*/}"; return; }
		dev=$(lun_of "$port" 1)
		rc=0
		fio --name=loop --filename="$dev" --rw=randwrite --bs=4k \
			--iodepth=8 --ioengine=libaio --direct=1 --offset=16M \
			--size=4M --verify=crc32c --do_verify=1 --verify_fatal=1 \
			--randseed="$n" >"$cnt/loop-fio.txt" 2>&1 || rc=$?
		e=$(fio_verify_errors "$cnt/loop-fio.txt")
		[ "$e" -eq 0 ] || put loop_verify $(($(get loop_verify) + e))
		if [ $rc -ne 0 ] || [ "$e" -ne 0 ] || ! grep -q "err= 0" "$cnt/loop-fio.txt"; then
			cp "$cnt/loop-fio.txt" "$out/loop/fio-failed-$n.txt"
			loop_fail "login $n: fio --verify on $dev failed (status $rc, $e verify errors)"
			return
		fi
		srp_logout "$port" || { loop_fail "logout $n (${port##*/}) failed"; return; }
		sleep "$LOOP_PAUSE"
	done
	echo "$n logins" >"$out/loop/done"
}
login_loop >"$out/loop/log.txt" 2>&1 &
loop_pid=$!

# ---- srp-hostile batches -----------------------------------------------------
# read, not word splitting: the patterns must reach srp-hostile unglobbed.
read -ra pats <<<"${SOAK_HOSTILE_CASES:-*}"
case_args=()
for c in "${pats[@]}"; do
	case_args+=(--case "$c")
done
hostile_batch() {
	local b=$1 f=$out/hostile/batch-$1 rc=0 n
	"$HOSTILE" --dest "$GUEST_IP:$PORT" --id-ext "$RAMDISK_ID_EXT" \
		--ioc-guid "$RAMDISK_GUID" --data-lun 1 "${case_args[@]}" \
		--storm-rejects "$STORM_REJECTS" --storm-drops "$STORM_DROPS" \
		>"$f.txt" 2>"$f.err" || rc=$?
	n=$(sed -n 's/^srp-hostile: \([0-9]*\) case(s).*/\1/p' "$f.txt")
	put hostile_cases $(($(get hostile_cases) + ${n:-0}))
	put storm_logins $(($(get storm_logins) + STORM_REJECTS + STORM_DROPS))
	put batches "$b"
	if [ $rc -ne 0 ]; then
		{ grep -h "^FAIL" "$f.txt" || echo "FAIL: status $rc, no FAIL line"; } |
			sed "s/^/batch $b: /" >>"$out/hostile/failures.txt"
		put hostile_fails $(($(get hostile_fails) + 1))
		gwarn "srp-hostile batch $b failed (status $rc)"
	fi
	glog "srp-hostile batch $b: $(grep -h "case(s)" "$f.txt" || echo "no summary, status $rc")"
}
hostile_loop() {
	local b=0 due=$T0
	while [ ! -e "$stop" ]; do
		if [ "$(_now_cs)" -ge "$due" ]; then
			b=$((b + 1))
			hostile_batch $b
			due=$((due + HOSTILE_EVERY * 6000))
		fi
		sleep 1
	done
	echo "$b batches" >"$out/hostile/done"
}
hostile_loop >"$out/hostile/log.txt" 2>&1 &
hostile_pid=$!

# ---- samples, every minute -------------------------------------------------
verify_errors() {
	echo $(($(fio_verify_errors "$out/fio.out") + $(get loop_verify)))
}
sample() {
	printf '%s,%s,%s,%s,%s,%s\n' "$1" "$(ramdisk_rss)" "$(ramdisk_fds)" \
		"$(get logins)" "$(get hostile_cases)" "$(verify_errors)" >>"$csv"
}
# Between samples: the target, fio and the login loop must be alive.
soak_watch() {
	ramdisk_alive
	[ ! -e "$out/loop/FAILED" ] || die "login loop: $(cat "$out/loop/FAILED")"
	kill -0 "$loop_pid" 2>/dev/null || die "the login loop ended: $(tail -n 20 "$out/loop/log.txt")"
	kill -0 "$fio_pid" 2>/dev/null || [ "$(_now_cs)" -ge $((T_END - 1000)) ] ||
		die "fio on LUN 0 ended early: $(cat "$out/fio.txt" "$out/fio.out")"
}
echo "minute,rss_kb,fds,logins,hostile_cases,verify_errors" >"$csv"
sample 0
for ((m = 1; m < MINUTES; m++)); do
	while [ "$(_now_cs)" -lt $((T0 + m * 6000)) ]; do
		soak_watch
		sleep 5
	done
	sample $m
	glog "soak: minute $m: $(tail -n 1 "$csv")"
done
while [ "$(_now_cs)" -lt "$T_END" ]; do
	soak_watch
	sleep 5
done

# ---- the end: stop the loops, let fio finish, last sample ------------------
touch "$stop"
wait_until 300 sh -c "! kill -0 $loop_pid 2>/dev/null && ! kill -0 $hostile_pid 2>/dev/null" ||
	die "the login loop or the hostile batches did not stop within 5 minutes"
loop_pid='' hostile_pid=''
[ ! -e "$out/loop/FAILED" ] || die "login loop: $(cat "$out/loop/FAILED")"
[ -e "$out/loop/done" ] || die "the login loop died: $(tail -n 20 "$out/loop/log.txt")"
# fio stops at its runtime; its last verify backlog may take a little.
wait_until 120 sh -c "! kill -0 $fio_pid 2>/dev/null" || kill -INT "$fio_pid"
frc=0
wait "$fio_pid" || frc=$?
fio_pid=
ramdisk_alive
rss_end=$(ramdisk_rss_idle)
printf '%s,%s,%s,%s,%s,%s\n' "$MINUTES" "$rss_end" "$(ramdisk_fds)" \
	"$(get logins)" "$(get hostile_cases)" "$(verify_errors)" >>"$csv"

fail=()
e=$(fio_verify_errors "$out/fio.out")
if [ $frc -ne 0 ] || [ "$e" -ne 0 ] || ! grep -q "err= 0" "$out/fio.txt"; then
	fail+=("fio on LUN 0: status $frc, $e verify errors")
	note "FAIL: fio --verify on LUN 0: status $frc, $e blocks failed verification"
else
	# issued rwts: total=READS,WRITES,...: the reads are the verify reads.
	note "session A: fio --verify ended with no error ($(sed -n 's/.*issued rwts: total=\([0-9]*\),\([0-9]*\),.*/\2 blocks written, \1 verified/p' "$out/fio.txt"), $(sed -n 's/.*write: IOPS=\([^,]*\),.*/\1/p' "$out/fio.txt") write IOPS)"
fi
note "session B: $(get logins) logins and logouts, each with 4 MiB written and verified on LUN 1: $(get loop_verify) verify errors"
note "srp-hostile: $(get batches) batches, $(get hostile_cases) cases and $(get storm_logins) storm logins, $(get hostile_fails) batch(es) failed"
if [ "$(get hostile_fails)" -ne 0 ]; then
	fail+=("srp-hostile")
	sed 's/^/  /' "$out/hostile/failures.txt" >>"$out/summary.txt"
fi

# The warm-up row against the last; first, last and largest of each column.
stats() {
	awk -F, -v col="$1" -v w="$WARMUP" 'NR > 1 {
		if (NR == 2) first = $col
		last = $col
		if ($col > max) max = $col
		if ($1 == w) warm = $col
	} END { printf "%d %d %d %d %d\n", first, last, max, warm, last - warm }' "$csv"
}
read -r r_first r_last r_max r_warm r_growth < <(stats 2)
read -r f_first f_last f_max f_warm f_growth < <(stats 3)
note "VmRSS: first $r_first kB, last $r_last kB, max $r_max kB; minute $WARMUP ($r_warm kB) to the end: $r_growth kB (limit $RSS_LIMIT_KB)"
note "descriptors: first $f_first, last $f_last, max $f_max; minute $WARMUP ($f_warm) to the end: $f_growth"
if [ "$r_growth" -gt "$RSS_LIMIT_KB" ]; then
	fail+=("VmRSS grew by $r_growth kB")
	note "FAIL: VmRSS grew by $r_growth kB after the warm-up (limit $RSS_LIMIT_KB kB)"
fi
if [ "$f_growth" -gt 0 ]; then
	fail+=("descriptors grew by $f_growth")
	note "FAIL: srpt-ramdisk holds $f_growth more descriptors than at minute $WARMUP"
fi

srp_logout_all || die "session A logout failed"
ramdisk_stop || die "srpt-ramdisk did not exit 0 on SIGTERM"
note "srpt-ramdisk: SIGTERM, exit 0; $(grep -c "login accepted" "$RAMDISK_LOG") channel logins accepted in all"
dmesg >"$out/dmesg.txt" 2>/dev/null || true
if [ ${#fail[@]} -ne 0 ]; then
	note "FAIL: $(IFS=';'; echo "${fail[*]}")"
	exit 1
fi
note "PASS"
