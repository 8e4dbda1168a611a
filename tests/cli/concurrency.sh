# Concurrency (issue 6): two ingests of overlapping paths into one
# database while a reader queries it. Neither ingest nor the reader may
# fail ("database is locked" included: busy timeout and retry), nothing is
# stored twice, the end result equals one clean run, and every read sees
# a consistent snapshot: each finding has its record, and per source the
# stored records (--keep all) and the per-minute counts both equal the
# records the source says it has read.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
POOL=$FIXTURES/asyncio/web_pool-py3.12.1
case $AIOSIFT in */san/*) COPIES=6 ;; *) COPIES=20 ;; esac
ROUNDS=${CONCURRENCY_ROUNDS:-3}
export AIOSIFT_BATCH_RECORDS=250	# many short write transactions

heads=($(grep -n '^20[0-9][0-9]-' "$LOG" | cut -d: -f1))
member() {	# copies of the log from its K-th header line on
	local c=${heads[$(($1 * 37))]} i
	tail -n +"$c" "$LOG"
	for i in $(seq "$COPIES"); do cat "$LOG"; done
	head -n $((c - 1)) "$LOG"
}
S=$T/set
mkdir -p "$S"
member 1 | gzip -c >"$S/app.log.2.gz"
member 2 >"$S/app.log.1"
member 3 >"$S/app.log"
member 4 >"$S/worker.log"
for f in app.log.3.gz app.log.2.gz app.log.1.gz app.log; do cp "$POOL/$f" "$S/pool.${f#app.}"; done

dump() {	# everything stored, independent of ids and of who stored it
	sqlite3 -batch "$1" "
	  SELECT s.path, r.offset, r.line, r.nlines, r.ts_us, r.flags, hex(r.text)
	    FROM records r JOIN sources s ON s.id = r.source_id ORDER BY 1, 2;
	  SELECT s.path, f.offset, f.kind, f.rule, f.task, f.coro, f.exception,
	    f.ts_us FROM findings f JOIN sources s ON s.id = f.source_id
	    ORDER BY 1, 2, 3, 4, 5, 6, 7;
	  SELECT first_us, last_us, kinds, key, count FROM incidents ORDER BY 1, 2, 3, 4, 5;
	  SELECT s.path, c.minute, c.level, c.logger, c.n FROM counts c
	    JOIN sources s ON s.id = c.source_id ORDER BY 1, 2, 3, 4;
	  SELECT path, read_bytes, records, complete FROM sources ORDER BY 1;"
}
# One snapshot, one statement: inconsistencies counted (0 when sound).
SNAP="SELECT (
  (SELECT count(*) FROM findings f LEFT JOIN records r ON r.id = f.record_id
     WHERE r.id IS NULL)
+ (SELECT count(*) FROM sources s WHERE s.records !=
     (SELECT count(*) FROM records r WHERE r.source_id = s.id))
+ (SELECT count(*) FROM sources s WHERE s.records !=
     (SELECT ifnull(sum(n), 0) FROM counts c WHERE c.source_id = s.id))
+ (SELECT count(*) - count(DISTINCT source_id || ':' || offset) FROM records)
+ $SPANS_BAD
  ) || ' ' || (SELECT count(*) FROM records)"


rm -f "$T/clean.db"*
"$AIOSIFT" ingest -q --keep all --db "$T/clean.db" "$S"
dump "$T/clean.db" >"$T/clean"

allreads=0
for round in $(seq "$ROUNDS"); do
	db=$T/c$round.db
	rm -f "$db"*
	# overlapping: the whole directory, and the app set and the worker
	# file named one by one (in another order)
	# Both stop themselves mid-run (after commit N, at a different N each
	# round: common/testhook.h), so they surely overlap and the reader
	# surely reads while both are under way, on any machine under any load.
	AIOSIFT_TEST_STOP=commit:$((round + 1)) "$AIOSIFT" ingest -q --keep all \
	    --db "$db" "$S" >"$T/a.out" 2>"$T/a.err" &
	pa=$!
	wait_stopped "$pa"; ra=$?
	AIOSIFT_TEST_STOP=commit:$((2 * round)) "$AIOSIFT" ingest -q --keep all \
	    --db "$db" "$S/worker.log" "$S/app.log" "$S/app.log.1" \
	    "$S/app.log.2.gz" >"$T/b.out" 2>"$T/b.err" &
	pb=$!
	wait_stopped "$pb"; rb=$?
	expect_eq "round $round: both ingests stopped mid-run" "$ra $rb" "0 0"
	reads=0 bad=0 failed=0 seen="" cont=1
	while [ "$cont" = 1 ] || kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null; do
		if [ -f "$db" ]; then
			if r=$("$AIOSIFT" query sql --db "$db" --format csv "$SNAP" 2>"$T/r.err"); then
				reads=$((reads + 1))
				v=$(printf '%s\n' "$r" | tail -n 1 | tr -d '\r"')
				[ "${v%% *}" = 0 ] || { bad=$((bad + 1)); seen="$seen [$v]"; }
			elif ! grep -q 'no such table\|not an aiosift database\|unable to open' "$T/r.err"; then
				failed=$((failed + 1)); seen="$seen $(head -c 100 "$T/r.err")"
			fi
			"$AIOSIFT" query findings --db "$db" --format ndjson >/dev/null 2>"$T/q.err" ||
			    { grep -q 'no such table\|not an aiosift database\|unable to open' "$T/q.err" ||
			      { failed=$((failed + 1)); seen="$seen $(head -c 100 "$T/q.err")"; }; }
		fi
		# the first reads happen while both are stopped mid-run
		[ "$cont" = 1 ] && { kill -CONT "$pa" "$pb" 2>/dev/null; cont=0; }
	done
	allreads=$((allreads + reads))
	wait "$pa"; sa=$?
	wait "$pb"; sb=$?
	expect_eq "round $round: both ingests succeed" "$sa $sb" "0 0"
	if grep -qi 'locked\|busy' "$T/a.err" "$T/b.err"; then
		fail "round $round: no 'database is locked'" "$(cat "$T/a.err" "$T/b.err" | head -c 200)"
	else pass "round $round: no 'database is locked'"; fi
	expect_eq "round $round: reader never failed" "$failed" "0"
	expect_eq "round $round: $reads reads, every snapshot consistent" "$bad${seen:+ $seen}" "0"
	[ "$reads" -gt 0 ] && pass "round $round: the reader read while they wrote" ||
		fail "round $round: the reader read while they wrote" "no read"
	dump "$db" >"$T/got"
	if cmp -s "$T/got" "$T/clean"; then pass "round $round: same as one clean run"
	else fail "round $round: same as one clean run" "$(diff "$T/clean" "$T/got" | grep -m6 '^[<>]' | cut -c1-120 | tr '\n' ' ')"; fi
	expect_eq "round $round: final snapshot sound" "$(sql "$db" "$SNAP")" "0 $(sql "$T/clean.db" "SELECT count(*) FROM records")"
done
echo "# $ROUNDS rounds of two overlapping ingests; $allreads snapshot reads during the writes"
