# `aiosift watch` while a real Python program (tests/cli/watch_writer.py,
# through pyenv's CPython) logs through RotatingFileHandler (rotating many
# times), FileHandler with copytruncate, a gzipping rotator, and a
# WatchedFileHandler whose file is deleted with unread lines. The writer
# waits on watch's progress (its database), never on time; then watch is
# stopped by SIGINT (inotify) or SIGTERM (--poll), and its database must
# equal a batch ingest of the same files, its printed findings the stored
# ones, and a cron ingest after it must add nothing.
. "$(dirname "$0")/lib.sh"
pyroot=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
PY=
for v in 3.12.1 3.11.7 3.13.0 3.10.13; do
	[ -x "$pyroot/versions/$v/bin/python3" ] &&
		{ PY=$pyroot/versions/$v/bin/python3; break; }
done
WRITER=$(dirname "$0")/watch_writer.py

# dump DB: records, findings (with their incident), incidents and counts
# of the sets under DIR, in an order that does not depend on how the run
# was cut into pieces.
dump() {
	sqlite3 -batch "$1" "
	SELECT 'R', s.set_path, r.offset, r.line, r.nlines, r.ts_us, r.flags,
	  r.level, r.logger, r.pid, r.task, hex(r.text) FROM records r
	  JOIN sources s ON s.id = r.source_id WHERE s.set_path LIKE '$2/%'
	  ORDER BY 2, 3, 6;
	SELECT 'F', s.set_path, f.offset, f.line, f.ts_us, f.kind, f.rule,
	  f.severity, f.task, f.coro, f.exception, f.location, f.message,
	  f.duration_us, i.kinds, i.first_us, i.count FROM findings f
	  JOIN sources s ON s.id = f.source_id
	  LEFT JOIN incidents i ON i.id = f.incident_id
	  WHERE s.set_path LIKE '$2/%' ORDER BY 2, 3, 5, 6, 7;
	SELECT 'I', set_path, first_us, last_us, severity, kinds, key, task,
	  coro, count, summary FROM incidents WHERE set_path LIKE '$2/%'
	  ORDER BY 2, 3, 6;
	SELECT 'C', s.set_path, c.minute, c.level, c.logger, sum(c.n)
	  FROM counts c JOIN sources s ON s.id = c.source_id
	  WHERE s.set_path LIKE '$2/%' GROUP BY 2, 3, 4, 5 ORDER BY 2, 3, 4, 5;"
}
# findings NDJSON without the keys that change after printing (a file's
# name at rotation, incident numbers as correlation goes on), sorted
norm() {
	python3 -c '
import json, sys
for line in sys.stdin:
    if not line.strip():
        continue
    o = json.loads(line)
    if o["rule"] == "stall.in_progress":
        continue
    o.pop("source"); o.pop("incident")
    print(json.dumps(o, sort_keys=True))' | sort
}
# wait_for WHAT CMD...: until CMD succeeds, at most 600 polls
wait_for() {
	local what=$1 i
	shift
	for i in $(seq 600); do
		"$@" && return 0
		sleep 0.05
	done
	fail "$what" "not reached after 600 polls"
	return 1
}

# --- usage -----------------------------------------------------------
run watch --help
expect_status "help exits 0" 0
expect_out "help shows usage" '^usage: aiosift watch'
expect_out "help names the poll fallback" '--poll'
run watch --db "$T/u.db"
expect_status "no path is a usage error" 2
run watch --db "$T/u.db" -
expect_status "stdin is refused" 2
expect_err "stdin refusal says why" 'standard input cannot be watched'
run watch --db "$T/u.db" --format csv "$T"
expect_status "csv is no watch format" 2
run watch --db "$T/u.db" --poll=0 "$T"
expect_status "a zero poll interval is refused" 2
run help
expect_out "watch is in the command list" '^  watch '

if [ -z "$PY" ]; then
	fail "python" "no pyenv CPython 3.10-3.13 under $pyroot"
	exit 0
fi

