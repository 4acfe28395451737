#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# srptctl against the control socket served over a made-up target
# (fake-ctl-server): each command's table, --json, the server's refusals
# and srptctl's own errors, with the exit status srptctl(8) names.
# usage: srptctl-test.sh SRPTCTL FAKE_CTL_SERVER
set -u
ctl=${1:?usage: srptctl-test.sh SRPTCTL FAKE_CTL_SERVER}
server=${2:?usage: srptctl-test.sh SRPTCTL FAKE_CTL_SERVER}
tmp=$(mktemp -d)
fails=0
sock=$tmp/ctl.sock

mkfifo "$tmp/in"
"$server" "$sock" "$tmp/running.json" <"$tmp/in" >"$tmp/ready" &
pid=$!
exec 3>"$tmp/in"	# the server runs until this closes
trap 'exec 3>&-; wait $pid; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
	grep -q ready "$tmp/ready" 2>/dev/null && break
	sleep 0.05
done
grep -q ready "$tmp/ready" || { echo "FAIL: fake-ctl-server did not start"; exit 1; }

# expect STATUS PATTERN ARGS...: srptctl's status and a line of its output.
bin=$ctl
# shellcheck source-path=SCRIPTDIR source=expect.sh
. "$(dirname "$0")/expect.sh"

expect 0 "ioc_guid 0x0002c903000e8acd" -s "$sock" show
expect 0 "port group 7, relative port 7, active" -s "$sock" show
expect 0 "^1    1.0M .*4096 .*yes .*/srv/disk1.img (name disk1)" -s "$sock" show
expect 0 "^0    1.0M .*512 .*no  yes  yes .*/dev/fake0" -s "$sock" show
expect 0 "^12 .*LIVE .*a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1 10.0.0.2 .*rxe0:1 .*18 .*119/128 .*4 .*2000" -s "$sock" sessions
SRPTCTL_SOCKET=$sock expect 0 "^ID .*STATE .*INITIATOR" sessions
# --json: the server's result, for scripts.
"$ctl" -s "$sock" --json sessions >"$tmp/s.json" &&
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [c["id"] for c in d["channels"]] == [11, 12]; assert d["channels"][0]["stats"]["cmds"] == 1000' "$tmp/s.json" &&
	echo "ok: srptctl --json sessions" || { echo "FAIL: srptctl --json sessions"; cat "$tmp/s.json"; fails=$((fails + 1)); }
expect 0 "channel 11 is closing" -s "$sock" close 11
expect 0 "channel 11 was already closing" -s "$sock" close 11
expect 0 "^11 .*DISCONNECTING" -s "$sock" sessions
expect 1 "session.close: no channel 99 (-32001)" -s "$sock" close 99
expect 0 "ALUA port group 7: standby (was active)" -s "$sock" alua standby
expect 0 "standby" -s "$sock" show
expect 1 "params.state: none of" -s "$sock" alua sleepy
expect 0 "log level debug (was notice)" -s "$sock" log debug
expect 1 "params.level" -s "$sock" log loud
expect 0 "saved to $tmp/running.json" -s "$sock" save
expect 0 "saved to $tmp/other.json" -s "$sock" save "$tmp/other.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["alua"]["state"] == "standby" and d["log_level"] == "debug" and len(d["luns"]) == 2' "$tmp/other.json" &&
	echo "ok: the saved configuration is the running one" || { echo "FAIL: saved configuration"; cat "$tmp/other.json"; fails=$((fails + 1)); }
# LUNs added and removed at run time.
truncate -s 3M "$tmp/new.img" "$tmp/ro.img"
expect 0 "^2    3.0M .*512 .*no .*$tmp/new.img" -s "$sock" lun add "$tmp/new.img"
expect 0 "^2    3.0M " -s "$sock" show
expect 0 "^7    3.0M .*yes .*$tmp/ro.img (name seven)" -s "$sock" lun add "$tmp/ro.img" --lun 7 --name seven --ro
expect 1 "lun.add: LUN 7 exists" -s "$sock" lun add "$tmp/new.img" --lun 7
expect 1 "lun.add: .*$tmp/none.img" -s "$sock" lun add "$tmp/none.img"
"$ctl" -s "$sock" --json lun remove 7 >"$tmp/rm.json" &&
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lun"] == 7 and d["busy"] == 0' "$tmp/rm.json" &&
	echo "ok: srptctl --json lun remove" || { echo "FAIL: srptctl --json lun remove"; cat "$tmp/rm.json"; fails=$((fails + 1)); }
expect 0 "^LUN 2 removed$" -s "$sock" lun remove 2
expect 1 "lun.remove: no LUN 2 (-32001)" -s "$sock" lun remove 2
expect 2 "lun remove: needs one LUN number" -s "$sock" lun remove x
expect 2 "lun add: needs the PATH" -s "$sock" lun add
expect 2 "lun add: '--size' is not" -s "$sock" lun add "$tmp/new.img" --size 3
expect 2 "lun: 'grow' is neither" -s "$sock" lun grow
# reload: the file saved above, as it runs.
expect 0 "reloaded $tmp/running.json: 0 LUN(s) added, 0 removed, 2 kept" -s "$sock" reload
sed 's/"port": 5555/"port": 6000/' "$tmp/running.json" >"$tmp/r.json" && mv "$tmp/r.json" "$tmp/running.json"
expect 1 "config.reload: .*listen.port: cannot change" -s "$sock" reload
expect 2 "reload: takes no argument" -s "$sock" reload now
expect 1 "no method 'target.destroy'" -s "$sock" call target.destroy
expect 0 '"channels"' -s "$sock" call sessions.list '{}'
# srptctl's own errors.
expect 1 "cannot reach srpt-blockdev at $tmp/none.sock: No such file" -s "$tmp/none.sock" show
expect 2 "no command" -s "$sock"
expect 2 "'frobnicate' is no command" -s "$sock" frobnicate
expect 2 "close: '-1' is not a channel ID" -s "$sock" close -1
expect 2 "close: 'x' is not a channel ID" -s "$sock" close x
expect 2 "alua: needs a state" -s "$sock" alua
expect 2 "call: 'nope' is not a JSON object" -s "$sock" call target.show nope
expect 0 "Usage: srptctl" --help

[ $fails -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
