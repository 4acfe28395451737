#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: profile.tsv (bench/guest/profile.sh) to Markdown.
# usage: profile-report.sh PROFILE.tsv
set -euo pipefail
tsv=${1:?usage: profile-report.sh PROFILE.tsv}

awk -F '\t' '
{
	who = $1; job = $2; key = $3; val = $4
	if (job != "wake" && !(job in seen)) { seen[job] = 1; order[++njobs] = job }
	v[who, job, key] = val
	if (key ~ /^cpu_cpu[0-9]+_us$/) { c = key; sub(/^cpu_/, "", c); sub(/_us$/, "", c); cpus[c] = 1
		cpu[who, job] = cpu[who, job] (cpu[who, job] == "" ? "" : " + ") val; tot[who, job] += val }
	if (key ~ /^switch_/) { s = key; sub(/^switch_/, "", s)
		sw[who, job] = sw[who, job] (sw[who, job] == "" ? "" : ", ") s " " val }
	if (key ~ /^thread_/) { t = key; sub(/^thread_/, "", t); thr[job] = thr[job] " " t }
	if (job == "wake" && key != "ios") { wk[++nwk] = key; wv[key] = val }
}
END {
	print "| job | target | IOPS | mean latency (µs) | guest CPU per I/O, µs (CPU 0 + CPU 1 = all) | context switches per I/O, to |"
	print "|---|---|---:|---:|---|---|"
	for (i = 1; i <= njobs; i++) {
		j = order[i]
		for (w = 1; w <= 2; w++) {
			who = w == 1 ? "lio" : "ours"
			if (!((who, j, "ios") in v)) continue
			printf "| %s | %s | %s | %s | %s = %d | %s |\n", j, who == "lio" ? "LIO" : "srpt-ramdisk",
				v[who, j, "iops"], v[who, j, "clat_us"], cpu[who, j], tot[who, j], sw[who, j]
		}
	}
	print ""
	print "srpt-ramdisk threads that used CPU during each job, per I/O (sleeps: voluntary context switches, i.e. waits in epoll; preempted: involuntary ones):"
	print ""
	print "| job | thread | sleeps, preemptions, CPU | system calls |"
	print "|---|---|---|---|"
	for (i = 1; i <= njobs; i++) {
		j = order[i]
		n = split(thr[j], ts, " ")
		for (k = 1; k <= n; k++)
			printf "| %s | %s | %s | %s |\n", j, ts[k], v["ours", j, "thread_" ts[k]], v["ours", j, "syscalls_" ts[k]]
	}
	if (nwk) {
		print ""
		printf "Wake-ups of srpt-ramdisk threads at iodepth 1 (4K random read, %s I/Os), from sched_wakeup to the switch to the thread:\n\n", v["ours", "wake", "ios"]
		for (k = 1; k <= nwk; k++) { c = wk[k]; gsub(/_/, " ", c); printf "- woken onto the %s as the waker: %s\n", c, wv[wk[k]] }
	}
}' "$tsv"
