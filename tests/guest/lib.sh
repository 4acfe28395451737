# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash disable=SC2016
#
# Helpers for scripts that run inside the boot.sh guest (bash). Source it:
#   . "$(dirname "$(readlink -f "$0")")/lib.sh"
#
# Every wait here is bounded. Functions return non-zero and explain why on
# stderr; `die` adds a diagnostic dump and exits.

GUEST_IP=${GUEST_IP:-10.99.0.1}
RXE_DEV=${RXE_DEV:-rxe0}
RXE_NETDEV=${RXE_NETDEV:-veth0}
SRP_LOGIN_TIMEOUT=${SRP_LOGIN_TIMEOUT:-60}
SRP_LOGOUT_TIMEOUT=${SRP_LOGOUT_TIMEOUT:-30}

# Seconds since boot, with hundredths: a cheap timestamp for logs.
guest_uptime() {
	local up rest
	read -r up rest </proc/uptime
	printf '%s\n' "$up"
}

glog() {
	printf '[%8s] %s\n' "$(guest_uptime)" "$*"
}

gwarn() {
	printf '[%8s] %s\n' "$(guest_uptime)" "$*" >&2
}

_now_cs() {
	local up rest
	read -r up rest </proc/uptime
	up=${up/./}
	printf '%s\n' "$((10#$up))"
}

