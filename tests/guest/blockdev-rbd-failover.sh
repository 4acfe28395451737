# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Active/passive through Ceph (issue 18, item 2): two srpt-blockdev
# processes serve one 64 MiB RBD image of the throwaway cluster
# (tests/ceph/cluster.sh, on this guest's /tmp tmpfs) with --rbd-lock,
# as ALUA port groups 1 and 2. The owner of the image's lock is
# active/optimized (multipath priority 50), the other standby (priority
# 1, a ghost path). fio randwrite --verify runs on the map in passes
# while the active process, whichever it is, is killed with SIGKILL and
# restarted, for RBDFO_SECS (default 60) and at least RBDFO_MIN_CYCLES
# (default 2) times: each time the standby takes the lock over and I/O
# moves to it with no error, every pass verifies, and the map ends with
# one active/optimized and one standby path. The longest fio completion
# latency (the takeover as fio saw it) goes into the summary. Sourced by
# blk-multipath.sh after blockdev-alua.sh, in the same guest, with
# multipathd running and alua_run, alua_paths, $BLK_OUT, note, blk_fail.

# here, GUEST_IP, RAMDISK_*: blk-multipath.sh's and ramdisk.sh's.
# shellcheck disable=SC2154,SC2153,SC2034
RBDFO_SECS=${RBDFO_SECS:-60}
RBDFO_MIN_CYCLES=${RBDFO_MIN_CYCLES:-2}
rbdfo_cdir=/tmp/ceph-rbdfo
rbdfo_cluster=$here/../ceph/cluster.sh

if ! command -v ceph-mon >/dev/null; then
	note "RBD failover: skipped, no ceph-mon (scripts/install-deps.sh installs the Ceph packages)"
	return 0
fi
t_rbdfo=$SECONDS
CEPH_CLUSTER_TIMEOUT=120 "$rbdfo_cluster" start "$rbdfo_cdir" >"$BLK_OUT/rbdfo-cluster.env" 2>"$BLK_OUT/rbdfo-cluster.err" ||
	blk_fail "the Ceph cluster did not start: $(tail -n 20 "$BLK_OUT/rbdfo-cluster.err")"
# The cluster stops with the guest script's own cleanup too.
rbdfo_trap=$(trap -p EXIT)
trap '"$rbdfo_cluster" stop "$rbdfo_cdir" 2>/dev/null; cleanup' EXIT
export CEPH_CONF=$rbdfo_cdir/ceph.conf
rbd create --size 64M rbd/fo || blk_fail "rbd create failed"

# Each process: NAME PORT GUID GROUP. Its log says its ALUA state.
declare -A rbdfo_args=(
	[P1]="5571 c3c3c3c3c3c3c3c3 1"
	[P2]="5572 d4d4d4d4d4d4d4d4 2"
)
rbdfo_run() {	# NAME
	local a
	read -r -a a <<<"${rbdfo_args[$1]}"
	alua_run "$1" "${a[0]}" "${a[1]}" --alua-group "${a[2]}" --rbd-lock \
		--ceph-conf "$CEPH_CONF" rbd:rbd/fo
}
rbdfo_state() {	# NAME: the last ALUA state its log names
	local log=${1}_LOG
	grep -o "ALUA port group [0-9]*: [a-z/]*" "${!log}" | tail -n 1 | awk '{ print $5 }'
}
_rbdfo_active() { [ "$(rbdfo_state "$1")" = active/optimized ]; }
rbdfo_start() {	# NAME: started, logged in
	local a
	rbdfo_run "$1"
	read -r -a a <<<"${rbdfo_args[$1]}"
	srp_login "$GUEST_IP" "${a[0]}" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
		blk_fail "login to srpt-blockdev $1 failed"
	printf -v "${1}_PORT" '%s' "$SRP_LAST_PORT"
}
rbdfo_start P1
wait_until 20 _rbdfo_active P1 ||
	blk_fail "the first process did not take the image's lock: $(tail -n 5 "$P1_LOG")"
rbdfo_start P2
for p in "$P1_PORT" "$P2_PORT"; do
	echo 1 >"$p/reconnect_delay"
	echo 2 >"$p/fast_io_fail_tmo"
	echo 60 >"$p/dev_loss_tmo"
done

# One map: the owner's path at priority 50, the standby's at 1.
_rbdfo_map() {
	[ "$(alua_paths | awk '$3 == "active" && $4 == "ready" && $5 == 50' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$4 == "ghost" && $5 == 1' | wc -l)" -eq 1 ] &&
		[ "$(alua_paths | awk '$5 == 50 || $5 == 1 { print $2 }' | sort -u | wc -l)" -eq 1 ]
}
wait_until 60 _rbdfo_map || {
	alua_paths >&2; multipath -ll >&2
	blk_fail "multipathd did not make one map of an active/optimized and a standby path"
}
rbdfo_wwid=$(alua_paths | awk '$5 == 50 { print $2 }')
rbdfo_map=/dev/mapper/$(multipathd show maps raw format "%n %w" | awk -v w="$rbdfo_wwid" '$2 == w { print $1 }')
[ -b "$rbdfo_map" ] || blk_fail "no map for WWID $rbdfo_wwid"
multipath -ll "$rbdfo_map" >"$BLK_OUT/rbdfo-ll-start.txt" 2>&1
note "RBD failover: cluster and 64 MiB image up in $((SECONDS - t_rbdfo)) s; P1 owns the lock (port group 1, active/optimized), P2 standby; one map ${rbdfo_map##*/}"

