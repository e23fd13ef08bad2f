#!/usr/bin/env bash
# Our pipeline (default project spec) against scikit-learn's defaults on the same split of each demo dataset.
# Usage: bench/quality/run.sh [dataset ...]   (default: seattle-weather penguins cars flights-200k)
# Needs: the .NET SDK, Debian's python3-sklearn + python3-pandas (apt-get install -y python3-sklearn python3-pandas),
# node_modules (npm ci) for vega-datasets. Work files go to ${OUT:-/tmp/mlops-quality}.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/node_modules/vega-datasets/data"
out="${OUT:-/tmp/mlops-quality}"
declare -A file=([seattle-weather]=seattle-weather.csv [penguins]=penguins.json [cars]=cars.json [flights-200k]=flights-200k.json)
declare -A spec=(
  [seattle-weather]='{"target":"weather","task":"multiclass"}'
  [penguins]='{"target":"Species","task":"multiclass"}'
  [cars]='{"target":"Miles_per_Gallon","task":"regression"}'
  [flights-200k]='{"target":"delay","task":"regression"}'
)
datasets=("$@")
[ ${#datasets[@]} -eq 0 ] && datasets=(seattle-weather penguins cars flights-200k)

dotnet build -c Release "$root/bench/Mlops.Quality.Bench" -nologo -v q >/dev/null
echo "# $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for name in "${datasets[@]}"; do
  echo "## $name ${spec[$name]}"
  dotnet "$root/bench/Mlops.Quality.Bench/bin/Release/net10.0/Mlops.Quality.Bench.dll" "$data/${file[$name]}" "${spec[$name]}" "$out/$name" 2> >(grep -v MergeShapeInfo >&2)
  /usr/bin/python3 "$root/bench/quality/sklearn_baseline.py" "$out/$name" "${spec[$name]}"
  echo "# load average after $name: $(cut -d' ' -f1-3 /proc/loadavg)"
done
