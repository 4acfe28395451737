#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: the kernel SRP initiator against LIO's ib_srpt over soft-RoCE
# (RDMA/CM). Proves the harness end to end: login, disk size, a direct-I/O
# data round trip, a short fio run, logout, teardown.
# Results: $GUEST_OUT/lio-smoke/{summary.txt,fio-randread.txt}
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lio.sh
. "$here/lio.sh"

PORT=${LIO_PORT:-5555}
SIZE_MB=64
FIO_RUNTIME=${FIO_RUNTIME:-5}

out=$(guest_result_dir lio-smoke)
: >"$out/summary.txt"
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}

guest_rdma_up || die "soft-RoCE setup failed"
lio_setup_ramdisk "$PORT" "$SIZE_MB" || die "LIO setup failed"
guid=$(lio_service_guid) || die "no ib_srpt service GUID"
note "rxe0 node_guid=$RXE_GUID gid0=$RXE_GID0 srpt_service_guid=$guid"

srp_login "$GUEST_IP" "$PORT" "$guid" "$guid" || die "login to LIO failed"
srp_wait_disks 1 30 >"$out/disks.txt" || die "no SRP disk appeared"
read -r dev port hctl <"$out/disks.txt"
note "disk $dev via $port [$hctl]"
note "ib_srpt saw: $(lio_logins | head -n 1)"

sectors=$(cat "/sys/block/${dev#/dev/}/size")
[ "$sectors" -eq $((SIZE_MB * 2048)) ] ||
	die "$dev has $sectors sectors, expected $((SIZE_MB * 2048))"
note "size ok: $sectors sectors"

pat=/tmp/pattern
back=/tmp/readback
dd if=/dev/urandom of="$pat" bs=1M count=4 status=none
dd if="$pat" of="$dev" bs=1M count=4 oflag=direct conv=fsync status=none ||
	die "direct write to $dev failed"
dd if="$dev" of="$back" bs=1M count=4 iflag=direct status=none ||
	die "direct read from $dev failed"
cmp "$pat" "$back" || die "read-back differs from what was written"
note "4 MiB direct write/read-back: identical"

fio --name=randread --filename="$dev" --rw=randread --bs=4k --iodepth=32 \
	--ioengine=libaio --direct=1 --runtime="$FIO_RUNTIME" --time_based \
	--numjobs=1 --group_reporting >"$out/fio-randread.txt" 2>&1 ||
	{ cat "$out/fio-randread.txt" >&2; die "fio failed"; }
iops=$(sed -n 's/.*read: IOPS=\([^,]*\),.*/\1/p' "$out/fio-randread.txt")
note "fio 4k randread qd32 ${FIO_RUNTIME}s: IOPS=${iops:-?}"

srp_logout_all || die "logout failed"
lio_teardown || die "LIO teardown failed"
note "LIO smoke OK"
