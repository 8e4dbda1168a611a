#!/bin/sh
# bench/run.sh: build the generator and the SQL trace shim, install what the
# baselines need (lnav, GNU time, strace; as root), then run bench/bench.py.
#   BENCH_MB (200)   size of the generated set in MiB
#   BENCH_RUNS (3)   runs per command; medians are reported
#   BENCH_FULL (0)   1: add the 2 GB rows and the 1 GB incremental run
#   BENCH_DATA       where the data is kept (build/bench/data); reused while
#                    the generator is unchanged
set -e
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-200}
RUNS=${BENCH_RUNS:-3}
FULL=${BENCH_FULL:-0}
DATA=${BENCH_DATA:-build/bench/data}
CC=${CC:-cc}

need=""
command -v lnav >/dev/null 2>&1 || need="$need lnav"
[ -x /usr/bin/time ] || need="$need time"
command -v strace >/dev/null 2>&1 || need="$need strace"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
command -v gzip >/dev/null 2>&1 || need="$need gzip"
command -v python3 >/dev/null 2>&1 || need="$need python3"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "bench: installing$need"
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -q $need) >build/bench-deps.log 2>&1 ||
		    { cat build/bench-deps.log; exit 1; }
	else
		echo "bench: missing$need (sudo apt-get install$need); going on"
	fi
fi

mkdir -p build/bench "$DATA"
$CC -O2 -g -std=c11 -Wall -Wextra -Werror -o build/bench/gen.new bench/gen.c
if ! cmp -s build/bench/gen.new build/bench/gen; then
	mv build/bench/gen.new build/bench/gen
else
	rm -f build/bench/gen.new
fi
$CC -O2 -shared -fPIC -o build/bench/sqltrace.so bench/sqltrace.c -ldl

set -- --aiosift build/aiosift --gen build/bench/gen \
    --sqltrace "$(pwd)/build/bench/sqltrace.so" --data "$DATA" \
    --mb "$MB" --runs "$RUNS"
[ "$FULL" = 1 ] && set -- "$@" --full
exec python3 bench/bench.py "$@"
