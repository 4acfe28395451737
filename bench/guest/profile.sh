#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: where an I/O's time goes, LIO ib_srpt against srpt-ramdisk.
# perf's sampling sees only the idle loop under TCG, so this counts instead:
# guest CPU per CPU (/proc/stat), context switches by the task switched to
# and srpt-ramdisk's system calls by thread (tracefs hist triggers), the
# completion threads' sleeps and preemptions (/proc), and the wake-up
# latency of the completion thread at iodepth 1 (sched events). Writes
# $GUEST_OUT/profile/profile.md. Usage: profile.sh BUILD_DIR
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
REPO=$(cd "$here/../.." && pwd -P)
guestdir=$REPO/tests/guest
# shellcheck source=../../tests/guest/lib.sh
. "$guestdir/lib.sh"
# shellcheck source=../../tests/guest/ramdisk.sh
. "$guestdir/ramdisk.sh"
# shellcheck source=../../tests/guest/lio.sh
. "$guestdir/lio.sh"

BUILD=${1:?usage: profile.sh BUILD_DIR}
RUNTIME=${PROFILE_RUNTIME:-5}
LIO_PORT=5555
OURS_PORT=5556
T=/sys/kernel/tracing
out=$(guest_result_dir profile)
tsv=$out/profile.tsv
: >"$tsv"
uname -r >"$out/kernel"

plog() { glog "profile: $*"; }
put() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$tsv"; }

guest_rdma_up || die "soft-RoCE setup failed"
lio_setup_ramdisk "$LIO_PORT" 128 >/dev/null || die "LIO setup failed"
LIO_GUID=$(lio_service_guid) || die "no ib_srpt service GUID"
# shellcheck disable=SC2086 # a list of options
ramdisk_start "$BUILD" "$out/srpt-ramdisk.log" --port "$OURS_PORT" --size 128M \
	${PROFILE_OURS_ARGS:-} || die "srpt-ramdisk did not start"
mountpoint -q "$T" || mount -t tracefs tracefs "$T" || die "no tracefs"

login() {
	local try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		case $1 in
		lio) srp_login "$GUEST_IP" "$LIO_PORT" "$LIO_GUID" "$LIO_GUID" ;;
		ours) srp_login "$GUEST_IP" "$OURS_PORT" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ;;
		esac >/dev/null 2>"$out/login.err" && break
		[ "$try" -lt 10 ] || { cat "$out/login.err" >&2; return 1; }
		sleep 1
	done
	srp_wait_disks 1 60 >"$out/disks.txt" || return 1
	DEV=${SRP_DISKS[0]}
	echo none >"/sys/block/${DEV#/dev/}/queue/scheduler" 2>/dev/null || true
}

# Busy ticks (USER_HZ) of each CPU: everything but idle and iowait.
cpu_ticks() {
	awk '/^cpu[0-9]/ { printf "%s %d\n", $1, $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# Per srpt-ramdisk thread: tid, voluntary and involuntary switches, utime
# + stime in ticks.
thread_stats() {
	local t
	for t in /proc/"$RAMDISK_PID"/task/*; do
		printf '%s %s %s\n' "${t##*/}" \
			"$(awk '/^voluntary_ctxt_switches/ { v = $2 }
				/^nonvoluntary_ctxt_switches/ { n = $2 }
				END { print v, n }' "$t/status")" \
			"$(awk '{ print $14 + $15 }' "$t/stat")"
	done
}

hist_on() {
	echo 'hist:keys=common_pid,id:vals=hitcount' \
		>"$T/events/raw_syscalls/sys_enter/trigger"
	echo 'hist:keys=next_comm:vals=hitcount' >"$T/events/sched/sched_switch/trigger"
}

hist_off() {
	echo '!hist:keys=common_pid,id:vals=hitcount' \
		>"$T/events/raw_syscalls/sys_enter/trigger"
	echo '!hist:keys=next_comm:vals=hitcount' >"$T/events/sched/sched_switch/trigger"
}

# job WHO NAME RW BS QD [FIO OPTIONS...]
job() {
	local who=$1 name=$2 rw=$3 bs=$4 qd=$5 ios f=$out/$1-$2
	shift 5
	hist_on
	cpu_ticks >"$f.cpu0"
	[ "$who" = ours ] && thread_stats >"$f.thr0"
	fio --name="$name" --filename="$DEV" --rw="$rw" --bs="$bs" --iodepth="$qd" \
		--ioengine=libaio --direct=1 --time_based --runtime="$RUNTIME" \
		--norandommap "$@" --output-format=json >"$f.json" 2>"$f.err" ||
		die "fio $who $name failed: $(cat "$f.err")"
	[ "$who" = ours ] && thread_stats >"$f.thr1"
	cpu_ticks >"$f.cpu1"
	cat "$T/events/raw_syscalls/sys_enter/hist" >"$f.sys"
	cat "$T/events/sched/sched_switch/hist" >"$f.sw"
	hist_off
	ios=$(jq '[.jobs[] | .read.total_ios + .write.total_ios] | add' "$f.json")
	put "$who" "$name" ios "$ios"
	put "$who" "$name" iops "$(jq '[.jobs[] | .read.iops + .write.iops] | add | floor' "$f.json")"
	put "$who" "$name" clat_us "$(jq '.jobs[0] | if .read.total_ios > 0 then .read else .write end |
		.clat_ns.mean / 1000 | floor' "$f.json")"
	# Guest CPU per I/O on each CPU, µs (a tick is 10 ms).
	join "$f.cpu0" "$f.cpu1" | while read -r c a b; do
		put "$who" "$name" "cpu_${c}_us" $(((b - a) * 10000 / ios))
	done
	# Context switches per I/O by the task switched to; kernel threads
	# summed by kind, the idle task as "idle".
	awk -v ios="$ios" '/^{ next_comm:/ {
			c = $0; sub(/.*next_comm: */, "", c); sub(/ .*/, "", c)
			n = $0; sub(/.*hitcount: */, "", n)
			sub(/\/.*/, "", c); if (c == "swapper") c = "idle"
			s[c] += n
		}
		END { for (c in s) printf "%s %.2f\n", c, s[c] / ios }' "$f.sw" |
		sort -k2 -n -r | head -n 6 | while read -r c v; do
			put "$who" "$name" "switch_$c" "$v"
		done
	[ "$who" = ours ] || return 0
	# srpt-ramdisk: per thread that worked, sleeps (voluntary switches),
	# preemptions, CPU and system calls per I/O.
	join "$f.thr0" "$f.thr1" | while read -r tid v0 n0 c0 v1 n1 c1; do
		[ $((c1 - c0)) -gt 0 ] || continue
		put ours "$name" "thread_${tid}" "$(awk -v ios="$ios" -v v=$((v1 - v0)) \
			-v n=$((n1 - n0)) -v c=$((c1 - c0)) 'BEGIN {
				printf "sleeps %.3f, preempted %.2f, CPU %d µs", v / ios, n / ios, c * 10000 / ios }')"
		put ours "$name" "syscalls_${tid}" "$(awk -v ios="$ios" -v tid="$tid" '
			BEGIN { split("0 read 1 write 16 ioctl 232 epoll_wait 281 epoll_pwait 202 futex 7 poll", m, " ")
				for (i = 1; i < 14; i += 2) name[m[i]] = m[i + 1] }
			/^{ common_pid:/ {
				p = $0; sub(/.*common_pid: */, "", p); sub(/[ ,].*/, "", p)
				if (p != tid) next
				id = $0; sub(/.*id: */, "", id); sub(/[ }].*/, "", id)
				n = $0; sub(/.*hitcount: */, "", n)
				k = (id in name) ? name[id] : "sys" id
				s[k] += n
			}
			END { sep = ""; for (k in s) { printf "%s%s %.3f", sep, k, s[k] / ios; sep = ", " } }' "$f.sys")"
	done
}

