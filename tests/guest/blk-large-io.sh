#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (blktests srp/005-008 style): direct I/O with 4 MiB and
# 8 MiB blocks against srpt-ramdisk, for several ib_srp scatter/gather
# settings, written, read back and compared (dd + cmp, fio --verify).
# Usage: blk-large-io.sh BUILD_DIR [CONFIG...]
# CONFIG is one of: sg255 (cmd_sg_entries=255, 4 MiB requests: indirect
# tables with inline descriptors), sg1 (cmd_sg_entries=1,
# indirect_sg_entries=2048: one descriptor per request), sg1-ext
# (cmd_sg_entries=1, indirect_sg_entries=2048, allow_ext_sg=1, 4 MiB
# requests: indirect tables that are not all inline). Default: all three.
# A kprobe on ib_srp's srp_post_send() checks that each configuration
# really sent the descriptor format it is meant to exercise.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=blk-lib.sh
. "$here/blk-lib.sh"

BLK_BUILD=${1:?usage: blk-large-io.sh BUILD_DIR [CONFIG...]}
shift
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(sg255 sg1 sg1-ext)
BLK_PORT=5555
SIZE_MB=64
IO_MB=16	# dd and fio use the first 16 MiB

blk_init blk-large-io
blk_target_start --size ${SIZE_MB}M

pat=/tmp/pattern
dd if=/dev/urandom of="$pat" bs=1M count=$IO_MB status=none

# big_io DEV BS: dd the pattern out with BS-sized direct writes, read it
# back with BS-sized direct reads, compare; then fio randwrite + verify.
big_io() {
	local dev=$1 bs=$2 n=$((IO_MB / ${2%M}))
	dd if=/dev/zero of="$dev" bs=1M count=$IO_MB oflag=direct status=none ||
		blk_fail "zeroing $dev failed"
	dd if="$pat" of="$dev" bs="$bs" count=$n oflag=direct status=none ||
		blk_fail "dd: $bs direct writes to $dev failed"
	dd if="$dev" of=/tmp/readback bs="$bs" count=$n iflag=direct status=none ||
		blk_fail "dd: $bs direct reads from $dev failed"
	cmp -s "$pat" /tmp/readback ||
		blk_fail "dd: $bs read-back differs from what was written"
	fio --name="large-$bs" --filename="$dev" --rw=randwrite --bs="$bs" \
		--iodepth=4 --ioengine=libaio --direct=1 --size=${IO_MB}M \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--randseed=$RANDOM >"$BLK_OUT/fio-$cfg-$bs.txt" 2>&1 || {
		tail -n 30 "$BLK_OUT/fio-$cfg-$bs.txt" >&2
		blk_fail "fio --verify with bs=$bs failed"
	}
	grep -q "err= 0" "$BLK_OUT/fio-$cfg-$bs.txt" ||
		blk_fail "fio bs=$bs reported errors"
}

# run_config NAME MODULE_PARAMS LOGIN_OPTS MAX_SECTORS_KB
run_config() {
	local cfg=$1 params=$2 opts=$3 max_kb=$4 dev b t0
	t0=$(_now_cs)
	# shellcheck disable=SC2086 # one word per module parameter
	blk_srp_reload $params
	blk_trace_on
	blk_login "" "ch_count=1,queue_size=32,max_cmd_per_lun=32$opts" ||
		blk_fail "$cfg: login failed"
	srp_wait_disks 1 30 >/dev/null || blk_fail "$cfg: the LUN did not appear"
	dev=${SRP_DISKS[0]}
	b=${dev#/dev/}
	if [ -n "$max_kb" ]; then
		echo "$max_kb" >"/sys/block/$b/queue/max_sectors_kb" ||
			blk_fail "$cfg: cannot set max_sectors_kb=$max_kb"
	fi
	blk_trace_clear
	big_io "$dev" 4M
	big_io "$dev" 8M
	blk_desc_stats
	blk_trace_lens >"$BLK_OUT/iu-lens-$cfg.txt"
	blk_disk_ok "$dev" || blk_fail "$cfg: $dev is no longer running"
	blk_target_alive
	note "$cfg ($params$opts, max_sectors_kb $(cat "/sys/block/$b/queue/max_sectors_kb")): 4M + 8M dd/cmp and fio --verify ok; $BLK_DESC_SUMMARY; $(( ($(_now_cs) - t0) / 100 )) s"
	case $cfg in
	sg255|sg1-ext)
		[ "$BLK_MAX_INLINE" -ge 1 ] ||
			blk_fail "$cfg: no SRP_CMD with an indirect table was sent; the scenario did not test what it should"
		;;
	sg1)
		if [ "$BLK_N_DIRECT" -eq 0 ] || [ "$BLK_N_INDIRECT" -ne 0 ]; then
			blk_fail "$cfg: expected only direct descriptors"
		fi
		;;
	esac
	if [ "$cfg" = sg1-ext ]; then
		# cmd_sg_entries=1: an indirect SRP_CMD carries one inline
		# descriptor of a longer table that stays in the initiator's
		# memory.
		[ "$BLK_MAX_INLINE" -eq 1 ] ||
			blk_fail "$cfg: expected one inline descriptor per indirect SRP_CMD"
	fi
	srp_logout_all || blk_fail "$cfg: logout failed"
}

for cfg in "${configs[@]}"; do
	case $cfg in
	sg255)
		run_config sg255 "cmd_sg_entries=255" ",max_sect=8192" 4096 ;;
	sg1)
		run_config sg1 "cmd_sg_entries=1 indirect_sg_entries=2048" "" "" ;;
	sg1-ext)
		run_config sg1-ext \
			"cmd_sg_entries=1 indirect_sg_entries=2048 allow_ext_sg=1" \
			",max_sect=8192" 4096 ;;
	*)
		blk_fail "unknown configuration $cfg" ;;
	esac
done

blk_trace_off
ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM"
note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
blk_save_dmesg
note "PASS ($(blk_elapsed) s)"
