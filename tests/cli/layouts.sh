#!/usr/bin/env bash
# Layouts and files: a directory ingest reads every text log and names
# what it leaves out; each layout fixture (tests/fixtures/layouts, real
# output of the program that writes the layout, tests/gen/layouts.py)
# splits into the records and fields its table (layouts.tsv) says.
. "$(dirname "$0")/lib.sh"

# --- files: what a directory walk reads and what it leaves out ---
d=$T/dir; mkdir -p "$d/sub" "$d/.cache"
printf 'Traceback (most recent call last):\n  File "/a.py", line 1, in f\nValueError: x\n' >"$d/worker.stderr"
printf 'ERROR:asyncio:Task exception was never retrieved\n' >"$d/nohup.out"
printf 'INFO:app:started\n' >"$d/sub/job.err"
printf '2026-11-24 18:01:22,001 INFO app: up\n' >"$d/worker-3"
printf 'import asyncio\n' >"$d/main.py"
printf 'just words\n' >"$d/README"
printf 'x\0y\n' >"$d/core"
printf '{"a": 1}\n' >"$d/state.json"
run ingest --db "$T/files.db" "$d"
expect_status "dir: exit 0" 0
expect_out "dir: 4 files read (.stderr, nohup.out, .err, a log without a log's name)" '^ingested 4 files'
expect_eq "dir: the .stderr file is a source" \
    "$(sql "$T/files.db" "SELECT count(*) FROM sources WHERE path LIKE '%worker.stderr'")" 1
expect_err "dir: one note names what was left out" '5 files in the directories given were not read as logs \(.*--verbose names each'
run ingest -v --db "$T/files2.db" "$d"
expect_err "dir -v: a .py file named, with why" 'main\.py: a source, config or data file \(by its name\), skipped'
expect_err "dir -v: binary named" 'core: binary \(NUL bytes in its first 4 KiB\), skipped'
expect_err "dir -v: text without log lines named" 'README: no log lines in its first 4 KiB, skipped'
expect_err "dir -v: JSON document named" 'state\.json: a database or JSON document, not a log, skipped'
expect_err "dir -v: hidden named" '\.cache: hidden, skipped'
run ingest -q --db "$T/files3.db" "$d"
expect_eq "dir -q: no notes" "$(cat "$err")" ""

# --- a user header regex: merged records get a note; backtracking is capped ---
wp=$FIXTURES/asyncio/web_pool-py3.12.1/app.log.3.gz
run ingest --db "$T/re1.db" --header-regex '^(?<ts>\S+ \S+) INFO (?<logger>\S+): ' "$wp"
expect_status "regex: exit 0" 0
expect_err "regex leaving DEBUG lines as continuations: a note" 'app\.log\.3\.gz: the header regex left [0-9]+ of the first [0-9]+ lines as continuations where the detected layout \(python\) starts a record'
run ingest --db "$T/re2.db" --tz UTC --header-regex '^(?<ts>\S+ \S+) (?<level>[A-Z]+) (?<logger>\S+): ' "$wp"
expect_eq "regex matching every header: no note" "$(cat "$err")" ""
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\nok\n' >"$T/bt.log"
run ingest --db "$T/re3.db" --header-regex '^(a|a)+$' "$T/bt.log"
expect_status "catastrophic regex: exit 0" 0
expect_err "catastrophic regex: capped, with a note" 'bt\.log: the header regex gave up on 1 line \(its match limit'

# --- CRI: a "P" partial line and its "F" rest are one line ---
k8=$FIXTURES/asyncio/k8s_worker-py3.12.1/app.log.20261129-230719.gz
run ingest -q --keep all --db "$T/cri.db" "$k8"
expect_eq "CRI partial: joined to its rest, no line end between" \
    "$(sql "$T/cri.db" "SELECT nlines, instr(message, char(10)), message LIKE 'config dump: {%}'
    FROM records WHERE text LIKE '%stdout P %'")" "2|0|1"