# Wake-up latency of srpt-ramdisk's threads at iodepth 1: from sched_wakeup
# to the switch to the thread, split by whether the waker ran on the CPU
# the thread was woken onto.
wake_profile() {
	local ev
	echo 0 >"$T/tracing_on"
	echo >"$T/trace"
	echo 8192 >"$T/buffer_size_kb"
	for ev in sched/sched_wakeup sched/sched_switch; do
		echo 1 >"$T/events/$ev/enable"
	done
	echo 1 >"$T/tracing_on"
	fio --name=wake --filename="$DEV" --rw=randread --bs=4k --iodepth=1 \
		--ioengine=libaio --direct=1 --time_based --runtime=3 \
		--output-format=json >"$out/wake.json" 2>&1 || die "fio (wake) failed"
	echo 0 >"$T/tracing_on"
	for ev in sched/sched_wakeup sched/sched_switch; do
		echo 0 >"$T/events/$ev/enable"
	done
	awk '
	match($0, /\[[0-9]+\]/) {
		cpu = substr($0, RSTART + 1, RLENGTH - 2) + 0
		rest = substr($0, RSTART + RLENGTH)
		if (!match(rest, /[0-9]+\.[0-9]+:/)) next
		ts = substr(rest, RSTART, RLENGTH - 1) + 0
		if (rest ~ /sched_wakeup: comm=srpt-ramdisk/) {
			match(rest, /pid=[0-9]+/); p = substr(rest, RSTART + 4, RLENGTH - 4)
			match(rest, /target_cpu=[0-9]+/); tc = substr(rest, RSTART + 11, RLENGTH - 11) + 0
			w[p] = ts; k[p] = (cpu == tc) ? "same CPU" : "other CPU"
		} else if (match(rest, /next_comm=srpt-ramdisk next_pid=[0-9]+/)) {
			p = substr(rest, RSTART, RLENGTH); sub(/.*=/, "", p)
			if (!(p in w)) next
			l = (ts - w[p]) * 1e6
			n[k[p]]++; s[k[p]] += l
			if (l >= 1000) slow[k[p]]++
			delete w[p]
		}
	}
	END { for (c in n) printf "%s\t%d\t%.0f\t%d\n", c, n[c], s[c] / n[c], slow[c] }' \
		"$T/trace" | while IFS=$'\t' read -r c cnt mean slow; do
		put ours wake "${c// /_}" "$cnt wake-ups, mean $mean µs, $slow of them 1 ms or more"
	done
	put ours wake ios "$(jq '.jobs[0].read.total_ios' "$out/wake.json")"
	echo >"$T/trace"
}

for who in lio ours; do
	plog "$who"
	login "$who" || die "login to $who failed"
	job "$who" rr4k_qd1 randread 4k 1
	job "$who" rr4k_qd32 randread 4k 32
	job "$who" rw4k_qd32 randwrite 4k 32
	job "$who" sr1m_qd8 read 1m 8
	# fio held on CPU 0: whatever runs on CPU 1 then is the target's.
	job "$who" sr1m_qd8_fio_on_cpu0 read 1m 8 --cpus_allowed=0
	job "$who" rr4k_qd16x2 randread 4k 16 --numjobs=2
	[ "$who" = ours ] && wake_profile
	srp_logout_all >/dev/null
done
ramdisk_stop || die "srpt-ramdisk did not stop cleanly"
lio_teardown >/dev/null || gwarn "LIO teardown incomplete"
plog "done"
