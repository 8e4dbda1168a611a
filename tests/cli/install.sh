#!/usr/bin/env bash
# make install: DESTDIR and PREFIX honoured, every piece in its place
# (binary, man pages, rules, JSON Schemas, example systemd units), the
# units' ExecStart naming PREFIX's binary; the installed units pass
# `systemd-analyze verify` (offline: --man=no, unit files by path, their
# binaries installed into a PREFIX under the test's folder so that
# ExecStart resolves).
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

minst() {	# minst DESTDIR PREFIX
	make -s --no-print-directory -C "$TOP" install DESTDIR="$1" PREFIX="$2" \
	    >"$T/make.out" 2>&1
}

# --- DESTDIR + PREFIX
if minst "$T/stage" /opt/as; then pass "make install DESTDIR PREFIX"
else fail "make install DESTDIR PREFIX" "$(tail -c 300 "$T/make.out")"; fi
want="bin/aiosift
share/aiosift/asyncio.rules
share/aiosift/findings.schema.json
share/aiosift/report.schema.json
share/aiosift/systemd/aiosift-ingest.service
share/aiosift/systemd/aiosift-ingest.timer
share/aiosift/systemd/aiosift-report.service
share/aiosift/systemd/aiosift-report.timer
share/bash-completion/completions/aiosift
share/fish/vendor_completions.d/aiosift.fish
share/man/man1/aiosift.1
share/man/man5/aiosift-rules.5
share/zsh/site-functions/_aiosift"
got=$(cd "$T/stage/opt/as" 2>/dev/null && find . -type f | sed 's|^\./||' | sort)
expect_eq "installed files under DESTDIR/PREFIX" "$got" "$want"
expect_eq "nothing outside DESTDIR/PREFIX" "$(cd "$T/stage" && ls -A)" opt
[ -x "$T/stage/opt/as/bin/aiosift" ] && pass "binary executable" ||
	fail "binary executable" "mode $(stat -c %a "$T/stage/opt/as/bin/aiosift")"
expect_eq "data files mode 644" \
	"$(find "$T/stage/opt/as/share" -type f ! -perm 644 | wc -l)" 0
for f in bash-completion/completions/aiosift:bash zsh/site-functions/_aiosift:zsh \
    fish/vendor_completions.d/aiosift.fish:fish; do
	"$AIOSIFT" completion "${f#*:}" | cmp -s - "$T/stage/opt/as/share/${f%:*}" &&
		pass "the ${f#*:} completion installed" ||
		fail "the ${f#*:} completion installed" "differs from aiosift completion ${f#*:}"
done
cmp -s "$TOP/rules/asyncio.rules" "$T/stage/opt/as/share/aiosift/asyncio.rules" &&
	pass "the shipped rules installed" || fail "the shipped rules installed" "differ"
"$T/stage/opt/as/bin/aiosift" rules check "$T/stage/opt/as/share/aiosift/asyncio.rules" \
	>"$out" 2>"$err"; st=$?
expect_status "installed rules pass rules check" 0
expect_eq "units name PREFIX's binary" \
	"$(grep -h '^ExecStart=' "$T"/stage/opt/as/share/aiosift/systemd/*.service | cut -d' ' -f1 | sort -u)" \
	"ExecStart=/opt/as/bin/aiosift"
expect_eq "no @bindir@ left in the units" \
	"$(grep -l '@' "$T"/stage/opt/as/share/aiosift/systemd/* | wc -l)" 0

# --- the units, verified where their binary is
if minst "" "$T/usr"; then pass "make install PREFIX only"
else fail "make install PREFIX only" "$(tail -c 300 "$T/make.out")"; fi
units=$(ls "$T"/usr/share/aiosift/systemd/*.service "$T"/usr/share/aiosift/systemd/*.timer)
expect_eq "two services and two timers" "$(echo "$units" | wc -l)" 4
if command -v systemd-analyze >/dev/null; then
	(cd "$T/usr/share/aiosift/systemd" && systemd-analyze verify --man=no \
	    ./*.service ./*.timer) >"$T/verify" 2>&1; vst=$?
	if [ $vst -eq 0 ] && [ ! -s "$T/verify" ]; then
		pass "systemd-analyze verify: $(echo $units | xargs -n1 basename | tr '\n' ' ')"
	else fail "systemd-analyze verify" "exit $vst: $(head -c 400 "$T/verify")"; fi
	# verify must be able to fail: a unit with a bad setting
	mkdir "$T/bad"
	sed 's/^Type=oneshot/Type=oneshotx/' "$T/usr/share/aiosift/systemd/aiosift-report.service" \
	    >"$T/bad/aiosift-report.service"
	(cd "$T/bad" && systemd-analyze verify --man=no ./aiosift-report.service) \
	    >"$T/verify" 2>&1
	[ -s "$T/verify" ] && pass "systemd-analyze verify catches a bad unit" ||
		fail "systemd-analyze verify catches a bad unit" "silent"
else
	fail "systemd-analyze verify" "systemd-analyze is missing (apt-get install systemd)"
fi
expect_eq "timers start their services" \
	"$(grep -c '^OnCalendar=' "$T"/usr/share/aiosift/systemd/*.timer | cut -d: -f2 | tr '\n' ' ')" "1 1 "
