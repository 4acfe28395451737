#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# The demo: srpt-ramdisk serving the Linux kernel SRP initiator.
# - With an RDMA device on this machine: builds and runs srpt-ramdisk
#   (arguments are passed to it; stop it with Ctrl-C).
# - Without one: boots the soft-RoCE guest (qemu, TCG) and shows the kernel
#   initiator logging in, the disks, a verified write/read and fio figures.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
if ls /sys/class/infiniband/* >/dev/null 2>&1; then
	scripts/install-deps.sh
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	exec build/examples/srpt-ramdisk/srpt-ramdisk "$@"
fi
scripts/install-deps.sh --guest
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "No RDMA device here: booting the soft-RoCE guest (about a minute)..."
tests/guest/run-ramdisk-tests.sh "$src/build"
echo
echo "srpt-ramdisk's own log in the guest:"
grep -E "add_target|login|logging out|rejected|stopped" \
	build-guest-out/ramdisk-basic/target.log* | sed 's/^/  /'
