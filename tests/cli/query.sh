#!/usr/bin/env bash
# aiosift query: every question, filter and format on the logs of
# tests/fixtures/query ingested by the binary (14 findings, 13 incidents,
# 3 sources, one without timestamps); the machine formats are read back
# with python3's json and csv modules.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

db=$T/q.db
qdb "$db" || { fail setup "cannot ingest the fixture logs"; exit 1; }

# rows FORMAT: how many rows python3 reads from $out in that format.
rows() {
	python3 - "$1" "$out" <<'EOF'
import csv, json, sys
fmt, path = sys.argv[1], sys.argv[2]
data = open(path, encoding='utf-8', newline='').read()
if fmt == 'json':
    v = json.loads(data); assert isinstance(v, list); print(len(v))
elif fmt == 'ndjson':
    n = 0
    for ln in data.split('\n'):
        if ln:
            assert isinstance(json.loads(ln), dict); n += 1
    assert data == '' or data.endswith('\n')
    print(n)
else:
    import io
    r = list(csv.reader(io.StringIO(data)))
    assert r and len(set(len(x) for x in r)) == 1, 'ragged csv'
    print(len(r) - 1)
EOF
}
# field FORMAT EXPR: a python expression over v (the parsed rows).
field() {
	python3 - "$1" "$out" "$2" <<'EOF' 2>&1
import csv, io, json, sys
fmt, path, expr = sys.argv[1:4]
data = open(path, encoding='utf-8', newline='').read()
if fmt == 'json':
    v = json.loads(data)
elif fmt == 'ndjson':
    v = [json.loads(l) for l in data.split('\n') if l]
else:
    v = list(csv.DictReader(io.StringIO(data)))
print(eval(expr))
EOF
}
# count NAME WANT ARGS...: query findings ARGS as ndjson has WANT rows.
count() {
	local name=$1 want=$2
	shift 2
	run query findings --db "$db" --format ndjson "$@"
	if [ "$st" -ne 0 ]; then
		fail "$name" "exit $st: $(head -c 200 "$err")"; return
	fi
	expect_eq "$name" "$(rows ndjson)" "$want"
}

# --- help and usage
run query --help
expect_status "help exits 0" 0
expect_out "help has examples" "^Examples:"
expect_out "help documents the ndjson keys" "kind, rule, severity, ts"
run help query
expect_out "aiosift help query" "^usage: aiosift query"
run query
expect_status "no question: usage" 2
expect_err "no question: usage line" "^usage: aiosift query"
run query frobnicate --db "$db"
expect_status "unknown question" 2
expect_err "unknown question named" 'unknown question "frobnicate"'
run query findings --db "$db" --since yesterday
expect_status "bad --since" 2
expect_err "bad --since message" '--since: "yesterday": not a time'
run query findings --db "$db" --until 2026-02-30
expect_status "impossible date" 2
run query findings --db "$db" --severity loud
expect_status "bad --severity" 2
run query findings --db "$db" --format xml
expect_status "bad --format" 2
run query findings --db "$db" --limit 0
expect_status "bad --limit" 2
run query findings --db "$db" --since 18:00 --until 17:00
expect_status "until before since" 2
run query findings --db "$db" --bogus
expect_status "unknown option" 2
expect_err "unknown option named" "unknown option --bogus"
run query findings --db "$db" extra
expect_status "extra argument" 2
run query timeline --db "$db"
expect_status "timeline needs --task or --incident" 2
run query sql --db "$db" --kind stall "SELECT 1"
expect_status "sql takes no filters" 2
run query findings --db "$db" --since
expect_status "option without value" 2

# --- database errors
run query findings --db "$T/none.db"
expect_status "missing database: exit 4" 4
expect_err "missing database named" "^aiosift: $T/none.db: No such file or directory"
[ -e "$T/none.db" ] && fail "missing database not created" "it was" ||
	pass "missing database not created"
