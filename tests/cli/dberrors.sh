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

# fresh DB: a database with the app.log set ingested, closed, its WAL
# copied in: one file
fresh() {
	rm -f "$1" "$1"-wal "$1"-shm
	"$AIOSIFT" ingest -q --db "$1" "$T/logs/app.log" >/dev/null 2>&1
	sql "$1" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
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

# -- opening: files that are no aiosift database ------------------------
fresh "$T/good.db"
printf 'hello, not a database at all\n%.0s' $(seq 200) >"$T/text.db"
head -c 100000 "$T/good.db" >"$T/trunc.db"	# cut inside its pages
head -c 50 "$T/good.db" >"$T/header.db"		# cut inside the header
sql "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
# NAME FILE REGEX: ingest, query and report each refuse FILE with exit 4
# and a message matching REGEX
open_refused() {
	local cmd
	for cmd in ingest query report; do
		cp "$T/$2" "$T/try.db"
		case $cmd in
		ingest) run ingest -q --db "$T/try.db" "$T/logs/app.log" ;;
		query) run query findings --db "$T/try.db" ;;
		report) run report --db "$T/try.db" ;;
		esac
		expect_status "$1, $cmd: exit 4" 4
		expect_err "$1, $cmd: says why" "try\\.db: $3"
		rm -f "$T/try.db"*
	done
}
open_refused "a text file" text.db "file is not a database"
open_refused "a database cut in its pages" trunc.db \
    "database disk image is malformed"
open_refused "a database cut in its header" header.db \
    "database disk image is malformed|file is not a database"
open_refused "another program's database" other.db "not an aiosift database"

# -- opening: a database another process holds locked -------------------
# python3's sqlite3 holds an exclusive lock (locking_mode EXCLUSIVE keeps
# even readers out) and says so on its stdout; the lock is held until its
# stdin closes. AIOSIFT_TEST_BUSY_MS: the runs wait 200 ms, not a minute.
# A lock is "database is locked", never "not an aiosift database".
db=$T/locked.db
fresh "$db"
coproc LOCKER { python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA locking_mode = EXCLUSIVE")
c.execute("BEGIN EXCLUSIVE")
c.execute("SELECT count(*) FROM sources").fetchall()
print("locked", flush=True)
sys.stdin.read()' "$db" 2>&1; }
locked=
read -r locked <&"${LOCKER[0]}"
expect_eq "locker holds the lock" "$locked" "locked"
for args in "ingest -q --db $db $T/logs/app.log" "query findings --db $db" \
    "report --db $db" "query sql --db $db SELECT\ 1"; do
	eval "AIOSIFT_TEST_BUSY_MS=200 run $args"
	expect_status "locked, ${args%% --db*}: exit 4" 4
	expect_err "locked, ${args%% --db*}: locked" "locked\\.db: .*database is locked"
	if grep -q "not an aiosift" "$err"; then
		fail "locked, ${args%% --db*}: not 'not an aiosift database'" "$(cat "$err")"
	else pass "locked, ${args%% --db*}: not 'not an aiosift database'"; fi
done
exec {LOCKER[1]}>&-
wait "$LOCKER_PID"
# released: the same database reads again
run query findings --db "$db"
expect_status "lock released: query reads" 0

# A write transaction of another process (WAL: readers go on) keeps an
# ingest from writing: "database is locked" once its wait is over.
coproc WRITER { python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("test", "x"))
print("writing", flush=True)
sys.stdin.read()' "$db" 2>&1; }
locked=
read -r locked <&"${WRITER[0]}"
expect_eq "writer holds a write transaction" "$locked" "writing"
printf '2026-11-24 18:00:09,000 INFO app: one more\n' >>"$T/logs/app.log"
AIOSIFT_TEST_BUSY_MS=200 run ingest -q --db "$db" "$T/logs/app.log"
expect_status "another writer: ingest exit 4" 4
expect_err "another writer: ingest says locked" "locked\\.db: .*database is locked"
run query findings --db "$db"
expect_status "another writer: query still reads (WAL)" 0
exec {WRITER[1]}>&-
wait "$WRITER_PID"

# -- a read-only place ---------------------------------------------------
# root may write anywhere whatever the modes say: a read-only bind mount
# is read-only for root too; without one (no privilege) this part says
# SKIP
mkdir -p "$T/ro" "$T/rw"
trap 'umount "$T/ro" 2>/dev/null; rm -rf "$T"' EXIT
fresh "$T/rw/r.db"
if mount --bind "$T/rw" "$T/ro" 2>/dev/null &&
    mount -o remount,bind,ro "$T/ro" 2>/dev/null; then
	run ingest -q --db "$T/ro/new.db" "$T/logs/app.log"
	expect_status "read-only directory, new database: exit 4" 4
	expect_err "read-only directory, new database: says why" \
	    "new\\.db: cannot create the database: Read-only file system"
	run query findings --db "$T/ro/r.db"
	expect_status "read-only directory, query reads" 0
	run ingest -q --db "$T/ro/r.db" "$T/logs/app.log"
	expect_status "read-only directory, ingest: exit 4" 4
	expect_err "read-only directory, ingest: says why" \
	    "r\\.db: database is read-only"
	# the last run's WAL without its -shm: SQLite could read the
	# database file alone (immutable), the WAL's findings unseen
	umount "$T/ro"
	rm -f "$T/rw/w.db"*
	"$AIOSIFT" ingest -q --db "$T/rw/w.db" "$T/logs/app.log"
	rm -f "$T/rw/w.db-shm"
	mount -o remount,bind,ro "$T/ro" 2>/dev/null ||
	    mount --bind "$T/rw" "$T/ro"
	mount -o remount,bind,ro "$T/ro"
	run query findings --db "$T/ro/w.db"
	expect_status "read-only directory, WAL without -shm: exit 4" 4
	expect_err "read-only directory, WAL without -shm: says why" \
	    "w\\.db: its WAL .*cannot be read here"
	umount "$T/ro"
else
	umount "$T/ro" 2>/dev/null
	echo "SKIP read-only directory: no read-only bind mount here"
fi

# -- queries: a step fails on a corrupt page ----------------------------
# the meta table: the fleet id a writing connection reads at open, the
# report's bookmark (before, an error read as "absent": findings got ids
# without the database's fleet id, and the report a fresh period)
db=$T/m.db
fresh "$db"
corrupt_page "$db" meta
run ingest -q --db "$db" "$T/logs/app.log"
expect_status "meta corrupt: ingest exit 4" 4
expect_err "meta corrupt: ingest names it" "m\\.db: meta: database disk image is malformed"
run report --db "$db"
expect_status "meta corrupt: report exit 4" 4
expect_err "meta corrupt: report names it" "m\\.db: meta: database disk image is malformed"
# --kind: a kind looked up among the stored ones (before, an error read
# as "unknown kind", a usage error)
db=$T/k.db
fresh "$db"
corrupt_page "$db" findings_sig
run query findings --kind no_such_kind --db "$db"
expect_status "kind lookup corrupt: exit 4, not a usage error" 4
expect_err "kind lookup corrupt: names it" "k\\.db: kinds: database disk image is malformed"
