#!/usr/bin/env bash
# The heads grid names its tokens: at 100 % and 200 % text, OCR of the Heads view reads the query
# words beside each layer's row of thumbnails (word-order's source: the prince saved the
# princess), once per layer, and the layer and head titles.
#   bash heads_labels_legible.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for scale in 100% 200%; do
  png="$out/heads-${scale%\%}.png"
  xvfb-run -a "$attnviz" screenshot --out "$png" --view heads --size 1920x1080 --scale "$scale" >/dev/null
  text=$(tesseract "$png" - 2>/dev/null | tr -s ' \n' ' ')
  princess=$(grep -o princess <<<"$text" | wc -l)
  saved=$(grep -o saved <<<"$text" | wc -l)
  if (( princess < 2 || saved < 2 )) || [[ $text != *"head 0"* || $text != *"layer"* ]]; then
    echo "FAIL at $scale: the heads grid's token labels are not legible ('princess' ×$princess, 'saved' ×$saved): $text"
    exit 1
  fi
  echo "ok   $scale: 'princess' ×$princess, 'saved' ×$saved, head and layer titles read back"
done
