#!/usr/bin/env bash
# spark-cluster.sh: a real standalone Spark cluster on 127.0.0.1 for
# quchong-spark: one Master, two Workers and a Spark Connect server, each its
# own JVM.
#
#   scripts/spark-cluster.sh start        prints sc://127.0.0.1:PORT as its last line
#   scripts/spark-cluster.sh stop         stops exactly the processes start started
#   scripts/spark-cluster.sh kill-worker N   kills Worker N (1 or 2) and its executor (fault tests)
#   scripts/spark-cluster.sh status
#   scripts/spark-cluster.sh install      only installs Spark (CI does it before the tests)
#
# Spark comes from PyPI: pyspark's distribution carries Spark's jars and
# bin/spark-class. It is installed once into a virtual environment under
# $QUCHONG_CACHE (default ~/.cache/quchong) and reused. Needs Java 17+ and
# python3 with venv.
#
# Environment:
#   SPARK_CLUSTER_DIR   state (pids, logs, work dirs); default $QUCHONG_CACHE/spark-cluster-<hash of this checkout>
#   SPARK_WORKER_MEMORY memory each Worker offers (default 2g); executors take SPARK_EXECUTOR_MEMORY (default 1g)
#   SPARK_WORKER_CORES  cores each Worker offers (default 1)
#   SPARK_EVENT_LOG_DIR when set, the Connect server writes Spark's event log there (per-task
#                       metrics, shuffle bytes included: bench/spark/run.sh reads them)
set -euo pipefail

PYSPARK_VERSION=4.0.5
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${QUCHONG_CACHE:-$HOME/.cache/quchong}
venv=$cache/spark-venv-$PYSPARK_VERSION
state=${SPARK_CLUSTER_DIR:-$cache/spark-cluster-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}
worker_mem=${SPARK_WORKER_MEMORY:-2g}
worker_cores=${SPARK_WORKER_CORES:-1}
executor_mem=${SPARK_EXECUTOR_MEMORY:-1g}

log() { echo "spark-cluster: $*" >&2; }

install_spark() {
	if [ -f "$venv/.complete" ]; then
		return
	fi
	command -v java >/dev/null || { log "java not found: install a JDK 17+"; exit 1; }
	log "installing pyspark $PYSPARK_VERSION into $venv (once; about 450 MB)"
	rm -rf "$venv"
	mkdir -p "$cache"
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
	touch "$venv/.complete"
}

