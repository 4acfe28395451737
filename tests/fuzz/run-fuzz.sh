#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# run-fuzz.sh BUILD_DIR SECONDS_TOTAL
#
# Runs every fuzz target found in BUILD_DIR/tests/fuzz within SECONDS_TOTAL:
# the stateful fuzzer of the session core (fuzz-core) gets half of it, the
# four codec targets share the other half. Each starts from a copy of its
# seed corpus in a temporary directory (the committed corpus is never
# modified); the core's also holds corpus/core-regress, the scenarios of
# bugs found before. Exits non-zero as soon as a target crashes, leaks or
# fails a check; the input that did it is kept in
# BUILD_DIR/fuzz-artifacts/<target>/ and the log is printed.
#
# Build the targets first (clang only):
#   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
# Smoke run (CI):
#   tests/fuzz/run-fuzz.sh build-fuzz 120
# Long run by hand, e.g. 8 hours on all cores (the core 4 hours, each codec
# target 1 hour):
#   FUZZ_JOBS=$(nproc) tests/fuzz/run-fuzz.sh build-fuzz 28800
# To grow the committed corpus afterwards, merge the temp corpus back:
#   build-fuzz/tests/fuzz/fuzz-cmd -merge=1 tests/fuzz/corpus/cmd NEW_DIR
# To replay one saved crash:
#   build-fuzz/tests/fuzz/fuzz-cmd build-fuzz/fuzz-artifacts/cmd/crash-...
# and, for the core, to see every step it takes:
#   FUZZ_CORE_TRACE=1 build-fuzz/tests/fuzz/fuzz-replay-core crash-...
# To fuzz the core past the bugs it already found (each crash is saved,
# the run goes on):
#   build-fuzz/tests/fuzz/fuzz-core -fork=$(nproc) -ignore_crashes=1 \
#       -max_total_time=600 -artifact_prefix=ART/ CORPUS_COPY
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS_TOTAL" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
total=$2
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-1}
targets="login cmd rsp iu core"

for t in $targets; do
	if [ ! -x "$build/tests/fuzz/fuzz-$t" ]; then
		echo "$build/tests/fuzz/fuzz-$t missing: configure with" \
		     "CC=clang meson setup BUILD_DIR -Dfuzz=true" >&2
		exit 2
	fi
done

# The core runs a whole target per input (about 200 inputs a second,
# against thousands for a codec target) and has far more state to cover.
codec_share=$((total / 8))
[ "$codec_share" -ge 1 ] || codec_share=1
core_share=$((total - 4 * codec_share))
[ "$core_share" -ge 1 ] || core_share=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# -jobs makes libFuzzer write fuzz-N.log into the current directory.
parallel=
[ "$jobs" -le 1 ] || parallel="-jobs=$jobs -workers=$jobs"

status=0
for t in $targets; do
	art="$build/fuzz-artifacts/$t"
	mkdir -p "$tmp/$t" "$art"
	cp "$here/corpus/$t/"* "$tmp/$t/"
	share=$codec_share
	extra=
	if [ "$t" = core ]; then
		cp "$here/corpus/core-regress/"* "$tmp/$t/"
		share=$core_share
		# an input that hangs the core is a bug too
		extra=-timeout=60
	fi
	before=$(find "$art" -type f | wc -l)
	echo "fuzz-$t: ${share}s, $jobs job(s)"
	rc=0
	# shellcheck disable=SC2086
	(cd "$tmp" && "$build/tests/fuzz/fuzz-$t" \
		-max_total_time="$share" $parallel $extra \
		-artifact_prefix="$art/" -print_final_stats=1 \
		"$tmp/$t" >"$tmp/$t.log" 2>&1) || rc=$?
	after=$(find "$art" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
		echo "fuzz-$t FAILED (exit $rc); inputs in $art/" >&2
		cat "$tmp/$t.log" "$tmp"/fuzz-*.log 2>/dev/null | \
			grep -v '^#' | tail -n 60 >&2
		status=1
		break
	fi
	cat "$tmp/$t.log" "$tmp"/fuzz-*.log 2>/dev/null | \
		grep -E 'stat::number_of_executed_units|stat::new_units_added' \
		|| true
	rm -f "$tmp"/fuzz-*.log
done
exit $status
