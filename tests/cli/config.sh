# The configuration file (--config, $AIOSIFT_CONFIG): its database, rules
# files and per-source settings (layout, zone, stall-min) as ingest,
# watch, rescan and the query commands take them; `config check` and
# `config match`; every kind of mistake as FILE:LINE: message, exit 2.
. "$(dirname "$0")/lib.sh"
A=$FIXTURES/asyncio
unset AIOSIFT_DB AIOSIFT_CONFIG
cd "$T" || exit 1

# --- a good file ------------------------------------------------------
mkdir -p conf q1 q2 c1 c2 z1 z2
cp "$A/quiet_poller-py3.12.1/app.log" q1/app.log
cp "$A/quiet_poller-py3.12.1/app.log" q2/app.log
cp "$A/crawler-py3.12.1/app.log" c1/app.log
cp "$A/crawler-py3.12.1/app.log" c2/app.log
cp "$FIXTURES/ingest/service.log" z1/svc.log
cp "$FIXTURES/ingest/service.log" z2/svc.log
printf 'rule site.crawl_started\nkind callback_exception\nseverity info\ntitle crawl started\nneedle crawl started\npattern crawl (?<msg>started)\n' >conf/site.rules
cat >conf/good.conf <<EOF
# the database and rules files are relative to this file
db = ../cfg.db
rules = site.rules

