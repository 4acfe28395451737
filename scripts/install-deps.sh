#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Installs every Debian package the build, the tests (systemd-analyze
# for the unit; debhelper and lintian for the Debian packages) and the
# soft-RoCE guest need. librbd-dev builds srpt-blockdev's rbd: LUNs; ceph-mon,
# ceph-osd and ceph-common run the throwaway cluster (tests/ceph/cluster.sh)
# of the RBD tests, on the host and, through the shared root, in the guest. Idempotent; runs apt-get only when something is missing.
# Usage: scripts/install-deps.sh [--guest]   (--guest adds the VM packages)
set -euo pipefail

pkgs=(meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev check
      libibverbs-dev librdmacm-dev liburcu-dev liburing-dev libjson-c-dev
      python3 binutils
      valgrind groff-base man-db
      libsystemd-dev systemd
      debhelper dpkg-dev fakeroot lintian
      librbd-dev ceph-mon ceph-osd ceph-common)
guest_pkgs=(qemu-system-x86 linux-image-amd64 busybox-static kmod cpio
	    rdma-core ibverbs-providers ibverbs-utils rdmacm-utils iproute2
	    fio sg3-utils perftest util-linux multipath-tools udev jq
	    dmsetup e2fsprogs)
if [ "${1:-}" = --guest ]; then
	pkgs+=("${guest_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
