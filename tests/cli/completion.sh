#!/usr/bin/env bash
# Shell completion: `aiosift completion bash` run in bash with COMP_WORDS
# set, for every command `aiosift help` lists: each option its --help
# shows (usage and option lines) is completed, each completed option is
# one getopt takes, option values (formats, kinds, severities, layouts)
# are ones the command accepts, task names come from the database (and a
# log's hostile names never), subcommands and commands complete. zsh and
# fish scripts pass their shells' syntax check, and fish completes for
# real.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qlib.inc"

bindir=$(dirname "$AIOSIFT")
"$AIOSIFT" completion bash >"$T/aiosift.bash"
expect_eq "completion bash prints a script" "$(grep -c 'complete -F _aiosift aiosift' "$T/aiosift.bash")" 1

# comp WORD...: the bash candidates for the last word (may be empty).
comp() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _aiosift; printf "%s\n" "${COMPREPLY[@]}"' \
	    _ "$T/aiosift.bash" "$AIOSIFT" "$@"
}
# has NAME LIST WORD...: every WORD is a line of LIST.
has() {
	local name=$1 list=$2 w missing=""; shift 2
	for w in "$@"; do grep -qxF -- "$w" <<<"$list" || missing="$missing $w"; done
	if [ -z "$missing" ]; then pass "$name"; else fail "$name" "missing:$missing (got: $(echo $list))"; fi
}

# --- commands
cmds=$("$AIOSIFT" help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -v '^help$')
[ "$(echo "$cmds" | wc -l)" -ge 9 ] && pass "commands listed by aiosift help" ||
	fail "commands listed by aiosift help" "$cmds"
has "every command completes" "$(comp '')" $cmds help --version
expect_eq "a prefix narrows" "$(comp re | tr '\n' ' ')" "report rescan "
has "help COMMAND completes commands" "$(comp help '')" $cmds