[source $T/q1/*]
stall-min = 1h
[source $T/c1/*.log]
stall-min = 30
; a zone and a layout, for z1 only
[source $T/z1/svc.log]
tz = +05:00
format = stderr
[source *.log]
tz = UTC
EOF

run config check conf/good.conf
expect_status "check: a good file" 0
expect_out "check: says ok" 'good.conf: ok'
expect_out "check: db relative to the file" "^  db = conf/\.\./cfg\.db$"
expect_out "check: sections with their line" "^\[source $T/z1/svc.log\]  \(line 10\)"
run config match "$T/z1/svc.log" z2/svc.log q1/app.log nowhere.txt --config conf/good.conf
expect_status "match: exit 0" 0
expect_out "match: first section's zone wins" '^  tz = \+05:00$'
expect_out "match: a later section fills in" "^$T/z2/svc.log: \[source \*\.log\]"
expect_out "match: no section" '^nowhere.txt: no section$'

run --config conf/good.conf ingest q1 q2 c1 c2 z1 z2
expect_status "ingest under the configuration" 0
expect_eq "ingest: the configuration's database" "$([ -f cfg.db ] && echo yes)" yes
expect_eq "ingest: no ./aiosift.db" "$([ -f aiosift.db ] && echo yes)" ""
n() { sql cfg.db "SELECT count(*) FROM findings f JOIN sources s ON
    s.id = f.source_id WHERE s.set_path = '$T/$1' AND $2"; }
expect_eq "stall-min 1h: no gap stall in q1" "$(n q1/app.log "rule = 'stall.gap'")" 0
expect_eq "default stall-min: gap stalls in q2" "$(n q2/app.log "rule = 'stall.gap'")" 2
expect_eq "stall-min 30: debug stalls are slow callbacks in c1" \
    "$(n c1/app.log "kind = 'stall'")/$(n c1/app.log "kind = 'slow_callback'")" 0/2
expect_eq "default stall-min: debug stalls in c2" \
    "$(n c2/app.log "kind = 'stall'")" 2
expect_eq "the configuration's rules" "$(n c2/app.log "rule = 'site.crawl_started'")" 1
expect_eq "format stderr in z1: no times read" \
    "$(sql cfg.db "SELECT count(*) FROM records r JOIN sources s ON
    s.id = r.source_id WHERE s.set_path = '$T/z1/svc.log' AND r.flags & 16 = 0
    AND r.level IS NOT NULL AND r.level <> ''")" 0
expect_eq "layout stored per source" \
    "$(sql cfg.db "SELECT substr(layout, 1, 6) FROM sources WHERE
    set_path = '$T/z1/svc.log'")/$(sql cfg.db "SELECT substr(layout, 1, 6)
    FROM sources WHERE set_path = '$T/z2/svc.log'")" stderr/python

# zones: z2 read in UTC by its section; the same lines at +05:00 in z3
mkdir -p z3
cp "$FIXTURES/ingest/service.log" z3/svc.log
cat >conf/tz.conf <<EOF
db = tz.db
[source $T/z3/*]
tz = +05:00
EOF
run ingest --config conf/tz.conf z2 z3
first() { sql conf/tz.db "SELECT min(r.ts_us) FROM records r JOIN sources s
    ON s.id = r.source_id WHERE s.set_path = '$T/$1'"; }
expect_eq "tz per source: 5 hours apart" \
    "$(( $(first z2/svc.log) - $(first z3/svc.log) ))" 18000000000
run ingest --config conf/tz.conf --db tz2.db --tz UTC z2 z3
first2() { sql tz2.db "SELECT min(r.ts_us) FROM records r JOIN sources s
    ON s.id = r.source_id WHERE s.set_path = '$T/$1'"; }
expect_eq "--tz wins over the configuration" \
    "$(( $(first2 z2/svc.log) - $(first2 z3/svc.log) ))" 0

# the query commands, rescan and $AIOSIFT_CONFIG; --db and $AIOSIFT_DB win
run query findings --config conf/good.conf --kind stall --format ndjson
expect_status "query: the configuration's database" 0
expect_out "query: its findings" '"rule": "stall.gap"'
AIOSIFT_CONFIG=conf/good.conf run query findings --format ndjson --kind callback_exception
expect_out "\$AIOSIFT_CONFIG: its database" 'site.crawl_started'
AIOSIFT_CONFIG=conf/good.conf run rescan
expect_status "rescan under \$AIOSIFT_CONFIG" 0
expect_eq "rescan: the configuration's rules still found" \
    "$(n c2/app.log "rule = 'site.crawl_started'")" 1
AIOSIFT_CONFIG=conf/good.conf AIOSIFT_DB=env.db run ingest z2
expect_eq "\$AIOSIFT_DB wins over the configuration's db" \
    "$([ -f env.db ] && echo yes)" yes
run ingest --config=conf/good.conf --db flag.db z2
expect_eq "--db wins over the configuration's db" \
    "$([ -f flag.db ] && echo yes)" yes
run report --config conf/good.conf --since 3650d --format json
expect_status "report: the configuration's database" 0
run config check --config conf/good.conf
expect_status "check: the file in use" 0
expect_out "check: names the file in use" 'conf/good.conf: ok'
run config check
expect_status "check: no file is no error" 0
expect_out "check: says there is none" '^no configuration file'

# --- bad files: FILE:LINE: message, exit 2 ---------------------------
bad() {	# bad NAME CONTENT LINE REGEX
	printf '%s\n' "$2" >conf/bad.conf
	run config check conf/bad.conf
	expect_status "bad: $1: exit 2" 2
	expect_err "bad: $1: FILE:LINE: message" "^aiosift: conf/bad.conf:$3: $4"
}
bad "unknown setting" $'db = x.db\ncolour = red' 2 "unknown setting 'colour'"
bad "no =" $'# c\n\ndb x.db' 3 "expected 'key = value'"
bad "no value" 'db =' 1 'db: no value'
bad "format outside a section" 'format = python' 1 'format: only in a \[source GLOB\] section'
bad "db inside a section" $'[source *.log]\ndb = x.db' 2 'db: only before the first \[source\] section'
bad "unknown layout" $'[source *.log]\nformat = pythn' 2 "format: unknown layout 'pythn'"
bad "bad regex" $'[source *.log]\nheader-regex = (?<ts>x' 2 'header-regex: .*missing'
bad "bad zone" $'[source *.log]\ntz = Mars/Olympus' 2 'tz: .*Mars/Olympus'
bad "bad duration" $'[source *.log]\nstall-min = soon' 2 'stall-min: .*soon'
bad "zero duration" $'[source *.log]\nstall-min = 0' 2 'stall-min: '
bad "unknown section" '[sauce *.log]' 1 "unknown section '\[sauce \*\.log\]'"
bad "section without glob" '[source]' 1 '\[source\] without a glob'
bad "unclosed section" '[source *.log' 1 'a section is \[source GLOB\]'
printf 'rules = broken.rules\n' >conf/bad.conf
printf 'rule x\nkind stall\npattern (\n' >conf/broken.rules
run config check conf/bad.conf
expect_status "bad: a broken rules file: exit 2" 2
expect_err "bad: a broken rules file: its FILE:LINE" 'broken.rules:[0-9]+'

# every command refuses to run on a bad file, and names it
printf '[source *.log]\ntz = Nowhere/Land\n' >conf/bad.conf
run --config conf/bad.conf ingest --db bad.db z2
expect_status "ingest on a bad file: exit 2" 2
expect_err "ingest on a bad file: FILE:LINE" '^aiosift: conf/bad.conf:2: tz: '
expect_eq "ingest on a bad file: nothing written" "$([ -f bad.db ] && echo yes)" ""
AIOSIFT_CONFIG=conf/bad.conf run query findings --db cfg.db
expect_status "query on a bad \$AIOSIFT_CONFIG: exit 2" 2
run query findings --db cfg.db --config conf/missing.conf
expect_status "a missing --config: exit 2" 2
expect_err "a missing --config: named" 'conf/missing.conf: No such file or directory'
run query findings --config
expect_status "--config without FILE: exit 2" 2
run config --help
expect_status "config --help" 0
expect_out "config --help documents the format" '^  \[source /var/log/app/\*\.log\]'

# rescan reads per-source stall-min too: c1's debug stalls stay slow
# callbacks, c2's stay stalls; --stall-min on the command line wins
run rescan --config conf/good.conf
expect_status "rescan: per-source stall-min" 0
expect_eq "rescan: c1 under its section's stall-min" \
    "$(n c1/app.log "kind = 'stall'")/$(n c1/app.log "kind = 'slow_callback'")" 0/2
expect_eq "rescan: c2 under the default" "$(n c2/app.log "kind = 'stall'")" 2
run rescan --config conf/good.conf --stall-min 0.5
expect_eq "rescan: --stall-min wins" "$(n c1/app.log "kind = 'stall'")" 2
