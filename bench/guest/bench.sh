#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (run by bench/run-bench.sh through tests/guest/boot.sh):
# the raw verbs ceiling of rxe0, then LIO ib_srpt and srpt-ramdisk through
# the kernel SRP initiator in alternating rounds, each round also LIO's
# iblock and fileio backstores against srpt-blockdev on the same brd
# device and tmpfs file (backends.sh), then srpt-ramdisk's CPU, memory,
# login-cycle and scaling figures. Writes raw figures to
# $GUEST_OUT/run/results.tsv (see measure.sh); the host makes the table.
#
# usage: bench.sh BUILD_DIR
# Tuning (environment, set by run-bench.sh): BENCH_ROUNDS, BENCH_RUNTIME,
# BENCH_PT_SECS, BENCH_SIZE_MB, BENCH_IDLE_SECS, BENCH_CYCLES,
# BENCH_GRID_CH, BENCH_GRID_QD, BENCH_GRID_RUNTIME, BENCH_SEQ_QD,
# BENCH_OURS_ARGS (extra srpt-ramdisk and srpt-blockdev options),
# BENCH_BD (0: no backend pairs), BENCH_BD_JOBS (their fio jobs, by name).
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=common.sh
. "$here/common.sh"

BUILD=${1:?usage: bench.sh BUILD_DIR}
ROUNDS=${BENCH_ROUNDS:-2}
RUNTIME=${BENCH_RUNTIME:-8}
SIZE_MB=${BENCH_SIZE_MB:-128}
IDLE_SECS=${BENCH_IDLE_SECS:-10}
CYCLES=${BENCH_CYCLES:-3}
GRID_CH=${BENCH_GRID_CH:-1 4 16}
GRID_QD=${BENCH_GRID_QD:-1 8 32 128}
SRQ_N=${BENCH_SRQ_N:-256}	# shared receive buffers for the SRQ run
SRQ_CH=16			# channels of the SRQ run (and the grid's last)
GRID_RUNTIME=${BENCH_GRID_RUNTIME:-4}
SEQ_QD=${BENCH_SEQ_QD:-8}
LIO_PORT=5555
OURS_PORT=5556
BD_PORT=5557
BD=${BENCH_BD:-1}
BD_JOBS=${BENCH_BD_JOBS:-rr4k_qd1 rw4k_qd1 rr4k_qd32 rw4k_qd32 sr1m sw1m}

bench_init
for v in ROUNDS RUNTIME SIZE_MB IDLE_SECS CYCLES GRID_RUNTIME SEQ_QD; do
	result 0 conf "$v" "${!v}"
done
result 0 conf GRID_CH "$GRID_CH"
result 0 conf GRID_QD "$GRID_QD"
result 0 conf SRQ_CH "$SRQ_CH"
result 0 conf PT_SECS "${BENCH_PT_SECS:-3}"
result 0 conf OURS_ARGS "${BENCH_OURS_ARGS:-none}"
result 0 conf BD "$BD"
result 0 conf BD_JOBS "$BD_JOBS"

guest_rdma_up || die "soft-RoCE setup failed"
lio_setup_ramdisk "$LIO_PORT" "$SIZE_MB" >/dev/null || die "LIO setup failed"
LIO_GUID=$(lio_service_guid) || die "no ib_srpt service GUID"
# BENCH_OURS_ARGS: extra srpt-ramdisk options for experiments (reported).
# shellcheck disable=SC2086 # a list of options
ramdisk_start "$BUILD" "$BENCH_RAW/srpt-ramdisk.log" --port "$OURS_PORT" \
	--size "${SIZE_MB}M" ${BENCH_OURS_ARGS:-} || die "srpt-ramdisk did not start"
OURS_PID=$RAMDISK_PID
blog "LIO on port $LIO_PORT (guid $LIO_GUID), srpt-ramdisk pid $OURS_PID on port $OURS_PORT"
if [ "$BD" = 1 ]; then
	bd_backings "$SIZE_MB" || die "no brd device or tmpfs file for the backend pairs"
	blog "backend pairs on $BD_RAM and $BD_FILE ($SIZE_MB MiB each)"
fi

