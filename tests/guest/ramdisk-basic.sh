#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Guest script: the kernel SRP initiator against srpt-ramdisk (this tree's
# build) over soft-RoCE. Usage: ramdisk-basic.sh BUILD_DIR
# Checks: login of every channel, LUN sizes, sg_inq/sg_readcap, direct
# write/read-back, fio --verify at qd32 on every LUN, logout and fresh
# login keeping the data, qd128 on 128 credits, a shared receive
# queue, rejects for a wrong ioc_guid and a disallowed
# initiator, SIGTERM with sessions open (exit 0, no leak under ASan),
# the API a storage target builds on (release notification, abort
# visibility, SRP_CRED_REQ, SRP_AER_REQ, SRP_T_LOGOUT), and one initiator
# holding RAMDISK_CHANNELS (default 64) channels at once on one
# completion thread (srp-hostile --channels).
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ramdisk.sh
. "$here/ramdisk.sh"

BUILD=${1:?usage: ramdisk-basic.sh BUILD_DIR}
PORT=5555
LUNS=2
SIZE_MB=32
FIO_RUNTIME=${FIO_RUNTIME:-8}
HOSTILE=${HOSTILE_BIN:-$BUILD/tests/hostile/srp-hostile}
CHANNELS=${RAMDISK_CHANNELS:-64}

out=$(guest_result_dir ramdisk-basic)
: >"$out/summary.txt"
note() {
	glog "$*"
	printf '%s\n' "$*" >>"$out/summary.txt"
}

# verified_randrw NAME DEV QD: fio random read/write with crc32c verify at
# iodepth QD on DEV; fails on any error, and on a reconnect or failed work
# request in the kernel log since the mark "run NAME".
verified_randrw() {
	local name=$1 dev=$2 qd=$3

	fio --name="$name" --filename="$dev" --rw=randrw --bs=4k --iodepth="$qd" \
		--ioengine=libaio --direct=1 --size=$((SIZE_MB / 2))M --verify=crc32c \
		--do_verify=1 --verify_fatal=1 >"$out/fio-$name.txt" 2>&1 ||
		{ cat "$out/fio-$name.txt" >&2; die "fio ($name, iodepth $qd) failed"; }
	grep -q "err= 0" "$out/fio-$name.txt" || die "fio ($name) reported errors"
	dmesg_since "run $name" >"$out/$name-kmsg-all.txt"
	if grep -i -E "reconnect|RNR|failed .* status|connection closed" \
		"$out/$name-kmsg-all.txt" >"$out/$name-kmsg.txt"; then
		cat "$out/$name-kmsg.txt" >&2
		rxe_fastreg_fault "$out/$name-kmsg-all.txt" "$out/$name-kmsg.txt" ||
			die "the initiator had trouble ($name, iodepth $qd; kernel messages above)"
		note "$name: the initiator reconnected after soft-RoCE's fast-reg fault (rxe_reg_fast_mr ... not free), not the target's doing; fio --verify unaffected"
	fi
}

guest_rdma_up || die "soft-RoCE setup failed"

# A disallowed initiator first: only a made-up port id is allowed.
ramdisk_start "$BUILD" "$out/target-acl.log" --port $PORT \
	--allow 0123456789abcdef0123456789abcdef || die "srpt-ramdisk did not start"
if srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" 2>"$out/acl.err"; then
	die "a disallowed initiator was logged in"
fi
grep -q "reason 0x00010006" "$out/acl.err" || dmesg | grep -q "SRP LOGIN REJECTED, reason 0x00010006" ||
	die "no CHANNEL LIMIT REACHED reject for the disallowed initiator"
grep -q "rejected: not in --allow list" "$out/target-acl.log" ||
	die "srpt-ramdisk did not log the ACL reject"
note "disallowed initiator: rejected with 0x00010006"
ramdisk_stop || die "srpt-ramdisk (ACL run) did not exit 0 on SIGTERM"

