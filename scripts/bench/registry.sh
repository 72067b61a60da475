#!/usr/bin/env bash
# GET /servers?q=… over a generated corpus of servers (realistic names, descriptions, tool names and descriptions),
# each created and published (a stdio release whose server card lists its tools) through the API. The populated
# store is kept in .build/bench/ for the next run, keyed by the corpus generator and the store's server code.
# Switchboard gets one loop, and wrk, rotating a mix of single words, two words, typos and words nothing has,
# runs on core 1: first one connection (latency), then several (throughput); "logged p99" is the gateway's own time
# from its request log. The gateway is not pinned: on a machine shared with other builds, a gateway pinned to one
# core waits behind whatever else runs there, and its p99 measures that. Next to it, in the same run, the statements of the same searches run
# directly on the store file with Python's sqlite3 (statements prepared once), and the ratios.
# Usage: scripts/bench/registry.sh [seconds] [connections] [servers]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/lib.sh

seconds=${1:-10}
connections=${2:-8}
count=${3:-10000}
key=bench-admin-key-0123456789
scripts/setup --bench >/dev/null
swift build -c release --product switchboard >/dev/null

work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT
start_switchboard() {
    # A fixed secret key: the kept store opens with it on any checkout.
    SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:18090 SWITCHBOARD_DATABASE="$work/registry.db" \
        SWITCHBOARD_ADMIN_KEY=$key SWITCHBOARD_SECRET_KEY=$(printf '%064d' 0) \
        start_pinned 0-1 .build/release/switchboard serve --config Config/switchboard.json 2>>"$work/switchboard.log"
    switchboard_pid=$started_pid
    wait_for_port 18090
}

version=$(cat scripts/bench/registry.py Sources/Store/Server*.swift Sources/Store/RegistryMigrations.swift | sha1sum)
cached=".build/bench/registry-$count-${version:0:12}.db"
if [[ -f $cached ]]; then
    cp "$cached" "$work/registry.db"
    start_switchboard
else
    start_switchboard
    echo "populating $count servers through the API (kept in $cached for the next run)…" >&2
    python3 scripts/bench/registry.py populate http://127.0.0.1:18090 "$key" "$count"
    # A clean stop checkpoints the WAL into the file that is kept.
    kill "$switchboard_pid" && wait "$switchboard_pid" || true
    mkdir -p .build/bench && rm -f .build/bench/registry-"$count"-*.db && cp "$work/registry.db" "$cached"
    start_switchboard
fi
python3 scripts/bench/registry.py lua "$key" >"$work/queries.lua"

# p99 of the time the gateway itself took (its request log's `durationMs`) over the log lines since line $1.
logged_p99() {
    tail -n +"$1" "$work/switchboard.log" | grep -o '"durationMs":[0-9.]*' | cut -d: -f2 | sort -g \
        | awk '{ v[NR] = $1 } END { printf "%.2fms", v[int(NR * 0.99)] }'
}

printf '%-28s %12s %10s %10s %16s %14s\n' "GET /servers?q= ($count)" "requests/s" "p50" "p99" "CPU µs/request" \
    "logged p99"
for clients in 1 "$connections"; do
    from=$(($(wc -l <"$work/switchboard.log") + 1))
    measure "$clients connections" "$switchboard_pid" http://127.0.0.1:18090 "$seconds" "$clients" -s "$work/queries.lua"
    printf '%-28s %12s %10s %10s %16s %14s\n' "switchboard, $clients connection(s)" "$rps" "$p50" "$p99" "$cpu_us" \
        "$(logged_p99 "$from")"
    if [[ $clients == 1 ]]; then single_rps=$rps single_p99=$p99; fi
done
read -r sqlite_rps sqlite_p99 < <(python3 scripts/bench/registry.py sqlite "$work/registry.db" "$seconds")
printf '%-28s %12s %10s %10s %16s\n' "python sqlite3, same FTS5" "$sqlite_rps" "-" "${sqlite_p99}ms" "-"
echo
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
ratio "p99 (1 connection), switchboard/sqlite3" "$(to_ms "$single_p99")" "$sqlite_p99"
ratio "requests/s (1 connection), switchboard/sqlite3" "$single_rps" "$sqlite_rps"
