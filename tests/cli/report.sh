#!/usr/bin/env bash
# aiosift report: periods, the previous period, new signatures, every
# format read back, --fail-on exit statuses, --quiet, --out, the
# remembered end of the last report, and log text that tries to inject
# terminal escapes or HTML. The fixture logs (tests/fixtures/query, made
# by tests/gen/query_fixture.py) are ingested by the binary; their
# findings are at 2026-11-24 18:01-18:08 UTC, one has no time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

db=$T/r.db
qdb "$db" || { fail setup "cannot ingest the fixture logs"; exit 1; }
P1="--since 2026-11-24T18:05:00Z --until 2026-11-24T18:10:00Z"
EARLY="--since 2026-11-24T18:00:00Z --until 2026-11-24T18:02:00Z"
EMPTY="--since 2026-11-23T00:00:00Z --until 2026-11-23T01:00:00Z"
WARN="--since 2026-11-24T18:02:00Z --until 2026-11-24T18:03:00Z"

# js EXPR: a python expression over v, the JSON report in $out.
js() { python3 -c "import json,sys; v=json.load(open(sys.argv[1])); print($1)" "$out" 2>&1; }

# --- help and usage
run report --help
expect_status "help exits 0" 0
expect_out "help has examples" "^Examples:"
run report --format pdf --db "$db"
expect_status "bad --format" 2
expect_err "usage line" "^usage: aiosift report"
run report --fail-on sometimes --db "$db"
expect_status "bad --fail-on" 2
run report --since nope --db "$db"
expect_status "bad --since" 2
expect_err "bad --since named" '--since: "nope": not a time'
run report --db "$db" stray
expect_status "stray argument" 2
run report --db "$db" --since 2026-11-24T18:00:00Z --until 2026-11-24T17:00:00Z
expect_status "until before since" 2
run report --db "$T/missing.db"
expect_status "missing database: exit 4" 4
expect_err "missing database named" "^aiosift: $T/missing.db: No such file"
[ ! -e "$T/missing.db" ] && pass "missing database not created" ||
	fail "missing database not created" "it was"

# --- the period and the one before
run report --db "$db" $P1 --format json
expect_status "json exits 0" 0
expect_eq "json: period" "$(js "(v['since'], v['until'], v['previous_since'])")" \
	"('2026-11-24T18:05:00.000000Z', '2026-11-24T18:10:00.000000Z', '2026-11-24T18:00:00.000000Z')"
expect_eq "json: findings now and before" "$(js "(v['findings'], v['previous_findings'])")" "(8, 5)"
expect_eq "json: counts per kind" "$(js "sorted((k['kind'], k['count'], k['previous']) for k in v['kinds'])")" \
	"[('callback_exception', 1, 0), ('nested_run', 1, 0), ('never_awaited', 1, 1), ('never_retrieved', 3, 2), ('stall', 0, 2), ('task_destroyed_pending', 1, 0), ('unclosed_resource', 1, 0)]"
expect_eq "json: worst" "$(js "v['worst']")" error
expect_eq "json: new signatures" "$(js "[(g['kind'], g['coro'], g['exception'], g['count']) for g in v['new_signatures']]")" \
	"[('task_destroyed_pending', 'Poller.poll', None, 1), ('unclosed_resource', None, None, 1), ('nested_run', 'main', 'RuntimeError', 1), ('never_awaited', 'main', None, 1), ('callback_exception', None, 'KeyError', 1), ('never_retrieved', 'Evil.run', 'KeyError', 1), ('never_retrieved', 'Sheet.calc', 'ValueError', 1)]"
expect_eq "json: an old signature is not new" "$(js "any(g['coro'] == 'WebWorkerPool.send_metrics' for g in v['new_signatures'])")" False
expect_eq "json: incidents overlapping" "$(js "sorted(i['id'] for i in v['incidents'])")" "[5, 7, 8, 9, 10, 11, 12]"
expect_eq "json: incidents worst first" "$(js "v['incidents'][0]['id']")" 5
expect_eq "json: top tasks" "$(js "[(t['task'][:4], t['count']) for t in v['top_tasks']]")" \
	"[('=1+2', 1), ('T- ]', 1), ('Task', 1), ('Task', 1)]"
run report --db "$db" --since 2026-11-24T18:00:00Z --until 2026-11-24T18:05:00Z --format json
# the likeliest first: the debug-mode "took" names its culprit; the 32 s
# gap has only a steady cadence broken and one logger on both sides
expect_eq "json: longest stalls, the likeliest first" "$(js "[(s['task'], s['duration_s']) for s in v['longest_stalls']]")" \
	"[('Task-3', 4.25), (None, 32.0)]"
