#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""debian/libsrpt1.symbols from libsrpt/libsrpt.map.

Every name in a version stanza of the map (LIBSRPT_1.0, LIBSRPT_1.1,
...) becomes "name@STANZA VERSION", and each stanza's own node
"STANZA@STANZA VERSION", as dpkg-gensymbols(1) writes them. VERSION is
the Debian version that first shipped the name: kept from the current
symbols file, else this tree's version (meson.build) for a name new
in the map, which is the release that adds it.

Usage: gen-symbols.py [--check] [SRCDIR]
  --check  exit 1, with a diff, when the file is not what the map says
           (tests/abi runs it: edit the map, then run this script).
"""
import difflib
import os
import re
import sys

LIB, PKG, DEV = 'libsrpt.so.1', 'libsrpt1', 'libsrpt-dev'


def map_symbols(text):
    """(stanza, name) pairs of the global sections, in map order."""
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'#[^\n]*', '', text)
    out = []
    for m in re.finditer(r'([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;',
                         text, re.S):
        stanza, body = m.group(1), m.group(2)
        out.append((stanza, stanza))
        section = 'global'
        for tok in re.split(r';', body):
            tok = tok.strip()
            if not tok:
                continue
            lab = re.match(r'(global|local)\s*:\s*(.*)', tok, re.S)
            if lab:
                section, tok = lab.group(1), lab.group(2).strip()
                if not tok:
                    continue
            if section == 'global':
                out.append((stanza, tok))
    return out


def project_version(src):
    with open(os.path.join(src, 'meson.build')) as f:
        m = re.search(r"version\s*:\s*'([^']+)'", f.read())
    return m.group(1)


def known_versions(path):
    known = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r'^ (\S+) (\S+)', line)
                if m:
                    known[m.group(1)] = m.group(2)
    return known


def generate(src, symfile):
    with open(os.path.join(src, 'libsrpt', 'libsrpt.map')) as f:
        syms = map_symbols(f.read())
    if not syms:
        sys.exit('gen-symbols: no version stanza in libsrpt.map')
    known = known_versions(symfile)
    new = project_version(src)
    lines = ['%s %s #MINVER#\n' % (LIB, PKG),
             '* Build-Depends-Package: %s\n' % DEV]
    for key in sorted('%s@%s' % (name, stanza) for stanza, name in syms):
        lines.append(' %s %s\n' % (key, known.get(key, new)))
    return lines


def main(argv):
    check = '--check' in argv
    args = [a for a in argv if a != '--check']
    src = args[0] if args else os.path.join(os.path.dirname(__file__), '..')
    symfile = os.path.join(src, 'debian', PKG + '.symbols')
    want = generate(src, symfile)
    have = open(symfile).readlines() if os.path.exists(symfile) else []
    if want == have:
        return 0
    if check:
        sys.stdout.writelines(difflib.unified_diff(
            have, want, symfile, 'from libsrpt.map'))
        print('gen-symbols: %s is not what libsrpt.map says; '
              'run scripts/gen-symbols.py' % symfile)
        return 1
    with open(symfile, 'w') as f:
        f.writelines(want)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