head -c 5000 /dev/urandom >"$T/junk.db"
run query findings --db "$T/junk.db"
expect_status "corrupt database: exit 4" 4
expect_err "corrupt database named" "^aiosift: $T/junk.db: "
sqlite3 "$T/other.db" "CREATE TABLE t(x)"
run query findings --db "$T/other.db"
expect_status "foreign database: exit 4" 4
expect_err "foreign database message" "not an aiosift database"
AIOSIFT_DB=$db run query findings --format ndjson
expect_status "AIOSIFT_DB is used" 0
expect_eq "AIOSIFT_DB rows" "$(rows ndjson)" 14
(cd "$T" && db_copy q.db aiosift.db && "$AIOSIFT" query findings --format csv \
	>"$out" 2>"$err"); st=$?
expect_eq "./aiosift.db is the default" "$st:$(rows csv)" "0:14"

# --- formats, parsed back
for fmt in json ndjson csv; do
	run query findings --db "$db" --format $fmt
	expect_status "findings $fmt exits 0" 0
	expect_eq "findings $fmt parses, 14 rows" "$(rows $fmt)" 14
done
run query findings --db "$db" --format ndjson
expect_eq "ndjson keys are the fixed schema" "$(field ndjson \
	"sorted(set(tuple(x.keys()) for x in v))")" \
	"[('kind', 'rule', 'severity', 'ts', 'task', 'coro', 'exception', 'location', 'duration_s', 'source', 'line', 'incident', 'message')]"
expect_eq "ndjson ts ISO with microseconds" "$(field ndjson \
	"v[1]['ts']")" "2026-11-24T18:01:24.397000Z"
expect_eq "ndjson null ts" "$(field ndjson "[x['ts'] for x in v if x['coro'] == 'flush']")" "[None]"
expect_eq "ndjson types" "$(field ndjson \
	"[(type(x['line']).__name__, type(x['incident']).__name__) for x in v][1]")" \
	"('int', 'int')"
expect_eq "ndjson duration_s numbers" "$(field ndjson \
	"[x['duration_s'] for x in v if x['kind'] == 'stall']")" "[4.25, 32.0]"
expect_eq "ndjson source is the path" "$(field ndjson "v[1]['source']")" \
	"$FIXTURES/query/app.log"
expect_eq "ndjson hostile task intact" "$(field ndjson \
	"[x['task'] for x in v if x['coro'] == 'Evil.run'][0].endswith('http://evil <script>alert(1)</script>')")" True
run query findings --db "$db" --format csv
expect_eq "csv header" "$(head -1 "$out" | tr -d '\r')" \
	'"kind","rule","severity","ts","task","coro","exception","location","duration_s","source","line","incident","message"'
expect_eq "csv formula guarded" "$(field csv \
	"[x['task'] for x in v if x['coro'] == 'Sheet.calc']")" "[\"'=1+2@evil\"]"
expect_eq "csv null is empty" "$(field csv "v[0]['ts']")" ""
if grep -q $'\r$' "$out"; then pass "csv lines end in CRLF"; else
	fail "csv lines end in CRLF" "no CR"; fi

