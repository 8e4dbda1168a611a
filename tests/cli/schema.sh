#!/usr/bin/env bash
# The JSON Schemas in share/aiosift (findings.schema.json for the NDJSON
# and JSON findings, report.schema.json for the JSON report) checked with
# Debian's python3-jsonschema against real outputs: the query and hostile
# fixtures, periods with and without findings. A schema that no longer
# matches the output (a key added, renamed or retyped) fails here: update
# the schema and the README with the output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

PY=/usr/bin/python3
SCHEMAS="$TOP/share/aiosift"
db=$T/s.db

# validate NAME SCHEMA MODE FILE: MODE is ndjson (one instance a line),
# array (each element) or one (the whole file). Prints how many were
# valid, or the first error.
validate() {
	local got
	got=$("$PY" - "$SCHEMAS/$2" "$3" "$4" 2>&1 <<'PYEOF'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
text = open(sys.argv[3]).read()
if sys.argv[2] == 'ndjson':
    docs = [json.loads(l) for l in text.splitlines()]
elif sys.argv[2] == 'array':
    docs = json.loads(text)
else:
    docs = [json.loads(text)]
for i, d in enumerate(docs):
    errs = sorted(v.iter_errors(d), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        print('instance %d: at %s: %s' % (i + 1, '/'.join(map(str, e.path)) or '.', e.message[:200]))
        sys.exit(1)
print('ok %d' % len(docs))
PYEOF
)
	case $got in
	"ok 0") fail "$1" "nothing to validate" ;;
	ok\ *) pass "$1 (${got#ok } checked)" ;;
	*) fail "$1" "$got" ;;
	esac
}

qdb "$db" || { fail setup "cannot ingest the fixture logs"; exit 1; }
run ingest --db "$db" --tz UTC -q "$FIXTURES/hostile/inject.log" "$FIXTURES/asyncio/"
[ "$st" -le 3 ] && pass "fixtures ingested" || fail "fixtures ingested" "exit $st"

run query findings --db "$db" --format ndjson --limit 100000
validate "findings: every NDJSON line" findings.schema.json ndjson "$out"
n=$(wc -l <"$out")
[ "$n" -gt 50 ] && pass "findings: a good sample ($n)" || fail "findings: a good sample" "only $n"
grep -q '"ts": null' "$out" && pass "findings: an undated one among them" ||
	fail "findings: an undated one among them" "none"
grep -q '"kind": "stall"' "$out" && pass "findings: stalls among them" ||
	fail "findings: stalls among them" "none"
run query findings --db "$db" --format json --limit 100000
validate "findings: the JSON array" findings.schema.json array "$out"

run report --db "$db" --since 2026-11-24T18:00:00Z --until 2026-11-24T18:10:00Z --format json
validate "report: a period with findings" report.schema.json one "$out"
grep -q '"longest_stalls": \[$' "$out" && pass "report: with stalls" ||
	fail "report: with stalls" "none listed"
run report --db "$db" --since 2026-11-23T00:00:00Z --until 2026-11-23T01:00:00Z --format json
validate "report: an empty period" report.schema.json one "$out"
run report --db "$db" --since 3650d --format json
validate "report: every finding stored" report.schema.json one "$out"

# The schemas must be able to refuse: outputs changed by hand fail.
run query findings --db "$db" --format ndjson --limit 1
sed 's/"severity": "[a-z]*"/"severity": "fatal"/' "$out" >"$T/bad1"
sed 's/"line": [0-9]*/"line": "7"/' "$out" >"$T/bad2"
sed 's/^{/{"extra": 1, /' "$out" >"$T/bad3"
sed 's/"rule": "[^"]*", //' "$out" >"$T/bad4"
for b in 1 2 3 4; do
	got=$(validate x findings.schema.json ndjson "$T/bad$b")
	case $got in FAIL*) pass "findings schema refuses bad$b" ;;
	*) fail "findings schema refuses bad$b" "accepted" ;; esac
done
run report --db "$db" --since 3650d --format json
sed 's/"incident_count": [0-9]*/"incident_count": -1/' "$out" >"$T/bad5"
got=$(validate x report.schema.json one "$T/bad5")
case $got in FAIL*) pass "report schema refuses a negative count" ;;
*) fail "report schema refuses a negative count" "accepted" ;; esac
