# End-to-end runs under valgrind's memcheck (issue 6): every command on
# real fixtures, hostile input included, must run with no invalid read or
# write, no use of uninitialised memory, and no leak (definite or
# indirect), exit status as documented. valgrind cannot run the sanitizer
# build; under it this test runs nothing. tests/cli/valgrind.supp hides
# PCRE2's JIT code only.
. "$(dirname "$0")/lib.sh"
case $AIOSIFT in */san/*) echo "note: valgrind runs on the plain build only"; exit 0 ;; esac
command -v valgrind >/dev/null || { fail valgrind "valgrind is not installed (make deps)"; exit 1; }
VG=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-fds=no
    --suppressions="$(dirname "$0")/valgrind.supp")
H=$FIXTURES/hostile
db=$T/v.db
# vg NAME WANT-STATUS ARGS...: run aiosift under memcheck.
vg() {
	local name=$1 want=$2
	shift 2
	"${VG[@]}" "$AIOSIFT" "$@" >"$out" 2>"$err"; st=$?
	if [ "$st" -eq 99 ] || grep -q '^==[0-9]*==' "$err"; then
		fail "valgrind $name" "$(grep -m3 -A3 '^==[0-9]*== [A-Z]' "$err" | head -c 400)"
	elif [ "$st" -ne "$want" ]; then
		fail "valgrind $name" "exit $st, wanted $want: $(head -c 200 "$err")"
	else pass "valgrind $name"; fi
	nvg=$((nvg + 1))
}
nvg=0
mkdir -p "$T/set"
cp "$FIXTURES"/asyncio/web_pool-py3.12.1/app.log* "$T/set/"
cp "$FIXTURES/ingest/service.log" "$T/set/service.log"
vg "ingest: plain and gzip rotation set" 0 ingest --db "$db" "$T/set" "$FIXTURES/asyncio/crawler-py3.12.1"
vg "ingest: again, nothing new" 0 ingest --db "$db" "$T/set"
vg "ingest: broken gzip, multi-member, injection" 3 ingest --db "$db" --keep all \
	"$FIXTURES/broken/truncated.gz" "$FIXTURES/broken/multi.gz" "$FIXTURES/broken/trailing.gz" "$H/inject.log"
printf 'a\0b \xff\xfe\r\n2026-11-29 22:43:10,000 INFO x: y\rz\n' >"$T/odd.log"
vg "ingest: NUL, bad UTF-8, CR" 0 ingest --db "$db" --keep all "$T/odd.log"
vg "ingest: text file as the database" 4 ingest --db "$FIXTURES/broken/a.txt" "$T/odd.log"
vg "query findings" 0 query findings --db "$db" --since 10y
vg "query incidents, json" 0 query incidents --db "$db" --since 10y --format json
vg "query tasks, csv" 0 query tasks --db "$db" --since 10y --format csv
vg "query timeline" 0 query timeline --db "$db" --incident 1
vg "query sql" 0 query sql --db "$db" "SELECT kind, count(*) FROM findings GROUP BY 1"
vg "query sql refused" 2 query sql --db "$db" "DELETE FROM findings"
vg "report text" 0 report --db "$db" --since 10y
vg "report html" 0 report --db "$db" --since 10y --format html
vg "postmortem" 0 postmortem --db "$db" --incident 1
vg "rescan" 0 rescan --db "$db" -q
vg "rules list" 0 rules list
# an unknown group in an extract once leaked its group table
printf 'rule x\nkind stall\npattern (?<nope>a)\nextract record (?<bad>b)\n' >"$T/bad.rules"
vg "rules check, bad file" 2 rules check "$T/bad.rules"
echo "# $nvg commands run under valgrind memcheck"
