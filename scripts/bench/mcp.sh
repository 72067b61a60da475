#!/usr/bin/env bash
# tools/call through Switchboard next to the same call made directly and through nginx's proxy_pass, in one run.
# The upstream is switchboard-bench-upstream (a minimal MCP server on Switchboard's HTTP stack). Servers share
# core 0, wrk runs on core 1; each proxy has one loop/worker and writes an access log line per request.
# Prints requests/s, p50, p99 and each proxy's CPU time per call at concurrency 1, 16 and 64, Switchboard also with
# a service token (a 3-block policy with an rpcReqMatch) instead of the API key; then Switchboard's RSS after
# spreading calls over 1,000 connections.
# Usage: scripts/bench/mcp.sh [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/lib.sh

seconds=${1:-10}
scripts/setup --bench >/dev/null
swift build -c release --product switchboard >/dev/null
swift build -c release --product switchboard-bench-upstream >/dev/null

work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT
key=bench-admin-key-0123456789

nginx_config "$work" "    upstream bench { server 127.0.0.1:19100; keepalive 128; }
    server {
        listen 127.0.0.1:19101 reuseport;
        location / { proxy_pass http://bench; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
    }"
cat >"$work/call.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
LUA

start_pinned 0 .build/release/switchboard-bench-upstream 127.0.0.1:19100 1
upstream_pid=$started_pid
start_pinned 0 nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
nginx_pid=$started_pid
SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:19102 SWITCHBOARD_DATABASE="$work/bench.db" \
    SWITCHBOARD_ADMIN_KEY=$key SWITCHBOARD_EGRESS_ALLOW=127.0.0.0/8 SWITCHBOARD_SECRET_KEY=$(printf '%064d' 0) \
    start_pinned 0 .build/release/switchboard serve --config Config/switchboard.json 2>"$work/switchboard.log"
switchboard_pid=$started_pid
for port in 19100 19101 19102; do wait_for_port $port; done
curl -sf -X PUT -H "Authorization: Bearer $key" http://127.0.0.1:19102/connect/bench/c \
    -d '{"mcpUrl":"http://127.0.0.1:19100/mcp"}' >/dev/null
# The policy's last block is the one that allows the call, so every block is evaluated.
token=$(curl -sf -X POST -H "Authorization: Bearer $key" http://127.0.0.1:19102/tokens -d '{"policy": [
    {"namespaces": "other", "operations": ["read", "execute"]},
    {"namespaces": "bench", "operations": "read"},
    {"namespaces": "bench", "operations": "execute", "rpcReqMatch": {"params.name": "^echo$"}}]}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
sed "s/Bearer $key/Bearer $token/" "$work/call.lua" >"$work/token-call.lua"

printf '%-12s %5s %12s %10s %10s %16s\n' target conc "requests/s" p50 p99 "CPU µs/call"
for concurrency in 1 16 64; do
    for target in direct nginx switchboard token; do
        script=$work/call.lua
        case $target in
            direct) url=http://127.0.0.1:19100/mcp pid="" ;;
            nginx) url=http://127.0.0.1:19101/mcp pid=$nginx_pid ;;
            switchboard) url=http://127.0.0.1:19102/connect/bench/c/mcp pid=$switchboard_pid ;;
            token) url=http://127.0.0.1:19102/connect/bench/c/mcp pid=$switchboard_pid script=$work/token-call.lua ;;
        esac
        measure "$target" "$pid" "$url" "$seconds" "$concurrency" -s "$script"
        printf '%-12s %5s %12s %10s %10s %16s\n' "$target" "$concurrency" "$rps" "$p50" "$p99" "$cpu_us"
        eval "${target}_cpu_$concurrency=$cpu_us"
    done
done
echo
for concurrency in 1 16 64; do
    eval "ratio 'CPU per call at $concurrency, switchboard/nginx' \$switchboard_cpu_$concurrency \$nginx_cpu_$concurrency"
    eval "ratio 'CPU per call at $concurrency, token/API key' \$token_cpu_$concurrency \$switchboard_cpu_$concurrency"
done

# Memory: 1,000 connections, calls spread over them at random until at least 100,000 have been made.
for n in $(seq 1 1000); do
    printf '{"mcpUrl":"http://127.0.0.1:19100/mcp"}' |
        curl -sf -X PUT -H "Authorization: Bearer $key" "http://127.0.0.1:19102/connect/bench/m$n" -d @- >/dev/null
done
cat >"$work/spread.lua" <<LUA
dofile("$work/call.lua")
request = function()
    return wrk.format(nil, "/connect/bench/m" .. math.random(1000) .. "/mcp")
end
LUA
total=0
while ((total < 100000)); do
    measure spread "" http://127.0.0.1:19102 5 64 -s "$work/spread.lua"
    total=$((total + requests))
done
echo
echo "switchboard RSS after $total calls over 1,000 connections: $(rss_mb "$switchboard_pid") MiB"
