#!/usr/bin/env bash
# aiosift rules list|check|test: output, problems with file:line:col,
# exit statuses.
. "$(dirname "$0")/lib.sh"

run rules --help
expect_status "rules help status" 0
expect_out "rules help examples" "aiosift rules check my.rules"

run rules
expect_status "rules without subcommand" 2
expect_err "rules usage" "^usage: aiosift rules list"

run rules frobnicate
expect_status "rules unknown subcommand" 2

run rules list
expect_status "rules list status" 0
expect_out "rules list pack" "^never_awaited.warning +never_awaited +warning +yes "
expect_out "rules list off rule" "^config_error.taskname +config_error +warning +no "

run rules list --tabs
expect_out "rules list tabs" "$(printf '^stall.took\tstall\twarning\tyes\tasyncio.rules:[0-9]+\t')"

cat >"$T/good.rules" <<'R'
# a rule of my own and a change to a shipped one
rule my.deadline
kind timeout
severity error
title deadline passed
needle deadline
pattern (?m)^deadline passed for (?<task>\S+)$

rule stall.took
severity error
R
run rules check "$T/good.rules"
expect_status "rules check good" 0
expect_out "rules check count" "good.rules: 2 rules ok"

run rules list --rules "$T/good.rules"
expect_out "rules list added first" "^my.deadline +timeout +error"
expect_out "rules list changed" "^stall.took +stall +error"

cat >"$T/bad.rules" <<'R'
rule a
kind bogus
pattern (abc

rule b
kind stall
colour red
pattern took (?<who>\d+)

rule b
kind stall
pattern x
R
run rules check "$T/bad.rules"
expect_status "rules check bad status" 2
expect_err "rules check bad kind" "bad.rules:2:6: unknown kind 'bogus'"
expect_err "rules check bad regex" "bad.rules:3:13: pattern: missing closing parenthesis"
expect_err "rules check unknown key" "bad.rules:7:1: unknown key 'colour'"
expect_err "rules check unknown group" "bad.rules:8:[0-9]+: pattern: unknown named group 'who'"
expect_err "rules check duplicate" "bad.rules:10: duplicate rule id 'b' \(first at line 5\)"
expect_eq "rules check every problem" "$(grep -c . "$err")" 5

run rules check /nonexistent/x.rules
expect_status "rules check missing file" 2
expect_err "rules check missing file message" "/nonexistent/x.rules: No such file or directory"

run rules test --rules "$T/bad.rules" -
expect_status "rules test bad rules" 2
expect_err "rules test bad rules message" "bad.rules:2:6: unknown kind 'bogus' \(and 4 more problems"

cat >"$T/app.log" <<'L'
2026-11-24 18:01:22,770 INFO app.access: GET /x 200
2026-11-24 18:01:22,771 WARNING py.warnings: /srv/app/s.py:368: RuntimeWarning: coroutine 'Pool.audit_log' was never awaited
  self.audit_log(req)

deadline passed for req-7
2026-11-24 18:01:23,192 ERROR asyncio: Task exception was never retrieved
future: <Task finished name='Task-8' coro=<Pool.send_metrics() done, defined at /srv/app/s.py:352> exception=ConnectionRefusedError(111, "refused")>
L
run rules test --rules "$T/good.rules" "$T/app.log"
expect_status "rules test status" 0
expect_out "rules test never awaited" "app.log:2: never_awaited never_awaited.warning warning task=- coro=Pool.audit_log exc=- loc=/srv/app/s.py:368$"
expect_out "rules test never retrieved" "app.log:6: never_retrieved never_retrieved.future error task=Task-8 coro=Pool.send_metrics exc=ConnectionRefusedError"
# the bare line continues the warning's record: one record, two kinds
expect_out "rules test own rule" "app.log:2: timeout my.deadline error task=req-7 "
expect_out "rules test summary" "^3 records, 3 findings \(layout "

sed -n '/^rule my.deadline/,/^$/p' "$T/good.rules" >"$T/own.rules"
run rules test --no-builtin --rules "$T/own.rules" - <<'L'
deadline passed for req-7
L
expect_out "rules test stdin own rule" "<stdin>:1: timeout my.deadline error task=req-7"
# a change to a rule that is not loaded is refused
run rules test --no-builtin --rules "$T/good.rules" "$T/app.log"
expect_status "rules test change without pack" 2
expect_err "rules test change without pack message" "good.rules:9: rule 'stall.took': no rule of that id to change"

gzip -c "$T/app.log" >"$T/app.log.1.gz"
run rules test "$T/app.log.1.gz"
expect_out "rules test gzip" "app.log.1.gz:6: never_retrieved "

run rules test "$T/nope.log"
expect_status "rules test missing log" 3

run rules test --stall-min abc "$T/app.log"
expect_status "rules test bad stall-min" 2

cat >"$T/evil.rules" <<'R'
rule evil
kind stall
needle aaaa
pattern ^(a|aa|a?a)+$
R
printf '%s!\n' "$(head -c 3000 /dev/zero | tr '\0' a)" >"$T/evil.log"
run rules test --no-builtin --rules "$T/evil.rules" "$T/evil.log"
expect_status "rules test backtracking status" 0
expect_err "rules test backtracking reported" "1 match hit the PCRE2 limits; first: rule evil: "

# the gap detector runs too: a 2 s silence in a 100 ms cadence
python3 - "$T/gap.log" <<'P'
import sys
with open(sys.argv[1], 'w') as f:
    t = 0
    for i in range(60):
        t += 2000 if i == 40 else 100
        f.write('2026-11-24 18:01:%02d,%03d INFO app: tick %d\n' % (t // 1000, t % 1000, i))
P
run rules test "$T/gap.log"
expect_out "rules test gap stall" "gap.log:[0-9]+: stall stall.gap warning .* duration=2.000$"
expect_out "rules test gap summary" "^60 records, 1 finding "
run rules test --stall-min 3 "$T/gap.log"
expect_out "rules test gap under stall-min" "^60 records, 0 findings "