# --- every filter alone
count "all" 14
count "--kind one" 5 --kind never_retrieved
count "--kind list" 3 --kind stall,nested_run
run query findings --db "$db" --kind never_awaitd
expect_status "--kind a typo: usage error" 2
expect_err "--kind a typo: the kinds listed" 'unknown kind "never_awaitd"; kinds are never_awaited, never_retrieved, '
# a kind only a user's rules gave is valid once stored
db_copy "$db" "$T/ukind.db"
sqlite3 "$T/ukind.db" "UPDATE findings SET kind = 'pool_exhausted' WHERE id = (SELECT min(id) FROM findings)"
run query findings --db "$T/ukind.db" --kind pool_exhausted --format ndjson
expect_eq "--kind stored by a user's rule" "$st:$(rows ndjson)" "0:1"
run query findings --db "$T/ukind.db" --kind nope
expect_err "--kind unknown: the stored kinds listed too" 'and stored: pool_exhausted'
run query findings --db "$db" --severity bad
expect_err "--severity unknown: the values listed" 'info, warning, error or critical'
expect_status "--severity unknown: usage error" 2
run query findings --db "$db" --format xml
expect_err "--format unknown: the values listed" 'table, json, ndjson or csv'
expect_status "--format unknown: usage error" 2
count "--severity error" 8 --severity error
count "--severity warn" 14 --severity warn
count "--severity critical" 0 --severity CRITICAL
count "--task exact" 2 --task Task-9
count "--task glob" 1 --task 'Task-1*'
count "--task injection is a value" 0 --task "x' OR '1'='1"
count "--coro" 2 --coro main
count "--coro glob" 2 --coro '*.send_metrics'
count "--exception" 3 --exception KeyError
count "--source tail" 3 --source worker.log
count "--source full path" 10 --source "$FIXTURES/query/app.log"
count "--source glob" 13 --source '*.log'
count "--source no partial name" 0 --source orker.log
count "--incident" 2 --incident 8
# the finding with no time (batch.err) counts by when it was stored: now
count "--since absolute" 9 --since "2026-11-24 18:05:00"
count "--since iso z" 9 --since 2026-11-24T18:05:00Z
count "--since with offset" 9 --since "2026-11-24T23:35:00+05:30"
count "--until absolute" 1 --until "2026-11-24T18:02:00Z"
count "--since and --until" 2 --since "2026-11-24 18:02" --until "2026-11-24 18:04"
count "--limit" 2 --limit 2
run query findings --db "$db" --format ndjson --limit 2
expect_eq "--limit keeps the most recent, oldest first" "$(field ndjson \
	"[x['ts'][11:19] for x in v]")" "['18:07:31', '18:08:00']"

# --- combined
count "kind + since + source" 3 --kind never_retrieved \
	--since "2026-11-24 18:03" --source app.log
count "severity + exception + coro" 1 --severity error --exception KeyError \
	--coro Consumer.handle
count "task + kind + limit" 1 --task Task-9 --kind never_retrieved --limit 1
count "everything at once" 1 --since 2026-11-24T18:00:00Z \
	--until 2026-11-24T18:10:00Z --kind never_retrieved,stall \
	--severity error --task 'Task-*' --coro 'WebWorkerPool.*' \
	--exception ConnectionRefusedError --source app.log --incident 1 \
	--limit 1

# --- relative times (the fixture is at 2026-11-24 18:00-18:08 UTC)
age=$(python3 -c "import time,calendar; print(int(time.time()) - calendar.timegm((2026,11,24,18,4,30,0,0,0)))")
if [ "$age" -gt 0 ]; then
	count "--since Ns relative" 9 --since "${age}s"
	count "--since Nm relative" 9 --since "$(python3 -c "print('%.4fm' % ($age / 60))")"
	count "--since 1h: only the one stored now with no time" 1 --since 1h
	count "--until 1h: all with a time" 13 --until 1h
	count "--since in days" 14 --since "$(( age / 86400 + 2 ))d"
else
	fail "relative times" "the clock is before the fixture"
fi

# --- the other questions
run query incidents --db "$db" --format json
expect_eq "incidents" "$st:$(rows json)" "0:13"
run query incidents --db "$db" --format json --kind never_awaited
expect_eq "incidents --kind matches a list" "$(field json "[x['id'] for x in v]")" "[13, 2, 8]"
run query incidents --db "$db" --format json --exception KeyError
expect_eq "incidents --exception" "$(field json "[x['id'] for x in v]")" "[4, 12, 11]"
run query incidents --db "$db" --format json --source worker.log
expect_eq "incidents --source" "$(field json "[x['id'] for x in v]")" "[4, 6, 7]"
run query incidents --db "$db" --format json --since 2026-11-24T18:07:30Z --until 2026-11-25T00:00:00Z
expect_eq "incidents overlapping the period" "$(field json "[x['id'] for x in v]")" "[11, 10, 9]"
run query incidents --db "$db" --format json --since 1h
expect_eq "incidents with no time: by when stored" "$(field json "[(x['first'], x['kinds']) for x in v]")" \
	"[(None, 'never_awaited')]"
run query stalls --db "$db" --format csv
expect_eq "stalls" "$(field csv "[(x['task'], x['duration_s']) for x in v]")" \
	"[('Task-3', '4.25'), ('', '32.0')]"
