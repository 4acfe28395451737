# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Guest helpers to run this tree's srpt-ramdisk, or with
# TARGET_PROG=srpt-blockdev the other example target. Source after lib.sh.
# ramdisk_start BUILD LOG [ARGS...]: starts it on $GUEST_IP (or, with
#   RAMDISK_BIND=any, on its default any-address), waits for its
#   add_target line, sets RAMDISK_PID, RAMDISK_LINE, RAMDISK_ID_EXT,
#   RAMDISK_GUID.
# ramdisk_stop: SIGTERM, waits; fails unless it exits 0 (and, for an ASan
#   build, without a leak report).
# ramdisk_alive: dies unless it still runs and its log has no sanitizer
#   report.
# ramdisk_rss, ramdisk_rss_idle, ramdisk_fds: its VmRSS (kB), the same
#   once it has settled, its number of open descriptors.

ramdisk_start() {
	local build=$1 log=$2
	shift 2
	local prog=${TARGET_PROG:-srpt-ramdisk}
	local bin=$build/examples/$prog/$prog
	[ -x "$bin" ] || { gwarn "no $bin"; return 1; }
	RAMDISK_LOG=$log
	local bind=(--bind "$GUEST_IP")
	[ "${RAMDISK_BIND:-}" = any ] && bind=()
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$bin" "${bind[@]}" "$@" >"$log.out" 2>"$log" &
	RAMDISK_PID=$!
	if ! wait_until 20 grep -q "add_target:" "$log.out"; then
		gwarn "$prog did not print its add_target line"
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

ramdisk_alive() {
	kill -0 "$RAMDISK_PID" 2>/dev/null ||
		die "srpt-ramdisk ($RAMDISK_LOG) is gone: $(tail -n 30 "$RAMDISK_LOG")"
	! grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$RAMDISK_LOG" ||
		die "sanitizer report in $RAMDISK_LOG: $(grep -m1 -A30 "Sanitizer\|runtime error" "$RAMDISK_LOG")"
}

ramdisk_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$RAMDISK_PID/status"
}

# VmRSS once two readings a second apart agree within 64 kB (at most
# 10 s): channels still closing are not counted.
ramdisk_rss_idle() {
	local a b _
	b=$(ramdisk_rss)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 1
		a=$b
		b=$(ramdisk_rss)
		[ $((b - a)) -gt 64 ] || [ $((a - b)) -gt 64 ] || break
	done
	printf '%s\n' "$b"
}

ramdisk_fds() {
	find "/proc/$RAMDISK_PID/fd" -mindepth 1 -maxdepth 1 | wc -l
}
