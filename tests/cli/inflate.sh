# The two inflaters agree (issue 16). Built with ISA-L, gzip members go
# through igzip, zlib staying the judge of damage; AIOSIFT_INFLATE=zlib
# inflates with zlib alone. Every gzip fixture, and damage made here at
# many places of a multi-member file (cut short, a byte flipped, trailing
# garbage, reserved header flags, a header CRC, a distance too far back),
# is ingested both ways: the exit status, the messages (file and byte
# offset) and the records, findings and counts stored must be the same.
# Built without ISA-L (build/zlib, NO_ISAL=1) both runs are zlib's and
# the test says so; the hostile tests then check zlib's answers.
. "$(dirname "$0")/lib.sh"
B=$FIXTURES/broken
LOG=$FIXTURES/ingest/service.log
if ldd "$AIOSIFT" 2>/dev/null | grep -q libisal; then
	echo "# $AIOSIFT inflates with ISA-L; compared with AIOSIFT_INFLATE=zlib"
else
	echo "# $AIOSIFT has no ISA-L: both runs are zlib's"
fi

# dump DB: what an ingest stored, in a stable order (no times of the run,
# no ids drawn at random per database).
dump() {
	sql "$1" "SELECT * FROM records ORDER BY id;
	    SELECT id, record_id, source_id, offset, line, ts_us, kind, rule,
	    severity, task, coro, exception, location, message, duration_us,
	    incident_id, confidence FROM findings ORDER BY id;
	    SELECT id, first_us, last_us, severity, kinds, key, task, coro,
	    count, summary, set_path FROM incidents ORDER BY id;
	    SELECT * FROM counts ORDER BY 1, 2, 3, 4;
	    SELECT path, gzip, size, read_bytes, read_lines, complete, records
	    FROM sources ORDER BY id"
}
# same NAME FILE: ingest FILE by default and with zlib; both alike.
same() {
	local name=$1 f=$2 st1 st2
	rm -f "$T"/d1.db* "$T"/d2.db*
	"$AIOSIFT" ingest --keep all --db "$T/d1.db" "$f" >"$T/o1" 2>"$T/e1"
	st1=$?
	AIOSIFT_INFLATE=zlib "$AIOSIFT" ingest --keep all --db "$T/d2.db" "$f" \
	    >"$T/o2" 2>"$T/e2"
	st2=$?
	if [ "$st1" != "$st2" ]; then
		fail "$name: same exit status" "$st1 by default, $st2 with zlib"
	elif ! cmp -s "$T/e1" "$T/e2"; then
		fail "$name: same messages" "$(diff "$T/e1" "$T/e2" | head -c 300)"
	elif ! cmp -s "$T/o1" "$T/o2"; then
		fail "$name: same summary" "$(diff "$T/o1" "$T/o2" | head -c 300)"
	elif [ "$(dump "$T/d1.db")" != "$(dump "$T/d2.db")" ]; then
		fail "$name: same records" "the databases differ"
	else
		pass "$name: same status ($st1), messages and records"
	fi
}

for f in "$B"/*.gz "$B"/gzip-named.log; do
	same "fixture $(basename "$f")" "$f"
done

# A two-member file of real log text, large enough for igzip's fast path.
head -c 400000 "$LOG" >"$T/part1"
tail -c +400001 "$LOG" | head -c 300000 >"$T/part2"
gzip -c "$T/part1" >"$T/m.gz"
gzip -c "$T/part2" >>"$T/m.gz"
size=$(stat -c %s "$T/m.gz")
first=$(gzip -c "$T/part1" | wc -c)
same "whole two-member file" "$T/m.gz"
n=0
for at in 2 9 10 11 100 4000 $((first - 9)) $((first - 4)) $((first - 1)) \
    "$first" $((first + 5)) $((first + 12)) $((size / 2)) $((size - 9)) \
    $((size - 1)); do
	head -c "$at" "$T/m.gz" >"$T/cut-$at.gz"
	same "cut at byte $at" "$T/cut-$at.gz"
	n=$((n + 1))
done
# one byte changed at spread places: headers, deflate data, trailers
for at in 3 4 9 10 12 40 700 5000 20000 $((first - 8)) $((first - 3)) \
    $((first + 3)) $((first + 20)) $((size - 6)) $((size - 2)); do
	cp "$T/m.gz" "$T/flip-$at.gz"
	printf '\xa5' | dd of="$T/flip-$at.gz" bs=1 seek="$at" conv=notrunc \
	    status=none
	same "byte $at changed" "$T/flip-$at.gz"
	n=$((n + 1))
done
cp "$T/m.gz" "$T/garbage.gz"; printf 'tail' >>"$T/garbage.gz"
same "trailing garbage" "$T/garbage.gz"
# header flags: reserved bits (zlib refuses), a header CRC (zlib checks)
python3 - "$T/part1" "$T" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
c = zlib.compressobj(6, zlib.DEFLATED, -15)
raw = c.compress(data) + c.flush()
trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff)
def member(flg, extra=b""):
    return bytes([0x1f, 0x8b, 8, flg, 0, 0, 0, 0, 0, 3]) + extra + raw + trailer
hdr = bytes([0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 3])
good = zlib.crc32(hdr) & 0xffff
open(sys.argv[2] + "/reserved.gz", "wb").write(member(0x20))
open(sys.argv[2] + "/hcrc.gz", "wb").write(member(2, struct.pack("<H", good)))
open(sys.argv[2] + "/badhcrc.gz", "wb").write(member(2, struct.pack("<H", good ^ 1)))
open(sys.argv[2] + "/name.gz", "wb").write(member(8, b"app.log\0"))
# a match reaching before the start: fixed Huffman, "ab", then length 3
# at distance 5, then literals
bits = []
def put(v, n): bits.extend((v >> i) & 1 for i in range(n))
def huff(code, n): bits.extend((code >> (n - 1 - i)) & 1 for i in range(n))
put(1, 1); put(1, 2)
for ch in b"ab": huff(0x30 + ch, 8)
huff(1, 7); huff(4, 5); put(0, 1)
for ch in b"cdefgh" * 50: huff(0x30 + ch, 8)
huff(0, 7)
bits.extend([0] * (-len(bits) % 8))
raw2 = bytes(sum(b << i for i, b in enumerate(bits[k:k + 8]))
             for k in range(0, len(bits), 8))
open(sys.argv[2] + "/toofar.gz", "wb").write(
    bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]) + raw2 + struct.pack("<II", 0, 0))
PY
for f in reserved hcrc badhcrc name toofar; do same "header case $f" "$T/$f.gz"; done
# the whole file after a good first member whose second has a far distance
cat "$T/m.gz" "$T/toofar.gz" >"$T/m-toofar.gz"
same "second member, distance too far back" "$T/m-toofar.gz"
expect_eq "damage cases tried" "$n" 30
