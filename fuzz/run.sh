#!/usr/bin/env bash
# Run every libFuzzer harness (build/fuzz/fuzz_NAME, from fuzz/fuzz_NAME.c):
# first over its regression inputs (tests/fixtures/hostile/fuzz/NAME/:
# inputs that once crashed, each must now run clean), then fuzzing from its
# seed corpus fuzz/corpus/NAME (read only). Two modes:
#   fuzz/run.sh SECONDS [NAME...]   open-ended (make fuzz): each harness for
#       SECONDS, random seed, learning into build/fuzz/corpus/NAME; an input
#       that crashes is copied into tests/fixtures/hostile/fuzz/NAME/ as a
#       regression input (rename it for what it was and commit it);
#   FUZZ_RUNS=N fuzz/run.sh [NAME...] deterministic (make check): the
#       committed corpora replayed, then exactly N runs with the fixed seed
#       FUZZ_SEED (default 1) from a fresh corpus, so every run of make
#       check does the same work.
# Prints one line per harness with executions and coverage, "PASS"/"FAIL"
# lines, and exits 1 if any harness crashed, leaked, timed out or ran out
# of memory; the input that did it is left in build/fuzz/crash-NAME-*.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
runs=${FUZZ_RUNS:-}
if [ -z "$runs" ]; then secs=${1:-60}; shift 2>/dev/null; fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; names+=("${n%.c}"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TZ=UTC
failed=0 pass=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
flunk() {	# flunk MESSAGE: one failed check
	echo "FAIL $1"
	failed=$((failed + 1))
	[ -z "${CHECK_FAILED:-}" ] || echo "fuzz: $1" | cut -c1-160 >>"$CHECK_FAILED"
}
for n in "${names[@]}"; do
	bin=build/fuzz/fuzz_$n
	reg=tests/fixtures/hostile/fuzz/$n
	log=build/fuzz/$n.log
	[ -x "$bin" ] || { flunk "fuzz $n: $bin not built"; continue; }
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		nreg=$(ls "$reg" | wc -l)
		if "$bin" -timeout=10 -rss_limit_mb=2048 "$reg"/* >"$log" 2>&1; then
			echo "PASS fuzz $n: $nreg regression inputs run clean"
			pass=$((pass + 1))
		else
			flunk "fuzz $n: a regression input fails again"
			grep -m5 -E 'ERROR|runtime error|Assertion|Running:' "$log" | sed 's/^/    /'
		fi
	fi
	dict=()
	[ -f "fuzz/$n.dict" ] && dict=(-dict="fuzz/$n.dict")
	if [ -n "$runs" ]; then
		work=$tmp/$n; what="$runs runs, seed ${FUZZ_SEED:-1}"
		mode=(-runs="$runs" -seed="${FUZZ_SEED:-1}")
	else
		work=build/fuzz/corpus/$n; what="${secs}s"
		mode=(-max_total_time="$secs")
	fi
	mkdir -p "$work"
	rm -f build/fuzz/crash-"$n"-*
	"$bin" "${mode[@]}" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 "${dict[@]}" \
	    -artifact_prefix="build/fuzz/crash-$n-" "$work" "fuzz/corpus/$n" \
	    >"$log" 2>&1
	rc=$?
	execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(printf '%s\n' "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
	ft=$(printf '%s\n' "$last" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
	printf 'fuzz %-10s %10s execs  cov %6s  ft %6s  %s\n' "$n" "${execs:-?}" \
	    "${cov:-?}" "${ft:-?}" "$what"
	if [ "$rc" -eq 0 ]; then
		echo "PASS fuzz $n: no crash, leak, timeout or OOM in $what"
		pass=$((pass + 1))
		continue
	fi
	crash=$(ls build/fuzz/crash-"$n"-* 2>/dev/null | head -1)
	if [ -n "$crash" ] && [ -z "$runs" ]; then
		mkdir -p "$reg"
		cp "$crash" "$reg/found-$(basename "$crash" | sed "s/^crash-$n-//")"
		crash="$crash, copied into $reg/ as a regression input"
	fi
	flunk "fuzz $n: exit $rc, input kept as ${crash:-none}"
	grep -m8 -E 'ERROR|runtime error|Assertion|SUMMARY|#[0-9]+ 0x' "$log" | sed 's/^/    /'
done
echo "fuzz: $pass passed, $failed failed"
[ -z "${CHECK_COUNTS:-}" ] || echo "$pass $failed" >>"$CHECK_COUNTS"
[ "$failed" -eq 0 ]
