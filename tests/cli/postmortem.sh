#!/usr/bin/env bash
# aiosift postmortem: an incident's summary, the records of its sources
# around it in time order with tracebacks whole, findings under their
# record, silences, and log text that tries terminal escapes. The logs of
# tests/fixtures/query, ingested by the binary: app.log every 0.5 s with a
# 4.5 s hole before a slow callback at 18:03:00, worker.log every 2 s with
# a silent 32 s hole at 18:04:28, batch.err without timestamps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

db=$T/p.db
qdb "$db" || { fail setup "cannot ingest the fixture logs"; exit 1; }

# in_order: the record lines of $out (HH:MM:SS.mmm first) in time order.
in_order() {
	python3 - "$out" <<'EOF'
import re, sys
t = [l[:12] for l in open(sys.argv[1], encoding='utf-8') if re.match(r'\d\d:\d\d:\d\d\.\d{3}  ', l)]
print('yes' if t == sorted(t) and t else 'no %d' % len(t))
EOF
}

# --- help and usage
run postmortem --help
expect_status "help exits 0" 0
expect_out "help has examples" "^Examples:"
run postmortem --db "$db"
expect_status "nothing asked: usage" 2
expect_err "usage line" "^usage: aiosift postmortem"
run postmortem --db "$db" --incident 1 --at 18:00
expect_status "--incident and --at: usage" 2
run postmortem --db "$db" --incident x
expect_status "--incident not a number" 2
run postmortem --db "$db" --at 2026-11-24T18:03:00Z --window forever
expect_status "bad --window" 2
expect_err "bad --window named" '--window: "forever": not a duration'
run postmortem --db "$db" --at tomorrow
expect_status "bad --at" 2
run postmortem --db "$db" --incident 1 --source app.log
expect_status "--source with --incident" 2
run postmortem --db "$db" --incident 99
expect_status "no such incident" 2
expect_err "no such incident named" "^aiosift: postmortem: no incident 99 in $db$"
run postmortem --db "$T/none.db" --incident 1
expect_status "missing database: exit 4" 4
expect_err "missing database named" "^aiosift: $T/none.db: No such file"

# --- one incident: a slow callback, the silence it caused
run postmortem --db "$db" --incident 3 --window 5s
expect_status "incident 3" 0
expect_out "summary header" "^Incident #3: warning, 1 finding, 2026-11-24 18:02:55.750 to 2026-11-24 18:02:55.750 UTC$"
expect_out "summary text" "^  stall: Task-3 Worker.crunch stalled 4.250 s$"
expect_out "record count" "^12 records, 1 finding$"
expect_eq "records in time order" "$(in_order)" yes
expect_eq "silence shown once" "$(grep -c '— 4.5 s of silence —' "$out")" 1
expect_eq "silence between the records around the hole" \
	"$(grep -B1 -A1 'of silence' "$out" | grep -oE 'app.log:[0-9]+' | tr '\n' ' ')" \
	"app.log:358 app.log:359 "
expect_eq "finding marked under its record" \
	"$(grep -A1 'app.log:359' "$out" | tail -1 | cut -c1-40)" \
	"  >>> stall (warning), task Task-3, coro"
expect_eq "a steady stream has no silence" "$(grep -c 'silence' <("$AIOSIFT" \
	postmortem --db "$db" --at 2026-11-24T18:01:00Z --window 10s))" 0
run postmortem --db "$db" --incident 6 --window 40s
expect_eq "a silent gap in a slower stream" "$(grep -c '— 32.0 s of silence —' "$out")" 1
expect_eq "the gap's source only" "$(grep -c 'app.log:' "$out")" 0

