#!/usr/bin/env bash
# `attnviz` (what scripts/run starts) prints the walk-through, opens the window on the default
# lesson under xvfb-run, and keeps its layout in $XDG_CONFIG_HOME/attnviz.
#   bash window_starts.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT

output=$(XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --exit-after 5)
if [[ $output != *"the prince saved the princess"* || $output != *"→ next step"* ]]; then
  echo "FAIL the walk-through was not printed"
  exit 1
fi
echo "ok   walk-through printed, window drew 5 frames"
if ! grep -q "Step detail" "$config/attnviz/layout.ini"; then
  echo "FAIL no layout saved in $config/attnviz/layout.ini"
  exit 1
fi
echo "ok   layout saved in \$XDG_CONFIG_HOME/attnviz/layout.ini"

echo '{"ui_scale": "big"' > "$config/attnviz/settings.json"
XDG_CONFIG_HOME=$config xvfb-run -a "$attnviz" --exit-after 3 >/dev/null
echo "ok   a corrupt settings file does not stop the window"
