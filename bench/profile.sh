#!/bin/sh
# bench/profile.sh [MB] [SET]: where aiosift's ingest time goes. Profiles
# `aiosift ingest` of the generated set (plainset, set or gzset; default
# plainset) of MB MiB (default 200) with perf (installed if missing, as
# root), and prints the top functions by self time and by inclusive time.
# Falls back to valgrind --tool=callgrind on 20 MiB when perf cannot run.
set -e
cd "$(dirname "$0")/.."
MB=${1:-200}
SET=${2:-plainset}
DATA=${BENCH_DATA:-build/bench/data}
D=$DATA/mb$MB-seed1
OUT=build/bench/profile
mkdir -p "$OUT" build/bench
[ -x build/aiosift ] || make --no-print-directory all
[ -x build/bench/gen ] || ${CC:-cc} -O2 -g -std=c11 -o build/bench/gen bench/gen.c
if [ ! -f "$D/truth.json" ]; then
	mkdir -p "$D"
	build/bench/gen --out "$D" --mb "$MB" --tail-kb 1024 --end-near-now
	touch "$D/gen.stamp"
fi
rm -f "$OUT/p.db" "$OUT/p.db-wal" "$OUT/p.db-shm"
if ! command -v perf >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	(apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q linux-perf) >/dev/null 2>&1 || true
fi
if command -v perf >/dev/null 2>&1 &&
    perf record -q -o "$OUT/perf.data" -F 2000 --call-graph dwarf,16384 -- \
    build/aiosift ingest --db "$OUT/p.db" "$D/$SET" >/dev/null 2>&1; then
	echo "== self time (perf, ingest of $MB MiB $SET)"
	perf report -i "$OUT/perf.data" --no-children --stdio --sort symbol \
	    -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -30
	echo "== inclusive time"
	perf report -i "$OUT/perf.data" --children --stdio --sort symbol \
	    -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -45
	exit 0
fi
echo "perf unavailable: callgrind on 20 MiB"
D=$DATA/mb20-seed1
if [ ! -f "$D/truth.json" ]; then
	mkdir -p "$D"
	build/bench/gen --out "$D" --mb 20 --tail-kb 1024 --end-near-now
	touch "$D/gen.stamp"
fi
rm -f "$OUT/p.db" "$OUT/p.db-wal" "$OUT/p.db-shm"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    build/aiosift ingest --db "$OUT/p.db" "$D/$SET" >/dev/null 2>&1
callgrind_annotate "$OUT/callgrind.out" 2>/dev/null | head -40
callgrind_annotate --inclusive=yes "$OUT/callgrind.out" 2>/dev/null | head -50
