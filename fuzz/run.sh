#!/usr/bin/env bash
# Run every libFuzzer harness (build/fuzz/fuzz_NAME, from fuzz/fuzz_NAME.c)
# for SECONDS each: first over its regression inputs
# (tests/fixtures/hostile/fuzz/NAME/: inputs that once crashed, each must
# now run clean), then fuzzing from its seed corpus fuzz/corpus/NAME (read
# only; new inputs go to build/fuzz/corpus/NAME). Prints one line per
# harness with executions and coverage, "PASS"/"FAIL" lines, and exits 1
# if any harness crashed, leaked, timed out or ran out of memory; the
# input that did it is left in build/fuzz/crash-NAME-*.
# usage: fuzz/run.sh [SECONDS] [NAME...]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
secs=${1:-60}
shift 2>/dev/null
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; names+=("${n%.c}"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TZ=UTC
failed=0 pass=0
for n in "${names[@]}"; do
	bin=build/fuzz/fuzz_$n
	reg=tests/fixtures/hostile/fuzz/$n
	work=build/fuzz/corpus/$n
	log=build/fuzz/$n.log
	[ -x "$bin" ] || { echo "FAIL fuzz $n: $bin not built"; failed=1; continue; }
	mkdir -p "$work"
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		nreg=$(ls "$reg" | wc -l)
		if "$bin" -timeout=10 -rss_limit_mb=2048 "$reg"/* >"$log" 2>&1; then
			echo "PASS fuzz $n: $nreg regression inputs run clean"
			pass=$((pass + 1))
		else
			echo "FAIL fuzz $n: a regression input fails again:"
			grep -m5 -E 'ERROR|runtime error|Assertion|Running:' "$log" | sed 's/^/    /'
			failed=1
		fi
	fi
	dict=()
	[ -f "fuzz/$n.dict" ] && dict=(-dict="fuzz/$n.dict")
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 "${dict[@]}" \
	    -artifact_prefix="build/fuzz/crash-$n-" "$work" "fuzz/corpus/$n" \
	    >"$log" 2>&1
	rc=$?
	execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(printf '%s\n' "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
	ft=$(printf '%s\n' "$last" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
	printf 'fuzz %-10s %10s execs  cov %6s  ft %6s  %ss\n' "$n" "${execs:-?}" \
	    "${cov:-?}" "${ft:-?}" "$secs"
	if [ "$rc" -eq 0 ]; then
		echo "PASS fuzz $n: no crash, leak, timeout or OOM in ${secs}s"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz $n: exit $rc, input kept as $(ls build/fuzz/crash-$n-* 2>/dev/null | head -1)"
		grep -m8 -E 'ERROR|runtime error|Assertion|SUMMARY|#[0-9]+ 0x' "$log" | sed 's/^/    /'
		failed=1
	fi
done
echo "fuzz: $pass passed, $failed failed"
[ -z "${CHECK_COUNTS:-}" ] || echo "$pass $failed" >>"$CHECK_COUNTS"
exit "$failed"
