#!/usr/bin/env bash
# Pictures for slides through the window's own code (attnviz screenshot --picture): a figure's
# Save picture… writes a valid PNG of that figure alone, twice its size on screen plus the
# padding (8 × 6 px at 100 % text, doubled), at 100 % and at 200 % text; File ▸ Save window as
# PNG… writes the whole window; a folder that does not exist, a path that is a folder, or a
# figure that is not in view write nothing and leave what was there as it was.
#   bash pictures.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
srcdir=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The picture of figure $1 at text size $2 (further arguments: the window's state) checked against
# the size the app reports for it on screen: width exactly 2 × (w + 2 × 8 × scale) (±1 px of
# rounding), height 2 × (h + 2 × 6 × scale) within 8 %; a valid PNG of that size, not one colour.
picture() {
  local name=$1 scale=$2
  shift 2
  local file="$out/$name-$scale.png"
  local line
  line=$(xvfb-run -a "$attnviz" screenshot --out "$file" --picture "$name" --scale "$scale%" "$@")
  python3 - "$line" "$scale" "$file" "$srcdir/tests/app/png_check.py" <<'PY'
import re, subprocess, sys
line, scale, path, check = sys.argv[1], int(sys.argv[2]) / 100, sys.argv[3], sys.argv[4]
m = re.search(r"\((\d+)×(\d+), the picture of .*; on screen (\d+)×(\d+)\)", line)
assert m, line
W, H, w, h = map(int, m.groups())
want_w, want_h = 2 * (w + 2 * 8 * scale), 2 * (h + 2 * 6 * scale)
assert abs(W - want_w) <= 1.5, f"width {W}, expected {want_w} (on screen {w})"
assert abs(H - want_h) <= 0.08 * want_h, f"height {H}, expected about {want_h} (on screen {h})"
subprocess.run([sys.executable, check, path, str(W), str(H)], check=True)
print(f"ok   {path.rsplit('/', 1)[1]}: {W}×{H} for {w}×{h} on screen")
PY
}

heatmap=weights-after-softmax-exactly-0-where-masked
picture "$heatmap" 100 --page masking --step-label decoder.0.self_attn.head1.softmax --size 1600x900
picture "$heatmap" 200 --page masking --step-label decoder.0.self_attn.head1.softmax --size 1920x1080
picture the-transformer-s-architecture 100 --step-label encoder.0.self_attn.head1.softmax --backward
picture the-steps-of-one-attention-head 200 --lesson "$srcdir/assets/lessons/self-attention-by-hand.json" \
  --view architecture --size 1280x900

xvfb-run -a "$attnviz" screenshot --out "$out/window.png" --picture window --size 1280x720 >/dev/null
python3 "$srcdir/tests/app/png_check.py" "$out/window.png" 1280 720
echo "ok   File ▸ Save window as PNG…: 1280×720"

# Refused: a message naming the problem, a non-zero status, nothing written or replaced.
refused() {
  local want=$1 path=$2
  shift 2
  set +e
  message=$(xvfb-run -a "$attnviz" screenshot --out "$path" "$@" 2>&1)
  status=$?
  set -e
  if [[ $status -eq 0 || $message != *"$want"* ]]; then
    echo "FAIL $path: status $status, message: $message"
    exit 1
  fi
  echo "ok   refused ($message)"
}
refused "does not exist" "$out/no-such-folder/x.png" --picture "$heatmap" --page masking
[[ ! -e $out/no-such-folder ]] || { echo "FAIL a folder was created"; exit 1; }
mkdir "$out/folder"
echo kept >"$out/folder/inside.txt"
refused "folder" "$out/folder" --picture window
[[ -d $out/folder && $(cat "$out/folder/inside.txt") == kept ]] || { echo "FAIL the folder changed"; exit 1; }
echo old >"$out/old.png"
refused "is not in view" "$out/old.png" --picture no-such-figure
[[ $(cat "$out/old.png") == old ]] || { echo "FAIL old.png was replaced"; exit 1; }
leftovers=$(find "$out" -name '*.tmp' | wc -l)
[[ $leftovers -eq 0 ]] || { echo "FAIL temporary files left: $(find "$out" -name '*.tmp')"; exit 1; }
echo "ok   nothing written or replaced, no temporary file left"
