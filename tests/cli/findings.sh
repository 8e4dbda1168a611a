#!/usr/bin/env bash
# End to end: every fixture folder (tests/fixtures/asyncio/*: real CPython
# logs with the failures their programs recorded; tests/fixtures/negative/*:
# ordinary errors and prose naming the signatures, no findings) is ingested
# into a fresh database, its findings are queried as NDJSON and scored
# against the folder's expected.json with tests/score.py.
#   PASS/FAIL <folder>   per folder: recall and precision at least
#                        FINDINGS_MIN_RECALL / FINDINGS_MIN_PRECISION
#                        (default 0.75); a negative folder passes only
#                        with exactly its expected findings (none)
#   PASS/FAIL incremental/<folder>  the same folder ingested in two runs
#                        (the live files cut at a record boundary near
#                        their middle, then whole again, as a cron run
#                        meets a growing log) gives the same findings as
#                        one run: nothing lost, nothing twice
#   PASS/FAIL findings-overall  the sums over all folders: at least
#                        FINDINGS_ALL_RECALL / FINDINGS_ALL_PRECISION (0.9)
# followed by the per-kind table over all folders ('#'-prefixed).
# Regenerate the fixtures with tests/gen/make_fixtures.sh.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
score=$(cd "$(dirname "$0")/.." && pwd)/score.py
min_r=${FINDINGS_MIN_RECALL:-0.75} min_p=${FINDINGS_MIN_PRECISION:-0.75}
all_r=${FINDINGS_ALL_RECALL:-0.9} all_p=${FINDINGS_ALL_PRECISION:-0.9}

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
# samefindings A B: nothing when the two NDJSON outputs hold the same
# findings (incident numbers and folders aside), else the first differences
samefindings() {
	python3 - "$1" "$2" <<'PY'
import json, os, sys
def norm(p):
	out = []
	for ln in open(p):
		if ln.strip():
			o = json.loads(ln)
			o.pop('incident', None)
			o['source'] = os.path.basename(str(o.get('source')))
			out.append(json.dumps(o, sort_keys=True))
	return sorted(out)
a, b = norm(sys.argv[1]), norm(sys.argv[2])
if a != b:
	print(' '.join(['only in one run: ' + x[:150] for x in a if x not in b][:1] +
		['only in two runs: ' + x[:150] for x in b if x not in a][:1]) or 'same findings, other counts')
PY
}
# incremental NAME DIR ONE-SHOT.ndjson
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
		return
	fi
	local diff
	diff=$(samefindings "$3" "$out")
	if [ -z "$diff" ]; then
		pass "incremental/$name"
	else
		fail "incremental/$name" "two runs differ from one: $diff"
	fi
}

pairs=()
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
	pairs+=("$d/expected.json" "$T/$key.ndjson")
	incremental "$name" "$d" "$T/$key.ndjson"
	case $name in
	negative/*)
		if python3 "$score" --expected "$d/expected.json" --actual "$T/$key.ndjson" \
			--min-recall 1 --min-precision 1 >"$T/score" 2>&1; then
			pass "$name"
		else
			fail "$name" "$(tail -1 "$T/score"); $(python3 "$score" -v \
				--expected "$d/expected.json" --actual "$T/$key.ndjson" 2>&1 |
				grep -E '^(MISSED|EXTRA)' | head -2 | cut -c1-200 | tr '\n' ' ')"
		fi
		;;
	*)
		if python3 "$score" --expected "$d/expected.json" --actual "$T/$key.ndjson" \
			--min-recall "$min_r" --min-precision "$min_p" >"$T/score" 2>&1; then
			pass "$name"
		else
			fail "$name" "$(tail -1 "$T/score"); missed/extra: $(python3 "$score" -v \
				--expected "$d/expected.json" --actual "$T/$key.ndjson" 2>&1 |
				grep -E '^(MISSED|EXTRA)' | head -3 | cut -c1-160 | tr '\n' ' ')"
		fi
		;;
	esac
done
[ "$n" -gt 0 ] || fail findings "no fixture folders under $FIXTURES"
if [ ${#pairs[@]} -gt 0 ]; then
	if python3 "$score" --min-recall "$all_r" --min-precision "$all_p" "${pairs[@]}" >"$T/all" 2>&1; then
		pass findings-overall
	else
		fail findings-overall "$(tail -1 "$T/all")"
	fi
	sed 's/^/# /' "$T/all"
fi
