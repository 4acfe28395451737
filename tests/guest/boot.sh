#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Boot a throw-away qemu guest (TCG) on the installed Debian kernel, with this
# machine's / shared read-only (tmpfs overlay on top), and run one script in
# it. The guest's exit status becomes ours; 125 means the guest never
# reported one (timeout, panic, boot failure).
#
# usage: boot.sh [--timeout SEC] [--mem MB] [--smp N] [--log FILE] [--verbose]
#                [--interactive] GUEST_SCRIPT [ARGS...]
#
# Environment:
#   GUEST_CACHE     initramfs cache and job files (default $REPO/build-guest-cache)
#   GUEST_OUT       results dir, shared read-write at the same path in the
#                   guest (default $REPO/build-guest-out)
#   GUEST_KVER      kernel version to boot (default: newest with a vmlinuz)
#   GUEST_PASS_ENV  names of host variables to export into the guest
#   GUEST_VERBOSE=1 same as --verbose (console also copied to stdout)
# See README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$here/../.." && pwd -P)

timeout_s=600
mem_mb=2048
smp=2
log=
verbose=${GUEST_VERBOSE:-0}
interactive=0

usage() {
	sed -n '9,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

msg() { printf 'boot.sh: %s\n' "$*" >&2; }
fatal() { msg "$*"; exit 125; }

while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--mem) mem_mb=${2:?}; shift 2 ;;
	--mem=*) mem_mb=${1#*=}; shift ;;
	--smp) smp=${2:?}; shift 2 ;;
	--smp=*) smp=${1#*=}; shift ;;
	--log) log=${2:?}; shift 2 ;;
	--log=*) log=${1#*=}; shift ;;
	-v|--verbose) verbose=1; shift ;;
	-i|--interactive) interactive=1; verbose=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) msg "unknown option $1"; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
case $timeout_s$mem_mb$smp in *[!0-9]*) fatal "numeric option expected" ;; esac

# A path seen by the guest through the shared / must fit on the kernel
# command line without quoting. Paths under /tmp are bound back into the
# guest's fresh /tmp by guest-init.sh (CI may clone the tree there).
check_guest_path() {
	case $2 in
	/tmp) fatal "$1 $2 is /tmp itself, which the guest replaces" ;;
	*[[:space:]]*) fatal "$1 '$2' contains white space" ;;
	esac
}

script=$(readlink -f -- "$1") || fatal "cannot resolve $1"
shift
[ -f "$script" ] || fatal "guest script $script not found"
check_guest_path "guest script" "$script"

GUEST_CACHE=${GUEST_CACHE:-$REPO/build-guest-cache}
GUEST_OUT=${GUEST_OUT:-$REPO/build-guest-out}
mkdir -p -- "$GUEST_CACHE" "$GUEST_OUT"
GUEST_CACHE=$(cd "$GUEST_CACHE" && pwd -P)
GUEST_OUT=$(cd "$GUEST_OUT" && pwd -P)
check_guest_path "GUEST_CACHE" "$GUEST_CACHE"
case $GUEST_OUT in *[[:space:],]*) fatal "GUEST_OUT '$GUEST_OUT' has white space or a comma" ;; esac

guest_init=$here/guest-init.sh
check_guest_path "guest init" "$guest_init"

[ -n "$log" ] || log=$GUEST_OUT/console-$(basename "$script" .sh).log
mkdir -p -- "$(dirname "$log")"

for tool in qemu-system-x86_64 timeout cpio gzip modprobe; do
	command -v "$tool" >/dev/null || fatal "$tool not found (see tests/guest/README.md)"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || busybox=/bin/busybox
[ -x "$busybox" ] || fatal "busybox not found (install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	fatal "$busybox is dynamically linked; install busybox-static"
fi

