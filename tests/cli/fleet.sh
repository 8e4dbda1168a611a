#!/usr/bin/env bash
# The fleet (issue 14): two real ClickHouse servers (Debian's 18.16) on
# free loopback ports, a two-shard cluster with configs written here;
# `fleet init`, then `ship` through every failure the issue lists, and
# after each sequence the fleet's per-host, per-kind counts under FINAL
# equal the host's local ones. Nothing talks to any address but
# 127.0.0.1; every wait polls the thing waited for, a bounded number of
# times.
. "$(dirname "$0")/lib.sh"

if ! [ -x /usr/sbin/clickhouse-server ] || ! command -v curl >/dev/null; then
	fail setup "clickhouse-server or curl missing (make deps installs them)"
	exit 1
fi
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
H1=$(freeport) C1=$(freeport) H2=$(freeport) C2=$(freeport)

# server N HTTP TCP: write its config (the cluster "fleet" is both), start it
server_config() {
	local d=$T/ch$1
	mkdir -p "$d/data" "$d/tmp" "$d/uf"
	cat >"$d/config.xml" <<EOF
<yandex>
 <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><console>0</console></logger>
 <http_port>$2</http_port><tcp_port>$3</tcp_port><listen_host>127.0.0.1</listen_host>
 <path>$d/data/</path><tmp_path>$d/tmp/</tmp_path><user_files_path>$d/uf/</user_files_path>
 <users_config>$d/users.xml</users_config>
 <default_profile>default</default_profile><default_database>default</default_database>
 <mark_cache_size>67108864</mark_cache_size>
 <remote_servers><fleet>
  <shard><replica><host>127.0.0.1</host><port>$C1</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>$C2</port></replica></shard>
 </fleet></remote_servers>
</yandex>
EOF
	# default: the servers among themselves and fleet init; shipper:
	# no DDL; reader: read-only
	cat >"$d/users.xml" <<EOF
<yandex>
 <profiles><default/><ship><allow_ddl>0</allow_ddl></ship><ro><readonly>1</readonly></ro></profiles>
 <users>
  <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
  <shipper><password>s3cret</password><networks><ip>127.0.0.1</ip></networks><profile>ship</profile><quota>default</quota><allow_databases><database>fleet</database></allow_databases></shipper>
  <reader><password>r3ad</password><networks><ip>127.0.0.1</ip></networks><profile>ro</profile><quota>default</quota><allow_databases><database>fleet</database></allow_databases></reader>
 </users>
 <quotas><default/></quotas>
</yandex>
EOF
}
declare -A spid
start_server() {	# N HTTP
	/usr/sbin/clickhouse-server --config-file="$T/ch$1/config.xml" \
	    >"$T/ch$1/stdout" 2>&1 &
	spid[$1]=$!
	pids+=($!)
	local i
	for i in $(seq 400); do
		[ "$(curl -s "http://127.0.0.1:$2/ping" 2>/dev/null)" = Ok. ] && return 0
		kill -0 "${spid[$1]}" 2>/dev/null || break
		sleep 0.05
	done
	fail "server $1 starts" "no /ping: $(tail -5 "$T/ch$1/error.log" "$T/ch$1/stdout" 2>/dev/null)"
	exit 1
}
server_config 1 "$H1" "$C1"
server_config 2 "$H2" "$C2"
start_server 1 "$H1"
start_server 2 "$H2"
pass "two servers answer /ping"

URL1="http://127.0.0.1:$H1/?database=fleet"
URL2="http://127.0.0.1:$H2/?database=fleet"
printf 's3cret\n' >"$T/ship.pw"
printf 'r3ad\n' >"$T/read.pw"
printf 'wrong\n' >"$T/bad.pw"
# chq SQL: a query to server 1 as the default user, TabSeparated
chq() { curl -sS --data-binary @- "http://127.0.0.1:$H1/" <<<"$1"; }

# --- fleet init
run fleet init --print --cluster fleet --to "$URL1"
expect_status "fleet init --print" 0
expect_out "--print: local ReplacingMergeTree(ver) by day, host, id" \
    'findings_local .*ReplacingMergeTree\(ver\) PARTITION BY toYYYYMM\(ts\) ORDER BY \(toStartOfDay\(ts\), host, fid\)'
expect_out "--print: Distributed by sipHash64(host)" \
    'fleet\.findings AS fleet\.findings_local ENGINE = Distributed\(fleet, fleet, findings_local, sipHash64\(host\)\)'
expect_out "--print: an hourly rollup of uniqExact ids" 'uniqExactState\(fid\)'
run fleet init --cluster fleet --to "$URL1" --to "$URL2"
expect_status "fleet init on both servers" 0
expect_eq "tables on server 2" "$(curl -sS "http://127.0.0.1:$H2/" --data-binary "SELECT count() FROM system.tables WHERE database = 'fleet' AND name IN ('findings', 'findings_local', 'incidents_local', 'counts_local', 'hosts', 'signature_days_local')")" 6
run fleet init --cluster fleet --to "$URL1" --to "$URL2"
expect_status "fleet init again changes nothing" 0
run fleet init --to "http://127.0.0.1:$H1/"
expect_status "fleet init without a database: usage" 2
run fleet init --to "http://127.0.0.1:$H1/?database=fleet;drop" 
expect_status "fleet init, a database name that is no name: usage" 2

# ship HOST DB [ARGS...]: as the shipper
ship() {
	local h=$1 db=$2
	shift 2
	run ship --db "$db" --to "$URL1" --host "$h" --user shipper \
	    --password-file "$T/ship.pw" --jitter 0 "$@"
}
# agree NAME HOST DB: the fleet's counts under FINAL are the local ones:
# findings per kind, incidents per severity, count rows and their sum;
# and each day's signatures (first time, count) as the host's last ship
# of that day left them (the rows of its greatest ver)
agree() {
	local want got
	want=$(sql "$3" "SELECT 'f', kind, count(*), '', '', '', '' FROM findings GROUP BY kind
	    UNION ALL SELECT 'i', severity, count(*), '', '', '', '' FROM incidents GROUP BY severity
	    UNION ALL SELECT 'c', count(*), coalesce(sum(n), 0), '', '', '', '' FROM counts
	    UNION ALL SELECT 's', max(ts_us, 0) / 86400000000 * 86400, kind,
	      coalesce(coro, ''), coalesce(exception, ''), min(ts_us), count(*)
	      FROM findings WHERE ts_us IS NOT NULL GROUP BY 2, 3, 4, 5
	    " | tr '|' ' ' | sed 's/ *$//' | LC_ALL=C sort)
	got=$(chq "SELECT * FROM (
	    SELECT 'f' AS t, kind AS a, toString(count()) AS b, '' AS c, '' AS d, '' AS e, '' AS g FROM fleet.findings FINAL WHERE host = '$2' AND deleted = 0 GROUP BY kind
	    UNION ALL SELECT 'i', toString(severity), toString(count()), '', '', '', '' FROM fleet.incidents FINAL WHERE host = '$2' AND deleted = 0 GROUP BY severity
	    UNION ALL SELECT 'c', toString(count()), toString(sum(n)), '', '', '', '' FROM fleet.counts FINAL WHERE host = '$2' AND deleted = 0
	    UNION ALL SELECT 's', toString(toUInt32(day)), kind, coro, exception, toString(first_us), toString(n) FROM fleet.signature_days FINAL
	      WHERE host = '$2' AND kind != '' AND (day, ver) GLOBAL IN (SELECT day, max(ver) FROM fleet.signature_days WHERE host = '$2' GROUP BY day))
	    " | tr '\t' ' ' | sed 's/ *$//' | LC_ALL=C sort)
	expect_eq "$1" "$got" "$want"
}
cursor() { sql "$1" "SELECT group_concat(seq) FROM ship_cursors"; }

# --- ship, ship again, ingest more and ship
db=$T/a.db
"$AIOSIFT" ingest --db "$db" --tz UTC -q "$FIXTURES/query/app.log" >/dev/null
expect_eq "never shipped: no outbox kept" "$(sql "$db" "SELECT count(*) FROM outbox")" 0
ship a "$db"
expect_status "first ship" 0
expect_out "first ship: everything, a new destination" '^shipped [1-9][0-9]* findings, [1-9][0-9]* incidents, [1-9][0-9]* counts \(0 deletions, everything'
agree "first ship: the fleet's counts are the host's" a "$db"
expect_eq "first ship: the outbox trimmed" "$(sql "$db" "SELECT count(*) FROM outbox")" 0
expect_eq "first ship: a host row" "$(chq "SELECT count() FROM fleet.hosts WHERE host = 'a'")" 1
ship a "$db"
expect_status "ship again" 0
expect_out "ship again: nothing new" '^shipped 0 findings, 0 incidents, 0 counts \(0 deletions\)'
"$AIOSIFT" ingest --db "$db" --tz UTC -q "$FIXTURES/query/worker.log" "$FIXTURES/query/batch.err" >/dev/null
expect_eq "shipped once: the outbox keeps the changes" "$(sql "$db" "SELECT count(*) > 0 FROM outbox")" 1
ship a "$db"
expect_status "ship after ingesting more" 0
expect_no_out "ship after ingesting more: not everything again" 'everything'
agree "after more: counts agree" a "$db"

# --- a rule turned off, rescan: its findings are deleted in the fleet
printf 'rule never_retrieved.future\nenabled no\n' >"$T/off.rules"
nr=$(sql "$db" "SELECT count(*) FROM findings WHERE rule = 'never_retrieved.future'")
expect_eq "the rule to turn off has findings" "$([ "$nr" -gt 0 ] && echo yes)" yes
"$AIOSIFT" rescan --db "$db" --rules "$T/off.rules" -q
ship a "$db"
expect_status "ship after a rescan" 0
expect_out "ship after a rescan: deletions" '\([1-9][0-9]* deletions\)'
agree "after the rescan: counts agree" a "$db"
expect_eq "after the rescan: no never_retrieved left in the fleet" \
    "$(chq "SELECT count() FROM fleet.findings FINAL WHERE host = 'a' AND deleted = 0 AND rule = 'never_retrieved.future'")" 0
"$AIOSIFT" rescan --db "$db" -q
ship a "$db"
agree "the rule back on: counts agree" a "$db"

# --- --reread: the source's rows deleted and made again
"$AIOSIFT" ingest --db "$db" --tz UTC -q --reread "$FIXTURES/query/worker.log" >/dev/null
ship a "$db"
expect_status "ship after --reread" 0
agree "after --reread: counts agree" a "$db"

# --- SIGKILL before the send and after the server acknowledged
"$AIOSIFT" ingest --db "$db" --tz UTC -q "$FIXTURES/ingest/service.log" >/dev/null
before=$(cursor "$db")
AIOSIFT_TEST_KILL=before-send ship a "$db"
expect_eq "killed before the send: SIGKILL" "$st" 137
expect_eq "killed before the send: the cursor unchanged" "$(cursor "$db")" "$before"
ship a "$db"
expect_status "ship after the kill before the send" 0
agree "killed before the send, then shipped: counts agree" a "$db"
printf 'rule never_awaited.warning\nenabled no\n' >"$T/off2.rules"
"$AIOSIFT" rescan --db "$db" --rules "$T/off2.rules" -q
before=$(cursor "$db")
AIOSIFT_TEST_KILL=after-ack ship a "$db"
expect_eq "killed after the acknowledgement: SIGKILL" "$st" 137
expect_eq "killed after the acknowledgement: the cursor unchanged" "$(cursor "$db")" "$before"
agree "killed after the acknowledgement: the rows arrived" a "$db"
ship a "$db"
expect_status "the resend" 0
expect_out "the resend sends the same rows again" '\([1-9][0-9]* deletions\)'
agree "after the resend: counts agree, nothing counted twice" a "$db"
expect_eq "after the resend: the raw table has the rows twice, FINAL once" \
    "$(chq "SELECT count() > uniqExact(fid, ver) OR count() > (SELECT count() FROM fleet.findings FINAL WHERE host = 'a') FROM fleet.findings WHERE host = 'a'")" 1

# --- one shard down: exit 5, the cursor unchanged, all arrives after
"$AIOSIFT" rescan --db "$db" -q
before=$(cursor "$db")
kill -KILL "${spid[2]}"; wait "${spid[2]}" 2>/dev/null
ship a "$db"
expect_status "a shard down: exit 5" 5
expect_err "a shard down: the server's message" 'insert into [a-z_]+: HTTP 500: Code: [0-9]+'
expect_eq "a shard down: the cursor unchanged" "$(cursor "$db")" "$before"
start_server 2 "$H2"
ship a "$db"
expect_status "the shard back: ship" 0
agree "the shard back: counts agree" a "$db"

# --- bad credentials, a reader that cannot write
"$AIOSIFT" ingest --db "$db" --tz UTC -q "$FIXTURES/query/app.log" >/dev/null
before=$(cursor "$db")
run ship --db "$db" --to "$URL1" --host a --user shipper --password-file "$T/bad.pw"
expect_status "a wrong password: exit 5" 5
expect_err "a wrong password: the server says so" 'HTTP [0-9]+: Code: 193, .*Wrong password for user shipper'
expect_no_out "a wrong password: no success printed" 'shipped'
run ship --db "$db" --to "$URL1" --host a --user reader --password-file "$T/read.pw"
expect_status "the read-only user cannot ship: exit 5" 5
expect_err "the read-only user: the server says so" 'readonly'
run ship --db "$db" --to "$URL1" --host a --user shipper --password-file "$T/nonexistent.pw"
expect_status "a missing password file: usage" 2
expect_eq "after refusals: the cursor unchanged" "$(cursor "$db")" "$before"
run ship --db "$db" --to "http://127.0.0.1:$H1/?database=nodb" --host a --user shipper --password-file "$T/ship.pw"
expect_status "a database that does not exist: exit 5" 5
expect_err "a database that does not exist: the message" 'Code: [0-9]+'

# --- a refused connection, and a python3 HTTP server on loopback that
# answers 500, hangs, or closes mid-response
dead=$(freeport)
run ship --db "$db" --to "http://127.0.0.1:$dead/?database=fleet" --host a
expect_status "connection refused: exit 5" 5
expect_err "connection refused: said" 'refused|Couldn.t connect'
cat >"$T/bad_server.py" <<'EOF'
import http.server, sys, threading, time
mode, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if mode == "500":
            body = b"Code: 999, e.displayText() = DB::Exception: injected \x1b[31mfailure\n"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "hang":
            stop.wait()
        elif mode == "close":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"partial")
            self.wfile.flush()
            self.connection.shutdown(2)
    def log_message(self, *a):
        pass
stop = threading.Event()
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF
for mode in 500 hang close; do
	python3 "$T/bad_server.py" "$mode" "$T/port.$mode" &
	bp=$!; pids+=($bp)
	for i in $(seq 200); do [ -s "$T/port.$mode" ] && break; sleep 0.05; done
	run ship --db "$db" --to "http://127.0.0.1:$(cat "$T/port.$mode")/?database=fleet" --host a --timeout 1
	expect_status "a server that $mode: exit 5" 5
	expect_eq "a server that $mode: the cursor unchanged" "$(cursor "$db")" "$before"
	case $mode in
	500) expect_err "500: the server's message, escaped" 'HTTP 500: Code: 999, e.displayText\(\) = DB::Exception: injected \\e\[31mfailure' ;;
	hang) expect_err "hang: a timeout" '[Tt]imeout|timed out' ;;
	close) expect_err "close: the response cut short" 'transfer closed|[Pp]artial|received' ;;
	esac
	kill "$bp"; wait "$bp" 2>/dev/null