stop=/tmp/rbdfo-fio-stop
rm -f "$stop"
blk_fio_loop "$rbdfo_map" rbdfo 5000 2 "$stop" &
fio_pid=$!
sleep 3
cycles=0
t0=$(_now_cs)
end=$((t0 + RBDFO_SECS * 100))
hard_end=$((t0 + 4 * RBDFO_SECS * 100))
: >"$BLK_OUT/rbdfo-cycles.txt"
while [ "$(_now_cs)" -lt "$end" ] || [ $cycles -lt "$RBDFO_MIN_CYCLES" ]; do
	kill -0 $fio_pid 2>/dev/null || break
	[ "$(_now_cs)" -lt "$hard_end" ] ||
		blk_fail "only $cycles RBD failover cycles in $((4 * RBDFO_SECS))s"
	if [ "$(rbdfo_state P1)" = active/optimized ]; then
		act=P1 sb=P2
	else
		act=P2 sb=P1
	fi
	pid_var=${act}_PID
	k0=$(_now_cs)
	kill -9 "${!pid_var}"
	wait "${!pid_var}" 2>/dev/null || true
	sb_log=${sb}_LOG
	wait_until 30 _rbdfo_active "$sb" || {
		tail -n 20 "${!sb_log}" >&2
		blk_fail "cycle $cycles: $sb did not take the lock over within 30 s of SIGKILL to $act"
	}
	took=$(($(_now_cs) - k0))
	wait_until 60 sh -c "multipathd show paths raw format '%w %t %p' | awk -v w='$rbdfo_wwid' '\$1 == w && \$2 == \"active\" && \$3 == 50' | grep -q ." || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "cycle $cycles: the initiator does not see $sb active/optimized"
	}
	echo "cycle $cycles: killed $act, $sb active/optimized after ${took}0 ms" >>"$BLK_OUT/rbdfo-cycles.txt"
	sleep 1
	rbdfo_run "$act"
	wait_until 90 _rbdfo_map || {
		alua_paths >&2; multipath -ll >&2
		blk_fail "cycle $cycles: $act's path did not come back standby within 90 s of its restart"
	}
	cycles=$((cycles + 1))
	sleep 2
done
blk_fio_end rbdfo "$fio_pid" "$stop" "across the RBD failovers"
fio_pid=
[ $cycles -ge "$RBDFO_MIN_CYCLES" ] || blk_fail "fio ended after $cycles RBD failover cycles"
wait_until 60 _rbdfo_map || blk_fail "the map does not end with an active/optimized and a standby path"
# The longest completion latency of any pass: the takeover as fio saw it.
rbdfo_lat=$(cat "$BLK_OUT"/rbdfo-fio-*.txt | awk '
	/^ *clat \([mun]sec\):/ {
		u = $2; sub(/\(/, "", u); sub(/\):/, "", u)
		m = $0; sub(/.*max= */, "", m); sub(/,.*/, "", m)
		x = m + 0
		if (m ~ /k$/) x *= 1000
		if (m ~ /M$/) x *= 1000000
		ms = u == "usec" ? x / 1000 : u == "nsec" ? x / 1000000 : x
		if (ms > best) best = ms
	} END { printf "%.0f", best }')
note "RBD failover: the active process killed with SIGKILL and restarted $cycles times in $(( ($(_now_cs) - t0) / 100 ))s under fio randwrite --verify: $(wc -l <"$BLK_OUT/rbdfo-passes.txt") passes, no I/O or verify error; longest fio completion latency ${rbdfo_lat} ms; lock takeovers $(awk '$NF == "ms" { print $(NF-1) }' "$BLK_OUT/rbdfo-cycles.txt" | sort -n | tail -n 1) ms at most (from SIGKILL to the survivor's active/optimized); one active/optimized and one standby path at the end"

multipath -f "${rbdfo_map##*/}" >/dev/null 2>&1 || gwarn "multipath -f ${rbdfo_map##*/} failed"
srp_logout_all || blk_fail "logout (RBD failover) failed"
for n in P1 P2; do
	pid_var=${n}_PID log_var=${n}_LOG
	RAMDISK_PID=${!pid_var} RAMDISK_LOG=${!log_var}
	ramdisk_stop || blk_fail "srpt-blockdev $n did not exit 0 on SIGTERM"
done
"$rbdfo_cluster" stop "$rbdfo_cdir" 2>/dev/null
eval "${rbdfo_trap:-trap - EXIT}"
note "RBD failover: P1 and P2 SIGTERM: exit 0$RAMDISK_LEAK_NOTE ($((SECONDS - t_rbdfo)) s in all)"
