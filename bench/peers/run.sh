#!/usr/bin/env bash
# Peer benchmark: quchong dedup against datasketch, rensa, datatrove and
# text-dedup on one corpus at the same parameters (character 5-grams,
# 128 hashes, threshold 0.8), on 1 and on 2 cores. One Markdown table.
#
#   bash bench/peers/run.sh                      # all peers
#   bash bench/peers/run.sh datasketch rensa     # some peers (quchong always runs)
#   bash bench/peers/run.sh --scale              # quchong only: 150 MB and 10x that
#
# Environment:
#   CORPUS        corpus (default ../shared/data/corpus/zh_mix_50mb.jsonl.zst beside the repo)
#   CORES         core counts to run on (default "1 2"; taskset -c 0 / 0,1)
#   PEER_TIMEOUT  seconds per peer run (default 1200); a run over it is reported as a timeout
#   OUT           results directory (default bench/peers/results)
#   PYTHON        Python for the peers' virtual environments (default python3)
#   PYTHON312     Python >= 3.12 for text-dedup (default: the first python3.13/3.12 found)
#   SCALE_CORPUS  scaling corpus (default ../shared/data/corpus/zh_mix_150mb.jsonl.zst)
#   SCALE_COPIES  size factor of the generated corpus (default 10)
#   SCALE_MEMORY  quchong --memory for the scaling run (default 1GiB)
#   SCALE_TMP     where the generated corpus goes (default a new temporary directory, removed after)
#
# Virtual environments live in bench/peers/.venv/<peer> (git-ignored) and are
# reused while their pins are unchanged. Nothing but PyPI is needed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$here/results}
corpus=${CORPUS:-$root/../shared/data/corpus/zh_mix_50mb.jsonl.zst}
cores_list=${CORES:-1 2}
peer_timeout=${PEER_TIMEOUT:-1200}
python=${PYTHON:-python3}
all_peers="datasketch datasketch-loop rensa datatrove text-dedup"

# Pinned installs, one virtual environment per peer so that one peer's
# dependencies cannot break another's.
pins() {
	case $1 in
	datasketch | datasketch-loop) echo "datasketch==2.0.0 zstandard==0.25.0" ;;
	rensa) echo "rensa==0.5.0 zstandard==0.25.0" ;;
	# datatrove's MinHash stages import its "processing" extra (regex,
	# xxhash<4, and tokenizers through datatrove.pipeline.dedup); JsonlReader
	# needs orjson; zstandard reads and writes .zst.
	datatrove) echo "datatrove[processing]==0.10.1 orjson==3.13.0 zstandard==0.25.0" ;;
	text-dedup) echo "text-dedup==0.4.1 zstandard==0.25.0" ;;
	esac
}

die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

scale=0
peers=()
for a in "$@"; do
	case $a in
	--scale) scale=1 ;;
	-h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	quchong) ;; # always runs
	datasketch | datasketch-loop | rensa | datatrove | text-dedup) peers+=("$a") ;;
	textdedup | text_dedup) peers+=(text-dedup) ;;
	*) die "unknown argument $a (peers: $all_peers; or --scale)" ;;
	esac
done
if [ "$scale" = 0 ] && [ ${#peers[@]} -eq 0 ]; then
	read -r -a peers <<<"$all_peers"
fi

command -v go >/dev/null || die "go is needed to build quchong"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
if [ ! -x /usr/bin/time ]; then
	log "installing GNU time (/usr/bin/time)"
	if command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }
	fi
	[ -x /usr/bin/time ] || die "/usr/bin/time is missing; install GNU time"
fi

mkdir -p "$out"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD 2>/dev/null; then commit="$commit+dirty"; fi
log "building quchong at $commit"
go build -o "$out/quchong" "$root/cmd/quchong" || die "go build failed"
q="$out/quchong"

# timed NAME CORES CMD...: runs CMD pinned to CORES cores under
# /usr/bin/time and the timeout, into $out/runs/NAME.cCORES.{out,err,time,status}.
timed() {
	local name=$1 c=$2
	shift 2
	local base="$out/runs/$name.c$c" cpus
	cpus=$(seq -s, 0 $((c - 1)))
	mkdir -p "$out/runs"
	rm -f "$base".*
	/usr/bin/time -o "$base.time" -f "%e %U %S %M" \
		timeout -k 10 "$peer_timeout" taskset -c "$cpus" "$@" >"$base.out" 2>"$base.err"
	local rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "timeout after ${peer_timeout} s" >"$base.status"
	elif [ $rc -ne 0 ]; then
		echo "failed (exit $rc): $(grep -v '^\s*$' "$base.err" | tail -n 1 | cut -c1-160)" >"$base.status"
	else
		echo ok >"$base.status"
	fi
	log "$name on $c core(s): $(cat "$base.status"), $(tail -n 1 "$base.time" 2>/dev/null) (wall user sys maxrss-KiB)"
}

# notrun NAME CORES REASON: records a peer that could not run.
notrun() {
	mkdir -p "$out/runs"
	rm -f "$out/runs/$1.c$2".*
	echo "not run: $3" >"$out/runs/$1.c$2.status"
}

# python_for PEER: the interpreter its virtual environment is made from.
python_for() {
	if [ "$1" != text-dedup ]; then
		echo "$python"
		return
	fi
	local p
	for p in ${PYTHON312:-} python3.13 python3.12 "$(pyenv root 2>/dev/null)"/versions/3.1[23]*/bin/python3; do
		if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 &&
			"$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# venv_of PEER: its virtual environment (the datasketch variants share one).
venv_of() { echo "$here/.venv/${1%-loop}"; }

# setup PEER: makes or reuses .venv/PEER; prints nothing on success, the
# reason on failure.
setup() {
	local peer=$1 venv want py
	venv=$(venv_of "$peer")
	want=$(pins "$peer")
	if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.pins" 2>/dev/null)" = "$want" ]; then
		return
	fi
	py=$(python_for "$peer")
	if [ -z "$py" ]; then
		echo "$peer needs Python >= 3.12 (text-dedup 0.4.1 requires it); none found, set PYTHON312"
		return
	fi
	log "installing $want into $venv"
	rm -rf "$venv"
	mkdir -p "$out/logs"
	# shellcheck disable=SC2086 # the pins are separate words
	if ! { "$py" -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $want; } >"$out/logs/install-$peer.log" 2>&1; then
		echo "pip install failed: $(grep -E 'ERROR|rror' "$out/logs/install-$peer.log" | tail -n 1 | cut -c1-160)"
		return
	fi
	echo "$want" >"$venv/.pins"
}

input_bytes() {
	case $1 in
	*.zst) if command -v zstd >/dev/null; then zstd -dc "$1" | wc -c; fi ;;
	*.gz) gzip -dc "$1" | wc -c ;;
	*) wc -c <"$1" ;;
	esac
}

