#!/bin/sh
# tests/gen/make_gaps.sh: tests/fixtures/gaps/{plain,debug}/, the logs of
# a real asyncio service (gap_service.py) that restarts, idles and blocks:
# run a (CPython 3.12) ships orders every ~50 ms, blocks its loop for
# 1.5 s in a coroutine, goes idle for 3 s, and stops; its log is rotated
# away (app.log -> app.log.1, a rename as logrotate does); after 2 s of
# downtime run b (3.13) starts a new app.log; after 2 s more run c (3.12)
# appends to it. "debug" runs with asyncio's debug mode (its "Executing
# ... took 1.5 seconds" names the blocked task and coroutine). What each
# run recorded about itself is in truth.jsonl. tests/cli/gaps.sh reads
# them. A run the machine disturbed (exit 75) is run again.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
py() { "$(pyenv root)/versions/$1/bin/python3" "$top/tests/gen/gap_service.py" "$2" "$3" $4; }
one() {	# one run, again while disturbed
	for try in 1 2 3 4 5; do
		if py "$@"; then return 0; fi
		[ $? -eq 75 ] || exit 1
	done
	echo "make_gaps.sh: run $3 disturbed 5 times" >&2; exit 1
}
for v in plain debug; do
	out=$top/tests/fixtures/gaps/$v
	flag=; [ $v = debug ] && flag=--debug
	for try in 1 2 3; do
		rm -rf "$out"; mkdir -p "$out"
		one 3.12.1 "$out" a "$flag"
		mv "$out/app.log" "$out/app.log.1"
		sleep 2
		one 3.13.0 "$out" b "$flag"
		sleep 2
		one 3.12.1 "$out" c "$flag"
		# where the generator ran, as the other fixtures say it
		sed -i "s|$top/tests/gen/|/srv/app/|g" "$out"/app.log*
		# the block's own truth must be whole: one block, one idle
		[ "$(grep -c '"block"' "$out/truth.jsonl")" = 1 ] && break
	done
	echo "wrote $out"
done
