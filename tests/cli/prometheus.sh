#!/usr/bin/env bash
# aiosift report --format prometheus: the text exposition format read back
# by a strict parser written to its specification (tests/cli/promparse.py,
# itself checked on bad inputs first) and by promtool when it is there;
# the figures against the JSON report and the ingest's summary; untrusted
# text in label values (a log file named with quotes, a backslash, a
# newline, an escape and invalid UTF-8); --out replaced atomically.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

PY=/usr/bin/python3
PARSE="$TOP/tests/cli/promparse.py"
db=$T/p.db
P1="--since 2026-11-24T18:00:00Z --until 2026-11-24T18:10:00Z"

"$PY" "$PARSE" --selftest

# check NAME FILE: the parser (and promtool, when installed) accept FILE;
# its samples are left in $T/samples, one JSON array a line.
check() {
	if "$PY" "$PARSE" "$2" >"$T/samples"; then pass "$1: valid exposition"
	else fail "$1: valid exposition" "$(tail -1 "$T/samples")"; fi
	if command -v promtool >/dev/null; then
		if promtool check metrics <"$2" >"$T/promtool" 2>&1; then
			pass "$1: promtool check metrics"
		else fail "$1: promtool check metrics" "$(head -c 300 "$T/promtool")"; fi
	fi
}
# sample NAME [LABELS-JSON]: the value of one sample in $T/samples.
sample() {
	"$PY" - "$T/samples" "$1" "${2:-{\}}" <<'PYEOF'
import json, sys
want = json.loads(sys.argv[3])
for line in open(sys.argv[1]):
    n, l, v = json.loads(line)
    if n == sys.argv[2] and l == want:
        print(int(v) if v == int(v) else v)
        break
else:
    print('absent')
PYEOF
}

run ingest --db "$db" --tz UTC --keep all "$FIXTURES/query/"
ingest_line=$(cat "$out")
run report --db "$db" $P1 --format prometheus
expect_status "prometheus exits 0" 0
check "fixture" "$out"
cp "$out" "$T/prom"
run report --db "$db" $P1 --format json
cp "$out" "$T/json"
js() { "$PY" -c "import json,sys; v=json.load(open(sys.argv[1])); print($1)" "$T/json"; }

# --- findings per kind and severity: the JSON report's counts, per kind
got=$("$PY" - "$T/samples" <<'PYEOF'
import json, sys, collections
c = collections.Counter()
for line in open(sys.argv[1]):
    n, l, v = json.loads(line)
    if n == 'aiosift_findings':
        c[l['kind']] += int(v)
print(sorted((k, n) for k, n in c.items() if n))
PYEOF
)
expect_eq "findings per kind as in the JSON report" "$got" \
	"$(js "sorted((k['kind'], k['count']) for k in v['kinds'] if k['count'])")"
expect_eq "findings per kind and severity" \
	"$(sample aiosift_findings '{"kind":"never_retrieved","severity":"error"}')" 5
expect_eq "worst severity: error is 3" "$(sample aiosift_worst_severity)" 3
expect_eq "open incidents as in the JSON report" \
	"$(( $(sample aiosift_open_incidents '{"severity":"warning"}') + \
	$(sample aiosift_open_incidents '{"severity":"error"}') ))" \
	"$(js "v['incident_count']")"
expect_eq "every severity of open incidents written" \
	"$(sample aiosift_open_incidents '{"severity":"critical"}')" 0
expect_eq "longest stall as in the JSON report" \
	"$(sample aiosift_longest_stall_seconds)" \
	"$(js "(lambda d: int(d) if d == int(d) else d)(v['longest_stalls'][0]['duration_s'])")"
expect_eq "period start" "$(sample aiosift_report_period_start_seconds)" \
	"$(date -u -d 2026-11-24T18:00:00Z +%s)"

# --- the last ingest, against what ingest printed
files=$(sed -E 's/^ingested ([0-9]+) files.*/\1/' <<<"$ingest_line")
records=$(sed -E 's/.*MB, ([0-9]+) records.*/\1/' <<<"$ingest_line")
expect_eq "last ingest: files" "$(sample aiosift_last_ingest_files)" "$files"
expect_eq "last ingest: records" "$(sample aiosift_last_ingest_records)" "$records"
expect_eq "last ingest: bytes" "$(sample aiosift_last_ingest_bytes)" \
	"$(cat "$FIXTURES"/query/* | wc -c)"
