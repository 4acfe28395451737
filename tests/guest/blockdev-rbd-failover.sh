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
# latency (the takeover as fio saw it) goes into the summary. Then the
# active process is frozen (SIGSTOP) past the stale time: the standby
# takes over, and the thawed process comes back as a standby by itself,
# under fio --verify all the while. Sourced by
# blk-multipath.sh after blockdev-alua.sh, in the same guest, with
# multipathd running and $BLK_OUT, note, blk_fail; the pair of processes
# is rbd-failover-lib.sh's.

# here, GUEST_IP, RAMDISK_*: blk-multipath.sh's and ramdisk.sh's.
# shellcheck disable=SC2154,SC2153,SC2034
RBDFO_SECS=${RBDFO_SECS:-60}
RBDFO_MIN_CYCLES=${RBDFO_MIN_CYCLES:-2}
rbdfo_cdir=/tmp/ceph-rbdfo
# shellcheck source-path=SCRIPTDIR source=rbd-failover-lib.sh
. "$here/rbd-failover-lib.sh"

if ! command -v ceph-mon >/dev/null; then
	note "RBD failover: skipped, no ceph-mon (scripts/install-deps.sh installs the Ceph packages)"
	return 0
fi
t_rbdfo=$SECONDS
ceph_cluster_up "$rbdfo_cdir" "$BLK_OUT/rbdfo-cluster" ||
	blk_fail "the Ceph cluster did not start: $(tail -n 20 "$BLK_OUT/rbdfo-cluster.err")"
# The cluster stops with the guest script's own cleanup too.
rbdfo_trap=$(trap -p EXIT)
trap 'ceph_cluster_down "$rbdfo_cdir"; cleanup' EXIT
rbd create --size 64M rbd/fo || blk_fail "rbd create failed"

rbdfo_pair_up rbd/fo
rbdfo_map=$RBDFO_MAP
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
	rbdfo_kill_active
	echo "cycle $cycles: killed $RBDFO_KILLED, $RBDFO_SURVIVOR active/optimized after ${RBDFO_TOOK_MS} ms" >>"$BLK_OUT/rbdfo-cycles.txt"
	sleep 1
	rbdfo_restart "$RBDFO_KILLED" ||
		blk_fail "cycle $cycles: $RBDFO_KILLED's path did not come back standby within 90 s of its restart"
	cycles=$((cycles + 1))
	sleep 2
done
blk_fio_end rbdfo "$fio_pid" "$stop" "across the RBD failovers"
fio_pid=
[ $cycles -ge "$RBDFO_MIN_CYCLES" ] || blk_fail "fio ended after $cycles RBD failover cycles"
wait_until 60 _rbdfo_map || blk_fail "the map does not end with an active/optimized and a standby path"
# The longest completion latency of any pass: the takeover as fio saw it.
rbdfo_lat=$(fio_clat_max_ms "$BLK_OUT"/rbdfo-fio-*.txt)
note "RBD failover: the active process killed with SIGKILL and restarted $cycles times in $(( ($(_now_cs) - t0) / 100 ))s under fio randwrite --verify: $(wc -l <"$BLK_OUT/rbdfo-passes.txt") passes, no I/O or verify error; longest fio completion latency ${rbdfo_lat} ms; lock takeovers $(awk '$NF == "ms" { print $(NF-1) }' "$BLK_OUT/rbdfo-cycles.txt" | sort -n | tail -n 1) ms at most (from SIGKILL to the survivor's active/optimized); one active/optimized and one standby path at the end"

# A frozen owner (SIGSTOP, as a stalled host): the standby takes over
# once the heartbeat stood still for the stale time; on SIGCONT the old
# owner reports unavailable and comes back as a standby by itself, with
# a new Ceph client, no restart. fio --verify runs across all of it.
rm -f "$stop"
blk_fio_loop "$rbdfo_map" rbdfz 7000 2 "$stop" &
fio_pid=$!
sleep 3
frozen=$(rbdfo_active)
if [ "$frozen" = P1 ]; then taker=P2; else taker=P1; fi
pid_var=${frozen}_PID log_var=${frozen}_LOG
t0=$(_now_cs)
kill -STOP "${!pid_var}"
wait_until 30 _rbdfo_active "$taker" ||
	blk_fail "$taker did not take the lock over while $frozen was stopped"
took=$((($(_now_cs) - t0) * 10))
sleep 1
t1=$(_now_cs)
kill -CONT "${!pid_var}"
wait_until 60 grep -q "connected again as a new client" "${!log_var}" || {
	tail -n 20 "${!log_var}" >&2
	blk_fail "$frozen, thawed, did not connect again as a new client"
}
[ "$(rbdfo_state "$frozen")" = standby ] ||
	blk_fail "$frozen, thawed, is $(rbdfo_state "$frozen"), not standby"
back=$((($(_now_cs) - t1) * 10))
grep -q "blocklisted" "${!log_var}" ||
	blk_fail "$frozen does not say it was blocklisted"
wait_until 90 _rbdfo_map || {
	alua_paths >&2; multipath -ll >&2
	blk_fail "the map does not end with an active/optimized and a standby path after the thaw"
}
sleep 3
blk_fio_end rbdfz "$fio_pid" "$stop" "across the freeze"
fio_pid=
note "RBD failover: $frozen frozen with SIGSTOP: $taker active/optimized ${took} ms later; on SIGCONT $frozen reported unavailable (blocklisted) and was a standby again ${back} ms later, by itself, with a new Ceph client; the map has an active/optimized and a standby path again; $(wc -l <"$BLK_OUT/rbdfz-passes.txt") fio --verify passes, no I/O or verify error (longest completion latency $(fio_clat_max_ms "$BLK_OUT"/rbdfz-fio-*.txt) ms)"

rbdfo_pair_down
ceph_cluster_down "$rbdfo_cdir"
eval "${rbdfo_trap:-trap - EXIT}"
note "RBD failover: P1 and P2 SIGTERM: exit 0$RAMDISK_LEAK_NOTE ($((SECONDS - t_rbdfo)) s in all)"
