#!/usr/bin/env bash
# Data-driven rule cases: each tests/rules/*.cases file holds cases of the
# form
#   === NAME
#   expect KIND [field=value]...     (one line per finding; "expect none")
#   --- [format=NAME]
#   log lines, as a log file holds them, up to the next === or the end
# The log is written to a file and run through `aiosift rules test`, which
# splits it as ingest does; every expected finding must be printed with
# those fields (task= coro= exc= loc= duration=, "-" for none) and no
# other finding may be. Prints PASS/FAIL lines for tests/run.
set -u
AIOSIFT=${AIOSIFT:-$(cd "$(dirname "$0")/../.." && pwd)/build/aiosift}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

check_case() {	# name expectfile logfile format
	local name=$1 exp=$2 log=$3 fmt=$4 got want ok line kind f n_want n_got
	if ! "$AIOSIFT" rules test ${fmt:+--format "$fmt"} "$log" >"$T/out" 2>"$T/err"; then
		echo "FAIL $name: exit $?: $(head -c 200 "$T/err")"; return
	fi
	grep -E '^[^ ]+:[0-9]+: ' "$T/out" | sed -E 's/^[^ ]+:[0-9]+: //; s/$/ /' >"$T/got"
	n_got=$(grep -c . "$T/got")
	n_want=0
	ok=1
	while read -r line; do
		[ "$line" = none ] && continue
		n_want=$((n_want + 1))
		kind=${line%% *}
		if ! grep -q "^$kind " "$T/got"; then
			echo "FAIL $name: no $kind finding; got: $(tr '\n' '|' <"$T/got" | head -c 300)"
			ok=0; continue
		fi
		for f in ${line#"$kind"}; do
			if ! grep "^$kind " "$T/got" | grep -qF -- " $f "; then
				echo "FAIL $name: $kind lacks $f; got: $(grep "^$kind " "$T/got" | head -1 | head -c 300)"
				ok=0
			fi
		done
	done <"$exp"
	if [ "$ok" -eq 1 ] && [ "$n_got" -ne "$n_want" ]; then
		echo "FAIL $name: $n_got findings, wanted $n_want: $(tr '\n' '|' <"$T/got" | head -c 300)"
		ok=0
	fi
	[ "$ok" -eq 1 ] && echo "PASS $name"
}

for cases in "$here"/*.cases; do
	base=$(basename "$cases" .cases)
	name="" mode="" fmt=""
	flush() {
		[ -n "$name" ] && check_case "$base/$name" "$T/exp" "$T/log" "$fmt"
	}
	while IFS= read -r l || [ -n "$l" ]; do
		case $mode:$l in
		*:'=== '*)
			flush
			name=${l#=== } mode=head fmt=""
			: >"$T/exp"; : >"$T/log" ;;
		head:'expect '*) echo "${l#expect }" >>"$T/exp" ;;
		head:'--- '*|head:---)
			mode=log
			case $l in *format=*) fmt=${l##*format=} ;; esac ;;
		head:'#'*|head:'') ;;
		log:*) printf '%s\n' "$l" >>"$T/log" ;;
		:*) ;;
		*) echo "FAIL $base: bad line in case '$name': $l" ;;
		esac
	done <"$cases"
	flush
done
