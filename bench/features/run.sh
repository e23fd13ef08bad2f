#!/usr/bin/env bash
# Feature store benchmark (issue 15, bench/): each step is a separate process against one in-memory Azurite.
#   1. materialisation of flights-3m (3 million rows, one dataset version): rows/s and peak memory of the process
#   2. point-in-time join of JOIN_ROWS request rows against the materialised offline store, and pandas merge_asof on
#      the same data (rows/s; the results must be identical)
#   3. online lookup latency through the host (GET /api/features/{view}/{entity}) against a direct Table point read,
#      interleaved in the same run
# Run after tools/setup:  bench/features/run.sh     Knobs: JOIN_ROWS (1000000), LOOKUPS (2000), SKIP_BUILD=1, CONFIGURATION (Release),
# STEPS ("materialize join lookup"; join needs materialize).
# Logs and data stay in .run/features-bench/. Every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/processes.sh
source bench/lib/azurite.sh
root=$(pwd)
config=${CONFIGURATION:-Release}
join_rows=${JOIN_ROWS:-1000000}
lookups=${LOOKUPS:-2000}
steps=" ${STEPS:-materialize join lookup} "
work="$root/.run/features-bench"
rm -rf "$work"
mkdir -p "$work"

say() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_BUILD:-}" != "1" ]; then
  say "building ($config)"
  for project in bench/Mlops.Features.Bench src/Mlops.FunctionApp src/Mlops.WorkerHost; do dotnet build "$project" -c "$config" -nologo -v quiet; done
fi
bench="dotnet $root/bench/Mlops.Features.Bench/bin/$config/net10.0/Mlops.Features.Bench.dll"

say "starting Azurite (in memory, free ports)"
start_azurite "$work"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$steps" == *" materialize "* ]]; then
say "1. ingest flights-3m.parquet as dataset version 1 of project flights3m (not measured)"
$bench ingest "$connection" flights3m node_modules/vega-datasets/data/flights-3m.parquet | tee "$work/ingest.json"
say "1. materialise view flights3m-delays (7-day mean, 20-row max, lag 1 per origin)"
$bench materialize "$connection" flights3m flights3m-delays | tee "$work/materialize.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [[ "$steps" == *" join "* ]]; then
say "2. point-in-time join of $join_rows rows: ours (3 runs) then pandas merge_asof"
$bench join "$connection" flights3m-delays "$work/join" "$join_rows" | tee "$work/join.json"
/usr/bin/python3 bench/Mlops.Features.Bench/merge_asof.py "$work/join" 30 | tee "$work/pandas.json"
$bench compare "$work/join" | tee "$work/compare.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [[ "$steps" == *" lookup "* ]]; then
say "3. online lookups through the host vs direct Table point reads"
host_port=$(free_port)
AzureWebJobsStorage="$connection" MLOPS_DRIFT_SCHEDULE="0 0 0 1 1 *" MLOPS_RETRAIN_CHECK_SCHEDULE="0 0 0 1 1 *" MLOPS_FEATURES_SCHEDULE="0 0 0 1 1 *" \
  dotnet "$root/src/Mlops.WorkerHost/bin/$config/net10.0/Mlops.WorkerHost.dll" start --script-root "$root/src/Mlops.FunctionApp/bin/$config/net10.0" \
  --port "$host_port" > "$work/host.log" 2>&1 &
pids+=($!)
host_up() { curl -sf "http://127.0.0.1:$host_port/api/health"; }
wait_for 180 "the host" host_up
$bench lookup "http://127.0.0.1:$host_port" "$connection" "$lookups" | tee "$work/lookup.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
