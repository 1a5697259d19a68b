#!/usr/bin/env bash
# attnviz lab seq2seq --json: accuracy per source length for the three models of the "Why
# attention?" lesson, from the shipped weights, in the documented shape; a lesson that compares
# no models is refused.
#   bash lab_seq2seq_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
out=/tmp/attnviz_lab_seq2seq.$$.json
"$attnviz" lab seq2seq --json > "$out"
python3 - "$out" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
assert list(out) == ["lengths", "models"], list(out)
assert out["lengths"] == list(range(3, 21)), out["lengths"]
models = out["models"]
assert sorted(models) == ["bahdanau", "seq2seq", "transformer"], list(models)
for name, m in models.items():
    assert list(m) == ["accuracy", "first_token_grad"], (name, list(m))
    assert len(m["accuracy"]) == len(out["lengths"]), name
    assert all(0 <= a <= 1 for a in m["accuracy"]), name
    assert m["first_token_grad"] > 0, name
s, b = models["seq2seq"]["accuracy"], models["bahdanau"]["accuracy"]
assert s[-1] <= b[-1] - 0.30, (s[-1], b[-1])
assert b[-1] >= b[0] - 0.05, (b[0], b[-1])
print(f"ok  length 20: seq2seq {s[-1]:.3f}, bahdanau {b[-1]:.3f} (length 3: {b[0]:.3f})")
PY
rm -f "$out"

if message=$("$attnviz" lab seq2seq --lesson "$2/assets/lessons/reverse.json" 2>&1); then
  echo "FAIL: a lesson without models to compare was accepted"; exit 1
fi
grep -q "compares no models" <<<"$message" || { echo "FAIL: unexpected message: $message"; exit 1; }
echo "ok  refused: $message"

# The positional-encoding experiment is a Transformer's: refused on the recurrent lesson, before training.
if message=$("$attnviz" train --lesson "$2/assets/lessons/why-attention.json" --compare-positional 2>&1); then
  echo "FAIL: the positional-encoding experiment ran on a recurrent model"; exit 1
fi
grep -q "needs a Transformer" <<<"$message" || { echo "FAIL: unexpected message: $message"; exit 1; }
echo "ok  refused: $message"
