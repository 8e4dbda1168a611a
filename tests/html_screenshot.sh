#!/usr/bin/env bash
# tests/html_screenshot.sh PAGE.html [SHOT.png]: open the page in headless
# Chromium at a phone's size (412x900) and check the screenshot is not
# blank (more than one colour) and has the phone's size. Prints PASS/FAIL
# lines; the caller runs it only when chromium is installed.
set -u
page=$1
shot=${2:-$(mktemp --suffix=.png)}
name="html screenshot"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "FAIL $name: no chromium"; exit 1
fi
home=$(mktemp -d)
HOME=$home timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	--hide-scrollbars --user-data-dir="$home/profile" \
	--screenshot="$shot" --window-size=412,900 "file://$(realpath "$page")" \
	>"$home/log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$shot" ]; then
	echo "FAIL $name: chromium exit $rc: $(tail -c 300 "$home/log")"
	rm -rf "$home"; exit 1
fi
rm -rf "$home"
python3 - "$shot" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, typ = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if typ == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif typ == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = set()
i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 3 == 0:
        for x in range(0, stride, bpp * 2):
            colours.add(bytes(line[x:x + 3]))
    prev = line
ok_size = (w, h) == (412, 900)
print(('PASS' if ok_size else 'FAIL') + ' html screenshot size' + ('' if ok_size else ': %dx%d' % (w, h)))
ok = len(colours) > 1
print(('PASS' if ok else 'FAIL') + ' html screenshot not blank' + ('' if ok else ': one colour'))
print(('PASS' if len(colours) > 20 else 'FAIL') + ' html screenshot has content' + ('' if len(colours) > 20 else ': %d colours' % len(colours)))
PY