# --- kernel ---------------------------------------------------------------
pick_kernel() {
	local d v best=
	if [ -n "${GUEST_KVER:-}" ]; then
		printf '%s\n' "$GUEST_KVER"
		return
	fi
	for d in /lib/modules/*/; do
		v=$(basename "$d")
		if [ ! -r "/boot/vmlinuz-$v" ] || [ ! -f "$d/modules.dep" ]; then
			continue
		fi
		best=$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n 1)
	done
	printf '%s\n' "$best"
}
kver=$(pick_kernel)
[ -n "$kver" ] || fatal "no /lib/modules/<ver> with a matching /boot/vmlinuz-<ver> (install linux-image-amd64)"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || fatal "$kernel not readable"

# --- initramfs: busybox + what it takes to mount 9p and overlayfs ----------
initramfs_mods="virtio_pci 9pnet_virtio 9p overlay"

# Stage 1 runs from the initramfs: load the modules, mount the host's / under
# an overlay and hand over to guest-init.sh (stage 2) from the shared tree.
read -r -d '' stage1 <<'EOF' || true
#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
die1() {
	echo "initramfs: $*"
	poweroff -f
}
while read -r m; do
	insmod "/modules/$m" || die1 "insmod $m failed"
done </modules/order
gi= gj=
for w in $(cat /proc/cmdline); do
	case $w in
	guestinit=*) gi=${w#guestinit=} ;;
	guestjob=*) gj=${w#guestjob=} ;;
	esac
done
[ -n "$gi" ] || die1 "no guestinit= on the kernel command line"
mkdir -p /lower /ovl /newroot
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose \
	hostroot /lower || die1 "mounting the host root over 9p failed"
mount -t tmpfs -o mode=0755 ovl /ovl
mkdir -p /ovl/upper /ovl/work
mount -t overlay -o lowerdir=/lower,upperdir=/ovl/upper,workdir=/ovl/work \
	overlay /newroot || die1 "overlay mount failed"
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot /bin/bash "$gi" "$gj"
EOF

mod_list() {
	local m
	for m in $initramfs_mods; do
		modprobe -S "$kver" --show-depends "$m" ||
			fatal "module $m not found for kernel $kver"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}
mods=$(mod_list)

key=$( {
	printf '%s\n' "$kver" "$stage1" "$mods"
	sha256sum "$busybox" "$kernel"
} | sha256sum | cut -c1-16)
initrd=$GUEST_CACHE/initramfs-$kver-$key.cpio.gz

build_initramfs() {
	local tmp m a
	tmp=$(mktemp -d "$GUEST_CACHE/initramfs.XXXXXX")
	mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
	cp "$busybox" "$tmp/bin/busybox"
	for a in sh mount insmod switch_root mkdir cat echo poweroff sleep; do
		ln -s busybox "$tmp/bin/$a"
	done
	mknod -m 600 "$tmp/dev/console" c 5 1 2>/dev/null || true
	: >"$tmp/modules/order"
	for m in $mods; do
		case $m in
		*.ko) cp "$m" "$tmp/modules/" ;;
		*.ko.xz) xz -dc "$m" >"$tmp/modules/$(basename "$m" .xz)" ;;
		*.ko.zst) zstd -qdc "$m" >"$tmp/modules/$(basename "$m" .zst)" ;;
		*.ko.gz) gzip -dc "$m" >"$tmp/modules/$(basename "$m" .gz)" ;;
		*) fatal "unexpected module file $m" ;;
		esac
		m=$(basename "$m")
		echo "${m%.ko*}.ko" >>"$tmp/modules/order"
	done
	printf '%s\n' "$stage1" >"$tmp/init"
	chmod 755 "$tmp/init"
	(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$tmp.cpio.gz"
	mv -f "$tmp.cpio.gz" "$initrd"
	rm -rf "$tmp"
}

if [ ! -s "$initrd" ]; then
	exec 9>"$GUEST_CACHE/.lock"
	flock 9
	if [ ! -s "$initrd" ]; then
		msg "building $initrd"
		build_initramfs
	fi
	flock -u 9
	exec 9>&-
fi

# --- job file: what stage 2 runs, read by the guest through the shared / ---
mkdir -p "$GUEST_CACHE/jobs"
job=$(mktemp "$GUEST_CACHE/jobs/job.XXXXXX")
trap 'rm -f "$job"' EXIT

cwd=$(pwd -P)
case $cwd in
/tmp) msg "cwd is /tmp; the guest starts in $REPO"; cwd=$REPO ;;
esac
{
	printf 'GUEST_CWD=%q\n' "$cwd"
	printf 'GUEST_SCRIPT=%q\n' "$script"
	printf 'GUEST_ARGS=('
	for a in "$@"; do printf ' %q' "$a"; done
	printf ' )\n'
	printf 'export GUEST_OUT=%q\n' "$GUEST_OUT"
	printf 'export GUEST_REPO=%q\n' "$REPO"
	printf 'GUEST_INTERACTIVE=%s\n' "$interactive"
	for v in ${GUEST_PASS_ENV:-}; do
		if [ -n "${!v+x}" ]; then
			printf 'export %s=%q\n' "$v" "${!v}"
		fi
	done
} >"$job"

# --- boot ----------------------------------------------------------------
# no_timer_check: under TCG on a busy host the emulated timer can tick
# too slowly for the kernel's IO-APIC timer test, which then panics at
# boot ("IO-APIC + timer doesn't work!") before any test ran.
append="console=ttyS0 quiet panic=-1 no_timer_check guestinit=$guest_init guestjob=$job"
# shellcheck disable=SC2054 # the commas are qemu's
qemu=(qemu-system-x86_64
	-accel tcg,thread=multi -cpu max -m "$mem_mb" -smp "$smp"
	-nographic -nic none -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$GUEST_OUT,mount_tag=guestout,security_model=none,multidevs=remap")

# Serial output has CRLF line ends and the firmware's terminal escapes.
clean_console() {
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc/\n/g'
}

start=$(date +%s)
set +e
if [ "$interactive" = 1 ]; then
	# stdin goes to the guest's console; the script gets it as its stdin.
	timeout -k 10 "$timeout_s" "${qemu[@]}" 2>&1 |
		clean_console | tee "$log"
	qrc=${PIPESTATUS[0]}
elif [ "$verbose" = 1 ]; then
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 |
		clean_console | tee "$log"
	qrc=${PIPESTATUS[0]}
else
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 |
		clean_console >"$log"
	qrc=${PIPESTATUS[0]}
fi
set -e
elapsed=$(($(date +%s) - start))

status=$(sed -n 's/^GUEST-EXIT-STATUS=\([0-9]\{1,3\}\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		why="timeout after ${timeout_s}s"
	else
		why="qemu exit status $qrc"
	fi
	[ "$verbose" = 1 ] || tail -n 200 "$log" >&2
	msg "guest did not finish (timeout or panic): $why; console log $log"
	exit 125
fi
if [ "$status" != 0 ]; then
	[ "$verbose" = 1 ] || tail -n 200 "$log" >&2
	msg "guest script $(basename "$script") failed with status $status after ${elapsed}s; console log $log"
else
	msg "guest script $(basename "$script") passed in ${elapsed}s; console log $log"
fi
exit "$status"