if [ "$scale" = 1 ]; then
	scale_corpus=${SCALE_CORPUS:-$root/../shared/data/corpus/zh_mix_150mb.jsonl.zst}
	if [ ! -f "$scale_corpus" ]; then
		echo "scaling corpus $scale_corpus is missing: nothing measured (set SCALE_CORPUS)" | tee "$out/scale.md"
		exit 0
	fi
	copies=${SCALE_COPIES:-10}
	memflag=()
	memnote="quchong dedup has no --memory flag: run at its built-in memory use"
	if "$q" dedup --help 2>&1 | grep -q -- '-memory'; then
		memflag=(--memory "${SCALE_MEMORY:-1GiB}")
		memnote="--memory ${SCALE_MEMORY:-1GiB}"
	fi
	tmp=${SCALE_TMP:-}
	if [ -z "$tmp" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
	fi
	mkdir -p "$tmp"
	big="$tmp/scale_x$copies.jsonl.zst"
	log "generating $big ($copies x $(basename "$scale_corpus"))"
	go build -o "$out/gencorpus" "$root/bench/peers/gencorpus" || die "go build gencorpus failed"
	"$out/gencorpus" -in "$scale_corpus" -out "$big" -copies "$copies" || die "gencorpus failed"
	ncores=$(nproc)
	rm -rf "$out"/runs/scale-*
	printf 'scale-1x\t%s\t%s\n' "$scale_corpus" "$(input_bytes "$scale_corpus")" >"$out/scale.inputs"
	printf 'scale-%sx\t%s\t%s\n' "$copies" "$big" "$(input_bytes "$big")" >>"$out/scale.inputs"
	while IFS=$'\t' read -r name file _; do
		rm -rf "$tmp/out-$name"
		timed "$name" "$ncores" "$q" dedup "$file" -o "$tmp/out-$name" --quiet --json "${memflag[@]}"
	done <"$out/scale.inputs"
	"$python" "$here/table.py" scale "$out" "$commit" "$memnote" | tee "$out/scale.md"
	exit 0
fi

if [ ! -f "$corpus" ]; then
	echo "corpus $corpus is missing: nothing measured (set CORPUS=path/to/corpus.jsonl.zst)" | tee "$out/table.md"
	exit 0
fi
rm -rf "$out/runs"
mkdir -p "$out/runs"
echo "$corpus" >"$out/runs/corpus"
input_bytes "$corpus" >"$out/runs/input_bytes"
: >"$out/runs/order"

declare -A reason
for p in "${peers[@]}"; do
	reason[$p]=$(setup "$p")
	[ -n "${reason[$p]}" ] && log "$p: not run: ${reason[$p]}"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in $cores_list; do
	[ "$c" -le "$(nproc)" ] || { log "skipping $c cores: this machine has $(nproc)"; continue; }
	rm -rf "$work"/*
	timed quchong "$c" "$q" dedup "$corpus" -o "$work/quchong" --threshold 0.8 --quiet --json --workers "$c"
	echo "quchong $c" >>"$out/runs/order"
	timed quchong-defaults "$c" "$q" dedup "$corpus" -o "$work/quchong-defaults" --quiet --json --workers "$c"
	echo "quchong-defaults $c" >>"$out/runs/order"
	# The like-for-like reference of the peers that write no deduplicated
	# corpus (datasketch, rensa): the same run without kept/.
	timed quchong-dry "$c" "$q" dedup "$corpus" -o "$work/quchong-dry" --threshold 0.8 --dry-run --quiet --json --workers "$c"
	echo "quchong-dry $c" >>"$out/runs/order"
	for p in "${peers[@]}"; do
		echo "$p $c" >>"$out/runs/order"
		if [ -n "${reason[$p]}" ]; then
			notrun "$p" "$c" "${reason[$p]}"
			continue
		fi
		driver="$here/driver_${p//-/}.py"
		mkdir -p "$work/$p"
		timed "$p" "$c" env PYTHONPATH="$here" HF_DATASETS_DISABLE_PROGRESS_BARS=1 \
			"$(venv_of "$p")/bin/python" "$driver" --corpus "$corpus" --workers "$c" --workdir "$work/$p"
		rm -rf "${work:?}/$p"
	done
done

"$python" "$here/table.py" peers "$out" "$commit" | tee "$out/table.md"
