#!/usr/bin/env bash
# attnviz screenshot --view gradlab-*: each page of the gradient lab under xvfb-run writes a PNG
# of the requested size that is not blank, at a projector's or a laptop's resolution; so does
# the overview with the lab window open (--lab).
#   bash screenshot_gradlab.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
srcdir=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for view_size in gradlab-scalar:1366x768 gradlab-depth:1600x900 gradlab-transformer:1366x768; do
  view=${view_size%:*} size=${view_size#*:}
  xvfb-run -a "$attnviz" screenshot --out "$out/$view.png" --view "$view" --size "$size" >/dev/null
  python3 "$srcdir/tests/app/png_check.py" "$out/$view.png" "${size%x*}" "${size#*x}"
done

xvfb-run -a "$attnviz" screenshot --out "$out/lab.png" --lab --size 1366x768 \
  --step-label decoder.1.cross_attn.head1.softmax --backward >/dev/null
python3 "$srcdir/tests/app/png_check.py" "$out/lab.png" 1366 768

set +e
message=$(xvfb-run -a "$attnviz" screenshot --out "$out/bad.png" --view gradlab-nothing 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/bad.png || $message != *gradlab-transformer* ]]; then
  echo "FAIL --view gradlab-nothing: status $status, $message"
  exit 1
fi
echo "ok   --view gradlab-nothing refused: $message"