done
ship a "$db"
agree "after the failures: counts agree" a "$db"

# --- --exec: the same rows to a command, once per table
edb=$T/e.db
"$AIOSIFT" ingest --db "$edb" --tz UTC -q "$FIXTURES/query/" >/dev/null
run ship --db "$edb" --host e --exec "cat > '$T/x.'\$AIOSIFT_TABLE"
expect_status "--exec" 0
expect_eq "--exec: every finding, one JSON line each" "$(wc -l <"$T/x.findings")" "$(sql "$edb" "SELECT count(*) FROM findings")"
expect_eq "--exec: a host row" "$(grep -c '"host":"e"' "$T/x.hosts")" 1
expect_eq "--exec: rows ClickHouse takes" "$(curl -sS --data-binary @"$T/x.findings" "http://127.0.0.1:$H1/?insert_distributed_sync=1&query=INSERT%20INTO%20fleet.findings%20FORMAT%20JSONEachRow" && chq "SELECT count() FROM fleet.findings FINAL WHERE host = 'e'")" "$(sql "$edb" "SELECT count(*) FROM findings")"
"$AIOSIFT" rescan --db "$edb" --rules "$T/off.rules" -q
before=$(cursor "$edb")
run ship --db "$edb" --host e --exec 'cat >/dev/null; exit 3'
expect_status "--exec failing: exit 5" 5
expect_err "--exec failing: its status" "exit status 3"
expect_eq "--exec failing: the cursor unchanged" "$(cursor "$edb")" "$before"

