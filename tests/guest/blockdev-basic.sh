#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: the kernel SRP initiator against srpt-blockdev (this
# tree's build) over soft-RoCE, with a file on tmpfs (O_DIRECT refused
# there by Linux 6.1: buffered) as LUN 0 and a brd RAM block device
# (O_DIRECT) as LUN 1. Usage: blockdev-basic.sh BUILD_DIR
# Runs in the ramdisk-basic guest, after ramdisk-basic.sh.
# Checks: what each LUN announces (vendor, size, write cache, discard),
# fio --verify on both, that an answered WRITE is in the backing (the
# file and the device read directly), UNMAP punching holes in the file,
# a file system made, filled, checked and read back, SYNCHRONIZE CACHE,
# and that a target killed with SIGKILL in the middle of writes loses no
# answered WRITE: restarted, it serves the same data and the initiator
# carries on.
set -u
here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=crash-lib.sh
. "$here/crash-lib.sh"

BUILD=${1:?usage: blockdev-basic.sh BUILD_DIR}
PORT=5556
SIZE_MB=64
export TARGET_PROG=srpt-blockdev

out=$(guest_result_dir blockdev-basic)
: >"$out/summary.txt"
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}

guest_rdma_up || die "soft-RoCE setup failed"

mnt=/mnt/blockdev
mkdir -p "$mnt"
mountpoint -q "$mnt" || mount -t tmpfs -o size=$((SIZE_MB * 3))M tmpfs "$mnt" ||
	die "cannot mount a tmpfs for the backing file"
img=$mnt/lun0.img
truncate -s ${SIZE_MB}M "$img"
modprobe brd rd_nr=1 rd_size=$((SIZE_MB * 1024)) || die "cannot load brd"
ram=/dev/ram0
[ -b "$ram" ] || die "no $ram"
targs=(--port $PORT --pool 32M "$img" "$ram")

ramdisk_start "$BUILD" "$out/target.log" "${targs[@]}" ||
	die "srpt-blockdev did not start"
note "target: $RAMDISK_LINE"
grep -q "LUN 0: $img, $((SIZE_MB * 2048)) blocks of 512 bytes, buffered (O_DIRECT refused), write cache, thin (UNMAP)" "$out/target.log" ||
	die "LUN 0 is not what a file on tmpfs should be: $(grep 'LUN 0' "$out/target.log")"
grep -q "LUN 1: $ram, $((SIZE_MB * 2048)) blocks of 512 bytes, O_DIRECT" "$out/target.log" ||
	die "LUN 1 is not what brd should be: $(grep 'LUN 1' "$out/target.log")"
note "LUN 0: $(sed -n 's/.*LUN 0: //p' "$out/target.log")"
note "LUN 1: $(sed -n 's/.*LUN 1: //p' "$out/target.log")"

login() {	# [LUNS]: log in, wait for the disks: d0, d1 (d2)
	local n=${1:-2}
	srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
		die "login to srpt-blockdev failed"
	srp_wait_disks "$n" 30 >"$out/disks.txt" || die "the LUNs did not appear"
	d0=$(awk '$3 ~ /:0$/ {print $1}' "$out/disks.txt")
	d1=$(awk '$3 ~ /:1$/ {print $1}' "$out/disks.txt")
	d2=$(awk '$3 ~ /:2$/ {print $1}' "$out/disks.txt")
	[ -n "$d0" ] && [ -n "$d1" ] || die "LUN 0 and 1 not found: $(cat "$out/disks.txt")"
	[ "$n" -lt 3 ] || [ -n "$d2" ] || die "LUN 2 not found: $(cat "$out/disks.txt")"
}
login
for d in "$d0" "$d1"; do
	sectors=$(cat "/sys/block/${d#/dev/}/size")
	[ "$sectors" -eq $((SIZE_MB * 2048)) ] ||
		die "$d has $sectors sectors, expected $((SIZE_MB * 2048))"
	sg_inq "$d" >"$out/inq.txt" 2>&1 || die "sg_inq $d failed"
	grep -q "BLOCKDEV" "$out/inq.txt" || die "sg_inq $d: product is not BLOCKDEV"
done
wc0=$(cat "/sys/block/${d0#/dev/}/queue/write_cache")
wc1=$(cat "/sys/block/${d1#/dev/}/queue/write_cache")
[ "$wc0" = "write back" ] || die "the file LUN announces '$wc0', not a volatile write cache"
[ "$wc1" = "write through" ] || die "the brd LUN announces '$wc1', not write through"
disc0=$(cat "/sys/block/${d0#/dev/}/queue/discard_max_bytes")
[ "$disc0" -gt 0 ] || die "the file LUN does not offer discard (UNMAP)"
note "initiator sees: BLOCKDEV, ${SIZE_MB} MiB each; file LUN: write back, discard up to $disc0 bytes; brd LUN: write through"

