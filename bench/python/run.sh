#!/usr/bin/env bash
# Benchmark of the Python API: quchong.dedup on a pyarrow Table against the
# CLI on the same file and datasketch's MinHashLSH, in one run (bench.py).
#
#   bash bench/python/run.sh [bench.py flags]
#
# CORPUS defaults to ../shared/data/corpus/zh_mix_50mb.jsonl.zst beside the
# repository. Builds the wheel, installs it with pinned pyarrow and datasketch
# into bench/python/.venv (git-ignored, rebuilt each run), needs Go and PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${CORPUS:-$root/../shared/data/corpus/zh_mix_50mb.jsonl.zst}
[ -f "$corpus" ] || { echo "run.sh: no corpus at $corpus" >&2; exit 0; }
venv=$here/.venv
rm -rf "$venv" && "${PYTHON:-python3}" -m venv "$venv"
pip=("$venv/bin/pip" --disable-pip-version-check -q)
"${pip[@]}" install pyarrow==26.0.1 datasketch==2.0.0
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
(cd "$root" && "${pip[@]}" wheel --no-deps . -w "$dist")
"${pip[@]}" install --no-deps "$dist"/quchong-*.whl
cd "$dist" && "$venv/bin/python" "$here/bench.py" "$corpus" "$@"
