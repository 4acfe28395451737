#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# bench/guest/report.sh on the figures of `run-bench.sh --rbd`: the
# ratio to LIO on krbd is the median of the per-round ratios with the
# worst round beside it, the verdict is taken on the worst round, and the
# takeover lines give the longest fio completion latency of each kill
# and their median and maximum.
# usage: report-rbd.sh SRCDIR
set -euo pipefail
src=${1:?usage: report-rbd.sh SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
	printf '0\tconf\tRBD\t1\n0\tconf\tROUNDS\t3\n0\tconf\tKILLS\t3\n'
	printf '0\tconf\tRBD_JOBS\trr4k_qd32 rw4k_qd32\n'
	for r in 1 2 3; do
		printf '%s\tlio_rbd\trr4k_qd32_iops\t1000\n' $r
		printf '%s\tlio_rbd\trw4k_qd32_iops\t1000\n' $r
	done
	# reads: 1.2x, 1.1x, 1.3x: met in every round
	printf '1\tbd_rbd\trr4k_qd32_iops\t1200\n2\tbd_rbd\trr4k_qd32_iops\t1100\n3\tbd_rbd\trr4k_qd32_iops\t1300\n'
	# writes: 1.5x, 0.9x, 1.2x: the median meets 1.0x, one round does not
	printf '1\tbd_rbd\trw4k_qd32_iops\t1500\n2\tbd_rbd\trw4k_qd32_iops\t900\n3\tbd_rbd\trw4k_qd32_iops\t1200\n'
	printf '1\ttakeover\tclatmax_ms\t4100\n2\ttakeover\tclatmax_ms\t6900\n3\ttakeover\tclatmax_ms\t5000\n'
	printf '1\ttakeover\tkilled\tP1\n2\ttakeover\tkilled\tP2\n'
	printf '1\ttakeover\tlock_ms\t3000\n2\ttakeover\tlock_ms\t3700\n3\ttakeover\tlock_ms\t2000\n'
} >"$tmp/results.tsv"

"$src/bench/guest/report.sh" "$tmp/results.tsv" >"$tmp/report.md"

fail=0
expect() {	# FIXED-STRING: a line of the report has it
	grep -qF -- "$1" "$tmp/report.md" || { echo "FAIL: no '$1'"; fail=1; }
}
expect "| 4K randread qd32 (IOPS) | 1000 | 1200 | 1.20x (worst 1.10x) | >= 1.0x LIO on krbd | **met** |"
expect "| 4K randwrite qd32 (IOPS) | 1000 | 1200 | 1.20x (worst 0.90x) | >= 1.0x LIO on krbd | **not met** |"
expect "| 2 | P2 | 3700 | 6900 | n/a |"
expect "median 5000 ms, longest 6900 ms over 3 kills"
expect "lock taken over: median 3000 ms, longest 3700 ms"
[ $fail = 0 ] || { cat "$tmp/report.md"; exit 1; }
echo "ok: the RBD report takes ratios per round and judges the worst"
