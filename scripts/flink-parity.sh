#!/usr/bin/env bash
# flink-parity.sh: run quchong-beam on a local Flink through Beam's portable
# job server (LOOPBACK workers) and check that it gives the same clusters and
# kept documents as `quchong dedup`. Not run in CI: it downloads a ~150 MB
# jar on first use and takes minutes.
#
#   scripts/flink-parity.sh [INPUT...]        (default: testdata/seed.txt)
#
# Needs Java 17+, Maven (mvn) and Go. Pinned versions below; FLINK_VERSION may
# be overridden with another Flink line that Beam ${BEAM_VERSION} ships a job
# server for.
set -euo pipefail

BEAM_VERSION=2.77.0
FLINK_VERSION=${FLINK_VERSION:-1.19}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
JOB_PORT=${JOB_PORT:-8099}

root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d -t quchong-flink-XXXXXX)}
mkdir -p "$work"
inputs=("$@")
[ ${#inputs[@]} -gt 0 ] || inputs=("$root/testdata/seed.txt")

artifact=beam-runners-flink-${FLINK_VERSION}-job-server
jar=$work/$artifact-$BEAM_VERSION.jar
if [ ! -f "$jar" ]; then
	echo "flink-parity: fetching $artifact:$BEAM_VERSION with mvn" >&2
	mvn -q -B "$DEP_PLUGIN:copy" -Dartifact="org.apache.beam:$artifact:$BEAM_VERSION:jar" -DoutputDirectory="$work"
fi

echo "flink-parity: building quchong and quchong-beam" >&2
(cd "$root" && go build -o "$work/quchong" ./cmd/quchong)
(cd "$root/beam" && go build -o "$work/quchong-beam" ./cmd/quchong-beam)

echo "flink-parity: starting the Flink job server (embedded Flink, [local]) on port $JOB_PORT" >&2
java -jar "$jar" --job-port="$JOB_PORT" --artifact-port=0 --expansion-port=0 --flink-master='[local]' >"$work/jobserver.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$JOB_PORT") 2>/dev/null; then break; fi
	kill -0 "$server" 2>/dev/null || { cat "$work/jobserver.log" >&2; exit 1; }
	sleep 1
done

rm -rf "$work/local" "$work/flink"
"$work/quchong" dedup --quiet "${inputs[@]}" -o "$work/local"
start=$(date +%s)
"$work/quchong-beam" --runner=universal --endpoint="localhost:$JOB_PORT" --environment_type=LOOPBACK \
	"${inputs[@]}" -o "$work/flink"
echo "flink-parity: Flink run took $(( $(date +%s) - start ))s" >&2

status=0
cmp "$work/local/clusters.jsonl" "$work/flink/clusters.jsonl" || status=1
cmp "$work/local/rejected.jsonl" "$work/flink/rejected.jsonl" || status=1
diff -r "$work/local/kept" "$work/flink/kept" || status=1
if [ $status -eq 0 ]; then
	echo "flink-parity: OK, identical clusters.jsonl, rejected.jsonl and kept/ ($work)" >&2
else
	echo "flink-parity: FAIL, outputs differ ($work)" >&2
fi
exit $status
