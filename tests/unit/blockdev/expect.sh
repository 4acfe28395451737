# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
# shellcheck shell=bash disable=SC2154 # bin and tmp are the caller's
# Sourced by the tests of what a program answers (cli-errors.sh,
# rbd-test.sh, srptctl-test.sh). The caller sets bin (the program), tmp
# (a scratch directory) and fails (0).
#
# expect STATUS PATTERN ARGS...: runs "$bin" ARGS..., which must exit with
# STATUS and print a line matching PATTERN (grep); counts a failure in
# fails otherwise.
expect() {
	local want=$1 pat=$2 rc=0 name
	shift 2
	name=$(basename "$bin")
	"$bin" "$@" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL: $name $*: status $rc (want $want, /$pat/), output:"
		sed 's/^/    /' "$tmp/out"
		fails=$((fails + 1))
	else
		echo "ok: $name $* -> $rc: $(grep -m1 -- "$pat" "$tmp/out")"
	fi
}
