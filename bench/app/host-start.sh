#!/usr/bin/env bash
# Start to first served request through `tools/func start` (issue 11: aim under 5 s), on built apps, RUNS times each:
# from launching tools/func to the first 200 of a GET polled every 50 ms. Azurite (in memory) is started once.
#   bench/app/host-start.sh            (after tools/setup; RUNS=5, SKIP_BUILD=1 once built)
# Apps: the worker host's test app (GET /api/Hello) and the MLOps app (GET /api/health).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/processes.sh
source bench/lib/azurite.sh
config=${CONFIGURATION:-Release}
runs=${RUNS:-5}
work="$(pwd)/.run/host-start"
rm -rf "$work" && mkdir -p "$work"


if [ "${SKIP_BUILD:-}" != "1" ]; then
  for project in tests/Mlops.WorkerHost.TestApp src/Mlops.FunctionApp src/Mlops.WorkerHost; do dotnet build "$project" -c "$config" -nologo -v quiet > /dev/null; done
fi
start_azurite "$work"

# time_start LABEL SCRIPT_ROOT PATH: one launch; prints seconds to the first 200 and stops the host with SIGTERM, which it
# handles as Ctrl-C (a background job of a script ignores SIGINT).
time_start() {
  local root=$2 path=$3 port started elapsed
  port=$(free_port)
  started=$(date +%s.%N)
  AzureWebJobsStorage="$connection" CONFIGURATION="$config" tools/func start --script-root "$root" --port "$port" > "$work/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$port$path" && break
    sleep 0.05
  done
  elapsed=$(echo "$(date +%s.%N) - $started" | bc)
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  curl -sf -o /dev/null "http://127.0.0.1:$port$path" 2>/dev/null && { echo "host on port $port did not stop" >&2; return 1; }
  printf '%.2f\n' "$elapsed"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $runs launches each after one warm-up launch (disk cache)"
echo "| App | min (s) | median (s) | max (s) |"
echo "|---|---:|---:|---:|"
for app in "test app|tests/Mlops.WorkerHost.TestApp/bin/$config/net10.0|/api/Hello" "MLOps app|src/Mlops.FunctionApp/bin/$config/net10.0|/api/health"; do
  IFS='|' read -r label root path <<< "$app"
  time_start warmup "$root" "$path" > /dev/null
  times=()
  for i in $(seq 1 "$runs"); do times+=("$(time_start "run$i" "$root" "$path")"); done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '| %s | %s | %s | %s |\n' "$label" "$(head -1 <<< "$sorted")" "$(sed -n "$(((runs + 1) / 2))p" <<< "$sorted")" "$(tail -1 <<< "$sorted")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