# --- a destination that never ships again: listed, then forgotten, and
# the outbox it held back trimmed
fdb=$T/forget.db
keep="cat >'$T/f.'\$AIOSIFT_TABLE"	# the destination that ships on
"$AIOSIFT" ingest --db "$fdb" --tz UTC -q "$FIXTURES/query/app.log" >/dev/null
run ship --db "$fdb" --host f --exec 'cat >/dev/null # gone'
run ship --db "$fdb" --host f --exec "$keep"
"$AIOSIFT" ingest --db "$fdb" --tz UTC -q "$FIXTURES/query/worker.log" >/dev/null
run ship --db "$fdb" --host f --exec "$keep"
held=$(sql "$fdb" "SELECT count(*) FROM outbox")
expect_eq "a silent destination holds the outbox back" "$([ "$held" -gt 0 ] && echo yes)" yes
run fleet cursors --db "$fdb"
expect_status "fleet cursors" 0
expect_out "fleet cursors: the silent one, its changes not taken" " $held  f exec:cat >/dev/null # gone\$"
expect_out "fleet cursors: the other, up to date" " 0  f exec:cat >'$T/f.'"
run fleet forget --db "$fdb" --host f --exec 'cat >/dev/null # nowhere'
expect_status "fleet forget, no such destination: usage" 2
expect_err "fleet forget, no such destination: says so" 'no cursor for f exec:cat >/dev/null # nowhere'
expect_eq "fleet forget, no such destination: nothing trimmed" "$(sql "$fdb" "SELECT count(*) FROM outbox")" "$held"
run fleet forget --db "$fdb" --host f --exec 'cat >/dev/null # gone'
expect_status "fleet forget" 0
expect_eq "fleet forget: the outbox trimmed" "$(sql "$fdb" "SELECT count(*) FROM outbox")" 0
expect_eq "fleet forget: the other cursor kept" "$(sql "$fdb" "SELECT dest FROM ship_cursors")" "f exec:$keep"
"$AIOSIFT" ingest --db "$fdb" --tz UTC -q "$FIXTURES/query/batch.err" >/dev/null
run ship --db "$fdb" --host f --exec "$keep"
expect_no_out "fleet forget: the other ships on from its cursor" 'everything'
expect_eq "fleet forget: the other gets what changed" "$(grep -c 'batch\.err' "$T/f.findings")" "$(sql "$fdb" "SELECT count(*) FROM findings f JOIN sources s ON s.id = f.source_id WHERE s.path LIKE '%batch.err'")"
run fleet forget --db "$fdb" --host f --exec "$keep"
expect_eq "fleet forget, the last one: no outbox kept" "$(sql "$fdb" "SELECT count(*) FROM outbox")" 0

