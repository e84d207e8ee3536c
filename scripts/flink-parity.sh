#!/usr/bin/env bash
# flink-parity.sh: run quchong-beam on a real local Flink cluster (a
# JobManager and two TaskManagers, each its own JVM) through Beam's Flink job
# server, its workers started by the Go SDK's boot binary (PROCESS
# environment, scripts/beam-boot.sh), and check that it writes the same
# clusters.jsonl, rejected.jsonl and kept/ as `quchong dedup`.
#
#   BEAM_FLINK_JOB_SERVER_JAR=/path/beam-runners-flink-1.19-job-server-2.77.0.jar \
#     scripts/flink-parity.sh [INPUT...]        (default: testdata/seed.txt)
#
# Flink comes from PyPI: apache-flink-libraries carries Flink's jars (lib/,
# opt/, plugins/), apache-flink its bin/ scripts and conf/. Both are
# installed without their Python dependencies, once, into a virtual
# environment under $QUCHONG_CACHE (default ~/.cache/quchong). The job
# server is not: Beam publishes it to Maven Central only
# (org.apache.beam:beam-runners-flink-X.Y-job-server), so bring the jar for
# the Beam version of beam/go.mod and a Flink line that Beam release supports;
# the Flink line is read from the jar's name. Without the jar the script
# starts and checks the cluster, then stops, saying that the job server step
# needs it. Not run in CI.
#
# Needs Java 17, python3 with venv, Go.
#
# Environment:
#   BEAM_FLINK_JOB_SERVER_JAR   the job server jar (see above)
#   FLINK_VERSION               Flink release to install (default: the newest
#                               of the jar's line known below, else 1.19.3)
#   FLINK_DIR                   state (logs, pids); default a new temporary directory
#   KEEP_CLUSTER=1              leave the cluster running at the end
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${QUCHONG_CACHE:-$HOME/.cache/quchong}
state=${FLINK_DIR:-$(mktemp -d -t quchong-flink-XXXXXX)}
mkdir -p "$state"
jar=${BEAM_FLINK_JOB_SERVER_JAR:-}
inputs=()
for in in "$@"; do
	# Workers open the inputs from their own working directory.
	case $in in
	/* | *://*) inputs+=("$in") ;;
	*) inputs+=("$PWD/$in") ;;
	esac
done
[ ${#inputs[@]} -gt 0 ] || inputs=("$root/testdata/seed.txt")

log() { echo "flink-parity: $*" >&2; }

# The newest Flink release of each line, from PyPI's apache-flink.
newest_of_line() {
	case $1 in
	1.17) echo 1.17.2 ;; 1.18) echo 1.18.1 ;; 1.19) echo 1.19.3 ;; 1.20) echo 1.20.5 ;;
	2.0) echo 2.0.2 ;; 2.1) echo 2.1.3 ;; 2.2) echo 2.2.1 ;; *) return 1 ;;
	esac
}

flink_version=${FLINK_VERSION:-}
if [ -z "$flink_version" ]; then
	flink_version=1.19.3
	if [ -n "$jar" ]; then
		line=$(basename "$jar" | sed -n 's/^beam-runners-flink-\([0-9]*\.[0-9]*\)-job-server.*/\1/p')
		if [ -z "$line" ] || ! flink_version=$(newest_of_line "$line"); then
			log "cannot tell the Flink line from the jar's name $(basename "$jar"); set FLINK_VERSION"
			exit 2
		fi
	fi
fi
if [ -n "$jar" ] && [ ! -f "$jar" ]; then
	log "BEAM_FLINK_JOB_SERVER_JAR=$jar: no such file"
	exit 2
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Step 1: Flink from PyPI.
venv=$cache/flink-venv-$flink_version
if [ ! -f "$venv/.complete" ]; then
	command -v java >/dev/null || { log "step 1 (install Flink): java not found; install a JDK 17"; exit 1; }
	log "step 1: installing apache-flink-libraries and apache-flink $flink_version into $venv (once; about 250 MB)"
	rm -rf "$venv"
	mkdir -p "$cache"
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q --disable-pip-version-check --no-deps \
		"apache-flink-libraries==$flink_version" "apache-flink==$flink_version"
	touch "$venv/.complete"
fi
flink_home=$("$venv/bin/python" -c 'import os, sysconfig; print(os.path.join(sysconfig.get_paths()["purelib"], "pyflink"))')
for f in bin/jobmanager.sh bin/taskmanager.sh conf/config.yaml lib/flink-dist-$flink_version.jar; do
	[ -e "$flink_home/$f" ] || { log "step 1: $flink_home/$f missing: the installation is incomplete (rm -r $venv and retry)"; exit 1; }
done

# Step 2: the binaries.
log "step 2: building quchong, quchong-beam and the Go SDK's boot binary"
(cd "$root" && go build -o "$state/quchong" ./cmd/quchong)
(cd "$root/beam" && go build -o "$state/quchong-beam" ./cmd/quchong-beam)
(cd "$root/beam" && go build -o "$state/boot" github.com/apache/beam/sdks/v2/go/container)