# The verbs ceiling of this rig: message rates that the per-I/O ceilings
# are derived from (report.sh does the arithmetic). Depth 32 for the small
# messages (the deepest fio queue here; perftest's default of 128 measured
# lower on rxe), 4 for 512 KiB (deeper queues of large messages collapse
# on rxe over veth).
ceiling() {
	local r=$1 spec prog size depth
	for spec in "ib_send_bw 64 32" "ib_send_bw 4096 32" "ib_write_bw 4096 32" \
			"ib_read_bw 4096 32" "ib_write_bw 524288 4" \
			"ib_read_bw 524288 4"; do
		read -r prog size depth <<<"$spec"
		BENCH_PT_PORT=$((BENCH_PT_PORT + 1))
		result "$r" verbs "${prog#ib_}_${size}_mps" \
			"$(perftest_rate "$prog" "$size" "$BENCH_PT_PORT" "$depth")"
	done
	blog "round $r: verbs ceiling measured"
}

# backend_pairs ROUND: LIO iblock, srpt-blockdev on brd, LIO fileio,
# srpt-blockdev on the file, one holder of a backing at a time.
backend_pairs() {
	local r=$1
	lio_on iblock || die "LIO iblock on $BD_RAM failed (round $r)"
	run_target "$r" lio_ib "$BD_JOBS"
	lio_off || die "removing LIO's iblock backstore failed (round $r)"
	bd_start "$BUILD" "$BENCH_RAW/srpt-blockdev-brd-r$r.log" "$BD_RAM" ||
		die "srpt-blockdev on $BD_RAM did not start (round $r)"
	run_target "$r" bd_brd "$BD_JOBS"
	bd_stop || die "srpt-blockdev on $BD_RAM did not stop cleanly (round $r)"
	lio_on fileio || die "LIO fileio on $BD_FILE failed (round $r)"
	run_target "$r" lio_fd "$BD_JOBS"
	lio_off || die "removing LIO's fileio backstore failed (round $r)"
	bd_start "$BUILD" "$BENCH_RAW/srpt-blockdev-file-r$r.log" "$BD_FILE" ||
		die "srpt-blockdev on $BD_FILE did not start (round $r)"
	run_target "$r" bd_file "$BD_JOBS"
	bd_stop || die "srpt-blockdev on $BD_FILE did not stop cleanly (round $r)"
}

# --- memory per channel: a fresh process, no I/O between the samples ----
sleep 1
rss0=$(rss_kb "$OURS_PID")
tgt_login ours || die "first login to srpt-ramdisk failed"
sleep 1
rss1=$(rss_kb "$OURS_PID")
result 0 ours rss_before_login_kb "$rss0"
result 0 ours rss_after_login_kb "$rss1"
result 0 ours rss_channels "$BNCH"
result 0 ours threads "$(ls "/proc/$OURS_PID/task" | wc -l)"
tgt_logout || die "logout failed"
sleep 1
result 0 ours rss_after_logout_kb "$(rss_kb "$OURS_PID")"
blog "RSS ${rss0} kB before login, ${rss1} kB after ($BNCH channels)"

# --- alternating rounds --------------------------------------------------
for r in $(seq 1 "$ROUNDS"); do
	ceiling "$r"
	run_target "$r" lio
	run_target "$r" ours
	[ "$BD" = 1 ] && backend_pairs "$r"
done

# --- idle CPU with a session open ------------------------------------------
idle() {
	local who=$1 pid='' t0 t1 pre=$BENCH_RAW/idle-$1.pre post=$BENCH_RAW/idle-$1.post
	tgt_login "$who" || die "login to $who for the idle run failed"
	[ "$who" = ours ] && pid=$OURS_PID
	sleep 2
	t0=$(now_ms)
	"$BENCH_SAMPLE" "$pre" "$pid"
	sleep "$IDLE_SECS"
	"$BENCH_SAMPLE" "$post" "$pid"
	t1=$(now_ms)
	# Percent of one core: busy ticks over elapsed wall time.
	awk -v ms=$((t1 - t0)) -v hz="$CLK_TCK" -v who="$who" '
		FNR == 1 { k++ }
		$1 == "vm" { v[k] = $2 + $3 + $4 + $7 + $8 + $9 }
		$1 == "proc" { p[k] = $2 + $3 }
		END {
			printf "0\t%s\tidle_vm_pct\t%.2f\n", who, (v[2] - v[1]) / hz * 1e5 / ms
			if ((1 in p) && (2 in p))
				printf "0\t%s\tidle_proc_pct\t%.2f\n", who, (p[2] - p[1]) / hz * 1e5 / ms
		}' "$pre" "$post" >>"$BENCH_RESULTS"
	result 0 "$who" idle_top "$(top_ps "$pre" "$post" $((t1 - t0)) 6 1e5)"
	tgt_logout || die "logout after the idle run failed"
}
idle ours
idle lio
blog "idle CPU measured"