# --- a hostile log: byte-exact in the fleet
hdb=$T/h.db
hlog="$T/ev"$'\e[31m"q\\'$'\xff''.log'
cp "$FIXTURES/fleet/hostile.log" "$hlog"
"$AIOSIFT" ingest --db "$hdb" --tz UTC -q "$hlog" >/dev/null 2>&1
ship h "$hdb"
expect_status "hostile: ship" 0
agree "hostile: counts agree" h "$hdb"
expect_eq "hostile: source, task, message byte-exact" \
    "$(chq "SELECT hex(source), hex(ifNull(task, '')), hex(message) FROM fleet.findings FINAL WHERE host = 'h'" | tr '\t' ' ' | sort)" \
    "$(sql "$hdb" "SELECT hex(s.path) || ' ' || hex(coalesce(f.task, '')) || ' ' || hex(f.message) FROM findings f JOIN sources s ON s.id = f.source_id" | sort)"
expect_eq "hostile: a logger of escapes, quotes, backslash, invalid UTF-8 byte-exact" \
    "$(chq "SELECT hex(logger) FROM fleet.counts FINAL WHERE host = 'h' AND logger LIKE 'evil%'")" \
    "$(sql "$hdb" "SELECT hex(logger) FROM counts WHERE logger LIKE 'evil%'")"