# Step 3: the cluster.
pids=()
stop() {
	if [ "${KEEP_CLUSTER:-}" = 1 ]; then
		log "leaving the cluster running (process groups ${pids[*]}; logs in $state)"
		return
	fi
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
}
trap stop EXIT
# launch NAME CMD...: starts CMD in its own session, output in $state/NAME.out.
launch() {
	local name=$1
	shift
	setsid "$@" >"$state/$name.out" 2>&1 </dev/null &
	pids+=($!)
}
rpc_port=$(free_port)
rest_port=$(free_port)
export FLINK_LOG_DIR=$state/log FLINK_PID_DIR=$state
mkdir -p "$FLINK_LOG_DIR"
common=(-D jobmanager.rpc.address=127.0.0.1 -D "jobmanager.rpc.port=$rpc_port"
	-D rest.address=127.0.0.1 -D rest.bind-address=127.0.0.1 -D "rest.port=$rest_port")
log "step 3: starting a JobManager (REST on 127.0.0.1:$rest_port) and two TaskManagers (state in $state)"
launch jobmanager "$flink_home/bin/jobmanager.sh" start-foreground "${common[@]}" \
	-D jobmanager.bind-host=127.0.0.1 -D jobmanager.memory.process.size=1g
for n in 1 2; do
	launch "taskmanager$n" "$flink_home/bin/taskmanager.sh" start-foreground "${common[@]}" \
		-D taskmanager.bind-host=127.0.0.1 -D taskmanager.host=127.0.0.1 \
		-D taskmanager.numberOfTaskSlots=1 -D taskmanager.memory.process.size=1g
done
tms=0
for _ in $(seq 1 180); do
	tms=$(python3 - "$rest_port" <<'EOF'
import json, sys, urllib.request
try:
    d = json.load(urllib.request.urlopen("http://127.0.0.1:%s/taskmanagers" % sys.argv[1], timeout=5))
    print(len(d.get("taskmanagers", [])))
except Exception:
    print(0)
EOF
	)
	[ "$tms" -ge 2 ] && break
	sleep 1
done
if [ "$tms" -lt 2 ]; then
	log "step 3: $tms of 2 TaskManagers registered in 180 s; logs in $state"
	tail -n 20 "$state"/*.out >&2 || true
	exit 1
fi
log "step 3: the cluster is up: 2 TaskManagers registered with the JobManager (http://127.0.0.1:$rest_port)"

# Step 4: Beam's Flink job server, in front of the cluster.
if [ -z "$jar" ]; then
	log "step 4 (the Beam Flink job server) needs its jar, which this script cannot install:"
	log "  set BEAM_FLINK_JOB_SERVER_JAR=/path/beam-runners-flink-${flink_version%.*}-job-server-VERSION.jar"
	log "  (Maven Central: org.apache.beam:beam-runners-flink-${flink_version%.*}-job-server, VERSION as beam/go.mod's"
	log "  github.com/apache/beam/sdks/v2) and run this script again; steps 1-3 passed"
	exit 3
fi
job_port=$(free_port)
log "step 4: starting the job server ($(basename "$jar")) on 127.0.0.1:$job_port for the cluster at 127.0.0.1:$rest_port"
launch jobserver java -jar "$jar" --job-host=127.0.0.1 --job-port="$job_port" --artifact-port=0 --expansion-port=0 \
	--flink-master="127.0.0.1:$rest_port"
for _ in $(seq 1 120); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$job_port") 2>/dev/null; then break; fi
	kill -0 "${pids[-1]}" 2>/dev/null || { log "step 4: the job server exited; its output:"; tail -n 30 "$state/jobserver.out" >&2; exit 1; }
	sleep 1
done

# Step 5: the run, and the comparison.
rm -rf "$state/local" "$state/flink"
"$state/quchong" dedup --quiet "${inputs[@]}" -o "$state/local"
config=$(python3 -c 'import json, sys; print(json.dumps({"command": sys.argv[1], "env": {"BEAM_BOOT": sys.argv[2]}}))' \
	"$root/scripts/beam-boot.sh" "$state/boot")
log "step 5: quchong-beam on the job server (PROCESS workers: scripts/beam-boot.sh on the TaskManagers)"
start=$(date +%s)
"$state/quchong-beam" --runner=universal --endpoint="127.0.0.1:$job_port" \
	--environment_type=PROCESS --environment_config="$config" --worker_binary="$state/quchong-beam" \
	--quiet "${inputs[@]}" -o "$state/flink"
log "step 5: the Flink run took $(($(date +%s) - start)) s"

status=0
cmp "$state/local/clusters.jsonl" "$state/flink/clusters.jsonl" || status=1
cmp "$state/local/rejected.jsonl" "$state/flink/rejected.jsonl" || status=1
diff -r "$state/local/kept" "$state/flink/kept" || status=1
if [ $status -eq 0 ]; then
	log "OK: identical clusters.jsonl, rejected.jsonl and kept/ ($state)"
else
	log "FAIL: the outputs differ ($state)"
fi
exit $status
