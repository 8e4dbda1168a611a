#!/usr/bin/env bash
# make check's driver: runs each part (a make target: check-plain,
# check-san, ...) in turn, whatever the others did. Each part appends
# "PASSED FAILED" to $CHECK_COUNTS and the names of its failed checks to
# $CHECK_FAILED (tests/run, fuzz/run.sh, tests/mutate.sh do). A part that
# exits non-zero without counting a failure (its build failed, a script
# crashed) counts as one failed check named for the part. Always ends with
# "total: N passed, M failed", then the failed checks' names; exit 1 when
# M > 0.
# usage: tests/check.sh PART...   (MAKE, CHECK_COUNTS, CHECK_FAILED set)
set -u
make=${MAKE:-make}
: "${CHECK_COUNTS:?}" "${CHECK_FAILED:?}"
export CHECK_COUNTS CHECK_FAILED
mkdir -p "$(dirname "$CHECK_COUNTS")"
: >"$CHECK_COUNTS"; : >"$CHECK_FAILED"
t0=$(date +%s)
sum() { awk -v c="$1" '{ s += $c } END { print s + 0 }' "$CHECK_COUNTS"; }
for part in "$@"; do
	t=$(date +%s) f0=$(sum 2)
	$make --no-print-directory "$part"; rc=$?
	if [ "$rc" -ne 0 ] && [ "$(sum 2)" -eq "$f0" ]; then
		echo "0 1" >>"$CHECK_COUNTS"
		echo "$part: exit $rc with no failed check counted (a build failed or a script crashed; see above)" >>"$CHECK_FAILED"
	fi
	echo "$part: $(($(date +%s) - t))s"
done
p=$(sum 1) f=$(sum 2)
echo "make check: $(($(date +%s) - t0))s"
echo "total: $p passed, $f failed"
sed 's/^/    /' "$CHECK_FAILED"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