expect_eq "last ingest: no errors" "$(sample aiosift_last_ingest_errors)" 0
now=$(date +%s)
ts=$(sample aiosift_last_ingest_timestamp_seconds)
if [ "${ts%.*}" -le "$now" ] && [ "${ts%.*}" -ge $((now - 3600)) ]; then
	pass "last ingest: its time"
else fail "last ingest: its time" "$ts, now $now"; fi

# A run with a broken file: its errors and exit status are what is kept.
run ingest --db "$db" -q "$FIXTURES/broken/badcrc.gz" "$FIXTURES/broken/single.gz"
expect_status "broken ingest: exit 3" 3
run report --db "$db" $P1 --format prometheus
check "after a broken ingest" "$out"
expect_eq "last ingest: errors counted" "$(sample aiosift_last_ingest_errors)" 1
expect_eq "last ingest: exit status kept" "$(sample aiosift_last_ingest_exit_status)" 3

# A database no ingest has recorded (written by hand): no last-ingest
# series rather than made-up ones; an empty period is all zeros.
sql "$db" "DELETE FROM meta WHERE key LIKE 'last_ingest_%'"
run report --db "$db" --since 2026-11-23T00:00:00Z --until 2026-11-23T01:00:00Z --format prometheus
check "empty period" "$out"
expect_eq "empty period: kinds still written, as 0" \
	"$(sample aiosift_findings '{"kind":"never_retrieved","severity":"error"}')" 0
expect_eq "empty period: no stall" "$(sample aiosift_longest_stall_seconds)" 0
expect_no_out "empty period: no stall location" "aiosift_longest_stall_info"
expect_no_out "no recorded ingest: no last-ingest series" "aiosift_last_ingest"

# --- untrusted text in label values: the longest stall's file name
mkdir "$T/hostile"
name=$(printf 'we"ird\\path\nx\033[31m\377.log')
cp "$FIXTURES/query/worker.log" "$T/hostile/$name"
run ingest --db "$T/h.db" --tz UTC -q "$T/hostile/"
run report --db "$T/h.db" $P1 --format prometheus
check "hostile file name" "$out"
got=$("$PY" - "$T/samples" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    n, l, v = json.loads(line)
    if n == 'aiosift_longest_stall_info':
        print(json.dumps(l['source'].rsplit('/', 1)[1]))
PYEOF
)
expect_eq "hostile name: quote, backslash, newline kept; escape and bad byte replaced" \
	"$got" '"we\"ird\\path\nx\ufffd[31m\ufffd.log"'
if grep -q $'\033' "$out"; then fail "no raw escape in the output" "there is one"
else pass "no raw escape in the output"; fi

# --- --out: replaced atomically, nothing left behind, failure keeps the old
mkdir "$T/textfile"
echo old >"$T/textfile/aiosift.prom"
ino=$(stat -c %i "$T/textfile/aiosift.prom")
run report --db "$db" $P1 --format prometheus --out "$T/textfile/aiosift.prom"
expect_status "--out exits 0" 0
expect_eq "--out: nothing on stdout" "$(wc -c <"$out")" 0
check "--out file" "$T/textfile/aiosift.prom"
[ "$(stat -c %i "$T/textfile/aiosift.prom")" != "$ino" ] &&
	pass "--out: a new file renamed over the old" ||
	fail "--out: a new file renamed over the old" "same inode"
expect_eq "--out: no temporary file left" "$(ls -A "$T/textfile")" aiosift.prom
run report --db "$db" $P1 --format prometheus --out "$T/nodir/aiosift.prom"
expect_status "--out into a missing folder: exit 3" 3
expect_err "--out: the file named" "$T/nodir/aiosift.prom"

# --- usage
run report --db "$db" --format prom
expect_status "--format prom (unknown): exit 2" 2
expect_err "--format's values listed" "prometheus"
run report --help
expect_out "--help names prometheus" "prometheus"