expect_eq "hostile: the logger has every kind of hostile byte" \
    "$(sql "$hdb" "SELECT instr(logger, char(27)) > 0 AND instr(logger, '\\') > 0 AND instr(logger, '\"') > 0 AND instr(hex(logger), 'FF') > 0 FROM counts WHERE logger LIKE 'evil%'")" 1

# --- a record a rotation cut in two, joined in a later run: its finding
# made again from the whole record reaches the fleet
K=$FIXTURES/asyncio/k8s_worker-py3.12.1
kdb=$T/k.db
mkdir -p "$T/k8s"
cp "$K/app.log.20261129-230719.gz" "$T/k8s/"
cp "$K/app.log.20261129-230721" "$T/k8s/app.log"
"$AIOSIFT" ingest -q --db "$kdb" "$T/k8s" >/dev/null
ship k "$kdb"
agree "joined record, first part shipped: counts agree" k "$kdb"
mv "$T/k8s/app.log" "$T/k8s/app.log.20261129-230721"
cp "$K/app.log" "$T/k8s/app.log"
"$AIOSIFT" ingest -q --db "$kdb" "$T/k8s" >/dev/null
expect_eq "joined record: the local finding made again" \
    "$(sql "$kdb" "SELECT exception FROM findings WHERE kind = 'callback_exception'")" KeyError