fio --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio --direct=1 \
	--size=16M --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--group_reporting --name=f0 --filename="$d0" --name=f1 --filename="$d1" \
	>"$out/fio-verify.txt" 2>&1 || { cat "$out/fio-verify.txt" >&2; die "fio --verify failed"; }
grep -q "err= 0" "$out/fio-verify.txt" || die "fio reported errors"
note "fio randwrite qd32 --verify=crc32c on both LUNs: no errors"

# What the initiator was told is written is in the backing.
pat=$out/pattern
dd if=/dev/urandom of="$pat" bs=1M count=4 status=none
for pair in "$d0 $img" "$d1 $ram"; do
	set -- $pair
	dd if="$pat" of="$1" bs=1M seek=8 count=4 oflag=direct status=none ||
		die "direct write to $1 failed"
	cmp <(dd if="$2" bs=1M skip=8 count=4 iflag=direct status=none 2>/dev/null ||
	      dd if="$2" bs=1M skip=8 count=4 status=none) "$pat" ||
		die "the 4 MiB written to $1 are not in $2"
	dd if="$1" of="$out/readback" bs=1M skip=8 count=4 iflag=direct status=none ||
		die "direct read from $1 failed"
	cmp "$out/readback" "$pat" || die "read-back from $1 differs"
done
note "4 MiB written through each LUN: in the file and in $ram, byte for byte, and read back"

# UNMAP punches holes in the file: fewer blocks allocated, zeros read.
dd if=/dev/urandom of="$d0" bs=1M seek=32 count=16 oflag=direct status=none ||
	die "fill before discard failed"
blocks0=$(stat -c %b "$img")
blkdiscard -o $((32 << 20)) -l $((16 << 20)) "$d0" || die "blkdiscard $d0 failed"
blocks1=$(stat -c %b "$img")
[ "$blocks1" -lt "$blocks0" ] || die "UNMAP freed nothing in the file ($blocks0 -> $blocks1 blocks)"
cmp -n $((16 << 20)) <(dd if="$d0" bs=1M skip=32 count=16 iflag=direct status=none) /dev/zero ||
	die "discarded blocks do not read as zeros"
note "blkdiscard 16 MiB (UNMAP): the file's allocation $blocks0 -> $blocks1 blocks of 512, zeros read back"

sg_sync "$d0" >"$out/sync.txt" 2>&1 || die "SYNCHRONIZE CACHE failed: $(cat "$out/sync.txt")"
note "SYNCHRONIZE CACHE on the file LUN: GOOD"

# WRITE SAME without UNMAP writes its block to every block of the range,
# in the file: 3000 blocks take two rounds of the 1 MiB pool buffer.
head -c 512 /dev/urandom >"$out/ws-block"
sg_write_same --16 --lba=100000 --num=3000 --in="$out/ws-block" --xferlen=512 "$d0" \
	>"$out/ws.txt" 2>&1 || die "WRITE SAME failed: $(cat "$out/ws.txt")"
for i in 0 1 2047 2048 2999; do
	cmp <(dd if="$img" bs=512 skip=$((100000 + i)) count=1 status=none) "$out/ws-block" ||
		die "WRITE SAME: block $((100000 + i)) of the file is not the pattern"
done
if cmp -s <(dd if="$img" bs=512 skip=103000 count=1 status=none) "$out/ws-block"; then
	die "WRITE SAME wrote past its range"
fi
note "WRITE SAME(16) of one block over 3000 blocks: the blocks in the file are the pattern, none past it"

# A file system on the brd LUN: made, filled, checked, read back.
mkfs.ext4 -q -F "$d1" >"$out/mkfs.txt" 2>&1 || die "mkfs.ext4 $d1 failed: $(cat "$out/mkfs.txt")"
fsmnt=/mnt/bdfs
mkdir -p "$fsmnt"
mount "$d1" "$fsmnt" || die "mount $d1 failed"
for i in 1 2 3 4; do
	dd if=/dev/urandom of="$fsmnt/f$i" bs=1M count=2 status=none
done
(cd "$fsmnt" && sha256sum f1 f2 f3 f4) >"$out/fs.sha256"
umount "$fsmnt" || die "umount failed"
fsck.ext4 -fn "$d1" >"$out/fsck.txt" 2>&1 || die "fsck.ext4 found errors: $(tail -n 20 "$out/fsck.txt")"
echo 3 >/proc/sys/vm/drop_caches
mount "$d1" "$fsmnt" || die "mount $d1 (again) failed"
(cd "$fsmnt" && sha256sum -c --quiet "$out/fs.sha256") || die "files differ after remount"
umount "$fsmnt"
note "ext4 on the brd LUN: mkfs, 4 files, umount, fsck -f clean, remount, checksums match"

