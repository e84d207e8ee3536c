#!/usr/bin/env bash
# Throughput of quchong dedup end to end, in MB of input per CPU-second
# (user + system), on decompressed and sharded inputs: the figures of
# docs/performance.md's "decompressed input" and "core scaling" tables.
#
#   bash bench/throughput/run.sh                 # build this checkout, run every case
#   Q=/path/to/quchong bash bench/throughput/run.sh   # another binary (before/after)
#
# Environment:
#   Q        quchong binary (default: built from this checkout into $TMPDIR)
#   DATA     the shared corpora (default ../shared/data/corpus beside the repo)
#   WORK     where decompressed and sharded copies go (default /tmp/quchong-throughput; kept)
#   CASES    which cases to run (default "zh50 en zh150shards-1 zh150shards-2")
#   REPEAT   runs per case; the table shows each (default 1)
#   STAGES   when 1, a last column with each stage's seconds from stats.json
#            (the core-scaling figures: CASES="zh150shards-1 zh150shards-2" REPEAT=2 STAGES=1)
#
# Each case: one `quchong dedup` under /usr/bin/time, --output-compression
# none, --threshold 0.8; MB is the input's decompressed size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${DATA:-$root/../shared/data/corpus}
work=${WORK:-/tmp/quchong-throughput}
cases=${CASES:-zh50 en zh150shards-1 zh150shards-2}
repeat=${REPEAT:-1}
mkdir -p "$work"
if [ -z "${Q:-}" ]; then
	Q=$work/quchong
	go build -o "$Q" "$root/cmd/quchong"
fi
[ -x /usr/bin/time ] || { echo "run.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }

# Inputs, made once: decompressed copies, and zh_mix_150mb in 8 shards.
plain() { # plain NAME: the decompressed corpus
	[ -s "$work/$1.jsonl" ] || zstd -dqf "$data/$1.jsonl.zst" -o "$work/$1.jsonl"
	echo "$work/$1.jsonl"
}
shards() {
	local src; src=$(plain zh_mix_150mb)
	if [ ! -s "$work/shards/s07.jsonl" ]; then
		mkdir -p "$work/shards"
		split -n l/8 -d --additional-suffix=.jsonl "$src" "$work/shards/s"
	fi
	echo "$work"/shards/s0?.jsonl
}

stages=${STAGES:-0}
if [ "$stages" = 1 ]; then
	echo "| case | workers | MB | wall s | CPU s | MB/CPU-s | MB/wall-s | peak RSS MB | load | stages (s) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
else
	echo "| case | workers | MB | wall s | CPU s | MB/CPU-s | MB/wall-s | peak RSS MB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
fi
for c in $cases; do
	workers=${c##*-}
	[ "$workers" = "$c" ] && workers=1
	case ${c%-*} in
	zh50) inputs=$(plain zh_mix_50mb) ;;
	zh150) inputs=$(plain zh_mix_150mb) ;;
	en) inputs=$(plain en_spamassassin) ;;
	zh150shards) inputs=$(shards) ;;
	*) echo "unknown case $c" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	mb=$(cat $inputs | wc -c | awk '{printf "%.1f", $1/1e6}')
	for _ in $(seq "$repeat"); do
		rm -rf "$work/out"
		load=$(cut -d' ' -f1 /proc/loadavg)
		# shellcheck disable=SC2086
		/usr/bin/time -o "$work/time" -f "%e %U %S %M" \
			taskset -c "$(seq -s, 0 $((workers - 1)))" \
			"$Q" dedup $inputs -o "$work/out" --threshold 0.8 --output-compression none --quiet --workers "$workers" >/dev/null
		read -r wall user sys rss <"$work/time"
		row=$(awk -v c="$c" -v w="$workers" -v mb="$mb" -v wall="$wall" -v u="$user" -v s="$sys" -v rss="$rss" \
			'BEGIN{cpu=u+s; printf "| %s | %d | %.1f | %.2f | %.2f | %.1f | %.1f | %d |", c, w, mb, wall, cpu, mb/cpu, mb/wall, rss/1024}')
		if [ "$stages" = 1 ]; then
			row="$row $load | $(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s %.2f" % (x["stage"], x["seconds"]) for x in d["stages"]))' "$work/out/stats.json") |"
		fi
		echo "$row"
	done
done
