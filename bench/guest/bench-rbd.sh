#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script of `bench/run-bench.sh --rbd` (issue 18): srpt-blockdev on
# a Ceph RBD image (librbd) against LIO ib_srpt with an iblock backstore
# on the same image mapped by the kernel RBD client (`rbd map`), through
# the kernel SRP initiator on this guest's soft-RoCE, in alternating
# rounds (4 KiB random read and write at iodepth 32); then the takeover:
# two srpt-blockdev with --rbd-lock on the image under dm-multipath, the
# active one killed with SIGKILL under fio randwrite, the longest
# completion latency fio saw, BENCH_RBD_KILLS times. The throwaway
# cluster of tests/ceph/cluster.sh runs on this guest's /tmp tmpfs.
# Raw figures to $GUEST_OUT/run/results.tsv (measure.sh's format).
#
# usage: bench-rbd.sh BUILD_DIR
# Tuning (environment, set by run-bench.sh): BENCH_ROUNDS (default 3),
# BENCH_RUNTIME (s per fio job, 10), BENCH_RBD_MB (image size, 64),
# BENCH_RBD_JOBS (default "rr4k_qd32 rw4k_qd32"), BENCH_RBD_KILLS (3),
# BENCH_RBD_KILL_SECS (fio runtime around each kill, 20), BENCH_OURS_ARGS.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=../../tests/guest/blk-lib.sh
. "$guestdir/blk-lib.sh"
# shellcheck source=../../tests/guest/rbd-failover-lib.sh
. "$guestdir/rbd-failover-lib.sh"

BUILD=${1:?usage: bench-rbd.sh BUILD_DIR}
ROUNDS=${BENCH_ROUNDS:-3}
RUNTIME=${BENCH_RUNTIME:-10}
RBD_MB=${BENCH_RBD_MB:-64}
JOBS=${BENCH_RBD_JOBS:-rr4k_qd32 rw4k_qd32}
KILLS=${BENCH_RBD_KILLS:-3}
KILL_SECS=${BENCH_RBD_KILL_SECS:-20}
# targets.sh's, for jobs that are not in the default set
SEQ_QD=${BENCH_SEQ_QD:-8}
LIO_PORT=5555
BD_PORT=5557
IMG=rbd/lun0
cdir=/tmp/ceph-bench
# bd_start saves and restores srpt-ramdisk's variables; none runs here.
RAMDISK_PID='' RAMDISK_LINE='' RAMDISK_ID_EXT='' RAMDISK_GUID='' RAMDISK_LOG=''
KRBD_DEV=

bench_init
# blk-lib.sh's and rbd-failover-lib.sh's (takeover logs, note, blk_fail)
BLK_OUT=$BENCH_RAW/takeover
BLK_BUILD=$BUILD
mkdir -p "$BLK_OUT"
: >"$BLK_OUT/summary.txt"

cleanup() {
	[ -n "${BLK_MPD_PID:-}" ] && kill "$BLK_MPD_PID" 2>/dev/null
	[ -n "$KRBD_DEV" ] && rbd unmap -o noudev "$KRBD_DEV" 2>/dev/null
	ceph_cluster_down "$cdir"
}
trap cleanup EXIT

result 0 conf RBD 1
for v in ROUNDS RUNTIME RBD_MB KILLS KILL_SECS; do
	result 0 conf "$v" "${!v}"
done
result 0 conf RBD_JOBS "$JOBS"
result 0 conf OURS_ARGS "${BENCH_OURS_ARGS:-none}"

guest_rdma_up || die "soft-RoCE setup failed"
t0=$SECONDS
ceph_cluster_up "$cdir" "$BENCH_RAW/cluster" ||
	die "the Ceph cluster did not start: $(tail -n 20 "$BENCH_RAW/cluster.err")"
rbd create --size "${RBD_MB}M" "$IMG" || die "rbd create failed"
# Written through once, so that reads find objects in the OSD (an
# object never written is answered without reading anything).
rbd bench --io-type write --io-pattern seq --io-size 4M --io-threads 4 \
	--io-total "${RBD_MB}M" "$IMG" >"$BENCH_RAW/rbd-fill.txt" 2>&1 ||
	die "filling $IMG failed: $(tail -n 5 "$BENCH_RAW/rbd-fill.txt")"
result 0 rbd setup_s $((SECONDS - t0))
result 0 rbd ceph_version "$(ceph --version | awk '{ print $3 }')"
blog "Ceph cluster and a written $RBD_MB MiB image $IMG in $((SECONDS - t0)) s"

# The kernel RBD client: map, and if the kernel refuses the image's
# features, the error and what was disabled are in the results. The
# cluster does not sign its messages (cluster.sh: cheaper on an emulated
# machine), and the kernel client must not expect it to: without
# nocephx_sign_messages it drops every reply ("libceph:
# read_partial_message ... signature check failed") and the map hangs.
# noudev: /dev/rbdN comes from devtmpfs, no udev runs here.
modprobe rbd || gwarn "modprobe rbd failed"
KRBD_OPTS=noudev,nocephx_sign_messages
result 0 rbd krbd_options "$KRBD_OPTS"
krbd_map() {
	KRBD_DEV=$(timeout 120 rbd map -o "$KRBD_OPTS" "$IMG" 2>"$BENCH_RAW/rbd-map.err") || {
		KRBD_DEV=
		return 1
	}
	wait_until 10 test -b "$KRBD_DEV"
}
krbd_unmap() {
	rbd unmap -o noudev "$KRBD_DEV" || return 1
	KRBD_DEV=
}
if krbd_map; then
	krbd_unmap || die "rbd unmap failed"
