#!/bin/sh
# tests/gen/make_v1_db.sh: tests/fixtures/db/v1.db, a database of schema
# version 1 (a records_ts index, no record_spans) as aiosift a8b8b80 wrote
# it: the logs of tests/fixtures/query, every record kept, zone-less times
# read as UTC, ingested from /aiosift-v1/query/ (tests/cli/migrate.sh
# reads the paths relative to that). Needs git and a C toolchain; the
# result is committed, so the tests need neither.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/src" 2>/dev/null; rm -rf "$work"' EXIT
git -C "$top" worktree add --detach "$work/src" a8b8b80 >/dev/null
make -C "$work/src" -j2 build/aiosift >/dev/null
rm -rf /aiosift-v1
mkdir -p /aiosift-v1
cp -r "$top/tests/fixtures/query" /aiosift-v1/query
out=$top/tests/fixtures/db/v1.db
rm -f "$out" "$out-wal" "$out-shm"
"$work/src/build/aiosift" ingest --db "$out" --tz UTC --keep all -q \
    /aiosift-v1/query/
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;" >/dev/null
rm -rf /aiosift-v1
echo "wrote $out (schema $(sqlite3 "$out" 'PRAGMA user_version'))"
