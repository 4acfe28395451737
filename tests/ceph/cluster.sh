#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# A throwaway single-node Ceph cluster for the RBD tests: one monitor and
# one memstore OSD, everything (configuration, keyring, data, logs,
# sockets, pids) under one directory, no systemd, no manager. Needs root
# and Debian's ceph-mon, ceph-osd and ceph-common (scripts/install-deps.sh).
#
#   tests/ceph/cluster.sh start DIR [PORT]  start it; prints CEPH_CONF= and
#                                           CEPH_ID= lines (the config file
#                                           and client id to use)
#   tests/ceph/cluster.sh env DIR           the same lines for a running one
#   tests/ceph/cluster.sh stop DIR          SIGKILL its daemons, remove DIR
#
# DIR must not exist or be empty (a tmpfs in the soft-RoCE guest, whose
# root is read-only). PORT is the monitor's msgr2 port (PORT+1 is its v1
# port), default 40100. CEPH_CLUSTER_TIMEOUT (seconds, default 60) bounds
# the wait for HEALTH_OK. The data lives in the OSD's memory: a stop loses
# it, and memstore takes about 4 times the bytes written.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: $*" >&2; exit 1; }

usage() {
	echo "Usage: $prog start DIR [PORT] | env DIR | stop DIR" >&2
	exit 2
}

# The daemons' start time (field 22 of /proc/PID/stat), so that a pid a
# later process reused is never killed.
start_time() {
	local stat f
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r -a f <<<"${stat##*) }"
	echo "${f[19]}"
}

print_env() {
	echo "CEPH_CONF=$1/ceph.conf"
	echo "CEPH_ID=admin"
}

# Kills what DIR/pids names (lines "PID STARTTIME NAME"), waits for it.
kill_daemons() {
	local dir=$1 pid st name now
	[ -f "$dir/pids" ] || return 0
	while read -r pid st name; do
		now=$(start_time "$pid") || continue
		[ "$now" = "$st" ] || continue
		kill -KILL "$pid" 2>/dev/null || true
	done <"$dir/pids"
	while read -r pid st name; do
		for _ in $(seq 100); do
			now=$(start_time "$pid") || break
			[ "$now" = "$st" ] || break
			sleep 0.05
		done
	done <"$dir/pids"
}

# Starts "$@" in its own session with output to LOG, records its pid.
spawn() {
	local dir=$1 name=$2 log=$3 pid
	shift 3
	setsid "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	echo "$pid $(start_time "$pid") $name" >>"$dir/pids"
}

write_conf() {
	local dir=$1 port=$2 fsid=$3
	cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]
mon initial members = a
keyring = $dir/keyring
run dir = $dir/run
crash dir = $dir/crash
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# Cheaper messages for slow (emulated) machines: keys are still checked
# at connect, but messages are not signed, and no debug log is gathered.
cephx sign messages = false
debug ms = 0/0
debug monc = 0/0
debug auth = 0/0
debug mon = 0/0
debug paxos = 0/0
debug osd = 0/0
debug objecter = 0/0
debug rados = 0/0
debug rbd = 0/0
[client]
log file = $dir/log/\$name.\$pid.log
admin socket = $dir/run/\$name.\$pid.asok
[mon]
mon data = $dir/mon.\$id
paxos propose interval = 0.05
mon mgr mkfs grace = 31536000
[osd]
osd data = $dir/osd.\$id
osd objectstore = memstore
public addr = 127.0.0.1
cluster addr = 127.0.0.1
memstore device bytes = 1G
memstore page set = true
memstore page size = 4096
CONF
}