ramdisk_start "$BUILD" "$out/target.log" --port $PORT --luns $LUNS \
	--size ${SIZE_MB}M --allow "$(srp_initiator_port_id)" ||
	die "srpt-ramdisk did not start"
note "target: $RAMDISK_LINE"

# A wrong ioc_guid: UNABLE TO ASSOCIATE CHANNEL.
if srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" 0000000000000bad 2>"$out/guid.err"; then
	die "a login with a wrong ioc_guid was accepted"
fi
dmesg | grep -q "SRP LOGIN REJECTED, reason 0x00010003" ||
	die "no UNABLE TO ASSOCIATE CHANNEL reject for a wrong ioc_guid"
note "wrong ioc_guid: rejected with 0x00010003"

srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" ||
	die "login to srpt-ramdisk failed"
srp_wait_disks $LUNS 30 >"$out/disks.txt" || die "the LUNs did not appear"
mapfile -t disks < <(awk '{print $1}' "$out/disks.txt")
nch=$(grep -c "login from" "$out/target.log" || true)
[ "$nch" -ge 2 ] || die "expected the initiator's channels (>= 2 logins), saw $nch"
grep -q "login accepted.*multi-channel" "$out/target.log" ||
	die "no MULTI channel was accepted"
note "logged in: $nch channels, disks ${disks[*]}"

for d in "${disks[@]}"; do
	sectors=$(cat "/sys/block/${d#/dev/}/size")
	[ "$sectors" -eq $((SIZE_MB * 2048)) ] ||
		die "$d has $sectors sectors, expected $((SIZE_MB * 2048))"
	sg_inq "$d" >"$out/inq.txt" 2>&1 || die "sg_inq $d failed"
	grep -q "LIBSRPT" "$out/inq.txt" || die "sg_inq: vendor is not LIBSRPT"
	sg_readcap -l "$d" >"$out/readcap.txt" 2>&1 || die "sg_readcap $d failed"
	grep -q "Last LBA=$((SIZE_MB * 2048 - 1))" "$out/readcap.txt" ||
		die "sg_readcap: wrong capacity: $(cat "$out/readcap.txt")"
	sg_inq -p 0x83 "$d" >"$out/vpd83.txt" 2>&1 || die "VPD 0x83 failed on $d"
done
note "sizes, sg_inq, sg_readcap, VPD 0x83: ok"

fio_args=()
for d in "${disks[@]}"; do
	fio_args+=(--name="v-${d#/dev/}" --filename="$d")
done
fio --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio --direct=1 \
	--size=$((SIZE_MB / 2))M --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --group_reporting "${fio_args[@]}" \
	>"$out/fio-verify.txt" 2>&1 || { cat "$out/fio-verify.txt" >&2; die "fio --verify failed"; }
grep -q "err= 0" "$out/fio-verify.txt" || die "fio reported errors"
note "fio randwrite qd32 --verify=crc32c on ${#disks[@]} LUN(s): no errors"

pat=$out/pattern
dd if=/dev/urandom of="$pat" bs=1M count=4 status=none
dd if="$pat" of="${disks[0]}" bs=1M count=4 oflag=direct status=none ||
	die "direct write failed"
dd if="${disks[0]}" of="$out/readback" bs=1M count=4 iflag=direct status=none ||
	die "direct read failed"
cmp "$pat" "$out/readback" || die "read-back differs from what was written"
note "4 MiB direct write/read-back: identical"

fio --name=randread --filename="${disks[0]}" --rw=randread --bs=4k \
	--iodepth=32 --ioengine=libaio --direct=1 --runtime="$FIO_RUNTIME" \
	--time_based >"$out/fio-randread.txt" 2>&1 || die "fio randread failed"
note "fio 4k randread qd32: IOPS=$(sed -n 's/.*read: IOPS=\([^,]*\),.*/\1/p' "$out/fio-randread.txt")"

