# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# What the guest scripts of the benchmark (bench.sh, bench-rbd.sh) have
# in common: the guest helpers of tests/guest (lib.sh, lio.sh,
# ramdisk.sh, as guestdir), measure.sh, backends.sh, and logins and fio
# sets by target. Source with $here set to bench/guest. The functions
# need LIO_PORT, LIO_GUID (LIO), OURS_PORT, OURS_PID (srpt-ramdisk),
# BD_PORT (srpt-blockdev, whose bd_start sets BD_PID, BD_ID_EXT,
# BD_GUID), RUNTIME and SEQ_QD. A WHO that starts with "lio" is LIO,
# "ours" srpt-ramdisk, "bd" srpt-blockdev.

# shellcheck disable=SC2154 # here: the sourcing script's
guestdir=$here/../../tests/guest
# shellcheck source=../../tests/guest/lib.sh
. "$guestdir/lib.sh"
# shellcheck source=../../tests/guest/lio.sh
. "$guestdir/lio.sh"
# shellcheck source=../../tests/guest/ramdisk.sh
. "$guestdir/ramdisk.sh"
# shellcheck source=measure.sh
. "$here/measure.sh"
# shellcheck source=backends.sh
. "$here/backends.sh"

# tgt_login lio|ours [ADD_TARGET_OPTS]: log in, wait for the one disk.
# Sets BDEV (/dev/sdX) and BNCH (channels ib_srp opened).
tgt_login() {
	local who=$1 extra=${2:-} h try
	# Both targets have rxe0's GUID as id_ext and ioc_guid, and ib_srp
	# refuses a second login to one while the other's removal is still
	# finishing ("Already connected"), a little after its SCSI host left
	# sysfs: try again for a while.
	for try in 1 2 3 4 5 6 7 8 9 10; do
		# shellcheck disable=SC2034 # bench.sh's login cycle times the last try
		TGT_LOGIN_T0=$(now_ms)
		case $who in
		lio*) srp_login "$GUEST_IP" "$LIO_PORT" "$LIO_GUID" "$LIO_GUID" "" "$extra" ;;
		ours) srp_login "$GUEST_IP" "$OURS_PORT" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" "" "$extra" ;;
		bd*) srp_login "$GUEST_IP" "$BD_PORT" "$BD_ID_EXT" "$BD_GUID" "" "$extra" ;;
		esac >/dev/null 2>"$BENCH_RAW/login.err" && break
		if ! grep -q "Already connected" "$BENCH_RAW/login.err" ||
		   [ "$try" -eq 10 ]; then
			cat "$BENCH_RAW/login.err" >&2
			return 1
		fi
		sleep 1
	done
	srp_wait_disks 1 60 >"$BENCH_RAW/disks.txt" || return 1
	[ "${#SRP_DISKS[@]}" -eq 1 ] || {
		gwarn "expected one SRP disk, have ${SRP_DISKS[*]}"
		return 1
	}
	BDEV=${SRP_DISKS[0]}
	h=${SRP_LAST_PORT##*/port-}
	h=${h%%:*}
	BNCH=$(cat "/sys/class/scsi_host/host$h/ch_count" 2>/dev/null || echo NA)
	# The initiator's I/O scheduler is not what is measured.
	echo none >"/sys/block/${BDEV#/dev/}/queue/scheduler" 2>/dev/null || true
}

tgt_logout() {
	srp_logout_all >/dev/null
}

# record_set ROUND WHO FILE: results of a fio_set run, with CPU per I/O.
record_set() {
	local r=$1 who=$2 file=$3 name ri rc rb rn rm wi wc wb wn wm dir cpu
	while IFS=$'\t' read -r name ri rc rb rn rm wi wc wb wn wm; do
		if [ "${rn:-0}" -gt 0 ] 2>/dev/null; then
			dir=(read "$ri" "$rc" "$rb" "$rn" "$rm")
		else
			dir=(write "$wi" "$wc" "$wb" "$wn" "$wm")
		fi
		result "$r" "$who" "${name}_iops" "${dir[1]}"
		result "$r" "$who" "${name}_clat_us" "${dir[2]}"
		result "$r" "$who" "${name}_MBps" "${dir[3]}"
		result "$r" "$who" "${name}_ios" "${dir[4]}"
		result "$r" "$who" "${name}_clatmax_ms" "${dir[5]}"
		read -r -a cpu < <(cpu_us_per_io "$file.$name.pre" "$file.$name.post" "${dir[4]}")
		result "$r" "$who" "${name}_vmcpu_us" "${cpu[0]:-NA}"
		result "$r" "$who" "${name}_vmsoftirq_us" "${cpu[5]:-NA}"
		result "$r" "$who" "${name}_top" "$(top_ps "$file.$name.pre" "$file.$name.post" "${dir[4]}")"
		while read -r hw d; do
			result "$r" "$who" "${name}_hw_$hw" "$d"
		done < <(hw_deltas "$file.$name.pre" "$file.$name.post")
		case $who in lio*) continue ;; esac
		result "$r" "$who" "${name}_proccpu_us" "${cpu[1]:-NA}"
		result "$r" "$who" "${name}_procusr_us" "${cpu[2]:-NA}"
		result "$r" "$who" "${name}_procsys_us" "${cpu[3]:-NA}"
		result "$r" "$who" "${name}_topthread_us" "${cpu[4]:-NA}"
	done < <(fio_rows "$file")
}

# job_spec NAME: the fio_set spec of one of the round's jobs.
job_spec() {
	case $1 in
	rr4k_qd1) echo "rr4k_qd1 randread 4k 1" ;;
	rw4k_qd1) echo "rw4k_qd1 randwrite 4k 1" ;;
	rr4k_qd32) echo "rr4k_qd32 randread 4k 32" ;;
	rw4k_qd32) echo "rw4k_qd32 randwrite 4k 32" ;;
	sr1m) echo "sr1m read 1m $SEQ_QD" ;;
	sw1m) echo "sw1m write 1m $SEQ_QD" ;;
	*) return 1 ;;
	esac
}

# run_target ROUND WHO [JOB...]: log in to WHO (lio, ours; lio_ib,
# bd_brd, lio_fd, bd_file for the backend pairs), run the jobs (default:
# all six), log out.
run_target() {
	local r=$1 who=$2 file=$BENCH_RAW/fio-r$1-$2.json pid='' j spec specs=()
	shift 2
	# shellcheck disable=SC2048 # job names, split on blanks
	for j in ${*:-rr4k_qd1 rw4k_qd1 rr4k_qd32 rw4k_qd32 sr1m sw1m}; do
		spec=$(job_spec "$j") || die "unknown job $j"
		specs+=("$spec")
	done
	tgt_login "$who" || die "login to $who failed (round $r)"
	result "$r" "$who" channels "$BNCH"
	case $who in
	ours) pid=$OURS_PID ;;
	bd*) pid=$BD_PID ;;
	esac
	fio_set "$file" "$BDEV" "$RUNTIME" "$pid" "${specs[@]}" ||
		gwarn "fio on $who (round $r) failed: $(tail -n 3 "$file.err")"
	record_set "$r" "$who" "$file"
	# srpt-blockdev's channel and target counters, sessions still open.
	case $who in bd*) bd_counters || gwarn "no SIGUSR1 counters from srpt-blockdev" ;; esac
	tgt_logout || die "logout from $who failed (round $r)"
	blog "round $r: $who done ($BNCH channels, $BDEV)"
}