expect_eq "json: five minutes by the minute" "$(js "(v['timeline']['bucket_s'], len(v['timeline']['findings']), sum(v['timeline']['findings']), sum(v['timeline']['stalls']))")" \
	"(60, 5, 3, 2)"
run report --db "$db" --since 100y --until 2026-11-25T00:00:00Z --format json
expect_eq "json: a century is cut to the findings" "$(js "(v['findings'], v['timeline']['start'], len(v['timeline']['findings']))")" \
	"(13, '2026-11-24T18:01:00.000000Z', 8)"
run report --db "$db" --since 2026-11-24T00:00:00Z --until 2026-11-25T00:00:00Z --format json
expect_eq "json: a day is 24 hours" "$(js "(v['timeline']['bucket_s'], len(v['timeline']['findings']), v['timeline']['findings'][18], v['timeline']['stalls'][18])")" \
	"(3600, 24, 11, 2)"
run report --db "$db" $EMPTY --format json
expect_eq "json: an empty period" "$st:$(js "(v['findings'], v['worst'], v['kinds'], v['timeline']['findings'])")" \
	"0:(0, None, [], [])"

# --- relative periods (the fixture is in the past)
age=$(python3 -c "import time,calendar; print(int(time.time()) - calendar.timegm((2026,11,24,18,0,0,0,0,0)))")
run report --db "$db" --since "$((age + 60))s" --format json
# 13 with a time, and the one with none (batch.err), stored now
expect_eq "relative --since covering the fixture" "$(js "v['findings']")" 14
run report --db "$db" --since 1h --format json
expect_eq "relative --since 1h: only the one with no time, stored now" \
	"$(js "(v['findings'], v['undated_findings'], [u['kind'] for u in v['undated']])")" \
	"(1, 1, ['never_awaited'])"

# --- --fail-on
run report --db "$db" $P1 --fail-on error
expect_status "--fail-on error with errors: 1" 1
run report --db "$db" $EARLY --fail-on critical
expect_status "--fail-on critical with only an error: 0" 0
run report --db "$db" $WARN --fail-on error
expect_status "--fail-on error with only warnings: 0" 0
run report --db "$db" $WARN --fail-on warning
expect_status "--fail-on warning with warnings: 1" 1
run report --db "$db" $EARLY --fail-on error
expect_status "--fail-on error with an error: 1" 1
run report --db "$db" $EARLY --fail-on warning
expect_status "--fail-on below: 1" 1
run report --db "$db" $EMPTY --fail-on info
expect_status "--fail-on with nothing: 0" 0
run report --db "$db" $P1
expect_status "no --fail-on: 0" 0

# --- --quiet
run report --db "$db" $EARLY --quiet --fail-on critical
expect_eq "--quiet on success prints nothing" "$st:$(wc -c <"$out")" "0:0"
run report --db "$db" $P1 --quiet --fail-on error
expect_status "--quiet when failing: 1" 1
expect_out "--quiet when failing prints the report" "^aiosift report:"

# --- formats
run report --db "$db" $P1
expect_out "text: header" "^aiosift report: 2026-11-24 18:05:00 to 2026-11-24 18:10:00 UTC \(5 min\)"
expect_out "text: totals" "^8 findings \(previous period: 5\), worst: error; 7 incidents"
expect_out "text: kinds" "^  nested_run +1 +0 +\+1"
expect_out "text: new signatures" "^New signatures"
expect_out "text: incidents" "^Incidents \(7, worst first\)"
if grep -q $'[\x1b\x07]' "$out"; then fail "text: no raw escapes" "ESC or BEL"
else pass "text: no raw escapes"; fi
run report --db "$db" $P1 --format markdown
expect_out "markdown: title" "^# aiosift report"
expect_out "markdown: table" "^\| kind \| now \| before \| change \|"
expect_no_out "markdown: no raw html" "<script|<img"
expect_out "markdown: html escaped" "&lt;script&gt;"
run report --db "$db" $P1 --format html
html=$T/page.html
cp "$out" "$html"
expect_out "html: doctype" "^<!DOCTYPE html>"
expect_out "html: viewport" '<meta name="viewport" content="width=device-width, initial-scale=1">'
expect_out "html: inline svg" "<svg viewBox="
expect_out "html: inline css" "<style>"
expect_no_out "html: no script" "<script"
expect_no_out "html: no injected tag" "<img"
expect_no_out "html: no external asset" '<[^>]*[[:space:]](src|href)=|url\(|@import|<link'
expect_no_out "html: no raw escape" $'[\x1b\x07]'
expect_out "html: injected text shown escaped" "&lt;script&gt;alert\(1\)&lt;/script&gt;"
expect_eq "html: well formed" "$(python3 - "$html" <<'EOF'
import sys
from html.parser import HTMLParser
void = {'meta', 'br', 'rect', 'line', 'hr', 'img', 'input', 'link'}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.bad = []
    def handle_starttag(self, t, a):
        if t not in void: self.stack.append(t)
    def handle_startendtag(self, t, a): pass
    def handle_endtag(self, t):
        if t in void: return
        if not self.stack or self.stack[-1] != t: self.bad.append(t)
        else: self.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()