# Logout, log in again: the data is still there.
srp_logout_all || die "logout failed"
grep -q "logging out" "$out/target.log" || die "srpt-ramdisk did not log the logout"
srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" || die "re-login failed"
srp_wait_disks $LUNS 30 >"$out/disks2.txt" || die "the LUNs did not come back"
d0=$(awk 'NR==1 {print $1}' "$out/disks2.txt")
dd if="$d0" of="$out/readback2" bs=1M count=4 iflag=direct status=none ||
	die "read after re-login failed"
cmp "$pat" "$out/readback2" || die "data written before the logout is gone"
note "logout + fresh login: data intact"

# Every credit in use: 128 commands in flight on one channel. A response
# returns its credit before the target sees its SEND complete, so the
# initiator's next command needs a receive buffer posted already; if it
# finds none, rxe answers RNR and ib_srp ends up reconnecting.
srp_logout_all || die "logout before the qd128 run failed"
kmsg_mark "run qd128"
srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" "" \
	"ch_count=1,queue_size=128,max_cmd_per_lun=128" ||
	die "login with queue_size=128 failed"
srp_wait_disks $LUNS 30 >"$out/disks3.txt" || die "the LUNs did not come back (queue_size=128)"
verified_randrw qd128 "$(awk 'NR==1 {print $1}' "$out/disks3.txt")" 128
grep -q "no free io" "$out/target.log" && die "srpt-ramdisk ran out of io contexts"
note "fio randrw qd128 --verify on one channel of 128 credits: no error, no reconnect"

# SIGTERM with the sessions open.
ramdisk_stop || die "srpt-ramdisk did not exit 0 on SIGTERM with sessions open"
note "SIGTERM with sessions open: exit 0$RAMDISK_LEAK_NOTE"
# The initiator still holds the ports of the stopped target: remove them
# all before the next logins (ib_srp refuses a login that duplicates a
# target it still knows).
srp_logout_all || die "logout after the target stopped failed"
wait_until 30 sh -c '! ls /sys/class/srp_remote_ports/port-* >/dev/null 2>&1' ||
	die "SRP remote ports left after logout: $(ls /sys/class/srp_remote_ports)"

# The default any-address listener takes IPv6 and IPv4 logins.
ip -6 addr add fd00:99::1/64 dev veth0 nodad || die "cannot add an IPv6 address"
RAMDISK_BIND=any ramdisk_start "$BUILD" "$out/target-any.log" --port $PORT ||
	die "srpt-ramdisk (any address) did not start"
grep -q "dest=$GUEST_IP:$PORT" <<<"$RAMDISK_LINE" ||
	die "the add_target line does not name the RDMA interface's address: $RAMDISK_LINE"