# --sort: the longest stall with --limit 1; tasks by count, time, name
run query stalls --db "$db" --format json --sort duration --limit 1
expect_eq "stalls --sort duration --limit 1: the longest" \
	"$(field json "[x['duration_s'] for x in v]")" "[32.0]"
run query stalls --db "$db" --format json --sort duration
expect_eq "stalls --sort duration: longest first" "$(field json "[x['duration_s'] for x in v]")" "[32.0, 4.25]"
run query stalls --db "$db" --format json
expect_eq "stalls: oldest first" "$(field json "[x['duration_s'] for x in v]")" "[4.25, 32.0]"
run query findings --db "$db" --format json --sort severity --limit 3
expect_eq "findings --sort severity" "$(field json "sorted(set(x['severity'] for x in v))")" "['error']"
run query incidents --db "$db" --format json --sort count --limit 1
expect_eq "incidents --sort count" "$(field json "[x['count'] for x in v]")" \
	"[$(sql "$db" "SELECT max(count) FROM incidents")]"
run query tasks --db "$db" --format json --sort name
expect_eq "tasks --sort name" "$(field json "[x['task'] for x in v] == sorted(x['task'] for x in v)")" True
run query stalls --db "$db" --sort length
expect_status "--sort unknown: usage error" 2
expect_err "--sort unknown: the keys listed" 'use time, duration or severity'
run query top --db "$db" --sort count
expect_status "--sort on top: usage error" 2
# tasks are keyed by stream, pid and name: Task-2 of two runs is two rows
"$AIOSIFT" ingest --db "$T/restarts.db" --tz UTC -q "$FIXTURES/restarts/restarts.log" >/dev/null 2>&1
run query tasks --db "$T/restarts.db" --format json
expect_eq "tasks: one name, two processes, two rows" \
	"$(field json "sorted((x['task'], x['findings'], x['source'].endswith('restarts.log')) for x in v)")" \
	"[('Task-2', 1, True), ('Task-2', 1, True)]"
expect_eq "tasks: the two pids" "$(field json "len(set(x['pid'] for x in v))")" 2
run query tasks --db "$db" --format json
expect_eq "tasks" "$(field json "[(x['task'], x['findings'], x['kinds']) for x in v][0]")" \
	"('Task-9', 2, 'never_retrieved:2')"
expect_eq "tasks first and last" "$(field json "[(x['first'], x['last']) for x in v if x['task'] == 'Task-9']")" \
	"[('2026-11-24T18:01:24.397000Z', '2026-11-24T18:08:00.000000Z')]"
run query top --db "$db" --format json
expect_eq "top lists four things" "$(field json "sorted(set(x['by'] for x in v))")" \
	"['coro', 'exception', 'kind', 'location']"
expect_eq "top kind first" "$(field json "[(x['value'], x['count']) for x in v if x['by'] == 'kind'][0]")" \
	"('never_retrieved', 5)"
run query top --db "$db" --format json --by coro --limit 2
expect_eq "top --by coro --limit" "$(field json "[(x['value'], x['count']) for x in v]")" \
	"[('WebWorkerPool.send_metrics', 2), ('main', 2)]"
run query top --db "$db" --by nothing
expect_status "top --by unknown" 2
run query timeline --db "$db" --task Task-9 --format json
expect_eq "timeline --task" "$(field json "[(x['what'], x['line']) for x in v]")" \
	"[('record', 169), ('finding', 169), ('record', 976), ('finding', 976)]"
expect_eq "timeline records whole" "$(field json "v[0]['text'].count(chr(10))")" 5
run query timeline --db "$db" --incident 3 --format ndjson
expect_eq "timeline --incident" "$(rows ndjson)" 2
run query timeline --db "$db" --task Task-9 --since 2026-11-24T18:05:00Z --format json
expect_eq "timeline narrowed by --since" "$(rows json)" 2

# --- terminal safety, width and colour (record text keeps the raw bytes)
run query timeline --db "$db" --incident 11
expect_status "table exits 0" 0
if grep -q $'[\x1b\x07\r]' "$out"; then
	fail "table escapes control characters" "raw ESC/BEL/CR in output"
