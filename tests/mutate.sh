#!/usr/bin/env bash
# Mutation check (make check's check-mutate part): proof that the tests
# can fail. Each mutation below breaks one thing on purpose (a rule turned
# off, a field extracted wrong, records split wrong, an escape left out, a
# stall's duration); a copy of the sources with it is built (only the
# mutated file recompiles: the copy starts from build/obj) and the tests
# named for it are run; at least one of their checks must fail. A
# mutation whose text is no longer in its file fails too: update it here.
# Prints PASS/FAIL lines; counts go to $CHECK_COUNTS under make check.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() {
	echo "FAIL $1: $2"; fail=$((fail + 1))
	[ -z "${CHECK_FAILED:-}" ] || echo "mutate: $1: $2" | cut -c1-160 >>"$CHECK_FAILED"
}
[ -x "$top/build/aiosift" ] || { ko mutate "build/aiosift is not built"; exit 1; }
# the sources and the plain build tree, times kept so nothing rebuilds
(cd "$top" && tar --exclude=./build --exclude=./tests --exclude=./.git \
    --exclude=./bench --exclude=./samples --exclude=./fuzz -cf - . tests/unit \
    build/obj build/gen build/aiosift) | tar -xpf - -C "$W"
export TOP=$top FIXTURES=$top/tests/fixtures TZ=UTC NO_COLOR=1
export AIOSIFT=$W/build/aiosift
# the flags build/obj was built with (make check's have -Werror)
if grep -q -- -Werror "$W/build/obj/.flags" 2>/dev/null; then export DEVELOPER=1
else unset DEVELOPER; fi

# mutate NAME FILE OLD NEW TEST...: replace the text OLD of FILE by NEW,
# build, run each TEST (a tests/ script, or unit/NAME), restore FILE.
mutate() {
	local name=$1 file=$2 old=$3 new=$4 t caught="" log=$W/log
	shift 4
	cp -p "$W/$file" "$W/orig"
	if ! python3 - "$W/$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1:4]
s = open(p).read()
if old not in s:
	sys.exit(1)
open(p, 'w').write(s.replace(old, new, 1))
PY
	then
		ko "$name" "the text to mutate is no longer in $file: update tests/mutate.sh"
		return
	fi
	if ! make -C "$W" build/aiosift >"$log" 2>&1; then
		ko "$name" "the mutated copy does not build: $(grep -m1 error "$log")"
	else
		for t in "$@"; do
			case $t in
			unit/*)	make -C "$W" "build/tests/${t#unit/}" >"$log" 2>&1 &&
				    "$W/build/tests/${t#unit/}" >"$log" 2>&1 ||
				    caught="$caught $t" ;;
			*)	bash "$top/tests/$t" >"$log" 2>&1
				grep -q '^FAIL ' "$log" && caught="$caught $t($(grep -c '^FAIL ' "$log"))" ;;
			esac
		done
		if [ -n "$caught" ]; then ok "$name: caught by$caught"
		else ko "$name" "no test failed ($*)"; fi
	fi
	cp -p "$W/orig" "$W/$file"
	touch "$W/$file"	# newer than the mutated object: rebuilt
}

mutate "a rule turned off (never_retrieved.future)" rules/asyncio.rules \
    $'rule never_retrieved.future\n' $'rule never_retrieved.future\nenabled no\n' \
    rules/run.sh
mutate "a field extracted one byte short (the task)" rules/engine.c \
    'f->v[fi].n = ov[2 * g + 1] - ov[2 * g];' \
    'f->v[fi].n = ov[2 * g + 1] - ov[2 * g] - (fi == 0 && ov[2 * g + 1] > ov[2 * g]);' \
    rules/run.sh
mutate "a location loses its line number" rules/engine.c \
    'if (f->v[RF_LINE].p != NULL) {' 'if (f->v[RF_LINE].p == NULL) {' \
    rules/run.sh
mutate "coroutine and exception swapped" rules/engine.c \
    'coro_name(f->v[RF_CORO]);' 'coro_name(f->v[RF_EXC]);' \
    rules/run.sh
mutate "every line of a timed layout is a record (tracebacks cut)" ingest/splitter.c \
    $'\tif (layout_kind(l) != LAYOUT_UNTIMED)\n\t\treturn false;' \
    $'\tif (layout_kind(l) != LAYOUT_UNTIMED)\n\t\treturn true;' \
    rules/run.sh
mutate "ESC reaches the terminal" common/escape.c \
    $'\t\tcase 0x1b:\n\t\t\tfputs("\\\\e", f);' $'\t\tcase 0x1b:\n\t\t\tfputc(0x1b, f);' \
    unit/test_escape
mutate "a gap stall's duration halved" rules/stall.c \
    'f->duration_us = st->pend_gap_us;' 'f->duration_us = st->pend_gap_us / 2;' \
    unit/test_stall
echo "mutate: $pass passed, $fail failed"
[ -z "${CHECK_COUNTS:-}" ] || echo "$pass $fail" >>"$CHECK_COUNTS"
[ "$fail" -eq 0 ]
