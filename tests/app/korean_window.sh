#!/usr/bin/env bash
# The window in Korean: it opens in the language of settings.json and with --lang, keeps one
# layout per window whatever the language (ImGui IDs are the English titles), refuses a bad --lang,
# and a screenshot in Korean differs from the English one.
#   bash korean_window.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
config=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$config" "$work"' EXIT
mkdir -p "$config/attnviz"

echo '{"language": "ko"}' > "$config/attnviz/settings.json"
XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --exit-after 3 >/dev/null
XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --lang en --exit-after 3 >/dev/null
if [[ $(grep -c "^\[Window\]\[###Step detail\]$" "$config/attnviz/layout.ini") != 1 ]] ||
   grep -q "^\[Window\]\[Step detail" "$config/attnviz/layout.ini"; then
  echo "FAIL the step detail's layout is not kept under its English ID: $(grep "Step detail" "$config/attnviz/layout.ini")"
  exit 1
fi
grep -q '"language": "ko"' "$config/attnviz/settings.json" || { echo "FAIL --lang en rewrote the stored language"; exit 1; }
echo "ok   the window opens in the stored Korean and with --lang en; one layout per window, kept by English ID"

if XDG_CONFIG_HOME=$config "$attnviz" --lang fr --exit-after 1 >/dev/null 2>"$work/err"; then
  echo "FAIL --lang fr was accepted"
  exit 1
fi
grep -q -- "--lang fr: expected en or ko" "$work/err" || { echo "FAIL no clear message: $(cat "$work/err")"; exit 1; }
echo "ok   --lang fr is refused with a clear message"

xvfb-run -a "$attnviz" screenshot --lang ko --out "$work/ko.png" >/dev/null
xvfb-run -a "$attnviz" screenshot --lang en --out "$work/en.png" >/dev/null
if cmp -s "$work/ko.png" "$work/en.png"; then
  echo "FAIL the Korean screenshot is the English one"
  exit 1
fi
echo "ok   screenshot --lang ko draws another window than --lang en"
