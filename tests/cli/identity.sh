#!/usr/bin/env bash
# One file is one source, whatever path reaches it: a rotation set read in
# pieces through a relative path, an absolute one, a symlink and a bind
# mount (when this runs as root and may mount) ends as one clean run of
# the whole set does; stored paths are canonical and absolute. A database
# of schema 2 (tests/fixtures/db/v2.db, tests/gen/make_v2_db.sh), which
# stored the paths as given, is upgraded in place and keeps its read
# positions.
. "$(dirname "$0")/lib.sh"
SRC=$FIXTURES/asyncio/queue_consumer-py3.12.1
bind=
trap '[ -n "$bind" ] && umount "$bind"; rm -rf "$T"' EXIT

# dump DB: what a run leaves, in an order that does not depend on how the
# runs were cut or which ids rows got.
dump() {
	sqlite3 -batch "$1" "
	  SELECT 'S', path, set_path, read_bytes, read_lines, complete,
	    records FROM sources ORDER BY path;
	  SELECT 'R', s.path, r.line, r.nlines, r.ts_us, r.flags, hex(r.text)
	    FROM records r JOIN sources s ON s.id = r.source_id
	    ORDER BY s.path, r.line;
	  SELECT 'F', s.path, f.line, f.ts_us, f.kind, f.rule, f.severity,
	    f.task, f.coro, f.exception, f.duration_us, f.message
	    FROM findings f JOIN sources s ON s.id = f.source_id
	    ORDER BY s.path, f.line, f.rule;
	  SELECT 'I', first_us, last_us, kinds, count, summary, set_path
	    FROM incidents ORDER BY first_us, summary;
	  SELECT 'C', s.path, c.minute, c.level, c.logger, c.n
	    FROM counts c JOIN sources s ON s.id = c.source_id
	    ORDER BY 2, 3, 4, 5;
	  SELECT 'G', set_path, hex(state) FROM stall_state ORDER BY 2;"
}
# set DIR N: the set in DIR, its live app.log with its first N lines
set_at() {
	mkdir -p "$1"
	cp "$SRC"/app.log.*.gz "$1/"
	head -n "$2" "$SRC/app.log" >"$1/app.log"
}
grow() { head -n "$2" "$SRC/app.log" | tail -n +"$(($(wc -l <"$1") + 1))" >>"$1"; }

# --- one set through four paths ----------------------------------------
srv=$T/srv
set_at "$srv/logs" 11
ln -s "$srv/logs" "$T/link"
ln -s "$srv/logs/app.log" "$T/app-link.log"
(cd "$srv" && "$AIOSIFT" ingest --db "$T/a.db" -q logs/) >"$out" 2>"$err"
st=$?
expect_status "relative path: ingested" 0
grow "$srv/logs/app.log" 34
(cd / && "$AIOSIFT" ingest --db "$T/a.db" "$srv/logs/") >"$out" 2>"$err"
expect_out "absolute path: only the grown file is read" \
	"^ingested 1 file .*; 2 files unchanged"
grow "$srv/logs/app.log" 45
run ingest --db "$T/a.db" "$T/link/"
expect_out "symlinked directory: only the grown file is read" \
	"^ingested 1 file .*; 2 files unchanged"
grow "$srv/logs/app.log" 57
via="a path with .."
if [ "$(id -u)" = 0 ] && mkdir -p "$T/bind" &&
    mount --bind "$srv/logs" "$T/bind" 2>/dev/null; then
	bind=$T/bind
	via="a bind mount"
	run ingest --db "$T/a.db" "$T/bind/"
	expect_out "bind mount: only the grown file is read" \
		"^ingested 1 file .*; 2 files unchanged"
else
	echo "# not root or no mount --bind: the last piece is read by a path with .."
	run ingest --db "$T/a.db" "$T/link/../srv/logs/app.log"
	expect_out "path with ..: only the grown file is read" \
		"^ingested 1 file .*; 0 files unchanged"
fi
run ingest --db "$T/a.db" "$T/app-link.log"
expect_out "symlinked file: nothing new" "^ingested 0 files .*; 1 file unchanged"
(cd "$srv" && "$AIOSIFT" ingest --db "$T/a.db" logs/ ../link/) >"$out" 2>"$err"
expect_out "relative and symlinked at once: nothing new" \
	"^ingested 0 files .*; 3 files unchanged"
run ingest --db "$T/b.db" "$srv/logs/"
expect_status "one clean run" 0
expect_eq "four paths ($via) leave what one clean run leaves" \
	"$(dump "$T/a.db" | diff - <(dump "$T/b.db") | head -5)" ""
expect_eq "three sources" "$(sql "$T/a.db" "SELECT count(*) FROM sources")" 3
expect_eq "stored paths are canonical and absolute" \
	"$(sql "$T/a.db" "SELECT DISTINCT set_path FROM sources")" \
	"$(realpath "$srv/logs")/app.log"
expect_eq "findings stored once" \
	"$(sql "$T/a.db" "SELECT count(*) FROM findings")" \
	"$(sql "$T/b.db" "SELECT count(*) FROM findings")"

# --- a database of schema 2, with relative paths and read positions ----
old=$T/v2.db
cp "$FIXTURES/db/v2.db" "$old"
set_at "$T/v2/logs" 57
expect_eq "the fixture is schema 2" "$(sql "$old" "PRAGMA user_version")" 2
expect_eq "the fixture stored relative paths" \
	"$(sql "$old" "SELECT DISTINCT set_path FROM sources")" "logs/app.log"
# A copy is a new inode: the fixture's files are these copies.
for f in "$T"/v2/logs/*; do
	sql "$old" "UPDATE sources SET dev = $(stat -c %d "$f"),
	    ino = $(stat -c %i "$f") WHERE path = 'logs/${f##*/}'"
done
(cd / && "$AIOSIFT" ingest --db "$old" --keep all "$T/v2/logs/") >"$out" 2>"$err"
st=$?
expect_status "ingest into the schema 2 database, from another directory" 0
expect_out "read positions kept: only the rest of app.log is read" \
	"^ingested 1 file .*; 2 files unchanged"
run ingest --db "$T/v2fresh.db" --keep all "$T/v2/logs/"
expect_eq "upgraded to the latest schema" \
	"$(sql "$old" "PRAGMA user_version")" \
	"$(sql "$T/v2fresh.db" "PRAGMA user_version")"
# (the gap detector's saved state of that version is not read: it starts
# afresh, so its row is left out)
expect_eq "upgraded database as a clean run of the whole set" \
	"$(dump "$old" | grep -v '^G|' | diff - <(dump "$T/v2fresh.db" |
	    grep -v '^G|') | head -5)" ""
expect_eq "its paths now canonical and absolute" \
	"$(sql "$old" "SELECT count(*) FROM sources WHERE path NOT LIKE '$(realpath "$T")/v2/logs/%' OR set_path <> '$(realpath "$T")/v2/logs/app.log'")" 0
expect_eq "integrity" "$(sql "$old" "PRAGMA integrity_check")" ok
