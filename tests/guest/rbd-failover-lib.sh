# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Two srpt-blockdev processes with --rbd-lock on one RBD image, as ALUA
# port groups 1 (P1) and 2 (P2) under dm-multipath: the owner of the
# image's lock is active/optimized (priority 50), the other standby
# (priority 1, a ghost path). Used by blockdev-rbd-failover.sh (the
# failover test) and bench/guest/bench-rbd.sh (the takeover row). Source
# after lib.sh, ramdisk.sh and blk-lib.sh, with multipathd running
# (blk_multipathd_start), CEPH_CONF set, $BLK_OUT, $BLK_BUILD, note and
# blk_fail.
#
# rbdfo_pair_up IMAGE: starts P1 (which must take the lock), then P2,
#   logs in to both, waits for one map: RBDFO_MAP, RBDFO_WWID.
# rbdfo_state NAME: the last ALUA state NAME's log names.
# rbdfo_active: the name of the active/optimized process (P1 or P2).
# rbdfo_kill_active: SIGKILL to the active process, waits until the other
#   has taken the lock over and the initiator sees its path
#   active/optimized: RBDFO_KILLED, RBDFO_SURVIVOR, RBDFO_TOOK_MS (from
#   the SIGKILL to the survivor's active/optimized in its log).
# rbdfo_restart NAME: starts NAME again, waits (90 s) for the map to be
#   one active/optimized and one standby path again; returns 1 if not.
# rbdfo_pair_down: flushes the map, logs out, SIGTERM to both (exit 0;
#   one that is no longer running is skipped).
# fio_clat_max_ms FILE...: the longest completion latency in fio's text
#   output (any job, read or write), milliseconds.

# RBDFO_* and RAMDISK_PID, RAMDISK_LOG are for the caller and
# ramdisk_stop; RAMDISK_ID_EXT, RAMDISK_GUID are ramdisk_start's.
# shellcheck disable=SC2034,SC2153

# Each process: NAME -> PORT GUID GROUP.
declare -A rbdfo_args=(
	[P1]="5571 c3c3c3c3c3c3c3c3 1"
	[P2]="5572 d4d4d4d4d4d4d4d4 2"
)
RBDFO_IMAGE=

rbdfo_run() {	# NAME
	local a
	read -r -a a <<<"${rbdfo_args[$1]}"
	alua_run "$1" "${a[0]}" "${a[1]}" --alua-group "${a[2]}" --rbd-lock \
		--ceph-conf "$CEPH_CONF" "rbd:$RBDFO_IMAGE"
}

rbdfo_state() {
	local log=${1}_LOG
	grep -o "ALUA port group [0-9]*: [a-z/]*" "${!log}" | tail -n 1 | awk '{ print $5 }'
}

_rbdfo_active() { [ "$(rbdfo_state "$1")" = active/optimized ]; }

rbdfo_active() {
	if _rbdfo_active P1; then echo P1; else echo P2; fi
}

_rbdfo_start() {	# NAME: started, logged in
	local a
	rbdfo_run "$1"
	read -r -a a <<<"${rbdfo_args[$1]}"
	srp_login "$GUEST_IP" "${a[0]}" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
		blk_fail "login to srpt-blockdev $1 failed"
	printf -v "${1}_PORT" '%s' "$SRP_LAST_PORT"
}

# One map: the owner's path at priority 50, the standby's at 1.
_rbdfo_map() {
	[ "$(alua_paths | awk '$3 == "active" && $4 == "ready" && $5 == 50' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$4 == "ghost" && $5 == 1' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$5 == 50 || $5 == 1 { print $2 }' | sort -u | wc -l)" -eq 1 ]
}

rbdfo_pair_up() {
	RBDFO_IMAGE=${1:?pool/image}
	_rbdfo_start P1
	wait_until 20 _rbdfo_active P1 ||
		blk_fail "the first process did not take the image's lock: $(tail -n 5 "$P1_LOG")"
	_rbdfo_start P2
	blk_fast_failover "$P1_PORT" "$P2_PORT"
	blk_wait_map _rbdfo_map "an active/optimized and a standby path"
	RBDFO_WWID=$BLK_MAP_WWID RBDFO_MAP=$BLK_MAP
}

rbdfo_kill_active() {
	local pid_var log_var k0
	RBDFO_KILLED=$(rbdfo_active)
	if [ "$RBDFO_KILLED" = P1 ]; then RBDFO_SURVIVOR=P2; else RBDFO_SURVIVOR=P1; fi
	pid_var=${RBDFO_KILLED}_PID
	log_var=${RBDFO_SURVIVOR}_LOG
	k0=$(_now_cs)
	kill -9 "${!pid_var}"
	wait "${!pid_var}" 2>/dev/null || true
	wait_until 30 _rbdfo_active "$RBDFO_SURVIVOR" || {
		tail -n 20 "${!log_var}" >&2
		blk_fail "$RBDFO_SURVIVOR did not take the lock over within 30 s of SIGKILL to $RBDFO_KILLED"
	}
	RBDFO_TOOK_MS=$((($(_now_cs) - k0) * 10))
	wait_until 60 sh -c "multipathd show paths raw format '%w %t %p' | awk -v w='$RBDFO_WWID' '\$1 == w && \$2 == \"active\" && \$3 == 50' | grep -q ." || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "the initiator does not see $RBDFO_SURVIVOR active/optimized"
	}
}

rbdfo_restart() {
	rbdfo_run "$1"
	wait_until 90 _rbdfo_map || {
		alua_paths >&2; multipath -ll >&2
		return 1
	}
}

rbdfo_pair_down() {
	local n pid_var log_var
	multipath -f "${RBDFO_MAP##*/}" >/dev/null 2>&1 || gwarn "multipath -f ${RBDFO_MAP##*/} failed"
	srp_logout_all || blk_fail "logout (RBD failover) failed"
	for n in P1 P2; do
		pid_var=${n}_PID log_var=${n}_LOG
		# The benchmark does not restart the process it killed last.
		kill -0 "${!pid_var}" 2>/dev/null || continue
		RAMDISK_PID=${!pid_var} RAMDISK_LOG=${!log_var}
		ramdisk_stop || blk_fail "srpt-blockdev $n did not exit 0 on SIGTERM"
	done
}

fio_clat_max_ms() {
	cat "$@" | awk '
		/^ *clat \([mun]sec\):/ {
			u = $2; sub(/\(/, "", u); sub(/\):/, "", u)
			m = $0; sub(/.*max= */, "", m); sub(/,.*/, "", m)
			x = m + 0
			if (m ~ /k$/) x *= 1000
			if (m ~ /M$/) x *= 1000000
			ms = u == "usec" ? x / 1000 : u == "nsec" ? x / 1000000 : x
			if (ms > best) best = ms
		} END { printf "%.0f", best }'
}
