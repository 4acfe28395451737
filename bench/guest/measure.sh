# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Measuring helpers for bench.sh (inside the guest). Source after
# tests/guest/lib.sh. Every figure goes to $BENCH_RESULTS as one line
# "ROUND<TAB>WHO<TAB>METRIC<TAB>VALUE"; report.sh turns that into the table.
# A value that could not be measured is written as NA, never guessed.

BENCH_PT_PORT=${BENCH_PT_PORT:-18600}

# bench_init: $GUEST_OUT/run/raw (BENCH_RAW) and an empty
# $GUEST_OUT/run/results.tsv (BENCH_RESULTS), then the guest's CPUs,
# kernel and memory as the first figures.
bench_init() {
	local out
	out=$(guest_result_dir run)
	BENCH_RAW=$out/raw
	mkdir -p "$BENCH_RAW"
	BENCH_RESULTS=$out/results.tsv
	: >"$BENCH_RESULTS"
	export BENCH_RAW BENCH_RESULTS
	result 0 guest nproc "$(nproc)"
	result 0 guest kernel "$(uname -r)"
	result 0 guest mem_mb "$(awk '$1 == "MemTotal:" { printf "%d", $2 / 1024 }' /proc/meminfo)"
}

# result ROUND WHO METRIC VALUE
result() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-NA}" >>"${BENCH_RESULTS:?}"
}

blog() {
	glog "bench: $*"
}

now_ms() {
	local ns
	ns=$(date +%s%N)
	printf '%s\n' "$((ns / 1000000))"
}

rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

CLK_TCK=$(getconf CLK_TCK)
export CLK_TCK
BENCH_SAMPLE=$(dirname "${BASH_SOURCE[0]}")/sample.sh

# fio_set FILE DEV RUNTIME SAMPLE_PID SPEC...: one fio run of several jobs
# one after the other (fio starts slowly under TCG, so once per set). Each
# SPEC is "NAME RW BS IODEPTH". Around each job, sample.sh writes CPU
# samples to FILE.NAME.pre / FILE.NAME.post. JSON goes to FILE.
fio_set() {
	local file=$1 dev=$2 rt=$3 pid=$4 spec name rw bs qd n=0 jobs
	shift 4
	jobs=$file.fio
	{
		printf '[global]\nfilename=%s\nioengine=libaio\ndirect=1\n' "$dev"
		printf 'time_based\nruntime=%s\nnorandommap\nrandrepeat=0\n' "$rt"
		printf 'numjobs=1\nstonewall\n'
		for spec in "$@"; do
			read -r name rw bs qd <<<"$spec"
			printf '\n[%s]\nrw=%s\nbs=%s\niodepth=%s\n' "$name" "$rw" "$bs" "$qd"
			printf 'exec_prerun=%s %s %s\n' "$BENCH_SAMPLE" "$file.$name.pre" "$pid"
			printf 'exec_postrun=%s %s %s\n' "$BENCH_SAMPLE" "$file.$name.post" "$pid"
			n=$((n + 1))
		done
	} >"$jobs"
	# fio leaves <job>.prerun.txt files in its working directory.
	(cd "$(dirname "$file")" && timeout -k 5 $((n * (rt + 60))) fio \
		--output-format=json --output="$file" "$jobs" >/dev/null 2>"$file.err")
}

# fio_rows FILE: "NAME read_iops read_clat_us read_MBps read_ios
# read_clatmax_ms write_iops write_clat_us write_MBps write_ios
# write_clatmax_ms" per job of a fio_set run.
fio_rows() {
	jq -r '.jobs[] | [.jobname,
		.read.iops, .read.clat_ns.mean / 1000, .read.bw_bytes / 1000000,
		.read.total_ios, .read.clat_ns.max / 1000000,
		.write.iops, .write.clat_ns.mean / 1000, .write.bw_bytes / 1000000,
		.write.total_ios, .write.clat_ns.max / 1000000] | @tsv' "$1" 2>/dev/null
}