wait_until 10 grep -q "fd00:0099" /sys/class/infiniband/rxe0/ports/1/gids/* ||
	die "rxe0 has no GID for the IPv6 address"
echo "id_ext=$RAMDISK_ID_EXT,ioc_guid=$RAMDISK_GUID,initiator_ext=$GID_PREFIX,src=[fd00:99::1],dest=[fd00:99::1]:$PORT" \
	>"$(srp_add_target_file)" || die "IPv6 login failed"
srp_wait_disks 1 30 >"$out/disks6.txt" || die "no disk over IPv6"
grep -q "login from fd00:99::1" "$out/target-any.log" || die "srpt-ramdisk did not see an IPv6 login"
d6=$(awk 'NR==1 {print $1}' "$out/disks6.txt")
dd if=/dev/urandom of="$out/p6" bs=64k count=16 status=none
dd if="$out/p6" of="$d6" bs=64k count=16 oflag=direct status=none || die "IPv6 write failed"
dd if="$d6" of="$out/r6" bs=64k count=16 iflag=direct status=none || die "IPv6 read failed"
cmp "$out/p6" "$out/r6" || die "IPv6 read-back differs"
srp_logout_all || die "IPv6 logout failed"
# ib_srp drops a logged-out target from its list a moment after the port
# disappears, and refuses a duplicate meanwhile ("Already connected").
for try in 1 2 3 4 5; do
	srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" 2>"$out/v4.err" && break
	grep -q "Already connected" "$out/v4.err" || { cat "$out/v4.err" >&2; break; }
	sleep 2
done
[ -n "$(ls /sys/class/srp_remote_ports 2>/dev/null)" ] ||
	die "IPv4 login to the any-address listener failed: $(cat "$out/v4.err")"
srp_wait_disks 1 30 >/dev/null || die "no disk over IPv4 to the any-address listener"
srp_logout_all || die "logout failed"
ramdisk_stop || die "srpt-ramdisk (any address) did not exit 0"
note "any-address listener: IPv6 login + 1 MiB read-back, IPv4 login: ok"

# A shared receive queue: two channels, 64 buffers between them.
kmsg_mark "run srq"
# It also runs the completion work on srpt-ramdisk's own threads
# (SRPT_TARGET_APP_POLL): none of the library's may poll.
ramdisk_start "$BUILD" "$out/target-srq.log" --port $PORT --size ${SIZE_MB}M \
	--srq 64 --app-poll --threads 2 || die "srpt-ramdisk --srq did not start"
threads=$(cat /proc/"$RAMDISK_PID"/task/*/comm | sort | tr '\n' ' ')
case $threads in
*ramdisk-poll0*ramdisk-poll1*) ;;
*) die "srpt-ramdisk --app-poll: no poller threads of its own: $threads" ;;
esac
case $threads in
*srpt-cq*) die "srpt-ramdisk --app-poll: the library started completion threads: $threads" ;;
esac
srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" "" "ch_count=2" ||
	die "login to srpt-ramdisk --srq failed"
srp_wait_disks 1 30 >"$out/disks-srq.txt" || die "no disk from srpt-ramdisk --srq"
nch=$(grep -c "login accepted" "$out/target-srq.log" || true)
[ "$nch" -ge 2 ] || die "expected 2 channels on the shared receive queue, saw $nch"
verified_randrw srq "$(awk 'NR==1 {print $1}' "$out/disks-srq.txt")" 32
srp_logout_all || die "logout from srpt-ramdisk --srq failed"
ramdisk_stop || die "srpt-ramdisk --srq did not exit 0"
note "shared receive queue (--srq 64, 2 channels), completions polled by the application's 2 threads (--app-poll): fio randrw qd32 --verify, logout, exit 0"

# The API a storage target builds on, with the kernel initiator:
# READs from a staging pool recycled (and poisoned) on the release
# notification; a command held on the second channel, aborted by a LUN
# RESET that the initiator sends on the first (the I_T nexus), reaches
# the application (on_abort) and its credit comes back by SRP_CRED_REQ;
# an asynchronous event; a target logout, after which the initiator logs
# in again.
ramdisk_start "$BUILD" "$out/target-api.log" --port $PORT --luns 2 \
	--size ${SIZE_MB}M --staging 16 --stall-lun 1 --threads 2 --cpus 1,0 ||
	die "srpt-ramdisk (API run) did not start"
# The library's threads: named by the application's start hook, on the
# CPUs it chose (completion thread i on the i-th of --cpus), every signal
# blocked (a signal the application handles must never land on them).
tid_of() {
	local t
	for t in /proc/"$RAMDISK_PID"/task/*; do
		[ "$(cat "$t/comm")" = "$1" ] && { basename "$t"; return 0; }
	done
	return 1
}
for name in srpt-dispatch srpt-cq0 srpt-cq1; do
	tid=$(tid_of $name) || die "no library thread named $name (thread_start hook): $(cat /proc/"$RAMDISK_PID"/task/*/comm | tr '\n' ' ')"
	blk=$(awk '/^SigBlk:/ {print $2}' /proc/"$RAMDISK_PID"/task/"$tid"/status)
	# SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD: not blocked by srpt-ramdisk's
	# main thread, so only the library can have blocked them here.
	(( (0x$blk & 0x13004) == 0x13004 )) ||
		die "$name does not block every signal (SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD): SigBlk $blk"
