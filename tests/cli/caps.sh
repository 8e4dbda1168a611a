# Caps in the rules engine are counted and said (issue 13): a message
# longer than the engine copies to rewrite (ENGINE_COPY_CAP, 1 MiB: lone
# CRs made LF, a console's hard wraps joined) is rewritten in its first
# part only, still matched there, and `rules test` says so; a message under
# the cap is not noted; a rule title longer than RULESET_TITLE_MAX is a
# clear error naming the file and line. Logs are generated here: Python
# logging lines as CPython writes them, with long traceback-like bodies.
. "$(dirname "$0")/lib.sh"

# biglog FILE LINES END: a start line, an asyncio ERROR record whose
# header line ends with END (a lone CR, or nothing), LINES continuation
# lines of 100,000 bytes, and an end line.
biglog() {
	python3 - "$@" <<'PY'
import sys
path, lines, end = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w", newline="") as f:
    f.write("2024-05-01 11:59:59,000 INFO app: start\n")
    f.write("2024-05-01 12:00:00,000 ERROR asyncio: Task was destroyed "
            "but it is pending!" + ("\r" if end == "cr" else "\n"))
    f.write("task: <Task pending name='Task-7' coro=<worker() running at "
            "/app/w.py:12>>\n")
    for i in range(lines):
        f.write("  " + "x" * 100000 + "\n")
    f.write("2024-05-01 12:00:01,000 INFO app: end\n")
PY
}

# a 4 MB record with a lone CR: cut for the rewrite, matched, noted
biglog "$T/cr.log" 40 cr
run rules test "$T/cr.log"
expect_status "lone CR past the cap: exit 0" 0
expect_out "lone CR past the cap: the finding in the first part" \
    '^.*cr\.log:2: task_destroyed_pending .*task=Task-7 coro=worker'
expect_err "lone CR past the cap: noted" \
    '^aiosift: 1 record longer than the rules rewrite; first: record line 2: a message of [0-9]+ bytes had lone CRs rewritten in its first 1048576 bytes only$'

# the same record under the cap: nothing to note
biglog "$T/small.log" 5 cr
run rules test "$T/small.log"
expect_out "lone CR under the cap: the finding" 'task_destroyed_pending .*task=Task-7'
expect_eq "lone CR under the cap: not noted" "$(cat "$err")" ""

# a hard wrap (a line exactly 80 columns wide) in a 4 MB record: noted
python3 - "$T/wrap.log" <<'PY'
import sys
head = "2024-05-01 12:00:00,000 ERROR asyncio: "
msg = "Task exception was never retrieved, future: <Task finished name='Task-3'"
line = (head + msg + " " * 80)[:80]
with open(sys.argv[1], "w") as f:
    f.write("2024-05-01 11:59:59,000 INFO app: start\n")
    f.write(line + "\n")
    f.write(" coro=<job() done>>\n")
    for i in range(40):
        f.write("  " + "y" * 100000 + "\n")
    f.write("2024-05-01 12:00:01,000 INFO app: end\n")
PY
run rules test "$T/wrap.log"
expect_status "hard wraps past the cap: exit 0" 0
expect_err "hard wraps past the cap: noted" \
    'record line 2: a message of [0-9]+ bytes had hard wraps rewritten in its first 1048576 bytes only'

# a title longer than 256 bytes: refused, naming file and line
{
	echo "rule my.long_title"
	echo "kind config_error"
	echo "title $(printf 't%.0s' $(seq 300))"
	echo "pattern boom"
} >"$T/long.rules"
run rules test --rules "$T/long.rules" "$T/small.log"
expect_status "long title: usage error" 2
expect_err "long title: file and line named" 'long\.rules:3:[0-9]+: title longer than 256 bytes'
{
	echo "rule my.ok_title"
	echo "kind config_error"
	echo "title $(printf 't%.0s' $(seq 256))"
	echo "pattern Task-7"
} >"$T/ok.rules"
run rules test --rules "$T/ok.rules" "$T/small.log"
expect_status "a 256-byte title: accepted" 0
expect_out "a 256-byte title: its finding" 'my\.ok_title'

# ingest says the same, per file, with the run's first
run ingest --db "$T/cr.db" "$T/cr.log"
expect_status "ingest, lone CR past the cap: exit 0" 0
expect_err "ingest, lone CR past the cap: noted" \
    '^aiosift: note: .*cr\.log: 1 record longer than the rules rewrite; the run.s first: record line 2: a message of [0-9]+ bytes had lone CRs rewritten in its first 1048576 bytes only$'
run ingest --db "$T/small.db" "$T/small.log"
expect_no_out "ingest, under the cap: no rewrite note" 'rules rewrite'
if grep -q 'rules rewrite' "$err"; then fail "ingest, under the cap: not noted" "$(cat "$err")"
else pass "ingest, under the cap: not noted"; fi

# a rule whose pattern backtracks past PCRE2's match limit: skipped for
# that record, counted, and the ingest says so
{
	echo "rule evil.nested"
	echo "kind config_error"
	echo "needle aaaa"
	echo "pattern ^(a|aa|a?a)+\$"
} >"$T/evil.rules"
python3 - "$T/evil.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("2024-05-01 11:59:59,000 INFO app: start\n")
    f.write("2024-05-01 12:00:00,000 ERROR app: " + "a" * 3000 + "!\n")
    f.write("2024-05-01 12:00:01,000 INFO app: end\n")
PY
run ingest --rules "$T/evil.rules" --db "$T/evil.db" "$T/evil.log"
expect_status "ingest, PCRE2 limit: exit 0" 0
expect_err "ingest, PCRE2 limit: noted" \
    '^aiosift: note: .*evil\.log: 1 match hit the PCRE2 limits \(the rule skipped for that record\); the run.s first: rule evil\.nested: (match|depth|JIT stack) limit exceeded at record line 2$'
