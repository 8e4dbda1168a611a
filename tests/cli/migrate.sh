#!/usr/bin/env bash
# A database of an older schema: tests/fixtures/db/v1.db, written by
# aiosift a8b8b80 (schema 1: one records_ts index entry per record) from
# the logs of tests/fixtures/query (tests/gen/make_v1_db.sh). The first
# command that opens it, even a read-only question, upgrades it in place:
# the time index becomes record_spans, nothing stored is lost, and every
# answer is the one a fresh database of the same logs gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

old=$T/v1.db
cp "$FIXTURES/db/v1.db" "$old"
fresh=$T/fresh.db
qdb "$fresh" || { fail setup "cannot ingest the fixture logs"; exit 1; }
# paths as the two databases store them, made alike
# and a gap stall's wording: the old one stays as that version wrote it
norm() { sed -e 's|/aiosift-v1/query/|Q/|g' -e "s|$FIXTURES/query/|Q/|g" \
    -e 's/: the event loop \(or the process \)\{0,1\}was blocked.*//' "$@"; }

expect_eq "the fixture is schema 1" "$(sql "$old" "PRAGMA user_version")" 1
latest=$(sql "$fresh" "PRAGMA user_version")
before=$(sql "$old" "SELECT count(*), sum(length(text)) FROM records")

# --- a read-only question upgrades it
run query incidents --db "$old" --format csv
expect_status "query on a schema 1 database" 0
expect_eq "upgraded to the latest schema" \
	"$(sql "$old" "PRAGMA user_version")" "$(sql "$fresh" "PRAGMA user_version")"
expect_eq "records_ts gone" "$(sql "$old" "SELECT count(*) FROM sqlite_master WHERE name = 'records_ts'")" 0
expect_eq "record spans made" "$(sql "$old" "SELECT count(*) > 0 FROM record_spans")" 1
expect_eq "time index sound" "$(spans_bad "$old")" 0
expect_eq "no record lost" "$(sql "$old" "SELECT count(*), sum(length(text)) FROM records")" "$before"
expect_eq "integrity" "$(sql "$old" "PRAGMA integrity_check")" ok
"$AIOSIFT" query incidents --db "$fresh" --format csv >"$T/fresh.csv"
expect_eq "incidents as a fresh database's" "$(norm "$out")" "$(norm "$T/fresh.csv")"

# --- every postmortem as a fresh database's
n=$(sql "$fresh" "SELECT count(*) FROM incidents")
same=0
for i in $(seq "$n"); do
	"$AIOSIFT" postmortem --db "$old" --incident "$i" | norm >"$T/a"
	"$AIOSIFT" postmortem --db "$fresh" --incident "$i" | norm >"$T/b"
	[ "$(wc -l <"$T/a")" -gt 3 ] && cmp -s "$T/a" "$T/b" &&
	    same=$((same + 1))
done
expect_eq "all $n incident postmortems as a fresh database's" "$same" "$n"
for at in 2026-11-24T18:02:58Z 2026-11-24T18:04:40Z; do
	"$AIOSIFT" postmortem --db "$old" --at "$at" --window 30s | norm >"$T/a"
	"$AIOSIFT" postmortem --db "$fresh" --at "$at" --window 30s | norm >"$T/b"
	expect_eq "postmortem --at $at as a fresh database's" \
		"$(diff "$T/b" "$T/a" | head -5)" ""
	expect_eq "postmortem --at $at shows records" \
		"$(grep -c '^[0-9][0-9]:[0-9][0-9]:' "$T/a" | awk '{print ($1 > 5)}')" 1
done

# --- ingesting more into the upgraded database
run ingest --db "$old" --keep all "$FIXTURES/ingest/service.log"
expect_status "ingest into the upgraded database" 0
expect_eq "time index still sound" "$(spans_bad "$old")" 0
expect_eq "ids not reused" "$(sql "$old" "SELECT count(*) = count(DISTINCT id) FROM records")" 1

# --- an old database that cannot be written is not upgraded: it says so
mnt=$T/mnt
mkdir -p "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m tmpfs "$mnt" 2>/dev/null; then
	cp "$FIXTURES/db/v1.db" "$mnt/v1.db"
	mount -o remount,ro "$mnt"
	run postmortem --db "$mnt/v1.db" --incident 1
	expect_status "read-only schema 1 database: exit 4" 4
	expect_err "read-only schema 1 database: says why" \
	    "v1\.db: database of schema version 1, older than this aiosift's [0-9]+, and it cannot be written to upgrade it"
	umount "$mnt"
else
	echo "# not root or no tmpfs: the read-only case is not run"
fi

# --- the upgrade gives the old findings and incidents their fleet ids, as
# a fresh database's (the same sources, offsets and rules), and starts an
# empty outbox
expect_eq "every old finding has a fleet id, all distinct" \
	"$(sql "$old" "SELECT count(*) = count(DISTINCT fid) AND count(fid) = count(*) FROM findings")" 1
expect_eq "every old incident has its first finding's id" \
	"$(sql "$old" "SELECT count(*) FROM incidents i WHERE uid IS NULL OR uid NOT IN (SELECT fid FROM findings WHERE incident_id = i.id)")" 0
