# Crash-safe ingest (issue 6): `aiosift ingest` is killed with SIGKILL at
# many points while it reads a rotation set of gzip and plain members,
# then run again; the database must equal a clean run's: same records,
# findings, incidents and counts, no duplicates, nothing missing. Then the
# same with the set rotated (renamed and gzipped) between the kill and the
# re-run, and with copytruncate. The logs are real CPython output
# (tests/fixtures/ingest/service.log, tests/fixtures/asyncio/web_pool-*),
# each member a different cut of copies so that each starts differently.
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

# kill_at DB DELAY ARGS...: start an ingest, SIGKILL it after DELAY
# seconds; $killed is 1 when it was killed (not already done).
kill_at() {
	local db=$1 delay=$2 pid rc
	shift 2
	"$AIOSIFT" ingest -q --db "$db" "$@" >/dev/null 2>"$T/kill.err" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null; rc=$?
	killed=$([ "$rc" -eq 137 ] && echo 1 || echo 0)
}

mkset "$T/set"
nbytes=$(cat "$T/set"/app.log* | wc -c)
for keep in context all; do
	rm -f "$T/clean-$keep.db"*
	start=$(date +%s.%N)
	"$AIOSIFT" ingest -q --keep "$keep" --db "$T/clean-$keep.db" "$T/set"
	expect_status "clean run, --keep $keep" 0 </dev/null
	dur=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	dump "$T/clean-$keep.db" >"$T/clean-$keep"
	eval "dur_$keep=$dur"
done
[ "$(grep -c '^finding' "$T/clean-context")" -gt 20 ] && pass "the set has findings" || fail "the set has findings" "too few"
[ "$(grep -c '^incident' "$T/clean-context")" -gt 5 ] && pass "the set has incidents" || fail "the set has incidents" "too few"

# --- SIGKILL at KILLS points, spread over the clean run's time ------------
# (more than KILLS when the kills so far fell on too few read positions:
# how far a run gets in a given time varies from machine to machine)
points=() i=0 tries=0 ndistinct=0
while { [ "$i" -lt "$KILLS" ] || [ "$ndistinct" -lt 10 ]; } &&
    [ "$tries" -lt $((KILLS * 4)) ]; do
	tries=$((tries + 1))
	keep=$([ $((tries % 2)) -eq 0 ] && echo all || echo context)
	dur=$(eval echo "\$dur_$keep")
	# from the first commit to the correlation at the end
	delay=$(awk -v d="$dur" -v f=$(((tries * 37) % 100)) 'BEGIN { printf "%.3f", d * f / 100 + 0.02 }')
	rm -f "$T/k.db"*
	kill_at "$T/k.db" "$delay" --keep "$keep" "$T/set"
	[ "$killed" = 1 ] || continue
	i=$((i + 1))
	at=$(progress "$T/k.db")
	points+=("$at")
	"$AIOSIFT" ingest -q --keep "$keep" --db "$T/k.db" "$T/set" >"$out" 2>"$err"; st=$?
	expect_status "kill $i (${delay}s, $at bytes read, --keep $keep): re-run exits 0" 0
	same "kill $i: same as a clean run" "$T/k.db" "$T/clean-$keep"
	expect_eq "kill $i: no duplicates" "$(dups "$T/k.db")" 0
	expect_eq "kill $i: time index sound" "$(spans_bad "$T/k.db")" 0
	ndistinct=$(printf '%s\n' "${points[@]}" | sort -u | wc -l)
done
echo "# kill points tested: $i, at $ndistinct distinct read positions of $nbytes bytes (+5 in a row, 4 with rotation, 5 with copytruncate)"
[ "$i" -ge 20 ] && pass "at least 20 kill points" || fail "at least 20 kill points" "$i"
[ "$ndistinct" -ge 10 ] && pass "kills at 10+ different read positions" || fail "kills at 10+ different read positions" "$ndistinct"

# several kills in a row, then the rest
rm -f "$T/k.db"*
for delay in 0.1 0.2 0.15 0.3 0.25; do kill_at "$T/k.db" "$delay" "$T/set"; done
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
	rm -rf "$T/rot"; cp -a "$T/set" "$T/rot"
	rm -f "$T/k.db"*
	delay=$(awk -v d="$dur_context" -v f="$frac" 'BEGIN { printf "%.3f", d * f / 100 }')
	kill_at "$T/k.db" "$delay" "$T/rot"
	rotate "$T/rot"
	"$AIOSIFT" ingest -q --db "$T/k.db" "$T/rot" >"$out" 2>"$err"; st=$?
	expect_status "rotated after a kill at ${frac}%: exit 0" 0
	same "rotated after a kill at ${frac}% (killed: $killed): same as a clean run" "$T/k.db" "$T/clean-rot"
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
	rm -rf "$T/ct"; cp -a "$T/set" "$T/ct"
	rm -f "$T/k.db"*
	delay=$(awk -v d="$dur_context" -v f="$frac" 'BEGIN { printf "%.3f", d * f / 100 }')
	kill_at "$T/k.db" "$delay" "$T/ct"
	copytrunc "$T/ct"
	"$AIOSIFT" ingest -q --db "$T/k.db" "$T/ct" >"$out" 2>"$err"; st=$?
	expect_status "copytruncate after a kill at ${frac}%: exit 0" 0
	same "copytruncate after a kill at ${frac}% (killed: $killed): same as a clean run" "$T/k.db" "$T/clean-ct"
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
for delay in 0.1 0.3; do
	rm -f "$T/k.db"*
	member 4 >"$T/solo/app.log"
	kill_at "$T/k.db" "$delay" --keep all "$T/solo/app.log"
	sql "$T/k.db" "SELECT offset, hex(text) FROM records ORDER BY 1" >"$T/before" 2>/dev/null
	before=$(wc -l <"$T/before")
	: >"$T/solo/app.log"
	cat "$T/new.log" >>"$T/solo/app.log"
	"$AIOSIFT" ingest -q --keep all --db "$T/k.db" "$T/solo/app.log" >"$out" 2>"$err"; st=$?
	expect_status "copytruncate, copy elsewhere, kill at ${delay}s: exit 0" 0
	expect_eq "copytruncate, kill at ${delay}s: records read before stay" \
		"$(sql "$T/k.db" "SELECT offset, hex(text) FROM records ORDER BY 1" | grep -cxFf "$T/before")" "$before"
	expect_eq "copytruncate, kill at ${delay}s: total is before + new" \
		"$(sql "$T/k.db" "SELECT count(*) FROM records")" $((before + newrecs))
done
