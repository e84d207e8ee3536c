#!/usr/bin/env bash
# Crash-safety test: kills `quchong dedup` with SIGKILL at random moments of
# a run over a corpus of a few tens of MB, resumes it with --resume each
# time, and checks that the final outputs are byte-identical to those of an
# uninterrupted run (stats.json compared without its timings).
#
#   bash scripts/kill-resume-test.sh [KILLS] [CORPUS]
#
# Defaults: 12 kills, ../shared/data/corpus/zh_mix_50mb.jsonl.zst.
# QUCHONG_FLAGS adds flags to every run (e.g. "--memory 16MiB" to exercise
# signatures spilled to the work directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-12}
corpus=${2:-$root/../shared/data/corpus/zh_mix_50mb.jsonl.zst}
if [ ! -f "$corpus" ]; then
  echo "kill-resume-test: $corpus is missing; nothing to test" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/quchong" "$root/cmd/quchong"
q="$tmp/quchong"
read -r -a extra <<< "${QUCHONG_FLAGS:-}"

start=$(date +%s%N)
"$q" dedup "$corpus" -o "$tmp/ref" --removed --quiet "${extra[@]}" > /dev/null
ref_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "uninterrupted run: ${ref_ms} ms"

out="$tmp/run"
"$q" dedup "$corpus" -o "$out" --removed --quiet "${extra[@]}" > /dev/null 2>&1 &
pid=$!
i=0
while [ "$i" -lt "$kills" ]; do
  # Kill at a random moment of the expected run time (a little beyond, too).
  delay_ms=$(( RANDOM % (ref_ms + ref_ms / 4 + 1) ))
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  stage=none
  [ -f "$out/.work/manifest.json" ] && stage=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["done"] or "started")' "$out/.work/manifest.json" 2>/dev/null || echo unreadable)
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    i=$((i + 1))
    echo "kill $i after ${delay_ms} ms (last checkpoint: $stage)"
    # stats.json is written last, after every other output: where it
    # exists, the others must be complete (a kill may still land before the
    # work directory is removed; --resume then just redoes the cheap stages).
    if [ -f "$out/stats.json" ] && { [ ! -f "$out/clusters.jsonl" ] || [ ! -d "$out/kept" ]; }; then
      echo "FAIL: stats.json exists without the other outputs" >&2; exit 1
    fi
    if [ -f "$out/stats.json" ] && [ ! -d "$out/.work" ]; then
      echo "   (the run had completed: starting over)"
      rm -rf "$out"
    fi
  else
    wait "$pid" || { cat "$tmp/err" >&2; echo "FAIL: a resumed run failed" >&2; exit 1; }
    rm -rf "$out" # finished before the kill: start a fresh run
    echo "run finished before the kill; starting over"
  fi
  "$q" dedup "$corpus" -o "$out" --removed --quiet --resume "${extra[@]}" > /dev/null 2>"$tmp/err" &
  pid=$!
done
wait "$pid" || { cat "$tmp/err" >&2; echo "FAIL: the final resumed run failed" >&2; exit 1; }

strip() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); [s.pop(k) for k in ("stages","wall_seconds","cpu_seconds","workers","decoded_once","band_runs") if k in s]; print(json.dumps(s, sort_keys=True))' "$1"; }
diff <(strip "$tmp/ref/stats.json") <(strip "$out/stats.json") > /dev/null || { echo "FAIL: stats.json differs" >&2; exit 1; }
for f in clusters.jsonl rejected.jsonl; do
  cmp -s "$tmp/ref/$f" "$out/$f" || { echo "FAIL: $f differs" >&2; exit 1; }
done
diff -r "$tmp/ref/kept" "$out/kept" > /dev/null || { echo "FAIL: kept/ differs" >&2; exit 1; }
diff -r "$tmp/ref/removed" "$out/removed" > /dev/null || { echo "FAIL: removed/ differs" >&2; exit 1; }
[ ! -e "$out/.work" ] || { echo "FAIL: the work directory was left behind" >&2; exit 1; }
echo "PASS: $kills kills, outputs byte-identical to the uninterrupted run"
