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
for h in srpt.h proto.h target.h channel.h cmd.h log.h version.h; do
	[ -f "$tmp/prefix/include/srpt/$h" ] || { echo "install-test: $h not installed"; exit 1; }
done
ls "$tmp/prefix"/share/man/man7/libsrpt.7* >/dev/null 2>&1 ||
	{ echo "install-test: libsrpt(7) not installed"; exit 1; }
so=$(find "$tmp/prefix" -name 'libsrpt.so.1' | head -n 1)
[ -n "$so" ] || { echo "install-test: libsrpt.so.1 missing"; exit 1; }
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
[ "$soname" = libsrpt.so.1 ] || { echo "install-test: SONAME is $soname"; exit 1; }

# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$tmp/consumer" "$src/tests/install/consumer.c" \
	$(pkg-config --cflags --libs libsrpt)
LD_LIBRARY_PATH=$(dirname "$so") "$tmp/consumer"
echo "install-test: PASS"