# --- login -> disk visible -> logout, alternating -------------------------
for i in $(seq 1 "$CYCLES"); do
	for who in lio ours; do
		tgt_login "$who" || die "login cycle $i to $who failed"
		t1=$(now_ms)
		t0=$TGT_LOGIN_T0
		tgt_logout || die "logout in cycle $i from $who failed"
		t2=$(now_ms)
		result "$i" "$who" login_visible_ms $((t1 - t0))
		result "$i" "$who" cycle_ms $((t2 - t0))
	done
done
blog "login cycles measured"

# --- scaling: channels x queue depth, srpt-ramdisk only -------------------
for ch in $GRID_CH; do
	rss0=$(rss_kb "$OURS_PID")
	# queue_size=128 so that iodepth 128 is not capped by the initiator's
	# default of 62 commands per channel.
	tgt_login ours "ch_count=$ch,queue_size=128" ||
		die "login with ch_count=$ch failed"
	sleep 1
	result 0 ours "grid_ch${ch}_channels" "$BNCH"
	result 0 ours "grid_ch${ch}_rss_before_kb" "$rss0"
	result 0 ours "grid_ch${ch}_rss_kb" "$(rss_kb "$OURS_PID")"
	specs=()
	for qd in $GRID_QD; do
		specs+=("grid_ch${ch}_qd$qd randread 4k $qd")
	done
	file=$BENCH_RAW/fio-grid-ch$ch.json
	fio_set "$file" "$BDEV" "$GRID_RUNTIME" "$OURS_PID" "${specs[@]}" ||
		gwarn "grid fio ch=$ch failed: $(tail -n 3 "$file.err")"
	record_set 0 ours "$file"
	tgt_logout || die "logout after ch_count=$ch failed"
	blog "scaling: $ch channel(s) done"
done

# The same queue depths against LIO with one channel: a control for what
# the initiator and rxe do at these depths.
specs=()
for qd in $GRID_QD; do
	specs+=("grid_ch1_qd$qd randread 4k $qd")
done
tgt_login lio "ch_count=1,queue_size=128" || die "LIO login with ch_count=1 failed"
result 0 lio grid_ch1_channels "$BNCH"
file=$BENCH_RAW/fio-grid-lio-ch1.json
fio_set "$file" "$BDEV" "$GRID_RUNTIME" "" "${specs[@]}" ||
	gwarn "grid fio on LIO failed: $(tail -n 3 "$file.err")"
record_set 0 lio "$file"
tgt_logout || die "logout from LIO after the grid control failed"
blog "scaling: LIO control done"

# --- a shared receive queue: memory per channel with SRQ_CH channels ----
# A fresh srpt-ramdisk --srq: its pool is made at the first login, so the
# RSS delta holds the pool, spread over the channels, and their command
# contexts; the grid's login with as many channels is the ring-mode twin.
ramdisk_stop || gwarn "srpt-ramdisk did not stop cleanly"
ramdisk_start "$BUILD" "$BENCH_RAW/srpt-ramdisk-srq.log" --port "$OURS_PORT" \
	--size "${SIZE_MB}M" --srq "$SRQ_N" || die "srpt-ramdisk --srq did not start"
OURS_PID=$RAMDISK_PID
sleep 1
rss0=$(rss_kb "$OURS_PID")
tgt_login ours "ch_count=$SRQ_CH,queue_size=128" || die "login to srpt-ramdisk --srq failed"
sleep 1
result 0 ours srq_size "$SRQ_N"
result 0 ours srq_channels "$BNCH"
result 0 ours srq_rss_before_kb "$rss0"
result 0 ours srq_rss_kb "$(rss_kb "$OURS_PID")"
file=$BENCH_RAW/fio-srq.json
fio_set "$file" "$BDEV" "$GRID_RUNTIME" "$OURS_PID" \
	"srq_qd32 randread 4k 32" "srq_qd128 randread 4k 128" ||
	gwarn "fio on srpt-ramdisk --srq failed: $(tail -n 3 "$file.err")"
record_set 0 ours "$file"
tgt_logout || die "logout from srpt-ramdisk --srq failed"
blog "shared receive queue ($SRQ_N buffers, $BNCH channels) measured"

# Initiator-side trouble that stalls I/O for seconds (report.sh lists it).
result 0 guest srp_reconnects "$(dmesg | grep -c 'ib_srp: reconnect succeeded')"
result 0 guest rxe_fastreg_errors "$(dmesg | grep -c 'rxe_reg_fast_mr: .* not free')"

ramdisk_stop || gwarn "srpt-ramdisk did not stop cleanly"
lio_teardown >/dev/null || gwarn "LIO teardown incomplete"
dmesg >"$BENCH_RAW/dmesg.txt" 2>&1
blog "done"
