#!/usr/bin/env bash
# Instructions per proxied tools/call, counted by callgrind (repeatable where wall time is not): Switchboard with
# one loop in front of switchboard-bench-upstream, warmed up, then the counters zeroed, CALLS calls made on one
# keep-alive connection, and the counters dumped. Prints user-space instructions per call by module and the top
# functions. valgrind 3.19 cannot read this toolchain's debug info, so it runs on a copy made with
# `strip --strip-debug` (the symbol table stays, so functions keep their names).
# Usage: scripts/bench/profile.sh [calls] [binary [config]]   (another build to count, with its own config file)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/lib.sh

calls=${1:-2000}
binary=${2:-}
config=${3:-Config/switchboard.json}
scripts/setup --bench >/dev/null
command -v valgrind >/dev/null || { echo "profile: valgrind is required (apt install valgrind)" >&2; exit 1; }
swift build -c release --product switchboard-bench-upstream >/dev/null
if [[ -z $binary ]]; then
    swift build -c release --product switchboard >/dev/null
    binary=.build/release/switchboard
fi

work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT
key=bench-admin-key-0123456789
cp "$binary" "$work/switchboard"
strip --strip-debug "$work/switchboard"

start_pinned 0 .build/release/switchboard-bench-upstream 127.0.0.1:19200 1
SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:19202 SWITCHBOARD_DATABASE="$work/bench.db" \
    SWITCHBOARD_ADMIN_KEY=$key SWITCHBOARD_EGRESS_ALLOW=127.0.0.0/8 SWITCHBOARD_SECRET_KEY=$(printf '%064d' 0) \
    start_pinned 1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    "$work/switchboard" serve --config "$config" 2>"$work/switchboard.log"
gateway_pid=$started_pid
wait_for_port 19200
wait_for_port 19202 120
curl -sf -X PUT -H "Authorization: Bearer $key" http://127.0.0.1:19202/connect/bench/c \
    -d '{"mcpUrl":"http://127.0.0.1:19200/mcp"}' >/dev/null

python3 - "$key" "$calls" "$gateway_pid" <<'PY'
import http.client, subprocess, sys
key, calls, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
           "Accept": "application/json, text/event-stream"}
connection = http.client.HTTPConnection("127.0.0.1", 19202, timeout=60)
def call():
    connection.request("POST", "/connect/bench/c/mcp", body, headers)
    answer = connection.getresponse().read()
    assert b'"hello"' in answer, answer
for _ in range(200):  # warm-up: the session, the pools, the caches
    call()
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
for _ in range(calls):
    call()
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
PY

dump=$(ls -t "$work"/callgrind.out.* | head -1)
callgrind_annotate --inclusive=no --threshold=100 "$dump" 2>/dev/null >"$work/annotate.txt"
python3 - "$work/annotate.txt" "$calls" <<'PY'
import re, sys
path, calls = sys.argv[1], int(sys.argv[2])
rows = []
for line in open(path):
    match = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S+?):(.*)$", line)
    if match and not line.lstrip().startswith("Ir"):
        rows.append((int(match.group(1).replace(",", "")), match.group(2), match.group(3).strip()))
modules = {}
def module(obj, name):
    found = re.match(r"\$s(\d+)([A-Za-z]+)", name)
    if found and int(found.group(1)) == len(found.group(2)[:int(found.group(1))]):
        return found.group(2)[:int(found.group(1))]
    if "libswiftCore" in obj or name.startswith("swift_") or name.startswith("$ss"):
        return "Swift runtime"
    if "libc" in obj or "ld-linux" in obj:
        return "libc"
    return obj.rsplit("/", 1)[-1] if obj != "???" else "other"
total = sum(r[0] for r in rows)
for ir, obj, name in rows:
    key = module(obj, name)
    modules[key] = modules.get(key, 0) + ir
print(f"user-space instructions per call: {total / calls:,.0f}")
for key, ir in sorted(modules.items(), key=lambda item: -item[1]):
    print(f"  {key:<24} {ir / calls:>10,.0f}")
print("top functions (instructions per call):")
for ir, obj, name in sorted(rows, reverse=True)[:15]:
    print(f"  {ir / calls:>8,.0f}  {name[:110]}")
PY