print('ok' if not p.bad and not p.stack else 'bad %s %s' % (p.bad[:3], p.stack[:3]))
EOF
)" ok
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
	bash "$TOP/tests/html_screenshot.sh" "$html" "$T/shot.png"
else
	echo "html screenshot: chromium is not installed, not run"
fi

# --- --out: atomic replacement
mkdir -p "$T/www"
echo old >"$T/www/report.html"
run report --db "$db" $P1 --format html --out "$T/www/report.html"
expect_eq "--out: stdout empty" "$st:$(wc -c <"$out")" "0:0"
expect_eq "--out: replaced" "$(head -1 "$T/www/report.html")" "<!DOCTYPE html>"
expect_eq "--out: no temporary left" "$(ls -A "$T/www")" "report.html"
expect_eq "--out: readable by others" "$(stat -c %a "$T/www/report.html")" \
	"$(printf '%o' $(( 0666 & ~$(umask) )))"
run report --db "$db" $P1 --out "$T/nowhere/report.txt"
expect_status "--out in a missing folder: 3" 3
expect_err "--out error names the file" "$T/nowhere/report.txt: No such file or directory"
run report --db "$db" $P1 --out "$T/www/r.txt" --fail-on error
expect_eq "--out with --fail-on: file and status" "$st:$(head -c 14 "$T/www/r.txt")" "1:aiosift report"

# --- the next report starts where the last one ended
fresh=$T/fresh.db
qdb "$fresh"
before=$(python3 -c "import time; print(int(time.time() * 1e6))")
run report --db "$fresh" --format json
expect_status "first report" 0
stored=$(sql "$fresh" "SELECT value FROM meta WHERE key = 'bookmark:json'")
after=$(python3 -c "import time; print(int(time.time() * 1e6))")
if [ -n "$stored" ] && [ "$stored" -ge "$before" ] && [ "$stored" -le "$after" ]; then
	pass "bookmark json remembered"
else fail "bookmark json remembered" "'$stored' not in [$before, $after]"; fi
expect_eq "first report: 24 hours" "$(js "v['since'] < v['until']")" True
first_until=$(js "v['until']")
run report --db "$fresh" --format json
expect_eq "second report starts at the first's end" "$(js "v['since']")" "$first_until"
run report --db "$fresh" --format json --since 2026-11-24T00:00:00Z --until 2026-11-25T00:00:00Z
expect_eq "a report with --since/--until moves no bookmark" \
	"$(sql "$fresh" "SELECT count(*), max(value) > $stored FROM meta WHERE key LIKE 'bookmark:%'")" "1|1"
run report --db "$fresh" --since 1h --bookmark mail
expect_status "--bookmark with --since: usage error" 2
expect_err "--bookmark with --since: says why" 'bookmark is for a report without --since'
run report --db "$fresh" --format json --bookmark mail
expect_eq "a named bookmark starts apart" "$(js "v['since'] < v['until']")" True
expect_eq "bookmarks: json and mail, each its own" \
	"$(sql "$fresh" "SELECT group_concat(key, ' ') FROM (SELECT key FROM meta WHERE key LIKE 'bookmark:%' ORDER BY key)")" \
	"bookmark:json bookmark:mail"
chmod 444 "$fresh"
if [ "$(id -u)" -ne 0 ]; then
	run report --db "$fresh" --format json
	expect_status "read-only database still reports" 0
fi
chmod 644 "$fresh"

# --- new signatures the same with an index to probe
db_copy "$db" "$T/idx.db"
sqlite3 "$T/idx.db" "CREATE INDEX findings_sig ON findings(kind, coro, exception, ts_us)"
run report --db "$db" $P1 --format json
plain=$(js "v['new_signatures']")
run report --db "$T/idx.db" $P1 --format json
expect_eq "new signatures through an index" "$(js "v['new_signatures']")" "$plain"

# ingest's summary and the report agree on what a finding is: those with
# no time in the log count too, and the report says how many
rm -f "$T/agree.db"*
"$AIOSIFT" ingest --db "$T/agree.db" --tz UTC "$FIXTURES/query/" >"$T/agree.out" 2>&1
n=$(grep -oE '[0-9]+ findings' "$T/agree.out" | grep -oE '[0-9]+')
run report --db "$T/agree.db" --since 3650d
expect_out "report counts what ingest counted" "^$n findings, of which 1 with no time in the log \("
expect_out "report lists the undated one under its file" '^  .*/query/batch\.err, read '
