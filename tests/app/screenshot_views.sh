#!/usr/bin/env bash
# attnviz screenshot: each view under xvfb-run writes a PNG of the requested size that is not
# blank; without a display the app names xvfb-run and exits with status 2.
#   bash screenshot_views.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
src=$2
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

# The PNG has the size asked for and is not one colour (tests/tools/check_png.py).
check_png() { python3 "$src/tests/tools/check_png.py" "$@"; }

for view in overview navigator steps detail chain; do
  xvfb-run -a "$attnviz" screenshot --out "$out/$view.png" --view "$view" --size 800x600 \
    --step-label encoder.0.self_attn.head1.softmax --backward --select 1,2 >/dev/null
  check_png "$out/$view.png" 800 600
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