done
cpus_of() { awk '/^Cpus_allowed_list:/ {print $2}' /proc/"$RAMDISK_PID"/task/"$(tid_of "$1")"/status; }
[ "$(cpus_of srpt-cq0)" = 1 ] && [ "$(cpus_of srpt-cq1)" = 0 ] ||
	die "completion threads not on --cpus 1,0: srpt-cq0 on $(cpus_of srpt-cq0), srpt-cq1 on $(cpus_of srpt-cq1)"
note "library threads: srpt-dispatch, srpt-cq0 on CPU 1, srpt-cq1 on CPU 0 (--cpus 1,0), named by the start hook, every signal blocked"
srp_login "$GUEST_IP" $PORT "$RAMDISK_ID_EXT" "$RAMDISK_GUID" "" "ch_count=2" ||
	die "login (API run) failed"
srp_wait_disks 2 30 >"$out/disks-api.txt" || die "no disks (API run)"
d_lun0=$(awk '$3 ~ /:0$/ {print $1}' "$out/disks-api.txt")
d_lun1=$(awk '$3 ~ /:1$/ {print $1}' "$out/disks-api.txt")
host=$(awk 'NR==1 {split($3, a, ":"); print a[1]}' "$out/disks-api.txt")
[ -n "$d_lun0" ] && [ -n "$d_lun1" ] || die "LUN 0 and 1 not found: $(cat "$out/disks-api.txt")"
kmsg_mark "run staging"
verified_randrw staging "$d_lun0" 32
api_dump() {
	kill -USR1 "$RAMDISK_PID"
	wait_until 10 grep -q "staging buffer(s) released" "$out/target-api.log" ||
		die "srpt-ramdisk printed no counters on SIGUSR1"
	grep "srpt-ramdisk: target:" "$out/target-api.log" | tail -n 1
}
released=$(api_dump | sed -n 's/.* \([0-9]*\) staging buffer(s) released/\1/p')
grep -q "channel [0-9]*: LIVE, .* rxe[^ ]* port 1 QP" "$out/target-api.log" ||
	die "the channel dump names no RDMA device and port: $(grep -m1 ': LIVE, ' "$out/target-api.log")"
[ "${released:-0}" -gt 0 ] || die "no staging buffer came back by the release notification"
note "release notification: fio randrw qd32 --verify from a staging pool poisoned on release: no error, $released buffers recycled"

credits0=$(cat "/sys/class/scsi_host/host$host/req_lim")
# ib_srp (6.1) leaves the commands a LUN RESET aborted to their timeout,
# then sends ABORT TASK for each: keep that short.
echo 8 >"/sys/block/${d_lun1#/dev/}/device/timeout"
# On CPU 1 the READ goes out on the second channel; LUN 1 holds READs
# of its middle block (LBA SIZE_MB * 1024 of 512-byte blocks).
taskset -c 1 dd if="$d_lun1" of=/dev/null bs=4k count=1 iflag=direct \
	skip=$((SIZE_MB * 128)) \
	2>"$out/stall-dd.err" &
dd_pid=$!
sleep 3
kill -0 $dd_pid 2>/dev/null || die "the READ to the stalled LUN finished on its own"
sg_reset -d "$d_lun1" >"$out/sg-reset.txt" 2>&1 || die "sg_reset -d $d_lun1 failed: $(cat "$out/sg-reset.txt")"
wait $dd_pid || die "the READ held by the target failed after the LUN RESET: $(cat "$out/stall-dd.err")"
grep -q "LUN_RESET" "$out/target-api.log" || die "no LUN RESET reached srpt-ramdisk"
grep -q "command 0x[0-9a-f]* aborted" "$out/target-api.log" ||
	die "the held command's abort did not reach the application (on_abort)"
wait_until 10 sh -c "[ \$(cat /sys/class/scsi_host/host$host/req_lim) -eq $credits0 ]" ||
	die "the initiator has $(cat "/sys/class/scsi_host/host$host/req_lim") credits, not $credits0, after the abort"
