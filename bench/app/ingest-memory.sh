#!/usr/bin/env bash
# Peak memory of ingestion through the app (issue 12): flights-3m as CSV (~106 MB) uploaded to the isolated-worker app
# on the local host, once through the blob trigger (incoming/{project}/file, uploaded in staged blocks by the Azure SDK)
# and once through POST /api/projects/{project}/datasets (curl streams the body). For each: the worker process's resident
# set sampled every 50 ms from upload start until the dataset version is listed, and its kernel high-water mark (VmHWM).
# The worker is started fresh for each upload (admin restart is not a thing; the host is restarted), so the figures do
# not mix. Training that the accepted upload starts is not measured: sampling stops when the version is listed.
# Run after tools/setup:  bench/app/ingest-memory.sh   (SKIP_BUILD=1; ONLY=blob|http)   Logs in .run/ingest-memory/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/processes.sh
source bench/lib/azurite.sh
root=$(pwd)
config=${CONFIGURATION:-Release}
work="$root/.run/ingest-memory"
rm -rf "$work" && mkdir -p "$work"
for tool in jq curl python3 node dotnet; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }; done

say() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_BUILD:-}" != "1" ]; then
  say "building the app, the host and bench/Mlops.App.Bench ($config)"
  for project in src/Mlops.FunctionApp src/Mlops.WorkerHost bench/Mlops.App.Bench; do dotnet build "$project" -c "$config" -nologo -v quiet; done
fi
bench_dll="$root/bench/Mlops.App.Bench/bin/$config/net10.0/Mlops.App.Bench.dll"
host_dll="$root/src/Mlops.WorkerHost/bin/$config/net10.0/Mlops.WorkerHost.dll"
script_root="$root/src/Mlops.FunctionApp/bin/$config/net10.0"

csv="$work/flights-3m.csv"
say "flights-3m.parquet -> CSV"
dotnet "$bench_dll" to-csv --input node_modules/vega-datasets/data/flights-3m.parquet --target delay --output "$csv"
# The HTTP route takes at most 100 MiB (the Functions host's own default request limit; bigger files go to the blob
# container, and the route's 413 says so): the HTTP upload sends the first 2,800,000 rows (~99 MB), the blob all of it.
http_csv="$work/flights-2.8m.csv"
head -n 2800001 "$csv" > "$http_csv"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }

say "starting Azurite (in memory)"
start_azurite "$work"

# measure LABEL PROJECT UPLOAD_COMMAND...: fresh host, sample the worker's RSS until PROJECT lists a dataset version.
measure() {
  local label=$1 project=$2 size=$3; shift 3
  local port base host_pid worker_pid
  port=$(free_port); base="http://127.0.0.1:$port"
  AzureWebJobsStorage="$connection" MLOPS_DRIFT_SCHEDULE="0 0 0 1 1 *" MLOPS_RETRAIN_CHECK_SCHEDULE="0 0 0 1 1 *" \
    dotnet "$host_dll" start --script-root "$script_root" --port "$port" > "$work/host-$project.log" 2>&1 &
  host_pid=$!; pids+=($host_pid)
  host_up() { curl -sf "$base/api/health"; }
  wait_for 120 "the host" host_up
  worker_pid=$(sed -n 's/.*Worker process started (pid \([0-9]*\)).*/\1/p' "$work/host-$project.log" | tail -1)
  curl -sSf -X PUT -H 'Content-Type: application/json' --data '{"target":"delay","task":"regression"}' "$base/api/projects/$project" > /dev/null
  local before started listed="" max_kb=0 rss
  before=$(awk '/VmRSS/ { print $2 }' "/proc/$worker_pid/status")
  started=$(date +%s.%N)
  ( BASE=$base "$@" > "$work/upload-$project.log" 2>&1 ) &
  local upload_pid=$! upload_done=""
  while [ -z "$listed" ]; do
    if [ -z "$upload_done" ] && ! kill -0 "$upload_pid" 2>/dev/null; then
      upload_done=1
      wait "$upload_pid" || { echo "upload failed:" >&2; cat "$work/upload-$project.log" >&2; return 1; }
    fi
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$worker_pid/status" 2>/dev/null || echo 0)
    [ "$rss" -gt "$max_kb" ] && max_kb=$rss
    if curl -sf "$base/api/projects/$project/datasets" 2>/dev/null | jq -e '(.versions // []) | length > 0' > /dev/null 2>&1; then listed=1; fi
    sleep 0.05
  done
  local hwm seconds rows
  hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$worker_pid/status")
  seconds=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.1f", a - b }')
  rows=$(curl -sf "$base/api/projects/$project/datasets" | jq '.versions[0].rowCount')
  [ -n "$upload_done" ] || wait "$upload_pid" || { echo "upload failed:" >&2; cat "$work/upload-$project.log" >&2; return 1; }
  kill "$host_pid"; wait "$host_pid" 2>/dev/null || true
  printf '| %s | %s MB | %s | %.0f MB | %.0f MB | %.0f MB | %s s |\n' "$label" "$size" "$rows" "$((before / 1024))" "$((max_kb / 1024))" "$((hwm / 1024))" "$seconds" | tee -a "$work/results.md"
}

say "measuring (worker RSS before the upload, max sampled RSS until the version is listed, VmHWM then)"
echo "| Upload | Size | Rows | Worker RSS before | Max RSS during intake | VmHWM | Upload to version listed |" | tee "$work/results.md"
echo "|---|---:|---:|---:|---:|---:|---:|" | tee -a "$work/results.md"
[ "${ONLY:-}" = http ] || measure "blob trigger (incoming/flightsblob/flights-3m.csv)" flightsblob "$(mb "$csv")" dotnet "$bench_dll" upload --connection "$connection" --container incoming --name flightsblob/flights-3m.csv --file "$csv"
[ "${ONLY:-}" = blob ] || measure "HTTP POST /api/projects/{p}/datasets (first 2.8M rows)" flightshttp "$(mb "$http_csv")" sh -c 'curl -sSf -o /dev/null -w "%{http_code}\n" -X POST -H "Content-Type: text/csv" -T "$0" "$BASE/api/projects/flightshttp/datasets"' "$http_csv"
say "done: $work/results.md"
