# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash
#
# Active/passive through an RBD image's lock, sourced by rbd-test.sh
# (which sets $node, $dir and CEPH_CONF). Each rbd-failover-node prints
# "MS state NAME" and "MS write ok|ERRNO" lines (CLOCK_MONOTONIC ms, one
# clock for all of them) into $dir/node.N.

# node, dir: rbd-test.sh's.
# shellcheck disable=SC2154
STALE_MS=3000
# The bound this test holds takeover to: the stale time, a poll, the
# break (a blocklist entry through the monitor) and the acquire.
BOUND_MS=8000

declare -A pids

# start_node N: a node for port group N (its log $dir/node.N, appended).
start_node() {
	"$node" "$1" "$2" "$STALE_MS" >>"$dir/node.$2" 2>>"$dir/node.$2.err" &
	pids[$2]=$!
}

# state_of N: the last state node N entered.
state_of() {
	awk '$2 == "state" { s = $3 } END { print s }' "$dir/node.$1"
}

# when_state N NAME: the time node N last entered NAME (empty: never).
when_state() {
	awk -v n="$2" '$2 == "state" && $3 == n { t = $1 } END { print t }' "$dir/node.$1"
}

# wait_for SECONDS CMD...: until CMD succeeds; 1 when it never did.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

# actives N...: how many of the live nodes N... report active.
actives() {
	local n c=0
	for n in "$@"; do
		[ "$(state_of "$n")" = active ] && c=$((c + 1))
	done
	echo $c
}

one_active() { [ "$(actives "$@")" -eq 1 ]; }

# no_overlap N...: over the whole run, never two nodes active at once
# (the active spans of each node, from its log, pairwise disjoint; a
# killed node's span ends at its kill, which the test wrote as a
# "MS state killed" line).
no_overlap() {
	local n
	for n in "$@"; do
		awk -v n="$n" '$2 == "state" {
			if (on != "") { print on, $1, n; on = "" }
			if ($3 == "active") on = $1
		} END { if (on != "") print on, 1e18, n }' "$dir/node.$n"
	done | sort -n | awk '
		{ if (NR > 1 && $1 < end) { printf "FAIL: nodes %s and %s both active at %s ms\\n", who, $3, $1; bad = 1 }
		  if ($2 > end) { end = $2; who = $3 } }
		END { exit bad }'
}

# The wall clock in ms, the clock the nodes print.
mono_ms() { date +%s%3N; }

# kill_node N: SIGKILL node N, its end written into its log as a "MS
# state killed" line.
kill_node() {
	kill -KILL "${pids[$1]}"
	wait "${pids[$1]}" 2>/dev/null
	echo "$(mono_ms) state killed" >>"$dir/node.$1"
}

# active_wrote_since_unavailable N: node N, after the last time it said
# unavailable, became active and had a write land.
active_wrote_since_unavailable() {
	awk '$2 == "state" && $3 == "unavailable" { act = 0; ok = 0 }
	     $2 == "state" && $3 == "active" { act = 1 }
	     act && $2 == "write" && $3 == "ok" { ok = 1 }
	     END { exit !ok }' "$dir/node.$1"
}

