#!/usr/bin/env bash
# A detected layout is stored with its source (sources.layout) so a
# resumed file is split as before. Today's specs name the field pattern
# ("p=lv-name-dash"); a database of an older version, whose specs gave
# the pattern's index in its table ("p=12"), reads the same. The fixture
# (tests/fixtures/db/layout-index.db, tests/gen/make_layout_index_db.sh)
# holds the first 40 lines of layout-index.log as aiosift b018df9 read
# them; its last 30 lines read differently by that layout (logger
# "app.cli:", message "- step N") than by the one a run that detected
# again from where it resumes (its replay point, line 17) would pick
# (logger "app.cli").
. "$(dirname "$0")/lib.sh"
log=$FIXTURES/db/layout-index.log
old=$T/old.db
cp "$FIXTURES/db/layout-index.db" "$old"
mkdir -p "$T/logs"
f=$T/logs/app.log
head -n 40 "$log" >"$f"
p=$(realpath "$f")
expect_eq "the fixture stored a pattern by its index" \
	"$(sql "$old" "SELECT layout FROM sources")" \
	"python;o=0;k=0;p=12;a=0;t=T__Ll__Wg-"
# The fixture's file is this copy: its path and inode.
sql "$old" "UPDATE sources SET path = '$p', set_path = '$p',
    dev = $(stat -c %d "$f"), ino = $(stat -c %i "$f")"
tail -n +41 "$log" >>"$f"
run ingest --db "$old" --keep all "$f"
expect_status "ingest into the older database" 0
expect_eq "only the rest is read" \
	"$(sql "$old" "SELECT count(*), min(line), max(line) FROM records")" \
	"70|1|70"
run ingest --db "$T/fresh.db" --keep all "$f"
expect_status "a clean run of the whole file" 0
rows() {
	sql "$1" "SELECT line, nlines, ts_us, flags, level, logger, pid,
	    thread, task, msg_off, message, hex(text) FROM records
	    ORDER BY line"
}
expect_eq "the resumed part split and read as a clean run reads it" \
	"$(diff <(rows "$old") <(rows "$T/fresh.db") | head -5)" ""
expect_eq "the stored spec now names the pattern, as a clean run's" \
	"$(sql "$old" "SELECT layout FROM sources")" \
	"$(sql "$T/fresh.db" "SELECT layout FROM sources")"
expect_eq "a clean run stores the name" \
	"$(sql "$T/fresh.db" "SELECT layout FROM sources")" \
	"python;o=0;k=0;p=lv-name-dash;a=0;t=T__Ll__Wg-"
expect_eq "by that layout the last lines' logger is app.cli:" \
	"$(sql "$old" "SELECT DISTINCT logger FROM records WHERE line > 40")" \
	"app.cli:"
# What a run that lost the stored layout would do: detect from the
# replay point, which reads those lines otherwise.
expect_eq "the fixture resumes at line 17" \
	"$(sql "$FIXTURES/db/layout-index.db" "SELECT replay_lines FROM sources")" 17
tail -n +17 "$log" >"$T/rest.log"
run ingest --db "$T/rest.db" --keep all "$T/rest.log"
expect_eq "detected from there, the logger would be app.cli" \
	"$(sql "$T/rest.db" "SELECT DISTINCT logger FROM records WHERE line > 24")" "app.cli"
