#!/bin/sh
# tests/gen/make_v2_db.sh: tests/fixtures/db/v2.db, a database of schema
# version 2 as aiosift f808276 wrote it, with its read positions: the
# rotation set of tests/fixtures/asyncio/queue_consumer-py3.12.1 whose live
# app.log had only its first 40 lines then, every record kept, zone-less
# times read as UTC, ingested as a cron job would from /aiosift-v2 by the
# relative path logs/ (that version stored paths as given).
# tests/cli/identity.sh upgrades it with the whole app.log in place. Needs
# git and a C toolchain; the result is committed, so the tests need
# neither.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/src" 2>/dev/null; rm -rf "$work"' EXIT
git -C "$top" worktree add --detach "$work/src" f808276 >/dev/null
make -C "$work/src" -j2 build/aiosift >/dev/null
rm -rf /aiosift-v2
mkdir -p /aiosift-v2/logs
src=$top/tests/fixtures/asyncio/queue_consumer-py3.12.1
cp "$src"/app.log.*.gz /aiosift-v2/logs/
head -n 40 "$src/app.log" >/aiosift-v2/logs/app.log
out=$top/tests/fixtures/db/v2.db
rm -f "$out" "$out-wal" "$out-shm"
(cd /aiosift-v2 && "$work/src/build/aiosift" ingest --db "$out" --tz UTC \
    --keep all -q logs/)
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;" >/dev/null
rm -rf /aiosift-v2
echo "wrote $out (schema $(sqlite3 "$out" 'PRAGMA user_version'))"