# SIGKILL in the middle of writes: what was answered survives, the
# restarted target serves it, the initiator reconnects and carries on.
in_file() {	# PATTERN: the first 8 MiB of the file are PATTERN
	cmp <(dd if="$img" bs=1M count=8 status=none) "$1"
}
crash_kill_restart "$out" "$d0" $((16 << 20)) $((16 << 20)) 4 in_file "in the file" \
	ramdisk_start "$BUILD" "$out/target-restart.log" "${targs[@]}"
pat=$out/crash-pattern
note "$CRASH_NOTE"

srp_logout_all || die "logout failed"
ramdisk_stop || die "srpt-blockdev did not exit 0 on SIGTERM"
grep -q "stopped" "$RAMDISK_LOG" || die "srpt-blockdev did not log its stop"
note "SIGTERM: exit 0${RAMDISK_LEAK_NOTE:-}"

# Errors the initiator must be told in SCSI terms: a read-only LUN
# (DATA PROTECT) and a backing that fails every I/O (a device-mapper
# error target: MEDIUM ERROR).
modprobe dm_mod 2>/dev/null
# No udev in this guest: dmsetup makes the node itself.
dmsetup create --noudevsync bd-bad --table "0 16384 error" &&
	dmsetup mknodes bd-bad && [ -b /dev/mapper/bd-bad ] ||
	die "cannot make a failing device"
# A file larger than the file system holding it: ENOSPC past 4 MiB.
smallfs=/mnt/bdsmall
mkdir -p "$smallfs"
mount -t tmpfs -o size=4M tmpfs "$smallfs" || die "cannot mount a small tmpfs"
truncate -s 32M "$smallfs/full.img"
ramdisk_start "$BUILD" "$out/target-errors.log" --port $PORT --pool 8M \
	"$img,ro" /dev/mapper/bd-bad "$smallfs/full.img" ||
	die "srpt-blockdev (errors) did not start"
grep -q "LUN 0: .*read-only" "$out/target-errors.log" || die "LUN 0 (PATH,ro) is not read-only"
kmsg_mark "blockdev errors"
login 3
dmesg_since "blockdev errors" | grep -q "Write Protect is on" ||
	die "the initiator does not see LUN 0 write protected"
# Past the initiator's own read-only flag (SG_IO), so the WRITE(10) of
# one block reaches the target.
if sg_raw -R -s 512 -i /dev/zero "$d0" 2a 00 00 00 00 00 00 00 01 00 \
	>"$out/ro.txt" 2>&1; then
	die "a WRITE to the read-only LUN succeeded: $(cat "$out/ro.txt")"
fi
grep -q "Data Protect" "$out/ro.txt" && grep -qi "write protected" "$out/ro.txt" ||
	die "no DATA PROTECT, WRITE PROTECTED for the write to the read-only LUN: $(cat "$out/ro.txt")"
cmp <(dd if="$img" bs=1M count=8 status=none) "$pat" || die "the read-only LUN's file changed"
if dd if="$d1" of=/dev/null bs=4k count=1 iflag=direct status=none 2>"$out/bad.err"; then
	die "a READ from the failing device succeeded"
fi
dmesg_since "blockdev errors" | grep -q "Medium Error\|Unrecovered read error" ||
	die "no MEDIUM ERROR for the failing read: $(dmesg_since 'blockdev errors' | tail -n 5)"
if dd if=/dev/urandom of="$d2" bs=1M count=8 oflag=direct status=none 2>"$out/nospc.err"; then
	die "8 MiB written to a file on a 4 MiB file system"
fi
# The sense through SG_IO, not the kernel log: the log's sense lines are
# rate limited across devices, and the failing device's scan just used
# the allowance. One block at 20 MiB, never written, on the full file.
if sg_raw -s 512 -i /dev/urandom "$d2" 2a 00 00 00 9c 40 00 00 01 00 \
	>"$out/nospc.txt" 2>&1; then
	die "a WRITE past the full file system succeeded: $(cat "$out/nospc.txt")"
fi
grep -q "Data Protect" "$out/nospc.txt" &&
	grep -qi "space allocation failed write protect" "$out/nospc.txt" ||
	die "no SPACE ALLOCATION FAILED for a full backing: $(cat "$out/nospc.txt")"
ramdisk_alive
note "errors: WRITE to a read-only LUN (PATH,ro) refused with DATA PROTECT, its file unchanged; READ from a failing device answered MEDIUM ERROR; WRITE past a full file system answered SPACE ALLOCATION FAILED; the target carries on"
srp_logout_all || die "logout (errors) failed"
ramdisk_stop || die "srpt-blockdev (errors) did not exit 0 on SIGTERM"
dmsetup remove --noudevsync bd-bad 2>/dev/null || true
umount "$smallfs" 2>/dev/null || true
rmmod brd 2>/dev/null || true
note "PASS"
