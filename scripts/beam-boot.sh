#!/bin/sh
# beam-boot.sh: the command of a Beam PROCESS environment for quchong-beam
# (--environment_type=PROCESS --environment_config='{"command":"/path/beam-boot.sh"}').
#
# The runner starts it once per worker as `beam-boot.sh --id=ID
# --provision_endpoint=HOST:PORT`; it runs the Beam Go SDK's boot binary,
# which fetches the staged worker binary (quchong-beam, given to the
# submitting quchong-beam as --worker_binary) from the job server and starts
# it. Prism 2.77 passes the id with literal single quotes (--id='job-001[...]_go'),
# which boot would send back verbatim and the runner would not recognise:
# this strips them, and is harmless where a runner passes the bare id.
#
# Environment (set through the environment_config's "env" object, or the
# runner's own environment):
#   BEAM_BOOT               the boot binary (default: boot beside this script);
#                           build it with `go build -o boot github.com/apache/beam/sdks/v2/go/container`
#                           in beam/ (the SDK version of beam/go.mod)
#   BEAM_SEMI_PERSIST_DIR   where boot stages the worker binary (default: boot's, /tmp)
set -eu

boot=${BEAM_BOOT:-$(dirname "$0")/boot}
for arg; do
	shift
	case $arg in
	--id=*) arg=--id=$(printf '%s' "${arg#--id=}" | tr -d "'\"") ;;
	esac
	set -- "$@" "$arg"
done
if [ -n "${BEAM_SEMI_PERSIST_DIR:-}" ]; then
	set -- "--semi_persist_dir=$BEAM_SEMI_PERSIST_DIR" "$@"
fi
exec "$boot" "$@"
