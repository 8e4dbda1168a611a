#!/usr/bin/env python3
"""Sanity check of one generated fixture folder, run by make_fixtures.sh
after each scenario: the truth in expected.json was recorded by the
program; this reads the log back only to catch a generator mistake (a
failure Python did not print, one printed outside its time window, an
unplanned gap in the heartbeat cadence, a file over the size budget).

usage: check.py DIR      exit 0 when consistent, 1 with reasons otherwise
"""
import datetime
import gzip
import json
import os
import re
import sys

MAX_FILE = 100 * 1024
SLACK = 0.003		# millisecond truncation of logged times
GAP = 0.4		# a gap longer than this must be a planned stall

HEADERS = {
	'default': re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) '),
	'cookbook': re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) - '),
	'taskname': re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) '),
	'bracket_level': re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) '),
	'pid_thread': re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) \['),
	'iso_tz': re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) '),
	'iso_tz_brackets': re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) '),
}

SIGNATURES = {
	'never_awaited': re.compile(r"RuntimeWarning: coroutine '[^']+' was never awaited$"),
	'never_retrieved': re.compile(r'exception was never retrieved$'),
	'task_destroyed_pending': re.compile(r'Task was destroyed but it is pending!$'),
	'callback_exception': re.compile(r'''^[^'"]*Exception in callback '''),
	'nested_run': re.compile(r'^RuntimeError: (asyncio\.run\(\) cannot be called from a running '
		r'event loop|This event loop is already running|Cannot run the event loop while another '
		r'loop is running)$'),
	'loop_closed': re.compile(r'^RuntimeError: Event loop is closed$'),
	'different_loop': re.compile(r'^RuntimeError: .*(attached to a different loop|is bound to a '
		r'different event loop)$'),
	'await_non_awaitable': re.compile(r"^TypeError: object .* can't be used in 'await' expression$"),
	'stall': re.compile(r'Executing <.*> took [0-9.]+ seconds$'),
}


CRI = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z (stdout|stderr) ([PF]) ')


def parse_iso(s):
	return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()


def parse_cri(m):
	t = datetime.datetime.fromisoformat(m.group(1) + '+00:00').timestamp()
	return t + float('0' + (m.group(2) or '.0'))


def read(path):
	with open(path, 'rb') as fh:
		data = fh.read()
	if path.endswith('.gz'):
		data = gzip.decompress(data)
	return data.decode('utf-8', 'replace')


def sets(files):
	"""The rotation sets of a newest-first file list, each oldest first."""
	out = {}
	for n in files:
		out.setdefault(n[:n.index('.log') + 4], []).append(n)
	return [list(reversed(v)) for _, v in sorted(out.items())]


def records(d, exp, files):
	"""(ts or None, [lines], header_is_log) for every record of FILES
	(oldest first)."""
	fmt = exp['format']
	tz = datetime.timezone(datetime.timedelta(hours=int(exp['utc_offset'][:3]),
		minutes=int(exp['utc_offset'][0] + exp['utc_offset'][3:])))
	hdr = HEADERS.get(fmt)
	out = []
	for name in files:
		text = read(os.path.join(d, name))
		for line in text.split('\n'):
			if line == '' and not out:
				continue
			if fmt == 'jsonl':
				if not line.strip():
					continue
				try:
					o = json.loads(line)
				except ValueError:
					out.append((None, [line], False))
					continue
				lines = o['msg'].split('\n')
				if o.get('exc_info'):
					lines += o['exc_info'].split('\n')
				out.append((parse_iso(o['ts']), lines, True))
				continue
			if fmt == 'cri':
				c = CRI.match(line)
				if c is None:
					out.append((None, [line], False))
					continue
				inner = line[c.end():]
				if HEADERS['default'].match(inner):
					out.append((parse_cri(c), [inner], True))
				elif out:
					out[-1][1].append(inner)
				continue
			m = hdr.match(line) if hdr else None
			if m:
				if fmt.startswith('iso'):
					ts = parse_iso(m.group(1))
				else:
					ts = datetime.datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S').replace(
						tzinfo=tz).timestamp() + int(m.group(2)) / 1000.0
				out.append((ts, [line[m.end():] if False else line], True))
			elif out:
				out[-1][1].append(line)
			else:
				out.append((None, [line], False))
	return out


