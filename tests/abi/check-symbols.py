#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Symbol test: the shared library exports exactly the functions of
libsrpt.map, each under its stanza's version, and every one of them is
declared in a public header.

Usage: check-symbols.py LIBSRPT_SO MAPFILE INCLUDE_DIR
"""
import glob
import os
import re
import subprocess
import sys


def map_symbols(path):
    text = re.sub(r'/\*.*?\*/', '', open(path).read(), flags=re.S)
    out = {}
    for m in re.finditer(r'([\w.]+)\s*\{(.*?)\}', text, flags=re.S):
        version, body = m.group(1), m.group(2)
        glob_part = body.split('local:')[0].replace('global:', '')
        for name in re.findall(r'(\w+)\s*;', glob_part):
            out[name] = version
    return out


def exported(lib):
    res = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    out = {}
    for line in res.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        name = parts[2]
        base, _, ver = name.partition('@')
        if parts[1] in 'AaN' or base.startswith('LIBSRPT_'):
            continue
        out[base] = ver.lstrip('@')
    return out


def declared(incdir):
    text = ''
    for h in glob.glob(os.path.join(incdir, 'srpt', '*.h')):
        text += open(h).read()
    return set(re.findall(r'\b(srpt_\w+)\s*\(', text))


def main():
    lib, mapfile, incdir = sys.argv[1:4]
    want = map_symbols(mapfile)
    have = exported(lib)
    decl = declared(incdir)
    errors = []
    for name, ver in sorted(want.items()):
        if name not in have:
            errors.append(f'{name}: in the map, not exported')
        elif have[name] != ver:
            errors.append(f'{name}: version {have[name]!r}, map says {ver!r}')
        if name not in decl:
            errors.append(f'{name}: exported, not declared in a public header')
    for name in sorted(set(have) - set(want)):
        errors.append(f'{name}: exported but not in the map')
    for e in errors:
        print('FAIL', e)
    print(f'{len(want)} symbols checked, {len(errors)} problems')
    return 1 if errors or not want else 0


if __name__ == '__main__':
    sys.exit(main())
