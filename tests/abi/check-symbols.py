#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Symbol test, both ways: every function a public header declares is
exported by the shared library under its libsrpt.map version, and every
export is in the map and declared in a public header. A declaration that
the map forgets compiles but does not link, so one way is not enough.

Usage: check-symbols.py LIBSRPT_SO MAPFILE INCLUDE_DIR
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True	# no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import public_api  # noqa: E402


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


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().split('\n\n')[-1], file=sys.stderr)
        return 2
    lib, mapfile, incdir = sys.argv[1:4]
    libname = os.path.basename(lib)
    mapname = os.path.basename(mapfile)
    want = map_symbols(mapfile)
    have = exported(lib)
    try:
        decl = public_api.public_functions(incdir)
    except public_api.ParseError as e:
        print(f'FAIL cannot parse the public headers: {e}')
        return 1
    errors = []
    # Map -> library.
    for name, ver in sorted(want.items()):
        if name not in have:
            errors.append(f'{name}: in {mapname}, not exported by {libname}')
        elif have[name] != ver:
            errors.append(f'{name}: exported as version {have[name]!r}, '
                          f'{mapname} says {ver!r}')
    for name in sorted(set(have) - set(want)):
        errors.append(f'{name}: exported by {libname}, not in {mapname}')
    # Headers -> library: what a program can call must link. (In one of
    # the two but not the other is reported above.)
    for name, header in sorted(decl.items()):
        if name not in want and name not in have:
            errors.append(f'{name}: declared in {header}, but neither in '
                          f'{mapname} nor exported by {libname}: callers '
                          f'do not link')
    # Library -> headers: nothing is exported that no header declares.
    for name in sorted((set(want) | set(have)) - set(decl)):
        errors.append(f'{name}: exported, not declared as a function in a '
                      f'public header')
    for e in errors:
        print('FAIL', e)
    print(f'{len(decl)} declared functions, {len(want)} map entries, '
          f'{len(have)} exports checked; {len(errors)} problems')
    return 1 if errors or not want or not decl else 0


if __name__ == '__main__':
    sys.exit(main())
