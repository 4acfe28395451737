# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# shellcheck shell=bash disable=SC2034
# LIO's kernel SRP target (ib_srpt) as a reference target inside the guest.
# Source after lib.sh, call guest_rdma_up first (ib_srpt takes its service
# GUID from the first RDMA device).

LIO_CFG=/sys/kernel/config/target
LIO_RD=$LIO_CFG/core/rd_mcp_0/rd0

# Writes VALUE to a configfs FILE and says which write failed.
_lio_put() {
	local out
	if ! out=$(sh -c 'echo "$1" > "$2"' sh "$1" "$2" 2>&1); then
		gwarn "lio: echo '$1' > $2: $out"
		return 1
	fi
}

# The GUID ib_srpt expects as both id_ext and ioc_guid, 16 hex digits.
lio_service_guid() {
	local g
	g=$(cat /sys/module/ib_srpt/parameters/srpt_service_guid) || return 1
	g=${g#0x}
	printf '%016x\n' "$((16#$g))"
}

# lio_setup_ramdisk PORT SIZE_MB [ACL_NAME...]
# One rd_mcp ramdisk of SIZE_MB as LUN 0 on the target port of rxe0, RDMA/CM
# listener on PORT. The target port is named 0x<GID 0 of rxe0>, and ib_srpt
# then matches an initiator against ACLs named by its 16-byte port id
# ("0x" + 32 hex, see srp_initiator_port_id; an ACL named by the source IP
# address is rejected with -EACCES on this port). ACL_NAMEs default to the
# port id of a login with the default initiator_ext. Sets LIO_TPG.
lio_setup_ramdisk() {
	local port=${1:?port} size_mb=${2:?size in MiB} acl wwn tpg
	shift 2
	local acls=("$@")
	[ ${#acls[@]} -gt 0 ] || acls=("0x$(srp_initiator_port_id)")

	mountpoint -q /sys/kernel/config ||
		mount -t configfs configfs /sys/kernel/config || return 1
	# Without it target_core_mod logs "db_root: cannot open: /etc/target".
	mkdir -p /etc/target
	_modprobe target_core_mod || return 1
	if [ ! -d /sys/module/ib_srpt ]; then
		_modprobe ib_srpt srp_max_req_size=8260 || return 1
	fi
	mkdir -p "$LIO_CFG/srpt" || return 1
	wait_until 10 test -e "$LIO_CFG/srpt/discovery_auth/rdma_cm_port" || {
		gwarn "lio: no srpt/discovery_auth/rdma_cm_port"
		return 1
	}
	_lio_put "$port" "$LIO_CFG/srpt/discovery_auth/rdma_cm_port" || return 1

	mkdir -p "$LIO_RD" || return 1
	_lio_put "rd_pages=$((size_mb * 256))" "$LIO_RD/control" || return 1
	_lio_put 1 "$LIO_RD/enable" || return 1

	wwn=$LIO_CFG/srpt/0x$RXE_GID0
	tpg=$wwn/tpgt_1
	mkdir -p "$tpg/lun/lun_0" || return 1
	ln -s "$LIO_RD" "$tpg/lun/lun_0/rd0" || return 1
	for acl in "${acls[@]}"; do
		mkdir -p "$tpg/acls/$acl/lun_0" || return 1
		ln -s "$tpg/lun/lun_0" "$tpg/acls/$acl/lun_0/lun_0" || return 1
	done
	_lio_put 1 "$tpg/enable" || return 1
	LIO_TPG=$tpg
	glog "lio: rd_mcp ${size_mb} MiB on ${wwn##*/}, rdma_cm port $port, acls ${acls[*]}"
}

# lio_logins: the SRP_LOGIN_REQs ib_srpt has logged (initiator and target
# port ids as it saw them).
lio_logins() {
	dmesg | sed -n 's/.*ib_srpt Received SRP_LOGIN_REQ with //p'
}

# lio_teardown: removes everything lio_setup_ramdisk made (log the initiator
# out first; LIO waits for open sessions).
lio_teardown() {
	local wwn tpg acl ml lun l rc=0
	for wwn in "$LIO_CFG"/srpt/0x*; do
		[ -d "$wwn" ] || continue
		for tpg in "$wwn"/tpgt_*; do
			[ -d "$tpg" ] || continue
			_lio_put 0 "$tpg/enable" || rc=1
			for acl in "$tpg"/acls/*; do
				[ -d "$acl" ] || continue
				for ml in "$acl"/lun_*; do
					[ -d "$ml" ] || continue
					for l in "$ml"/*; do
						[ -L "$l" ] && rm -f "$l"
					done
					rmdir "$ml" || rc=1
				done
				rmdir "$acl" || rc=1
			done
			for lun in "$tpg"/lun/lun_*; do
				[ -d "$lun" ] || continue
				for l in "$lun"/*; do
					[ -L "$l" ] && rm -f "$l"
				done
				rmdir "$lun" || rc=1
			done
			rmdir "$tpg" || rc=1
		done
		rmdir "$wwn" || rc=1
	done
	if [ -d "$LIO_RD" ]; then
		rmdir "$LIO_RD" || rc=1
	fi
	if [ -d "${LIO_RD%/*}" ]; then
		rmdir "${LIO_RD%/*}" || rc=1
	fi
	if [ $rc -eq 0 ]; then
		glog "lio: torn down"
	else
		gwarn "lio: teardown incomplete"
	fi
	return $rc
}
