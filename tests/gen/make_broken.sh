#!/bin/sh
# Make the reader's and rotation's fixtures with the real tools (gzip,
# head, dd, cat, python3 for the deterministic text). Run from anywhere;
# writes tests/fixtures/broken/ and tests/fixtures/rotation/. The outputs
# are committed: rerun only to change them.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/tests/fixtures/broken
r=$top/tests/fixtures/rotation
rm -rf "$b" "$r"
mkdir -p "$b" "$r"

# Two texts: a.txt spans several deflate blocks, b.txt is short.
python3 - "$b" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/a.txt", "w", newline="") as f:
    for i in range(800):
        f.write("2026-02-21 10:%02d:%02d,%03d INFO worker.%d: job %d done "
                "in %d ms\n" % (i // 60 % 60, i % 60, i % 1000, i % 7,
                                i * 7919 % 100003, i * 31 % 997))
with open(d + "/b.txt", "w", newline="") as f:
    f.write("2026-02-21 11:00:00,000 ERROR app: second member\n"
            "Traceback (most recent call last):\n"
            "  File \"app.py\", line 3, in <module>\n"
            "ValueError: boom\n")
PY

gzip -9 -n -c "$b/a.txt" > "$b/single.gz"
gzip -n -c "$b/b.txt" > "$b/b.gz"
# Two members, as `cat a.gz b.gz` (and logrotate's appends) make them.
cat "$b/single.gz" "$b/b.gz" > "$b/multi.gz"
# The name says nothing: gzip content named .log, plain text named .gz.
cp "$b/single.gz" "$b/gzip-named.log"
cp "$b/b.txt" "$b/plain-named.gz"
: > "$b/empty.log"
# Cut short: in the middle of the deflate data, right after the header,
# and after the magic bytes alone.
size=$(wc -c < "$b/single.gz")
head -c $((size / 2)) "$b/single.gz" > "$b/truncated.gz"
head -c 10 "$b/single.gz" > "$b/header-only.gz"
head -c 2 "$b/single.gz" > "$b/magic-only.gz"
# A whole first member, then a second cut short.
bsize=$(wc -c < "$b/b.gz")
{ cat "$b/single.gz"; head -c $((bsize - 9)) "$b/b.gz"; } > "$b/multi-truncated.gz"
# A whole member, then bytes that are no gzip header.
{ cat "$b/single.gz"; printf 'not gzip\n'; } > "$b/trailing.gz"
# One byte flipped in the deflate data: a bad block or a bad checksum.
cp "$b/single.gz" "$b/bitflip.gz"
printf '\377' | dd of="$b/bitflip.gz" bs=1 seek=2000 count=1 conv=notrunc \
    2>/dev/null
# The CRC in the trailer wrong, the data itself intact.
cp "$b/b.gz" "$b/badcrc.gz"
printf '\0\0\0\0' | dd of="$b/badcrc.gz" bs=1 seek=$((bsize - 8)) count=4 \
    conv=notrunc 2>/dev/null
rm -f "$b/b.gz"

# A directory of rotation sets, each file's lines in time order, so the
# set read oldest first gives increasing times.
line() {	# FILE HOUR: one record naming the file it came from
	printf '2026-02-21 %02d:00:00,000 INFO app: from %s\n' "$2" "$1"
}
for f in app.log.3.gz:1 app.log.2.gz:2 app.log.1:3 app.log:4 \
    worker.log.2026-02-19.gz:1 worker.log.2026-02-20:2 worker.log:3 \
    cron.log-20260219.gz:1 cron.log-20260220.gz:2 cron.log:3; do
	name=${f%:*} hour=${f#*:}
	case $name in
	*.gz)	line "${name}" "$hour" | gzip -n > "$r/$name" ;;
	*)	line "${name}" "$hour" > "$r/$name" ;;
	esac
done
mkdir -p "$r/nested"
line nested/svc.log.1 5 > "$r/nested/svc.log.1"
line nested/svc.log 6 > "$r/nested/svc.log"
# Not logs: skipped when the directory is walked.
printf '{"expected": []}\n' > "$r/expected.json"
printf 'SQLite format 3\0' > "$r/state.db"
printf 'hidden\n' > "$r/.hidden.log"
