#!/usr/bin/env bash
# attnviz screenshot --view training under xvfb-run: the training panel after a few steps of
# the default lesson, alone and over the overview, at a projector's sizes; its numbers are those
# `attnviz train` prints for the same steps.  `attnviz bench frames --training` runs.
#   bash screenshot_training.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

xvfb-run -a "$attnviz" screenshot --out "$out/training.png" --view training --train 100 --size 1600x900 >/dev/null
python3 "$src/tests/app/png_check.py" "$out/training.png" 1600 900
xvfb-run -a "$attnviz" screenshot --out "$out/overview.png" --train 20 --size 1366x768 >/dev/null
python3 "$src/tests/app/png_check.py" "$out/overview.png" 1366 768

set +e
message=$(xvfb-run -a "$attnviz" screenshot --out "$out/bad.png" --view trainig 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/bad.png || $message != *training* ]]; then
  echo "FAIL --view trainig: status $status, $message"
  exit 1
fi
echo "ok   --view trainig refused: $message"

bench=$(xvfb-run -a "$attnviz" bench frames --training --frames 30 --size 800x600 --json)
if ! python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j["training"] and j["training_steps"] > 0 else 1)' "$bench"; then
  echo "FAIL bench frames --training did not train: $bench"
  exit 1
fi
echo "ok   bench frames --training trains meanwhile"
