#!/usr/bin/env bash
# The parameters of `attnviz trace --out` are weights: written as safetensors with their shapes
# as the trace gives them (a bias [n], a weight [out, in]) and read back with --weights, they give
# the trace's loss again, bit for bit.
#   bash trace_weights.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$attnviz" trace --preset lesson --seed 3 --set final_norm=true --out "$work/trace.json" > /dev/null
python3 - "$work/trace.json" "$work/w.safetensors" <<'PY'
import json, struct, sys
trace = json.load(open(sys.argv[1]))
header, data, offset = {}, b"", 0
for name, p in trace["params"].items():
    blob = struct.pack(f"<{len(p['value'])}d", *p["value"])
    header[name] = {"dtype": "F64", "shape": p["shape"], "data_offsets": [offset, offset + len(blob)]}
    data += blob
    offset += len(blob)
text = json.dumps(header).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + data)
bias = trace["params"]["generator.bias"]["shape"]
print(f"{'ok  ' if len(bias) == 1 else 'FAIL'} a bias in the trace has PyTorch's shape: {bias}")
sys.exit(0 if len(bias) == 1 else 1)
PY
a=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' "$work/trace.json")
"$attnviz" trace --preset lesson --set final_norm=true --weights "$work/w.safetensors" --out "$work/again.json" > /dev/null
b=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' "$work/again.json")
if [[ $a != "$b" ]]; then
  echo "FAIL loss of the trace $a, with its parameters read back as weights $b"
  exit 1
fi
echo "ok   the trace's parameters read back as weights: loss $b"
