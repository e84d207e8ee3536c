#!/usr/bin/env bash
# Quality benchmark: quchong dedup at its defaults, and the usual datasketch
# baseline, on every labelled set in ../shared/data/eval; one table.
#
#   bash bench/quality/run.sh            # all sets
#   bash bench/quality/run.sh zh_remask  # some sets
#
# Environment: QUCHONG_EVAL_DATA (default ../shared/data/eval beside the
# repo), OUT (default bench/quality/results), NO_BASELINE=1 to skip datasketch,
# QUCHONG_ARGS: more `quchong dedup` flags, to measure an option (e.g.
# QUCHONG_ARGS="--tokens words --ngram 3" bash bench/quality/run.sh en_synth).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${QUCHONG_EVAL_DATA:-$root/../shared/data/eval}
out=${OUT:-$here/results}
mkdir -p "$out"

# name | documents (or "inline") | pairs
all_sets="zh_synth|zh_synth_public.jsonl.zst|zh_synth_public.pairs.jsonl.zst
zh_remask|zh_remask_public.jsonl.zst|zh_remask_public.pairs.jsonl.zst
zh_law_versions|zh_law_versions_public.jsonl.zst|zh_law_versions_public.pairs.jsonl.zst
zh_poem_editions|inline|zh_poem_editions.pairs.jsonl.zst
zh_classical_reformat|inline|zh_classical_reformat.pairs.jsonl.zst
zh_paraphrase|inline|zh_paraphrase.pairs.jsonl.zst
en_synth|en_synth_public.jsonl.zst|en_synth_public.pairs.jsonl.zst
en_clough_stevenson|en_clough_stevenson.jsonl.zst|en_clough_stevenson.pairs.jsonl.zst"

echo "building quchong at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" >&2
go build -o "$out/quchong" "$root/cmd/quchong"
q="$out/quchong"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv (datasketch 2.0.0, zstandard 0.25.0)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check datasketch==2.0.0 zstandard==0.25.0
fi
py="$venv/bin/python"

ran=()
while IFS='|' read -r name docs pairs; do
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  dir="$out/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  ran+=("$name")
  if [ ! -f "$data/$pairs" ] || { [ "$docs" != inline ] && [ ! -f "$data/$docs" ]; }; then
    echo "$name: skipped, $data/$pairs or its documents are missing" >&2
    continue
  fi
  corpus="$data/$docs"
  if [ "$docs" = inline ]; then
    corpus="$dir/corpus.jsonl"
    "$py" "$here/inline_corpus.py" "$data/$pairs" "$corpus"
  fi
  echo "$name: quchong dedup" >&2
  # shellcheck disable=SC2086
  "$q" dedup "$corpus" -o "$dir/quchong" --quiet ${QUCHONG_ARGS:-} > "$dir/quchong.summary.txt"
  "$q" eval --labels "$data/$pairs" --clusters "$dir/quchong" --json > "$dir/quchong.eval.json"
  if [ "${NO_BASELINE:-}" != 1 ]; then
    echo "$name: datasketch baseline" >&2
    mkdir -p "$dir/baseline"
    "$py" "$here/baseline_datasketch.py" "$corpus" "$dir/baseline/clusters.jsonl"
    cp "$dir/quchong/stats.json" "$dir/baseline/stats.json" # same inputs: lets eval check presence
    "$q" eval --labels "$data/$pairs" --clusters "$dir/baseline" --json > "$dir/baseline.eval.json"
  fi
done <<< "$all_sets"

"$py" "$here/table.py" "$out" "${ran[@]}" | tee "$out/table.md"