else
	result 0 rbd map_error "$(tr '\n' ' ' <"$BENCH_RAW/rbd-map.err")"
	gwarn "rbd map $IMG failed: $(cat "$BENCH_RAW/rbd-map.err")"
	# What Linux may not support; exclusive-lock stays (--rbd-lock).
	rbd feature disable "$IMG" fast-diff object-map deep-flatten >>"$BENCH_RAW/rbd-map.err" 2>&1
	krbd_map && krbd_unmap && result 0 rbd features_disabled "fast-diff object-map deep-flatten"
fi
result 0 rbd features "$(rbd info --format json "$IMG" | jq -r '.features | join(",")')"

lio_setup_ramdisk "$LIO_PORT" 16 >/dev/null || die "LIO setup failed"
LIO_GUID=$(lio_service_guid) || die "no ib_srpt service GUID"

# LIO: the image mapped, an iblock backstore on it as LUN 0; everything
# undone afterwards, so that only one client writes to the image.
run_lio() {
	local r=$1
	krbd_map || { gwarn "rbd map failed (round $r)"; return 1; }
	lio_on iblock "$KRBD_DEV" || die "LIO iblock on $KRBD_DEV failed (round $r)"
	# shellcheck disable=SC2086 # job names
	run_target "$r" lio_rbd $JOBS
	lio_off || die "removing LIO's iblock backstore failed (round $r)"
	krbd_unmap || die "rbd unmap failed (round $r)"
}

run_bd() {
	local r=$1
	bd_start "$BUILD" "$BENCH_RAW/srpt-blockdev-rbd-r$r.log" \
		--ceph-conf "$CEPH_CONF" "rbd:$IMG" ||
		die "srpt-blockdev on rbd:$IMG did not start (round $r)"
	# shellcheck disable=SC2086 # job names
	run_target "$r" bd_rbd $JOBS
	bd_stop || die "srpt-blockdev on rbd:$IMG did not stop cleanly (round $r)"
}

# Alternating rounds; the order flips each round, so neither target
# always runs on the image the other has just written.
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then
		run_lio "$r"
		run_bd "$r"
	else
		run_bd "$r"
		run_lio "$r"
	fi
done

# --- takeover: SIGKILL to the active of two --rbd-lock processes ----------
# The dm map's completed writes (field 5 of its stat): fio has started.
_map_writes() {
	awk '{ print $5 }' "/sys/block/$(basename "$(readlink -f "$RBDFO_MAP")")/stat"
}
_map_written() { [ "$(_map_writes)" -gt "$1" ]; }
blk_multipathd_start
rbdfo_pair_up "$IMG"
blog "takeover: P1 owns the lock, P2 standby; one map ${RBDFO_MAP##*/}"
for k in $(seq 1 "$KILLS"); do
	f=$BLK_OUT/takeover-$k.txt
	w0=$(_map_writes)
	fio --name=takeover --filename="$RBDFO_MAP" --rw=randwrite --bs=4k \
		--iodepth=32 --ioengine=libaio --direct=1 --time_based \
		--runtime="$KILL_SECS" --norandommap --randrepeat=0 >"$f" 2>&1 &
	fpid=$!
	wait_until 60 _map_written "$w0" ||
		gwarn "takeover $k: no write completed on the map within 60 s"
	sleep 3
	rbdfo_kill_active
	frc=0
	wait "$fpid" || frc=$?
	result "$k" takeover killed "$RBDFO_KILLED"
	result "$k" takeover lock_ms "$RBDFO_TOOK_MS"
	result "$k" takeover clatmax_ms "$(fio_clat_max_ms "$f")"
	result "$k" takeover fio_ok "$( [ $frc = 0 ] && grep -q 'err= 0' "$f" && echo yes || echo no)"
	blog "takeover $k: killed $RBDFO_KILLED, $RBDFO_SURVIVOR active after $RBDFO_TOOK_MS ms, longest fio I/O $(fio_clat_max_ms "$f") ms (fio status $frc)"
	[ "$k" -lt "$KILLS" ] || break
	sleep 1
	if ! rbdfo_restart "$RBDFO_KILLED"; then
		# Seen on a loaded host: the restarted process found the
		# owner's heartbeat silent for longer than --rbd-stale and
		# took the lock of a live owner.
		log_var=${RBDFO_KILLED}_LOG
		if _rbdfo_active "$RBDFO_KILLED"; then
			why="the restarted $RBDFO_KILLED took the lock from the live $RBDFO_SURVIVOR: $(grep -m1 'no heartbeat' "${!log_var}")"
		else
			why="$RBDFO_KILLED's path did not come back standby within 90 s of its restart"
		fi
		result "$k" takeover restart_failed "$why"
		gwarn "takeover $k: $why; no more kills"
		break
	fi
	sleep 2
done
rbdfo_pair_down

result 0 guest srp_reconnects "$(dmesg | grep -c 'ib_srp: reconnect succeeded')"
lio_teardown >/dev/null || gwarn "LIO teardown incomplete"
dmesg >"$BENCH_RAW/dmesg.txt" 2>&1
blog "done"
