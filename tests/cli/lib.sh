# Shared helpers for the CLI tests: source it, then call the checks. Each
# check prints "PASS name" or "FAIL name: why"; tests/run counts them.
# $AIOSIFT is the binary under test, $FIXTURES the committed fixtures.
set -u
AIOSIFT=${AIOSIFT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/aiosift}
FIXTURES=${FIXTURES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/fixtures}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
out=$T/out err=$T/err st=0

# run ARGS...: run the binary, keeping stdout in $out, stderr in $err,
# the exit status in $st.
run() { "$AIOSIFT" "$@" >"$out" 2>"$err"; st=$?; }

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# expect_status NAME N: the last run exited N.
expect_status() {
	if [ "$st" -eq "$2" ]; then pass "$1"; else
		fail "$1" "exit $st, wanted $2; stderr: $(head -c 300 "$err")"; fi
}
# expect_out NAME REGEX / expect_err NAME REGEX: grep -E in stdout/stderr.
expect_out() {
	if grep -qE -- "$2" "$out"; then pass "$1"; else
		fail "$1" "stdout lacks /$2/: $(head -c 300 "$out")"; fi
}
expect_err() {
	if grep -qE -- "$2" "$err"; then pass "$1"; else
		fail "$1" "stderr lacks /$2/: $(head -c 300 "$err")"; fi
}
expect_no_out() {
	if grep -qE -- "$2" "$out"; then
		fail "$1" "stdout has /$2/: $(grep -m1 -E -- "$2" "$out" | head -c 200)"
	else pass "$1"; fi
}
# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1" "got '$(printf %s "$2" | head -c 300)', wanted '$3'"; fi
}
# sql DB QUERY: one query through the sqlite3 shell.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# SPANS_BAD: the time index unsound, counted (0 when sound): records with
# a time outside the span their id falls in (or in none), spans that
# overlap.
SPANS_BAD="(SELECT count(*) FROM records r WHERE r.ts_us IS NOT NULL AND
    coalesce((SELECT b.last_id >= r.id AND r.ts_us BETWEEN b.min_us AND
    b.max_us FROM record_spans b WHERE b.first_id <= r.id
    ORDER BY b.first_id DESC LIMIT 1), 0) = 0)
  + (SELECT count(*) FROM record_spans a JOIN record_spans b
    ON b.first_id > a.first_id AND b.first_id <= a.last_id)"
spans_bad() { sql "$1" "SELECT $SPANS_BAD"; }
# wait_stopped PID: wait until the process stopped itself (state T, by
# AIOSIFT_TEST_STOP); 1 when it ended first.
wait_stopped() {
	local s
	while s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null); do
		case $s in T) return 0 ;; Z|X|'') return 1 ;; esac
		sleep 0.01	# polling the state, not a timing assumption
	done
	return 1
}
# db_copy DB COPY: a copy of a database as SQLite makes it (.backup): an
# ingest leaves its last runs in DB-wal beside DB (store/store.c,
# store_settle()), which cp DB alone would leave behind.
db_copy() { sqlite3 -batch "$1" ".backup '$2'"; }
# corrupt_page DB NAME: overwrite the root page of table or index NAME
# of a closed database with 0xff bytes, so the first step that reads it
# fails with SQLITE_CORRUPT while the schema still reads. The WAL an
# ingest leaves is copied in first (the page must not live on there).
corrupt_page() {
	local root ps
	sql "$1" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	root=$(sql "$1" "SELECT rootpage FROM sqlite_master WHERE name = '$2'")
	ps=$(sql "$1" "PRAGMA page_size")
	head -c "$ps" /dev/zero | tr '\0' '\377' |
	    dd of="$1" bs="$ps" seek=$((root - 1)) conv=notrunc status=none
}