ship k "$kdb"
expect_status "joined record: ship" 0
agree "joined record: counts agree" k "$kdb"
expect_eq "joined record: the fleet has the finding made again" \
    "$(chq "SELECT exception FROM fleet.findings FINAL WHERE host = 'k' AND deleted = 0 AND kind = 'callback_exception'")" KeyError

# --- usage
run ship --db "$db"
expect_status "ship without --to or --exec: usage" 2
run ship --db "$db" --to "$URL1" --exec cat
expect_status "ship with both: usage" 2
run ship --db "$db" --to "ftp://127.0.0.1/" --host a
expect_status "ship to a URL that is not http: usage" 2
run ship --db "$db" --to "$URL1" --jitter -1
expect_status "ship --jitter -1: usage" 2

# --- fleet questions, as the read-only user
fq() { run "$@" --fleet "$URL2" --user reader --password-file "$T/read.pw"; }
fq query findings --host a --format ndjson
expect_status "query findings --fleet" 0
expect_eq "query findings --fleet --host a: every finding of a" "$(wc -l <"$out")" "$(sql "$db" "SELECT count(*) FROM findings")"
expect_eq "query findings --fleet: the host key" "$(grep -c '"host": "a"' "$out")" "$(sql "$db" "SELECT count(*) FROM findings")"
"$AIOSIFT" query findings --db "$db" --format ndjson >"$T/local.ndjson"
cat >"$T/same_rows.py" <<'EOF'
import json, sys
def rows(p, drop):
    out = []
    for line in open(p):
        d = json.loads(line)
        for k in drop:
            d.pop(k, None)
        out.append(json.dumps(d, sort_keys=True))
    return sorted(out)
a = rows(sys.argv[1], ["incident"])
b = rows(sys.argv[2], ["incident", "host"])
print("same" if a == b else "differ: %d vs %d" % (len(a), len(b)))
EOF
expect_eq "query findings --fleet: the local rows, a host key added" \
    "$(python3 "$T/same_rows.py" "$T/local.ndjson" "$out")" same
fq query findings --host a --kind stall --limit 2 --format csv
expect_eq "query findings --fleet --kind --limit: the most recent two" "$(tail -n +2 "$out" | wc -l)" 2
fq query stalls --host a
expect_status "query stalls --fleet" 0
expect_out "query stalls --fleet: a host column" '^TIME UTC +HOST +SECONDS'
fq query incidents --host a --format csv
expect_eq "query incidents --fleet: every incident of a" "$(($(wc -l <"$out") - 1))" "$(sql "$db" "SELECT count(*) FROM incidents")"
fq query tasks --host a --format csv
expect_status "query tasks --fleet" 0
expect_out "query tasks --fleet: a hosts column" '^"task","first","last","findings","severity","hosts"'
fq query top --host a --by kind --format csv
expect_eq "query top --fleet --by kind: the local counts" \
    "$(tail -n +2 "$out" | cut -d, -f2,3 | sort)" \
    "$(sql "$db" "SELECT '\"' || kind || '\",' || count(*) FROM findings GROUP BY kind" | sort)"
