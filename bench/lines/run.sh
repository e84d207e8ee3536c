#!/usr/bin/env bash
# Measures quchong lines on a compressed JSONL input, against the floor its
# compression puts under any run, in one run of this script:
#
#   bench/lines/run.sh [INPUT.jsonl.zst] [WORKDIR]
#
# (default input: ../shared/data/corpus/zh_mix_150mb.jsonl.zst). It runs
#   floor     klauspost/compress decoding the input once and encoding its
#             decoded content as zstd at quchong's default level (fast),
#             one goroutine each (bench/lines/codec);
#   zst->zst  quchong lines on the compressed input, kept/ compressed alike;
#   zst->raw  the same with --output-compression none;
#   raw->raw  quchong lines on the decompressed input;
# and prints, for each, CPU seconds (user + sys, /usr/bin/time) and MB of
# decoded input per CPU second; for the compressed runs also the CPU beyond
# the codec's share of the floor. Environment: QUCHONG_BIN (default: built
# here), POLICY (default "--min-docs 5"), WORKERS (default 0: one per core).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
in=${1:-$here/../shared/data/corpus/zh_mix_150mb.jsonl.zst}
work=${2:-$(mktemp -d)}
policy=${POLICY:---min-docs 5}
workers=${WORKERS:-0}
mkdir -p "$work"
q=${QUCHONG_BIN:-}
if [ -z "$q" ]; then
	q=$work/quchong
	(cd "$here" && go build -o "$q" ./cmd/quchong)
fi
codec=$work/codec
(cd "$here" && go build -o "$codec" ./bench/lines/codec)
plain=$work/$(basename "${in%.*}")

# cpu CMD...: runs CMD under /usr/bin/time and prints its user + sys seconds.
cpu() {
	/usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null
	awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}

floor=$("$codec" "$in" "$plain")
bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["decoded_bytes"])' "$floor")
dec=$(python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["decode_cpu_s"])' "$floor")
enc=$(python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["encode_zstd_fast_cpu_s"])' "$floor")
# shellcheck disable=SC2086
zz=$(rm -rf "$work/o1" && cpu "$q" lines "$in" -o "$work/o1" $policy --workers "$workers" --quiet)
# shellcheck disable=SC2086
zr=$(rm -rf "$work/o2" && cpu "$q" lines "$in" -o "$work/o2" $policy --workers "$workers" --quiet --output-compression none)
# shellcheck disable=SC2086
rr=$(rm -rf "$work/o3" && cpu "$q" lines "$plain" -o "$work/o3" $policy --workers "$workers" --quiet)
cmp -s "$work/o2/kept/$(basename "$plain")" "$work/o3/kept/$(basename "$plain")" || {
	echo "kept/ differs between the compressed and the decompressed input" >&2
	exit 1
}

echo "input: $in ($bytes bytes decoded); policy: $policy"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v mb="$(echo "$bytes / 1000000" | bc -l)" -v dec="$dec" -v enc="$enc" -v zz="$zz" -v zr="$zr" -v rr="$rr" 'BEGIN {
	printf "%-36s %8s %12s %22s\n", "run", "CPU s", "MB/CPU-s", "MB/CPU-s beyond codec"
	printf "%-36s %8.2f %12.0f\n", "floor: decode once + encode zstd", dec + enc, mb / (dec + enc)
	printf "%-36s %8.2f %12.0f %22.0f\n", "lines zst -> zst", zz, mb / zz, mb / (zz - dec - enc)
	printf "%-36s %8.2f %12.0f %22.0f\n", "lines zst -> none", zr, mb / zr, mb / (zr - dec)
	printf "%-36s %8.2f %12.0f\n", "lines decompressed -> none", rr, mb / rr
}'
