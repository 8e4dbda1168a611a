# Reading a rotation set's next member ahead (issue 16): while one member
# is read, the next is opened and a gzip one's first 256 KiB
# inflated by its own thread (ingest/reader.h, reader_open_ahead). The
# results must be the ones of a serial run (AIOSIFT_READ_AHEAD=0
# AIOSIFT_INFLATE_THREAD=0: no thread at all), byte for byte, as `aiosift
# query sql` shows them: records, findings, incidents, counts, sources;
# with a corrupt and a cut member in the middle of the set (the message
# and the exit status the same too), after a SIGKILL in the middle of the
# set (AIOSIFT_TEST_KILL) and a run again, and in an incremental run that
# finds the rotated members unchanged (then none is read ahead: strace
# shows no gzip member opened).
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
case $AIOSIFT in */san/*) COPIES=4 ;; *) COPIES=12 ;; esac

# member K: copies of the log starting at its K-th header line, so that
# each member begins differently (and is larger than a reader's buffer)
heads=($(grep -n '^20[0-9][0-9]-' "$LOG" | cut -d: -f1))
member() {
	local c=${heads[$(($1 * 29))]} i
	tail -n +"$c" "$LOG"
	for i in $(seq "$COPIES"); do cat "$LOG"; done
	head -n $((c - 1)) "$LOG"
}
mkset() {	# mkset DIR: app.log.5.gz ... app.log.2.gz, app.log.1, app.log
	local k
	mkdir -p "$1"
	for k in 5 3 2; do member "$k" | gzip -c >"$1/app.log.$k.gz"; done
	# two gzip members in one file
	{ member 6 | head -c 200000 | gzip -c; member 6 | tail -c +200001 |
	    gzip -c; } >"$1/app.log.4.gz"
	member 1 >"$1/app.log.1"
	member 0 >"$1/app.log"
}
q() {	# q DB SQL: one `aiosift query sql` answer
	"$AIOSIFT" query sql --db "$1" --format csv "$2" 2>&1
}
dump() {	# dump DB: what a run stored, ids drawn at random per database left out
	q "$1" "SELECT * FROM records ORDER BY id"
	q "$1" "SELECT id, record_id, source_id, offset, line, ts_us, kind, rule,
	    severity, task, coro, exception, location, message, duration_us,
	    incident_id, confidence FROM findings ORDER BY id"
	q "$1" "SELECT id, first_us, last_us, severity, kinds, key, task, coro,
	    count, summary, set_path FROM incidents ORDER BY id"
	q "$1" "SELECT * FROM counts ORDER BY 1, 2, 3, 4"
	q "$1" "SELECT id, path, gzip, size, read_bytes, read_lines, complete,
	    records, first_us, last_us FROM sources ORDER BY id"
}
serial() { AIOSIFT_READ_AHEAD=0 AIOSIFT_INFLATE_THREAD=0 "$@"; }
# compare NAME SET: ingest SET serially and read ahead; all alike
compare() {
	local name=$1 set=$2
	rm -f "$T"/s.db* "$T"/p.db*
	serial "$AIOSIFT" ingest --db "$T/s.db" "$set" >"$T/o1" 2>"$T/e1"
	st1=$?
	"$AIOSIFT" ingest --db "$T/p.db" "$set" >"$T/o2" 2>"$T/e2"
	st2=$?
	dump "$T/s.db" >"$T/d1"
	dump "$T/p.db" >"$T/d2"
	expect_eq "$name: same exit status" "$st2" "$st1"
	if cmp -s "$T/e1" "$T/e2" && cmp -s "$T/o1" "$T/o2"; then
		pass "$name: same summary and messages"
	else
		fail "$name: same summary and messages" "$(diff "$T/o1" "$T/o2"; diff "$T/e1" "$T/e2" | head -c 300)"
	fi
	if [ "$(grep -c . "$T/d1")" -gt 100 ] && cmp -s "$T/d1" "$T/d2"; then
		pass "$name: same records, findings, incidents, counts ($(grep -c . "$T/d1") rows)"
	else
		fail "$name: same records, findings, incidents, counts" "$(diff "$T/d1" "$T/d2" | head -c 300)"
	fi
}

mkset "$T/set"
compare "gzip set" "$T/set"
expect_eq "gzip set: 4 gzip members read" "$(sql "$T/p.db" \
    "SELECT count(*) FROM sources WHERE gzip = 1 AND complete = 1")" 4

# threads while the first member is read (stopped at its 100th record):
# one more, the next member's, when reading ahead. The first member holds
# more than the reader's two buffers, so its thread is still there.
mkdir -p "$T/two"
for i in $(seq 24); do cat "$LOG"; done | gzip -c >"$T/two/app.log.2.gz"
member 2 | gzip -c >"$T/two/app.log.1.gz"
threads() {	# threads ENV...: the ingest's threads at record 100
	local pid n=none
	rm -f "$T"/t.db*
	env "$@" AIOSIFT_TEST_STOP=record:100 "$AIOSIFT" ingest -q \
	    --db "$T/t.db" "$T/two" >/dev/null 2>&1 &
	pid=$!
	wait_stopped "$pid" && n=$(ls "/proc/$pid/task" | wc -l)
	kill -CONT "$pid" 2>/dev/null
	wait "$pid"
	echo "$n"
}
n0=$(threads AIOSIFT_READ_AHEAD=0)
n1=$(threads AIOSIFT_READ_AHEAD=1)
expect_eq "reading ahead: the next member's thread runs ($n0 threads without)" \
    "$n1" "$((n0 + 1))"

# a corrupt member, then a cut one, in the middle of the set
mkset "$T/bad"
f=$T/bad/app.log.4.gz
printf '\x5a\x5a\x5a\x5a' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc status=none
head -c $(($(stat -c %s "$T/bad/app.log.3.gz") * 2 / 3)) "$T/bad/app.log.3.gz" >"$T/cut"
mv "$T/cut" "$T/bad/app.log.3.gz"
compare "corrupt and cut members mid-set" "$T/bad"
err=$T/e2
expect_err "corrupt member named with its byte" 'app\.log\.4\.gz: byte [0-9]+: corrupt gzip data'
expect_err "cut member named with its byte" 'app\.log\.3\.gz: byte [0-9]+: truncated gzip member'
expect_eq "corrupt and cut: exit 3" "$st2" 3

# killed in the middle of the set (records of the third member), then run
# again: the serial run's results
serial "$AIOSIFT" ingest -q --db "$T/clean.db" "$T/set" >/dev/null 2>&1
dump "$T/clean.db" >"$T/clean"
recs=$(sql "$T/clean.db" "SELECT count(*) FROM records")
n=0
for at in record:$((recs / 3)) record:$((recs / 2)) commit:2; do
	rm -f "$T"/k.db*
	AIOSIFT_BATCH_RECORDS=500 AIOSIFT_TEST_KILL=$at "$AIOSIFT" ingest -q \
	    --db "$T/k.db" "$T/set" >/dev/null 2>&1 &
	wait "$!" 2>/dev/null; st=$?	# (in the background: no "Killed")
	"$AIOSIFT" ingest -q --db "$T/k.db" "$T/set" >/dev/null 2>&1
	dump "$T/k.db" >"$T/got"
	if [ "$st" -eq 137 ] && cmp -s "$T/got" "$T/clean"; then
		pass "killed at $at (exit 137), run again: the serial results"
	else
		fail "killed at $at, run again" "exit $st; $(diff "$T/clean" "$T/got" | head -c 200)"
	fi
	n=$((n + 1))
done
expect_eq "kill points tried" "$n" 3

# a database error in the middle of the set (the table renamed at the
# first commit): exit 4, said; the reader opened ahead is closed and its
# thread joined (the sanitizer build finds any leak)
rm -f "$T"/e.db*
AIOSIFT_BATCH_RECORDS=500 AIOSIFT_TEST_STOP=commit:1 "$AIOSIFT" ingest \
    --db "$T/e.db" "$T/set" >"$out" 2>"$err" &
pid=$!
if wait_stopped "$pid"; then
	sql "$T/e.db" "ALTER TABLE sources RENAME COLUMN read_bytes TO moved"
	kill -CONT "$pid"
	wait "$pid"; st=$?
	expect_status "database error mid-set: exit 4" 4
	expect_err "database error mid-set: said" 'read_bytes'
else
	wait "$pid"
	fail "database error mid-set" "the ingest did not stop at its first commit"
fi

# incremental: only the live file grew; no member is opened, ahead or not
head -n 40 "$LOG" >>"$T/set/app.log"
cp "$T/s.db" "$T/i1.db"
rm -f "$T"/s.db* "$T"/p.db*
serial "$AIOSIFT" ingest -q --db "$T/s.db" "$T/set" >/dev/null 2>&1
"$AIOSIFT" ingest -q --db "$T/p.db" "$T/set" >/dev/null 2>&1
serial "$AIOSIFT" ingest -q --db "$T/s.db" "$T/set" >/dev/null 2>&1
head -n 40 "$LOG" >>"$T/set/app.log"
serial "$AIOSIFT" ingest -q --db "$T/s.db" "$T/set" >/dev/null 2>&1
if command -v strace >/dev/null; then
	strace -f -e trace=openat -o "$T/trace" "$AIOSIFT" ingest -q \
	    --db "$T/p.db" "$T/set" >/dev/null 2>&1
	expect_eq "incremental: no gzip member opened" \
	    "$(grep -c '\.gz"' "$T/trace")" 0
else
	"$AIOSIFT" ingest -q --db "$T/p.db" "$T/set" >/dev/null 2>&1
fi
dump "$T/s.db" >"$T/d1"
dump "$T/p.db" >"$T/d2"
if cmp -s "$T/d1" "$T/d2"; then pass "incremental runs: same results"
else fail "incremental runs: same results" "$(diff "$T/d1" "$T/d2" | head -c 300)"; fi
