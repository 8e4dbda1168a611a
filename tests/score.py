#!/usr/bin/env python3
"""Score aiosift findings against expected findings.

usage: score.py [options] --expected EXPECTED.json --actual ACTUAL.ndjson
       score.py [options] EXPECTED.json ACTUAL.ndjson [EXPECTED.json ACTUAL.ndjson...]

ACTUAL is the output of `aiosift query findings --format ndjson`: one JSON
object a line with kind, task, coro, exception, ts (ISO-8601, or null),
duration_s, source, line...

EXPECTED is, for generated fixtures (--mode generated, the default),
  {"findings": [{"kind", "task", "coro", "exception", "ts_min", "ts_max",
                 "duration_s"}], ...}
and for hand-labelled logs (--mode realworld)
  [{"file": "001.log", "findings": [{"kind", "task", "coro", "exception", "line"}]}].

Matching: an expected finding pairs with an actual one of the same kind
(and, realworld, the same file) whose ts lies in [ts_min - 2 s, ts_max + 2 s]
(an actual ts of null pairs by kind alone); among candidates the one that
agrees on most fields, then the closest in time, wins. Fields are then
compared on the pairs: task (exact), coro (exact or same last dotted part),
exception (same last dotted part: socket.gaierror = gaierror), duration_s
(within 0.25 s or 25 %). A null expected field is not scored.

Prints per-kind TP/FN/FP with recall and precision, then the totals; the
last line is 'recall R precision P field-accuracy F'. With several pairs
the counts are summed. Exit status: 0, or 1 when a --min-* threshold is not
met, 2 on bad input.
"""
import argparse
import collections
import datetime
import json
import os
import sys

TOL = 2.0
FIELDS = ('task', 'coro', 'exception', 'duration_s')


def parse_ts(s):
	if not s or not isinstance(s, str):
		return None
	s = s.strip().replace(' ', 'T', 1)
	if s.endswith('Z') or s.endswith('z'):
		s = s[:-1] + '+00:00'
	try:
		d = datetime.datetime.fromisoformat(s)
	except ValueError:
		return None
	if d.tzinfo is None:
		d = d.replace(tzinfo=datetime.timezone.utc)
	return d.timestamp()


def norm(v):
	if v is None:
		return None
	v = str(v).strip().strip('\'"')
	return v or None


def last(v):
	return v.rsplit('.', 1)[-1]


def field_ok(f, e, a):
	"""None when the expected field is null (not scored), else True/False."""
	ev = e.get(f)
	if f == 'duration_s':
		if ev is None:
			return None
		av = a.get(f)
		try:
			ev, av = float(ev), float(av)
		except (TypeError, ValueError):
			return False
		return abs(ev - av) <= max(0.25, 0.25 * ev)
	ev, av = norm(ev), norm(a.get(f))
	if ev is None:
		return None
	if av is None:
		return False
	if f == 'task':
		return ev == av
	return ev == av or last(ev) == last(av)


def fields(e, a):
	ok = tot = 0
	for f in FIELDS:
		r = field_ok(f, e, a)
		if r is not None:
			tot += 1
			ok += r
	return ok, tot


def time_cost(e, a):
	"""None when a's time is outside e's window, else the distance."""
	t = parse_ts(a.get('ts'))
	lo, hi = parse_ts(e.get('ts_min')), parse_ts(e.get('ts_max'))
	if t is None or lo is None or hi is None:
		return TOL	# no time to compare: by kind alone, after timed matches
	if t < lo - TOL or t > hi + TOL:
		return None
	return 0.0 if lo <= t <= hi else min(abs(t - lo), abs(t - hi))


def line_cost(e, a):
	try:
		return abs(int(e.get('line')) - int(a.get('line'))) / 1e6
	except (TypeError, ValueError):
		return 0.0


def match(expected, actual, costf):
	"""Pairs chosen greedily over all compatible (expected, actual) pairs,
	best first: most agreeing fields, then least cost."""
	cands = []
	for i, e in enumerate(expected):
		for j, a in enumerate(actual):
			if a.get('kind') != e.get('kind'):
				continue
			c = costf(e, a)
			if c is None:
				continue
			ok, tot = fields(e, a)
			cands.append((tot - ok, c, i, j))
	cands.sort()
	ue, ua, pairs = set(), set(), []
	for _, _, i, j in cands:
		if i in ue or j in ua:
			continue
		ue.add(i)
		ua.add(j)
		pairs.append((expected[i], actual[j]))
	fn = [e for i, e in enumerate(expected) if i not in ue]
	fp = [a for j, a in enumerate(actual) if j not in ua]
	return pairs, fn, fp


def load_actual(path):
	out = []
	with open(path, errors='replace') as fh:
		for n, ln in enumerate(fh, 1):
			ln = ln.strip()
			if not ln:
				continue
			try:
				o = json.loads(ln)
			except ValueError:
				o = None
			if not isinstance(o, dict):
				print('%s:%d: not a JSON object: %s' % (path, n, ln[:120]))
				o = {'kind': '<unparsable>'}
			out.append(o)
	return out


