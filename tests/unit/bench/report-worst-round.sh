#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# bench/guest/report.sh judges a goal on its worst round: a run whose
# median meets a goal but one of whose rounds does not must say "not met".
# usage: report-worst-round.sh SRCDIR
set -euo pipefail
src=${1:?usage: report-worst-round.sh SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Three rounds. Per round: LIO, ours, and verbs rates that put the random
# write ceiling at 1000 IOPS, so its ">= 90 % of ceiling" part holds in
# every round and only the ratio to LIO decides.
{
	printf '0\tconf\tROUNDS\t3\n'
	for r in 1 2 3; do
		printf '%s\tverbs\tsend_bw_64_mps\t2000\n' $r
		printf '%s\tverbs\tsend_bw_4096_mps\t2000\n' $r
		printf '%s\tverbs\twrite_bw_4096_mps\t1000000\n' $r
		printf '%s\tverbs\twrite_bw_524288_mps\t1000\n' $r
		printf '%s\tverbs\tread_bw_524288_mps\t1000\n' $r
		printf '%s\tlio\trw4k_qd32_iops\t1000\n' $r
		printf '%s\tlio\tsr1m_MBps\t100\n' $r
		printf '%s\tlio\tsw1m_MBps\t100\n' $r
		printf '%s\tlio\trw4k_qd1_clat_us\t100\n' $r
	done
	# random writes: 1.4x, 1.4x, then 1.0x LIO: the median meets 1.3x
	printf '1\tours\trw4k_qd32_iops\t1400\n2\tours\trw4k_qd32_iops\t1400\n3\tours\trw4k_qd32_iops\t1000\n'
	# sequential reads: 1.25x in every round: met
	printf '1\tours\tsr1m_MBps\t125\n2\tours\tsr1m_MBps\t125\n3\tours\tsr1m_MBps\t125\n'
	# sequential writes: 1.1x, 1.5x, 1.5x: the median meets 1.2x
	printf '1\tours\tsw1m_MBps\t110\n2\tours\tsw1m_MBps\t150\n3\tours\tsw1m_MBps\t150\n'
	# write latency at qd1: 0.9, 0.9, 1.2 of LIO's: the median is below
	printf '1\tours\trw4k_qd1_clat_us\t90\n2\tours\trw4k_qd1_clat_us\t90\n3\tours\trw4k_qd1_clat_us\t120\n'
} >"$tmp/results.tsv"

"$src/bench/guest/report.sh" "$tmp/results.tsv" >"$tmp/report.md"

fail=0
expect() {	# FIGURE-PREFIX VERDICT RATIO-CELL
	local line
	line=$(grep -F "| $1" "$tmp/report.md" | head -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: no row '$1'"; fail=1; return
	fi
	case $line in
	*"| **$2** |"* | *"| **$2** ("*) ;;
	*) echo "FAIL: '$1' should be '$2': $line"; fail=1 ;;
	esac
	case $line in
	*"$3"*) ;;
	*) echo "FAIL: '$1' should show '$3': $line"; fail=1 ;;
	esac
}
expect "4K randwrite qd32 (IOPS)" "not met" "1.40x (worst 1.00x)"
expect "1 MiB seq read (MB/s)" "met" "1.25x (worst 1.25x)"
expect "1 MiB seq write (MB/s)" "not met" "1.50x (worst 1.10x)"
expect "4K randwrite qd1, clat mean" "not met" "0.90x (worst 1.20x)"
grep -q "met in every one of the 3 rounds" "$tmp/report.md" ||
	{ echo "FAIL: the table does not say how verdicts are taken"; fail=1; }
[ $fail = 0 ] && echo "ok: goals are judged on their worst round"
exit $fail
