#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: the kernel SRP initiator against srpt-blockdev serving a
# Ceph RBD image (rbd:POOL/IMAGE) over soft-RoCE. The throwaway cluster
# of tests/ceph/cluster.sh runs in this guest, on its /tmp tmpfs (the
# root is read-only), with a 64 MiB image. Usage: blockdev-rbd.sh BUILD_DIR
# Runs in the ramdisk-basic guest, after blockdev-basic.sh.
# Checks: what the LUN announces (size, write through, discard), fio
# --verify, that answered WRITEs are in the image (read by rbd export, a
# process of its own), UNMAP reading zeros there, WRITE SAME in the
# image, SYNCHRONIZE CACHE, that a target killed with SIGKILL in the
# middle of writes loses no answered WRITE (restarted, it takes the
# image's lock over from the dead process, the initiator reconnects and
# fio finds every acknowledged write), the same designators from a
# second process serving the image, and a clean SIGTERM.
set -u
here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=crash-lib.sh
. "$here/crash-lib.sh"

BUILD=${1:?usage: blockdev-rbd.sh BUILD_DIR}
PORT=5557
PORT2=5558
SIZE_MB=64
export TARGET_PROG=srpt-blockdev
cdir=/tmp/ceph-rbd

out=$(guest_result_dir blockdev-rbd)
: >"$out/summary.txt"
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}
cleanup() {
	[ -n "${pid2:-}" ] && kill -9 "$pid2" 2>/dev/null
	ceph_cluster_down "$cdir"
}
trap cleanup EXIT

guest_rdma_up || die "soft-RoCE setup failed"

t0=$SECONDS
ceph_cluster_up "$cdir" "$out/cluster" ||
	die "the Ceph cluster did not start: $(tail -n 20 "$out/cluster.err")"
# librbd takes the image's exclusive lock on the first write, also
# without --rbd-lock; after a SIGKILL the next process gets it only once
# the OSD has dropped the dead client's watch (osd_client_watch_timeout,
# 30 s by default): 10 s here keeps the crash check short. Watches are
# pinged every 5 s (objecter_tick_interval), so a live one stays.
ceph config set osd osd_client_watch_timeout 10 >"$out/ceph-config.txt" 2>&1 ||
	die "ceph config set failed: $(cat "$out/ceph-config.txt")"
rbd create --size ${SIZE_MB}M rbd/lun0 || die "rbd create failed"
note "Ceph cluster (1 mon, 1 memstore OSD) on tmpfs and a ${SIZE_MB} MiB image in $((SECONDS - t0)) s; mon $(ps -o rss= -C ceph-mon) kB, osd $(ps -o rss= -C ceph-osd) kB"

targs=(--port "$PORT" --pool 32M --ceph-conf "$CEPH_CONF" rbd:rbd/lun0)
ramdisk_start "$BUILD" "$out/target.log" "${targs[@]}" ||
	die "srpt-blockdev did not start on the RBD image"
note "target: $RAMDISK_LINE"
grep -q "LUN 0: rbd:rbd/lun0, $((SIZE_MB * 2048)) blocks of 512 bytes, librbd, write through, thin (UNMAP)" "$out/target.log" ||
	die "LUN 0 is not what an RBD image should be: $(grep 'LUN 0' "$out/target.log")"

srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
	die "login to srpt-blockdev failed"
srp_wait_disks 1 30 >"$out/disks.txt" || die "the LUN did not appear"
d0=$(awk '$3 ~ /:0$/ {print $1}' "$out/disks.txt")
[ -n "$d0" ] || die "LUN 0 not found: $(cat "$out/disks.txt")"
sectors=$(cat "/sys/block/${d0#/dev/}/size")
[ "$sectors" -eq $((SIZE_MB * 2048)) ] || die "$d0 has $sectors sectors, expected $((SIZE_MB * 2048))"
wc=$(cat "/sys/block/${d0#/dev/}/queue/write_cache")
[ "$wc" = "write through" ] || die "the RBD LUN announces '$wc', not write through"
disc=$(cat "/sys/block/${d0#/dev/}/queue/discard_max_bytes")
[ "$disc" -gt 0 ] || die "the RBD LUN does not offer discard (UNMAP)"
note "initiator sees $d0: ${SIZE_MB} MiB, write through, discard up to $disc bytes"

