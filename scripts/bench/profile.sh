#!/usr/bin/env bash
# Instructions per proxied tools/call, counted by callgrind (repeatable where wall time is not): Switchboard with
# one loop in front of switchboard-bench-upstream, warmed up, then the counters zeroed, CALLS calls made on one
# keep-alive connection, and the counters dumped. Prints user-space instructions per call by module and the top
# functions. valgrind 3.19 cannot read this toolchain's debug info, so it runs on a copy made with
# `strip --strip-debug` (the symbol table stays, so functions keep their names), with sigsuspend-copy.c preloaded.
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
cc -O2 -shared -fPIC -o "$work/sigsuspend-copy.so" scripts/bench/sigsuspend-copy.c

start_pinned 0 .build/release/switchboard-bench-upstream 127.0.0.1:19200 1
SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:19202 SWITCHBOARD_DATABASE="$work/bench.db" \
    SWITCHBOARD_ADMIN_KEY=$key SWITCHBOARD_EGRESS_ALLOW=127.0.0.0/8 SWITCHBOARD_SECRET_KEY=$(printf '%064d' 0) \
    LD_PRELOAD="$work/sigsuspend-copy.so" start_pinned 1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
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
# Self costs read from the dump itself: callgrind_annotate 3.19 counts the calls of threads already running when
# the counters were zeroed (`calls=0`) as their callers' own instructions.
python3 - "$dump" "$calls" <<'PY'
import re, sys
path, calls = sys.argv[1], int(sys.argv[2])
names, costs = {}, {}
def name(kind, text):
    found = re.match(r"\((\d+)\)(?: (.*))?$", text)
    if not found:
        return text
    if found.group(2) is not None:
        names[(kind, found.group(1))] = found.group(2)
    return names.get((kind, found.group(1)), "???")
obj, fn, after_call = "???", None, False
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("ob="):
        obj = name("ob", line[3:])
    elif line.startswith("fn="):
        fn = (obj, name("fn", line[3:]))
    elif line.startswith(("cob=", "cfi=", "cfl=", "fi=", "fe=", "fl=")):
        if line.startswith("cob="):
            name("ob", line[4:])
    elif line.startswith("cfn="):
        name("fn", line[4:])
    elif line.startswith("calls="):
        after_call = True
    elif line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        if len(parts) >= 2 and fn and not after_call:
            costs[fn] = costs.get(fn, 0) + int(parts[1])
        after_call = False
rows = [(ir, obj, fn) for (obj, fn), ir in costs.items()]
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
