# SQLite errors (issue 10): every step tells a row, the end and an error
# apart, and an error reaches the user with the database's name, SQLite's
# message and exit status 4, never as success or as another condition.
# Real SQLite files: a column renamed under a running ingest (its
# statements are prepared again and fail), pages overwritten, files that
# are no database, a locked database, read-only places.
. "$(dirname "$0")/lib.sh"
log=$FIXTURES/asyncio/api_gateway-py3.12.1/app.log
mkdir "$T/logs"
cp "$log" "$T/logs/app.log"

# fresh DB: a database with the app.log set ingested, closed (no WAL)
fresh() {
	rm -f "$1" "$1"-wal "$1"-shm
	"$AIOSIFT" ingest -q --db "$1" "$T/logs/app.log" >/dev/null 2>&1
}

# -- ingest: the stored read position cannot be read -------------------
# The ingest stops itself after its first commit (two records a batch);
# the column its read position is in is renamed meanwhile; its next batch
# cannot read the position. That is a database error, not "being ingested
# by another aiosift run" with exit 0.
db=$T/pos.db
rm -f "$db"*
AIOSIFT_BATCH_RECORDS=2 AIOSIFT_TEST_STOP=commit:1 "$AIOSIFT" ingest \
    --db "$db" "$T/logs/app.log" >"$out" 2>"$err" &
pid=$!
if wait_stopped "$pid"; then
	sql "$db" "ALTER TABLE sources RENAME COLUMN read_bytes TO moved"
	kill -CONT "$pid"
	wait "$pid"; st=$?
	expect_status "read position unreadable: exit 4" 4
	expect_err "read position unreadable: named" \
	    "pos\\.db: read position: no such column: read_bytes"
	if grep -q "another aiosift" "$err"; then
		fail "read position unreadable: not another run" "$(cat "$err")"
	else pass "read position unreadable: not another run"; fi
else
	wait "$pid"
	fail "read position: ingest stopped after its first commit" \
	    "it ended first: $(head -c 300 "$err")"
fi

# -- ingest: a page a step reads is corrupt -----------------------------
# NAME TABLE-OR-INDEX WHAT: the second run over the same file reads it
ingest_corrupt() {
	db=$T/c.db
	fresh "$db"
	corrupt_page "$db" "$2"
	run ingest --db "$db" "$T/logs/app.log"
	expect_status "$1: exit 4" 4
	expect_err "$1: named" "c\\.db: $3: database disk image is malformed"
}
ingest_corrupt "gap detector state corrupt" stall_state "stall state"
ingest_corrupt "set lookup by file corrupt" sources_file "sets"
# findings without an incident are counted at the end of every run
ingest_corrupt "correlation count corrupt" findings_incident "correlate"
