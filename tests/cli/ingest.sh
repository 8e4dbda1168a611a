# End-to-end tests of `aiosift ingest` on a real CPython log
# (tests/fixtures/ingest/service.log, made by tests/gen/make_ingest_fixture.py):
# record counts, idempotent and incremental runs, rotation and truncation
# between runs, resume after a kill, stdin, and bad input.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
HEADERS=$(grep -c '^20[0-9][0-9]-' "$LOG")
NLINES=$(wc -l <"$LOG")

# dump DB: the records, findings and counts, in an order that does not
# depend on how the run was cut into pieces.
dump() {
	sqlite3 -batch "$1" "SELECT line, nlines, ts_us, flags, level, logger,
	    pid, thread, task, hex(text) FROM records ORDER BY ts_us, line;
	  SELECT kind, rule, severity, line, ts_us, task, coro, exception,
	    location, duration_us FROM findings ORDER BY ts_us, line, kind;
	  SELECT minute, level, logger, sum(n) FROM counts GROUP BY 1, 2, 3
	    ORDER BY 1, 2, 3;"
}
nrec() { sql "$1" "SELECT count(*) FROM records"; }

# --- usage -------------------------------------------------------------
run ingest --help
expect_status "help exits 0" 0
expect_out "help shows usage" '^usage: aiosift ingest'
run ingest --db "$T/u.db"
expect_status "no path is a usage error" 2
run ingest --db "$T/u.db" --keep sometimes "$LOG"
expect_status "bad --keep is a usage error" 2
expect_err "bad --keep is named" "bad --keep 'sometimes'"
run ingest --db "$T/u.db" --bogus "$LOG"
expect_status "unknown option is a usage error" 2

# --- one clean run -----------------------------------------------------
run ingest --db "$T/a.db" --keep all "$LOG"
expect_status "clean ingest exits 0" 0
expect_out "summary line" "^ingested 1 file .*$HEADERS records"
expect_eq "one record per header line" "$(nrec "$T/a.db")" "$HEADERS"
expect_eq "records cover every line" \
	"$(sql "$T/a.db" "SELECT sum(nlines) FROM records")" "$NLINES"
expect_eq "read position is the file size" \
	"$(sql "$T/a.db" "SELECT read_bytes FROM sources")" "$(stat -c %s "$LOG")"
expect_eq "times are UTC microseconds" \
	"$(sql "$T/a.db" "SELECT ts_us FROM records WHERE line = 1")" \
	"$(date -u -d "$(head -c 23 "$LOG" | tr , .)" +%s%N | cut -c1-16)"
expect_eq "counts see every record" \
	"$(sql "$T/a.db" "SELECT sum(n) FROM counts")" "$HEADERS"
dump "$T/a.db" >"$T/clean"

# --- idempotent --------------------------------------------------------
run ingest --db "$T/a.db" --keep all "$LOG"
expect_status "second run exits 0" 0
expect_out "second run reads nothing" "^ingested 0 files .* 1 file unchanged"
dump "$T/a.db" >"$T/again"
expect_eq "second run changes nothing" "$(cmp -s "$T/clean" "$T/again" && echo same)" same

# --- incremental: the file grows between runs ---------------------------
half=$((NLINES / 2))
mkdir -p "$T/inc"
head -n "$half" "$LOG" >"$T/inc/app.log"
run ingest --db "$T/b.db" --keep all "$T/inc/app.log"
first=$(nrec "$T/b.db")
tail -n +"$((half + 1))" "$LOG" >>"$T/inc/app.log"
run ingest --db "$T/b.db" --keep all "$T/inc/app.log"
expect_status "incremental run exits 0" 0
dump "$T/b.db" >"$T/inc.dump"
expect_eq "grown file: same as one clean run" "$(cmp -s "$T/clean" "$T/inc.dump" && echo same)" same
if [ "$first" -gt 0 ] && [ "$first" -lt "$HEADERS" ]; then pass "first half stored part"; else fail "first half stored part" "$first of $HEADERS"; fi

# --- an unterminated last line waits for the next run -------------------
mkdir -p "$T/part"
head -n 10 "$LOG" >"$T/part/app.log"
line11=$(sed -n 11p "$LOG")
printf '%s' "${line11:0:20}" >>"$T/part/app.log"
run ingest --db "$T/c.db" --keep all "$T/part/app.log"
n1=$(nrec "$T/c.db")
printf '%s\n' "${line11:20}" >>"$T/part/app.log"
sed -n '12,$p' "$LOG" >>"$T/part/app.log"
run ingest --db "$T/c.db" --keep all "$T/part/app.log"
expect_eq "partial line not stored early" \
	"$(sql "$T/c.db" "SELECT count(*) FROM records WHERE line = 11 AND length(text) < 25")" 0