fio --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio --direct=1 \
	--size=4M --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--name=rbd --filename="$d0" >"$out/fio-verify.txt" 2>&1 ||
	{ cat "$out/fio-verify.txt" >&2; die "fio --verify failed"; }
grep -q "err= 0" "$out/fio-verify.txt" || die "fio reported errors"
note "fio randwrite 4k qd32 4 MiB --verify=crc32c: no errors ($(grep -o 'IOPS=[^,]*' "$out/fio-verify.txt" | head -n 1))"

# What the initiator was told is written is in the image: read by a
# process of its own (rbd export), and back through the initiator.
pat=$out/pattern
dd if=/dev/urandom of="$pat" bs=1M count=4 status=none
dd if="$pat" of="$d0" bs=1M seek=8 count=4 oflag=direct status=none ||
	die "direct write to $d0 failed"
# Zeros first where UNMAP and WRITE SAME will go, so that a later
# match is theirs.
dd if=/dev/urandom of="$d0" bs=1M seek=32 count=4 oflag=direct status=none ||
	die "fill before discard failed"
blkdiscard -o $((32 << 20)) -l $((4 << 20)) "$d0" || die "blkdiscard $d0 failed"
head -c 512 /dev/urandom >"$out/ws-block"
sg_write_same --16 --lba=100000 --num=3000 --in="$out/ws-block" --xferlen=512 "$d0" \
	>"$out/ws.txt" 2>&1 || die "WRITE SAME failed: $(cat "$out/ws.txt")"
sg_sync "$d0" >"$out/sync.txt" 2>&1 || die "SYNCHRONIZE CACHE failed: $(cat "$out/sync.txt")"
exp=/tmp/rbd-export.img
rbd export --no-progress rbd/lun0 "$exp" >"$out/export.txt" 2>&1 ||
	die "rbd export failed: $(cat "$out/export.txt")"
cmp <(dd if="$exp" bs=1M skip=8 count=4 status=none) "$pat" ||
	die "the 4 MiB written through $d0 are not in the image"
cmp -n $((4 << 20)) <(dd if="$exp" bs=1M skip=32 count=4 status=none) /dev/zero ||
	die "the discarded 4 MiB are not zeros in the image"
for i in 0 1 2047 2999; do
	cmp <(dd if="$exp" bs=512 skip=$((100000 + i)) count=1 status=none) "$out/ws-block" ||
		die "WRITE SAME: block $((100000 + i)) of the image is not the pattern"
done
if cmp -s <(dd if="$exp" bs=512 skip=103000 count=1 status=none) "$out/ws-block"; then
	die "WRITE SAME wrote past its range"
fi
rm -f "$exp"
dd if="$d0" of="$out/readback" bs=1M skip=8 count=4 iflag=direct status=none ||
	die "direct read from $d0 failed"
cmp "$out/readback" "$pat" || die "read-back from $d0 differs"
cmp -n $((4 << 20)) <(dd if="$d0" bs=1M skip=32 count=4 iflag=direct status=none) /dev/zero ||
	die "discarded blocks do not read as zeros through the initiator"
note "4 MiB written, 4 MiB discarded (UNMAP), WRITE SAME(16) over 3000 blocks and SYNCHRONIZE CACHE through $d0: rbd export of the image has them byte for byte (zeros where discarded), read back the same"

# SIGKILL in the middle of writes (tests/guest/crash-lib.sh). The dead
# process holds the image's exclusive lock: the restarted one must get
# it (librbd breaks it once the dead client's watch is gone, and has
# Ceph blocklist that client) and write.
exp=/tmp/rbd-export.img
in_image() {	# PATTERN: the first 8 MiB of the image are PATTERN
	rbd lock ls --format json rbd/lun0 >"$out/lock-dead.json" 2>&1 || return 1
	rbd export --no-progress rbd/lun0 "$exp" >"$out/export.txt" 2>&1 || return 1
	cmp <(dd if="$exp" bs=1M count=8 status=none) "$1"
	local rc=$?
	rm -f "$exp"
	return $rc
}
lock_addr() {	# JSON from rbd lock ls: the owner's address
	python3 -c 'import json, sys; l = json.load(open(sys.argv[1])); print(l[0]["address"] if l else "")' "$1"
}
crash_kill_restart "$out" "$d0" $((16 << 20)) $((8 << 20)) 3 in_image \
	"in the image (rbd export)" \
	ramdisk_start "$BUILD" "$out/target-restart.log" "${targs[@]}"
