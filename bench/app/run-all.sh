#!/usr/bin/env bash
# App-level benchmark (issue 6, bench/): the whole app on the local Functions host with Azurite, measured from outside.
#   1. pipeline wall time per stage: seattle-weather.csv (multiclass, default spec) through POST /api/projects/{p}/datasets
#   2. single-row predict, wrk: the app through the host (src/Mlops.WorkerHost -> isolated worker, ASP.NET Core
#      integration)  vs  a bare Kestrel endpoint on the same ONNX Runtime session (bench/Mlops.App.Bench)
#      vs  in-process OnnxPredictor
#   3. 1,000-row batch predict: rows/s, same three ways
#   4. pipeline wall time per stage: flights-200k (regression of `delay`, search.maxCandidates 3)
# Run from a clean checkout after tools/setup:  bench/app/run-all.sh
# Knobs: DURATION (20s), CONNECTIONS (4), THREADS (2), WARMUP (5s), INPROC_SECONDS (10), SKIP_FLIGHTS=1, SKIP_BUILD=1,
# CONFIGURATION (Release). Logs and bodies stay in .run/app-bench/. Every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/processes.sh
source bench/lib/azurite.sh
root=$(pwd)
config=${CONFIGURATION:-Release}
duration=${DURATION:-20s} connections=${CONNECTIONS:-4} threads=${THREADS:-2} warmup=${WARMUP:-5s}
inproc_seconds=${INPROC_SECONDS:-10}
work="$root/.run/app-bench"
rm -rf "$work"
mkdir -p "$work"
results="$work/results.md"
: > "$results"

for tool in wrk jq curl python3 node dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is required (wrk: apt-get install -y wrk)" >&2; exit 1; }
done
[ -d node_modules/azurite ] && [ -d node_modules/vega-datasets ] || { echo "run tools/setup first (npm packages missing)" >&2; exit 1; }

say() { printf '\n==> %s\n' "$*"; }
report() { printf '%s\n' "$*" | tee -a "$results"; }

if [ "${SKIP_BUILD:-}" != "1" ]; then
  say "building the app, the local host and the baseline ($config)"
  for project in src/Mlops.FunctionApp/Mlops.FunctionApp.csproj src/Mlops.WorkerHost/Mlops.WorkerHost.csproj bench/Mlops.App.Bench/Mlops.App.Bench.csproj; do
    dotnet build "$project" -c "$config" -nologo -v quiet
  done
fi
script_root="$root/src/Mlops.FunctionApp/bin/$config/net10.0"
host_dll="$root/src/Mlops.WorkerHost/bin/$config/net10.0/Mlops.WorkerHost.dll"
bench_dll="$root/bench/Mlops.App.Bench/bin/$config/net10.0/Mlops.App.Bench.dll"

say "starting Azurite (in memory, free ports)"
start_azurite "$work"

say "starting the local Functions host"
host_port=$(free_port)
base="http://127.0.0.1:$host_port"
# The monitoring timers would scan the prediction log the load test writes; push them out of the run (yearly).
AzureWebJobsStorage="$connection" MLOPS_DRIFT_SCHEDULE="0 0 0 1 1 *" MLOPS_RETRAIN_CHECK_SCHEDULE="0 0 0 1 1 *" MLOPS_RETRAIN_SCHEDULE="0 0 0 1 1 *" MLOPS_FEATURES_SCHEDULE="0 0 0 1 1 *" \
  dotnet "$host_dll" start --script-root "$script_root" --port "$host_port" > "$work/host.log" 2>&1 &
pids+=($!)
host_up() { curl -sf "$base/api/health"; }
wait_for 120 "the host at $base" host_up
echo "host $base, logs in $work"

# pipeline PROJECT SPEC_JSON CSV_FILE LABEL: PUT the spec, upload the CSV, wait for the run, print its stages.
pipeline() {
  local project=$1 spec=$2 csv=$3 label=$4
  curl -sSf -X PUT -H 'Content-Type: application/json' --data "$spec" "$base/api/projects/$project" > /dev/null
  local started status run_id runtime
  started=$(date +%s.%N)
  status=$(curl -sS -o "$work/$project-upload.json" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' --data-binary "@$csv" "$base/api/projects/$project/datasets")
  [ "$status" = 202 ] || { echo "upload of $csv answered $status:" >&2; cat "$work/$project-upload.json" >&2; return 1; }
  run_id=$(jq -r '.runId' "$work/$project-upload.json")
  for _ in $(seq 1 5400); do
    curl -sSf "$base/api/runs/$run_id" > "$work/$project-run.json" || true
    runtime=$(jq -r '.runtimeStatus // ""' "$work/$project-run.json" 2>/dev/null || true)
    case "$runtime" in Completed|Failed|Terminated|Canceled) break ;; esac
    sleep 0.5
  done
  local seconds
  seconds=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.2f", a - b }')
  python3 bench/app/stages.py "$label" "$seconds" < "$work/$project-run.json" | tee -a "$results"
  [ "$runtime" = Completed ] || { echo "run $run_id ended $runtime" >&2; return 1; }
}

say "pipeline: seattle-weather.csv (default spec: multiclass, lightgbm + fasttree + sdca, 12 candidates)"
seattle="$root/node_modules/vega-datasets/data/seattle-weather.csv"
pipeline weather '{"target":"weather","task":"multiclass","ignore":["date"]}' "$seattle" "seattle-weather.csv ($(($(wc -l < "$seattle") - 1)) rows)"
model_version=$(curl -sSf "$base/api/models/weather" | jq -r '.aliases.production.version')
echo "serving model weather v$model_version (production)"

