#!/usr/bin/env bash
# Soak run (by hand, not part of ./mvnw verify): the service on its local Flink cluster with N SQL
# applications, and a commit every few seconds for a while, each changing one application (a
# savepoint upgrade). Reports the service's memory (resident set, Flink processes excluded), the
# reconcile latency of every commit (commit -> the app RUNNING at that revision), and errors (failed
# actions, 5xx answers, ERROR log lines, commits never applied). Results go to docs/benchmarks.md.
#
#   bench/soak.sh [apps=50] [seconds=600] [interval=5]
#
# Needs Java 17, git, curl and python3; uses a fresh data directory under $SOAK_DIR (default: a
# temporary folder, kept afterwards for its logs). The machine should be otherwise idle: the Flink
# cluster runs <apps> jobs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
apps="${1:-50}"
seconds="${2:-600}"
interval="${3:-5}"
dir="${SOAK_DIR:-$(mktemp -d /tmp/tributary-soak.XXXXXX)}"
repo="$dir/config"
data="$dir/data"
port="${SOAK_PORT:-18080}"
password="soak-admin-password"
base="http://localhost:$port"
mkdir -p "$repo" "$data"
echo "soak: $apps apps, a commit every ${interval}s for ${seconds}s; files in $dir"

# ---- the config repository: one managed local cluster with a slot per app, one team, N apps
app_file() { # app-number rate
  cat > "$repo/teams/soak/app-$1.yaml" <<EOF
apiVersion: tributary.io/v1
kind: Application
metadata: {name: app-$1, team: soak}
spec:
  deployment: {mode: standalone-session, cluster: local}
  job:
    type: sql
    sql:
      script: |
        CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '$2');
        CREATE TABLE snk (id BIGINT) WITH ('connector' = 'blackhole');
        INSERT INTO snk SELECT id FROM src;
  parallelism: 1
  upgradeMode: savepoint
  checkpoints: {interval: 30s}
EOF
}
mkdir -p "$repo/platform" "$repo/teams/soak"
taskmanagers=$(( (apps + 24) / 25 ))
cat > "$repo/platform/platform.yaml" <<EOF
apiVersion: tributary.io/v1
kind: FlinkVersion
metadata: {name: flink-1.20}
spec: {version: 1.20.1, default: true}
---
apiVersion: tributary.io/v1
kind: Cluster
metadata: {name: local}
spec:
  mode: standalone
  managed: true
  standalone: {taskManagers: $taskmanagers, slotsPerTaskManager: 25}
  flinkConfiguration:
    jobmanager.memory.process.size: 1g
    taskmanager.memory.process.size: 2g
---
apiVersion: tributary.io/v1
kind: User
metadata: {name: soak}
spec: {displayName: Soak, email: soak@example.com}
---
apiVersion: tributary.io/v1
kind: Team
metadata: {name: soak}
spec:
  members: [{user: soak, role: admin}]
EOF
for i in $(seq -w 1 "$apps"); do app_file "$i" 10; done
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=soak -c user.email=soak@example.com commit -q -m "$apps apps"

# ---- the service
"$root/bin/tributary" --version >/dev/null # builds the jar once, before the clock starts
TRIBUTARY_ADMIN_PASSWORD="$password" "$root/bin/tributary" serve --repo "$repo" --branch main \
  --data-dir "$data" --port "$port" --poll-interval 30s >"$dir/service.log" 2>&1 &
service=$!
stop_service() { kill "$service" 2>/dev/null && wait "$service" 2>/dev/null || true; }
trap stop_service EXIT

cookie="$dir/cookies"
until curl -fsS "$base/healthz" >/dev/null 2>&1; do
  kill -0 "$service" 2>/dev/null || { echo "soak: the service exited; see $dir/service.log" >&2; exit 1; }
  sleep 1
done
csrf=$(curl -fsS -c "$cookie" -H 'Content-Type: application/json' \
  -d "{\"user\":\"admin\",\"password\":\"$password\"}" "$base/api/v1/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrfToken"])')
api() { curl -fsS -b "$cookie" -H "X-CSRF-Token: $csrf" "$@"; }
# the java process whose command line names our data directory and is not a Flink JobManager/TaskManager
service_pid() { pgrep -f -- "--data-dir $data" | while read -r p; do
  tr '\0' ' ' </proc/"$p"/cmdline | grep -q 'io.tributary.Tributary\|tributary.jar' && echo "$p"; done | head -1; }
