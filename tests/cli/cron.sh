#!/bin/bash
# The crontab lines of the README, of `aiosift report --help` and of the
# man page, run as written (only /var/log/app/ and /var/www/ point into a
# temporary folder, and `aiosift` is the binary under test), against a
# database that receives new findings between runs: the mail job reports
# each finding once, a person's `report --since` moves no job's bookmark,
# the page job keeps its own, and the page is written whatever the mail
# job found.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
Q=$FIXTURES/query

mkdir -p "$T/bin"
ln -s "$AIOSIFT" "$T/bin/aiosift"

# cron_lines DOC: the doc's crontab lines, one a line
cron_lines() {
	case $1 in
	README) sed -n 's/^  `\([0-9] \* \* \* \* .*\)`$/\1/p' "$TOP/README.md" ;;
	help) "$AIOSIFT" report --help | sed -n 's/^  \([0-9] \* \* \* \* .*\)$/\1/p' ;;
	man) sed -n 's/^\([0-9] \* \* \* \* .*\)$/\1/p' "$TOP/aiosift.1" |
		sed 's/\\-/-/g; s/\\e/\\/g' ;;
	esac
}

# round DOC DIR: every line of DOC once, in order, as cron would run it;
# the mail job's output in DIR/mail, its status in DIR/mail.st
round() {
	local line cmd
	: >"$2/mail"
	echo 0 >"$2/mail.st"
	while IFS= read -r line; do
		cmd=$(printf '%s\n' "$line" |
			sed 's/^[0-9*]* [0-9*]* [0-9*]* [0-9*]* [0-9*]*  *//' |
			sed "s|/var/log/app/|$2/logs/|g; s|/var/www/|$2/www/|g")
		if [[ $cmd == *--fail-on* ]]; then
			(cd "$2" && PATH=$T/bin:$PATH AIOSIFT_DB=$2/aiosift.db \
				bash -c "$cmd" >"$2/mail" 2>"$2/mail.err")
			echo $? >"$2/mail.st"
		else
			(cd "$2" && PATH=$T/bin:$PATH AIOSIFT_DB=$2/aiosift.db \
				bash -c "$cmd" >/dev/null 2>"$2/other.err") ||
				echo "other job failed: $cmd" >>"$2/mail.err"
		fi
	done < <(cron_lines "$1")
}

nfind() { sqlite3 -batch -noheader "$1/aiosift.db" "SELECT count(*) FROM findings"; }

for doc in README help man; do
	d=$T/$doc
	mkdir -p "$d/logs" "$d/www"
	lines=$(cron_lines $doc)
	expect_eq "$doc: a mail line and a page line" \
		"$(grep -c -- '--fail-on error' <<<"$lines"):$(grep -c -- '--out /var/www/' <<<"$lines")" "1:1"
	if ! grep -q -- '--fail-on error' <<<"$lines"; then continue; fi

	# 1: a quiet service, no findings yet
	sed -n '1,150p' "$Q/app.log" >"$d/logs/app.log"
	round $doc "$d"
	expect_eq "$doc 1: quiet, nothing mailed" "$(cat "$d/mail.st"):$(wc -c <"$d/mail")" "0:0"
	expect_eq "$doc 1: no job failed" "$(cat "$d/mail.err")" ""
	expect_out_file() { if grep -qE -- "$2" "$3" 2>/dev/null; then pass "$1"; else
		fail "$1" "$3 lacks /$2/: $(head -c 300 "$3" 2>/dev/null)"; fi; }
	expect_out_file "$doc 1: the page is written" '<b>0</b>findings' "$d/www/aiosift.html"

	# 2: errors arrive (logged before the last report ran: read late)
	sed -n '151,598p' "$Q/app.log" >>"$d/logs/app.log"
	round $doc "$d"
	n2=$(nfind "$d")
	expect_eq "$doc 2: mailed, exit 1" "$(cat "$d/mail.st")" 1
	expect_out_file "$doc 2: the mail counts every new finding" "^$n2 findings" "$d/mail"
	expect_out_file "$doc 2: the mail names the error" 'never_retrieved' "$d/mail"
	expect_out_file "$doc 2: the page is written too" "<b>$n2</b>findings" "$d/www/aiosift.html"
	[ "$n2" -gt 0 ] && pass "$doc 2: findings stored" || fail "$doc 2: findings stored" "none"

	# a person looks at the last hour: no bookmark moves
	(cd "$d" && AIOSIFT_DB=$d/aiosift.db "$AIOSIFT" report --since 1h >/dev/null)

	# 3: more errors, and a crash on bare stderr (no times)
	sed -n '599,1020p' "$Q/app.log" >>"$d/logs/app.log"
	cp "$Q/batch.err" "$d/logs/"
	round $doc "$d"
	n3=$(( $(nfind "$d") - n2 ))
	expect_eq "$doc 3: mailed, exit 1" "$(cat "$d/mail.st")" 1
	expect_out_file "$doc 3: only the new findings, once" "^$n3 findings, of which 1 with no time" "$d/mail"
	expect_out_file "$doc 3: the undated finding listed" 'batch.err, read ' "$d/mail"
	expect_out_file "$doc 3: the page has them" "<b>$n3</b>findings" "$d/www/aiosift.html"

	# 4: nothing new
	round $doc "$d"
	expect_eq "$doc 4: nothing new, nothing mailed" "$(cat "$d/mail.st"):$(wc -c <"$d/mail")" "0:0"
	expect_out_file "$doc 4: the page is rewritten" '<b>0</b>findings' "$d/www/aiosift.html"
	expect_eq "$doc: no job failed" "$(cat "$d/mail.err")" ""
done
