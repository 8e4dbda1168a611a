#!/usr/bin/env bash
# Time zones stored per source: a log's zone-less times (the real CPython
# log tests/fixtures/ingest/service.log) are read in --tz, and every later
# run reads them the same way without it; a run with another --tz is
# refused (the log would mix two zones) unless --reread reads it all
# again; a log read without a zone and without --tz gets one note naming
# the zone used, the first time only; a log whose times carry their zone
# (tests/fixtures/asyncio/sync_bridge-py3.12.1, +05:30) stores none.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
times() { sql "$1" "SELECT sum(ts_us), count(*) FROM records"; }

# --- --tz remembered
mkdir -p "$T/a"
head -n 300 "$LOG" >"$T/a/app.log"
run ingest --db "$T/a.db" --keep all --tz America/New_York "$T/a/app.log"
expect_status "first run with --tz" 0
expect_eq "the zone is stored with the source" \
	"$(sql "$T/a.db" "SELECT DISTINCT tz FROM sources")" America/New_York
tail -n +301 "$LOG" >>"$T/a/app.log"
run ingest --db "$T/a.db" --keep all "$T/a/app.log"
expect_status "a later run without --tz" 0
expect_no_out "no note then" "zone"
"$AIOSIFT" ingest -q --db "$T/ny.db" --keep all --tz America/New_York "$T/a/app.log"
expect_eq "the later run read its lines in the stored zone" \
	"$(times "$T/a.db")" "$(times "$T/ny.db")"
# rotated: the new file of the set is read in the set's zone too
mv "$T/a/app.log" "$T/a/app.log.1"
head -n 40 "$LOG" | sed 's/^2026-11-29/2026-11-30/' >"$T/a/app.log"
run ingest --db "$T/a.db" --keep all "$T/a/"
expect_eq "a new file of the set takes the set's zone" \
	"$(sql "$T/a.db" "SELECT count(*) FROM sources WHERE tz = 'America/New_York'")" 2

# --- another zone is refused, not mixed
echo "$(head -n 1 "$LOG" | sed 's/^2026-11-29/2026-11-30/')" >>"$T/a/app.log"
before=$(times "$T/a.db")
run ingest --db "$T/a.db" --tz Europe/Berlin "$T/a/"
expect_status "another --tz: usage error" 2
expect_err "another --tz: says which zone and what to do" \
	"its times without a zone were read in America/New_York; --tz Europe/Berlin would mix two zones in one log: give --tz America/New_York, or --reread"
expect_eq "another --tz: nothing stored" "$(times "$T/a.db")" "$before"
run ingest --db "$T/a.db" --tz America/New_York "$T/a/"
expect_status "the same --tz again: fine" 0
run ingest --db "$T/a.db" --keep all --reread --tz Europe/Berlin "$T/a/"
expect_status "another --tz with --reread: read again" 0
"$AIOSIFT" ingest -q --db "$T/be.db" --keep all --tz Europe/Berlin "$T/a/"
expect_eq "--reread: every line in the new zone" "$(times "$T/a.db")" "$(times "$T/be.db")"
expect_eq "--reread: the new zone stored" \
	"$(sql "$T/a.db" "SELECT group_concat(DISTINCT tz) FROM sources")" Europe/Berlin

# --- no zone, no --tz: one note naming the zone used
mkdir -p "$T/b"
head -n 300 "$LOG" >"$T/b/app.log"
TZ=Asia/Tokyo run ingest --db "$T/b.db" "$T/b/app.log"
expect_err "a note names the local zone used" \
	"app\.log: times without a zone read in Asia/Tokyo, the local zone, and remembered"
tail -n +301 "$LOG" >>"$T/b/app.log"
TZ=UTC run ingest --db "$T/b.db" --keep all "$T/b/app.log"
expect_eq "one note only" "$(grep -c 'without a zone' "$err")" 0
TZ=Asia/Tokyo "$AIOSIFT" ingest -q --db "$T/tk.db" --keep all "$T/b/app.log"
expect_eq "a later run in another local zone still reads the first one" \
	"$(sql "$T/b.db" "SELECT sum(ts_us) FROM records WHERE line > 300")" \
	"$(sql "$T/tk.db" "SELECT sum(ts_us) FROM records WHERE line > 300")"

# --- times that carry their zone: nothing to remember or refuse
Z=$FIXTURES/asyncio/sync_bridge-py3.12.1
run ingest --db "$T/z.db" "$Z/"
expect_no_out "zoned times: no note" "without a zone"
expect_eq "zoned times: no zone stored" \
	"$(sql "$T/z.db" "SELECT count(*) FROM sources WHERE tz IS NOT NULL")" 0
run ingest --db "$T/z.db" --tz Europe/Berlin "$Z/"
expect_status "zoned times: another --tz later is no conflict" 0
