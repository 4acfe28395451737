#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# CPU and RDMA counter sample for bench.sh, run by fio's exec_prerun and
# exec_postrun (so it must be cheap: a handful of processes). Writes to FILE
# lines of clock ticks and counters:
#   vm USER NICE SYSTEM IDLE IOWAIT IRQ SOFTIRQ STEAL   (/proc/stat "cpu")
#   proc UTIME STIME          PID, all of its threads (absent without PID)
#   task TID UTIME STIME      each thread of PID
#   ps PID COMM UTIME STIME   every process and kernel thread of the guest
#   hw NAME VALUE             the RDMA device's hardware counters
# usage: sample.sh FILE [PID]
f=$1
pid=${2:-}
{
	echo @vm
	grep '^cpu ' /proc/stat
	echo @ps
	cat /proc/[0-9]*/stat 2>/dev/null
	if [ -n "$pid" ]; then
		echo @proc
		cat "/proc/$pid/stat" 2>/dev/null
		echo @task
		cat /proc/"$pid"/task/*/stat 2>/dev/null
	fi
	echo @hw
	grep -H . /sys/class/infiniband/*/ports/1/hw_counters/* 2>/dev/null
} | awk '
	/^@/ { sec = substr($0, 2); next }
	sec == "vm" { $1 = "vm"; print; next }
	sec == "hw" { n = split($0, a, ":"); k = a[1]; sub(/^.*\//, "", k); print "hw", k, a[n]; next }
	{
		# "PID (COMM) STATE ...": COMM may hold spaces and parentheses.
		id = $1
		comm = $0
		sub(/^[0-9]+ \(/, "", comm)
		rest = comm
		sub(/\) [^)]*$/, "", comm)
		gsub(/[^A-Za-z0-9_.:\/-]/, "_", comm)
		sub(/^.*\) /, "", rest)
		split(rest, x, " ")
		if (sec == "ps")
			print "ps", id, comm, x[12], x[13]
		else if (sec == "proc")
			print "proc", x[12], x[13]
		else if (sec == "task")
			print "task", id, x[12], x[13]
	}' >"$f"
