#!/usr/bin/env bash
# HTTP "hello" through the local host (issue 11) vs a bare Kestrel endpoint serving the same string, same run.
# Besides wrk's req/s and latency, it reads the CPU time (utime + stime, /proc/PID/stat) each side's processes spent
# during the measured run and divides by the requests served: CPU per request does not depend much on what else the
# machine is doing, so its ratio is the throughput ratio a quiet 2-core machine would show even when this one is shared.
#   bench/app/http-hello.sh            (after tools/setup; DURATION=10s WARMUP=30s CONNECTIONS=16 THREADS=2, WORKER_LOG_LEVEL)
# Each side is warmed up for WARMUP first: host and worker JIT-compile for about 20 s under load (tiered compilation of
# Kestrel, gRPC, YARP and the worker SDK; dotnet-counters shows 1,500-2,000 methods per 5 s until then), so a short warm-up
# measures the JIT, not the path. A third row, YARP's forwarder alone in front of the bare endpoint, is the floor of one
# proxied hop: the host's path has that hop plus the gRPC invocation round trip and the worker's own pipeline.
# Through the host = tests/Mlops.WorkerHost.TestApp's GET /api/Hello (isolated worker, ASP.NET Core integration):
# the host's Kestrel, YARP to the worker's Kestrel, the gRPC InvocationRequest/Response, the worker's pipeline.
# WORKER_LOG_LEVEL=Warning sets Logging__LogLevel__Default for the worker (fewer per-request log messages over gRPC).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/processes.sh
source bench/lib/azurite.sh
root=$(pwd)
config=${CONFIGURATION:-Release}
duration=${DURATION:-10s} warmup=${WARMUP:-30s} connections=${CONNECTIONS:-16} threads=${THREADS:-2}
work="$root/.run/http-hello"
rm -rf "$work" && mkdir -p "$work"
for tool in wrk curl python3 node dotnet; do command -v "$tool" >/dev/null || { echo "$tool is required (wrk: apt-get install -y wrk)" >&2; exit 1; }; done

cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done; echo "$total"; }
hz=$(getconf CLK_TCK)

if [ "${SKIP_BUILD:-}" != "1" ]; then
  for project in tests/Mlops.WorkerHost.TestApp src/Mlops.WorkerHost bench/Mlops.WorkerHost.Bench; do dotnet build "$project" -c "$config" -nologo -v quiet; done
fi

start_azurite "$work"

host_port=$(free_port)
extra=()
[ -n "${WORKER_LOG_LEVEL:-}" ] && extra+=("Logging__LogLevel__Default=$WORKER_LOG_LEVEL")
env AzureWebJobsStorage="$connection" "${extra[@]}" dotnet "src/Mlops.WorkerHost/bin/$config/net10.0/Mlops.WorkerHost.dll" start \
  --script-root "tests/Mlops.WorkerHost.TestApp/bin/$config/net10.0" --port "$host_port" > "$work/host.log" 2>&1 &
host_pid=$!; pids+=($host_pid)
host_url="http://127.0.0.1:$host_port/api/Hello"
wait_for 120 "the host" curl -sf "$host_url"
worker_pid=$(sed -n 's/.*Worker process started (pid \([0-9]*\)).*/\1/p' "$work/host.log" | tail -1)

bare_port=$(free_port)
dotnet "bench/Mlops.WorkerHost.Bench/bin/$config/net10.0/Mlops.WorkerHost.Bench.dll" "$bare_port" > "$work/bare.log" 2>&1 &
bare_pid=$!; pids+=($bare_pid)
bare_url="http://localhost:$bare_port/api/Hello"
wait_for 60 "the bare endpoint" curl -sf "$bare_url"

proxy_port=$(free_port)
dotnet "bench/Mlops.WorkerHost.Bench/bin/$config/net10.0/Mlops.WorkerHost.Bench.dll" proxy "$proxy_port" "http://localhost:$bare_port" > "$work/proxy.log" 2>&1 &
proxy_pid=$!; pids+=($proxy_pid)
proxy_url="http://localhost:$proxy_port/api/Hello"
wait_for 60 "the proxy" curl -sf "$proxy_url"

# measure LABEL URL PID...: warm-up, then the measured wrk run with the CPU of PIDs around it.
declare -A rps cpu
measure() {
  local label=$1 url=$2; shift 2
  wrk -t "$threads" -c "$connections" -d "$warmup" "$url" > /dev/null
  local before after out requests
  before=$(cpu_ticks "$@")
  out=$(wrk -t "$threads" -c "$connections" -d "$duration" --latency "$url")
  after=$(cpu_ticks "$@")
  requests=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
  rps[$label]=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
  cpu[$label]=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.0f", t / hz / n * 1e6 }')
  printf '| %s | %s | %s | %s | %s µs |\n' "$label" "${rps[$label]}" "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')" \
    "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')" "${cpu[$label]}"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections -d$duration after $warmup warm-up; worker log level: ${WORKER_LOG_LEVEL:-app default}"
echo "| GET /api/Hello | Requests/s | p50 | p99 | CPU per request |"
echo "|---|---:|---:|---:|---:|"
measure "through the host (host + worker CPU)" "$host_url" "$host_pid" "$worker_pid"
measure "bare Kestrel" "$bare_url" "$bare_pid"
measure "YARP alone in front of bare Kestrel (proxy + bare CPU)" "$proxy_url" "$proxy_pid" "$bare_pid"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="${rps[through the host (host + worker CPU)]}" -v b="${rps[bare Kestrel]}" -v ca="${cpu[through the host (host + worker CPU)]}" -v cb="${cpu[bare Kestrel]}" \
  'BEGIN { printf "host / bare: %.2f× req/s in this run; %.2f× by CPU per request (bare CPU/req ÷ host CPU/req)\n", a / b, cb / ca }'
awk -v p="${rps[YARP alone in front of bare Kestrel (proxy + bare CPU)]}" -v b="${rps[bare Kestrel]}" -v cp="${cpu[YARP alone in front of bare Kestrel (proxy + bare CPU)]}" -v cb="${cpu[bare Kestrel]}" \
  'BEGIN { printf "YARP alone / bare: %.2f× req/s; %.2f× by CPU per request\n", p / b, cb / cp }'