def check(d):
	problems = []
	exp = json.load(open(os.path.join(d, 'expected.json')))
	if exp.get('unstable'):
		problems.append('run marked unstable: %s' % exp['unstable'])
	present = sorted(n for n in os.listdir(d) if '.log' in n)
	if sorted(exp['files']) != present:
		problems.append('files %s != listed %s' % (present, exp['files']))
		return problems
	for n in present:
		size = len(read(os.path.join(d, n)).encode())
		if size > MAX_FILE:
			problems.append('%s is %d bytes' % (n, size))
	per_set = [records(d, exp, fs) for fs in sets(exp['files'])]
	recs = [r for rs in per_set for r in rs]
	timed = exp['format'] in HEADERS or exp['format'] in ('jsonl', 'cri')
	events = {k: [] for k in SIGNATURES}
	for ts, lines, _ in recs:
		for i, line in enumerate(lines):
			body = line
			if i == 0 and exp['format'] in HEADERS or exp['format'] == 'cri':
				m = HEADERS[exp['format'] if exp['format'] != 'cri' else 'default'].match(line)
				body = line[m.end():] if m else line
			for kind, rx in SIGNATURES.items():
				if kind in ('nested_run', 'loop_closed', 'different_loop', 'await_non_awaitable'):
					hit = rx.search(body.lstrip(' |'))
				else:
					hit = rx.search(body)
				if hit:
					# a bare stderr warning inside a logging stream takes the
					# previous record's time: no window check for it
					bare = i > 0 and kind == 'never_awaited'
					events[kind].append(None if (bare or not timed) else ts)
	want = {k: [] for k in SIGNATURES}
	for f in exp['findings']:
		if f['kind'] not in want:
			problems.append('%s: a kind check.py does not know' % f['kind'])
			continue
		want[f['kind']].append(f)
	for kind in SIGNATURES:
		w = want[kind]
		e = events[kind]
		if kind == 'stall':
			if exp.get('asyncio_debug'):
				if len(e) != len(w):
					problems.append('stall: %d "Executing" lines, %d stalls expected' % (len(e), len(w)))
			elif e:
				problems.append('stall: "Executing" lines without debug mode')
			continue
		if len(e) != len(w):
			problems.append('%s: %d in the log, %d expected' % (kind, len(e), len(w)))
			continue
		free = list(w)
		for ts in e:
			if ts is None:
				continue
			hit = None
			for f in free:
				if parse_iso(f['ts_min']) - SLACK <= ts <= parse_iso(f['ts_max']) + SLACK:
					hit = f
					break
			if hit is None:
				problems.append('%s at %s is in no expected window' % (kind,
					datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat()))
			else:
				free.remove(hit)
	if timed:
		stalls = [(parse_iso(f['ts_min']) - SLACK, parse_iso(f['ts_max']) + SLACK)
			for f in exp['findings'] if f['kind'] == 'stall']
		gap = max(GAP, 1.5 * exp.get('cadence_s', 0))
		for rs, fs in zip(per_set, sets(exp['files'])):
			prev = None
			g = max(gap, 1.5 * exp.get('cadences', {}).get(fs[-1], 0))
			for ts, _, _ in rs:
				if ts is None:
					continue
				if prev is not None and ts - prev > g:
					if not any(a <= prev + 0.05 and ts - 0.05 <= b for a, b in stalls):
						problems.append('%s: unplanned gap of %.3f s after %s' % (fs[-1], ts - prev,
							datetime.datetime.fromtimestamp(prev, datetime.timezone.utc).isoformat()))
				prev = ts
		for a, b in stalls:
			if not any(a - 0.05 <= t <= a + 0.05 for t, _, _ in recs if t is not None):
				problems.append('stall at %.3f: no record just before it' % a)
	return problems


def main(argv):
	bad = 0
	for d in argv:
		p = check(d)
		for x in p:
			print('%s: %s' % (d, x))
		bad += bool(p)
	return 1 if bad else 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