# live DIR DELDIR NAME SIGNAL WATCHOPTS...: watch DIR (and DELDIR) while
# the writer runs, then stop it with SIGNAL; checks under NAME.
live() {
	local dir=$1 deldir=$2 name=$3 sig=$4 wpid wst pst
	shift 4

	mkdir -p "$dir" ${deldir:+"$deldir"}
	"$AIOSIFT" watch --db "$T/$name.db" --keep all --stall-min 0.3 \
	    "$@" "$dir" ${deldir:+"$deldir"} >"$T/$name.out" 2>"$T/$name.err" &
	wpid=$!
	"$PY" "$WRITER" --dir "$dir" ${deldir:+--deldir "$deldir"} \
	    --db "$T/$name.db" --out "$T/$name.out" \
	    ${RECORDS:+--records "$RECORDS"} >"$T/$name.py" 2>&1
	pst=$?
	kill -"$sig" "$wpid"
	wait "$wpid"
	wst=$?
	if [ "$pst" -eq 0 ]; then pass "$name: watch kept up with the writer"
	else fail "$name: watch kept up with the writer" "$(cat "$T/$name.py")"; fi
	expect_eq "$name: $sig exits 0" "$wst" 0
	if grep -q "watch: SIG$sig; " "$T/$name.err"; then
		pass "$name: summary on $sig"
	else fail "$name: summary on $sig" "$(head -c 300 "$T/$name.err")"; fi
	if grep -qvE '^aiosift: (watch: SIG|note: no log files there yet|note: .*: times without a zone read in [^ ]+, the local zone)' \
	    "$T/$name.err"; then
		fail "$name: no errors or notes" "$(head -c 300 "$T/$name.err")"
	else pass "$name: no errors or notes"; fi
	expect_eq "$name: every record written is stored" \
	    "$(sql "$T/$name.db" "SELECT count(*) FROM records")" \
	    "$(tail -n 1 "$T/$name.py")"
	# the same files, read in one batch
	"$AIOSIFT" ingest --db "$T/$name-batch.db" --keep all --stall-min 0.3 \
	    "$dir" >/dev/null 2>&1
	dump "$T/$name.db" "$dir" >"$T/$name.dump"
	dump "$T/$name-batch.db" "$dir" >"$T/$name-batch.dump"
	if [ "$(grep -c '^R' "$T/$name.dump")" -gt 100 ] &&
	    cmp -s "$T/$name.dump" "$T/$name-batch.dump"; then
		pass "$name: database = a batch ingest of the same files"
	else fail "$name: database = a batch ingest of the same files" \
	    "$(diff "$T/$name.dump" "$T/$name-batch.dump" | head -5)"; fi
	# the writer's silences are waits outside its loop: the gap
	# detector may judge one a stall, an idle period or (a new file) a
	# restart, depending on the records around it
	for k in never_retrieved never_awaited 'stall|idle|restart'; do
		if grep -qE "^F\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|($k)\|" \
		    "$T/$name.dump"; then
			pass "$name: $k found"
		else fail "$name: $k found" "none in the dump"; fi
	done
	# what it printed is what it stored
	"$AIOSIFT" query findings --db "$T/$name.db" --format ndjson |
	    norm >"$T/$name.stored"
	norm <"$T/$name.out" >"$T/$name.printed"
	if [ -s "$T/$name.stored" ] &&
	    cmp -s "$T/$name.stored" "$T/$name.printed"; then
		pass "$name: printed findings = stored findings"
	else fail "$name: printed findings = stored findings" \
	    "$(diff "$T/$name.stored" "$T/$name.printed" | head -5)"; fi
	if grep -q '"rule": "stall.in_progress".*"duration_s": 0\.[3-9]' \
	    "$T/$name.out"; then pass "$name: a stall shown in progress"
	else fail "$name: a stall shown in progress" "none past 0.3 s"; fi
	# a cron ingest after it finds nothing new
	"$AIOSIFT" ingest --db "$T/$name.db" --keep all --stall-min 0.3 \
	    "$dir" >/dev/null 2>&1
	dump "$T/$name.db" "$dir" >"$T/$name.dump2"
	if cmp -s "$T/$name.dump" "$T/$name.dump2"; then
		pass "$name: a cron ingest after it adds nothing"
	else fail "$name: a cron ingest after it adds nothing" \
	    "$(diff "$T/$name.dump" "$T/$name.dump2" | head -5)"; fi
}

# inotify, SIGINT, a file deleted with lines unread
live "$T/logs" "$T/del" inotify INT
expect_eq "inotify: rotated many times" \
    "$(ls "$T/logs" | grep -c '^app\.log\.[0-9]*$' | awk '$1 >= 3 { print "yes" }')" yes
expect_eq "inotify: old members gzipped" \
    "$(ls "$T/logs" | grep -c '^gz\.log\.[0-9]*\.gz$' | awk '$1 >= 1 { print "yes" }')" yes
expect_eq "inotify: copytruncate happened" \
    "$(ls "$T/logs" | grep -c '^copy\.log\.1$')" 1
expect_eq "deleted file: every line stored, before and after" \
    "$(sql "$T/inotify.db" "SELECT count(*) FROM records r JOIN sources s
    ON s.id = r.source_id WHERE s.set_path = '$T/del/del.log'")" 60
expect_eq "deleted file: the unread lines of the deleted file" \
    "$(sql "$T/inotify.db" "SELECT count(*) FROM records WHERE text LIKE
    '%before delete%'")" 40

# the poll fallback, SIGTERM
RECORDS=60 live "$T/plogs" "" poll TERM --poll=0.05

# --- the table on a terminal's behalf: --format table, colour ---------
mkdir -p "$T/tbl"
cp "$FIXTURES/ingest/service.log" "$T/tbl/app.log"
"$AIOSIFT" watch --db "$T/tbl.db" --format table --color always "$T/tbl" \
    >"$T/tbl.out" 2>"$T/tbl.err" &
wpid=$!
tbl_ready() { [ "$(grep -c 'never_retrieved' "$T/tbl.out")" -ge 1 ]; }
wait_for "table rows" tbl_ready
kill -INT "$wpid"
wait "$wpid"
expect_eq "table: SIGINT exits 0" "$?" 0
out=$T/tbl.out
expect_out "table: header" '^TIME UTC +SEV +KIND +TASK'
expect_out "table: severities coloured" $'\033\\[3[13]m(error|warning)'
expect_eq "table: one row per stored finding" \
    "$(($(wc -l <"$T/tbl.out") - 1))" \
    "$(sql "$T/tbl.db" "SELECT count(*) FROM findings")"

# --- a file whose folder does not exist yet ----------------------------
"$AIOSIFT" watch --db "$T/late.db" --format ndjson "$T/late/sub/app.log" \
    >"$T/late.out" 2>"$T/late.err" &
wpid=$!
late_noted() { grep -q 'waiting for them' "$T/late.err"; }
wait_for "late: watch started" late_noted
mkdir -p "$T/late/sub"
cp "$FIXTURES/ingest/service.log" "$T/late/sub/app.log"
late_ready() { [ "$(sql "$T/late.db" "SELECT count(*) FROM findings" 2>/dev/null)" = \
    "$(sql "$T/tbl.db" "SELECT count(*) FROM findings")" ]; }
wait_for "late: the file read once its folder came" late_ready &&
    pass "late: the file read once its folder came"
kill -TERM "$wpid"
wait "$wpid"
expect_eq "late: SIGTERM exits 0" "$?" 0
