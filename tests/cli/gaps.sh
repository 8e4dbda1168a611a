#!/usr/bin/env bash
# Stalls are blocked loops. tests/fixtures/gaps/{plain,debug} are the logs
# of a real asyncio service (tests/gen/gap_service.py, make_gaps.sh) that
# blocks its loop for 1.5 s in a coroutine, goes idle for 3 s, and is
# restarted twice (a rotation, new pids, startup and shutdown banners);
# truth.jsonl is what the program recorded about itself. Only the block
# is a stall, with its evidence and a confidence; the restarts and the
# idle period are kinds of their own (restart, idle: info), which the
# stall table and the report's longest stalls leave out.
. "$(dirname "$0")/lib.sh"

# truth DIR WHAT FIELD: a field of the program's own record
truth() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
	t = json.loads(l)
	if t["what"] == sys.argv[2]:
		print(t[sys.argv[3]]); break' "$1/truth.jsonl" "$2" "$3"; }
# near A B TOL: |A - B| <= TOL
near() { python3 -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(abs(a - b) > t)' "$@"; }

for v in plain debug; do
	dir=$FIXTURES/gaps/$v db=$T/$v.db
	run ingest --db "$db" "$dir/"
	expect_status "$v: ingest" 0
	q() { sql "$db" "$1"; }
	expect_eq "$v: one stall" "$(q "SELECT count(*) FROM findings WHERE kind = 'stall'")" 1
	expect_eq "$v: two restarts" "$(q "SELECT count(*) FROM findings WHERE kind = 'restart'")" 2
	expect_eq "$v: one idle period" "$(q "SELECT count(*) FROM findings WHERE kind = 'idle'")" 1
	expect_eq "$v: restarts and idle are info" \
		"$(q "SELECT DISTINCT severity FROM findings WHERE kind IN ('restart', 'idle')")" 1
	start=$(truth "$dir" block start) secs=$(truth "$dir" block seconds)
	got=$(q "SELECT ts_us / 1e6, duration_us / 1e6, task FROM findings WHERE kind = 'stall'")
	IFS='|' read -r gts gdur gtask <<<"$got"
	if near "$gts" "$start" 0.01 && near "$gdur" "$secs" 0.05; then
		pass "$v: the stall is the block ($secs s)"
	else fail "$v: the stall is the block" "got $got, block at $start for $secs s"; fi
	expect_eq "$v: the stall's task" "$gtask" "$(truth "$dir" block task)"
	istart=$(truth "$dir" idle start) iend=$(truth "$dir" idle end)
	got=$(q "SELECT duration_us / 1e6 FROM findings WHERE kind = 'idle'")
	if near "$got" "$(python3 -c "print($iend - $istart)")" 0.1; then
		pass "$v: the idle period is the program's"
	else fail "$v: the idle period is the program's" "got $got s"; fi
	expect_eq "$v: each restart names its evidence" \
		"$(q "SELECT count(*) FROM findings WHERE kind = 'restart' AND message LIKE '%across a restart: pid %, then %'")" 2
	expect_eq "$v: the rotation is seen" \
		"$(q "SELECT count(*) FROM findings WHERE kind = 'restart' AND message LIKE '%a new file of the set%'")" 1
	run query stalls --db "$db" --format csv
	expect_eq "$v: query stalls lists the block only" "$(($(wc -l <"$out") - 1))" 1
	run report --db "$db" --since 2020-01-01 --until 2100-01-01
	sed -n '/^Longest stalls/,/^$/p' "$out" >"$T/longest"
	first=$(sed -n 2p "$T/longest")
	expect_eq "$v: the report's longest stall is the block" \
		"$(printf '%s\n' "$first" | grep -c "1\.50[0-9] s.*$(truth "$dir" block task)")" 1
	expect_eq "$v: no restart or idle gap among the longest stalls" \
		"$(grep -cE '(2\.[0-9]|3\.0)[0-9]* s' "$T/longest")" 0
done

# without debug mode the gap says why it is a stall, and how sure it is
m=$(sql "$T/plain.db" "SELECT message FROM findings WHERE kind = 'stall'")
expect_eq "plain: evidence: the same task before and after" \
	"$(grep -c 'the same task logged before and after' <<<"$m")" 1
expect_eq "plain: evidence: the timeout after it" \
	"$(grep -cE '[0-9]+ timeouts? within 0.1 s after it' <<<"$m")" 1
expect_eq "plain: no longer 'or the process'" "$(grep -c 'or the process' <<<"$m")" 0
expect_eq "plain: a high confidence" \
	"$(sql "$T/plain.db" "SELECT confidence >= 0.75 FROM findings WHERE kind = 'stall'")" 1
expect_eq "plain: the idle one says why it is none" \
	"$(sql "$T/plain.db" "SELECT count(*) FROM findings WHERE kind = 'idle' AND message LIKE '%an idle stream%'")" 1
# debug mode names the coroutine: the report shows it
expect_eq "debug: the report's longest stall has its coroutine" \
	"$(sed -n 2p "$T/longest" | grep -c "$(truth "$FIXTURES/gaps/debug" block coro)")" 1

# two runs leave what one leaves, cut inside the block's window
cp -r "$FIXTURES/gaps/plain" "$T/inc"
n=$(grep -n 'price cache refreshed' "$T/inc/app.log.1" | cut -d: -f1)
mv "$T/inc/app.log.1" "$T/whole"
head -n "$n" "$T/whole" >"$T/inc/app.log.1"
mv "$T/inc/app.log" "$T/whole2"
run ingest --db "$T/inc.db" "$T/inc/"
mv "$T/whole" "$T/inc/app.log.1"; mv "$T/whole2" "$T/inc/app.log"
run ingest --db "$T/inc.db" "$T/inc/"
sum() { sql "$1" "SELECT kind, ts_us, duration_us, task, message, confidence FROM findings WHERE rule = 'stall.gap' ORDER BY ts_us"; }
run ingest --db "$T/one.db" "$T/inc/"
expect_eq "a gap decided at the end of a run is decided again with what follows" \
	"$(sum "$T/inc.db")" "$(sum "$T/one.db")"