dump "$T/c.db" >"$T/part.dump"
expect_eq "partial line: same as one clean run" "$(cmp -s "$T/clean" "$T/part.dump" && echo same)" same
[ "$n1" -lt "$HEADERS" ] && pass "partial run stopped early" || fail "partial run stopped early" "$n1"

# --- rotation between runs: renamed and gzipped, new live file ----------
mkdir -p "$T/rot"
head -n "$half" "$LOG" >"$T/rot/app.log"
run ingest --db "$T/d.db" --keep all "$T/rot"
printf '%s\n' "$(sed -n "$((half + 1)),$((half + 5))p" "$LOG")" >>"$T/rot/app.log"
mv "$T/rot/app.log" "$T/rot/app.log.1"
gzip "$T/rot/app.log.1"
tail -n +"$((half + 6))" "$LOG" >"$T/rot/app.log"
run ingest --db "$T/d.db" --keep all "$T/rot"
expect_status "run after rotation exits 0" 0
mkdir -p "$T/rot2"; cp "$T/rot/app.log.1.gz" "$T/rot/app.log" "$T/rot2/"
run ingest --db "$T/d2.db" --keep all "$T/rot2"
expect_eq "rotated set: same as one clean run" "$(dump "$T/d.db" | md5sum)" "$(dump "$T/d2.db" | md5sum)"
expect_eq "rotated member recognised, not read twice" \
	"$(sql "$T/d.db" "SELECT count(*) FROM sources")" 2
expect_eq "renamed source keeps its new path" \
	"$(sql "$T/d.db" "SELECT count(*) FROM sources WHERE path LIKE '%app.log.1.gz'")" 1
run ingest --db "$T/d.db" --keep all "$T/rot"
expect_out "nothing new after rotation" "^ingested 0 files"

# --- copytruncate: the file is emptied in place and grows again ---------
mkdir -p "$T/ct"
head -n "$half" "$LOG" >"$T/ct/app.log"
run ingest --db "$T/e.db" --keep all "$T/ct/app.log"
before=$(nrec "$T/e.db")
: >"$T/ct/app.log"
sed -n '1,20p' "$LOG" | sed 's/INFO app.access/INFO app.access2/' >>"$T/ct/app.log"
run ingest --db "$T/e.db" --keep all "$T/ct/app.log"
expect_status "run after copytruncate exits 0" 0
expect_eq "truncated file read from its start" \
	"$(sql "$T/e.db" "SELECT count(*) FROM records WHERE logger = 'app.access2'")" \
	"$(sed -n '1,20p' "$LOG" | grep -c 'INFO app.access:')"
expect_eq "old records kept after copytruncate" \
	"$(sql "$T/e.db" "SELECT count(*) FROM records WHERE source_id = 1")" "$before"

# --- stdin -------------------------------------------------------------
"$AIOSIFT" ingest --db "$T/f.db" --keep all - <"$LOG" >"$out" 2>"$err"; st=$?
expect_status "stdin ingest exits 0" 0
expect_eq "stdin: every record" "$(nrec "$T/f.db")" "$HEADERS"

# --- findings with the default --keep context --------------------------
run ingest --db "$T/g.db" "$LOG"
expect_status "default keep exits 0" 0
kept=$(nrec "$T/g.db")
nf=$(sql "$T/g.db" "SELECT count(*) FROM findings")
[ "$nf" -gt 0 ] && pass "findings found" || fail "findings found" "none"
[ "$kept" -lt "$HEADERS" ] && pass "context keeps fewer records" || fail "context keeps fewer records" "$kept of $HEADERS"
expect_eq "every finding has its record" \
	"$(sql "$T/g.db" "SELECT count(*) FROM findings f LEFT JOIN records r ON r.id = f.record_id WHERE r.id IS NULL")" 0
expect_eq "context: same findings as --keep all" \
	"$(sql "$T/g.db" "SELECT kind, line, ts_us FROM findings ORDER BY 1,2,3" | md5sum)" \
	"$(sql "$T/a.db" "SELECT kind, line, ts_us FROM findings ORDER BY 1,2,3" | md5sum)"
expect_eq "counts still see every record" \
	"$(sql "$T/g.db" "SELECT sum(n) FROM counts")" "$HEADERS"

