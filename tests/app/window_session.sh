#!/usr/bin/env bash
# The window remembers its lesson, sentences and step in $XDG_CONFIG_HOME/attnviz/session.json
# and starts there next time; a session file naming a lesson that is gone starts as usual.
#   bash window_session.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
src=$2
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT

XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --lesson "$src/assets/lessons/reverse.json" --exit-after 3 >/dev/null
python3 - "$config/attnviz/session.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lesson"].endswith("reverse.json"), j
PY
echo "ok   session.json names the lesson that was open"

python3 - "$config/attnviz/session.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["step"] = 12
json.dump(j, open(sys.argv[1], "w"))
PY
XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --exit-after 3 >/dev/null
python3 - "$config/attnviz/session.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lesson"].endswith("reverse.json") and j["step"] == 12, j
PY
echo "ok   the next start opens the same lesson at the same step"

echo '{"lesson": "/nonexistent/gone.json", "step": 5}' > "$config/attnviz/session.json"
XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --exit-after 3 >/dev/null
grep -q "word-order.json" "$config/attnviz/session.json"
echo "ok   a lesson that is gone: the default lesson opens"
