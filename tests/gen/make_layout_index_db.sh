#!/bin/sh
# tests/gen/make_layout_index_db.sh: tests/fixtures/db/layout-index.log and
# layout-index.db. The log is real CPython logging output: 40 records of
# "%(asctime)s %(levelname)s %(name)s - %(message)s", then, the handler's
# format changed, 30 records of "... %(name)s: %(message)s" whose
# messages start with "- " (which the first layout reads differently
# from the second). The database is what aiosift b018df9 (the last
# version whose stored layout specs name field patterns by their index in
# its table, "p=12") wrote ingesting the log's first 40 lines as
# /aiosift-layout/app.log, every record kept. tests/cli/layoutspec.sh
# reads the rest into it with today's aiosift. Needs git, python3 and a C
# toolchain; the result is committed, so the tests need none of them.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/src" 2>/dev/null; rm -rf "$work"' EXIT
git -C "$top" worktree add --detach "$work/src" b018df9 >/dev/null
make -C "$work/src" -j2 build/aiosift >/dev/null
log=$top/tests/fixtures/db/layout-index.log
TZ=UTC python3 - "$log" <<'PY'
import logging, sys
open(sys.argv[1], "w").close()
h = logging.FileHandler(sys.argv[1])
h.setFormatter(logging.Formatter(
    "%(asctime)s %(levelname)s %(name)s - %(message)s"))
root = logging.getLogger()
root.addHandler(h)
root.setLevel(logging.DEBUG)
db = logging.getLogger("app.db")
for i in range(40):
    (db.warning if i % 7 == 3 else db.info)("query %d took %d ms", i,
                                            3 * i + 1)
h.setFormatter(logging.Formatter(
    "%(asctime)s %(levelname)s %(name)s: %(message)s"))
cli = logging.getLogger("app.cli")
for i in range(30):
    cli.info("- step %d of 30", i + 1)
PY
rm -rf /aiosift-layout
mkdir -p /aiosift-layout
head -n 40 "$log" >/aiosift-layout/app.log
out=$top/tests/fixtures/db/layout-index.db
rm -f "$out" "$out-wal" "$out-shm"
TZ=UTC "$work/src/build/aiosift" ingest --db "$out" --keep all -q \
    /aiosift-layout/app.log
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;" >/dev/null
rm -rf /aiosift-layout
echo "wrote $out (schema $(sqlite3 "$out" 'PRAGMA user_version'), layout $(sqlite3 "$out" 'SELECT layout FROM sources'))"
