#!/usr/bin/env bash
# The three executors on the same inputs, in one run: the local engine,
# quchong-beam on Prism (in process) and quchong-spark on a real two-Worker
# Spark cluster on 127.0.0.1 (scripts/spark-cluster.sh), with wall and CPU
# time for each and Spark's shuffle bytes per document per step, read from
# Spark's event log. The figures of docs/scale.md.
#
#   bash bench/spark/run.sh
#
# Environment:
#   DATA     the shared corpora (default ../shared/data/corpus beside the repo)
#   WORK     binaries, outputs, the cluster's state and its event log (default /tmp/quchong-spark-bench)
#   CORPORA  which corpora (default "zh_mix_10mb zh_mix_50mb zh_mix_150mb")
#   SKIP     executors to leave out, e.g. "beam"
#
# CPU: the local engine's and Prism's are their process's (user + system);
# the cluster's is that of every process the cluster script started (Master,
# Workers, executors, the Connect server and the quchong workers the
# executors ran), read from /proc before and after each run, plus the Go
# driver's own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${DATA:-$root/../shared/data/corpus}
work=${WORK:-/tmp/quchong-spark-bench}
corpora=${CORPORA:-zh_mix_10mb zh_mix_50mb zh_mix_150mb}
skip=${SKIP:-}
mkdir -p "$work/bin" "$work/out"
rm -f "$work/runs.txt"
[ -x /usr/bin/time ] || { echo "run.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }

echo "building the three binaries" >&2
go build -o "$work/bin/quchong" "$root/cmd/quchong"
(cd "$root/beam" && go build -o "$work/bin/quchong-beam" ./cmd/quchong-beam)
(cd "$root/engine/spark" && CGO_ENABLED=0 go build -o "$work/bin/quchong-spark" ./cmd/quchong-spark)

export SPARK_CLUSTER_DIR=$work/cluster SPARK_EVENT_LOG_DIR=$work/events
rm -rf "$SPARK_EVENT_LOG_DIR"
cluster=$root/scripts/spark-cluster.sh
remote=$(bash "$cluster" start | tail -n 1)
trap 'bash "$cluster" stop' EXIT

# cluster_cpu: CPU seconds (utime + stime + children's) of every process in
# the sessions the cluster script started.
cluster_cpu() {
	python3 - "$SPARK_CLUSTER_DIR" <<'PY'
import os, sys
state = sys.argv[1]
sessions = set()
for name in os.listdir(state):
    if name.endswith(".pid"):
        try:
            sessions.add(int(open(os.path.join(state, name)).read().split()[0]))
        except (ValueError, IndexError):
            pass
tick = os.sysconf("SC_CLK_TCK")
total = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        f = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    fields = f[f.rindex(")") + 2:].split()
    if int(fields[3]) in sessions:  # session id
        total += sum(int(x) for x in fields[11:15])
print(total / tick)
PY
}

# timed NAME CMD...: runs CMD under /usr/bin/time, prints "wall cpu".
timed() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || {
		echo "run.sh: $name failed; its log:" >&2
		tail -n 20 "$work/$name.log" >&2
		exit 1
	}
	awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/$name.time"
}

printf '| corpus | docs | local wall / CPU | Prism wall / CPU | Spark wall / driver CPU / cluster CPU | outputs |\n'
printf '|---|---:|---|---|---|---|\n'
for c in $corpora; do
	in=$data/$c.jsonl.zst
	[ -s "$in" ] || { echo "run.sh: $in is missing" >&2; exit 2; }
	rm -rf "$work/out/$c-"*
	read -r lw lc < <(timed "$c-local" "$work/bin/quchong" dedup --quiet "$in" -o "$work/out/$c-local")
	pw=-; pc=-
	if [[ " $skip " != *" beam "* ]]; then
		read -r pw pc < <(timed "$c-beam" "$work/bin/quchong-beam" --quiet "$in" -o "$work/out/$c-beam")
	fi
	before=$(cluster_cpu)
	read -r sw sc < <(timed "$c-spark" "$work/bin/quchong-spark" dedup --quiet --remote "$remote" \
		--worker-binary "$work/bin/quchong-spark" "$in" -o "$work/out/$c-spark")
	after=$(cluster_cpu)
	same=identical
	for e in beam spark; do
		[ -d "$work/out/$c-$e" ] || continue
		for f in clusters.jsonl rejected.jsonl; do
			cmp -s "$work/out/$c-local/$f" "$work/out/$c-$e/$f" || same="$e $f differs"
		done
		diff -rq "$work/out/$c-local/kept" "$work/out/$c-$e/kept" >/dev/null || same="$e kept/ differs"
	done
	docs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["read"])' "$work/out/$c-local/stats.json")
	echo "$c $docs $work/out/$c-spark" >>"$work/runs.txt"
	printf '| %s | %s | %s s / %s s | %s s / %s s | %s s / %s s / %.1f s | %s |\n' \
		"$c" "$docs" "$lw" "$lc" "$pw" "$pc" "$sw" "$sc" "$(echo "$after - $before" | bc)" "$same"