# --- options: those --help shows (its usage and the lines listing
# options, before Examples), each completed and each taken by getopt
for c in $cmds; do
	"$AIOSIFT" "$c" --help >"$T/help" 2>&1
	shown=$(awk '/^Examples:/ { exit } /^$/ { u = 1 } !u || /^ *-/' "$T/help" |
		grep -oE '(^|[][ (,|])--?[a-zA-Z][a-z0-9-]*' | sed -E 's/^[][ (,|]//' |
		grep -E '^--[a-z]|^-[a-zA-Z]$' | sort -u)
	# a short option only where options are listed: first on a line or
	# in a usage's [-x | -y]
	shown=$(for o in $shown; do case $o in --*) echo "$o" ;; *)
		grep -qE "^ *$o[, ]|[[|] ?$o[] ]" "$T/help" && echo "$o" ;; esac; done)
	sub=$(comp "$c" '' | head -1)
	[ "$sub" = "" ] || ! grep -q "|$sub\|aiosift $c $sub" "$T/help" && sub=""
	got=$(comp "$c" ${sub:+"$sub"} -)
	if [ -z "$shown" ]; then	# subcommands only (completion, config)
		has "$c: no options shown, --help completes" "$(comp "$c" -)" --help
		continue
	fi
	has "$c: every option in --help completes ($(echo $shown | wc -w))" "$got" $shown
	bad=""
	for o in $got; do
		# value options get a value; --help then prints or a bad value
		# is refused, but never as an unknown option
		w=(aiosift "$c" ${sub:+"$sub"} "$o" '')
		val=$("$AIOSIFT" __complete $((${#w[@]} - 1)) "${w[@]}" | head -1)
		if [ -n "$val" ] && [ "$val" != :files ]; then args=("$o" "$val")
		elif [ -n "$val" ] || grep -qE -- "$o [A-Z]" "$T/help"; then args=("$o" x)
		else args=("$o"); fi
		"$AIOSIFT" "$c" ${sub:+"$sub"} "${args[@]}" --help >/dev/null 2>"$T/e"
		grep -qiE 'unknown|unrecognized|invalid option' "$T/e" && bad="$bad $o"
	done
	expect_eq "$c: every completed option is one getopt takes" "$bad" ""
done
"$AIOSIFT" report --no-such-option --help >/dev/null 2>"$T/e"
grep -qiE 'unknown|unrecognized' "$T/e" && pass "the getopt check can fail" ||
	fail "the getopt check can fail" "$(cat "$T/e")"

# --- values
has "report --format" "$(comp report --format '')" text markdown json html prometheus
has "query --format" "$(comp query findings --format '')" table json ndjson csv
has "--kind: the kinds" "$(comp query findings --kind '')" never_awaited never_retrieved nested_run stall
has "--severity" "$(comp query findings --severity '')" info warning error critical
has "--fail-on" "$(comp report --fail-on '')" info warning error critical
has "ingest --format: layouts" "$(comp ingest --format '')" auto python json syslog
has "--keep" "$(comp ingest --keep '')" context all findings
has "--color" "$(comp query findings --color '')" auto always never
expect_eq "a value prefix narrows" "$(comp report --format m)" markdown
for pair in "report --format" "query findings --format" "ingest --format" "query findings --kind" \
    "query findings --severity" "report --fail-on" "ingest --keep" "query findings --color"; do
	bad=""
	for v in $(comp $pair ''); do
		"$AIOSIFT" $pair "$v" --help >/dev/null 2>&1 || bad="$bad $v"
	done
	expect_eq "${pair}: every completed value accepted" "$bad" ""
done
expect_eq "--db FILE: the shell completes paths" "$(comp report --db '')" ""
expect_eq "__complete says so" "$("$AIOSIFT" __complete 3 aiosift report --db '')" ":files"
has "subcommands of query" "$(comp query '')" findings incidents stalls tasks top timeline sql
has "subcommands of rules" "$(comp rules '')" list check test
expect_eq "after a subcommand, paths" "$("$AIOSIFT" __complete 3 aiosift rules check '')" ":files"
has "completion SHELL" "$(comp completion '')" bash zsh fish

# --- task names from the database (--db on the line); hostile ones never
db=$T/c.db
qdb "$db" || fail setup "cannot ingest the fixture logs"
has "--task from --db" "$(comp query timeline --db "$db" --task Task-)" Task-9 Task-20
tasks=$(comp query timeline --db "$db" --task '')
bad=$(grep -vE '^[A-Za-z0-9_.:#@/+=,%-]+$' <<<"$tasks")
expect_eq "no task name that needs quoting is offered" "$bad" ""
sql "$db" "SELECT DISTINCT task FROM findings" | grep -q '<script>' &&
	pass "(the database holds a hostile task name)" || fail "(hostile task in db)" "none"
has "\$AIOSIFT_DB is used" "$(AIOSIFT_DB=$db comp query findings --coro Sheet)" Sheet.calc
expect_eq "no database: no names, no error" "$(comp query timeline --db "$T/none.db" --task '')" ""
[ ! -e "$T/none.db" ] && pass "completion creates no database" || fail "completion creates no database" "it did"

# --- zsh and fish
run completion zsh
expect_status "completion zsh" 0
cp "$out" "$T/_aiosift"
run completion fish
cp "$out" "$T/aiosift.fish"
run completion tcsh
expect_status "completion tcsh: usage error" 2
if command -v zsh >/dev/null; then
	zsh -n "$T/_aiosift" 2>"$err" && pass "zsh -n accepts the zsh script" ||
		fail "zsh -n accepts the zsh script" "$(head -c 300 "$err")"
	got=$(zsh -c 'autoload -Uz compinit && compinit -u -D; fpath=("$1" $fpath); source "$2"; echo ${_comps[aiosift]}' _ "$T" "$T/_aiosift" 2>&1)
	expect_eq "zsh: the function registered for aiosift" "$got" _aiosift
else fail "zsh -n accepts the zsh script" "zsh is not installed (apt-get install zsh)"; fi
if command -v fish >/dev/null; then
	fish -n "$T/aiosift.fish" 2>"$err" && pass "fish -n accepts the fish script" ||
		fail "fish -n accepts the fish script" "$(head -c 300 "$err")"
	got=$(PATH="$bindir:$PATH" HOME=$T fish --no-config -c "source $T/aiosift.fish; complete -C 'aiosift report --format '" 2>&1 | cut -f1)
	has "fish completes report --format" "$got" text markdown json html prometheus
	got=$(PATH="$bindir:$PATH" HOME=$T fish --no-config -c "source $T/aiosift.fish; complete -C 'aiosift ing'" 2>&1 | cut -f1)
	has "fish completes a command" "$got" ingest
else fail "fish -n accepts the fish script" "fish is not installed (apt-get install fish)"; fi
