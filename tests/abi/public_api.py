#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""The functions the public headers declare, for the ABI and install tests.

Only real prototypes count: comments (kernel-doc mentions such as
"srpt_channel_ref()"), preprocessor lines, the C++-only part, struct and
enum bodies (function pointer members) and typedefs (of function
pointers) are dropped first. A declaration the parser cannot read is an
error, not a silent omission.

Usage: public_api.py INCLUDE_DIR    print one name a line
       public_api.py --self-test
"""
import glob
import os
import re
import sys


class ParseError(Exception):
    pass


def _strip_comments(text):
    # Keep newlines so that line numbers survive for messages.
    def blank(m):
        return re.sub(r'[^\n]', ' ', m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"', blank, text,
                  flags=re.S)


def _preprocess(text):
    """Drop directives; drop what only a C++ compiler sees."""
    out = []
    stack = []
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        # A directive may continue over several lines.
        while line.rstrip().endswith('\\') and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + ' ' + lines[i]
            out.append('')
        d = re.match(r'\s*#\s*(\w+)\s*(.*)', line)
        if d:
            word, arg = d.group(1), d.group(2).strip()
            if word in ('if', 'ifdef', 'ifndef'):
                stack.append(not (word == 'ifdef' and arg == '__cplusplus'))
            elif word == 'else' and stack:
                if stack[-1] is False:
                    stack[-1] = True
            elif word == 'endif' and stack:
                stack.pop()
            out.append('')
        elif all(stack):
            out.append(line)
        else:
            out.append('')
        i += 1
    return '\n'.join(out)


def _strip_attributes(stmt):
    """Remove __attribute__((...)), which may nest parentheses."""
    while True:
        m = re.search(r'\b__attribute__\s*\(', stmt)
        if not m:
            return stmt
        depth, j = 0, m.end() - 1
        while j < len(stmt):
            depth += {'(': 1, ')': -1}.get(stmt[j], 0)
            j += 1
            if depth == 0:
                break
        stmt = stmt[:m.start()] + ' ' + stmt[j:]


def _statements(text):
    """Top-level statements, with brace bodies cut out; inline function
    definitions are dropped (they are not exported)."""
    stmt, line, start, depth = [], 1, 1, 0
    for c in text:
        if c == '\n':
            line += 1
        if depth:
            depth += {'{': 1, '}': -1}.get(c, 0)
            if depth == 0 and ''.join(stmt).rstrip().endswith(')'):
                stmt = []	# body of a function definition
            continue
        if c == '{':
            depth = 1
            continue
        if c == ';':
            yield start, ' '.join(''.join(stmt).split())
            stmt = []
            continue
        if not stmt:
            if c.isspace():
                continue
            start = line
        stmt.append(c)
    if ''.join(stmt).strip():
        raise ParseError(f'line {start}: unterminated declaration')


_PROTO = re.compile(r'^(?:extern\s+)?[A-Za-z_][\w\s*]*?[\s*](\w+)\s*\((.*)\)$')


def functions_in(text, where='<text>'):
    """Names of the functions declared in one header's text."""
    names = []
    text = _preprocess(_strip_comments(text))
    for line, stmt in _statements(text):
        stmt = _strip_attributes(stmt).strip()
        if not stmt or '(' not in stmt:
            continue	# struct/enum declarations, variables
        if re.match(r'typedef\b', stmt):
            continue
        if re.match(r'static\b', stmt):
            continue	# a static prototype is nobody's export
        m = _PROTO.match(stmt)
        if not m:
            raise ParseError(f'{where}:{line}: cannot read "{stmt}"')
        names.append(m.group(1))
    return names


def public_functions(incdirs):
    """{name: header} for every function of include/srpt/*.h; @incdirs
    may name several folders, separated by ':' (generated headers such
    as version.h live in the build tree)."""
    out = {}
    for incdir in incdirs.split(os.pathsep):
        for h in sorted(glob.glob(os.path.join(incdir, 'srpt', '*.h'))):
            rel = os.path.join('include', os.path.relpath(h, incdir))
            for name in functions_in(open(h).read(), rel):
                out.setdefault(name, rel)
    return out


_SAMPLE = r'''
/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SAMPLE_H
#define SAMPLE_H
#define SRPT_MACRO(x) srpt_not_a_function(x)
#define SRPT_LONG(a, b) \
	srpt_not_either(a, \
			b)
#ifdef __cplusplus
extern "C" {
#endif
/**
 * srpt_in_a_comment() - mentions srpt_other() too
 */
struct srpt_ops {
	int (*on_req)(struct srpt_channel *ch, void *ud);
	void (*srpt_member)(void);
};
enum srpt_e { SRPT_A = 1, SRPT_B = (2), };
typedef void (*srpt_fn)(struct srpt_io *io, int status);
typedef int (*srpt_visit_fn)(struct srpt_channel *ch, void *arg);
struct srpt_fwd;
extern int srpt_variable;
static inline int srpt_inline(int x) { if (x) { return 1; } return 0; }
int srpt_a(void);
const struct srpt_login_info *srpt_b(struct srpt_channel *ch);
enum srpt_state srpt_c(struct srpt_channel *ch,
		       uint32_t reason) __attribute__((nonnull(1)));
__attribute__((deprecated("use srpt_a()"))) unsigned int srpt_d(void *p);
void *
srpt_e(int (*cb)(void *), void *arg);
extern const char *srpt_f(uint8_t op);
#ifdef __cplusplus
}
#endif
#endif
'''


def self_test():
    want = ['srpt_a', 'srpt_b', 'srpt_c', 'srpt_d', 'srpt_e', 'srpt_f']
    got = functions_in(_SAMPLE, 'sample.h')
    ok = got == want
    print(f'{"ok" if ok else "FAIL"}: parsed {got}, want {want}')
    try:
        functions_in('int (*srpt_returns_fn(void))(int);', 'bad.h')
        print('FAIL: an unreadable declaration was not reported')
        ok = False
    except ParseError as e:
        print(f'ok: unreadable declaration reported: {e}')
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__.strip().split('\n\n')[-1], file=sys.stderr)
        return 2
    try:
        names = public_functions(sys.argv[1])
    except ParseError as e:
        print(f'public_api: {e}', file=sys.stderr)
        return 1
    if not names:
        print(f'public_api: no function declared under {sys.argv[1]}',
              file=sys.stderr)
        return 1
    for name in sorted(names):
        print(name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