dead=$(lock_addr "$out/lock-dead.json")
[ -n "$dead" ] || die "nobody held the image's lock at the kill: $(cat "$out/lock-dead.json")"
rbd lock ls --format json rbd/lun0 >"$out/lock-new.json" 2>&1 ||
	die "rbd lock ls failed: $(cat "$out/lock-new.json")"
new=$(lock_addr "$out/lock-new.json")
[ -n "$new" ] || die "nobody holds the image's lock after the restart"
[ "$new" != "$dead" ] ||
	die "the restarted target does not hold the image's lock (was $dead, is '$new')"
ceph osd blocklist ls >"$out/blocklist.txt" 2>&1 || die "ceph osd blocklist ls failed"
grep -qF "$dead" "$out/blocklist.txt" ||
	die "the dead process ($dead) is not blocklisted: $(cat "$out/blocklist.txt")"
ramdisk_alive
! grep -qi "error\|fail" "$out/target-restart.log" ||
	die "the restarted target logged errors: $(grep -i -m 5 "error\|fail" "$out/target-restart.log")"
note "$CRASH_NOTE; the dead process held the image's lock, the restarted one took it over (the dead client blocklisted), nothing in its log"

# A second process on the same image: the same logical unit to an
# initiator (designators from the cluster, pool and image ids). A target
# port of its own (-g), or the initiator takes it for the first.
bin=$BUILD/examples/srpt-blockdev/srpt-blockdev
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin" --bind "$GUEST_IP" --port $PORT2 -g b2b2b2b2b2b2b2b2 \
	--pool 8M --ceph-conf "$CEPH_CONF" rbd:rbd/lun0,ro >"$out/target2.log.out" 2>"$out/target2.log" &
pid2=$!
wait_until 30 grep -q "add_target:" "$out/target2.log.out" ||
	die "the second srpt-blockdev did not start: $(tail -n 5 "$out/target2.log")"
line2=$(grep "add_target:" "$out/target2.log.out")
srp_login "$GUEST_IP" $PORT2 "$(sed -n 's/.*id_ext=\([0-9a-f]*\).*/\1/p' <<<"$line2")" \
	"$(sed -n 's/.*ioc_guid=\([0-9a-f]*\).*/\1/p' <<<"$line2")" ||
	die "login to the second srpt-blockdev failed"
srp_wait_disks 2 30 >"$out/disks2.txt" || die "the second path's LUN did not appear"
d1=$(awk -v d="$d0" '$1 != d && $3 ~ /:0$/ {print $1}' "$out/disks2.txt" | head -n 1)
[ -n "$d1" ] || die "no second disk: $(cat "$out/disks2.txt")"
# The logical unit's designators only (the target port's differ).
sg_vpd --page=di_lu "$d0" >"$out/vpd0.txt" 2>&1 || die "sg_vpd $d0 failed: $(cat "$out/vpd0.txt")"
sg_vpd --page=di_lu "$d1" >"$out/vpd1.txt" 2>&1 || die "sg_vpd $d1 failed: $(cat "$out/vpd1.txt")"
grep -q "NAA" "$out/vpd0.txt" || die "no NAA designator on $d0: $(cat "$out/vpd0.txt")"
cmp -s "$out/vpd0.txt" "$out/vpd1.txt" ||
	die "two processes on one image show different designators: $(cat "$out/vpd0.txt") / $(cat "$out/vpd1.txt")"
cmp <(dd if="$d1" bs=1M skip=8 count=4 iflag=direct status=none) "$pat" ||
	die "the second process serves other data"
note "a second srpt-blockdev on rbd:rbd/lun0,ro: the same NAA designator ($(grep -o '0x[0-9a-f]*' "$out/vpd0.txt" | head -n 1)), the same data"

srp_logout_all || die "logout failed"
kill -TERM "$pid2"
wait "$pid2" || die "the second srpt-blockdev did not exit 0 on SIGTERM: $(tail -n 20 "$out/target2.log")"
pid2=
ramdisk_stop || die "srpt-blockdev did not exit 0 on SIGTERM"
note "SIGTERM: both exit 0${RAMDISK_LEAK_NOTE:-}"
note "PASS ($((SECONDS - t0)) s)"
