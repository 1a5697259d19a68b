#!/usr/bin/env bash
# attnviz screenshot: each view (by its name, and by the older names still accepted), each centre
# tab of the overview, and worked example A's own architecture figure, under xvfb-run writes a
# PNG of the requested size that is not blank; without a display the app names xvfb-run and
# exits with status 2.
#   bash screenshot_views.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
srcdir=$2
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

# Size and non-blankness of a PNG (python3 and zlib only).
check_png() {
  python3 "$srcdir/tests/app/png_check.py" "$1" "$2" "$3"
}

for view in overview architecture steps detail chain-rule heads attention masking position output navigator chain mask pe; do
  xvfb-run -a "$attnviz" screenshot --out "$out/$view.png" --view "$view" --size 800x600 \
    --step-label encoder.0.self_attn.head1.softmax --backward --select 1,2 >/dev/null
  check_png "$out/$view.png" 800 600
done
for page in heads attention masking position output; do
  xvfb-run -a "$attnviz" screenshot --out "$out/page-$page.png" --page "$page" --size 1366x768 \
    --step-label decoder.0.cross_attn.head1.softmax --backward >/dev/null
  check_png "$out/page-$page.png" 1366 768
done
xvfb-run -a "$attnviz" screenshot --out "$out/dark.png" --theme dark --size 1366x768 --step 9 --select 0,1 >/dev/null
check_png "$out/dark.png" 1366 768
# Worked example A's own figure (the graph of its steps), alone and at a projector's 200 %.
xvfb-run -a "$attnviz" screenshot --out "$out/example-a.png" --lesson "$srcdir/assets/lessons/self-attention-by-hand.json" \
  --view architecture --size 800x600 >/dev/null
check_png "$out/example-a.png" 800 600
xvfb-run -a "$attnviz" screenshot --out "$out/example-a-200.png" --lesson "$srcdir/assets/lessons/self-attention-by-hand.json" \
  --size 1920x1080 --scale 200% --step 12 >/dev/null
check_png "$out/example-a-200.png" 1920 1080

set +e
message=$(xvfb-run -a "$attnviz" screenshot --out "$out/bad.png" --step 100000 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/bad.png || $message != *--step* ]]; then
  echo "FAIL --step 100000: status $status, $message"
  exit 1
fi
echo "ok   --step 100000 refused: $message"

# A LayerNorm step's detail scrolled to LayerNorm or BatchNorm?; refused at any other step.
xvfb-run -a "$attnviz" screenshot --out "$out/norm-compare.png" --view detail --size 1600x900 \
  --step-label encoder.0.norm1.layer_norm --norm-compare >/dev/null
check_png "$out/norm-compare.png" 1600 900
set +e
message=$(xvfb-run -a "$attnviz" screenshot --out "$out/bad-norm.png" --step-label encoder.0.ffn.linear1 --norm-compare 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/bad-norm.png || $message != *--norm-compare* ]]; then
  echo "FAIL --norm-compare at a linear step: status $status, $message"
  exit 1
fi
echo "ok   --norm-compare at a linear step refused: $message"
