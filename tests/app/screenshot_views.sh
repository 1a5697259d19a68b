#!/usr/bin/env bash
# attnviz screenshot: each view, and each centre tab of the overview, under xvfb-run writes a PNG
# of the requested size that is not blank; without a display the app names xvfb-run and exits
# with status 2.
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