fq query timeline --task x
expect_status "query timeline --fleet: usage" 2

# hostile filter values: literals, never SQL
for v in "x' OR 1=1 --" "a'; DROP TABLE fleet.findings_local; --" 'x\' \
    '"\' "*'\\*[" "a\\' OR '1'='1" $'a\e[31m\xff'; do
	fq query findings --host "$v" --task "$v"
	expect_status "hostile filter value: exit 0" 0
	expect_eq "hostile filter value: nothing matches" "$(wc -l <"$out")" 0
	fq query incidents --host "$v" --source "$v" --exception "$v"
	expect_status "hostile filter value (incidents): exit 0" 0
done
expect_eq "hostile filter values: the tables are whole" \
    "$(chq "SELECT count() FROM fleet.findings FINAL WHERE host = 'a' AND deleted = 0")" "$(sql "$db" "SELECT count(*) FROM findings")"
fq query findings --host '[a]' --task '*'
expect_eq "a glob host: [a]" "$(($(wc -l <"$out") - 1))" "$(sql "$db" "SELECT count(*) FROM findings WHERE task IS NOT NULL")"
fq query findings --host a --source 'app.log' --format csv
expect_eq "--source by its tail" "$(($(wc -l <"$out") - 1))" "$(sql "$db" "SELECT count(*) FROM findings f JOIN sources s ON s.id = f.source_id WHERE s.path LIKE '%/app.log'")"

# the hostile host: its text comes back escaped
fq query findings --host h
expect_no_out "hostile: no raw escape in the table" $'\e'
fq query findings --host h --format ndjson
expect_out "hostile: its source escaped in JSON" '"source": "[^"]*/ev\\u001b\[31m\\"q\\\\'

cat >"$T/ndjson_ok.py" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)
print("ok")
EOF
expect_eq "hostile: ndjson parses" "$(python3 "$T/ndjson_ok.py" "$out" 2>&1)" ok
fq report --host h --since 3650d
expect_status "report --fleet --host h" 0
expect_no_out "hostile report: no raw escape" $'\e'
expect_out "hostile report: its finding" 'never_retrieved'
fq report --host h --since 3650d --format html
expect_no_out "hostile html report: no raw escape, no script tag" "$(printf '\033')|<script"

# query hosts: the last ship, the usual interval, silent ones flagged
now=$(date +%s)
curl -sS --data-binary @- "http://127.0.0.1:$H1/?insert_distributed_sync=1" <<<"INSERT INTO fleet.hosts (host, ts, ship_us, prev_us, fleet_id, rows) VALUES
    ('quiet', $((now - 36000)), $(((now - 36000) * 1000000)), $(((now - 39600) * 1000000)), 'x', 0),
    ('quiet', $((now - 32400)), $(((now - 32400) * 1000000)), $(((now - 36000) * 1000000)), 'x', 0),
    ('steady', $((now - 3600)), $(((now - 3600) * 1000000)), $(((now - 7200) * 1000000)), 'x', 0),
    ('steady', $((now - 600)), $(((now - 600) * 1000000)), $(((now - 3600) * 1000000)), 'x', 0)"
fq query hosts --format csv
expect_status "query hosts --fleet" 0
expect_out "query hosts: a host silent for more than twice its interval" '^"quiet",.*,"silent"'
expect_out "query hosts: a steady host ok" '^"steady",.*,"ok"'
expect_out "query hosts: a shipping host, its last ship" '^"a","20[0-9-]+T'
fq query hosts --host 'st*'
expect_eq "query hosts --host GLOB" "$(tail -n +2 "$out" | awk '{print $1}')" steady

