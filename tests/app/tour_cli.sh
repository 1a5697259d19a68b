#!/usr/bin/env bash
# attnviz tour: lists the default lesson's stops (titles in English or Korean, where each goes),
# prints them as JSON, refuses a tour whose step the model does not have, naming the stop, and
# follows the first stop into the lesson it opens.
#   bash tour_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
srcdir=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

text=$("$attnviz" tour)
[[ $text == *"a tour of "*" stops"* && $text == *"step encoder.embed.add_pe"* ]] || { echo "FAIL tour: $text"; exit 1; }
echo "ok   tour lists the stops"
[[ $text == *"a tour of 20 stops"* && $text == *"1. Why attention?"*"opens why-attention.json, why-attention"* ]] || { echo "FAIL tour's first stop: $text"; exit 1; }
echo "ok   the first stop opens the Why attention? lesson"
text=$("$attnviz" tour --lang ko)
[[ $text == *"위치 인코딩"* ]] || { echo "FAIL tour --lang ko: $text"; exit 1; }
echo "ok   tour --lang ko gives Korean titles"
"$attnviz" tour --json --lesson "$srcdir/assets/lessons/self-attention-by-hand.json" >"$out/tour.json"
python3 - "$out/tour.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lesson"] == "Self-attention by hand", j["lesson"]
assert len(j["stops"]) >= 5 and all(s["title"]["ko"] and s["note"]["en"] for s in j["stops"])
assert j["stops"][0]["step"] == "encoder.0.self_attn.q_proj"
PY
echo "ok   tour --json"

python3 - "$srcdir/assets/lessons/word-order.json" "$out/bad.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["tour"][2]["step"] = "encoder.9.self_attn.head0.softmax"
j.pop("weights")
json.dump(j, open(sys.argv[2], "w"), ensure_ascii=False)
PY
set +e
message=$("$attnviz" tour --lesson "$out/bad.json" 2>&1)
status=$?
set -e
if [[ $status -eq 0 || $message != *"tour[2].step = 'encoder.9.self_attn.head0.softmax': no forward step"* ]]; then
  echo "FAIL a stop on a missing step: status $status, $message"
  exit 1
fi
echo "ok   a stop on a missing step is refused: $message"

# The first stop opens why-attention.json beside the lesson: the screenshot waits for it; beside a
# copy of the lesson that has no such file, the stop's lesson is refused by name.
xvfb-run -a "$attnviz" screenshot --tour-stop 1 --presenter --size 1366x768 --out "$out/stop1.png" >/dev/null
python3 "$srcdir/tests/app/png_check.py" "$out/stop1.png" 1366 768
echo "ok   screenshot --tour-stop 1 follows the stop into its lesson"
mkdir "$out/alone"
cp "$srcdir/assets/lessons/word-order.json" "$out/alone/"
cp -r "$srcdir/assets/lessons/weights" "$out/alone/"
set +e
message=$(xvfb-run -a "$attnviz" screenshot --lesson "$out/alone/word-order.json" --tour-stop 1 --out "$out/alone.png" 2>&1)
status=$?
set -e
if [[ $status -eq 0 || -e $out/alone.png || $message != *"why-attention.json: cannot open"* ]]; then
  echo "FAIL a stop's missing lesson: status $status, $message"
  exit 1
fi
echo "ok   a stop's missing lesson is refused: $message"
