#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Runs every test of libsrpt on a fresh machine: installs what it needs,
# builds with -Werror, runs the unit tests, the same tests under
# ASan+UBSan, the concurrency tests under TSan, the fuzzers for a bounded
# time, the install test, the Debian packages (built, extracted into a
# throwaway root, built against, lintian), and the soft-RoCE guest tests
# (the Linux kernel SRP initiator against srpt-ramdisk). Exits non-zero on
# any failure.
#
# Environment: FUZZ_SECONDS (default 60), SKIP_GUEST=1 to leave the guest
# out (only for quick local runs; CI runs everything).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
failures=()
passed=0

# Each step's output is also kept, so that a failure is summed up again at
# the very end: CI may show only the tail of a long run, and the reason
# for a failure 30 minutes earlier must be in it.
steplog=$(mktemp /tmp/srpt-test-step.XXXXXX)
digest=$(mktemp /tmp/srpt-test-digest.XXXXXX)
trap 'rm -f "$steplog" "$digest"' EXIT

step() {
	local name=$1 rc
	shift
	echo "=== $name"
	local t0=$SECONDS
	set +e
	"$@" 2>&1 | tee "$steplog"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -eq 0 ]; then
		echo "=== $name: ok ($((SECONDS - t0)) s)"
		passed=$((passed + 1))
	else
		echo "=== $name: FAILED ($((SECONDS - t0)) s)"
		failures+=("$name")
		{
			echo "---- $name (exit $rc): what failed"
			grep -E 'FAIL|TIMEOUT|ERROR|[Ee]rror:|Assertion|SUMMARY:|runtime error|LeakSanitizer' \
				"$steplog" | grep -v -E '^ *(Fail|Timeout|Unexpected Pass|Expected Fail): +0 *$' |
				head -n 40
			echo "---- $name: last 40 lines"
			tail -n 40 "$steplog"
		} >>"$digest"
	fi
}

setup() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; return 1; }
}

build() {
	local dir=$1
	shift
	setup "$dir" "$@" && ninja -C "$dir"
}

unit() {
	meson test -C "$1" --suite unit --print-errorlogs --num-processes 2 "${@:2}"
}

unit_asan() {
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 unit build-asan
}

tsan_tests() {
	meson test -C build-tsan \
		--suite core --suite rdma --suite blockdev --print-errorlogs
}

build_fuzz() {
	CC=clang build build-fuzz -Dfuzz=true -Dtests=enabled
}

scripts/install-deps.sh --guest

step "build (gcc, -Werror)" build build-ci --werror -Dbuildtype=debugoptimized
step "unit tests" unit build-ci
step "stage profile counts every stage (bench)" meson test -C build-ci \
	--suite bench --print-errorlogs --num-processes 1
step "build (ASan+UBSan)" build build-asan --werror -Db_sanitize=address,undefined \
	-Db_lundef=false
step "unit tests under ASan+UBSan" unit_asan
step "build (TSan)" build build-tsan -Db_sanitize=thread -Db_lundef=false
step "concurrency tests under TSan (core, rdma, blockdev)" tsan_tests
step "build (clang, libFuzzer)" build_fuzz
step "fuzz ${FUZZ_SECONDS} s" tests/fuzz/run-fuzz.sh build-fuzz "$FUZZ_SECONDS"
step "install test" tests/install/install-test.sh
step "Debian packages (dpkg-buildpackage, extract, build against, lintian)" \
	tests/install/deb-test.sh
if [ "${SKIP_GUEST:-0}" != 1 ]; then
	step "soft-RoCE guest: kernel initiator vs srpt-ramdisk (ASan build)" \
		tests/guest/run-ramdisk-tests.sh "$src/build-asan"
	step "soft-RoCE guest: blktests-style scenarios vs srpt-ramdisk (ASan build)" \
		tests/guest/run-blk-tests.sh "$src/build-asan"
	step "soft-RoCE guest: srp-hostile, login storms (ASan build)" \
		tests/guest/run-hostile-tests.sh "$src/build-asan" "$src/build-ci"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	cat "$digest"
	echo
	printf 'failed: %s\n' "${failures[@]}"
	echo "$passed passed, ${#failures[@]} failed"
	exit 1
fi
echo "$passed passed, 0 failed"