# --- resume after SIGKILL at several points ----------------------------
mkdir -p "$T/big"
for i in $(seq 1 60); do cat "$LOG"; done >"$T/big/app.log"
"$AIOSIFT" ingest --db "$T/big-clean.db" --keep all "$T/big/app.log" >/dev/null 2>&1
clean=$(dump "$T/big-clean.db" | md5sum)
export AIOSIFT_BATCH_RECORDS=300	# many commits, so kills fall between
# kill points from the run's own progress (common/testhook.h), not time
nbig=$(sql "$T/big-clean.db" "SELECT count(*) FROM records")
for at in record:1 record:299 commit:3 record:$((nbig / 3)) record:$((nbig - 1)) correlate:1; do
	rm -f "$T/k.db"*
	AIOSIFT_TEST_KILL=$at "$AIOSIFT" ingest --db "$T/k.db" --keep all \
	    "$T/big/app.log" >/dev/null 2>&1 &
	wait "$!" 2>/dev/null
	expect_eq "killed at $at" "$?" 137
	"$AIOSIFT" ingest --db "$T/k.db" --keep all "$T/big/app.log" >/dev/null 2>&1
	expect_eq "killed at $at, re-run equals clean run" "$(dump "$T/k.db" | md5sum)" "$clean"
done

unset AIOSIFT_BATCH_RECORDS

# --- two ingests at once never duplicate -------------------------------
rm -f "$T/p.db"*
"$AIOSIFT" ingest --db "$T/p.db" --keep all "$T/big/app.log" >/dev/null 2>"$T/p1.err" &
p1=$!
"$AIOSIFT" ingest --db "$T/p.db" --keep all "$T/big/app.log" >/dev/null 2>"$T/p2.err" &
p2=$!
wait "$p1"; s1=$?; wait "$p2"; s2=$?
expect_eq "concurrent ingests both succeed" "$s1 $s2" "0 0"
expect_eq "concurrent ingests: same as one clean run" "$(dump "$T/p.db" | md5sum)" "$clean"

# --- bad input ---------------------------------------------------------
run ingest --db "$T/h.db" "$T/does-not-exist.log" "$LOG"
expect_status "missing file: exit 3" 3
expect_err "missing file is named" 'does-not-exist.log: No such file'
expect_eq "the other file still ingested" "$(sql "$T/h.db" "SELECT count(*) FROM sources")" 1
head -c 20000 "$LOG" | gzip -c >"$T/full.gz"
head -c "$(($(stat -c %s "$T/full.gz") / 2))" "$T/full.gz" >"$T/cut.log.gz"
run ingest --db "$T/i.db" --keep all "$T/cut.log.gz"
expect_status "truncated gzip: exit 3" 3
expect_err "truncated gzip named with its byte" 'cut\.log\.gz: byte [0-9]+'
[ "$(nrec "$T/i.db")" -gt 0 ] && pass "what decoded before is kept" || fail "what decoded before is kept" "no records"
printf 'not a database, just text\n' >"$T/text.db"
run ingest --db "$T/text.db" "$LOG"
expect_status "text file as database: exit 4" 4
expect_err "database error names the file" 'text\.db'
expect_eq "text database left intact" "$(cat "$T/text.db")" "not a database, just text"
run ingest --db "$T/no/such/dir/x.db" "$LOG"
expect_status "unopenable database: exit 4" 4

# --- a broken gzip early in the run does not stop the others -----------
run ingest --db "$T/j.db" --keep all "$FIXTURES/broken/badcrc.gz" "$FIXTURES/broken/single.gz"
expect_status "broken first file: exit 3" 3
expect_out "broken first file: the run still ends with its summary" '^ingested 2 files'
expect_eq "broken first file: the next file is ingested" \
	"$(sql "$T/j.db" "SELECT count(*) FROM sources WHERE path LIKE '%single.gz'")" 1

# --- a stall right before the end of the log is still reported ----------
# (a service that stalled and died: the gap's decision waits for records
# after it that never come)
W=$FIXTURES/asyncio/web_pool-py3.12.1
mkdir -p "$T/dying"
cp "$W/app.log.3.gz" "$T/dying/"
zcat "$W/app.log.2.gz" | sed -n '1,30p' >"$T/dying/app.log"
run ingest --db "$T/s.db" "$T/dying"
expect_status "log ending after a stall: exit 0" 0
expect_eq "stall at the end of the log reported once" \
	"$(sql "$T/s.db" "SELECT count(*) || ' ' || line FROM findings WHERE kind = 'stall'")" "1 29"

# --- two runs creating one database at once both succeed ----------------
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	rm -f "$T/fresh.db"*
	"$AIOSIFT" ingest -q --db "$T/fresh.db" --keep all "$LOG" 2>>"$T/fresh.err" &
	"$AIOSIFT" ingest -q --db "$T/fresh.db" --keep all "$LOG" 2>>"$T/fresh.err" || bad=$((bad + 1))
	wait $! || bad=$((bad + 1))
	[ "$(nrec "$T/fresh.db")" = "$HEADERS" ] || bad=$((bad + 1))