done

bash "$cluster" stop >/dev/null 2>&1 || true
trap - EXIT

# Shuffle bytes per document per step: each step is one SQL execution whose
# text names its directory (…/q_read, …/q_pairs, …); the stages of its jobs
# add their tasks' shuffle writes.
python3 - "$SPARK_EVENT_LOG_DIR" "$work/runs.txt" <<'PY'
import json, os, re, sys
logdir, runs = sys.argv[1], sys.argv[2]
docs = {}
for line in open(runs):
    name, n, out = line.split()
    docs[out] = (name, int(n))
execs, job_exec, stage_job = {}, {}, {}
written = {}
files = []
for d, _, names in os.walk(logdir):
    files += [os.path.join(d, f) for f in names if f.startswith(("events_", "app-", "local-")) and not f.endswith(".crc")]
def part(path):  # rolled files are events_N_APP
    m = re.match(r"events_(\d+)_", os.path.basename(path))
    return (int(m.group(1)) if m else 0, path)
for fn in sorted(files, key=part):
    for line in open(fn):
        try:
            e = json.loads(line)
        except ValueError:  # the last line of a log cut short
            continue
        ev = e.get("Event", "")
        if ev.endswith("SparkListenerSQLExecutionStart"):
            execs[e["executionId"]] = e.get("description", "") + " " + e.get("details", "")
        elif ev == "SparkListenerJobStart":
            x = (e.get("Properties") or {}).get("spark.sql.execution.id")
            if x is not None:
                for s in e.get("Stage IDs", []):
                    stage_job[s] = int(x)
        elif ev == "SparkListenerTaskEnd":
            m = (e.get("Task Metrics") or {}).get("Shuffle Write Metrics") or {}
            b = m.get("Shuffle Bytes Written", 0)
            x = stage_job.get(e["Stage ID"])
            if x is not None and b:
                written[x] = written.get(x, 0) + b
# A run is one Spark Connect session: its INSERTs name the run's -o DIR.
session_of = {x: (re.search(r'session_id: "([^"]+)"', t) or [None, None])[1] for x, t in execs.items()}
run_of = {}
for x, t in execs.items():
    for out, v in docs.items():
        if out + "/" in t:
            run_of[session_of[x]] = v
steps = {}
for x, b in written.items():
    text = execs.get(x, "")
    run = run_of.get(session_of.get(x))
    step = re.search(r"/(q_[a-z0-9]+)\\*'", text)
    key = (run[0] if run else "?", step.group(1) if step else "other queries")
    steps[key] = steps.get(key, 0) + b
names = [v[0] for v in docs.values()]
n = {v[0]: v[1] for v in docs.values()}
order = sorted({s for _, s in steps}, key=lambda s: (not s.startswith("q_"), s))
print()
print("Spark shuffle bytes written per document, by step (event log):")
print()
print("| step | " + " | ".join(names) + " |")
print("|---|" + "---:|" * len(names))
for s in order:
    print(f"| {s} | " + " | ".join(f"{steps.get((r, s), 0) / n[r]:.1f}" for r in names) + " |")
print("| all | " + " | ".join(f"{sum(b for (r, _), b in steps.items() if r == name) / n[name]:.1f}" for name in names) + " |")
PY
