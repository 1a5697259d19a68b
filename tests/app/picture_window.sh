#!/usr/bin/env bash
# The real window under Xvfb, used with the mouse and keys as a person would (xdotool): a
# right-click on the architecture figure, Save picture…, a path typed, Enter writes its picture;
# File ▸ Save window as PNG… writes the whole window at its size; a folder that does not exist
# writes nothing and the window stays open.  The positions are those of the default layout at
# 1600×900 and 100 % text (a fresh config folder).  Skipped (77) without xdotool.
#   bash picture_window.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$1
srcdir=$2
command -v xdotool >/dev/null || { echo "skip: xdotool is not installed"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export attnviz srcdir out

xvfb-run -a -s "-screen 0 1920x1080x24" bash -euo pipefail -c '
XDG_CONFIG_HOME=$out/config "$attnviz" --lesson "$srcdir/assets/lessons/word-order.json" >"$out/log" 2>&1 &
app=$!
trap "kill $app 2>/dev/null || true" EXIT
window=$(xdotool search --sync --onlyvisible --name attnviz | head -1)
sleep 4
eval "$(xdotool getwindowgeometry --shell "$window")"  # X, Y, WIDTH, HEIGHT
# Press and release in different frames: the window reads buttons and keys once a frame.
click() {
  xdotool mousemove --sync $((X + $1)) $((Y + $2))
  sleep 0.3
  xdotool mousedown "$3"
  sleep 0.2
  xdotool mouseup "$3"
  sleep 0.5
}
type_path() {
  xdotool keydown ctrl keydown a
  sleep 0.2
  xdotool keyup a keyup ctrl
  sleep 0.2
  xdotool type --delay 10 "$1"
  xdotool keydown Return
  sleep 0.2
  xdotool keyup Return
  sleep 1.5
}

click 200 400 3            # the architecture figure
click 240 438 1            # its menu: the title, then Save picture…
type_path "$out/architecture.png"
python3 - "$out/architecture.png" <<PY
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert w > 600 and h > 600, (w, h)
print(f"ok   Save picture… on the architecture figure: {w}×{h}")
PY

click 20 10 1              # File
click 100 136 1            # Save window as PNG…
type_path "$out/window.png"
python3 "$srcdir/tests/app/png_check.py" "$out/window.png" "$WIDTH" "$HEIGHT"

click 20 10 1
click 100 136 1
type_path "$out/no-such-folder/window.png"
[[ ! -e $out/no-such-folder ]] || { echo "FAIL something was written"; exit 1; }
kill -0 $app || { echo "FAIL the window closed"; exit 1; }
echo "ok   a folder that does not exist: nothing written, the window stays"
'
