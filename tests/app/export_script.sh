#!/usr/bin/env bash
# tests/tools/export_state_dict.py writes files attnviz reads: the shipped word-order weights,
# passed through the script as a state_dict (a stand-in for torch when python3-torch is not
# installed), give the same loss.
#   bash export_script.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! python3 -c 'import torch' 2>/dev/null; then
  # Just what save_state_dict uses of torch: two dtypes and a tensor's detach, cpu, contiguous,
  # to, dtype, shape, flatten and tolist.
  mkdir -p "$tmp/stub"
  cat > "$tmp/stub/torch.py" <<'PY'
float32, float64 = "float32", "float64"
class Tensor:
    def __init__(self, values, shape, dtype):
        self.values, self.shape, self.dtype = values, tuple(shape), dtype
    def detach(self): return self
    def cpu(self): return self
    def contiguous(self): return self
    def flatten(self): return self
    def tolist(self): return list(self.values)
    def to(self, dtype):
        import struct
        if dtype == float32:  # round to single precision, as torch does
            return Tensor([struct.unpack("<f", struct.pack("<f", v))[0] for v in self.values], self.shape, dtype)
        return Tensor(self.values, self.shape, dtype)
PY
  export PYTHONPATH="$tmp/stub"
fi

python3 - "$src/assets/lessons/weights/word-order.safetensors" "$tmp/exported.safetensors" "$src/tests/tools" <<'PY'
import json, struct, sys
sys.path.insert(0, sys.argv[3])
import torch
from export_state_dict import save_state_dict
blob = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", blob[:8])[0]
header = json.loads(blob[8:8 + n])
state = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    begin, end = info["data_offsets"]
    letter, dtype = ("f", torch.float32) if info["dtype"] == "F32" else ("d", torch.float64)
    values = list(struct.unpack(f"<{(end - begin) // struct.calcsize(letter)}{letter}", blob[8 + n + begin:8 + n + end]))
    if hasattr(torch, "tensor"):
        t = torch.tensor(values, dtype=dtype).reshape(info["shape"])
    else:
        t = torch.Tensor(values, info["shape"], dtype)
    state[name] = t
save_state_dict(state, sys.argv[2])
PY

a=$("$attnviz" trace --print | awk '/^loss /{print $2}')
b=$("$attnviz" trace --print --weights "$tmp/exported.safetensors" | awk '/^loss /{print $2}')
if [[ -z $a || $a != "$b" ]]; then
  echo "FAIL loss with the shipped weights $a, with the exported copy $b"
  exit 1
fi
echo "ok   exported state_dict reads back: loss $b"
