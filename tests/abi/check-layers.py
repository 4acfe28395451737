#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Layer test: every #include "dir/file.h" in libsrpt/ stays within what
its folder may see, so that no arrow of the include graph runs back up
and no two folders include each other.

    util   nothing but util
    proto  util
    table  util
    core   util, proto, table
    rdma   util, and of core only its transport door: core/transport.h,
           core/events.h
    srpt.c (the top: wiring) anything

Usage: check-layers.py LIBSRPT_DIR
"""
import os
import re
import sys

ALLOWED = {
    'util': {'util'},
    'proto': {'util', 'proto'},
    'table': {'util', 'table'},
    'core': {'util', 'proto', 'table', 'core'},
    'rdma': {'util', 'rdma', 'core/transport.h', 'core/events.h'},
}


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split('\n\n')[-1], file=sys.stderr)
        return 2
    root = sys.argv[1]
    problems = []
    files = 0
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            continue
        if folder not in ALLOWED:
            problems.append(f'{folder}/: a folder this test does not know')
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith(('.c', '.h')):
                continue
            files += 1
            text = open(os.path.join(path, name)).read()
            for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text,
                                  re.M):
                target = inc.split('/')[0] if '/' in inc else folder
                if target == 'srpt' or target in ALLOWED[folder] or \
                        inc in ALLOWED[folder]:
                    continue
                problems.append(f'{folder}/{name} includes "{inc}"')
    for p in problems:
        print('FAIL', p)
    print(f'{files} files checked, {len(problems)} problems')
    return 1 if problems or not files else 0


if __name__ == '__main__':
    sys.exit(main())
