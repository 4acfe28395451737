#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Man page test: every function the public headers declare has its page,
man/NAME.3, and every page formats cleanly, so that the pages cannot fall
behind the API unnoticed.

man/NAME.3 is either a page that names NAME in its NAME section, or a
one-line alias ".so man3/PAGE.3" whose PAGE names it (the rdma-core
layout: one page per function family). Each page must pass
"groff -man -Tutf8 -ww -z" without a word on stderr; groff runs on the
full pages only, since what it makes of a well-formed alias whose
target exists (checked here) is what it makes of the target. Pages of
section 3 that belong to no public function (left over from a removed
one) are reported too. One FAIL line per problem.

Usage: check-man.py MAN_DIR INCLUDE_DIRS
       (INCLUDE_DIRS: folders joined by ':', as public_api.py takes them)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True	# no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import public_api  # noqa: E402

SECTIONS = ('3', '7', '8')
ALIAS = re.compile(r'^\.so\s+man3/([\w.-]+\.3)\s*$')
SPDX = '.\\" SPDX-License-Identifier:'


def read_page(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def alias_target(text):
    """The page an alias points to, None for a full page; raises
    ValueError for a .so page that is not a one-line alias."""
    lines = [ln for ln in text.split('\n') if ln.strip()]
    if not lines or not lines[0].startswith('.so'):
        return None
    m = ALIAS.match(lines[0])
    if len(lines) != 1 or not m:
        raise ValueError('a .so page must be the one line '
                         '".so man3/PAGE.3"')
    return m.group(1)


def names_of(text):
    """The names of a page's NAME section (before the \\- ), or None."""
    m = re.search(r'^\.SH\s+"?NAME"?\s*\n(.*?)(?=^\.SH\b)', text,
                  flags=re.M | re.S)
    if not m:
        return None
    body = ' '.join(ln for ln in m.group(1).split('\n')
                    if not ln.startswith('.'))
    head = body.split('\\-', 1)[0]
    return {n.strip() for n in head.replace('\\', '').split(',')
            if n.strip()}


def groff_problems(groff, mandir, page, root):
    """What groff says about @page, run in @root, where man3 (and man7,
    man8) is @mandir so that ".so man3/..." resolves as man(1) has it."""
    res = subprocess.run([groff, '-man', '-Tutf8', '-ww', '-z',
                          os.path.join(mandir, page)], cwd=root,
                         capture_output=True, text=True)
    out = [ln.replace(mandir + os.sep, 'man/')
           for ln in (res.stderr + res.stdout).splitlines() if ln]
    if res.returncode and not out:
        out = [f'exit status {res.returncode}']
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().split('\n\n')[-1], file=sys.stderr)
        return 2
    mandir = os.path.abspath(sys.argv[1])
    try:
        funcs = public_api.public_functions(sys.argv[2])
    except public_api.ParseError as e:
        print(f'FAIL cannot parse the public headers: {e}')
        return 1
    if not funcs:
        print(f'FAIL no function declared under {sys.argv[2]}')
        return 1
    groff = shutil.which('groff')
    if not groff:
        print('SKIP groff not found (Debian: groff-base)')
        return 77

    pages = sorted(p for p in os.listdir(mandir)
                   if p.rsplit('.', 1)[-1] in SECTIONS and
                   os.path.isfile(os.path.join(mandir, p)))
    problems = []
    texts, targets, named, broken = {}, {}, {}, set()
    for page in pages:
        text = texts[page] = read_page(os.path.join(mandir, page))
        try:
            targets[page] = alias_target(text)
        except ValueError as e:
            problems.append(f'man/{page}: {e}')
            targets[page] = None
            broken.add(page)
            continue
        if targets[page]:
            continue
        first = text.split('\n', 1)[0]
        if not first.startswith(SPDX):
            problems.append(f'man/{page}: first line is not the SPDX '
                            f'comment')
        stem, sec = page.rsplit('.', 1)
        th = re.search(r'^\.TH\s+(\S+)\s+(\S+)', text, flags=re.M)
        if not th:
            problems.append(f'man/{page}: no .TH line')
        elif (th.group(1), th.group(2)) != (stem.upper(), sec):
            problems.append(f'man/{page}: .TH says {th.group(1)} '
                            f'{th.group(2)}, not {stem.upper()} {sec}')
        named[page] = names_of(text)
        if named[page] is None:
            problems.append(f'man/{page}: no NAME section')
            named[page] = set()

    # Headers -> pages: every function has man/NAME.3 that documents it.
    for name, header in sorted(funcs.items()):
        page = name + '.3'
        if page not in texts:
            problems.append(f'{name}: declared in {header}, but man/{page} '
                            f'does not exist')
            continue
        if page in broken:
            continue	# reported above
        target = targets.get(page)
        if target is None:
            if name not in named.get(page, set()):
                problems.append(f'{name}: man/{page} does not name it in '
                                f'its NAME section')
        elif target not in texts:
            problems.append(f'{name}: man/{page} is an alias of '
                            f'man3/{target}, which does not exist')
        elif targets.get(target):
            problems.append(f'{name}: man/{page} is an alias of '
                            f'man3/{target}, itself an alias')
        elif name not in named.get(target, set()):
            problems.append(f'{name}: man/{page} is an alias of '
                            f'man3/{target}, whose NAME section does not '
                            f'name it')

    # Pages -> headers: no page of section 3 for a function that is gone.
    for page in pages:
        stem, sec = page.rsplit('.', 1)
        if sec != '3':
            continue
        if stem not in funcs:
            problems.append(f'man/{page}: {stem} is not a public function')
        for n in sorted(named.get(page, set()) - set(funcs)):
            problems.append(f'man/{page}: names {n} in its NAME section, '
                            f'which is not a public function')

    # Every page formats without a warning. An alias is its target plus
    # the .so, which the checks above resolved; a broken one runs too.
    full = [p for p in pages
            if not targets[p] or targets[p] not in texts]
    with tempfile.TemporaryDirectory(prefix='check-man-') as root:
        for sec in SECTIONS:
            os.symlink(mandir, os.path.join(root, 'man' + sec))
        with ThreadPoolExecutor(max_workers=8) as pool:
            said = pool.map(lambda p: groff_problems(groff, mandir, p, root),
                            full)
            for page, lines in zip(full, list(said)):
                problems += [f'man/{page}: groff: {ln}' for ln in lines]

    for p in problems:
        print('FAIL', p)
    print(f'{len(funcs)} public functions, {len(pages)} pages checked; '
          f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
