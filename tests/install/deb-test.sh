#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Debian package test: builds libsrpt1, libsrpt-dev and srpt-tools with
# dpkg-buildpackage from a copy of the tree in a temporary directory,
# extracts them (dpkg-deb -x: the machine's own package state is not
# touched) into a throwaway root, checks what each package holds, builds
# the README's example against the extracted headers and library with
# nothing but pkg-config, and runs lintian on the packages (an error
# fails; warnings are printed).
#
# DEB_BUILD_OPTIONS defaults to "nocheck": the unit tests have a step of
# their own in scripts/test.sh. DEB_TEST_KEEP=DIR keeps the .debs and the
# build log there. Usage: tests/install/deb-test.sh
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb-test: $*"; exit 1; }

for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$t" >/dev/null ||
		fail "$t missing (scripts/install-deps.sh installs it)"
done

# The tree as git would ship it (tracked and new files, nothing ignored,
# no build directories), or as it is when it is no git checkout.
mkdir "$tmp/src"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 tar --no-recursion -cf - 2>/dev/null --ignore-failed-read) |
		tar -C "$tmp/src" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude='./obj-*' -cf - . |
		tar -C "$tmp/src" -xf -
fi

# The symbols file must say what the map says before dpkg-gensymbols
# compares it with the library.
python3 "$src/scripts/gen-symbols.py" --check "$tmp/src"

keep() {
	[ -n "${DEB_TEST_KEEP:-}" ] || return 0
	mkdir -p "$DEB_TEST_KEEP"
	cp "$tmp"/*.deb "$tmp/build.log" "$DEB_TEST_KEEP/" 2>/dev/null || true
}
trap 'keep; rm -rf "$tmp"' EXIT
(cd "$tmp/src" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck} \
	dpkg-buildpackage -b -us -uc -j2) >"$tmp/build.log" 2>&1 ||
	{ tail -n 60 "$tmp/build.log"; fail "dpkg-buildpackage failed"; }
if grep -E 'dpkg-gensymbols: warning' "$tmp/build.log"; then
	fail "dpkg-gensymbols: the library and debian/libsrpt1.symbols differ"
fi

ver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debs=()
for p in libsrpt1 libsrpt-dev srpt-tools; do
	f="$tmp/${p}_${ver}_${arch}.deb"
	[ -f "$f" ] || fail "no $f"
	debs+=("$f")
done

# What each package holds, at its place.
has() {
	local deb=$1
	shift
	local list
	list=$(dpkg-deb -c "$tmp/${deb}_${ver}_${arch}.deb" | awk '{ print $6 }')
	for want in "$@"; do
		grep -qx -- "$want" <<<"$list" || fail "$deb lacks $want"
	done
}
has libsrpt1 "./usr/lib/$ma/libsrpt.so.1" "./usr/lib/$ma/libsrpt.so.1.0.0"
has libsrpt-dev ./usr/include/srpt/srpt.h ./usr/include/srpt/version.h \
	"./usr/lib/$ma/libsrpt.so" "./usr/lib/$ma/pkgconfig/libsrpt.pc" \
	./usr/share/man/man3/srpt_target_new.3.gz ./usr/share/man/man7/libsrpt.7.gz
has srpt-tools ./usr/sbin/srpt-blockdev ./usr/sbin/srpt-ramdisk ./usr/sbin/srptctl \
	./lib/systemd/system/srpt-blockdev@.service \
	./usr/share/man/man8/srpt-blockdev.8.gz ./usr/share/man/man8/srpt-ramdisk.8.gz \
	./usr/share/man/man8/srptctl.8.gz
# (Outputs go through variables: grep -q ending a pipe early would
# fail the writer with SIGPIPE under pipefail.)
dep=$(dpkg-deb -f "$tmp/libsrpt-dev_${ver}_${arch}.deb" Depends)
grep -qF "libsrpt1 (= $ver)" <<<"$dep" ||
	fail "libsrpt-dev does not depend on libsrpt1 (= $ver): $dep"
dep=$(dpkg-deb -f "$tmp/srpt-tools_${ver}_${arch}.deb" Depends)
grep -qF 'libsrpt1 (>= ' <<<"$dep" ||
	fail "srpt-tools has no shlibs dependency on libsrpt1: $dep"
ctrl=$(dpkg-deb --ctrl-tarfile "$tmp/libsrpt1_${ver}_${arch}.deb" | tar -tf -)
grep -qx './symbols' <<<"$ctrl" || fail "libsrpt1 ships no symbols file"

# A throwaway root with the three packages in it.
root=$tmp/root
for d in "${debs[@]}"; do
	dpkg-deb -x "$d" "$root"
done

# The README's example, built against the root's headers and library only.
awk '/^## Using the library/ { on = 1 } on && /^```c$/ { c = 1; next }
     c && /^```$/ { exit } c { print }' "$src/README.md" >"$tmp/readme-example.c"
[ -s "$tmp/readme-example.c" ] || fail "no C program under \"Using the library\" in README.md"
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$root/usr/lib/$ma/pkgconfig:/usr/lib/$ma/pkgconfig:/usr/share/pkgconfig
cflags=$(pkg-config --cflags libsrpt)
libs=$(pkg-config --libs libsrpt)
grep -q -- "-I$root/usr/include" <<<"$cflags" || fail "pkg-config --cflags is \"$cflags\", not the root's"
grep -q -- "-L$root/usr/lib/$ma" <<<"$libs" || fail "pkg-config --libs is \"$libs\", not the root's"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror \
	-o "$tmp/readme-example" "$tmp/readme-example.c" $cflags $libs ||
	fail "the README's example does not build against the packages"
# Linked against the packaged library, which loads and binds.
deps=$(LD_LIBRARY_PATH=$root/usr/lib/$ma ldd "$tmp/readme-example")
grep -qF "libsrpt.so.1 => $root/usr/lib/$ma/libsrpt.so.1" <<<"$deps" ||
	fail "the example does not load the packaged libsrpt.so.1"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$tmp/consumer" "$src/tests/install/consumer.c" $cflags $libs
out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH=$root/usr/lib/$ma "$tmp/consumer" 2>&1) ||
	{ echo "$out"; fail "consumer failed against the packaged library"; }
echo "$out"

# lintian: errors fail, the rest is shown.
lintian --tag-display-limit 0 "${debs[@]}" >"$tmp/lintian.log" 2>&1 || true
cat "$tmp/lintian.log"
if grep -q '^E: ' "$tmp/lintian.log"; then
	fail "lintian reports errors"
fi
echo "deb-test: ${#debs[@]} packages built, extracted, used and lintian-clean of errors; PASS"
