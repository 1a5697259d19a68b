#!/usr/bin/env bash
# attnviz lab transformer: four variants with every sublayer, deeper on request, bad input refused.
#   bash lab_transformer_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1

for layers in 2 6; do
  "$attnviz" lab transformer --layers "$layers" --json > /tmp/attnviz_lab_transformer.$$.json
  python3 - "$layers" /tmp/attnviz_lab_transformer.$$.json <<'PY'
import json, sys
layers = int(sys.argv[1])
out = json.load(open(sys.argv[2]))
variants = out["variants"]
assert [(v["residual"], v["norm"]) for v in variants] == [
    (True, "post"), (True, "pre"), (False, "post"), (False, "pre")], variants
for v in variants:
    labels = [s["label"] for s in v["sublayers"]]
    assert len(labels) == 5 * layers, labels
    assert labels[0] == "encoder.0.self_attn" and labels[-1] == f"decoder.{layers - 1}.ffn", labels
    assert all(s["input_grad_norm"] >= 0 for s in v["sublayers"])
    groups = [g["group"] for g in v["groups"]]
    assert ("encoder.norm" in groups) == (v["norm"] == "pre"), groups
print(f"ok  {layers} layers: 4 variants × {5 * layers} sublayers")
PY
done
rm -f /tmp/attnviz_lab_transformer.$$.json

if message=$("$attnviz" lab transformer --set heads=3 2>&1); then
  echo "FAIL: heads=3 with d_model 16 was accepted"; exit 1
fi
grep -q "heads" <<<"$message" || { echo "FAIL: the message does not name heads: $message"; exit 1; }
echo "ok  refused: $message"
