#!/usr/bin/env bash
# Hostile files through the real binary: every file of tests/hostile/ is refused within 20 s and
# 3 GB of address space, with status 1 and one escaped line naming the file; saving refuses a
# folder or a device before any work, and a save killed part-way leaves the old file, whose
# stale temporary file the next save removes.
#   bash hostile_files.sh <path-to-attnviz> <source-dir>
set -uo pipefail
attnviz=$1
srcdir=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0

# One line, "attnviz: <file>: …", no control character; status 1.
expect_refusal() {
  local status=$1 message=$2 file=$3
  local lines
  lines=$(printf '%s' "$message" | wc -l)
  if [[ $status -ne 1 || $lines -ne 0 || $message != "attnviz: $file: "* ]] ||
     printf '%s' "$message" | LC_ALL=C grep -q '[[:cntrl:]]'; then
    echo "FAIL $file: status $status, message: $(printf '%q' "$message")"
    fail=1
  else
    echo "ok   $file: ${message:0:120}"
  fi
}

run_capped() {  # 20 s, 3 GB of address space
  (ulimit -v 3000000; timeout 20 "$attnviz" "$@" 2>&1 >/dev/null)
}

for file in "$srcdir"/tests/hostile/*.json; do
  message=$(run_capped trace --print --lesson "$file"); status=$?
  expect_refusal $status "$message" "$file"
done
for file in "$srcdir"/tests/hostile/*.safetensors; do
  message=$(run_capped trace --print --weights "$file"); status=$?
  expect_refusal $status "$message" "$file"
done

# train --out: a folder or a device is refused at once, before training.
mkdir "$out/folder"
for target in "$out/folder" /dev/null; do
  start=$(date +%s%N)
  message=$(run_capped train --steps 100000 --out "$target"); status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [[ $status -ne 1 || $message != *"only a regular file is replaced"* || $ms -gt 3000 ]]; then
    echo "FAIL train --out $target: status $status after $ms ms: $message"; fail=1
  else
    echo "ok   train --out $target refused after $ms ms"
  fi
done
[[ -c /dev/null ]] || { echo "FAIL /dev/null was replaced"; fail=1; }

# A save killed part-way leaves the old file whole; the next save removes its temporary file.
"$attnviz" trace --out "$out/trace.json" --preset small >/dev/null
old=$(sha256sum < "$out/trace.json")
"$attnviz" trace --out "$out/trace.json" --preset base >/dev/null 2>&1 &
writer=$!
for _ in $(seq 200); do  # kill it once its temporary file has grown past 10 MB
  size=$(find "$out" -name '.trace.json.*.tmp' -size +10M 2>/dev/null | head -1)
  [[ -n $size ]] && break
  sleep 0.05
done
kill -9 $writer 2>/dev/null; wait $writer 2>/dev/null
if [[ $(sha256sum < "$out/trace.json") != "$old" ]]; then
  echo "FAIL the killed save changed the old file"; fail=1
elif [[ -z $(find "$out" -name '.trace.json.*.tmp') ]]; then
  echo "FAIL the save was not killed part-way (no temporary file)"; fail=1
else
  "$attnviz" trace --out "$out/trace.json" --preset small >/dev/null
  if [[ -n $(find "$out" -name '.trace.json.*.tmp') ]]; then
    echo "FAIL the next save left the killed save's temporary file"; fail=1
  else
    echo "ok   killed save: old file kept, its temporary file removed by the next save"
  fi
fi

exit $fail
