#!/usr/bin/env bash
# End to end: every fixture folder (tests/fixtures/asyncio/*: real CPython
# logs with the failures their programs recorded; tests/fixtures/negative/*:
# ordinary errors and prose naming the signatures, no findings) is ingested
# into a fresh database, its findings are queried as NDJSON and scored
# against the folder's expected.json (tests/gates.py, with tests/score.py's
# matching), all folders in one run:
#   PASS/FAIL <folder>   per folder: recall, precision and field accuracy
#                        at least its gate in tests/cli/findings.gates
#                        (only ever raised); a negative folder passes only
#                        with no finding
#   PASS/FAIL incremental/<folder>  the same folder ingested in two runs
#                        (the live files cut at a record boundary near
#                        their middle, then whole again, as a cron run
#                        meets a growing log) gives the same findings as
#                        one run: nothing lost, nothing twice
#   PASS/FAIL findings-overall  the sums over all folders: recall and
#                        precision at least 0.9
#   PASS/FAIL field gate catches WRONG fields  every task, coro and
#                        exception set to WRONG: each folder with scored
#                        fields fails its gate
# followed by the per-kind table over all folders ('#'-prefixed).
# Regenerate the fixtures with tests/gen/make_fixtures.sh.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
gates_py=$(cd "$(dirname "$0")/.." && pwd)/gates.py

if [ ! -x "$AIOSIFT" ]; then
	fail findings "no binary at $AIOSIFT (make first)"
	exit 0
fi
# until the commands exist, one FAIL line rather than one a folder
for c in ingest "query findings"; do
	run $c --db "$T/probe.db" "$T"
	if grep -q 'not built yet' "$err"; then
		fail findings "aiosift $c is not built yet"
		exit 0
	fi
done
# cutpoint FILE: the byte offset of a record start near the middle of FILE
# (a line starting with a date, a JSON object, a LEVEL: prefix, the crawler's
# tag or a CRI prefix before a dated line); 0 when there is none
cutpoint() {
	LC_ALL=C awk -v half="$(($(wc -c <"$1") / 2))" '
		off >= half && /^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T]|\{"|(DEBUG|INFO|WARNING|ERROR|CRITICAL):|\[crawler\] |[^ ]+Z std(out|err) F [0-9][0-9][0-9][0-9]-)/ {
			print off; found = 1; exit }
		{ off += length($0) + 1 }
		END { if (!found) print 0 }' "$1"
}
# incremental NAME DIR: the folder ingested in two runs; its findings go
# to $T/KEY.inc.ndjson (none when a run fails: a FAIL line then)
incremental() {
	local name=$1 d=$2 key=${1//\//_} f live=() off
	rm -rf "$T/inc"; mkdir "$T/inc"; cp "$d"/* "$T/inc/"; rm -f "$T/inc/expected.json"
	for f in "$T"/inc/*.log; do	# the live file of each set
		[ -f "$f" ] || continue
		off=$(cutpoint "$f")
		[ "$off" -gt 0 ] || continue
		cp "$f" "$T/whole-${f##*/}"; truncate -s "$off" "$f"; live+=("$f")
	done
	run ingest --db "$T/inc-$key.db" "$T/inc"
	for f in "${live[@]}"; do mv "$T/whole-${f##*/}" "$f"; done
	[ "$st" -eq 0 ] && run ingest --db "$T/inc-$key.db" "$T/inc"
	[ "$st" -eq 0 ] && run query findings --db "$T/inc-$key.db" --format ndjson
	if [ "$st" -ne 0 ]; then
		fail "incremental/$name" "exit $st: $(head -c 200 "$err")"
		return 1
	fi
	cp "$out" "$T/$key.inc.ndjson"
}

# ingest and query each folder; the scoring is one tests/gates.py run
: >"$T/manifest"
n=0
for d in "$FIXTURES"/asyncio/*/ "$FIXTURES"/negative/*/; do
	[ -f "$d/expected.json" ] || continue
	name=$(basename "$(dirname "$d")")/$(basename "$d")
	key=${name//\//_}
	n=$((n + 1))
	run ingest --db "$T/$key.db" "$d"
	if [ "$st" -ne 0 ]; then
		fail "$name" "ingest exit $st: $(head -c 200 "$err")"
		continue
	fi
	run query findings --db "$T/$key.db" --format ndjson
	if [ "$st" -ne 0 ]; then
		fail "$name" "query findings exit $st: $(head -c 200 "$err")"
		continue
	fi
	cp "$out" "$T/$key.ndjson"
	inc=-
	incremental "$name" "$d" && inc=$T/$key.inc.ndjson
	printf '%s\t%s\t%s\t%s\n' "$name" "$d/expected.json" "$T/$key.ndjson" "$inc" >>"$T/manifest"
done
[ "$n" -gt 0 ] || fail findings "no fixture folders under $FIXTURES"
gates=$(dirname "$0")/findings.gates
# FINDINGS_WRITE_GATES=1 rewrites the gates from this run (to raise them)
python3 "$gates_py" --gates "$gates" \
    ${FINDINGS_WRITE_GATES:+--write-gates "$gates"} "$T/manifest" ||
	fail findings-gates "tests/gates.py exit $?"
# the field gate can fail: every task, coro and exception set to WRONG
python3 "$gates_py" --wrong --gates "$gates" "$T/manifest" ||
	fail findings-gates "tests/gates.py --wrong exit $?"
