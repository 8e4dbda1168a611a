#!/usr/bin/env python3
"""Gate the findings of every fixture folder (tests/cli/findings.sh).

usage: gates.py [--gates FILE] [--write-gates FILE] [--wrong] MANIFEST

MANIFEST has one line per folder: NAME, EXPECTED.json, ONE-SHOT.ndjson and
TWO-RUNS.ndjson (or -), tab-separated. For each folder it prints
  PASS/FAIL NAME              scored with tests/score.py: recall, precision
                              and field accuracy each at least the folder's
                              gate in FILE ("NAME RECALL PRECISION FIELDS",
                              three decimals; a folder without a gate needs
                              0.75 and is noted); a negative/ folder passes
                              only with no finding at all
  PASS/FAIL incremental/NAME  the two-run findings equal the one-shot ones
then findings-overall (the sums: recall and precision at least 0.9) and
the per-kind table as '#' lines. A gate is only ever raised: a folder
scoring above its gate is noted so the gate can be raised.
--wrong sets every task, coro and exception of the actual findings to WRONG
first and prints one check: every folder with a scored task, coro or
exception must fail its gate (proof that the field gate can fail).
--write-gates writes the current scores as gates.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

DEFAULT = (0.75, 0.75, 0.0)


def load_gates(path):
	gates = {}
	if not path:
		return gates
	for n, ln in enumerate(open(path), 1):
		ln = ln.split('#', 1)[0].split()
		if not ln:
			continue
		if len(ln) != 4:
			raise ValueError('%s:%d: want NAME RECALL PRECISION FIELDS' % (path, n))
		gates[ln[0]] = tuple(float(x) for x in ln[1:])
	return gates


def norm(p):
	out = []
	for ln in open(p):
		if ln.strip():
			o = json.loads(ln)
			o.pop('incident', None)
			o['source'] = os.path.basename(str(o.get('source')))
			out.append(json.dumps(o, sort_keys=True))
	return sorted(out)


def scores(exp, act, wrong):
	if wrong:
		with open(act) as fh:
			rows = [json.loads(ln) for ln in fh if ln.strip()]
		for r in rows:
			for f in ('task', 'coro', 'exception'):
				r[f] = 'WRONG'
		act = act + '.wrong'
		with open(act, 'w') as fh:
			for r in rows:
				fh.write(json.dumps(r) + '\n')
	pairs, fns, fps = score.score_pair(exp, act, 'generated', set())
	fok = ftot = named = 0
	for e, x in pairs:
		ok, tot = score.fields(e, x)
		fok += ok
		ftot += tot
		named += sum(score.field_ok(f, e, x) is not None
			for f in ('task', 'coro', 'exception'))
	tp = len(pairs)
	return (score.ratio(tp, tp + len(fns)), score.ratio(tp, tp + len(fps)),
		score.ratio(fok, ftot)), named, (exp, act)


def main(argv):
	ap = argparse.ArgumentParser()
	ap.add_argument('--gates')
	ap.add_argument('--write-gates')
	ap.add_argument('--wrong', action='store_true')
	ap.add_argument('manifest')
	a = ap.parse_args(argv)
	gates = load_gates(a.gates)
	rows = [ln.rstrip('\n').split('\t') for ln in open(a.manifest) if ln.strip()]
	allpairs, written, caught, scored = [], [], [], []
	for name, exp, act, inc in rows:
		got, named, pair = scores(exp, act, a.wrong)
		allpairs += pair
		r, p, f = (round(x, 3) for x in got)
		have = 'recall %.3f precision %.3f field-accuracy %.3f' % (r, p, f)
		if name.startswith('negative/'):
			want = (1.0, 1.0, 0.0)
		else:
			want = gates.get(name, DEFAULT)
			written.append('%s %.3f %.3f %.3f' % (name, r, p, f))
		low = [w for w, g, v in zip(('recall', 'precision', 'field-accuracy'), want, (r, p, f))
			if v < g - 1e-9]
		if a.wrong:
			if named > 0 and not name.startswith('negative/'):
				scored.append(name)
				if low:
					caught.append(name)
			continue
		if low:
			print('FAIL %s: %s below its gate %.3f %.3f %.3f (%s)' % (
				name, have, want[0], want[1], want[2], ', '.join(low)))
		else:
			print('PASS %s: %s' % (name, have))
		if not name.startswith('negative/'):
			if name not in gates:
				print('# %s has no gate in %s: add "%s"' % (name, a.gates, written[-1]))
			elif any(v > g + 1e-9 for g, v in zip(want, (r, p, f))):
				print('# %s scores above its gate: raise it to "%s"' % (name, written[-1]))
		if inc != '-':
			x, y = norm(act), norm(inc)
			if x == y:
				print('PASS incremental/%s' % name)
			else:
				d = ['only in one run: ' + s[:150] for s in x if s not in y][:1] + \
					['only in two runs: ' + s[:150] for s in y if s not in x][:1]
				print('FAIL incremental/%s: two runs differ from one: %s' % (
					name, ' '.join(d) or 'same findings, other counts'))
	if a.wrong:
		missed = [n for n in scored if n not in caught]
		if scored and not missed:
			print('PASS field gate catches WRONG fields: %d of %d folders fail' % (
				len(caught), len(scored)))
		else:
			print('FAIL field gate catches WRONG fields: %d folders still pass: %s' % (
				len(missed), ' '.join(missed[:5]) or 'no folder has scored fields'))
		return 0
	if a.write_gates:
		with open(a.write_gates, 'w') as fh:
			fh.write('# tests/cli/findings.sh: per folder, the recall, precision and field\n'
				'# accuracy it must reach (tests/gates.py). Only ever raise a gate.\n')
			fh.write('\n'.join(sorted(written)) + '\n')
	import io
	import contextlib
	buf = io.StringIO()
	with contextlib.redirect_stdout(buf):
		rc = score.main(['--min-recall', '0.9', '--min-precision', '0.9'] + allpairs)
	lines = buf.getvalue().splitlines()
	if rc == 0:
		print('PASS findings-overall: %s' % lines[-1])
	else:
		print('FAIL findings-overall: %s' % (lines[-1] if lines else 'rc %d' % rc))
	for ln in lines:
		print('# ' + ln)
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