# Polls "ceph -s" until health is OK (or only warns) with the OSD up and
# in; dies with the last status and the daemons' log tails otherwise.
wait_healthy() {
	local dir=$1 timeout=$2 end s=
	end=$((SECONDS + timeout))
	while [ $SECONDS -lt $end ]; do
		s=$(ceph --connect-timeout 5 -s -f json 2>/dev/null) || s=
		if [ -n "$s" ] && python3 -c '
import json, sys
s = json.loads(sys.argv[1])
om = s.get("osdmap", {})
om = om.get("osdmap", om)
ok = s["health"]["status"] in ("HEALTH_OK", "HEALTH_WARN")
sys.exit(0 if ok and om.get("num_up_osds") == 1 and om.get("num_in_osds") == 1 else 1)
' "$s" 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "$prog: the cluster in $dir is not healthy after ${timeout} s" >&2
	[ -n "$s" ] && echo "$prog: last status: $s" >&2
	tail -n 5 "$dir"/log/mon.a.log "$dir"/log/osd.0.log "$dir"/log/*.out >&2 2>/dev/null || true
	return 1
}

start() {
	local dir=$1 port=${2:-40100} timeout=${CEPH_CLUSTER_TIMEOUT:-60}
	local fsid uuid
	for p in ceph-mon ceph-osd ceph ceph-authtool monmaptool rbd; do
		command -v "$p" >/dev/null ||
			die "$p not found: install ceph-mon, ceph-osd and ceph-common (scripts/install-deps.sh)"
	done
	[ "$(id -u)" -eq 0 ] || die "needs root (the OSD locks its memory and store)"
	case $port in
	'' | *[!0-9]*) die "port '$port' is not a number" ;;
	esac
	if [ "$port" -lt 1024 ] || [ "$port" -gt 65534 ]; then
		die "port $port is not within 1024-65534"
	fi
	mkdir -p "$dir" || die "cannot create $dir"
	[ -z "$(ls -A "$dir")" ] || die "$dir is not empty (a cluster there? '$prog stop $dir' first)"
	dir=$(cd "$dir" && pwd)
	mkdir "$dir"/{mon.a,osd.0,log,run,crash}
	fsid=$(cat /proc/sys/kernel/random/uuid)
	uuid=$(cat /proc/sys/kernel/random/uuid)
	write_conf "$dir" "$port" "$fsid"
	export CEPH_CONF=$dir/ceph.conf
	trap 'kill_daemons "$dir"' ERR
	{
		ceph-authtool "$dir/keyring" --create-keyring --gen-key -n mon. --cap mon 'allow *'
		ceph-authtool "$dir/keyring" --gen-key -n client.admin \
			--cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *'
		ceph-authtool "$dir/keyring" --gen-key -n osd.0 \
			--cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd'
		monmaptool --create --fsid "$fsid" \
			--addv a "[v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]" "$dir/monmap"
		ceph-mon -c "$CEPH_CONF" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
	} >"$dir/log/mkfs.out" 2>&1 || { cat "$dir/log/mkfs.out" >&2; die "creating the monitor failed"; }
	spawn "$dir" mon.a "$dir/log/mon.a.out" ceph-mon -c "$CEPH_CONF" -i a -f
	ceph --connect-timeout "$timeout" osd new "$uuid" 0 >>"$dir/log/mkfs.out" 2>&1 ||
		{ tail -n 20 "$dir"/log/mkfs.out "$dir"/log/mon.a.log >&2; kill_daemons "$dir"; die "the monitor did not register the OSD"; }
	ceph-osd -c "$CEPH_CONF" -i 0 --mkfs --osd-uuid "$uuid" >>"$dir/log/mkfs.out" 2>&1 ||
		{ tail -n 20 "$dir/log/mkfs.out" >&2; kill_daemons "$dir"; die "creating the OSD failed"; }
	spawn "$dir" osd.0 "$dir/log/osd.0.out" ceph-osd -c "$CEPH_CONF" -i 0 -f
	if ! { ceph osd pool create rbd 8 8 replicated && rbd pool init rbd; } \
		>>"$dir/log/mkfs.out" 2>&1; then
		tail -n 20 "$dir/log/mkfs.out" >&2
		kill_daemons "$dir"
		die "creating the rbd pool failed"
	fi
	wait_healthy "$dir" "$timeout" || { kill_daemons "$dir"; exit 1; }
	trap - ERR
	print_env "$dir"
}

stop() {
	local dir=$1
	[ -d "$dir" ] || return 0
	[ -f "$dir/ceph.conf" ] || [ -f "$dir/pids" ] ||
		die "$dir holds no cluster of $prog (no ceph.conf): not removing it"
	kill_daemons "$dir"
	rm -rf "$dir"
}

[ $# -ge 2 ] || usage
case $1 in
start) [ $# -le 3 ] || usage; start "$2" "${3:-}" ;;
env)
	[ $# -eq 2 ] || usage
	[ -f "$2/ceph.conf" ] || die "no cluster in $2"
	print_env "$(cd "$2" && pwd)"
	;;
stop) [ $# -eq 2 ] || usage; stop "$2" ;;
*) usage ;;
esac
