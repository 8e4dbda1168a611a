#!/usr/bin/env bash
# One parser for every duration option (common/duration.c, its table in
# tests/unit/test_duration.c): ingest, rescan, rules test and postmortem
# take the same spellings (500ms, 0.5s, 0.5, 2m, 1h, 7d) and refuse the
# same others (NaN, infinities, exponents, negatives, overflow) with a
# usage error naming the option, before anything is read or written.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/asyncio/crawler-py3.12.1/app.log	# "took 0.652 seconds"
db=$T/d.db
"$AIOSIFT" ingest --db "$db" -q "$LOG" || fail setup "cannot ingest"

# try NAME ARGS...: a run that must be refused as a usage error naming
# the option and the value
refused() {
	local name=$1 opt=$2 val=$3; shift 3
	run "$@"
	expect_status "$name $opt $val: usage error" 2
	expect_err "$name $opt $val: named" "$opt: \"$val\": (not a duration|must be more than 0)"
}
for v in 1e300 nan inf -1 -0.5s 1h30m 0x10 99999999999999999999 201y ""; do
	refused ingest --stall-min "$v" ingest --db "$T/x.db" --stall-min "$v" "$LOG"
	refused rescan --stall-min "$v" rescan --db "$db" --stall-min "$v"
	refused "rules test" --stall-min "$v" rules test --stall-min "$v" "$LOG"
	refused postmortem --window "$v" postmortem --db "$db" --at 2026-11-29T22:53:00Z --window "$v"
done
refused ingest --window nan ingest --db "$T/x.db" --window nan "$LOG"
refused ingest --context-time inf ingest --db "$T/x.db" --context-time inf "$LOG"
refused rescan --window NaN rescan --db "$db" --window NaN
refused ingest --stall-min 0 ingest --db "$T/x.db" --stall-min 0 "$LOG"
refused "rules test" --stall-min 0 rules test --stall-min 0 "$LOG"
expect_eq "nothing written by refused runs" "$(ls "$T"/x.db 2>/dev/null)" ""

# the same spellings everywhere, with the same meaning
"$AIOSIFT" rules test --stall-min 0.5 "$LOG" >"$T/ref" 2>&1
for v in 500ms 0.5s .5s 0.5; do
	run rules test --stall-min "$v" "$LOG"
	expect_eq "rules test --stall-min $v as 0.5" "$(cat "$out" "$err")" "$(cat "$T/ref")"
	run rescan --db "$db" --stall-min "$v" --window 1m -q
	expect_status "rescan --stall-min $v --window 1m" 0
	run ingest --db "$T/i$v.db" --stall-min "$v" --window 1m --context-time 30s "$LOG"
	expect_status "ingest --stall-min $v" 0
done
expect_eq "the 0.652 s step is a stall at 0.5s" \
	"$(grep -c ': stall stall\.took .*duration=0\.652' "$T/ref")" 1
# over the step, it is no stall: 700ms, 0.7, 1m
for v in 700ms 0.7 1m; do
	run rules test --stall-min "$v" "$LOG"
	expect_out "--stall-min $v: the 0.652 s step is no stall" \
		": slow_callback stall\.took .*duration=0\.652"
done
run postmortem --db "$db" --at 2026-11-29T22:53:00Z --window 1.5h
expect_status "postmortem --window 1.5h" 0