rss_mb() { local p; p=$(service_pid); [ -n "$p" ] && awk '/VmRSS/ {printf "%d", $2/1024}' /proc/"$p"/status || echo 0; }

# all apps RUNNING at the first commit
echo "soak: waiting for $apps apps to run"
started=$(date +%s)
while :; do
  running=$(api "$base/api/v1/applications?limit=500" | python3 -c '
import json,sys
d=json.load(sys.stdin); print(sum(1 for a in d["items"] if (a.get("status") or {}).get("jobState")=="RUNNING"))')
  [ "$running" -ge "$apps" ] && break
  [ $(( $(date +%s) - started )) -gt 900 ] && { echo "soak: only $running of $apps apps run after 15 min" >&2; exit 1; }
  sleep 5
done
echo "soak: all $apps apps run after $(( $(date +%s) - started ))s; commits start"

# ---- the run: a commit every $interval seconds, each to the next app, applied via POST /api/v1/sync
results="$dir/commits.csv"
echo "n,app,sha,latency_ms,rss_mb" >"$results"
end=$(( $(date +%s) + seconds ))
n=0
unapplied=0
while [ "$(date +%s)" -lt "$end" ]; do
  tick=$(date +%s%N)
  n=$((n + 1))
  app=$(printf "%0${#apps}d" $(( (n - 1) % apps + 1 )))
  app_file "$app" $(( 10 + n ))
  git -C "$repo" add -A
  git -C "$repo" -c user.name=soak -c user.email=soak@example.com commit -q -m "soak commit $n: app-$app"
  sha=$(git -C "$repo" rev-parse HEAD)
  api -X POST "$base/api/v1/sync" >/dev/null || true
  latency=""
  for _ in $(seq 1 600); do # up to 60 s
    if api "$base/api/v1/applications/soak/app-$app" | python3 -c '
import json,sys
s=json.load(sys.stdin)["application"]["status"] or {}
sys.exit(0 if s.get("jobState")=="RUNNING" and (s.get("revision") or "").endswith(sys.argv[1]) else 1)' "$sha"; then
      latency=$(( ($(date +%s%N) - tick) / 1000000 ))
      break
    fi
    sleep 0.1
  done
  [ -z "$latency" ] && { unapplied=$((unapplied + 1)); latency=-1; }
  echo "$n,app-$app,$sha,$latency,$(rss_mb)" >>"$results"
  left=$(( interval * 1000 - ($(date +%s%N) - tick) / 1000000 ))
  [ "$left" -gt 0 ] && sleep "$(awk "BEGIN {print $left / 1000}")"
done

# ---- the report
metrics=$(curl -fsS "$base/metrics")
failed=$(printf '%s\n' "$metrics" | awk '/^tributary_actions_total\{.*result="failed"/ {s += $2} END {print s + 0}')
server_errors=$(printf '%s\n' "$metrics" | awk '/^tributary_http_server_requests_seconds_count\{.*status="5/ {s += $2} END {print s + 0}')
log_errors=$(grep -c ' ERROR ' "$dir/service.log" || true)
python3 - "$results" "$apps" "$seconds" "$interval" "$failed" "$server_errors" "$log_errors" "$unapplied" <<'EOF'
import csv, statistics, sys
path, apps, seconds, interval, failed, server_errors, log_errors, unapplied = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
lat = sorted(int(r["latency_ms"]) for r in rows if int(r["latency_ms"]) >= 0)
rss = [int(r["rss_mb"]) for r in rows if int(r["rss_mb"]) > 0]
def pct(p): return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else -1
print(f"\n| apps | duration | commits | applied | reconcile latency p50 / p95 / max | service RSS first / max / last | failed actions | 5xx | ERROR log lines |")
print(f"|---:|---:|---:|---:|---|---|---:|---:|---:|")
print(f"| {apps} | {seconds} s | {len(rows)} | {len(lat)} | {pct(50)} / {pct(95)} / {lat[-1] if lat else -1} ms"
      f" | {rss[0] if rss else 0} / {max(rss) if rss else 0} / {rss[-1] if rss else 0} MB | {failed} | {server_errors} | {log_errors} |")
if int(unapplied):
    print(f"\n{unapplied} commit(s) were not applied within 60 s")
EOF
echo "soak: per-commit rows in $results, the service's log in $dir/service.log"
