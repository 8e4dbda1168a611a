#!/usr/bin/env bash
# bench/fleet.sh (make bench BENCH_FLEET=1): a simulated fleet of
# BENCH_HOSTS (1,000) hosts on two local ClickHouse shards. One host's
# database holds about a day of the generator's service log (about 1,000
# findings); it is shipped under every host name (a new destination each:
# the whole state), then the last hour of its log is appended, ingested
# and shipped as one host's hourly run. Prints the rows/s of shipping,
# the hourly ship's wall time, and the latency of a 24 h fleet report and
# of `query top --host` (medians of BENCH_RUNS), against their targets.
set -eu
cd "$(dirname "$0")/.."
HOSTS=${BENCH_HOSTS:-1000}
RUNS=${BENCH_RUNS:-3}
MB=${BENCH_FLEET_MB:-160}
A=$(pwd)/build/aiosift
W=$(mktemp -d /tmp/aiosift-fleet-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
calc() { awk "BEGIN { print $1 }"; }
freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
H1=$(freeport) C1=$(freeport) H2=$(freeport) C2=$(freeport)
for n in 1 2; do
	d=$W/ch$n; h=H$n; c=C$n
	mkdir -p "$d/data" "$d/tmp" "$d/uf"
	cat >"$d/config.xml" <<EOF
<yandex>
 <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><console>0</console></logger>
 <http_port>${!h}</http_port><tcp_port>${!c}</tcp_port><listen_host>127.0.0.1</listen_host>
 <path>$d/data/</path><tmp_path>$d/tmp/</tmp_path><user_files_path>$d/uf/</user_files_path>
 <users_config>$d/users.xml</users_config>
 <default_profile>default</default_profile><default_database>default</default_database>
 <mark_cache_size>268435456</mark_cache_size>
 <remote_servers><fleet>
  <shard><replica><host>127.0.0.1</host><port>$C1</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>$C2</port></replica></shard>
 </fleet></remote_servers>
</yandex>
EOF
	cat >"$d/users.xml" <<EOF
<yandex><profiles><default/></profiles><users><default><password></password>
<networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota>
</default></users><quotas><default/></quotas></yandex>
EOF
	/usr/sbin/clickhouse-server --config-file="$d/config.xml" >"$d/stdout" 2>&1 &
	pids+=($!)
done
for port in "$H1" "$H2"; do
	for i in $(seq 400); do
		[ "$(curl -s "http://127.0.0.1:$port/ping")" = Ok. ] && break
		[ "$i" -lt 400 ] || { echo "fleet bench: no server on $port"; exit 1; }
		sleep 0.05
	done
done
URL1="http://127.0.0.1:$H1/?database=fleet"
URL2="http://127.0.0.1:$H2/?database=fleet"
"$A" fleet init --cluster fleet --to "$URL1" --to "$URL2" >/dev/null

# a day of one host's log, ending now; its last hour held back
mkdir -p build/bench
cc -O2 -std=c11 -o build/bench/gen bench/gen.c
build/bench/gen --out "$W/gen" --mb "$MB" --end-near-now >/dev/null
log=$W/gen/all.log
total=$(stat -c %s "$log")
cut=$((total - total / 8))
head -c "$cut" "$log" | sed '$d' >"$W/app.log"
db=$W/host.db
"$A" ingest --db "$db" -q --tz UTC "$W/app.log" >/dev/null
nf=$(sqlite3 "$db" "SELECT count(*) FROM findings")
nc=$(sqlite3 "$db" "SELECT count(*) FROM counts")
ni=$(sqlite3 "$db" "SELECT count(*) FROM incidents")

# every host's first ship: the whole state, two at a time
t0=$(date +%s.%N)
seq -f 'h%04g' 1 "$HOSTS" | xargs -P 2 -I{} "$A" ship --db "$db" \
    --to "$URL1" --host {} -q
t1=$(date +%s.%N)
rows=$(( (nf + nc + ni + 1) * HOSTS ))
ship_s=$(calc "$t1 - $t0")
fleet_rows=$(curl -sS --data-binary "SELECT count() FROM fleet.findings" "http://127.0.0.1:$H1/")

# the fleet as it is between cron runs: background merges caught up (a
# thousand fresh inserts leave a thousand parts, which FINAL reads apart)
parts() {
	curl -sS --data-binary "SELECT max(n) FROM (SELECT count() AS n FROM
	    system.parts WHERE active AND database = 'fleet' GROUP BY table,
	    partition)" "http://127.0.0.1:$1/"
}
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 300 ]; do
	[ "$(parts "$H1")" -le 20 ] && [ "$(parts "$H2")" -le 20 ] && break
	sleep 1
done
merge_s=$(($(date +%s) - t0))

# one host's hourly run: the last hour appended, ingested, shipped
sed -n "$(($(wc -l <"$W/app.log") + 1)),\$p" "$log" >>"$W/app.log"
"$A" ingest --db "$db" -q --tz UTC "$W/app.log" >/dev/null
hour_f=$(($(sqlite3 "$db" "SELECT count(*) FROM findings") - nf))
# (the test hook stops each run after the server's answer, before the
# cursor moves: every run sends the same hour)
hourly() { AIOSIFT_TEST_KILL=after-ack "$A" ship --db "$db" --to "$URL1" \
    --host h0001 2>/dev/null || true; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timeit() {
	local i t0 t1
	for i in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		calc "($t1 - $t0) * 1000"
	done | median
}
hourly_ms=$(timeit hourly)
report_ms=$(timeit "$A" report --fleet "$URL2" --since 24h)
top_ms=$(timeit "$A" query top --fleet "$URL2" --host h0042 --since 24h)
topall_ms=$(timeit "$A" query top --fleet "$URL2" --since 24h)

printf '\nfleet: %d hosts, 2 shards (ClickHouse %s), one host: %d findings, %d incidents, %d count rows over ~%d h\n' \
    "$HOSTS" "$(curl -sS --data-binary 'SELECT version()' "http://127.0.0.1:$H1/")" "$nf" "$ni" "$nc" \
    "$(sqlite3 "$db" "SELECT (max(ts_us) - min(ts_us)) / 3600000000 FROM findings")"
printf '%-52s %10s %10s %8s  %s\n' measure value target ratio result
row() {	# name value target unit
	local ok=PASS
	[ "$(calc "$2 <= $3")" = 1 ] || ok=FAIL
	printf '%-52s %8.1f%-2s %8s%-2s %7.2fx  %s\n' "$1" "$2" "$4" "$3" "$4" \
	    "$(calc "$2 / $3")" "$ok"
}
printf '%-52s %10.0f\n' "ship, every host's first (rows/s, 2 at a time)" \
    "$(calc "$rows / $ship_s")"
printf '%-52s %10s\n' "rows in the fleet's findings" "$fleet_rows"
printf '%-52s %10s\n' "parts per partition, most, after ${merge_s}s of merges" \
    "$(parts "$H1")"
row "one host's hourly ship ($hour_f new findings)" "$hourly_ms" 50 ms
row "report --fleet --since 24h ($HOSTS hosts)" "$report_ms" 1000 ms
row "query top --fleet --host h0042 --since 24h" "$top_ms" 1000 ms
row "query top --fleet --since 24h (all hosts)" "$topall_ms" 1000 ms
