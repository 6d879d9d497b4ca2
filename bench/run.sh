#!/usr/bin/env bash
# Runs a benchmark harness of bench/:
#   ./bench/run.sh load [sizes...]    load+validate of generated config repositories
#   ./bench/run.sh plan [sizes...]    plan of generated repositories with nothing to do
#   ./bench/run.sh memory [sizes...]  the service's resident memory with that many apps
#   ./bench/run.sh submit [rounds]    local cluster start, and job submit through our layer vs bare REST
#   ./bench/run.sh reconcile [rounds] [warm-ups] the service in process: commit -> RUNNING and savepoint upgrade downtime vs by hand
#   ./bench/run.sh rest [apps] [seconds] [connections]  REST reads (list page, detail) with wrk against the service in process
# Extra Maven flags (e.g. -o) go in MAVEN_ARGS; BENCH_TIMINGS=DEBUG logs the reconciler's timing lines.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:-load}"; shift || true
case "$which" in
  load) main=io.tributary.bench.LoadBenchmark ;;
  plan) main=io.tributary.bench.PlanBenchmark ;;
  memory) main=io.tributary.bench.MemoryBenchmark
    ./mvnw -q -B -DskipTests package -pl dashboard -am ;;
  submit) main=io.tributary.bench.SubmitBenchmark ;;
  reconcile) main=io.tributary.bench.ReconcileBenchmark ;;
  rest) main=io.tributary.bench.RestBenchmark
    # the load generator; without it (and without a way to install it) the harness uses its own Java clients
    if ! command -v wrk >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null 2>&1 || true
      elif command -v sudo >/dev/null 2>&1; then sudo -n apt-get install -y wrk >/dev/null 2>&1 || true; fi
    fi ;;
  *) echo "usage: bench/run.sh load|plan|memory [sizes...] | submit [rounds] | reconcile [rounds] [warm-ups] | rest [apps] [seconds] [connections]" >&2; exit 2 ;;
esac
# package, not install: the reactor resolves the other modules from their target/ folders
./mvnw -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -pl bench -am
exec java -Xmx2g -Dbench.timings="${BENCH_TIMINGS:-INFO}" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "$main" "$@"
