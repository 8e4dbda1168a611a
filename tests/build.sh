#!/usr/bin/env bash
# The Makefile builds anywhere (make check's check-build part): a copy of
# the sources (no build/, no tests/) is built with CC=gcc and with
# CC=clang, each in its own temporary tree with -Werror, then installed
# with DESTDIR and PREFIX; a plain `make` never installs packages; CFLAGS,
# CPPFLAGS, LDFLAGS and LDLIBS are appended to the Makefile's own flags;
# -Werror only with DEVELOPER=1; the library flags fall back when
# pkg-config is missing; unit-test objects are not rebuilt by a second
# run. Prints PASS/FAIL lines; counts go to $CHECK_COUNTS under make check.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# a user's make, whatever make check exported
unset DEVELOPER MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS LDFLAGS LDLIBS
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() {
	echo "FAIL $1: $2"; fail=$((fail + 1))
	[ -z "${CHECK_FAILED:-}" ] || echo "build: $1: $2" | cut -c1-160 >>"$CHECK_FAILED"
}
check() { if eval "$2"; then ok "$1"; else ko "$1" "${3:-}"; fi; }
copy() {	# copy DIR: the sources the build needs
	mkdir -p "$1"
	(cd "$top" && tar --exclude=./build --exclude=./tests --exclude=./.git \
	    --exclude=./bench --exclude=./samples -cf - . tests/unit) |
	    tar -xf - -C "$1"
}
copy "$T/src"
cd "$T/src" || exit 2

# dry runs: what a plain make would do
make -n all >"$T/n" 2>&1
check "plain make never installs packages" "! grep -qE 'apt-get|dpkg' '$T/n'" \
    "$(grep -m1 -E 'apt-get|dpkg' "$T/n")"
check "plain make: no -Werror" "! grep -q -- '-Werror' '$T/n'"
make -n DEVELOPER=1 build/aiosift >"$T/n" 2>&1
check "DEVELOPER=1: -Werror" "grep -q -- '-Werror' '$T/n'"
rm -rf build
make -n CFLAGS='-O1 -DCI_CFLAG' CPPFLAGS=-DCI_CPPFLAG LDFLAGS=-Wl,-z,now \
    LDLIBS=-lrt build/aiosift >"$T/n" 2>&1
cc_line=$(grep -m1 -- ' -c -o build/obj/cli/main.o' "$T/n")
ld_line=$(grep -m1 -- '-o build/aiosift ' "$T/n")
check "CFLAGS appended to the Makefile's" "[[ \$cc_line == *-std=c11*-O1\ -DCI_CFLAG* ]]" "$cc_line"
check "CPPFLAGS appended to the Makefile's" "[[ \$cc_line == *-DPCRE2_CODE_UNIT_WIDTH=8*-DCI_CPPFLAG* ]]" "$cc_line"
check "LDFLAGS and LDLIBS used" "[[ \$ld_line == *-Wl,-z,now*-lsqlite3*-lrt* ]]" "$ld_line"
rm -rf build
make -n PKG_CONFIG=false build/aiosift >"$T/n" 2>&1
check "without pkg-config: the usual library names" \
    "grep -- '-o build/aiosift ' '$T/n' | grep -q -- '-lsqlite3 -lpcre2-8 -lz'"

# real builds, one compiler each, in separate trees
for cc in gcc clang; do
	if ! command -v "$cc" >/dev/null; then ko "build with CC=$cc" "$cc is not installed (make deps)"; continue; fi
	copy "$T/$cc"
	if make -C "$T/$cc" -j2 CC="$cc" DEVELOPER=1 CFLAGS='-O1 -g0' \
	    build/aiosift >"$T/$cc.log" 2>&1; then
		ok "build with CC=$cc, -Werror"
	else
		ko "build with CC=$cc, -Werror" "$(grep -m2 -E 'error|warning' "$T/$cc.log")"
		continue
	fi
	d=$(mktemp -d "$T/dest.XXXXXX")
	make -C "$T/$cc" CC="$cc" DEVELOPER=1 CFLAGS='-O1 -g0' DESTDIR="$d" \
	    PREFIX=/opt/ais install >"$T/i.log" 2>&1
	check "CC=$cc: make install DESTDIR PREFIX=/opt/ais" \
	    "[ -x '$d/opt/ais/bin/aiosift' ] && [ -f '$d/opt/ais/share/man/man1/aiosift.1' ]" \
	    "$(ls -R "$d" | head -c 200) $(tail -c 200 "$T/i.log")"
	check "CC=$cc: the installed binary runs" "'$d/opt/ais/bin/aiosift' rules list >/dev/null 2>&1"
	d=$(mktemp -d "$T/dest.XXXXXX")
	make -C "$T/$cc" CC="$cc" DEVELOPER=1 CFLAGS='-O1 -g0' DESTDIR="$d" \
	    install >/dev/null 2>&1
	check "CC=$cc: make install DESTDIR (PREFIX /usr/local)" "[ -x '$d/usr/local/bin/aiosift' ]"
done

# a unit test built twice: nothing rebuilt the second time
if [ -x "$T/gcc/build/aiosift" ]; then
	u=build/tests/test_escape
	make -C "$T/gcc" CC=gcc DEVELOPER=1 CFLAGS='-O1 -g0' "$u" >"$T/u1" 2>&1
	make -C "$T/gcc" CC=gcc DEVELOPER=1 CFLAGS='-O1 -g0' "$u" >"$T/u2" 2>&1
	check "a unit test builds" "[ -x '$T/gcc/$u' ]" "$(tail -c 300 "$T/u1")"
	check "unit-test objects stay and are not rebuilt by a second run" \
	    "[ -f '$T/gcc/build/obj/tests/unit/test_escape.o' ] && ! grep -q 'test_escape\.c' '$T/u2'" \
	    "$(grep -m1 'test_escape\.c' "$T/u2")"
fi
echo "build: $pass passed, $fail failed"
[ -z "${CHECK_COUNTS:-}" ] || echo "$pass $fail" >>"$CHECK_COUNTS"
[ "$fail" -eq 0 ]