failover_tests() {
	local img=$1 f=0 a b t0 t1 took max=0 round n others
	echo "failover: three processes on $img, stale time $STALE_MS ms"
	for n in 1 2 3; do start_node "$img" $n; done
	if ! wait_for 20 one_active 1 2 3; then
		echo "FAIL: not exactly one active after start: $(actives 1 2 3) active"
		cat "$dir"/node.*.err
		return 1
	fi
	# Stays one for a while (no ping-pong, no second owner).
	sleep 2
	if ! one_active 1 2 3; then
		echo "FAIL: $(actives 1 2 3) active 2 s after start"
		return 1
	fi
	# SIGKILL of the owner, three rounds: another takes over within the
	# bound, the killed one comes back as standby.
	for round in 1 2 3; do
		a=
		for n in 1 2 3; do [ "$(state_of "$n")" = active ] && a=$n; done
		t0=$(mono_ms)
		kill_node "$a"
		others=()
		for n in 1 2 3; do [ "$n" = "$a" ] || others+=("$n"); done
		if ! wait_for $((BOUND_MS / 1000 + 5)) one_active "${others[@]}"; then
			echo "FAIL: round $round: no survivor active after killing node $a"
			return 1
		fi
		for n in "${others[@]}"; do [ "$(state_of "$n")" = active ] && b=$n; done
		t1=$(when_state "$b" active)
		took=$((t1 - t0))
		echo "round $round: killed node $a, node $b active after $took ms"
		[ $took -gt $max ] && max=$took
		if [ $took -gt $BOUND_MS ]; then
			echo "FAIL: takeover took $took ms, more than $BOUND_MS"
			f=1
		fi
		start_node "$img" "$a"
		if ! wait_for 10 sh -c "grep -q 'state standby' '$dir/node.$a'"; then
			echo "FAIL: restarted node $a not standby"
			f=1
		fi
		sleep 1
	done
	echo "failover: longest takeover $max ms (bound $BOUND_MS ms)"
	no_overlap 1 2 3 || f=1
	# A frozen owner (alive, but silent past the stale time) is taken
	# over; once thawed, it reports unavailable, a write it still makes
	# is refused (-108, ESHUTDOWN: by the cluster, which blocklisted its
	# client, or by the fence of its new one), and it comes back as a
	# standby by itself, with a new client.
	for n in 1 2 3; do [ "$(state_of "$n")" = active ] && a=$n; done
	kill -STOP "${pids[$a]}"
	others=()
	for n in 1 2 3; do [ "$n" = "$a" ] || others+=("$n"); done
	if ! wait_for $((BOUND_MS / 1000 + 5)) one_active "${others[@]}"; then
		echo "FAIL: no survivor active while node $a is stopped"
		return 1
	fi
	t0=$(mono_ms)
	kill -CONT "${pids[$a]}"
	if ! wait_for 10 sh -c "grep -q 'state unavailable' '$dir/node.$a'"; then
		echo "FAIL: the thawed old owner (node $a) does not report unavailable:"
		tail -5 "$dir/node.$a"
		f=1
	fi
	kill -USR1 "${pids[$a]}"
	if ! wait_for 10 grep -q 'late-write -108' "$dir/node.$a"; then
		echo "FAIL: the old owner's late write was not refused:"
		tail -3 "$dir/node.$a"
		f=1
	fi
	if ! wait_for 30 sh -c "sed -n '/state unavailable/,\$p' '$dir/node.$a' | grep -q 'state standby'"; then
		echo "FAIL: the thawed old owner (node $a) did not come back as a standby:"
		tail -5 "$dir/node.$a" "$dir/node.$a.err"
		f=1
	fi
	if grep -q ' write ok' <(sed -n '/state unavailable/,$p' "$dir/node.$a"); then
		echo "FAIL: node $a wrote after it was unavailable, before it owned the lock again"
		f=1
	fi
	t1=$(when_state "$a" standby)
	echo "failover: the thawed old owner reported unavailable, its late write was refused (-108), and it was a standby again $((t1 - t0)) ms after the thaw"
	# The one that came back serves again: with the others gone, it
	# takes the lock over, and its writes land.
	for n in "${others[@]}"; do kill_node "$n"; done
	if ! wait_for $((BOUND_MS / 1000 + 5)) active_wrote_since_unavailable "$a"; then
		echo "FAIL: node $a, back as a standby, did not take over and write once the others were killed:"
		tail -5 "$dir/node.$a" "$dir/node.$a.err"
		f=1
	else
		echo "failover: with the others killed, node $a took the lock over and wrote"
	fi
	for n in 1 2 3; do kill -TERM "${pids[$n]}" 2>/dev/null; done
	wait
	return $f
}
