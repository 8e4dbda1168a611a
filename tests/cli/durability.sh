# Durability at the price of one fsync (issue 16): an incremental ingest
# that finds the WAL of the run before makes exactly one fsync or
# fdatasync, of the WAL (store/store.c, store_settle()); what it stored
# is read by the next commands and by the sqlite3 shell, WAL and all.
# Counted with strace, not timed. (Kills: tests/cli/crashsafe.sh.)
. "$(dirname "$0")/lib.sh"
if ! command -v strace >/dev/null 2>&1; then
	echo "SKIP durability: no strace"
	exit 0
fi
mkdir "$T/logs"
log=$FIXTURES/asyncio/api_gateway-py3.12.1/app.log
head -n 15 "$log" >"$T/logs/app.log"
[ "$(wc -l <"$log")" -gt 21 ] || fail "fixture" "too short"
db=$T/d.db
# syncs TRACE: the fsync-like calls strace -y saw, one a line
syncs() { grep -E '^[0-9]+ +(fsync|fdatasync|sync_file_range|syncfs)\(' "$1"; }
traced() {	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -qq -y -o "$1" \
	    -e trace=fsync,fdatasync,sync_file_range,syncfs \
	    "$AIOSIFT" ingest -q --db "$db" "$T/logs/app.log" >"$out" 2>"$err"
	st=$?
}
run ingest -q --db "$db" "$T/logs/app.log"
expect_status "first run" 0
# the first run's WAL (a new database: every page) copied in, its file
# kept, empty: the WAL a run finds is what a few runs before it left,
# under the limit (STORE_WAL_KEEP)
sqlite3 -batch "$db" ".filectrl persist_wal 1" \
    "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
head -n 20 "$log" | tail -n +16 >>"$T/logs/app.log"
traced "$T/trace0"
expect_status "a run that starts the WAL" 0
# SQLite syncs the new header, and the directory at its first sync of
# a WAL in a process; then the run's own
expect_eq "a run that starts the WAL: header, directory, WAL" \
    "$(syncs "$T/trace0" | sed 's/^[0-9]* *//; s/(\([0-9]*\)</(</' |
    sed 's|<.*/|<|' | tr '\n' ' ')" \
    "fdatasync(<d.db-wal>) = 0 fdatasync(<$(basename "$T")>) = 0 fdatasync(<d.db-wal>) = 0 "
tail -n +21 "$log" >>"$T/logs/app.log"
traced "$T/trace"
expect_status "incremental run" 0
expect_eq "incremental run: one sync" "$(syncs "$T/trace" | wc -l)" 1
expect_eq "incremental run: of the WAL" \
    "$(syncs "$T/trace" | grep -c 'fdatasync([0-9]*<[^>]*/d\.db-wal>)')" 1
traced "$T/trace2"
expect_status "nothing new" 0
expect_eq "nothing new: at most one sync (the last run's record)" \
    "$(syncs "$T/trace2" | wc -l)" 1
# what the runs stored is there for the next reader, from the WAL
run query findings --db "$db" --format csv
expect_status "query reads it" 0
expect_eq "read to the end" \
    "$(sql "$db" "SELECT read_bytes FROM sources")" \
    "$(stat -c %s "$T/logs/app.log")"
expect_eq "findings stored" \
    "$(($(wc -l <"$out") - 1))" "$(sql "$db" "SELECT count(*) FROM findings")"
[ "$(sql "$db" "SELECT count(*) FROM findings")" -gt 0 ] &&
    pass "some findings" || fail "some findings" "none"
