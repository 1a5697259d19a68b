#!/usr/bin/env bash
# attnviz lab: example C's gradients from the command line, and a bad value refused.
#   bash lab_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1

json=$("$attnviz" lab scalar --json)
python3 - "$json" <<'PY'
import json, sys
out = json.loads(sys.argv[1])
def grad(network, name):
    return next(n["grad"] for n in out[network]["nodes"] if n["name"] == name)
checks = [
    ("plain ∂L/∂w1", grad("plain", "w1"), -0.0000759748),
    ("residual ∂L/∂w1 total", grad("residual", "w1"), -0.00302914),
    ("residual ∂L/∂w1 path sum", out["residual"]["chain_rule"]["sum"], -0.00302914),
    ("plain loss", out["plain"]["loss"], 0.23734685),
]
failed = False
for label, got, want in checks:
    ok = abs(got - want) <= 1e-8
    failed |= not ok
    print(f"{'ok  ' if ok else 'FAIL'} {label}: {got!r} (expected {want})")
sys.exit(1 if failed else 0)
PY

depth=$("$attnviz" lab depth --json)
python3 - "$depth" <<'PY'
import json, sys
out = json.loads(sys.argv[1])
ratio = out["first_layer_ratio"]
print(f"{'ok  ' if ratio >= 100 else 'FAIL'} depth 20 sigmoid first-layer ratio {ratio:.3g}")
sys.exit(0 if ratio >= 100 and len(out["plain"]["grad_h_norm"]) == 21 else 1)
PY

set +e
message=$("$attnviz" lab scalar --activation softmax --json 2>&1 >/dev/null)
status=$?
set -e
if [[ $status -eq 0 ]]; then
  echo "FAIL --activation softmax was accepted"
  exit 1
fi
if [[ $message != *--activation* || $message != *softmax* ]]; then
  echo "FAIL message does not name the option and value: $message"
  exit 1
fi
echo "ok   --activation softmax refused (status $status): $message"
