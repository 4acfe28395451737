# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Guest helpers to run this tree's srpt-ramdisk. Source after lib.sh.
# ramdisk_start BUILD LOG [ARGS...]: starts it on $GUEST_IP (or, with
#   RAMDISK_BIND=any, on its default any-address), waits for its
#   add_target line, sets RAMDISK_PID, RAMDISK_LINE, RAMDISK_ID_EXT,
#   RAMDISK_GUID.
# ramdisk_stop: SIGTERM, waits; fails unless it exits 0 (and, for an ASan
#   build, without a leak report).

ramdisk_start() {
	local build=$1 log=$2
	shift 2
	local bin=$build/examples/srpt-ramdisk/srpt-ramdisk
	[ -x "$bin" ] || { gwarn "no $bin"; return 1; }
	RAMDISK_LOG=$log
	local bind=(--bind "$GUEST_IP")
	[ "${RAMDISK_BIND:-}" = any ] && bind=()
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$bin" "${bind[@]}" "$@" >"$log.out" 2>"$log" &
	RAMDISK_PID=$!
	if ! wait_until 20 grep -q "add_target:" "$log.out"; then
		gwarn "srpt-ramdisk did not print its add_target line"
		cat "$log" >&2
		return 1
	fi
	RAMDISK_LINE=$(grep "add_target:" "$log.out")
	RAMDISK_ID_EXT=$(sed -n 's/.*id_ext=\([0-9a-f]*\).*/\1/p' <<<"$RAMDISK_LINE")
	RAMDISK_GUID=$(sed -n 's/.*ioc_guid=\([0-9a-f]*\).*/\1/p' <<<"$RAMDISK_LINE")
	export RAMDISK_PID RAMDISK_LINE RAMDISK_ID_EXT RAMDISK_GUID RAMDISK_LOG
}

ramdisk_stop() {
	local rc=0
	RAMDISK_LEAK_NOTE=""
	kill -TERM "$RAMDISK_PID" 2>/dev/null || return 1
	wait_until 30 sh -c "! kill -0 $RAMDISK_PID 2>/dev/null" || {
		gwarn "srpt-ramdisk did not exit within 30 s of SIGTERM"
		kill -9 "$RAMDISK_PID" 2>/dev/null
		return 1
	}
	wait "$RAMDISK_PID" || rc=$?
	if [ $rc -ne 0 ]; then
		gwarn "srpt-ramdisk exited with $rc"
		tail -n 50 "$RAMDISK_LOG" >&2
		return 1
	fi
	if grep -q "ERROR: LeakSanitizer\|ERROR: AddressSanitizer" "$RAMDISK_LOG"; then
		gwarn "sanitizer report in srpt-ramdisk's log"
		tail -n 80 "$RAMDISK_LOG" >&2
		return 1
	fi
	grep -q "AddressSanitizer" "$(dirname "$RAMDISK_LOG")/../asan-marker" 2>/dev/null &&
		RAMDISK_LEAK_NOTE=" (ASan build, no leak)"
	return 0
}