def score_pair(exp_path, act_path, mode, ignore):
	exp = json.load(open(exp_path))
	actual = [a for a in load_actual(act_path) if a.get('kind') not in ignore]
	if mode == 'generated':
		if not isinstance(exp, dict) or not isinstance(exp.get('findings'), list):
			raise ValueError('%s: no "findings" list' % exp_path)
		want = [e for e in exp['findings'] if e.get('kind') not in ignore]
		return match(want, actual, time_cost)
	if not isinstance(exp, list):
		raise ValueError('%s: realworld labels are a list of {file, findings}' % exp_path)
	byfile = collections.defaultdict(list)
	for a in actual:
		byfile[os.path.basename(str(a.get('source') or ''))].append(a)
	pairs, fns, fps = [], [], []
	for ent in exp:
		want = [dict(e, file=ent['file']) for e in ent.get('findings', [])
			if e.get('kind') not in ignore]
		p, fn, fp = match(want, byfile.pop(ent['file'], []), line_cost)
		pairs += p
		fns += fn
		fps += fp
	for rest in byfile.values():
		fps += rest
	return pairs, fns, fps


def ratio(a, b):
	return a / b if b else 1.0


def main(argv):
	ap = argparse.ArgumentParser(description='Score aiosift findings (NDJSON) against expected findings.')
	ap.add_argument('--expected')
	ap.add_argument('--actual')
	ap.add_argument('pairs', nargs='*', metavar='EXPECTED ACTUAL')
	ap.add_argument('--mode', choices=['generated', 'realworld'], default='generated')
	ap.add_argument('--ignore-kinds', default='', help='comma list of kinds left out, expected and actual')
	ap.add_argument('--min-recall', type=float)
	ap.add_argument('--min-precision', type=float)
	ap.add_argument('--min-field-accuracy', type=float)
	ap.add_argument('--json', help='also write the totals to this file as JSON')
	ap.add_argument('-v', action='store_true', help='list misses, extras and field mismatches')
	a = ap.parse_args(argv)
	pairs_in = list(a.pairs)
	if a.expected or a.actual:
		if not (a.expected and a.actual):
			ap.error('--expected and --actual go together')
		pairs_in = [a.expected, a.actual] + pairs_in
	if not pairs_in or len(pairs_in) % 2:
		ap.error('give EXPECTED ACTUAL pairs')
	ignore = set(k for k in a.ignore_kinds.split(',') if k)
	pairs, fns, fps = [], [], []
	for i in range(0, len(pairs_in), 2):
		try:
			p, fn, fp = score_pair(pairs_in[i], pairs_in[i + 1], a.mode, ignore)
		except (OSError, ValueError, KeyError, TypeError) as ex:
			print('score.py: %s' % ex, file=sys.stderr)
			return 2
		pairs += p
		fns += fn
		fps += fp
	kinds = sorted(set([e['kind'] for e, _ in pairs] + [e['kind'] for e in fns] +
		[str(x.get('kind')) for x in fps]))
	fok = ftot = 0
	perf = collections.Counter()
	for e, x in pairs:
		for f in FIELDS:
			r = field_ok(f, e, x)
			if r is not None:
				fok += r
				ftot += 1
				perf[f, r] += 1
				if a.v and not r:
					print('FIELD %s %s: expected %r, got %r (ts %s)' % (e['kind'], f, e.get(f),
						x.get(f), x.get('ts')))
	if a.v:
		for e in fns:
			print('MISSED', json.dumps(e)[:300])
		for x in fps:
			print('EXTRA', json.dumps(x)[:300])
	print('%-24s %5s %5s %5s %7s %9s' % ('kind', 'TP', 'FN', 'FP', 'recall', 'precision'))
	for k in kinds:
		tp = sum(1 for e, _ in pairs if e['kind'] == k)
		fn = sum(1 for e in fns if e['kind'] == k)
		fp = sum(1 for x in fps if str(x.get('kind')) == k)
		print('%-24s %5d %5d %5d %7.3f %9.3f' % (k, tp, fn, fp, ratio(tp, tp + fn), ratio(tp, tp + fp)))
	print('fields: ' + ' '.join('%s %d/%d' % (f, perf[f, True], perf[f, True] + perf[f, False])
		for f in FIELDS))
	tp = len(pairs)
	rec, prec, facc = ratio(tp, tp + len(fns)), ratio(tp, tp + len(fps)), ratio(fok, ftot)
	print('total TP %d FN %d FP %d' % (tp, len(fns), len(fps)))
	print('recall %.3f precision %.3f field-accuracy %.3f' % (rec, prec, facc))
	if a.json:
		with open(a.json, 'w') as fh:
			json.dump({'recall': rec, 'precision': prec, 'field_accuracy': facc,
				'tp': tp, 'fn': len(fns), 'fp': len(fps)}, fh)
	low = ((a.min_recall is not None and rec < a.min_recall) or
		(a.min_precision is not None and prec < a.min_precision) or
		(a.min_field_accuracy is not None and facc < a.min_field_accuracy))
	return 1 if low else 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
