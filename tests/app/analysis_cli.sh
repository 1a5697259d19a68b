#!/usr/bin/env bash
# attnviz pe and attnviz decode: JSON checked against values computed here independently, and
# bad values refused with the field and value named.
#   bash analysis_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Positional encoding, concatenated layout, base 100: PE[p,i] = sin(p·ωᵢ), PE[p,d/2+i] = cos(p·ωᵢ),
# ωᵢ = 100^(−2i/d); wavelength 2π/ωᵢ; similarity S[p,q] = Σᵢ cos((p−q)·ωᵢ).
"$attnviz" pe --max-len 12 --d-model 10 --base 100 --layout concatenated --similarity --json > "$work/pe.json"
python3 - "$work/pe.json" <<'PY'
import json, math, sys
out = json.load(open(sys.argv[1]))
T, d, base = 12, 10, 100.0
worst = 0.0
for p in range(T):
    for i in range(d // 2):
        w = base ** (-2.0 * i / d)
        worst = max(worst, abs(out["pe"][p][i] - math.sin(p * w)), abs(out["pe"][p][d // 2 + i] - math.cos(p * w)))
for c in range(d):
    i = c % (d // 2)
    worst = max(worst, abs(out["wavelengths"][c] - 2 * math.pi * base ** (2.0 * i / d)) / out["wavelengths"][c])
for p in range(T):
    for q in range(T):
        s = sum(math.cos((p - q) * base ** (-2.0 * i / d)) for i in range(d // 2))
        worst = max(worst, abs(out["similarity"][p][q] - s))
ok = worst <= 1e-12 and len(out["pe"]) == T and len(out["pe"][0]) == d and out["layout"] == "concatenated"
print(f"{'ok  ' if ok else 'FAIL'} pe --layout concatenated --base 100: worst difference {worst:.3g}")
sys.exit(0 if ok else 1)
PY

# Decoding: each result's score is Σ ln P of its words, with P read from a separate teacher-forced
# trace (`attnviz trace --tgt "words"`) rather than from the decoder; beam 1 is greedy.
check_score() {  # <decode json> <json path: greedy | beam> <label>
  local words
  words=$(python3 -c '
import json, sys
out = json.load(open(sys.argv[1]))
r = out["greedy"] if sys.argv[2] == "greedy" else out["beam_search"]["best"]
print(" ".join(w for w in r["words"] if w != "<eos>"))' "$1" "$2")
  "$attnviz" trace --seed 3 --tgt "$words" --out "$work/trace.json"
  python3 - "$1" "$2" "$work/trace.json" "$3" <<'PY'
import json, math, sys
out, which, label = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[4]
trace = json.load(open(sys.argv[3]))
r = out["greedy"] if which == "greedy" else out["beam_search"]["best"]
probs = trace["tensors"]["output.probs"]
V = probs["shape"][1]
ids = trace["tgt_out_ids"]
assert trace["tgt_out_words"][:len(r["words"])] == r["words"], (trace["tgt_out_words"], r["words"])
score = sum(math.log(probs["value"][t * V + ids[t]]) for t in range(len(r["words"])))
ok = abs(score - r["score"]) <= 1e-9
print(f"{'ok  ' if ok else 'FAIL'} {label}: score {r['score']:.12g}, from the trace {score:.12g}")
sys.exit(0 if ok else 1)
PY
}
"$attnviz" decode --seed 3 --beam 2 --max-tokens 6 --json > "$work/beam2.json"
check_score "$work/beam2.json" greedy "greedy"
check_score "$work/beam2.json" beam "beam 2 best"
"$attnviz" decode --seed 3 --beam 1 --max-tokens 6 --json > "$work/beam1.json"
python3 - "$work/beam1.json" "$work/beam2.json" <<'PY'
import json, sys
one, two = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ok = one["beam_search"]["best"]["words"] == one["greedy"]["words"] and one["beam_search"]["best"]["score"] == one["greedy"]["score"]
kept = [sum(c["kept"] for c in step["candidates"]) for step in two["beam_search"]["steps"]]
ok = ok and all(k == 2 for k in kept)
print(f"{'ok  ' if ok else 'FAIL'} beam 1 equals greedy; beam 2 keeps 2 per step {kept}")
sys.exit(0 if ok else 1)
PY

refused() {  # <expected text> <expected value> <args…>
  local field=$1 value=$2 message status
  shift 2
  set +e
  message=$("$attnviz" "$@" 2>&1 >/dev/null)
  status=$?
  set -e
  if [[ $status -eq 0 || $message != *"$field"* || $message != *"$value"* ]]; then
    echo "FAIL $* (status $status): $message"
    exit 1
  fi
  echo "ok   $* refused (status $status): $message"
}
refused max_len 600 pe --max-len 600 --d-model 8
refused d_model 7 pe --max-len 4 --d-model 7
refused --layout sideways pe --layout sideways
refused beam 0 decode --beam 0
refused temperature -1 decode --temperature -1
