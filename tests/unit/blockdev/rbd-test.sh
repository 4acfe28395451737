#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# The RBD backend against a real cluster: starts the throwaway cluster of
# tests/ceph/cluster.sh in a temporary directory, creates two 64 MiB
# images, runs test-blockdev-rbd (backing-rbd.c's opening and I/O), then
# what srpt-blockdev says at start to an rbd: LUN it cannot serve (no such
# image or pool, conf= on a file), then active/passive through the image's
# lock (failover.c, through rbd-failover-node processes: exactly one
# active, SIGKILL of the owner taken over within the bound, a frozen
# owner's late write refused and the owner back as a standby by itself,
# able to take over again), and stops the cluster.
# usage: rbd-test.sh CLUSTER_SH TEST_BLOCKDEV_RBD SRPT_BLOCKDEV FAILOVER_NODE
# Exit 77 (meson's SKIP) without root or without the Ceph daemons
# (scripts/install-deps.sh installs them).
set -u
cluster=${1:?usage: rbd-test.sh CLUSTER_SH TEST_BLOCKDEV_RBD SRPT_BLOCKDEV}
test_bin=${2:?}
# shellcheck disable=SC2034 # bin and tmp are expect.sh's
bin=${3:?}
node=${4:?}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the throwaway Ceph cluster needs root"
	exit 77
fi
if ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null; then
	echo "SKIP: no ceph-mon/ceph-osd (scripts/install-deps.sh installs them)"
	exit 77
fi

dir=$(mktemp -d /tmp/rbd-test.XXXXXX)
trap '"$cluster" stop "$dir/c"; rm -rf "$dir"' EXIT
# A monitor port of its own, so that runs side by side do not meet.
port=$((41000 + ($$ % 4000) * 2))
start=$SECONDS
if ! "$cluster" start "$dir/c" "$port" >"$dir/env"; then
	echo "FAIL: the cluster did not start"
	exit 1
fi
echo "cluster up in $((SECONDS - start)) s"
export CEPH_CONF=$dir/c/ceph.conf
if ! rbd create --size 64M rbd/t1 || ! rbd create --size 64M rbd/t2 ||
	! rbd create --size 64M rbd/fo; then
	echo "FAIL: rbd create"
	exit 1
fi

fails=0
RBD_TEST_IMAGE=rbd:rbd/t1 RBD_TEST_IMAGE2=rbd:rbd/t2 "$test_bin" ||
	fails=$((fails + 1))

# srpt-blockdev stops at start, before any RDMA device is needed, with a
# line that says why.
# shellcheck disable=SC2034
tmp=$dir
# shellcheck source-path=SCRIPTDIR source=expect.sh
. "$(dirname "$0")/expect.sh"
expect 1 "LUN 0: rbd:rbd/nope: image 'nope' in pool 'rbd': No such file" rbd:rbd/nope
expect 1 "pool 'nopool'" --ceph-conf "$CEPH_CONF" rbd:nopool/t1
expect 1 "as client.nobody: Permission denied" rbd:rbd/t1,id=nobody
expect 1 "LUN 1: rbd:rbd/t1 holds the same data as LUN 0" rbd:rbd/t1 rbd:rbd/t1
expect 2 "conf= and id= are for RBD images" "$dir/env,conf=$CEPH_CONF"
expect 1 "not rbd:POOL/IMAGE" rbd:t1
# shellcheck source-path=SCRIPTDIR source=rbd-failover.sh
. "$(dirname "$0")/rbd-failover.sh"
failover_tests rbd:rbd/fo || fails=$((fails + 1))

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
