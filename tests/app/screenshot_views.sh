#!/usr/bin/env bash
# attnviz screenshot: each view, and each centre tab of the overview, under xvfb-run writes a PNG
# of the requested size that is not blank; without a display the app names xvfb-run and exits
# with status 2.
#   bash screenshot_views.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

set +e
message=$(env -u DISPLAY -u WAYLAND_DISPLAY "$attnviz" 2>&1 >/dev/null)
status=$?
set -e
if [[ $status -ne 2 || $message != *xvfb-run* ]]; then
  echo "FAIL without a display: status $status, message: $message"
  exit 1
fi
echo "ok   no display: status 2, names xvfb-run"

# Decodes an 8-bit RGBA or RGB PNG with zlib and checks its size and that it is not one colour.
check_png() {
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, zlib
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        w, h, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
channels = {2: 3, 6: 4}[colour]
raw = zlib.decompress(idat)
stride = w * channels
rows, prev = [], bytearray(stride)
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - channels] if i >= channels else 0
        b, c = prev[i], prev[i - channels] if i >= channels else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
colours = set()
for y in range(0, h, 7):
    for x in range(0, w, 7):
        colours.add(rows[y][x * channels:x * channels + 3])
ok = (w, h) == (want_w, want_h) and len(colours) >= 20
print(f"{'ok  ' if ok else 'FAIL'} {path}: {w}x{h}, {len(colours)} colours sampled")
sys.exit(0 if ok else 1)
PY
}

for view in overview navigator steps detail chain heads attention mask pe output; do
  xvfb-run -a "$attnviz" screenshot --out "$out/$view.png" --view "$view" --size 800x600 \
    --step-label encoder.0.self_attn.head1.softmax --backward --select 1,2 >/dev/null
  check_png "$out/$view.png" 800 600
done
for page in heads attention mask pe output; do
  xvfb-run -a "$attnviz" screenshot --out "$out/page-$page.png" --page "$page" --size 1366x768 \
    --step-label decoder.0.cross_attn.head1.softmax --backward >/dev/null
  check_png "$out/page-$page.png" 1366 768
done
xvfb-run -a "$attnviz" screenshot --out "$out/dark.png" --theme dark --size 1366x768 --step 9 --select 0,1 >/dev/null
check_png "$out/dark.png" 1366 768

set +e
message=$(xvfb-run -a "$attnviz" screenshot --out "$out/bad.png" --step 100000 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/bad.png || $message != *--step* ]]; then
  echo "FAIL --step 100000: status $status, $message"
  exit 1
fi
echo "ok   --step 100000 refused: $message"
