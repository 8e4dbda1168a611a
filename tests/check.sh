#!/usr/bin/env bash
# make check's driver. Each argument is a group of parts (make targets:
# "check-plain check-mutate"); the groups run side by side, the parts of a
# group one after the other, each whatever the others did; a group's
# output is shown when it ends, whole. Each part appends "PASSED FAILED"
# to $CHECK_COUNTS and the names of its failed checks to $CHECK_FAILED
# (tests/run, fuzz/run.sh, tests/mutate.sh, tests/build.sh do). A part
# that exits non-zero without counting a failure (its build failed, a
# script crashed) counts as one failed check named for the part. Always
# ends with "total: N passed, M failed", then the failed checks' names;
# exit 1 when M > 0 (or when nothing passed).
# usage: tests/check.sh GROUP...   (MAKE, CHECK_COUNTS, CHECK_FAILED set)
set -u
make=${MAKE:-make}
: "${CHECK_COUNTS:?}" "${CHECK_FAILED:?}"
export CHECK_COUNTS CHECK_FAILED
mkdir -p "$(dirname "$CHECK_COUNTS")"
: >"$CHECK_COUNTS"; : >"$CHECK_FAILED"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
t0=$(date +%s)
sum() { awk -v c="$1" '{ s += $c } END { print s + 0 }' "$CHECK_COUNTS"; }

group() {	# group N PART...: the parts in turn
	local n=$1 part t rc f1 c
	shift
	for part in "$@"; do
		t=$(date +%s)
		# this part's own count lines go to a file of its own first
		c=$out/$n.$part.counts
		: >"$c"
		CHECK_COUNTS=$c $make --no-print-directory "$part"
		rc=$?
		f1=$(awk '{ s += $2 } END { print s + 0 }' "$c")
		if [ "$rc" -ne 0 ] && [ "$f1" -eq 0 ]; then
			echo "0 1" >>"$c"
			echo "$part: exit $rc with no failed check counted (a build failed or a script crashed; see above)" >>"$CHECK_FAILED"
		fi
		cat "$c" >>"$CHECK_COUNTS"
		echo "$part: $(($(date +%s) - t))s"
	done
}
n=0 pids=()
for g in "$@"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	group "$n" $g >"$out/$n.log" 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}"
	cat "$out/$((i + 1)).log"
done
p=$(sum 1) f=$(sum 2)
[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || { f=1; echo "no check ran" >>"$CHECK_FAILED"; }
echo "make check: $(($(date +%s) - t0))s"
echo "total: $p passed, $f failed"
sed 's/^/    /' "$CHECK_FAILED"
[ "$f" -eq 0 ]
