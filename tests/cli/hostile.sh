# Hostile and broken input, end to end (issue 6): every kind of bad log,
# file, name and database the issue lists goes through `aiosift ingest`,
# and each must give its documented exit status, a clear one-line message
# (escaped), keep the rest, stay within bounded memory and time, and never
# hang. Then log text written to inject (terminal escapes, HTML, CSV
# formulas, SQL) goes through every output. Ends with the number of
# hostile inputs tried. Inputs: tests/fixtures/broken (gzip),
# tests/fixtures/hostile (bomb, injection log), tests/fixtures/ingest.
. "$(dirname "$0")/lib.sh"
LOG=$FIXTURES/ingest/service.log
B=$FIXTURES/broken
H=$FIXTURES/hostile
HEADERS=$(grep -c '^20[0-9][0-9]-' "$LOG")
case $AIOSIFT in */san/*) SAN=1 ;; *) SAN=0 ;; esac
# Under the sanitizers (shadow memory, quarantine) memory and time grow.
if [ "$SAN" = 1 ]; then MAXKB=800000 MAXS=240; else MAXKB=120000 MAXS=90; fi
tried=0
nrec() { sql "$1" "SELECT count(*) FROM records"; }
nfind() { sql "$1" "SELECT kind, count(*) FROM findings GROUP BY 1 ORDER BY 1"; }

# ingest NAME DB ARGS...: run `aiosift ingest --keep all --db DB ARGS`
# under a time limit, measuring its peak memory (KiB, $kb) and time ($secs);
# out/err/st as run() sets them. One hostile input tried.
ingest() {
	local name=$1 db=$2
	shift 2
	tried=$((tried + 1))
	python3 - "$T/rusage" "$MAXS" "$AIOSIFT" ingest --keep all --db "$db" \
	    "$@" >"$out" 2>"$err" <<'EOF'
import resource, subprocess, sys, time
t = time.time()
try:
    rc = subprocess.run(sys.argv[3:], timeout=float(sys.argv[2])).returncode
except subprocess.TimeoutExpired:
    rc = 124
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write("%d %d %.1f\n" % (rc, kb, time.time() - t))
EOF
	read -r st kb secs <"$T/rusage"
	if [ "$st" -eq 124 ]; then fail "$name: bounded time" "killed after ${MAXS}s"
	elif [ "$kb" -gt "$MAXKB" ]; then
		fail "$name: bounded memory" "${kb} KiB > ${MAXKB} KiB"
	else pass "$name: bounded (${kb} KiB, ${secs}s)"; fi
}
# one_line NAME: stderr holds no raw control byte but newlines, and every
# line is an "aiosift:" message.
one_line() {
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$err"; then
		fail "$1: message escaped" "raw control byte: $(cat -v "$err" | head -c 200)"
	elif grep -qv '^aiosift: ' "$err"; then
		fail "$1: message on one line" "$(head -c 300 "$err")"
	else pass "$1: message escaped, one line"; fi
}
ge() {	# ge NAME GOT MIN
	if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1"; else fail "$1" "got '$2', wanted >= $3"; fi
}

# --- gzip: broken members, decided by magic bytes, multi-member, bomb -----
A_RECS=800	# tests/fixtures/broken/a.txt: 800 one-line records
run_gz() {	# run_gz NAME FILE STATUS ERR-REGEX MIN-RECORDS
	rm -f "$T/g.db"*
	ingest "$1" "$T/g.db" "$2"
	expect_status "$1: exit $3" "$3"
	[ -n "$4" ] && expect_err "$1: says so" "$4"
	[ "$3" -ne 0 ] && one_line "$1"
	ge "$1: decoded part kept" "$(nrec "$T/g.db")" "$5"
	expect_eq "$1: database usable" "$(sql "$T/g.db" "PRAGMA integrity_check")" ok
}
run_gz "truncated gzip" "$B/truncated.gz" 3 'truncated\.gz: byte [0-9]+: truncated gzip member' 100
run_gz "bit-flipped gzip" "$B/bitflip.gz" 3 'bitflip\.gz: byte [0-9]+: corrupt gzip data' 0
run_gz "bad crc gzip" "$B/badcrc.gz" 3 'badcrc\.gz: byte [0-9]+: corrupt gzip data: incorrect data check' 0
run_gz "header-only gzip" "$B/header-only.gz" 3 'header-only\.gz: byte 10: truncated gzip member' 0
run_gz "magic-only gzip" "$B/magic-only.gz" 3 'magic-only\.gz: byte 2: truncated gzip member' 0
run_gz "trailing garbage gzip" "$B/trailing.gz" 3 'trailing\.gz: byte 9605: trailing garbage after gzip member' "$A_RECS"
run_gz "multi-member gzip" "$B/multi.gz" 0 '' $((A_RECS + 1))
expect_eq "multi-member gzip: second member whole" \
	"$(sql "$T/g.db" "SELECT nlines FROM records WHERE text LIKE '%second member%'")" 4
run_gz "multi-member, second cut" "$B/multi-truncated.gz" 3 'multi-truncated\.gz: byte 9737: truncated gzip member' "$A_RECS"
run_gz "plain text named .gz" "$B/plain-named.gz" 0 '' 1
expect_eq "plain text named .gz: read as text" "$(sql "$T/g.db" "SELECT gzip FROM sources")" 0
run_gz "gzip named .log" "$B/gzip-named.log" 0 '' "$A_RECS"
expect_eq "gzip named .log: inflated" "$(sql "$T/g.db" "SELECT gzip FROM sources")" 1

# 2 GiB of zeros in 2 MB (kept gzipped once more: 3.5 KB in git). One
# line of zeros with no newline: stored cut at the line cap, flagged.
gzip -dc "$H/bomb.gz.gz" >"$T/bomb.gz"
rm -f "$T/g.db"*
ingest "gzip bomb" "$T/g.db" "$T/bomb.gz"
expect_status "gzip bomb: exit 0" 0
expect_out "gzip bomb: all 2 GiB inflated" '\(2147\.5 MB, 1 records'
expect_err "gzip bomb: note says the record was cut" 'bomb\.gz: line 1: 1 record cut to 1 MiB lines'
expect_eq "gzip bomb: stored cut and flagged" \
	"$(sql "$T/g.db" "SELECT length(CAST(text AS BLOB)) <= 1048576, flags & 5 FROM records")" "1|5"
rm -f "$T/bomb.gz"

# --- text: binary, NUL, bad UTF-8, line ends, long lines, times, empty ----
python3 -c "import random, sys; random.seed(6); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(200000)))" >"$T/random.log"
rm -f "$T/t.db"*
ingest "random binary" "$T/t.db" "$T/random.log"
expect_status "random binary: exit 0" 0
expect_err "random binary: note" 'random\.log: line 1: [0-9]+ records with NUL bytes or invalid UTF-8'
expect_eq "random binary: every line read" \
	"$(sql "$T/t.db" "SELECT sum(nlines) >= $(tr -cd '\n\r' <"$T/random.log" | wc -c) / 2 FROM records")" 1

{ head -n 20 "$LOG"; printf '2026-11-29 22:43:15,000 INFO app: a\0b\0c\n'; tail -n +21 "$LOG"; } >"$T/nul.log"
rm -f "$T/t.db"*
ingest "NUL bytes" "$T/t.db" "$T/nul.log"
expect_status "NUL bytes: exit 0" 0
expect_err "NUL bytes: note names the line" 'nul\.log: line 21: 1 record with NUL bytes'
expect_eq "NUL bytes: kept whole, flagged" \
	"$(sql "$T/t.db" "SELECT hex(CAST(text AS BLOB)), flags & 4 FROM records WHERE line = 21")" \
	"$(printf '2026-11-29 22:43:15,000 INFO app: a' | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)00620063|4"
expect_eq "NUL bytes: the rest ingested" "$(nrec "$T/t.db")" $((HEADERS + 1))

{ head -n 20 "$LOG"; printf '2026-11-29 22:43:15,000 ERROR app: bad \xff\xfe utf8 \xc3\n'; tail -n +21 "$LOG"; } >"$T/utf.log"
rm -f "$T/t.db"*
ingest "invalid UTF-8" "$T/t.db" "$T/utf.log"
expect_status "invalid UTF-8: exit 0" 0
expect_err "invalid UTF-8: note" 'utf\.log: line 21: 1 record with NUL bytes or invalid UTF-8'
expect_eq "invalid UTF-8: bytes kept as written, flagged" \
	"$(sql "$T/t.db" "SELECT instr(CAST(text AS BLOB), x'fffe') > 0, flags & 2 FROM records WHERE line = 21")" "1|2"
expect_eq "invalid UTF-8: the rest ingested" "$(nrec "$T/t.db")" $((HEADERS + 1))

rm -f "$T/lf.db"*
"$AIOSIFT" ingest -q --keep all --db "$T/lf.db" "$LOG"
sed 's/$/\r/' "$LOG" >"$T/crlf.log"
rm -f "$T/t.db"*
ingest "CRLF" "$T/t.db" "$T/crlf.log"
expect_status "CRLF: exit 0" 0
expect_eq "CRLF: same records" "$(nrec "$T/t.db")" "$HEADERS"
expect_eq "CRLF: same findings" "$(nfind "$T/t.db")" "$(nfind "$T/lf.db")"
expect_eq "CRLF: no record ends in CR" \
	"$(sql "$T/t.db" "SELECT count(*) FROM records WHERE text LIKE '%' || char(13)")" 0
# lone CR (old Mac line ends): a regression, findings were all missed
{ tr '\n' '\r' <"$LOG"; printf '\n'; } >"$T/cr.log"
rm -f "$T/t.db"*
ingest "lone CR" "$T/t.db" "$T/cr.log"
expect_status "lone CR: exit 0" 0
expect_eq "lone CR: same records" "$(nrec "$T/t.db")" "$HEADERS"
expect_eq "lone CR: same findings" "$(nfind "$T/t.db")" "$(nfind "$T/lf.db")"

{ head -n 20 "$LOG"; printf '2026-11-29 22:43:15,000 ERROR app: '
  head -c 20000000 /dev/zero | tr '\0' x; printf '\n'; tail -n +21 "$LOG"; } >"$T/long.log"
rm -f "$T/t.db"*
ingest "20 MB line" "$T/t.db" "$T/long.log"
expect_status "20 MB line: exit 0" 0
expect_err "20 MB line: note" 'long\.log: line 21: 1 record cut to 1 MiB lines'
expect_eq "20 MB line: stored cut, flagged" \
	"$(sql "$T/t.db" "SELECT length(text) BETWEEN 1000000 AND 1048576, flags & 1 FROM records WHERE line = 21")" "1|1"
expect_eq "20 MB line: the rest ingested" "$(nrec "$T/t.db")" $((HEADERS + 1))
rm -f "$T/long.log"

# no final newline: the live file's last line waits for the rest; a
# rotated (or gzipped) file is finished, so its last line is read.
mkdir -p "$T/nonl"
head -c -1 "$LOG" >"$T/nonl/app.log"
rm -f "$T/t.db"*
ingest "no final newline, live" "$T/t.db" "$T/nonl/app.log"
expect_status "no final newline, live: exit 0" 0
expect_eq "no final newline, live: last record waits" "$(nrec "$T/t.db")" $((HEADERS - 1))
printf '\n' >>"$T/nonl/app.log"
"$AIOSIFT" ingest -q --keep all --db "$T/t.db" "$T/nonl/app.log"
expect_eq "no final newline, live: read when it ends" "$(nrec "$T/t.db")" "$HEADERS"
head -c -1 "$LOG" | gzip -c >"$T/nonl/old.log.1.gz"
rm -f "$T/t.db"*
ingest "no final newline, gzip" "$T/t.db" "$T/nonl/old.log.1.gz"
expect_eq "no final newline, gzip: last record read" "$(nrec "$T/t.db")" "$HEADERS"

cat >"$T/absurd.log" <<'EOF'
2026-11-29 22:43:10,000 INFO app: normal
9999-12-31 23:59:59,999 ERROR app: year 9999
2026-11-29 22:43:11,000 INFO app: normal
2026-13-01 10:00:00,000 ERROR app: month 13
2026-02-30 10:00:00,000 ERROR app: february 30
1969-12-31 23:59:59,000 ERROR app: before 1970
0000-01-01 00:00:00,000 ERROR app: year 0
2026-11-29 25:61:61,000 ERROR app: hour 25
1970-01-01 00:00:00,000 ERROR app: the epoch
2026-11-29 22:43:12,000 INFO app: normal
EOF
rm -f "$T/t.db"*
ingest "absurd timestamps" "$T/t.db" "$T/absurd.log"
expect_status "absurd timestamps: exit 0" 0
expect_eq "year 9999 is a time" \
	"$(sql "$T/t.db" "SELECT ts_us FROM records WHERE line = 2")" 253402300799999000
expect_eq "the epoch is a time" \
	"$(sql "$T/t.db" "SELECT ts_us FROM records WHERE line = 9")" 0
# a time that cannot be, with the layout's fields after it, still heads
# a record: with the time of the record before, flagged, and a note
expect_eq "impossible times head records of their own" \
	"$(sql "$T/t.db" "SELECT count(*), sum(nlines) FROM records")" "10|10"
expect_eq "impossible times: flagged, the time before taken" \
	"$(sql "$T/t.db" "SELECT group_concat(line) FROM records WHERE flags & 32 AND ts_us = (SELECT ts_us FROM records WHERE line = 3)")" "4,5,6,7,8"
expect_err "impossible times: a note names the first" \
	'absurd\.log: line 4: 5 records with a time that cannot be \(month 13, Feb 30, before 1970\)'
expect_eq "impossible times: their findings keep their records" \
	"$(sql "$T/t.db" "SELECT count(*) FROM records WHERE level = 'ERROR'")" 7

: >"$T/empty.log"
rm -f "$T/t.db"*
ingest "empty file" "$T/t.db" "$T/empty.log"
expect_status "empty file: exit 0" 0
expect_out "empty file: nothing to read" '^ingested 0 files .*1 file unchanged'

# a 19-digit number where a time may be (found by fuzz_timestamp: the
# epoch parser overflowed; the sanitizer build stops on it)
{ printf '9555439543955437207 ERROR app: not a time\n'; head -n 20 "$LOG"; } >"$T/epoch.log"
rm -f "$T/t.db"*
ingest "19-digit number as a time" "$T/t.db" "$T/epoch.log"
expect_status "19-digit number as a time: exit 0" 0
ge "19-digit number as a time: read" "$(nrec "$T/t.db")" 2
# a rules file whose extract names an unknown group (found by fuzz_rules:
# its group table leaked; the sanitizer build's leak check catches it)
printf 'rule x\nkind stall\npattern (?<task>a)\nextract record (?<bogus>b)\n' >"$T/bad.rules"
run rules check "$T/bad.rules"
expect_status "rules file with an unknown group: exit 2" 2
expect_err "rules file with an unknown group: named" "bad\.rules:4:.*unknown named group 'bogus'"

# --- special files and names inside a directory --------------------------
D=$T/dir
mkdir -p "$D/sub"
cp "$FIXTURES/asyncio/web_pool-py3.12.1/app.log" "$D/app.log"
mkfifo "$D/fifo.log"
ln -s "$T/nonexistent" "$D/dangling.log"
ln -s loop2.log "$D/loop1.log"; ln -s loop1.log "$D/loop2.log"
ln -s .. "$D/sub/up"
ln -s /dev/zero "$D/zero.log"
ln -s /dev/null "$D/null.log"
names=("sp ace.log" "q'uo\"te.log" $'new\nline.log' "ünïcödé.log" $'esc\e[31mred.log' $'bel\a.log')
for n in "${names[@]}"; do cp "$D/app.log" "$D/$n"; done
rm -f "$T/t.db"*
ingest "FIFO, devices, symlinks in a directory" "$T/t.db" "$D"
expect_status "special files: exit 0" 0
expect_err "FIFO skipped, not opened" 'fifo\.log: not a regular file, skipped'
expect_err "device skipped" 'zero\.log: not a regular file, skipped'
expect_err "dangling symlink skipped" 'dangling\.log: dangling symlink, skipped'
expect_err "symlink loop skipped" 'loop1\.log: symlink loop, skipped'
expect_err "directory loop walked once" 'up: directory already walked'
one_line "special files and names"
expect_eq "every odd name ingested" "$(sql "$T/t.db" "SELECT count(*) FROM sources")" $((${#names[@]} + 1))
# names in messages: a broken gzip whose name holds ESC, BEL and newline
cp "$B/truncated.gz" "$T/"$'x\e]0;pwn\a\ny.gz'
rm -f "$T/t.db"*
ingest "name with ESC, BEL, newline" "$T/t.db" "$T/"$'x\e]0;pwn\a\ny.gz'
expect_status "odd name: exit 3" 3
one_line "odd name"
expect_err "odd name: shown escaped" 'x\\e\]0;pwn\\(a|x07)\\ny\.gz: byte [0-9]+: truncated gzip member'
ingest "FIFO given by name" "$T/t.db" "$D/fifo.log"
expect_status "FIFO by name: exit 3" 3
expect_err "FIFO by name: says so" 'fifo\.log: not a regular file'
ingest "device given by name" "$T/t.db" /dev/zero
expect_status "device by name: exit 3" 3

# --- wrong kinds of file ---------------------------------------------------
"$AIOSIFT" ingest -q --keep all --db "$T/other.db" "$LOG"
cp "$T/other.db" "$T/sqlite.log"
rm -f "$T/t.db"*
ingest "SQLite file as a log" "$T/t.db" "$T/sqlite.log" "$D/app.log"
expect_status "SQLite file as a log: exit 3" 3
expect_err "SQLite file as a log: says so" 'sqlite\.log: an SQLite database, not a log; skipped'
expect_eq "SQLite file as a log: the rest ingested" "$(sql "$T/t.db" "SELECT count(*) FROM sources")" 1
python3 -c "import random, sys; random.seed(7); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(50000)))" >"$T/random.db"
cp "$T/random.db" "$T/random.keep"
ingest "random file as the database" "$T/random.db" "$LOG"
expect_status "random database: exit 4" 4
expect_err "random database: says so" 'random\.db: file is not a database'
expect_eq "random database: left intact" "$(cmp -s "$T/random.db" "$T/random.keep" && echo same)" same
printf 'my notes\n' >"$T/notes.db"
ingest "text file as the database" "$T/notes.db" "$LOG"
expect_status "text database: exit 4" 4
expect_eq "text database: left intact" "$(cat "$T/notes.db")" "my notes"
run query findings --db "$T/notes.db"
expect_status "text database, query: exit 4" 4
ingest "directory as the database" "$T/dir" "$LOG"
expect_status "directory database: exit 4" 4
expect_err "directory database: says so" 'dir: not a regular file'

# --- a read-only database, a full disk (mounts when root, else chmod) -------
mnt=$T/mnt
mkdir -p "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64m tmpfs "$mnt" 2>/dev/null; then
	db_copy "$T/other.db" "$mnt/ro.db"
	mount -o remount,ro "$mnt"
	ingest "read-only database" "$mnt/ro.db" "$D/app.log"
	expect_status "read-only database: exit 4" 4
	expect_err "read-only database: says so" 'ro\.db: database is read-only: Read-only file system'
	ingest "database on a read-only mount" "$mnt/new.db" "$D/app.log"
	expect_status "read-only directory: exit 4" 4
	expect_err "read-only directory: says so" 'new\.db: cannot create the database: Read-only file system'
	run query findings --db "$mnt/ro.db" --format ndjson
	expect_status "read-only database: query still reads" 0
	expect_eq "read-only database: every finding" "$(wc -l <"$out")" "$(sql "$T/other.db" "SELECT count(*) FROM findings")"
	umount "$mnt"
	# a full disk: 3 MB for a 5 MB ingest
	mount -t tmpfs -o size=3m tmpfs "$mnt"
	for i in $(seq 100); do cat "$LOG"; done >"$T/big.log"
	"$AIOSIFT" ingest -q --keep all --db "$mnt/f.db" "$D/app.log"
	ingest "full disk" "$mnt/f.db" "$T/big.log"
	expect_status "full disk: exit 4" 4
	expect_err "full disk: says so" 'f\.db: .*database or disk is full'
	one_line "full disk"
	expect_eq "full disk: database intact" "$(sql "$mnt/f.db" "PRAGMA integrity_check")" ok
	expect_eq "full disk: earlier data kept" "$(sql "$mnt/f.db" "SELECT count(*) FROM sources WHERE path LIKE '%/app.log'")" 1
	run query findings --db "$mnt/f.db"
	expect_status "full disk: database usable" 0
	mount -o remount,size=256m "$mnt"
	"$AIOSIFT" ingest -q --keep all --db "$mnt/f.db" "$T/big.log"
	"$AIOSIFT" ingest -q --keep all --db "$T/fclean.db" "$D/app.log" "$T/big.log"
	expect_eq "full disk: after space is freed, same as a clean run" \
		"$(sql "$mnt/f.db" "SELECT count(*), sum(nlines), (SELECT count(*) FROM findings) FROM records")" \
		"$(sql "$T/fclean.db" "SELECT count(*), sum(nlines), (SELECT count(*) FROM findings) FROM records")"
	umount "$mnt"
	rm -f "$T/big.log"
elif [ "$(id -u)" != 0 ]; then
	db_copy "$T/other.db" "$mnt/ro.db"; chmod 444 "$mnt/ro.db"; chmod 555 "$mnt"
	ingest "read-only database" "$mnt/ro.db" "$D/app.log"
	expect_status "read-only database: exit 4" 4
	expect_err "read-only database: says so" 'ro\.db: database is read-only: Permission denied'
	ingest "database in a read-only directory" "$mnt/new.db" "$D/app.log"
	expect_status "read-only directory: exit 4" 4
	expect_err "read-only directory: says so" 'new\.db: cannot create the database: Permission denied'
	chmod 755 "$mnt"
	echo "note: full disk needs a tmpfs mount (root); not tried"
else
	fail "mounts" "root, but cannot mount a tmpfs for the read-only and full-disk tests"
fi

# --- nothing gets out: log text that tries to escape -----------------------
rm -f "$T/i.db"*
ingest "injection log" "$T/i.db" "$H/inject.log"
expect_status "injection log: exit 0" 0
expect_eq "injection log: every finding" "$(sql "$T/i.db" "SELECT count(*) FROM findings")" 7
# raw ESC, BEL, BS, DEL, C1 CSI (UTF-8 c2 9b), CR not before LF: none
# may reach a terminal.
no_raw() {
	if python3 - "$out" <<'EOF'
import re, sys
d = open(sys.argv[1], "rb").read()
sys.exit(1 if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\r(?!\n)", d) else 0)
EOF
	then pass "$1: no raw control characters"
	else fail "$1: no raw control characters" "$(cat -v "$out" | grep -m1 -E '\^\[|\^G|M-BM-' | head -c 200)"; fi
}
for q in findings incidents tasks stalls top; do
	run query "$q" --db "$T/i.db" --since 10y
	expect_status "query $q on hostile text: exit 0" 0
	no_raw "query $q"
done
run query timeline --db "$T/i.db" --incident 1
no_raw "query timeline"
run query sql --db "$T/i.db" "SELECT text, task, message FROM records_v"
no_raw "query sql"
expect_out "query sql: ESC shown visibly" '\\e\]8;;http://evil'
run postmortem --db "$T/i.db" --incident "$(sql "$T/i.db" "SELECT incident_id FROM findings WHERE line = 2")"
expect_status "postmortem on hostile text: exit 0" 0
no_raw "postmortem"
expect_out "postmortem shows the traceback" 'raise ValueError'
for f in text markdown; do
	run report --db "$T/i.db" --since 10y --format "$f"
	no_raw "report $f"
done
run report --db "$T/i.db" --since 10y --format html
expect_no_out "report html: no injected tag" '<script|<img'
expect_out "report html: text escaped" '&lt;img src=x onerror=alert\(1\)&gt;&lt;script&gt;'
no_raw "report html"
run query findings --db "$T/i.db" --since 10y --format csv
for c in '=HYPERLINK' '+cmd' '-2+3' '@SUM'; do
	expect_out "csv: cell starting ${c:0:1} guarded" "\"'${c//+/\\+}"
done
expect_no_out "csv: no unguarded formula" '(^|,)"?[=+@-][A-Za-z0-9]'
no_raw "csv"
run query sql --db "$T/i.db" --format csv "SELECT text, task, message FROM records_v"
no_raw "query sql csv"
expect_out "query sql csv: ESC shown visibly" '\\e\]8;;http://evil'
run query findings --db "$T/i.db" --since 10y --format json
no_raw "json"
# every filter is a bound parameter: SQL in a value is a value
run query findings --db "$T/i.db" --task "x' OR '1'='1"
expect_status "filter with SQL: exit 0" 0
expect_eq "filter with SQL: matches nothing" "$(grep -c never_retrieved "$out")" 0
for opt in --task --coro --exception --source --kind; do
	run query findings --db "$T/i.db" "$opt" "'; DROP TABLE findings; --"
done
expect_eq "filters with SQL: nothing dropped" "$(sql "$T/i.db" "SELECT count(*) FROM findings")" 7
run query sql --db "$T/i.db" "DELETE FROM findings"
[ "$st" -ne 0 ] && pass "sql cannot write: fails" || fail "sql cannot write: fails" "exit 0"
expect_err "sql cannot write: says so" 'read-only|not allowed|refused|not authorized'
run query sql --db "$T/i.db" "SELECT * FROM findings; DROP TABLE findings"
expect_eq "sql: a second statement is not run" "$(sql "$T/i.db" "SELECT count(*) FROM findings")" 7

# --- the records' writer thread fails in the middle of a run ------------
# (a trigger on the database refuses one record: the insert fails in the
# writer's thread while the ingest's goes on; the error must come out,
# named, and the transaction go back whole)
for i in $(seq 60); do cat "$LOG"; done >"$T/long.log"
printf '2026-11-29 23:59:59,000 ERROR app: BOOM here\n' >>"$T/long.log"
for i in $(seq 5); do cat "$LOG"; done >>"$T/long.log"
rm -f "$T/w.db"*
: >"$T/nothing.log"
"$AIOSIFT" ingest -q --db "$T/w.db" "$T/nothing.log"
sql "$T/w.db" "CREATE TRIGGER boom BEFORE INSERT ON records WHEN NEW.text LIKE '%BOOM%' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;"
AIOSIFT_BATCH_RECORDS=100000 ingest "writer fails mid-run" "$T/w.db" "$T/long.log"
expect_status "writer fails mid-run: exit 4" 4
expect_err "writer fails mid-run: says where and why" \
	'w\.db: insert record: refused by a test trigger'
one_line "writer fails mid-run"
expect_eq "writer fails mid-run: the batch went back whole" \
	"$(sql "$T/w.db" "SELECT (SELECT count(*) FROM records) || ' ' || (SELECT ifnull(sum(read_bytes), 0) FROM sources)")" "0 0"
expect_eq "writer fails mid-run: database intact" "$(sql "$T/w.db" "PRAGMA integrity_check")" ok
sql "$T/w.db" "DROP TRIGGER boom"
run ingest -q --keep all --db "$T/w.db" "$T/long.log"
expect_status "writer failed, then a run: exit 0" 0
expect_eq "writer failed, then a run: every record" \
	"$(nrec "$T/w.db")" "$((HEADERS * 65 + 1))"

echo "# hostile inputs tried: $tried, each with its status, message, memory and time checked"