spark_home() {
	"$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# launch NAME CMD...: starts CMD in its own session (so that stop and
# kill-worker reach its children: executors, quchong workers) and records its pid.
launch() {
	local name=$1
	shift
	setsid "$@" >"$state/$name.log" 2>&1 </dev/null &
	echo $! >"$state/$name.pid"
}

# stop_one NAME: stops the session started as NAME, if it still runs.
stop_one() {
	local name=$1 pid
	[ -f "$state/$name.pid" ] || return 0
	pid=$(cat "$state/$name.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM -- "-$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$state/$name.pid"
}

master_json() {
	python3 - "$1" <<'EOF'
import json, sys, urllib.request
try:
    d = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/" % sys.argv[1], timeout=5))
except Exception:
    print("0 0")
    sys.exit(0)
apps = d.get("activeapps", [])
print(d.get("aliveworkers", 0), sum(a.get("cores", 0) for a in apps))
EOF
}

start() {
	if [ -f "$state/connect.pid" ] && kill -0 "$(cat "$state/connect.pid")" 2>/dev/null; then
		log "already running (state in $state)"
		echo "sc://127.0.0.1:$(cat "$state/connect.port")"
		return
	fi
	install_spark
	local home
	home=$(spark_home)
	mkdir -p "$state"
	rm -rf "$state/work" "$state/local"
	mkdir -p "$state/work" "$state/local"
	export SPARK_HOME=$home SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS=$state/local SPARK_LOG_DIR=$state
	export SPARK_WORKER_DIR=$state/work SPARK_DAEMON_MEMORY=${SPARK_DAEMON_MEMORY:-512m}
	local mport mui cport
	mport=$(free_port)
	mui=$(free_port)
	cport=$(free_port)
	echo "$cport" >"$state/connect.port"
	echo "$mui" >"$state/master.ui"
	log "starting the Master on 127.0.0.1:$mport (state in $state)"
	launch master "$home/bin/spark-class" org.apache.spark.deploy.master.Master \
		--host 127.0.0.1 --port "$mport" --webui-port "$mui"
	for n in 1 2; do
		launch "worker$n" "$home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
			--host 127.0.0.1 --webui-port "$(free_port)" --cores "$worker_cores" --memory "$worker_mem" \
			--work-dir "$state/work/worker$n" "spark://127.0.0.1:$mport"
	done
	local workers=0 cores=0
	for _ in $(seq 1 180); do
		read -r workers cores < <(master_json "$mui")
		[ "$workers" -ge 2 ] && break
		sleep 1
	done
	if [ "$workers" -lt 2 ]; then
		log "the Workers did not register in 180 s; logs in $state"
		tail -n 20 "$state"/worker*.log >&2 || true
		stop
		exit 1
	fi
	log "2 Workers registered; starting the Spark Connect server on 127.0.0.1:$cport"
	local eventlog=()
	if [ -n "${SPARK_EVENT_LOG_DIR:-}" ]; then
		mkdir -p "$SPARK_EVENT_LOG_DIR"
		eventlog=(--conf spark.eventLog.enabled=true --conf spark.eventLog.compress=false --conf "spark.eventLog.dir=file://$(cd "$SPARK_EVENT_LOG_DIR" && pwd)")
	fi
	launch connect "$home/bin/spark-class" org.apache.spark.deploy.SparkSubmit \
		--master "spark://127.0.0.1:$mport" \
		--class org.apache.spark.sql.connect.service.SparkConnectServer \
		--name "quchong Spark Connect" \
		--conf spark.connect.grpc.binding.address=127.0.0.1 \
		--conf spark.connect.grpc.binding.port="$cport" \
		--conf spark.driver.host=127.0.0.1 \
		--conf spark.driver.bindAddress=127.0.0.1 \
		--conf spark.driver.memory=1g \
		--conf spark.executor.memory="$executor_mem" \
		--conf spark.executor.cores="$worker_cores" \
		--conf spark.ui.enabled=false \
		--conf spark.sql.shuffle.partitions=4 \
		${eventlog[@]+"${eventlog[@]}"} \
		spark-internal
	for _ in $(seq 1 180); do
		read -r workers cores < <(master_json "$mui")
		if [ "$cores" -ge $((2 * worker_cores)) ] && (exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null; then
			log "ready: 2 Workers, $cores executor cores"
			echo "sc://127.0.0.1:$cport"
			return
		fi
		if ! kill -0 "$(cat "$state/connect.pid")" 2>/dev/null; then
			break
		fi
		sleep 1
	done
	log "the Spark Connect server did not come up; its log:"
	tail -n 30 "$state/connect.log" >&2 || true
	stop
	exit 1
}

stop() {
	[ -d "$state" ] || return 0
	stop_one connect
	stop_one worker1
	stop_one worker2
	stop_one master
	log "stopped"
}

case ${1:-} in
install) install_spark ;;
start) start ;;
stop) stop ;;
kill-worker)
	n=${2:-}
	[ "$n" = 1 ] || [ "$n" = 2 ] || { log "kill-worker 1|2"; exit 2; }
	pid=$(cat "$state/worker$n.pid")
	kill -KILL -- "-$pid"
	rm -f "$state/worker$n.pid"
	log "killed Worker $n (session $pid)"
	;;
status)
	for name in master worker1 worker2 connect; do
		if [ -f "$state/$name.pid" ] && kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then
			echo "$name running (pid $(cat "$state/$name.pid"))"
		else
			echo "$name stopped"
		fi
	done
	;;
*)
	echo "usage: $0 start|stop|install|kill-worker N|status" >&2
	exit 2
	;;
esac
