#!/usr/bin/env bash
# attnviz train, --lesson and --weights from the command line: a short run lowers the held-out
# loss and writes weights the other commands read; bad files end the command with a message.
#   bash train_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A short run: JSON curves, the held-out loss falls, the weights file is written.
"$attnviz" train --lesson "$src/assets/lessons/word-order.json" --steps 40 --json --out "$tmp/w.safetensors" > "$tmp/run.json"
python3 - "$tmp/run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
curve = run["curve"]
first, last = curve[0]["held_loss"], curve[-1]["held_loss"]
ok = len(curve) >= 2 and curve[-1]["step"] == 40 and last < 0.8 * first and len(run["held_out"]["positions"]) == 6
print(f"{'ok  ' if ok else 'FAIL'} 40 steps: held-out loss {first:.3f} → {last:.3f}")
sys.exit(0 if ok else 1)
PY
[[ -s "$tmp/w.safetensors" && ! -e "$tmp/w.safetensors.tmp" ]] || { echo "FAIL weights file"; exit 1; }

# The trained weights load into trace and the walk-through.
"$attnviz" trace --weights "$tmp/w.safetensors" --print > "$tmp/trace.txt"
grep -q '^loss ' "$tmp/trace.txt" || { echo "FAIL trace --weights"; exit 1; }
# The window prints the walk-through before it opens; without a display it then stops with 2.
status=0
env -u DISPLAY -u WAYLAND_DISPLAY "$attnviz" --lesson "$src/assets/lessons/word-order.json" --weights "$tmp/w.safetensors" \
  > "$tmp/walk.txt" 2> /dev/null || status=$?
[ "$status" = 2 ] || { echo "FAIL the window without a display: status $status"; exit 1; }
head -1 "$tmp/walk.txt" | grep -q 'Word order' || { echo "FAIL walk-through --weights"; exit 1; }
echo "ok   trace and walk-through read the trained weights"

# The default lesson opens with its shipped weights: a trained model, a small loss.
loss=$("$attnviz" trace --print | awk '/^loss /{print $2}')
python3 -c "import sys; sys.exit(0 if float('$loss') < 0.05 else 1)" || { echo "FAIL default lesson loss $loss"; exit 1; }
echo "ok   default lesson with shipped weights: loss $loss"
"$attnviz" trace --preset small --print > /dev/null
echo "ok   --preset still works"

# Self-attention by hand prints worked example A's numbers.
"$attnviz" trace --lesson "$src/assets/lessons/self-attention-by-hand.json" --print > "$tmp/hand.txt"
grep -q '0.0008904474    0.9088426   0.09026691' "$tmp/hand.txt" || { echo "FAIL example A softmax row"; exit 1; }
grep -q '1.863874     6.319371     1.704189' "$tmp/hand.txt" || { echo "FAIL example A output row"; exit 1; }
echo "ok   self-attention by hand shows example A"

# Refusals: status non-zero, the message names the file and the problem.
expect_refusal() {
  local what=$1 pattern=$2
  shift 2
  set +e
  message=$("$@" 2>&1 >/dev/null)
  status=$?
  set -e
  if [[ $status -eq 0 || $message != *"$pattern"* ]]; then
    echo "FAIL $what: status $status, message: $message"
    exit 1
  fi
  echo "ok   $what refused: $message"
}
printf '{"title": "x", "task": {"pairs": [["a", "b"]]}, "example": ["a", "b"], "config": {"heads": 5}}' > "$tmp/bad.json"
expect_refusal "bad lesson" "bad.json: config: d_model = 16: must be divisible by heads = 5" "$attnviz" train --lesson "$tmp/bad.json" --steps 1
printf '{"title": "x",\n "task": {' > "$tmp/broken.json"
expect_refusal "broken JSON" "broken.json: line 2" "$attnviz" --lesson "$tmp/broken.json"
head -c 100 "$tmp/w.safetensors" > "$tmp/cut.safetensors"
expect_refusal "cut weights" "cut.safetensors: not a safetensors file, or cut short" "$attnviz" trace --print --weights "$tmp/cut.safetensors"
expect_refusal "weights of another size" "tensors have another shape than this model's config needs: 'src_embed.weight' [16, 16] (needs [16, 32])" \
  "$attnviz" trace --print --set d_model=32 --weights "$tmp/w.safetensors"
expect_refusal "weights of another lesson" "42 tensors are not parameters of this model: 'encoder.layers.1.self_attn.q_proj.weight'" \
  "$attnviz" trace --print --lesson "$src/assets/lessons/reverse.json" --weights "$tmp/w.safetensors"
expect_refusal "missing weights file" "no-such.safetensors: cannot open" "$attnviz" --weights "$tmp/no-such.safetensors"
expect_refusal "--out into a missing folder" "none does not exist" "$attnviz" train --steps 1 --out "$tmp/none/w.safetensors"
expect_refusal "unknown word" "source: unknown word 'wizard'" "$attnviz" trace --print --src "the wizard saved the prince"

# The positional-encoding experiment, short: the subject needs positional encoding.
"$attnviz" train --compare-positional --steps 150 --json > "$tmp/pe.json"
python3 - "$tmp/pe.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
with_pe = run["with_positional"]["held_out"]["positions"][0]
without = run["without_positional"]["held_out"]["positions"][0]
ok = with_pe["name"] == "subject" and with_pe["accuracy"] >= 0.95 and 0.3 <= without["accuracy"] <= 0.7
print(f"{'ok  ' if ok else 'FAIL'} subject accuracy with PE {with_pe['accuracy']:.2f}, without {without['accuracy']:.2f}")
sys.exit(0 if ok else 1)
PY