# wait_until TIMEOUT_S CMD [ARGS...]: poll CMD every 0.1 s until it succeeds;
# returns 1 if TIMEOUT_S runs out first.
wait_until() {
	local tmo=$1 end
	shift
	end=$(($(_now_cs) + tmo * 100))
	while :; do
		"$@" && return 0
		[ "$(_now_cs)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# Puts a line into the kernel log so that later dmesg excerpts can start
# exactly where an operation began.
kmsg_mark() {
	echo "guest-test: $*" >/dev/kmsg 2>/dev/null || true
}

# Kernel messages after the last mark containing $1.
dmesg_since() {
	dmesg 2>/dev/null | awk -v m="guest-test: $1" 'index($0, m) { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# rxe_fastreg_fault KMSG TROUBLE: whether the only trouble (the lines in
# TROUBLE, taken from the kernel messages in KMSG) is soft-RoCE's own
# fast-registration fault on the initiator: rxe finds one of ib_srp's
# MRs still valid when ib_srp registers it again ("rxe_reg_fast_mr: ...
# not free"), fails that QP, and ib_srp reconnects. Seen on starved TCG
# guests. That MR state is local to the initiator; a target, which only
# issues RDMA READ and WRITE, cannot change it. Anything worse (aborts,
# resets, timeouts, I/O errors, a DREQ) is not this.
rxe_fastreg_fault() {
	grep -q "rxe_reg_fast_mr: .* not free" "$1" &&
		! grep -qi "abort\|reset\|timing out\|I/O error\|DREQ" "$2"
}

_modprobe() {
	local out
	if ! out=$(modprobe "$@" 2>&1); then
		gwarn "modprobe $*: $out"
		return 1
	fi
}

_sysfs_hex() {
	tr -d ':\n' <"$1"
}

# guest_rdma_up: soft-RoCE device rxe0 on veth0 (10.99.0.1/24) and the SRP
# initiator. Exports RXE_GUID (node GUID, 16 hex), RXE_GID0 (GID index 0,
# 32 hex), GID_PREFIX (first 16 hex of RXE_GID0), GUEST_IP.
guest_rdma_up() {
	local m ib=/sys/class/infiniband/$RXE_DEV

	for m in rdma_rxe ib_uverbs rdma_ucm sd_mod; do
		_modprobe "$m" || return 1
	done
	if ! mountpoint -q /sys/kernel/config; then
		mount -t configfs configfs /sys/kernel/config || return 1
	fi
	ip link set lo up
	if ! ip link show "$RXE_NETDEV" >/dev/null 2>&1; then
		ip link add "$RXE_NETDEV" type veth peer name "${RXE_NETDEV%0}1" ||
			return 1
	fi
	ip addr replace "$GUEST_IP/24" dev "$RXE_NETDEV" || return 1
	ip link set "$RXE_NETDEV" up || return 1
	ip link set "${RXE_NETDEV%0}1" up 2>/dev/null
	if [ ! -e "$ib" ]; then
		rdma link add "$RXE_DEV" type rxe netdev "$RXE_NETDEV" || {
			gwarn "rdma link add $RXE_DEV failed"
			return 1
		}
	fi
	wait_until 20 test -c /dev/infiniband/uverbs0 || {
		gwarn "no /dev/infiniband/uverbs0 after 20 s"
		return 1
	}
	wait_until 20 grep -q ACTIVE "$ib/ports/1/state" || {
		gwarn "$RXE_DEV port 1 not ACTIVE: $(cat "$ib/ports/1/state")"
		return 1
	}
	# RDMA/CM resolves 10.99.0.1 through the IPv4-mapped GID; it shows up
	# in the table shortly after the address is configured.
	wait_until 20 _rxe_has_ipv4_gid || {
		gwarn "no GID for $GUEST_IP on $RXE_DEV"
		return 1
	}
	_modprobe ib_srp || return 1
	wait_until 20 test -e "$(srp_add_target_file)" || {
		gwarn "ib_srp did not create $(srp_add_target_file)"
		return 1
	}
	RXE_GUID=$(_sysfs_hex "$ib/node_guid")
	RXE_GID0=$(_sysfs_hex "$ib/ports/1/gids/0")
	GID_PREFIX=${RXE_GID0:0:16}
	export RXE_GUID RXE_GID0 GID_PREFIX GUEST_IP
	glog "rdma up: $RXE_DEV on $RXE_NETDEV $GUEST_IP guid $RXE_GUID gid0 $RXE_GID0"
}

_rxe_has_ipv4_gid() {
	local want g
	# shellcheck disable=SC2086 # one argument per octet
	want=$(printf '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x' \
		${GUEST_IP//./ })
	for g in /sys/class/infiniband/"$RXE_DEV"/ports/1/gids/*; do
		[ "$(cat "$g" 2>/dev/null)" = "$want" ] && return 0
	done
	return 1
}

# srp_initiator_port_id [INITIATOR_EXT]: the 16-byte initiator port id
# ib_srp sends for that initiator_ext (default $GID_PREFIX), as 32 hex
# digits: initiator_ext followed by the interface id of rxe0's GID 0.
srp_initiator_port_id() {
	local ext=${1:-${GID_PREFIX:?run guest_rdma_up}}
	ext=${ext#0x}
	printf '%016x%s\n' "$((16#$ext))" "${RXE_GID0:16:16}"
}

srp_add_target_file() {
	printf '/sys/class/infiniband_srp/srp-%s-1/add_target\n' "$RXE_DEV"
}

_srp_ports() {
	local p
	for p in /sys/class/srp_remote_ports/port-*; do
		[ -e "$p" ] && printf '%s\n' "$p"
	done
}

# srp_login DEST_IP PORT ID_EXT IOC_GUID [INITIATOR_EXT] [EXTRA_OPTS]
# Logs ib_srp in over RDMA/CM from $GUEST_IP. INITIATOR_EXT defaults to
# $GID_PREFIX, so the initiator port id is RXE_GID0. EXTRA_OPTS is appended
# to the add_target string (e.g. "ch_count=1,queue_size=32"). On success
# SRP_LAST_PORT is the new /sys/class/srp_remote_ports/port-H:1 (empty if it
# could not be told apart). On failure returns 1 after printing the write's
# error and the kernel's messages.
srp_login() {
	local dest=${1:?dest ip} port=${2:?port} id_ext=${3:?id_ext}
	local ioc=${4:?ioc_guid} iext=${5:-${GID_PREFIX:?run guest_rdma_up}}
	local extra=${6:-} s f out rc before p mark

	f=$(srp_add_target_file)
	s="id_ext=$id_ext,initiator_ext=$iext,ioc_guid=$ioc,src=$GUEST_IP,dest=$dest:$port"
	[ -z "$extra" ] || s="$s,$extra"
	before=$(_srp_ports)
	mark="srp_login $$.$RANDOM"
	kmsg_mark "$mark $s"
	glog "srp_login: $s"
	out=$(timeout -k 5 "$SRP_LOGIN_TIMEOUT" \
		sh -c 'echo "$1" > "$2"' sh "$s" "$f" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		[ $rc -ne 124 ] || out="timed out after ${SRP_LOGIN_TIMEOUT}s"
		gwarn "srp_login failed: $out"
		gwarn "kernel messages:"
		dmesg_since "$mark" | tail -n 40 >&2
		return 1
	fi
	SRP_LAST_PORT=
	for p in $(_srp_ports); do
		case $'\n'$before$'\n' in
		*$'\n'$p$'\n'*) ;;
		*) SRP_LAST_PORT=$p ;;
		esac
	done
	glog "srp_login: ok ${SRP_LAST_PORT##*/}"
	return 0
}

# Prints "/dev/sdX port-H:1 H:C:T:L" for every SCSI disk behind an SRP
# remote port.
srp_list_disks() {
	local p h d b
	for p in $(_srp_ports); do
		h=${p##*/port-}
		h=${h%%:*}
		for d in /sys/class/scsi_host/host"$h"/device/target"$h":*/"$h":*; do
			for b in "$d"/block/*; do
				[ -e "$b" ] || continue
				[ -b "/dev/${b##*/}" ] || continue
				printf '/dev/%s %s %s\n' "${b##*/}" "${p##*/}" "${d##*/}"
			done
		done
	done
}

_srp_have_disks() {
	[ "$(srp_list_disks | wc -l)" -ge "$1" ]
}

# srp_wait_disks N TIMEOUT_S: waits until at least N SCSI disks behind SRP
# remote ports exist and prints them as srp_list_disks does. Also sets the
# array SRP_DISKS (/dev/sdX names) when not called in a subshell.
srp_wait_disks() {
	local n=${1:?count} tmo=${2:-30}
	SRP_DISKS=()
	if ! wait_until "$tmo" _srp_have_disks "$n"; then
		gwarn "srp_wait_disks: $(srp_list_disks | wc -l) of $n disks after ${tmo}s"
		srp_list_disks >&2
		return 1
	fi
	local line
	while read -r line; do
		SRP_DISKS+=("${line%% *}")
		printf '%s\n' "$line"
	done < <(srp_list_disks)
}

_gone() {
	[ ! -e "$1" ]
}

# srp_logout PORT_DIR: PORT_DIR is port-H:1 or its path in
# /sys/class/srp_remote_ports. Waits until the port and its SCSI host are gone.
srp_logout() {
	local p=${1:?port} h
	case $p in
	/*) ;;
	*) p=/sys/class/srp_remote_ports/$p ;;
	esac
	if [ ! -e "$p/delete" ]; then
		gwarn "srp_logout: no $p"
		return 1
	fi
	h=${p##*/port-}
	h=${h%%:*}
	glog "srp_logout: ${p##*/}"
	if ! timeout -k 5 "$SRP_LOGOUT_TIMEOUT" sh -c 'echo 1 > "$1"' sh "$p/delete"; then
		gwarn "srp_logout: writing $p/delete failed"
		return 1
	fi
	if ! wait_until "$SRP_LOGOUT_TIMEOUT" _gone "$p" ||
	   ! wait_until "$SRP_LOGOUT_TIMEOUT" _gone "/sys/class/scsi_host/host$h"; then
		gwarn "srp_logout: ${p##*/} still present after ${SRP_LOGOUT_TIMEOUT}s"
		return 1
	fi
}

srp_logout_all() {
	local p rc=0
	for p in $(_srp_ports); do
		srp_logout "$p" || rc=1
	done
	return $rc
}

_cat1() {
	local v
	v=$(cat "$1" 2>/dev/null) || return 0
	printf '%s' "$v"
}

# dump_diag: state worth seeing when something failed, on stderr.
dump_diag() {
	local p h a d b
	{
		echo "==== diag: dmesg (last 60 lines) ===="
		dmesg 2>/dev/null | tail -n 60
		echo "==== diag: rdma ===="
		rdma link show 2>&1
		ip -br addr 2>&1
		echo "==== diag: /sys/class/srp_remote_ports ===="
		for p in $(_srp_ports); do
			h=${p##*/port-}
			h=${h%%:*}
			printf '%s port_id=%s state=%s\n' "${p##*/}" \
				"$(_cat1 "$p/port_id")" "$(_cat1 "$p/state")"
			for a in id_ext ioc_guid sgid dgid req_lim zero_req_lim \
					ch_count cmd_sg_entries; do
				a=/sys/class/scsi_host/host$h/$a
				[ -e "$a" ] || continue
				printf '  host%s %s=%s\n' "$h" "${a##*/}" "$(_cat1 "$a")"
			done
		done
		echo "==== diag: SCSI devices ===="
		for d in /sys/bus/scsi/devices/*:*:*:*; do
			[ -e "$d" ] || continue
			b=
			for b in "$d"/block/*; do :; done
			[ -e "$b" ] && b=/dev/${b##*/} || b=-
			printf '[%s] type=%s %-8s %-16s %-4s %s state=%s\n' \
				"${d##*/}" "$(_cat1 "$d/type")" "$(_cat1 "$d/vendor")" \
				"$(_cat1 "$d/model")" "$(_cat1 "$d/rev")" "$b" \
				"$(_cat1 "$d/state")"
		done
		if [ -d /sys/kernel/config/target/srpt ]; then
			echo "==== diag: LIO srpt configfs ===="
			(cd /sys/kernel/config/target/srpt &&
				find . -maxdepth 6 \( -path '*/acls/*' -o -path '*/lun/*' \
					-o -name 'tpgt_*' -o -name '0x*' \) \
					\( -type d -o -type l \) ! -path '*/statistics*' \
					! -path '*/attrib*' ! -path '*/param*' ! -path '*/auth*' \
					! -path '*/fabric_statistics*' ! -path '*alua*' 2>/dev/null)
		fi
	} >&2
}

# die MSG: report MSG and the diagnostics, then exit 1.
die() {
	gwarn "FAIL: $*"
	dump_diag
	exit 1
}

# fio_verify_errors FILE...: how many blocks fio reported as failing
# verification in FILEs (its stderr): "<crc>: verify failed at ..." or
# "verify: bad magic header ..." and the like, one line per block.
fio_verify_errors() {
	cat "$@" 2>/dev/null | grep -Ec 'verify failed at|^verify: bad ' || true
}

# guest_result_dir NAME: creates and prints $GUEST_OUT/NAME (shared with the
# host read-write).
guest_result_dir() {
	local d=${GUEST_OUT:?not in a boot.sh guest}/${1:?name}
	mkdir -p "$d" && printf '%s\n' "$d"
}

# ceph_cluster_up DIR LOG: the throwaway cluster of tests/ceph/cluster.sh
# in DIR (on this guest's /tmp tmpfs; up to 120 s for its health under
# TCG), CEPH_CONF exported; its output in LOG.env and LOG.err (whose
# tail says why when it fails).
_ceph_cluster_sh() {
	printf '%s\n' "$(dirname "${BASH_SOURCE[0]}")/../ceph/cluster.sh"
}

ceph_cluster_up() {
	local cluster_sh
	cluster_sh=$(_ceph_cluster_sh)
	command -v ceph-mon >/dev/null || {
		echo "no ceph-mon: scripts/install-deps.sh installs the Ceph packages" >"${2:?log}.err"
		return 1
	}
	CEPH_CLUSTER_TIMEOUT=120 "$cluster_sh" start "${1:?dir}" >"${2:?log}.env" 2>"$2.err" ||
		return 1
	export CEPH_CONF=$1/ceph.conf
}

# ceph_cluster_down DIR: stops the cluster ceph_cluster_up started in
# DIR (SIGKILL of its daemons); quiet, and fine when none runs there.
ceph_cluster_down() {
	"$(_ceph_cluster_sh)" stop "${1:?dir}" 2>/dev/null
	return 0
}
