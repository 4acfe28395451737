#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script (blktests srp/013 style): direct I/O between srpt-ramdisk
# and discontiguous user buffers. One pwritev()/preadv() on O_DIRECT per
# pattern, its iovecs scattered over an mmap()ed area (whole pages with
# holes between them, sub-page pieces at odd offsets, multi-page pieces);
# every pattern is read back both contiguously (dd) and scattered, and
# compared. Two ib_srp set-ups: fast registration (the initiator maps the
# pages into one memory region: one descriptor per request) and
# never_register=1 with cmd_sg_entries=255 (every page its own descriptor:
# SRP_CMDs with up to 255 inline descriptors, which the target has to
# gather with several RDMA work requests).
# Usage: blk-discontig.sh BUILD_DIR
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"
# shellcheck source-path=SCRIPTDIR source=blk-lib.sh
. "$here/blk-lib.sh"

BLK_BUILD=${1:?usage: blk-discontig.sh BUILD_DIR}
BLK_PORT=5555

blk_init blk-discontig
blk_target_start --size 32M

# scatter_io write|read DEV OFFSET NSEG SEGLEN STRIDE INNER SEED FILE
# Segment i is SEGLEN bytes at INNER + i * STRIDE in a fresh anonymous
# mapping. write: random bytes (from SEED) go to DEV at OFFSET with one
# pwritev() and to FILE; read: one preadv() from DEV at OFFSET, compared
# with FILE.
scatter_io() {
	python3 - "$@" <<'PY'
import mmap, os, random, sys

mode, dev = sys.argv[1], sys.argv[2]
off, nseg, seglen, stride, inner, seed = map(int, sys.argv[3:9])
path = sys.argv[9]
total = nseg * seglen
area = mmap.mmap(-1, nseg * stride + mmap.PAGESIZE)
area.write(b"\xa5" * len(area))
mv = memoryview(area)
segs = [mv[inner + i * stride:inner + i * stride + seglen] for i in range(nseg)]
fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
if mode == "write":
    data = random.Random(seed).randbytes(total)
    for i, s in enumerate(segs):
        s[:] = data[i * seglen:(i + 1) * seglen]
    n = os.pwritev(fd, segs, off)
    with open(path, "wb") as f:
        f.write(data)
else:
    n = os.preadv(fd, segs, off)
    with open(path, "rb") as f:
        data = f.read()
    got = b"".join(bytes(s) for s in segs)
    if got != data:
        bad = next(i for i in range(total) if got[i] != data[i])
        print(f"scattered read differs at byte {bad} (segment {bad // seglen})",
              file=sys.stderr)
        sys.exit(1)
os.close(fd)
if n != total:
    print(f"{mode}: {n} of {total} bytes", file=sys.stderr)
    sys.exit(1)
PY
}

# pattern NAME OFFSET NSEG SEGLEN STRIDE INNER
pattern() {
	local name=$1 off=$2 nseg=$3 seglen=$4 stride=$5 inner=$6
	local exp=/tmp/expect-$name len=$(($3 * $4))
	scatter_io write "$dev" "$off" "$nseg" "$seglen" "$stride" "$inner" \
		$RANDOM "$exp" 2>>"$BLK_OUT/scatter.err" ||
		blk_fail "$cfg/$name: scattered write failed: $(tail -n 3 "$BLK_OUT/scatter.err")"
	dd if="$dev" of=/tmp/readback bs="$len" skip="$off" count=1 \
		iflag=direct,skip_bytes status=none ||
		blk_fail "$cfg/$name: contiguous read-back failed"
	cmp -s "$exp" /tmp/readback ||
		blk_fail "$cfg/$name: contiguous read-back differs from the scattered write"
	scatter_io read "$dev" "$off" "$nseg" "$seglen" "$stride" "$inner" 0 \
		"$exp" 2>>"$BLK_OUT/scatter.err" ||
		blk_fail "$cfg/$name: scattered read failed or differs: $(tail -n 3 "$BLK_OUT/scatter.err")"
}

# run_config NAME MODULE_PARAMS LOGIN_OPTS MAX_SECTORS_KB
run_config() {
	local cfg=$1 params=$2 opts=$3 max_kb=$4 t0
	t0=$(_now_cs)
	# shellcheck disable=SC2086 # one word per module parameter
	blk_srp_reload $params
	blk_trace_on
	blk_login "" "ch_count=1$opts" || blk_fail "$cfg: login failed"
	srp_wait_disks 1 30 >/dev/null || blk_fail "$cfg: the LUN did not appear"
	dev=${SRP_DISKS[0]}
	if [ -n "$max_kb" ]; then
		echo "$max_kb" >"/sys/block/${dev#/dev/}/queue/max_sectors_kb" ||
			blk_fail "$cfg: cannot set max_sectors_kb=$max_kb"
	fi
	blk_trace_clear
	# 256 whole pages, one page hole after each: 1 MiB.
	pattern pages 0 256 4096 8192 0
	# 64 pieces of 512 bytes at offset 512 of every other page.
	pattern subpage $((2 << 20)) 64 512 8192 512
	# 40 pieces of three pages, one page hole after each.
	pattern multipage $((4 << 20)) 40 12288 16384 0
	# 255 pages 12 KiB apart, at 8 MiB + 4 KiB into the LUN.
	pattern spread $(((8 << 20) + 4096)) 255 4096 12288 0
	blk_desc_stats
	blk_trace_lens >"$BLK_OUT/iu-lens-$cfg.txt"
	blk_disk_ok "$dev" || blk_fail "$cfg: $dev is no longer running"
	blk_target_alive
	note "$cfg ($params): 4 scattered patterns written and read back, identical; $BLK_DESC_SUMMARY; $(( ($(_now_cs) - t0) / 100 )) s"
	# 1 MiB requests of 4 KiB pages: up to 255 (max_segments) each.
	if [ "$cfg" = noreg ] && [ "$BLK_MAX_INLINE" -lt 200 ]; then
		blk_fail "$cfg: no SRP_CMD with 200 or more descriptors was sent; the scenario did not test what it should"
	fi
	srp_logout_all || blk_fail "$cfg: logout failed"
}

run_config fr "cmd_sg_entries=255" "" ""
run_config noreg "never_register=1 cmd_sg_entries=255" ",max_sect=2048" 1024

blk_trace_off
ramdisk_stop || blk_fail "srpt-ramdisk did not exit 0 on SIGTERM"
note "SIGTERM: exit 0$RAMDISK_LEAK_NOTE"
blk_save_dmesg
note "PASS ($(blk_elapsed) s)"
