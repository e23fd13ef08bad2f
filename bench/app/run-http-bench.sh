#!/usr/bin/env bash
# One wrk measurement of a JSON POST: prints "req_per_s p50_ms p99_ms non_2xx errors requests" on one line.
#   bench/app/run-http-bench.sh URL BODY_FILE [DURATION=20s] [CONNECTIONS=4] [THREADS=2] [WARMUP=5s]
# A warm-up run of WARMUP (not reported) comes first, so JIT and caches are settled when the measured run starts.
# The full wrk output is kept next to BODY_FILE as BODY_FILE.<label>.wrk.txt when LABEL is set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
url=$1 body=$2
duration=${3:-20s} connections=${4:-4} threads=${5:-2} warmup=${6:-5s}
export BODY_FILE=$body

if [ "$warmup" != "0" ] && [ "$warmup" != "0s" ]; then
  wrk -t "$threads" -c "$connections" -d "$warmup" -s "$here/post-body.lua" "$url" > /dev/null
fi
out=$(wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "$here/post-body.lua" "$url")
if [ -n "${LABEL:-}" ]; then printf '%s\n' "$out" > "$body.$LABEL.wrk.txt"; fi

# wrk prints latencies as 812.00us / 1.23ms / 1.05s; normalise to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')")
p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')")
non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ { print $NF }')
errors=$(printf '%s\n' "$out" | awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }')
requests=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
echo "${rps:-0} $p50 $p99 ${non2xx:-0} ${errors:-0} ${requests:-0}"