line=$(api_dump)
crq=$(sed -n 's/.* \([0-9]*\) SRP_CRED_REQ.*/\1/p' <<<"$line")
[ "${crq:-0}" -ge 1 ] || die "no SRP_CRED_REQ returned the aborted command's credit: $line"
then_abort=
grep -q "ABORT_TASK" "$out/target-api.log" && then_abort=", then ABORT TASK for it after its timeout"
note "abort: a READ held on channel 2, LUN RESET on channel 1 (sg_reset -d)$then_abort: on_abort reached the application, SRP_CRED_REQ gave the credit back (req_lim $credits0), the READ retried and succeeded"

kill -USR2 "$RAMDISK_PID"
wait_until 10 sh -c 'dmesg | grep -q "ignoring AER for LUN"' ||
	die "the initiator did not see the SRP_AER_REQ"
grep -q "SRP_AER_REQ sent" "$out/target-api.log" || die "srpt-ramdisk sent no SRP_AER_REQ"
note "SRP_AER_REQ: the initiator logged it ($(dmesg | grep -c "ignoring AER for LUN") time(s)) and answered"

logins=$(grep -c "login accepted" "$out/target-api.log")
kill -HUP "$RAMDISK_PID"
wait_until 10 sh -c 'dmesg | grep -q "Got target logout request"' ||
	die "the initiator did not see the SRP_T_LOGOUT"
wait_until 60 sh -c "[ \$(grep -c 'login accepted' '$out/target-api.log') -gt $logins ]" ||
	die "the initiator did not log in again after the target logout"
wait_until 30 dd if="$d_lun0" of=/dev/null bs=64k count=16 iflag=direct status=none ||
	die "no I/O after the target logout"
note "SRP_T_LOGOUT: the initiator logged it, logged in again, and I/O goes on"
srp_logout_all || die "logout (API run) failed"
ramdisk_stop || die "srpt-ramdisk (API run) did not exit 0"

# Issue 12: a completion thread's channels shared one CQ, which held
# about 27 channels of 128 credits; then every login failed with
# INSUFFICIENT RESOURCES. Each channel has a CQ of its own now.
[ -x "$HOSTILE" ] || die "no $HOSTILE (is 'hostile' in tests/meson.build?)"
ramdisk_start "$BUILD" "$out/target-channels.log" --port $PORT --luns 2 \
	--size 4M --threads 1 || die "srpt-ramdisk --threads 1 did not start"
fds0=$(ramdisk_fds)
"$HOSTILE" --dest "$GUEST_IP:$PORT" --id-ext "$RAMDISK_ID_EXT" \
	--ioc-guid "$RAMDISK_GUID" --data-lun 1 --channels "$CHANNELS" \
	>"$out/channels.txt" 2>&1 &
hpid=$!
# The thread keeps one completion channel per device: descriptors must
# not grow with the channels.
fdmax=$fds0
while kill -0 "$hpid" 2>/dev/null; do
	n=$(ramdisk_fds)
	[ "$n" -le "$fdmax" ] || fdmax=$n
	sleep 0.2
done
wait "$hpid" || { cat "$out/channels.txt" >&2; die "srp-hostile --channels $CHANNELS failed"; }
[ $((fdmax - fds0)) -lt 8 ] ||
	die "srpt-ramdisk's descriptors grew with the channels: $fds0 -> $fdmax"
ramdisk_alive
note "one initiator, $CHANNELS channels at once on one completion thread: $(sed -n 's/^channels: [0-9]* logins of one initiator, //p' "$out/channels.txt"); all serving, I/O on the last; descriptors $fds0, at most $fdmax meanwhile"
ramdisk_stop || die "srpt-ramdisk (channels) did not exit 0"
note "PASS"

# The same boot serves srpt-blockdev's scenarios (no second guest).
"$here/blockdev-basic.sh" "$BUILD" || die "blockdev-basic.sh failed"
# And srpt-blockdev on a Ceph RBD image (a throwaway cluster in the guest).
"$here/blockdev-rbd.sh" "$BUILD" || die "blockdev-rbd.sh failed"
