#!/usr/bin/env bash
# attnviz bench model: its JSON figures, and --versus-threads, whose runs alternate with another
# thread count and are compared pair by pair.
#   bash bench_cli.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$attnviz" bench model --preset small --threads 2 --versus-threads 1 --seconds 0.2 --json >"$out/bench.json"
python3 - "$out/bench.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["preset"] == "small" and j["threads"] == 2 and j["runs"] >= 3, j
assert 0 < j["min_us"] <= j["median_us"], j
assert j["median_reference_steps"] > 0, j
assert j["flops"] > 0 and j["gflop_per_s"] > 0, j
v = j["versus"]
assert v["threads"] == 1 and 0 < v["min_us"] <= v["median_us"], v
assert v["median_reference_steps"] > 0, v
assert v["median_ratio_of_pairs"] > 0, v
PY
echo "ok   bench model --versus-threads 1 --json"

text=$("$attnviz" bench model --preset lesson --versus-threads 1 --seconds 0.1)
[[ $text == *"median "*" µs"*"thousand steps of a chain of dependent adds"*"versus 1 thread, in turn: median "* ]] || { echo "FAIL bench text: $text"; exit 1; }
echo "ok   bench model --versus-threads 1"

if "$attnviz" bench model --preset lesson --versus-threads 0 >"$out/err.txt" 2>&1; then
  echo "FAIL --versus-threads 0 was taken"; exit 1
fi
echo "ok   --versus-threads 0 is refused"
