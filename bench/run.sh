#!/usr/bin/env bash
# Runs a benchmark harness of bench/: ./bench/run.sh load|plan|memory [sizes...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:-load}"; shift || true
case "$which" in
  load) main=io.tributary.bench.LoadBenchmark ;;
  plan) main=io.tributary.bench.PlanBenchmark ;;
  memory) main=io.tributary.bench.MemoryBenchmark
    ./mvnw -q -B -DskipTests package -pl dashboard -am ;;
  *) echo "usage: bench/run.sh load|plan|memory [sizes...]" >&2; exit 2 ;;
esac
./mvnw -q -B -DskipTests install -pl bench -am
cp="$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
exec java -Xmx2g -cp "bench/target/classes:$cp" "$main" "$@"
