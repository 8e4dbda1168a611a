#!/usr/bin/env bash
# make deb: the package builds with dpkg-deb from debian/, passes lintian
# without errors, installs with `apt-get install ./aiosift_*.deb`, then
# `aiosift --version` and `man -w aiosift` answer from the installed files,
# and `dpkg -r` takes it away again. Only as root, only on the plain build
# (the package holds build/aiosift), one run at a time on the machine (a
# lock), and never when an aiosift package or /usr/bin/aiosift is there
# already: the machine is left as it was found.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

case $AIOSIFT in */san/*) echo "# deb.sh: the plain pass only"; exit 0 ;; esac
if [ "$(id -u)" != 0 ]; then echo "# deb.sh: needs root, not run"; exit 0; fi
exec 9>/tmp/aiosift-deb-test.lock
flock 9
if dpkg-query -W -f='${Status}' aiosift 2>/dev/null | grep -q installed ||
    [ -e /usr/bin/aiosift ]; then
	echo "# deb.sh: aiosift is installed on this machine already, not touched"
	exit 0
fi
installed=0
cleanup() {
	[ $installed = 1 ] && dpkg -r aiosift >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

make -s --no-print-directory -C "$TOP" deb >"$T/make.out" 2>&1; st=$?
expect_status "make deb" 0
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
deb=$TOP/build/aiosift_${version}_amd64.deb
[ -f "$deb" ] && pass "build/aiosift_${version}_amd64.deb built" ||
	{ fail "deb built" "$(tail -c 300 "$T/make.out")"; exit 0; }
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/list"
for f in /usr/bin/aiosift /usr/share/man/man1/aiosift.1.gz \
    /usr/share/man/man5/aiosift-rules.5.gz \
    /usr/share/bash-completion/completions/aiosift \
    /usr/share/zsh/vendor-completions/_aiosift \
    /usr/share/fish/vendor_completions.d/aiosift.fish \
    /usr/share/aiosift/systemd/aiosift-report.timer \
    /usr/share/aiosift/systemd/aiosift-ingest.service \
    /usr/share/aiosift/asyncio.rules /usr/share/doc/aiosift/copyright; do
	grep -qxF "$f" "$T/list" && pass "deb holds $f" || fail "deb holds $f" "absent"
done
expect_eq "the units name /usr/bin/aiosift" \
	"$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/aiosift/systemd/aiosift-report.service | grep -c '^ExecStart=/usr/bin/aiosift ')" 1
lintian "$deb" >"$T/lintian" 2>&1
grep -v 'root privileges' "$T/lintian" | sed 's/^/# lintian: /'
if grep -q '^E: ' "$T/lintian"; then fail "lintian: no errors" "$(grep '^E: ' "$T/lintian" | head -3)"
else pass "lintian: no errors"; fi
grep -q '^W: ' "$T/lintian" && fail "lintian: no warnings" "$(grep '^W: ' "$T/lintian" | head -3)" ||
	pass "lintian: no warnings"

DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    "$deb" >"$T/apt" 2>&1; st=$?
installed=1
expect_status "apt-get install ./aiosift_${version}_amd64.deb" 0
expect_eq "aiosift --version" "$(/usr/bin/aiosift --version 2>&1)" "aiosift ${version%-*}"
expect_eq "man -w aiosift" "$(man -w aiosift 2>&1)" /usr/share/man/man1/aiosift.1.gz
expect_eq "man -w 5 aiosift-rules" "$(man -w 5 aiosift-rules 2>&1)" /usr/share/man/man5/aiosift-rules.5.gz
/usr/bin/aiosift rules check /usr/share/aiosift/asyncio.rules >/dev/null 2>&1 &&
	pass "installed rules check" || fail "installed rules check" "refused"
dpkg -r aiosift >"$T/rm" 2>&1; st=$?
expect_status "dpkg -r aiosift" 0
installed=0
[ ! -e /usr/bin/aiosift ] && pass "removed: no /usr/bin/aiosift" || fail "removed" "/usr/bin/aiosift is there"
dpkg-query -W -f='${Status}' aiosift 2>/dev/null | grep -q 'ok installed' &&
	fail "removed: dpkg agrees" "still installed" || pass "removed: dpkg agrees"