# --- tracebacks whole, findings of other incidents in the window too
run postmortem --db "$db" --incident 1 --window 400s
expect_status "incident 1" 0
expect_eq "both tracebacks whole" "$(grep -c '^                           ConnectionRefusedError: \[Errno 111\] Connect call failed' "$out")" 2
expect_eq "traceback frames indented" "$(grep -c '^                             File "/srv/app/scenarios.py", line 354, in send_metrics$' "$out")" 2
expect_eq "every finding of the source in the window" "$(grep -c '^  >>> ' "$out")" 10
expect_eq "only the incident's source" "$(grep -c 'worker.log:' "$out")" 0
expect_eq "incident 1 in time order" "$(in_order)" yes
run postmortem --db "$db" --incident 4
expect_eq "another source's incident" "$(grep -c 'app.log:' "$out"):$(grep -c '^  >>> never_retrieved (error), task Task-20' "$out")" "0:1"
run postmortem --db "$db" --incident 13
expect_out "an incident without time" "^Incident #13: warning, 1 finding, time unknown$"
expect_out "its whole source" "^-             batch.err:2  /srv/app/batch.py:12: RuntimeWarning: coroutine 'flush' was never awaited$"
expect_out "its finding" "^  >>> never_awaited \(warning\), coro flush"

# --- a moment
run postmortem --db "$db" --at "2026-11-24 18:04:00" --window 4s
expect_status "--at" 0
expect_out "--at header" "^Around 2026-11-24 18:04:00.000 UTC, 4.0 s either side$"
expect_eq "--at: both sources" "$(grep -c 'app.log:' "$out"):$(grep -c 'worker.log:' "$out")" "17:5"
expect_eq "--at: merged in time order" "$(in_order)" yes
run postmortem --db "$db" --at "2026-11-24 18:04:00" --window 4s --source worker.log
expect_eq "--at --source" "$(grep -c 'app.log:' "$out"):$(grep -c 'worker.log:' "$out")" "0:5"
run postmortem --db "$db" --at 2026-11-20T00:00:00Z
expect_out "--at where nothing is stored" "^0 records, 0 findings \(no records stored"
age=$(python3 -c "import time,calendar; print(int(time.time()) - calendar.timegm((2026,11,24,18,3,0,0,0,0)))")
run postmortem --db "$db" --at "${age}s" --window 2s
expect_out "--at relative" "app.log:359  2026-11-24 18:03:00,000 WARNING asyncio"

# --- terminal safety
run postmortem --db "$db" --incident 11 --window 31s
expect_status "hostile incident" 0
if grep -q $'[\x1b\x07\r]' "$out"; then fail "no raw escapes" "ESC, BEL or CR"
else pass "no raw escapes"; fi
expect_out "escapes shown" "name='T-\\\\e\\]8;;http://evil\\\\x07<script>"
expect_out "escape in a traceback shown" "^ +KeyError: '\\\\e\\[2J<b>owned</b>'$"
expect_out "the callback's escapes shown" 'Exception in callback <Handle \\e\]8;;http://evil\\x07click'
run postmortem --db "$db" --incident 11 --window 31s --color always
expect_out "--color always marks findings" $'^\x1b\\[1;31m  >>> never_retrieved'
if grep -q $'\x1b\\]' "$out"; then fail "colour keeps escaping" "raw OSC"
else pass "colour keeps escaping"; fi

# where the kept context has holes, the walk says which lines are missing
rm -f "$T/holes.db"*
"$AIOSIFT" ingest --db "$T/holes.db" --tz UTC -q "$FIXTURES/query/app.log" >/dev/null 2>&1
run postmortem --db "$T/holes.db" --at "2026-11-24 18:01:45" --window 30s --source app.log
expect_out "holes: the lines not stored named" '^ +… 50 lines not stored \(app\.log lines 195–244\) …$'
expect_eq "holes: before the record after them" \
	"$(grep -A1 'lines not stored' "$out" | tail -1 | grep -oE 'app\.log:[0-9]+')" "app.log:245"
run postmortem --db "$T/holes.db" --at "2026-11-24 18:01:17" --window 2s --source app.log
expect_no_out "no hole where every line is kept" 'not stored'
