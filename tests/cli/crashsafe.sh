# Crash-safe ingest (issue 6): `aiosift ingest` is killed with SIGKILL at
# many points while it reads a rotation set of gzip and plain members,
# then run again; the database must equal a clean run's: same records,
# findings, incidents and counts, no duplicates, nothing missing. Then the
# same with the set rotated (renamed and gzipped) between the kill and the
# re-run, and with copytruncate. The logs are real CPython output
# (tests/fixtures/ingest/service.log, tests/fixtures/asyncio/web_pool-*),
# each member a different cut of copies so that each starts differently.
# Every kill point is a point of the run's own progress (the N-th record,
# the N-th commit, the correlation: AIOSIFT_TEST_KILL, common/testhook.h),
# never a time, so the same points are tested on any machine under any load.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
POOL=$FIXTURES/asyncio/web_pool-py3.12.1
case $AIOSIFT in */san/*) COPIES=3 ;; *) COPIES=6 ;; esac
KILLS=${CRASHSAFE_KILLS:-24}
export AIOSIFT_BATCH_RECORDS=200	# many commits, so kills fall between

# member K: copies of the log starting at its K-th header line.
heads=($(grep -n '^20[0-9][0-9]-' "$LOG" | cut -d: -f1))
member() {
	local c=${heads[$(($1 * 37))]} i
	tail -n +"$c" "$LOG"
	for i in $(seq "$COPIES"); do cat "$LOG"; done
	head -n $((c - 1)) "$LOG"
}
# mkset DIR: the rotation sets app.log{.3.gz,.2.gz,.1,} and pool.log*.
mkset() {
	mkdir -p "$1"
	member 1 | gzip -c >"$1/app.log.3.gz"
	# two gzip members in one file, as logrotate appends make them
	{ member 2 | head -c 150000 | gzip -c; member 2 | tail -c +150001 | gzip -c; } >"$1/app.log.2.gz"
	member 3 >"$1/app.log.1"
	member 4 >"$1/app.log"
	cp "$POOL/app.log.3.gz" "$1/pool.log.3.gz"
	cp "$POOL/app.log.2.gz" "$1/pool.log.2.gz"
	cp "$POOL/app.log.1.gz" "$1/pool.log.1.gz"
	cp "$POOL/app.log" "$1/pool.log"
}

# dump DB: everything a run stores, in an order and with names that do
# not depend on how the run was cut into pieces (source ids, record ids,
# incident ids differ; paths are shown by their base name).
dump() {
	sqlite3 -batch "$1" "
	  SELECT 'record', replace(s.path, rtrim(s.path, replace(s.path, '/', '')), ''),
	    r.offset, r.line, r.nlines, r.ts_us, r.flags, r.level, r.logger,
	    r.pid, r.thread, r.task, r.msg_off, hex(r.text)
	    FROM records r JOIN sources s ON s.id = r.source_id ORDER BY 2, 3;
	  SELECT 'finding', replace(s.path, rtrim(s.path, replace(s.path, '/', '')), ''),
	    f.offset, f.line, f.ts_us, f.kind, f.rule, f.severity, f.task, f.coro,
	    f.exception, f.location, f.message, f.duration_us,
	    i.kinds, i.key, i.first_us, i.count
	    FROM findings f JOIN sources s ON s.id = f.source_id
	    LEFT JOIN incidents i ON i.id = f.incident_id ORDER BY 2, 3, 6, 7, 9, 10, 11;
	  SELECT 'incident', first_us, last_us, severity, kinds, key, task, coro,
	    count, summary, replace(set_path, rtrim(set_path, replace(set_path, '/', '')), '')
	    FROM incidents ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
	  SELECT 'count', replace(s.path, rtrim(s.path, replace(s.path, '/', '')), ''),
	    c.minute, c.level, c.logger, c.n
	    FROM counts c JOIN sources s ON s.id = c.source_id ORDER BY 2, 3, 4, 5;
	  SELECT 'source', replace(path, rtrim(path, replace(path, '/', '')), ''),
	    gzip, size, read_bytes, read_lines, complete, records, first_us, last_us
	    FROM sources ORDER BY 2;"
}
# dups DB: records or findings stored twice.
dups() {
	sql "$1" "SELECT (SELECT count(*) - count(DISTINCT source_id || ':' || offset) FROM records)
	  + (SELECT count(*) - count(DISTINCT source_id || ':' || offset || ':' || kind || ':' || rule || ':' || ifnull(task, '')) FROM findings)"
}
progress() { sql "$1" "SELECT ifnull(sum(read_bytes), 0) FROM sources" 2>/dev/null || echo 0; }
# same NAME DB CLEAN-DUMP: compare, showing the first difference.
same() {
	dump "$2" >"$T/got"
	if cmp -s "$T/got" "$3"; then pass "$1"; else
		fail "$1" "$(diff "$3" "$T/got" | grep -m3 '^[<>]' | cut -c1-150 | tr '\n' ' ')"
	fi
}

mkset "$T/set"
nbytes=$(cat "$T/set"/app.log* | wc -c)
for keep in context all; do
	rm -f "$T/clean-$keep.db"*
	"$AIOSIFT" ingest -q --keep "$keep" --db "$T/clean-$keep.db" "$T/set"; st=$?
	expect_status "clean run, --keep $keep" 0
	dump "$T/clean-$keep.db" >"$T/clean-$keep"
done
[ "$(grep -c '^finding' "$T/clean-context")" -gt 20 ] && pass "the set has findings" || fail "the set has findings" "too few"
[ "$(grep -c '^incident' "$T/clean-context")" -gt 5 ] && pass "the set has incidents" || fail "the set has incidents" "too few"

# kill_at DB EVENT:N ARGS...: run an ingest that SIGKILLs itself at the
# N-th EVENT ("record", "commit", "correlate": common/testhook.h), so the
# kill point is the run's own progress, not the clock; $killed is 1 when it
# was killed (0 when the run ended before that point).
kill_at() {
	local db=$1 at=$2 rc
	shift 2
	AIOSIFT_TEST_KILL=$at "$AIOSIFT" ingest -q --db "$db" "$@" \
	    >/dev/null 2>"$T/kill.err" &
	wait "$!" 2>/dev/null; rc=$?	# (in the background: no "Killed")
	killed=$([ "$rc" -eq 137 ] && echo 1 || echo 0)
}
# The kill points: records entering the pipeline and commits, spread over a
# clean run (the set's records; a batch commits every 200 records).
nrecs=$(sql "$T/clean-all.db" "SELECT count(*) FROM records")
ncommits=$((nrecs / 200))
[ "$nrecs" -gt 2000 ] && pass "the set has records ($nrecs)" || fail "the set has records" "$nrecs"
kill_point() {	# kill_point I: the I-th kill point
	local f=$((($1 * 37) % 100))
	case $(($1 % 3)) in
	0) echo "commit:$((1 + ncommits * f / 100))" ;;
	*) echo "record:$((1 + (nrecs - 1) * f / 100))" ;;
	esac
}

# --- SIGKILL at KILLS points of the run's progress, and in correlation -----
points=() i=0
for n in $(seq 1 "$KILLS") correlate; do
	keep=$([ $((i % 2)) -eq 0 ] && echo context || echo all)
	if [ "$n" = correlate ]; then at=correlate:1; else at=$(kill_point "$n"); fi
	rm -f "$T/k.db"*
	kill_at "$T/k.db" "$at" --keep "$keep" "$T/set"
	expect_eq "kill at $at: the run was killed there" "$killed" 1
	i=$((i + 1))
	pos=$(progress "$T/k.db")
	points+=("$pos")
	"$AIOSIFT" ingest -q --keep "$keep" --db "$T/k.db" "$T/set" >"$out" 2>"$err"; st=$?
	expect_status "kill $i ($at, $pos bytes read, --keep $keep): re-run exits 0" 0
	same "kill $i ($at): same as a clean run" "$T/k.db" "$T/clean-$keep"
	expect_eq "kill $i ($at): no duplicates" "$(dups "$T/k.db")" 0
	expect_eq "kill $i ($at): time index sound" "$(spans_bad "$T/k.db")" 0
done
ndistinct=$(printf '%s\n' "${points[@]}" | sort -u | wc -l)
echo "# kill points tested: $i, at $ndistinct distinct read positions of $nbytes bytes (+5 in a row, 4 with rotation, 5 with copytruncate)"
[ "$i" -ge 20 ] && pass "at least 20 kill points" || fail "at least 20 kill points" "$i"
[ "$ndistinct" -ge 10 ] && pass "kills at 10+ different read positions" || fail "kills at 10+ different read positions" "$ndistinct"

# several kills in a row, then the rest
rm -f "$T/k.db"*
# (each run counts its own progress from where the last one stopped)
for at in record:150 commit:3 record:$((nrecs / 8)) commit:4 record:$((nrecs / 8)); do
	kill_at "$T/k.db" "$at" "$T/set"
	expect_eq "kills in a row: killed at $at" "$killed" 1
done
"$AIOSIFT" ingest -q --db "$T/k.db" "$T/set"
same "five kills in a row, then a run: same as a clean run" "$T/k.db" "$T/clean-context"

# --- rotation (rename + gzip) between the kill and the re-run --------------
# logrotate with compress: .3.gz -> .4.gz, .2.gz -> .3.gz, .1 -> .2.gz,
# app.log -> app.log.1.gz, and a new app.log.
rotate() {
	local d=$1
	mv "$d/app.log.3.gz" "$d/app.log.4.gz"
	mv "$d/app.log.2.gz" "$d/app.log.3.gz"
	gzip -c "$d/app.log.1" >"$d/app.log.2.gz"; rm "$d/app.log.1"
	gzip -c "$d/app.log" >"$d/app.log.1.gz"; rm "$d/app.log"
	member 5 >"$d/app.log"
}
rm -rf "$T/rot-clean"; cp -a "$T/set" "$T/rot-clean"; rotate "$T/rot-clean"
rm -f "$T/rc.db"*
"$AIOSIFT" ingest -q --db "$T/rc.db" "$T/rot-clean"
dump "$T/rc.db" >"$T/clean-rot"
for frac in 10 35 60 85; do
	at=record:$((1 + nrecs * frac / 100))
	rm -rf "$T/rot"; cp -a "$T/set" "$T/rot"
	rm -f "$T/k.db"*
	kill_at "$T/k.db" "$at" "$T/rot"
	expect_eq "rotated after a kill at ${frac}% ($at): killed there" "$killed" 1
	rotate "$T/rot"
	"$AIOSIFT" ingest -q --db "$T/k.db" "$T/rot" >"$out" 2>"$err"; st=$?
	expect_status "rotated after a kill at ${frac}%: exit 0" 0
	same "rotated after a kill at ${frac}% ($at): same as a clean run" "$T/k.db" "$T/clean-rot"
	expect_eq "rotated after a kill at ${frac}%: no duplicates" "$(dups "$T/k.db")" 0
	expect_eq "rotated after a kill at ${frac}%: time index sound" "$(spans_bad "$T/k.db")" 0
	expect_eq "rotated after a kill at ${frac}%: no source read twice" \
		"$(sql "$T/k.db" "SELECT count(*) FROM sources WHERE path LIKE '%app.log%'")" 5
done

# --- copytruncate between the kill and the re-run ---------------------------
# The copy (app.log.1 -> ...) is made and app.log emptied in place, then
# written to again. With the copy in the set, the result is a clean run's
# over the final files; without it, what was read before stays and the new
# content is read from its start.
copytrunc() {
	local d=$1
	mv "$d/app.log.3.gz" "$d/app.log.4.gz"
	mv "$d/app.log.2.gz" "$d/app.log.3.gz"
	gzip -c "$d/app.log.1" >"$d/app.log.2.gz"; rm "$d/app.log.1"
	cp "$d/app.log" "$d/app.log.1"
	: >"$d/app.log"
	member 6 >>"$d/app.log"
}
rm -rf "$T/ct-clean"; cp -a "$T/set" "$T/ct-clean"; copytrunc "$T/ct-clean"
rm -f "$T/cc.db"*
"$AIOSIFT" ingest -q --db "$T/cc.db" "$T/ct-clean"
dump "$T/cc.db" >"$T/clean-ct"
for frac in 20 50 80; do
	at=record:$((1 + nrecs * frac / 100))
	rm -rf "$T/ct"; cp -a "$T/set" "$T/ct"
	rm -f "$T/k.db"*
	kill_at "$T/k.db" "$at" "$T/ct"
	expect_eq "copytruncate after a kill at ${frac}% ($at): killed there" "$killed" 1
	copytrunc "$T/ct"
	"$AIOSIFT" ingest -q --db "$T/k.db" "$T/ct" >"$out" 2>"$err"; st=$?
	expect_status "copytruncate after a kill at ${frac}%: exit 0" 0
	same "copytruncate after a kill at ${frac}% ($at): same as a clean run" "$T/k.db" "$T/clean-ct"
	expect_eq "copytruncate after a kill at ${frac}%: no duplicates" "$(dups "$T/k.db")" 0
	expect_eq "copytruncate after a kill at ${frac}%: time index sound" "$(spans_bad "$T/k.db")" 0
done
# the copy goes elsewhere: app.log alone, killed while it is read
mkdir -p "$T/solo"
member 4 >"$T/solo/app.log"
member 6 >"$T/new.log"
rm -f "$T/nc.db"*
"$AIOSIFT" ingest -q --keep all --db "$T/nc.db" "$T/new.log"
newrecs=$(sql "$T/nc.db" "SELECT count(*) FROM records")
# recs DB: the records stored, one line each; none when nothing was
# committed yet (no database, or no records table: a valid state).
recs() {
	if [ -s "$1" ] && [ "$(sql "$1" "SELECT count(*) FROM sqlite_master WHERE name = 'records'")" = 1 ]; then
		sql "$1" "SELECT offset, hex(text) FROM records ORDER BY 1"
	fi
}
# record:1 is before the first batch commits (nothing read before: 0);
# commit:3 is after two batches of 200 (commit 1 adds the source).
for at in record:1 commit:3; do
	rm -f "$T/k.db"*
	member 4 >"$T/solo/app.log"
	kill_at "$T/k.db" "$at" --keep all "$T/solo/app.log"
	expect_eq "copytruncate, copy elsewhere, kill at $at: killed there" "$killed" 1
	recs "$T/k.db" >"$T/before"
	before=$(wc -l <"$T/before")
	case $at in
	record:1) expect_eq "kill at $at: nothing stored before" "$before" 0 ;;
	*) expect_eq "kill at $at: two batches stored before" "$before" 400 ;;
	esac
	: >"$T/solo/app.log"
	cat "$T/new.log" >>"$T/solo/app.log"
	"$AIOSIFT" ingest -q --keep all --db "$T/k.db" "$T/solo/app.log" >"$out" 2>"$err"; st=$?
	expect_status "copytruncate, copy elsewhere, kill at $at: exit 0" 0
	recs "$T/k.db" >"$T/after"
	expect_eq "copytruncate, kill at $at: records read before stay" \
		"$(awk 'NR == FNR { b[$0]; next } $0 in b { n++ } END { print n + 0 }' "$T/before" "$T/after")" "$before"
	expect_eq "copytruncate, kill at $at: total is before + new" \
		"$(wc -l <"$T/after")" $((before + newrecs))
done
