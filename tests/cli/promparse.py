#!/usr/bin/python3
"""A strict reader of Prometheus' text exposition format, version 0.0.4
(https://prometheus.io/docs/instrumenting/exposition_formats/), with the
checks promtool's linter adds, for tests/cli/prometheus.sh.

promparse.py FILE: print one line per sample, as JSON
[name, {label: value}, value], or "error: line N: why" and exit 1.
promparse.py --selftest: show that each kind of bad input is refused.
"""
import json
import math
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')
FLOAT = re.compile(r'[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf)'
                   r'|NaN')


class Bad(Exception):
    pass


def unescape(s, allowed, where):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            if i + 1 >= len(s) or s[i + 1] not in allowed:
                raise Bad(where + ': bad escape')
            out.append({'\\': '\\', '"': '"', 'n': '\n'}[s[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return ''.join(out)


def family(name, types):
    """The family a sample belongs to (a histogram's _bucket and so on)."""
    for suf in ('_bucket', '_count', '_sum'):
        base = name[:-len(suf)]
        if name.endswith(suf) and types.get(base) in ('histogram',
                                                      'summary'):
            return base
    return name


def parse_sample(line, n):
    m = NAME.match(line)
    if not m:
        raise Bad('line %d: no metric name' % n)
    name, i, labels = m.group(0), m.end(), {}
    if i < len(line) and line[i] == '{':
        i += 1
        while True:
            if line[i:i + 1] == '}':
                i += 1
                break
            m = LABEL.match(line, i)
            if not m:
                raise Bad('line %d: bad label name' % n)
            lname = m.group(0)
            if lname.startswith('__'):
                raise Bad('line %d: reserved label name %s' % (n, lname))
            if lname in labels:
                raise Bad('line %d: label %s twice' % (n, lname))
            i = m.end()
            if line[i:i + 2] != '="':
                raise Bad('line %d: label %s: no ="' % (n, lname))
            i += 2
            j = i
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == '\\' else 1
            if j >= len(line):
                raise Bad('line %d: unterminated label value' % n)
            labels[lname] = unescape(line[i:j], '\\"n',
                                     'line %d: label %s' % (n, lname))
            i = j + 1
            if line[i:i + 1] == ',':
                i += 1
            elif line[i:i + 1] != '}':
                raise Bad('line %d: after label %s' % (n, lname))
    rest = line[i:]
    if not rest.startswith(' '):
        raise Bad('line %d: no blank before the value' % n)
    parts = rest.split(' ')[1:]
    if not (1 <= len(parts) <= 2) or not FLOAT.fullmatch(parts[0]):
        raise Bad('line %d: bad value %r' % (n, rest))
    if len(parts) == 2 and not re.fullmatch(r'-?\d+', parts[1]):
        raise Bad('line %d: bad timestamp' % n)
    return name, labels, float(parts[0])


def parse(data):
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise Bad('not UTF-8: %s' % e)
    if text and not text.endswith('\n'):
        raise Bad('no newline at the end')
    types, helps, seen, done, samples = {}, {}, set(), set(), []
    current = None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line == '':
            continue
        if line.startswith('#'):
            toks = line.split(' ', 3)
            if len(toks) >= 3 and toks[0] == '#' and toks[1] in ('HELP',
                                                                 'TYPE'):
                name = toks[2]
                if not NAME.fullmatch(name):
                    raise Bad('line %d: bad metric name' % n)
                if name in done or name == current:
                    if name in types or toks[1] == 'TYPE':
                        raise Bad('line %d: %s after samples of %s'
                                  % (n, toks[1], name))
                if toks[1] == 'TYPE':
                    if len(toks) != 4 or toks[3] not in TYPES:
                        raise Bad('line %d: bad type' % n)
                    if name in types:
                        raise Bad('line %d: second TYPE' % n)
                    types[name] = toks[3]
                else:
                    if name in helps:
                        raise Bad('line %d: second HELP' % n)
                    helps[name] = unescape(toks[3] if len(toks) > 3 else
                                           '', '\\n', 'line %d' % n)
            continue
        name, labels, value = parse_sample(line, n)
        fam = family(name, types)
        if fam != current:
            if fam in done:
                raise Bad('line %d: %s not in one group' % (n, fam))
            if current is not None:
                done.add(current)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise Bad('line %d: a second sample of %s%s' % (n, name,
                                                            labels))
        seen.add(key)
        samples.append((name, labels, value))
    # promtool check metrics' lint
    for name in set(types) | set(helps) | {family(s[0], types)
                                          for s in samples}:
        if name not in helps:
            raise Bad('%s: no HELP' % name)
        t = types.get(name, 'untyped')
        if t == 'counter' and not name.endswith('_total'):
            raise Bad('%s: a counter without _total' % name)
        if t != 'counter' and re.search(r'_(total|count|sum|bucket)$',
                                        name):
            raise Bad('%s: a %s named like a counter' % (name, t))
    for s in samples:
        if math.isnan(s[2]) and types.get(s[0]) == 'counter':
            raise Bad('%s: NaN counter' % s[0])
    return samples


BAD = [
    ('unescaped quote', b'# HELP a x\n# TYPE a gauge\na{l="x"y"} 1\n'),
    ('bad escape', b'# HELP a x\n# TYPE a gauge\na{l="x\\ty"} 1\n'),
    ('raw newline', b'# HELP a x\n# TYPE a gauge\na{l="x\ny"} 1\n'),
    ('duplicate', b'# HELP a x\n# TYPE a gauge\na{l="x"} 1\na{l="x"} 2\n'),
    ('split group', b'# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n'
     b'# TYPE b gauge\nb 1\na{l="y"} 2\n'),
    ('TYPE late', b'# HELP a x\na 1\n# TYPE a gauge\n'),
    ('no newline', b'# HELP a x\n# TYPE a gauge\na 1'),
    ('bad value', b'# HELP a x\n# TYPE a gauge\na one\n'),
    ('bad name', b'# HELP a x\n# TYPE a gauge\n1a 1\n'),
    ('no HELP', b'# TYPE a gauge\na 1\n'),
    ('counter name', b'# HELP a x\n# TYPE a counter\na 1\n'),
    ('invalid UTF-8', b'# HELP a x\n# TYPE a gauge\na{l="\xff"} 1\n'),
    ('reserved label', b'# HELP a x\n# TYPE a gauge\na{__l="x"} 1\n'),
]
GOOD = (b'# HELP a x \\\\ y\n# TYPE a gauge\na{l="q\\"b\\\\n\\n",m="",} 1.5'
        b' 1700000000000\na -Inf\n\n# HELP c_total c\n# TYPE c_total counter\n'
        b'c_total 3e2\n')


def selftest():
    ok = True
    for name, data in BAD:
        try:
            parse(data)
            print('FAIL parser refuses %s: accepted' % name)
            ok = False
        except Bad:
            print('PASS parser refuses %s' % name)
    try:
        s = parse(GOOD)
        want = [('a', {'l': 'q"b\\n\n', 'm': ''}, 1.5),
                ('a', {}, float('-inf')), ('c_total', {}, 300.0)]
        if s == want:
            print('PASS parser accepts a valid exposition')
        else:
            print('FAIL parser accepts a valid exposition: %r' % s)
            ok = False
    except Bad as e:
        print('FAIL parser accepts a valid exposition: %s' % e)
        ok = False
    return ok


def main():
    if sys.argv[1:] == ['--selftest']:
        return 0 if selftest() else 1
    with open(sys.argv[1], 'rb') as f:
        data = f.read()
    try:
        for s in parse(data):
            print(json.dumps(s, ensure_ascii=False))
    except Bad as e:
        print('error: %s' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
