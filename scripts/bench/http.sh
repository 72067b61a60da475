#!/usr/bin/env bash
# GET /health on Switchboard and on nginx serving the same body, in one run.
# Each server gets one loop/worker pinned to core 0; wrk runs on core 1. Both write an access log line per
# request to a file. Prints requests/s, p99 and the server's CPU time per request, and Switchboard/nginx ratios.
# On a 2-core machine wrk is often the bottleneck, so CPU time per request is the figure that compares servers.
# Usage: scripts/bench/http.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/lib.sh

seconds=${1:-10}
connections=${2:-50}
scripts/setup --bench >/dev/null
swift build -c release --product switchboard >/dev/null

work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT

body='{"status":"ok","timestamp":"2026-01-01T00:00:00.000Z"}'
nginx_config "$work" "    server {
        listen 127.0.0.1:18081 reuseport;
        location = /health { default_type application/json; return 200 '$body'; }
    }"

start_pinned 0 nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
nginx_pid=$started_pid
SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:18080 SWITCHBOARD_DATABASE="$work/bench.db" \
    SWITCHBOARD_ADMIN_KEY=bench-admin-key-0123456789 \
    start_pinned 0 .build/release/switchboard serve --config Config/switchboard.json 2>"$work/switchboard.log"
switchboard_pid=$started_pid
wait_for_port 18080
wait_for_port 18081

printf '%-12s %12s %10s %16s\n' server "requests/s" "p99" "CPU µs/request"
measure nginx "$nginx_pid" "http://127.0.0.1:18081/health" "$seconds" "$connections"
printf '%-12s %12s %10s %16s\n' nginx "$rps" "$p99" "$cpu_us"
nginx_rps=$rps nginx_cpu=$cpu_us
measure switchboard "$switchboard_pid" "http://127.0.0.1:18080/health" "$seconds" "$connections"
printf '%-12s %12s %10s %16s\n' switchboard "$rps" "$p99" "$cpu_us"
echo
ratio "requests/s, switchboard/nginx" "$rps" "$nginx_rps"
ratio "CPU per request, switchboard/nginx" "$cpu_us" "$nginx_cpu"
