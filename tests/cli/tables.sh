#!/bin/bash
# Tables fit the terminal (COLUMNS) and say which zone their times are
# in: at 80 columns a findings table keeps time to the second, kind, task
# and message; lower-priority columns go first; no column is cut below
# its title; --since reads zone-less times in the zone the output shows.
. "$(dirname "$0")/lib.sh"
db=$T/q.db
"$AIOSIFT" ingest --db "$db" --tz UTC -q "$FIXTURES/query/" >/dev/null 2>&1

# check_table NAME WIDTH: every line fits, no title cut
check_table() {
	local bad
	bad=$(python3 - "$out" "$2" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
w = int(sys.argv[2])
bad = [l for l in lines if len(l) > w]
if not lines: print("no table")
elif bad: print("too wide: %r" % bad[0][:120])
elif "\u2026" in lines[0]: print("a title cut: %r" % lines[0])
EOF
)
	expect_eq "$1" "$bad" ""
}
# titles: the header's column titles, "|"-separated
titles() { head -1 "$out" | sed -E 's/ {2,}/|/g; s/\|$//'; }

for w in 80 120 200; do
	COLUMNS=$w run query findings --db "$db"
	check_table "findings at $w: fits, titles whole" $w
	COLUMNS=$w run query stalls --db "$db"
	check_table "stalls at $w: fits, titles whole" $w
	COLUMNS=$w run query incidents --db "$db"
	check_table "incidents at $w: fits, titles whole" $w
	COLUMNS=$w run query tasks --db "$db"
	check_table "tasks at $w: fits, titles whole" $w
done

COLUMNS=80 run query findings --db "$db"
expect_eq "80: time, kind, task, message" "$(titles)" "TIME UTC|KIND|TASK|MESSAGE"
expect_out "80: times to the second" '^2026-11-24 18:01:24  '
expect_out "80: a readable message" '  exception was never retrieved'
expect_out "80: the kind whole" '^2026-11-24 18:01:24  never_retrieved  '
COLUMNS=120 run query findings --db "$db"
expect_eq "120: the severity and coroutine come back" "$(titles)" \
	"TIME UTC|SEV|KIND|TASK|CORO|MESSAGE"
COLUMNS=200 run query findings --db "$db"
expect_eq "200: every column, the source among them" "$(titles)" \
	"TIME UTC|SEV|KIND|TASK|CORO|EXCEPTION|SOURCE|LOCATION|INC|MESSAGE"
expect_out "200: the source is the file's tail" '  query/app\.log  '
expect_out "200: milliseconds when there is room" '^2026-11-24 18:01:24\.397  '
COLUMNS=80 run query stalls --db "$db"
expect_eq "stalls at 80: time, seconds, severity, task, message" "$(titles)" \
	"TIME UTC|SECONDS|SEV|TASK|MESSAGE"
COLUMNS=200 run query stalls --db "$db"
expect_out "stalls at 200: a source column" 'SOURCE'

# zones: named in every table and report; --local everywhere
TZ=America/New_York COLUMNS=200 run query findings --db "$db" --local
expect_out "--local: the zone named" '^TIME EST '
expect_out "--local: times shifted" '^2026-11-24 13:01:24\.397'
run report --db "$db" --since 3650d
expect_out "report: times are UTC" '^aiosift report: .* UTC \(.*\); times are UTC$'
TZ=America/New_York run report --db "$db" --since 3650d --local
expect_out "report --local: times are EST" 'times are EST$'
expect_out "report --local: shifted" '^  #[0-9]+ +[a-z]+ +2026-11-24 13:0'
TZ=America/New_York run postmortem --db "$db" --at "2026-11-24 13:04" --local --window 1m
expect_out "postmortem --local: the zone named" '^Around 2026-11-24 13:04:00\.000 EST, '
TZ=America/New_York run postmortem --db "$db" --at "2026-11-24 18:04" --window 1m
expect_out "postmortem: UTC, --at read in UTC" '^Around 2026-11-24 18:04:00\.000 UTC, '

# --since without a zone is read in the zone the output shows
n() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out"; }
TZ=America/New_York run query findings --db "$db" --since "2026-11-24 18:05" --until "2026-11-25" --format json
expect_eq "--since zone-less: UTC" "$(n)" 8
TZ=America/New_York run query findings --db "$db" --since "2026-11-24 13:05" --until "2026-11-25" --format json --local
expect_eq "--since zone-less with --local: local" "$(n)" 8
TZ=America/New_York run query findings --db "$db" --since "2026-11-24 18:05" --until "2026-11-25" --format json --local
expect_eq "--since zone-less with --local: 18:05 EST is after them" "$(n)" 0
