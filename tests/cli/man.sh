#!/usr/bin/env bash
# The man pages: aiosift(1) and aiosift-rules(5) pass groff's lint with
# every warning on; the rules examples in aiosift-rules(5), as man renders
# them, pass `aiosift rules check`; the kinds it lists are the ones the
# parser knows; aiosift(1) and `aiosift rules --help` point to it.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

for page in aiosift.1 aiosift-rules.5; do
	groff -man -ww -z "$TOP/$page" >"$T/lint" 2>&1
	if [ $? -eq 0 ] && [ ! -s "$T/lint" ]; then pass "$page: groff -man -ww -z clean"
	else fail "$page: groff -man -ww -z clean" "$(head -c 300 "$T/lint")"; fi
done
# The lint must be able to fail: a page with an unknown request.
printf '.TH X 1\n.SH NAME\nx \\- y\n.BOGUS\n' >"$T/bad.1"
groff -man -ww -z "$T/bad.1" >"$T/lint" 2>&1
[ -s "$T/lint" ] && pass "groff lint catches a bad page" ||
	fail "groff lint catches a bad page" "no warning"

MANWIDTH=200 man -l -P cat "$TOP/aiosift-rules.5" >"$T/rules5.txt" 2>"$T/man.err"
[ -s "$T/rules5.txt" ] && pass "aiosift-rules.5 renders" ||
	fail "aiosift-rules.5 renders" "$(head -c 300 "$T/man.err")"

# Each indented block of EXAMPLES that starts with "rule " is a rules file.
python3 - "$T/rules5.txt" "$T/ex" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
ex = text.split('\nEXAMPLES\n', 1)[1].split('\nFILES\n', 1)[0]
blocks, cur = [], None
for line in ex.split('\n'):
    m = re.match(r'( +)rule ', line)
    if m and cur is None:
        ind, cur = len(m.group(1)), []
    if cur is not None:
        if line.strip() == '':
            blocks.append(cur)
            cur = None
        else:
            cur.append(line[ind:])
for i, b in enumerate(blocks):
    open('%s%d.rules' % (sys.argv[2], i + 1), 'w').write('\n'.join(b) + '\n')
PYEOF
n=0
for f in "$T"/ex*.rules; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	run rules check "$f"
	expect_status "aiosift-rules.5 example $n passes rules check" 0
done
expect_eq "aiosift-rules.5: two rules examples found" "$n" 2
: >"$T/empty.log"
run rules test --rules "$T/ex1.rules" "$T/empty.log"
expect_status "the example rule compiles for rules test" 0

# The kinds the page lists, each accepted by the parser, and as many as
# rules/ruleset.c knows.
kinds=$(sed -n '/^\.BI kind /,/^Required/p' "$TOP/aiosift-rules.5" |
	sed -n 's/^\.BR \([a-z_]*\) [,.]$/\1/p' | sort -u)
known=$(sed -n '/^const char \*const rule_kinds/,/};/p' "$TOP/rules/ruleset.c" |
	grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
expect_eq "aiosift-rules.5 lists the kinds ruleset.c knows" "$kinds" "$known"
: >"$T/kinds.rules"
for k in $kinds; do
	printf 'rule t.%s\nkind %s\npattern x\n\n' "$k" "$k" >>"$T/kinds.rules"
done
run rules check "$T/kinds.rules"
expect_status "every kind the page lists is accepted" 0

grep -q 'aiosift\\-rules (5)' "$TOP/aiosift.1" && pass "aiosift(1) refers to aiosift-rules(5)" ||
	fail "aiosift(1) refers to aiosift-rules(5)" "no .BR aiosift\\-rules (5)"
run rules --help
expect_out "rules --help points to the man page" "man 5 aiosift-rules"
