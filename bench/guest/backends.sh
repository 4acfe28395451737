# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Backend pairs for bench.sh (inside the guest): LIO's iblock and fileio
# backstores against srpt-blockdev on the same brd device and the same
# file on tmpfs. Source after tests/guest/lio.sh and ramdisk.sh, once
# lio_setup_ramdisk has made LIO_TPG.
#
# Only one of them holds a backing at a time: LIO's iblock opens the block
# device exclusively, and so does srpt-blockdev (O_EXCL), so an iblock
# backstore is removed before srpt-blockdev starts on the device, and
# srpt-blockdev has exited before the next backstore is made.

BD_MNT=/mnt/bench-bd
BD_RAM=/dev/ram0

# bd_backings SIZE_MB: a brd device and a file on tmpfs of SIZE_MB each,
# written through once so that reads find allocated pages on both (brd
# and tmpfs would otherwise answer reads of untouched blocks from the
# zero page, which neither target pays for with rd_mcp or srpt-ramdisk).
bd_backings() {
	local mb=${1:?size in MiB}
	BD_FILE=$BD_MNT/lun.img
	mkdir -p "$BD_MNT"
	mountpoint -q "$BD_MNT" ||
		mount -t tmpfs -o size=$((mb + 16))M tmpfs "$BD_MNT" || return 1
	dd if=/dev/zero of="$BD_FILE" bs=1M count="$mb" status=none || return 1
	[ -b "$BD_RAM" ] || modprobe brd rd_nr=1 rd_size=$((mb * 1024)) || return 1
	[ -b "$BD_RAM" ] || return 1
	dd if=/dev/zero of="$BD_RAM" bs=1M count="$mb" oflag=direct status=none
}

# lio_backstore_add KIND NAME CONTROL: makes and enables the backstore
# core/KIND_0/NAME; prints its configfs directory.
lio_backstore_add() {
	local d=$LIO_CFG/core/${1:?kind}_0/${2:?name}
	mkdir -p "$d" || return 1
	_lio_put "${3:?control}" "$d/control" || return 1
	_lio_put 1 "$d/enable" || return 1
	printf '%s\n' "$d"
}

# lio_backstore_del DIR: removes a backstore no LUN points at, and its
# HBA directory once it is empty: an iblock backstore lets go of the
# block device here.
lio_backstore_del() {
	local d=${1:?dir}
	[ -d "$d" ] || return 0
	rmdir "$d" || return 1
	rmdir "${d%/*}" 2>/dev/null || true
}

# lio_lun0 DIR: LUN 0 of LIO_TPG, and of each of its ACLs, made on the
# backstore DIR instead of the one it had (the TPG stays enabled; nobody
# is logged in).
lio_lun0() {
	local dir=${1:?backstore dir} acl l
	for acl in "$LIO_TPG"/acls/*; do
		[ -d "$acl/lun_0" ] || continue
		for l in "$acl"/lun_0/*; do
			[ -L "$l" ] && rm -f "$l"
		done
		rmdir "$acl/lun_0" || return 1
	done
	if [ -d "$LIO_TPG/lun/lun_0" ]; then
		for l in "$LIO_TPG"/lun/lun_0/*; do
			[ -L "$l" ] && rm -f "$l"
		done
		rmdir "$LIO_TPG/lun/lun_0" || return 1
	fi
	mkdir "$LIO_TPG/lun/lun_0" || return 1
	ln -s "$dir" "$LIO_TPG/lun/lun_0/${dir##*/}" || return 1
	for acl in "$LIO_TPG"/acls/*; do
		[ -d "$acl" ] || continue
		mkdir "$acl/lun_0" || return 1
		ln -s "$LIO_TPG/lun/lun_0" "$acl/lun_0/lun_0" || return 1
	done
}

# lio_on KIND [DEV]: LUN 0 on a fresh backstore of KIND (iblock: the
# block device DEV, default the brd device; fileio: the tmpfs file,
# buffered so that it announces a write cache as srpt-blockdev does for a
# file). Sets LIO_BS.
lio_on() {
	case $1 in
	iblock) LIO_BS=$(lio_backstore_add iblock ib0 "udev_path=${2:-$BD_RAM}") ;;
	fileio) LIO_BS=$(lio_backstore_add fileio fd0 \
		"fd_dev_name=$BD_FILE,fd_dev_size=$(stat -c %s "$BD_FILE"),fd_buffered_io=1") ;;
	*) return 1 ;;
	esac || return 1
	lio_lun0 "$LIO_BS"
}

# lio_off: LUN 0 back on the rd_mcp ramdisk, the backstore of lio_on gone.
lio_off() {
	lio_lun0 "$LIO_RD" || return 1
	lio_backstore_del "$LIO_BS" || return 1
	LIO_BS=
}

# bd_start BUILD LOG [OPTION...] PATH: srpt-blockdev on PATH (a file, a
# block device or rbd:POOL/IMAGE), port BD_PORT. Sets BD_PID, BD_ID_EXT,
# BD_GUID; RAMDISK_* keep naming srpt-ramdisk.
bd_start() {
	local save=("$RAMDISK_PID" "$RAMDISK_LINE" "$RAMDISK_ID_EXT" "$RAMDISK_GUID" "$RAMDISK_LOG") rc=0
	# shellcheck disable=SC2086 # a list of options
	TARGET_PROG=srpt-blockdev ramdisk_start "$1" "$2" --port "$BD_PORT" \
		--pool "${BENCH_BD_POOL:-64M}" ${BENCH_OURS_ARGS:-} "${@:3}" || rc=1
	# shellcheck disable=SC2034 # read by bench.sh's tgt_login
	BD_PID=$RAMDISK_PID BD_ID_EXT=$RAMDISK_ID_EXT BD_GUID=$RAMDISK_GUID BD_LOG=$RAMDISK_LOG
	RAMDISK_PID=${save[0]} RAMDISK_LINE=${save[1]} RAMDISK_ID_EXT=${save[2]}
	RAMDISK_GUID=${save[3]} RAMDISK_LOG=${save[4]}
	return $rc
}

# bd_stop: SIGTERM to srpt-blockdev, which must exit 0.
bd_stop() {
	local save=("$RAMDISK_PID" "$RAMDISK_LOG") rc=0
	RAMDISK_PID=$BD_PID RAMDISK_LOG=$BD_LOG
	ramdisk_stop || rc=1
	RAMDISK_PID=${save[0]} RAMDISK_LOG=${save[1]}
	BD_PID=
	return $rc
}

# bd_counters: srpt-blockdev's channel and target counters (SIGUSR1) into
# its log, with a session open.
bd_counters() {
	local n
	n=$(grep -c ': target: ' "$BD_LOG" 2>/dev/null)
	kill -USR1 "$BD_PID" 2>/dev/null || return 1
	wait_until 5 sh -c "[ \$(grep -c ': target: ' '$BD_LOG') -gt ${n:-0} ]"
}
