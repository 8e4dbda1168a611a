#!/usr/bin/env bash
# Data-driven rule cases: each tests/rules/*.cases file holds cases of the
# form
#   === NAME
#   expect KIND [field=value]...     (one line per finding; "expect none")
#   --- [format=NAME]
#   log lines, as a log file holds them, up to the next === or the end
# The log is written to a file and run through `aiosift rules test`, which
# splits it as ingest does; every expected line must be one finding
# printed with all of its fields (task= coro= exc= loc= duration=, "-" for
# none), each line a different finding, and no other finding may be.
# Prints PASS/FAIL lines for tests/run.
set -u
AIOSIFT=${AIOSIFT:-$(cd "$(dirname "$0")/../.." && pwd)/build/aiosift}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

check_case() {	# name expectfile logfile format
	local name=$1 exp=$2 log=$3 fmt=$4 line kind f i n_want n_got ok hit
	local got=() used=() want=()
	if ! "$AIOSIFT" rules test ${fmt:+--format "$fmt"} "$log" >"$T/out" 2>"$T/err"; then
		echo "FAIL $name: exit $?: $(head -c 200 "$T/err")"; return
	fi
	mapfile -t got < <(grep -E '^[^ ]+:[0-9]+: ' "$T/out" | sed -E 's/^[^ ]+:[0-9]+: //; s/$/ /')
	n_got=${#got[@]}
	# the expected findings, those with the most fields first, so that a
	# vaguer one cannot take the finding a precise one needs
	mapfile -t want < <(grep -vx none "$exp" | awk '{ print NF "\t" $0 }' | sort -s -t "$(printf '\t')" -k1,1nr | cut -f2-)
	n_want=${#want[@]}
	ok=1
	for line in "${want[@]}"; do
		kind=${line%% *}
		# every field of the line on one and the same finding, one
		# finding per expected line
		hit=-1
		for i in "${!got[@]}"; do
			[ -z "${used[$i]:-}" ] || continue
			case ${got[$i]} in "$kind "*) ;; *) continue ;; esac
			for f in ${line#"$kind"}; do
				case ${got[$i]} in *" $f "*) ;; *) continue 2 ;; esac
			done
			hit=$i; break
		done
		if [ "$hit" -ge 0 ]; then used[$hit]=1; continue; fi
		ok=0
		if ! printf '%s\n' "${got[@]}" | grep -q "^$kind "; then
			echo "FAIL $name: no $kind finding; got: $(printf '%s|' "${got[@]}" | head -c 300)"
		else
			echo "FAIL $name: no one $kind finding has all of:${line#"$kind"}; got: $(printf '%s\n' "${got[@]}" | grep "^$kind " | tr '\n' '|' | head -c 300)"
		fi
	done
	if [ "$ok" -eq 1 ] && [ "$n_got" -ne "$n_want" ]; then
		echo "FAIL $name: $n_got findings, wanted $n_want: $(printf '%s|' "${got[@]}" | head -c 300)"
		ok=0
	fi
	[ "$ok" -eq 1 ] && echo "PASS $name"
}

# The checker itself: two findings of one kind, their fields expected
# swapped between them, must fail (each field alone is on some finding).
cat >"$T/log" <<'EOF'
2026-11-24 18:00:55,001 ERROR asyncio: Task exception was never retrieved
future: <Task finished name='fetch-1' coro=<alpha() done, defined at /srv/app/x.py:10> exception=ValueError('a')>
Traceback (most recent call last):
  File "/srv/app/x.py", line 11, in alpha
    raise ValueError('a')
ValueError: a
2026-11-24 18:00:56,002 ERROR asyncio: Task exception was never retrieved
future: <Task finished name='fetch-2' coro=<beta() done, defined at /srv/app/x.py:20> exception=KeyError('b')>
Traceback (most recent call last):
  File "/srv/app/x.py", line 21, in beta
    raise KeyError('b')
KeyError: 'b'
EOF
printf '%s\n' 'never_retrieved task=fetch-1 coro=alpha exc=ValueError' \
    'never_retrieved task=fetch-2 coro=beta exc=KeyError' >"$T/exp"
r1=$(check_case right "$T/exp" "$T/log" "")
printf '%s\n' 'never_retrieved task=fetch-1 coro=beta exc=ValueError' \
    'never_retrieved task=fetch-2 coro=alpha exc=KeyError' >"$T/exp"
r2=$(check_case swapped "$T/exp" "$T/log" "")
case $r1:$r2 in
"PASS right:FAIL swapped"*) echo "PASS run.sh: fields swapped between two findings fail" ;;
*) echo "FAIL run.sh: fields swapped between two findings fail: $r1 / $r2" ;;
esac

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