done
expect_eq "fresh database created by two runs at once, 10 times" \
	"$bad $(head -c 200 "$T/fresh.err")" "0 "

# --- --reread: the files read again, nothing lost or doubled -------------
# (it once forgot the records and findings and then read nothing: the
# read position stayed in the database)
W=$FIXTURES/asyncio/web_pool-py3.12.1
ANSWERS="SELECT count(*), sum(length(text)) FROM records;
  SELECT kind, line, coro, exception FROM findings ORDER BY 1, 2, 3;
  SELECT kinds, count, summary FROM incidents ORDER BY first_us, kinds;
  SELECT sum(n) FROM counts"
for keep in all context; do
	rm -f "$T/rr.db"*
	"$AIOSIFT" ingest -q --keep "$keep" --db "$T/rr.db" "$W"
	sql "$T/rr.db" "$ANSWERS" >"$T/rr.before"
	run ingest --keep "$keep" --reread --db "$T/rr.db" "$W"
	expect_status "--reread --keep $keep: exit 0" 0
	expect_out "--reread --keep $keep: every record read again" \
	    "^ingested 4 files \(0\.0 MB, 112 records"
	sql "$T/rr.db" "$ANSWERS" >"$T/rr.after"
	expect_eq "--reread --keep $keep: the same records, findings, incidents and counts" \
	    "$(diff "$T/rr.before" "$T/rr.after" | head -5)" ""
	expect_eq "--reread --keep $keep: time index sound" "$(spans_bad "$T/rr.db")" 0
	# one file of the set again: its incidents are made again, whole
	run ingest --keep "$keep" --reread --db "$T/rr.db" "$W/app.log.2.gz"
	expect_status "--reread of one member, --keep $keep: exit 0" 0
	sql "$T/rr.db" "$ANSWERS" >"$T/rr.after"
	expect_eq "--reread of one member, --keep $keep: the same answers" \
	    "$(diff "$T/rr.before" "$T/rr.after" | head -5)" ""
done

# --- a record a size-based rotation cut in two ---------------------------
# (kubelet rotates container logs by size: k8s_worker's traceback of
# "Exception in callback" ends one file, its KeyError starts the next)
K=$FIXTURES/asyncio/k8s_worker-py3.12.1
cut=app.log.20261129-230721
STITCHED="SELECT kind, task, coro, exception FROM findings ORDER BY 1, 2, 3;
  SELECT kinds, count, summary FROM incidents ORDER BY first_us, kinds;
  SELECT count(*), sum(nlines), sum(flags & 64 != 0) FROM records"
rm -f "$T/k1.db"*
run ingest --db "$T/k1.db" "$K"
expect_status "cut record, one run: exit 0" 0
expect_eq "cut record, one run: the exception at the end of its traceback" \
	"$(sql "$T/k1.db" "SELECT exception FROM findings WHERE kind = 'callback_exception'")" KeyError
expect_eq "cut record, one run: one record, flagged joined, with every line" \
	"$(sql "$T/k1.db" "SELECT count(*), sum(nlines) FROM records WHERE flags & 64 AND text LIKE '%handle: <Handle K8sWorker._rebalance%' AND text LIKE '%KeyError: %'")" "1|9"
sql "$T/k1.db" "$STITCHED" >"$T/k1.ans"
# the same logs in two runs: the cut file was the live app.log then
mkdir -p "$T/k8s"
cp "$K/app.log.20261129-230719.gz" "$T/k8s/"
cp "$K/$cut" "$T/k8s/app.log"
rm -f "$T/k2.db"*
"$AIOSIFT" ingest -q --db "$T/k2.db" "$T/k8s"
mv "$T/k8s/app.log" "$T/k8s/$cut"
cp "$K/app.log" "$T/k8s/app.log"
run ingest --db "$T/k2.db" "$T/k8s"
expect_status "cut record, two runs: exit 0" 0
sql "$T/k2.db" "$STITCHED" >"$T/k2.ans"
expect_eq "cut record, two runs: the answers of one run" \
	"$(diff "$T/k1.ans" "$T/k2.ans" | head -5)" ""
run ingest --db "$T/k2.db" --reread "$T/k8s/app.log"
expect_status "cut record, the second file read again: exit 0" 0
sql "$T/k2.db" "$STITCHED" >"$T/k2.ans"
expect_eq "cut record, the second file read again: nothing appended twice" \
	"$(diff "$T/k1.ans" "$T/k2.ans" | head -5)" ""
expect_eq "cut record: time index sound" "$(spans_bad "$T/k2.db")" 0