say "request bodies"
# One row, and the first 1,000 days of seattle-weather as dataframe_records (the model's four float inputs).
echo '{"dataframe_records":[{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7}]}' > "$work/one.json"
awk -F, 'NR > 1 && NR <= 1001 { printf "%s{\"precipitation\":%s,\"temp_max\":%s,\"temp_min\":%s,\"wind\":%s}", (NR > 2 ? "," : ""), $2, $3, $4, $5 }
         BEGIN { printf "{\"dataframe_records\":[" } END { print "]}" }' "$seattle" > "$work/batch.json"

say "starting the bare Kestrel endpoint on the same model"
bare_port=$(free_port)
dotnet "$bench_dll" serve --connection "$connection" --model weather --port "$bare_port" > "$work/bare.log" 2>&1 &
pids+=($!)
bare_up() { grep -q 'listening' "$work/bare.log"; }
bare_pid=$!
wait_for 120 "the bare endpoint" bare_up

app_url="$base/api/models/weather/predict"
bare_url="http://127.0.0.1:$bare_port/predict"
say "smoke checks (one request each)"
curl -sSf -H 'Content-Type: application/json' --data @"$work/one.json" "$app_url"; echo
curl -sSf -H 'Content-Type: application/json' --data @"$work/one.json" "$bare_url"; echo
[ "$(curl -sSf -H 'Content-Type: application/json' --data @"$work/batch.json" "$app_url" | jq '.predictions | length')" = 1000 ]

# http LABEL URL BODY ROWS: one wrk measurement (after its own warm-up), one table row.
declare -A rps
http() {
  local label=$1 url=$2 body=$3 rows=$4 line
  bench/app/run-http-bench.sh "$url" "$body" "$warmup" "$connections" "$threads" 0 > /dev/null
  line=$(LABEL=$label bench/app/run-http-bench.sh "$url" "$body" "$duration" "$connections" "$threads" 0)
  read -r r p50 p99 non2xx errors requests <<< "$line"
  rps[$label]=$r
  report "| $label | $rows | $r | $(awk -v r="$r" -v n="$rows" 'BEGIN { printf "%.0f", r * n }') | $p50 | $p99 | $non2xx | $errors |"
}

say "HTTP: wrk -t$threads -c$connections -d$duration --latency (after a $warmup warm-up each)"
report ""
report "| Endpoint | Rows/request | Requests/s | Rows/s | p50 (ms) | p99 (ms) | Non-2xx | Socket errors |"
report "|---|---:|---:|---:|---:|---:|---:|---:|"
http "app via host, 1 row" "$app_url" "$work/one.json" 1
http "bare Kestrel + same ORT session, 1 row" "$bare_url" "$work/one.json" 1
http "app via host, 1,000 rows" "$app_url" "$work/batch.json" 1000
http "bare Kestrel + same ORT session, 1,000 rows" "$bare_url" "$work/batch.json" 1000

say "in-process OnnxPredictor.Predict loop (${inproc_seconds}s each)"
report ""
report "| In-process ORT (same model, pre-parsed rows) | Rows/call | µs/op | ops/s | rows/s | p50 (µs) | p99 (µs) |"
report "|---|---:|---:|---:|---:|---:|---:|"
for body in one batch; do
  line=$(dotnet "$bench_dll" inproc --connection "$connection" --model weather --body "$work/$body.json" --seconds "$inproc_seconds" | grep '^inproc')
  declare -A f=()
  for kv in $line; do [[ $kv == *=* ]] && f[${kv%%=*}]=${kv#*=}; done
  report "| OnnxPredictor.Predict | ${f[rows]} | ${f[us_per_op]} | ${f[ops_per_s]} | ${f[rows_per_s]} | ${f[p50_us]} | ${f[p99_us]} |"
done

ratio() { awk -v a="${rps[$1]}" -v b="${rps[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
report ""
report "Single row: app / bare = $(ratio "app via host, 1 row" "bare Kestrel + same ORT session, 1 row")× (aim ≥ 0.70)"
report "1,000 rows: app / bare = $(ratio "app via host, 1,000 rows" "bare Kestrel + same ORT session, 1,000 rows")×"

# Stop the baseline before the big pipeline so it does not hold memory or threads.
kill "${pids[-1]}" 2>/dev/null || true
wait "${pids[-1]}" 2>/dev/null || true
unset 'pids[-1]'

if [ "${SKIP_FLIGHTS:-}" != "1" ]; then
  say "pipeline: flights-200k (regression of delay, search.maxCandidates 3)"
  jq -r '(.[0] | keys_unsorted) as $k | ($k | join(",")), (.[] | [.[$k[]]] | map(tostring) | join(","))' \
    node_modules/vega-datasets/data/flights-200k.json > "$work/flights-200k.csv"
  pipeline flights '{"target":"delay","task":"regression","search":{"maxCandidates":3}}' "$work/flights-200k.csv" \
    "flights-200k.csv ($(($(wc -l < "$work/flights-200k.csv") - 1)) rows, $(du -h "$work/flights-200k.csv" | cut -f1))"
fi

say "done: $results"
cat "$results"
