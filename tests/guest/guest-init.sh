#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Stage 2 of the guest started by boot.sh: runs as PID 1 on the overlay of the
# host's /, finishes the mounts, runs the job and powers off. The line
# GUEST-EXIT-STATUS=<n> is how boot.sh learns the result, so every path out
# of here must either print it or leave boot.sh to report a missing status.

job=${1:-}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 GUEST=1

off() {
	sync
	busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10
}

finish() {
	echo "GUEST-EXIT-STATUS=$1"
	off
}

# shellcheck disable=SC1090 # written by boot.sh for this run
if [ -z "$job" ] || ! . "$job"; then
	echo "guest-init: cannot read job file '$job'"
	finish 125
fi

# The guest gets a fresh /tmp, but a tree that lives under the host's /tmp
# (a CI clone, say) stays visible: its top folder is bound back.
mkdir -p /.host-tmp && mount --bind /tmp /.host-tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
for p in "$GUEST_CWD" "$GUEST_SCRIPT" "$GUEST_OUT" "$job"; do
	case $p in
	/tmp/?*)
		top=${p#/tmp/}
		top=${top%%/*}
		if [ ! -e "/tmp/$top" ]; then
			mkdir -p "/tmp/$top"
			mount --bind "/.host-tmp/$top" "/tmp/$top"
		fi
		;;
	esac
done
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mountpoint -q /sys/kernel/config ||
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
mkdir -p "$GUEST_OUT"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap \
		guestout "$GUEST_OUT"; then
	echo "guest-init: cannot mount the results share at $GUEST_OUT"
	finish 125
fi
hostname guest 2>/dev/null
ip link set lo up 2>/dev/null

cd "$GUEST_CWD" || finish 125
cmd=("$GUEST_SCRIPT" "${GUEST_ARGS[@]}")
[ -x "$GUEST_SCRIPT" ] || cmd=(bash "${cmd[@]}")
if [ "${GUEST_INTERACTIVE:-0}" = 1 ]; then
	# A session with the console as controlling tty, so ^C and job
	# control work in a debug shell.
	setsid -c -w "${cmd[@]}" </dev/console >/dev/console 2>&1
else
	"${cmd[@]}" </dev/null
fi
rc=$?
cd /
finish "$rc"