# cpu_us_per_io PRE POST IOS: "VM PROC USER SYS TOP SOFTIRQ", CPU
# microseconds per I/O from two sample.sh files: the whole guest (busy =
# user nice system irq softirq steal), the sampled process (all threads,
# then user and system time apart), its busiest thread, and the guest's
# softirq time alone. NA where a figure is missing.
cpu_us_per_io() {
	awk -v n="$3" -v hz="$CLK_TCK" '
		function us(t) { return n > 0 ? sprintf("%.1f", t * 1e6 / hz / n) : "NA" }
		FNR == 1 { k++ }
		$1 == "vm" { v[k] = $2 + $3 + $4 + $7 + $8 + $9; sirq[k] = $8 }
		$1 == "proc" { u[k] = $2; s[k] = $3 }
		$1 == "task" { if (k == 1) t0[$2] = $3 + $4; else if ($3 + $4 - t0[$2] > top) top = $3 + $4 - t0[$2] }
		END {
			vm = (1 in v) && (2 in v) ? us(v[2] - v[1]) : "NA"
			si = (1 in v) && (2 in v) ? us(sirq[2] - sirq[1]) : "NA"
			if ((1 in u) && (2 in u))
				print vm, us(u[2] + s[2] - u[1] - s[1]), us(u[2] - u[1]),
				      us(s[2] - s[1]), us(top), si
			else
				print vm, "NA NA NA NA", si
		}' "$1" "$2"
}

# top_ps PRE POST IOS [N] [SCALE]: the N (default 6) processes or kernel
# threads of the guest that used the most CPU between two sample.sh files,
# as "COMM=VALUE ..." (kernel threads of one kind summed, e.g. kworker).
# VALUE is microseconds per I/O; with SCALE 1e5 and IOS set to the elapsed
# milliseconds it is percent of one core.
top_ps() {
	awk -v n="$3" -v hz="$CLK_TCK" -v want="${4:-6}" -v scale="${5:-1e6}" '
		FNR == 1 { k++ }
		$1 != "ps" { next }
		k == 1 { t0[$2] = $4 + $5; next }
		{
			c = $3
			sub(/\/.*$/, "", c)	# kworker/0:1-events -> kworker
			d[c] += $4 + $5 - (($2 in t0) ? t0[$2] : 0)
		}
		END {
			if (n <= 0)
				exit
			for (i = 1; i <= want; i++) {
				best = ""
				for (c in d)
					if (d[c] > 0 && (best == "" || d[c] > d[best]))
						best = c
				if (best == "")
					break
				printf (scale == 1e6 ? "%s%s=%.0f" : "%s%s=%.2f"), (i > 1 ? " " : ""), best, d[best] * scale / hz / n
				delete d[best]
			}
			print ""
		}' "$1" "$2"
}

# hw_deltas PRE POST: "NAME DELTA" for every RDMA hardware counter that
# moved between two sample.sh files.
hw_deltas() {
	awk '$1 == "hw" { if (NR == FNR) a[$2] = $3; else if ($3 != a[$2]) print $2, $3 - a[$2] }' \
		"$1" "$2"
}

# perftest_rate PROG SIZE PORT DEPTH: messages per second of one perftest
# bandwidth run (server and client both here, RDMA/CM, loopback over rxe0)
# with DEPTH work requests in flight, measured over BENCH_PT_SECS after a
# one-second margin at each end. Prints NA when it failed.
perftest_rate() {
	local prog=$1 size=$2 port=$3 depth=$4 secs=$((${BENCH_PT_SECS:-3} + 2))
	local base=$BENCH_RAW/pt-$prog-$size-$port rate spid try
	local args=(-d "$RXE_DEV" -R -F -f 1 -D "$secs" -s "$size" -p "$port" -t "$depth")
	[ "$prog" != ib_read_bw ] || args+=(-o "$depth")
	timeout -k 5 $((secs + 40)) "$prog" "${args[@]}" >"$base.server" 2>&1 &
	spid=$!
	for try in 1 2 3; do
		sleep 0.5
		timeout -k 5 $((secs + 30)) "$prog" "${args[@]}" "$GUEST_IP" \
			>"$base.client" 2>&1
		grep -q "Unable to init the socket connection" "$base.client" ||
			break
		gwarn "perftest $prog -s $size: client could not connect (try $try)"
	done
	wait "$spid" 2>/dev/null
	# The result line: #bytes #iterations peak avg[MiB/s] MsgRate[Mpps];
	# the rate comes from the average bandwidth, which has more digits.
	rate=$(awk -v s="$size" '$1 == s && NF >= 5 && $4 ~ /^[0-9.]+$/ && $4 > 0 {
		printf "%.0f\n", $4 * 1048576 / s }' "$base.client" | tail -n 1)
	printf '%s\n' "${rate:-NA}"
}
