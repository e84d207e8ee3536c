#!/usr/bin/env bash
# Measures quchong substr and the reference tool of Lee et al. 2022
# (google-research/deduplicate-text-datasets, "dedup_dataset") on the same
# documents, one after the other, single-threaded: wall and CPU seconds
# (user + sys, summed over the reference's steps), CPU seconds per MB of
# input, and peak RSS (the largest of the steps), from /usr/bin/time -v.
#
#   REF_DEDUP_BIN=/path/to/target/release/dedup_dataset \
#     bench/substr/run.sh INPUT.jsonl [WORKDIR]
#
# Environment: REF_DEDUP_BIN (required: the reference tool's binary, built
# with cargo from its repository), QUCHONG_BIN (default: built here),
# MEMORY (quchong's --memory, default 1GiB), MIN_SPAN (characters, default
# 50), REF_THRESHOLD (the reference's --length-threshold in bytes, default
# 3 × MIN_SPAN: a Chinese character is 3 bytes of UTF-8), REF_PARTS (how
# many suffix arrays the reference builds and merges; default as its
# scripts/make_suffix_array.py: 1 up to 10 MB, 4 up to 1 GB, 96 beyond).
#
# The reference reads one file of bytes: the documents' "text" fields in
# UTF-8, each after the separator its scripts/load_dataset.py writes
# (0xff 0xff and a 4-byte document number). quchong reads the JSONL itself,
# normalises it (so it matches fewer bytes: no punctuation or white space)
# and writes its outputs; the reference's steps end at the byte ranges
# ("collect"), before its Python script that rewrites the dataset.
set -euo pipefail
in=${1:?usage: REF_DEDUP_BIN=... run.sh INPUT.jsonl [WORKDIR]}
work=${2:-$(mktemp -d)}
ref=${REF_DEDUP_BIN:?set REF_DEDUP_BIN to the reference tool binary (dedup_dataset)}
memory=${MEMORY:-1GiB}
span=${MIN_SPAN:-50}
thresh=${REF_THRESHOLD:-$((3 * span))}
mkdir -p "$work"
here=$(cd "$(dirname "$0")/../.." && pwd)
q=${QUCHONG_BIN:-}
if [ -z "$q" ]; then
	q=$work/quchong
	(cd "$here" && go build -o "$q" ./cmd/quchong)
fi

# timed LABEL CMD...: runs CMD under /usr/bin/time -v, appends
# "wall cpu rss_kb" to $work/times.LABEL.
timed() {
	local label=$1
	shift
	/usr/bin/time -v "$@" >"$work/out.$label" 2>"$work/time.$label" || {
		echo "$label failed:" >&2
		tail -20 "$work/time.$label" >&2
		exit 1
	}
	awk -v label="$label" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
		/User time/ { u = $NF } /System time/ { s = $NF }
		/Maximum resident/ { r = $NF }
		END { printf "%s %.2f %.2f %d\n", label, w, u + s, r }' "$work/time.$label" >>"$work/times"
}

# The reference's input: the texts with its separators.
data=$work/ref.data
python3 - "$in" "$data" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f, open(sys.argv[2], "wb") as out:
    for i, line in enumerate(f):
        if line.strip():
            out.write(b"\xff\xff" + struct.pack("<I", i) + json.loads(line)["text"].encode("utf-8"))
PY
size=$(stat -c %s "$data")
insize=$(stat -c %s "$in")
parts=${REF_PARTS:-}
if [ -z "$parts" ]; then
	if [ "$size" -gt 1000000000 ]; then parts=96; elif [ "$size" -gt 10000000 ]; then parts=4; else parts=1; fi
fi
: >"$work/times"
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true

# The reference: suffix arrays of parts overlapping by 100,000 bytes (its
# HACKSIZE), merged, then self-similar and collect, one thread each.
rm -rf "$work/cache" "$work"/ref.data.part.* "$work"/out.table.bin*
mkdir -p "$work/cache"
if [ "$parts" -eq 1 ]; then
	timed ref-make "$ref" make --data-file "$data"
else
	S=$((size / parts))
	paths=()
	for ((i = 0; i < parts; i++)); do
		s=$((i * S))
		e=$(((i + 1) * S + 100000))
		[ "$e" -gt "$size" ] && e=$size
		timed "ref-make-part-$i" "$ref" make-part --data-file "$data" --start-byte "$s" --end-byte "$e"
		paths+=(--suffix-path "$data.part.$s-$e")
		[ "$e" -eq "$size" ] && break
	done
	timed ref-merge "$ref" merge --output-file "$work/out.table.bin" "${paths[@]}" --num-threads 1
	cat "$work"/out.table.bin.* >"$data.table.bin"
	rm -f "$work"/out.table.bin.* "$data".part.*
fi
timed ref-self-similar "$ref" self-similar --data-file "$data" --length-threshold "$thresh" --cache-dir "$work/cache" --num-threads 1
timed ref-collect "$ref" collect --data-file "$data" --cache-dir "$work/cache" --length-threshold "$thresh"
refranges=$(grep -c . "$work/out.ref-collect" || true)

# quchong, one worker, every output written.
rm -rf "$work/q"
timed quchong "$q" substr "$in" -o "$work/q" --min-span "$span" --memory "$memory" --workers 1 --json
qparts=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["suffix_array_parts"], " ".join("%s=%.1fs" % (s["stage"], s["seconds"]) for s in d["stages"]))' "$work/q/stats.json")

echo "input: $in ($insize bytes of JSONL; $size bytes of text for the reference, $parts part(s))"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v size="$size" -v insize="$insize" -v refranges="$refranges" -v qparts="$qparts" '
	{ if ($1 ~ /^ref-/) { w += $2; c += $3; if ($4 > r) r = $4; steps = steps " " $1 "=" $3 "s" } else { qw = $2; qc = $3; qr = $4 } }
	END {
		printf "%-10s %9s %9s %14s %14s %10s\n", "tool", "wall s", "CPU s", "CPU s per MB", "(of text)", "peak RSS MB"
		printf "%-10s %9.1f %9.1f %14.3f %14.3f %10.0f   %d ranges;%s\n", "reference", w, c, c / (size / 1e6), c / (size / 1e6), r / 1024, refranges, steps
		printf "%-10s %9.1f %9.1f %14.3f %14.3f %10.0f   parts and stages: %s\n", "quchong", qw, qc, qc / (insize / 1e6), qc / (size / 1e6), qr / 1024, qparts
		printf "quchong / reference, CPU per byte of text: %.2f\n", qc / c
	}' "$work/times"
