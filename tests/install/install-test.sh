#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Install test: meson install into a temporary prefix, then build and run
# a consumer with nothing but pkg-config --cflags --libs libsrpt.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" -Dtests=disabled \
	-Dbench=false >"$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/build" >"$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
meson install -C "$tmp/build" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }

pc=$(dirname "$(find "$tmp/prefix" -name libsrpt.pc | head -n 1)")
[ -f "$pc/libsrpt.pc" ] || { echo "install-test: no libsrpt.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$pc
for h in srpt.h proto.h target.h channel.h mr.h io.h log.h version.h; do
	[ -f "$tmp/prefix/include/srpt/$h" ] || { echo "install-test: $h not installed"; exit 1; }
done
ls "$tmp/prefix"/share/man/man7/libsrpt.7* >/dev/null 2>&1 ||
	{ echo "install-test: libsrpt(7) not installed"; exit 1; }
# srpt-blockdev's unit lands under the prefix (never the real
# /lib/systemd/system) and starts the installed program.
if [ -x "$tmp/prefix/sbin/srpt-blockdev" ]; then
	unit=$tmp/prefix/lib/systemd/system/srpt-blockdev@.service
	[ -f "$unit" ] || { echo "install-test: srpt-blockdev@.service not under the prefix"; exit 1; }
	grep -qx "ExecStart=$tmp/prefix/sbin/srpt-blockdev --config /etc/srpt/%i.json --control /run/srpt/%i.sock" "$unit" ||
		{ grep ExecStart "$unit"; echo "install-test: the unit does not run the installed program"; exit 1; }
fi
so=$(find "$tmp/prefix" -name 'libsrpt.so.1' | head -n 1)
[ -n "$so" ] || { echo "install-test: libsrpt.so.1 missing"; exit 1; }
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
[ "$soname" = libsrpt.so.1 ] || { echo "install-test: SONAME is $soname"; exit 1; }

# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$tmp/consumer" "$src/tests/install/consumer.c" \
	$(pkg-config --cflags --libs libsrpt)

# The README's "Using the library" program builds as printed.
awk '/^## Using the library/ { on = 1 } on && /^```c$/ { c = 1; next }
     c && /^```$/ { exit } c { print }' "$src/README.md" >"$tmp/readme-example.c"
[ -s "$tmp/readme-example.c" ] ||
	{ echo "install-test: no C program under \"Using the library\" in README.md"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror \
	-o "$tmp/readme-example" "$tmp/readme-example.c" \
	$(pkg-config --cflags --libs libsrpt) ||
	{ echo "install-test: the README's example does not build"; exit 1; }

# The consumer must call every function the installed headers declare
# (read by the ABI test's parser), each bound to a LIBSRPT_ version: a
# function it forgets would otherwise go untested from outside.
names=$(python3 "$src/tests/abi/public_api.py" "$tmp/prefix/include") ||
	{ echo "install-test: cannot list the public functions"; exit 1; }
imports=$(objdump -T "$tmp/consumer" |
	awk '/\*UND\*/ && $(NF - 1) ~ /^\(?LIBSRPT_/ { print $NF }')
missing=0
for f in $names; do
	if ! grep -qx "$f" <<<"$imports"; then
		echo "install-test: consumer.c does not call $f"
		missing=1
	fi
done
[ "$missing" = 0 ] || exit 1

# Bind every import at start-up, also those only the callbacks call; the
# library never prints, so the consumer's own line is all there is.
out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH=$(dirname "$so") "$tmp/consumer" 2>&1) ||
	{ echo "$out"; echo "install-test: consumer failed"; exit 1; }
[ "$out" = "libsrpt $(pkg-config --modversion libsrpt): consumer ok" ] ||
	{ echo "$out"; echo "install-test: unexpected consumer output"; exit 1; }
echo "$out"
echo "install-test: $(wc -w <<<"$names") public functions called; PASS"