# --- a signature whose earlier findings were withdrawn is new again:
# the first part of a log ingested and shipped, its never_retrieved
# findings withdrawn (the rule off, rescan), then the rest ingested with
# the rule on; the fleet's new signatures of a period after the first
# part are the host's own
head -n 244 "$FIXTURES/query/app.log" >"$T/w1.log"
tail -n +245 "$FIXTURES/query/app.log" >"$T/w2.log"
wdb=$T/w.db
newsigs() {	# JSON report -> its new signatures, sorted
	python3 -c 'import json, sys; print(sorted((s["kind"], s["coro"] or "", s["exception"] or "") for s in json.load(open(sys.argv[1]))["new_signatures"]))' "$1"
}
W='--since 2026-11-24T18:05:00Z --until 2026-11-24T18:10:00Z --format json'
"$AIOSIFT" ingest --db "$wdb" --tz UTC -q "$T/w1.log" >/dev/null
ship w "$wdb"
"$AIOSIFT" rescan --db "$wdb" --rules "$T/off.rules" -q
ship w "$wdb"
expect_out "withdrawn: the deletions shipped" '\([1-9][0-9]* deletions\)'
"$AIOSIFT" ingest --db "$wdb" --tz UTC -q "$T/w2.log" >/dev/null
ship w "$wdb"
agree "withdrawn, then more: counts and signature days agree" w "$wdb"
# shellcheck disable=SC2086
"$AIOSIFT" report --db "$wdb" $W >"$T/wlocal.json"
# shellcheck disable=SC2086
fq report --host w $W
cp "$out" "$T/wfleet.json"
expect_eq "withdrawn: the signature is new again here" \
    "$(newsigs "$T/wlocal.json" | grep -c "WebWorkerPool.send_metrics")" 1
expect_eq "withdrawn: the fleet's new signatures are the host's" \
    "$(newsigs "$T/wfleet.json")" "$(newsigs "$T/wlocal.json")"

# --- a simulated fleet: one database copied to 20 hosts
sdb=$T/fixture.db
"$AIOSIFT" ingest --db "$sdb" --tz UTC -q --keep all "$FIXTURES/query/" >/dev/null
for i in $(seq -w 1 20); do
	db_copy "$sdb" "$T/host$i.db"
	run ship --db "$T/host$i.db" --to "$URL1" --host "sim$i" --user shipper --password-file "$T/ship.pw" -q
	[ "$st" -eq 0 ] || fail "simulated fleet: ship sim$i" "exit $st: $(head -c 300 "$err")"
done
agree "simulated fleet: host sim07 agrees" sim07 "$T/host07.db"
# until an hour ago: a local report counts a finding with no time by when
# it was stored (now), which a fleet does not know
"$AIOSIFT" report --db "$sdb" --since 3650d --until 1h --format json >"$T/local.json"
fq report --host 'sim*' --since 3650d --until 1h --format json
cp "$out" "$T/fleet.json"
cat >"$T/times20.py" <<'EOF'
import json, sys
l, f = (json.load(open(p)) for p in sys.argv[1:3])
def kinds(r):
    return {k["kind"]: k["count"] for k in r["kinds"]}
bad = []
lk, fk = kinds(l), kinds(f)
if {k: 20 * n for k, n in lk.items()} != fk: bad.append("kinds %s %s" % (lk, fk))
if 20 * l["findings"] != f["findings"]: bad.append("findings")
if 20 * l["incident_count"] != f["incident_count"]: bad.append("incidents")
if len(l["new_signatures"]) != len(f["new_signatures"]): bad.append("signatures")
ld = sorted([x["duration_s"] for x in l["longest_stalls"]] * 20, reverse=True)[:10]
if [x["duration_s"] for x in f["longest_stalls"]] != ld: bad.append("stalls")
if any(": " not in x["source"] for x in f["longest_stalls"]): bad.append("stall hosts")
if len(f["incidents"]) != min(50, 20 * l["incident_count"]): bad.append("incidents listed")
if any(not x["summary"].startswith("sim") for x in f["incidents"]): bad.append("incident hosts")
print("; ".join(bad) or "ok")
EOF
expect_eq "simulated fleet: the fleet report is 20 times the local one" \
    "$(python3 "$T/times20.py" "$T/local.json" "$T/fleet.json")" ok
fq query top --host 'sim0*' --by kind --format csv
expect_eq "simulated fleet: top over 9 hosts" \
    "$(tail -n +2 "$out" | cut -d, -f2,3,4 | sort)" \
    "$(sql "$sdb" "SELECT '\"' || kind || '\",' || (9 * count(*)) || ',9' FROM findings GROUP BY kind" | sort)"