else pass "table escapes control characters"; fi
expect_out "table shows the escape visibly" '\\e\]8;;http://evil\\x07'
run query timeline --db "$db" --incident 11 --format ndjson
expect_eq "ndjson keeps the record's bytes, escaped" "$(field ndjson \
	"chr(27) + ']8;;http://evil' + chr(7) in v[0]['text']")" True
if grep -q $'[\x1b\x07]' "$out"; then fail "ndjson has no raw control bytes" "raw"
else pass "ndjson has no raw control bytes"; fi
run query findings --db "$db" --color always
expect_out "--color always colours severities" $'\x1b\\[31merror'
run query timeline --db "$db" --incident 11 --color always
if grep -q $'\x1b\\]8' "$out"; then fail "colour keeps escaping" "raw OSC 8"
else pass "colour keeps escaping"; fi
run query findings --db "$db" --color never
if grep -q $'\x1b' "$out"; then fail "--color never" "ESC in output"
else pass "--color never"; fi
COLUMNS=80 run query findings --db "$db"
expect_eq "table fits COLUMNS" "$(python3 -c "
import sys
print(max(len(l) for l in open(sys.argv[1], encoding='utf-8').read().split('\n')))" "$out")" \
	"$(python3 -c "
import sys
print(min(80, max(len(l) for l in open(sys.argv[1], encoding='utf-8').read().split('\n'))))" "$out")"
expect_out "table cuts long cells with an ellipsis" '…$'
# on a terminal: colour unless NO_COLOR, width from the terminal
tty_run() {
	python3 - "$AIOSIFT" "$@" <<'EOF'
import fcntl, os, pty, struct, subprocess, sys, termios
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
env = dict(os.environ); env.pop('COLUMNS', None)
if os.environ.get('TTY_NO_COLOR') is None:
    env.pop('NO_COLOR', None)
env['TERM'] = 'xterm'
p = subprocess.Popen(sys.argv[1:], stdout=s, stderr=s, env=env)
os.close(s)
out = b''
while True:
    try:
        b = os.read(m, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
p.wait()
sys.stdout.buffer.write(out)
EOF
}
tty_run query findings --db "$db" >"$out"
if grep -q $'\x1b\\[31merror' "$out"; then pass "tty: colour"; else
	fail "tty: colour" "no colour on a terminal"; fi
expect_eq "tty: sized to the terminal" "$(python3 -c "
import re, sys
t = re.sub(r'\x1b\[[0-9;]*m', '', open(sys.argv[1], encoding='utf-8').read())
print(max(len(l.rstrip('\r')) for l in t.split('\n')))" "$out")" 100
TTY_NO_COLOR=1 NO_COLOR=1 tty_run query findings --db "$db" >"$out"
if grep -q $'\x1b\\[3' "$out"; then fail "tty: NO_COLOR" "colour"; else
	pass "tty: NO_COLOR"; fi

# --- sql: read-only
run query sql --db "$db" --format json "SELECT kind, count(*) AS n FROM findings GROUP BY kind ORDER BY n DESC, kind LIMIT 1"
expect_eq "sql select" "$st:$(field json "v")" "0:[{'kind': 'never_retrieved', 'n': 5}]"
run query sql --db "$db" --format csv "SELECT * FROM findings_v"
expect_eq "sql on a view, csv" "$(rows csv)" 14
echo "SELECT count(*) AS n FROM records" >"$T/q.sql"
"$AIOSIFT" query sql --db "$db" --format json - <"$T/q.sql" >"$out" 2>"$err"; st=$?
expect_eq "sql from stdin" "$st:$(field json "v[0]['n']")" "0:$(sql "$db" "SELECT count(*) FROM records")"
run query sql --db "$db" "SELECT name FROM pragma_table_info('findings') LIMIT 1"
expect_status "sql table-valued pragma" 0
run query sql --db "$db" "PRAGMA table_info(incidents)"
expect_status "sql informational pragma" 0
before=$(sha1sum <"$db")
refuse() {
	local name=$1
	shift
	run query sql --db "$db" "$@"
	if [ "$st" -eq 2 ] && grep -q "^aiosift: query sql: not allowed: the database is read-only here$" "$err"; then
		pass "sql refuses $name"
	else
		fail "sql refuses $name" "exit $st: $(head -c 200 "$err")"
	fi
}
refuse INSERT "INSERT INTO meta (key, value) VALUES ('x', 1)"
refuse UPDATE "UPDATE findings SET kind = 'x'"
refuse DELETE "DELETE FROM findings"
refuse DROP "DROP TABLE findings"
refuse CREATE "CREATE TABLE x (y)"
refuse "CREATE TEMP" "CREATE TEMP TABLE x (y)"
refuse ALTER "ALTER TABLE findings ADD COLUMN z"
refuse ATTACH "ATTACH DATABASE '$T/evil.db' AS evil"
refuse DETACH "DETACH DATABASE main"
refuse "PRAGMA writable_schema=1" "PRAGMA writable_schema=1"
refuse "PRAGMA query_only=0" "PRAGMA query_only = 0"
refuse "PRAGMA journal_mode=delete" "PRAGMA journal_mode = DELETE"
refuse load_extension "SELECT load_extension('$T/evil.so')"
refuse "VACUUM INTO" "VACUUM INTO '$T/copy.db'"
refuse "REPLACE" "REPLACE INTO meta VALUES ('a', 'b')"
refuse "write in a CTE" "WITH x AS (SELECT 1) INSERT INTO meta SELECT 'k', 1 FROM x"
refuse BEGIN "BEGIN IMMEDIATE"
expect_eq "sql left the file unchanged" "$(sha1sum <"$db")" "$before"
[ ! -e "$T/evil.db" ] && [ ! -e "$T/copy.db" ] && pass "sql created no file" ||
	fail "sql created no file" "ATTACH or VACUUM INTO wrote"
run query sql --db "$db" "SELECT 1; DELETE FROM findings"
expect_status "sql one statement at a time" 2
run query sql --db "$db" "SELEC 1"
expect_status "sql syntax error" 2
expect_err "sql syntax error message" 'query sql: near "SELEC": syntax error'
run query sql --db "$db" "SELECT count(*) FROM findings"
expect_eq "sql still counts after all that" "$(tail -1 "$out")" 14

# --- a bigger database: answers right, from its indexes (timings are
# printed as figures, never judged here: make bench measures speed)
big=$T/big.db
db_copy "$db" "$big"
sqlite3 "$big" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO findings (source_id, ts_us, kind, rule, severity, task, coro, message)
SELECT 1 + i % 2, 1700000000000000 + i * 1000000, 'stall', 'r', 2, 'Task-' || (i % 500), 'c' || (i % 50), 'm' FROM n;"
start=$(date +%s%N)
run query findings --db "$big" --format ndjson --since 2026-11-24T18:05:00Z
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "big: --since answers" "$st:$(rows ndjson)" "0:9"
echo "# big: --since answered in ${ms} ms (a figure; speed is make bench's)"
start=$(date +%s%N)
run query findings --db "$big" --format ndjson --limit 10
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "big: --limit answers" "$st:$(rows ndjson)" "0:10"
echo "# big: --limit answered in ${ms} ms"
expect_eq "big: the findings index serves --since" \
	"$(sqlite3 "$big" "EXPLAIN QUERY PLAN SELECT id FROM findings WHERE ts_us >= 1" | grep -cE 'USING (COVERING )?INDEX findings_ts')" 1

# --- the man page renders and documents every option the commands take
if command -v groff >/dev/null; then
	warn=$(groff -man -Tutf8 -ww -z "$TOP/aiosift.1" 2>&1)
	expect_eq "man page renders without warnings" "$warn" ""
else
	fail "man page renders without warnings" "groff is not installed (make deps)"
fi
for c in query report postmortem; do
	missing=""
	for opt in $("$AIOSIFT" $c --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$TOP/aiosift.1" ||
			missing="$missing $opt"
	done
	expect_eq "man page has every $c option" "$missing" ""
done