# --- a console hard-wrapped at 80 columns (tests/gen/hardwrap.py) ---
wrapped() {	# wrapped FILE: "line:nlines ..." of its records
	"$AIOSIFT" ingest -q --keep all --db "$T/wrap-$1.db" "$FIXTURES/wrap/$1.log" >"$out" 2>"$err"
	sql "$T/wrap-$1.db" "SELECT group_concat(line || ':' || nlines, ' ') FROM (SELECT line, nlines FROM records ORDER BY line)"
}
expect_eq "wrap 80: a warning's wrapped rest stays in its record; a print after an 80-wide record or rule does not" \
    "$(wrapped wrapped80)" "1:1 2:1 3:1 4:3 7:1 8:1 9:1 10:1"
expect_eq "wrap: not wrapped (a wider line), an 80-wide print and the print after it are two records" \
    "$(wrapped plain)" "1:1 2:1 3:1 4:2 6:1 7:1 8:1 9:1 10:1 11:1"

# --- layouts: each fixture against the truth its program captured ---
check() {	# check NAME: records, times, fields and findings of one fixture
	local name=$1 db=$T/lay-$1.db
	"$AIOSIFT" ingest -q --keep all --tz UTC --db "$db" "$FIXTURES/layouts/$name.log" >"$out" 2>"$err"
	st=$?
	if [ "$st" -ne 0 ]; then fail "$name: ingest" "exit $st: $(head -c 300 "$err")"; return; fi
	sqlite3 -json "$db" "SELECT line, nlines, ts_us, level, logger, pid, thread, task FROM records ORDER BY line" >"$T/rec.json"
	"$AIOSIFT" query findings --db "$db" --format ndjson >"$T/find.nd"
	python3 - "$name" "$FIXTURES/layouts/$name.expect.json" "$T/rec.json" "$T/find.nd" <<'PY'
import json, math, sys
name, exp, recs, finds = sys.argv[1:]
e = json.load(open(exp)); shows = e['shows']
r = json.load(open(recs)) if open(recs).read().strip() else []
f = [json.loads(l) for l in open(finds) if l.strip()]
def out(ok, what, why=''):
	print(('PASS %s: %s' % (name, what)) if ok else ('FAIL %s: %s: %s' % (name, what, why)))
truth = e['records']
out(len(r) == len(truth), 'record boundaries (%d records)' % len(truth),
    'got %d records starting at lines %s' % (len(r), [x['line'] for x in r][:12]))
n = min(len(r), len(truth))
bad = []
for i in range(n):
	t, g = truth[i], r[i]
	if 'ts_ms' in shows and (g['ts_us'] is None or abs(g['ts_us'] / 1000 - math.floor(t['ts'] * 1000)) > 1.5):
		bad.append('line %d ts %s want %.3f' % (g['line'], g['ts_us'], t['ts']))
	if 'ts_s' in shows and (g['ts_us'] is None or abs(g['ts_us'] / 1e6 - math.floor(t['ts'])) > 0.001):
		bad.append('line %d ts %s want %d' % (g['line'], g['ts_us'], t['ts']))
if 'ts_ms' in shows or 'ts_s' in shows:
	out(not bad and n > 0, 'times', '; '.join(bad[:3]))
bad = []
for i in range(n):
	t, g = truth[i], r[i]
	for k in ("level", "logger", "pid", "thread", "task", "procname"):
		if k not in shows:
			continue
		want, got = t.get(k), g['thread' if k == 'procname' else k]
		if k == 'level':
			want, got = str(want).upper(), str(got or '').upper()
		if k == 'task' and want in (None, 'None'):
			want = None
		if got == '':
			got = None
		if want != got:
			bad.append('line %d %s %r want %r' % (g['line'], k, got, want))
out(not bad and n > 0, 'fields (%s)' % ' '.join(k for k in shows if not k.startswith('ts')), '; '.join(bad[:3]))
for want in e['findings']:
	hit = [x for x in f if x['kind'] == want['kind'] and all(
		(x.get(k) or '').split('.')[-1] == v for k, v in want.items() if k != 'kind')]
	out(bool(hit), 'finding %s' % want['kind'],
	    'findings: %s' % [(x['kind'], x.get('task'), x.get('coro'), x.get('exception')) for x in f])
PY
}
for x in "$FIXTURES"/layouts/*.expect.json; do
	[ -f "$x" ] || { fail layouts "no fixtures in $FIXTURES/layouts"; break; }
	n=${x##*/}; check "${n%.expect.json}"
done
