#!/usr/bin/env bash
# Instructions per proxied tools/call, counted by callgrind (repeatable where wall time is not): Switchboard with
# one loop in front of switchboard-bench-upstream, warmed up, then the counters zeroed, CALLS calls made on one
# keep-alive connection, and the counters dumped. Prints user-space instructions per call by module and the top
# functions. valgrind 3.19 cannot read this toolchain's debug info, so it runs on a copy made with
# `strip --strip-debug` (the symbol table stays, so functions keep their names), with sigsuspend-copy.c preloaded.
# Also counts lock acquisitions per call: Swift's `Mutex` is inlined into its callers, so its acquisitions are
# counted as the executions of the binary's 32-bit `lock cmpxchg` (its futex word; one to lock, one to unlock),
# listed by function, apart from 64-bit ones (atomic counters); pthread mutexes (SQLite's, the runtime's,
# Dispatch's) are counted as calls to pthread_mutex_lock, by caller. KEEP=1 keeps the dump and prints its folder.
# Usage: scripts/bench/profile.sh [calls] [binary [config]]   (another build to count, with its own config file)
# CREDENTIAL=token calls with a service token whose policy has a name alternation and an RE2 argument pattern.
# REQUEST=health counts GET /health instead (what scripts/bench/http.sh measures against nginx).
# TEXT_BYTES=n echoes a text of n bytes (default 5: "hello"), so that request and answer bodies are that large.
# Then counts nginx (one worker, access log on) doing the same in front of the same upstream, and prints the ratio;
# REFERENCE=none skips it.
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
[[ -n ${KEEP:-} ]] && echo "work: $work"
trap 'stop_all; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
key=bench-admin-key-0123456789
cp "$binary" "$work/switchboard"
strip --strip-debug "$work/switchboard"
cc -O2 -shared -fPIC -o "$work/sigsuspend-copy.so" scripts/bench/sigsuspend-copy.c

start_pinned 0 .build/release/switchboard-bench-upstream 127.0.0.1:19200 1
SWITCHBOARD_LOOPS=1 SWITCHBOARD_LISTEN=127.0.0.1:19202 SWITCHBOARD_DATABASE="$work/bench.db" \
    SWITCHBOARD_ADMIN_KEY=$key SWITCHBOARD_EGRESS_ALLOW=127.0.0.0/8 SWITCHBOARD_SECRET_KEY=$(printf '%064d' 0) \
    LD_PRELOAD="$work/sigsuspend-copy.so" start_pinned 1 valgrind --tool=callgrind --dump-instr=yes \
    --callgrind-out-file="$work/callgrind.out" \
    "$work/switchboard" serve --config "$config" 2>"$work/switchboard.log"
gateway_pid=$started_pid
wait_for_port 19200
wait_for_port 19202 120
curl -sf -X PUT -H "Authorization: Bearer $key" http://127.0.0.1:19202/connect/bench/c \
    -d '{"mcpUrl":"http://127.0.0.1:19200/mcp"}' >/dev/null
bearer=$key
if [[ ${CREDENTIAL:-apikey} == token ]]; then
    policy='{"policy":[{"namespaces":"bench","operations":"execute",'
    policy+='"rpcReqMatch":{"params.name":"^(echo|add)$","params.arguments.text":"^[a-z]+$"}}]}'
    bearer=$(curl -sf -X POST -H "Authorization: Bearer $key" http://127.0.0.1:19202/tokens -d "$policy" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
fi

# drive PID PORT PATH: the warm-up, the counters zeroed, CALLS requests to PORT on one keep-alive connection,
# the counters dumped.
cat >"$work/drive.py" <<'PY'
import http.client, subprocess, sys
key, calls, pid, request, size, port, path = sys.argv[1:8]
calls, size = int(calls), int(size)
text = ("hello" * (size // 5 + 1))[:size]
body = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"%s"}}}' % text.encode()
headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
           "Accept": "application/json, text/event-stream"}
connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
def call():
    if request == "health":
        connection.request("GET", "/health")
        answer = connection.getresponse().read()
        assert b'"ok"' in answer, answer
        return
    connection.request("POST", path, body, headers)
    answer = connection.getresponse().read()
    assert text.encode() in answer, answer[:200]
for _ in range(200):  # warm-up: the session, the pools, the caches
    call()
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
for _ in range(calls):
    call()
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
PY
drive() {
    python3 "$work/drive.py" "$bearer" "$calls" "$1" "${REQUEST:-call}" "${TEXT_BYTES:-5}" "$2" "$3"
}
drive "$gateway_pid" 19202 /connect/bench/c/mcp

dump=$(ls -t "$work"/callgrind.out.* | head -1)
# Self costs read from the dump itself: callgrind_annotate 3.19 counts the calls of threads already running when
# the counters were zeroed (`calls=0`) as their callers' own instructions.
objdump -d --no-show-raw-insn "$work/switchboard" >"$work/disassembly"
python3 - "$dump" "$calls" "$work" <<'PY'
import re, sys
path, calls, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
binary = f"{work}/switchboard"
names, costs, executed, called, lockers = {}, {}, {}, {}, {}
def name(kind, text):
    found = re.match(r"\((\d+)\)(?: (.*))?$", text)
    if not found:
        return text
    if found.group(2) is not None:
        names[(kind, found.group(1))] = found.group(2)
    return names.get((kind, found.group(1)), "???")
def position(text, last):
    if text == "*":
        return last
    if text[0] in "+-":
        return last + int(text)
    return int(text, 0)
obj, fn, after_call, callee, positions, last = "???", None, False, None, 1, [0]
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("positions:"):
        positions = len(line.split()) - 1
        last = [0] * positions
    elif line.startswith("ob="):
        obj = name("ob", line[3:])
    elif line.startswith("fn="):
        fn = (obj, name("fn", line[3:]))
    elif line.startswith(("cob=", "cfi=", "cfl=", "fi=", "fe=", "fl=")):
        if line.startswith("cob="):
            name("ob", line[4:])
    elif line.startswith("cfn="):
        callee = name("fn", line[4:])
    elif line.startswith("calls="):
        after_call = True
        count = int(line[6:].split()[0])
        called[callee] = called.get(callee, 0) + count
        if callee.startswith("pthread_mutex_lock") and fn:
            lockers[fn[1]] = lockers.get(fn[1], 0) + count
    elif line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        last = [position(parts[i], last[i]) if i < len(parts) else last[i] for i in range(positions)]
        if len(parts) > positions and fn and not after_call:
            ir = int(parts[positions])
            costs[fn] = costs.get(fn, 0) + ir
            if obj == binary:
                executed[last[0]] = executed.get(last[0], 0) + ir
        after_call = False
rows = [(ir, obj, fn) for (obj, fn), ir in costs.items()]
modules = {}
def module(obj, name):
    found = re.match(r"\$s(\d+)([A-Za-z]+)", name)
    if found and int(found.group(1)) == len(found.group(2)[:int(found.group(1))]):
        return found.group(2)[:int(found.group(1))]
    if obj == binary:
        # The Swift runtime and standard library are linked into the binary: what is not one of our modules is
        # theirs, apart from the C shims.
        return "C shims" if name.startswith("sb_") else "Swift runtime"
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
# Executions of the binary's compare-and-swaps, by function (callgrind gives addresses relative to the object).
sites, function = {}, "???"
for line in open(f"{work}/disassembly"):
    header = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
    if header:
        function = header.group(2)
        continue
    instruction = re.match(r"^\s+([0-9a-f]+):\s+lock cmpxchg %(\w+),", line)
    if instruction:
        count = executed.get(int(instruction.group(1), 16), 0)
        if count:
            register = instruction.group(2)
            wide = register.startswith("r") and not register.endswith("d")
            site = f"(64-bit atomic) {function}" if wide else function
            sites[site] = sites.get(site, 0) + count
mutex = sum(count for site, count in sites.items() if not site.startswith("(64")) / 2 / calls
pthread = sum(count for callee, count in called.items() if callee.startswith("pthread_mutex_lock")) / calls
slow = sum(count for callee, count in called.items() if "_lockSlow" in callee) / calls
print(f"lock acquisitions per call: {mutex + pthread:.2f} (Mutex {mutex:.2f}, pthread_mutex_lock {pthread:.2f}, "
      f"contended {slow:.2f}); compare-and-swaps per call by function:")
for function, count in sorted(sites.items(), key=lambda item: -item[1]):
    print(f"  {count / calls:>8.2f}  {function[:110]}")
print("pthread_mutex_lock calls per call by caller:")
for function, count in sorted(lockers.items(), key=lambda item: -item[1]):
    print(f"  {count / calls:>8.2f}  {function[:110]}")
print("top functions (instructions per call):")
for ir, obj, name in sorted(rows, reverse=True)[:15]:
    print(f"  {ir / calls:>8,.0f}  {name[:110]}")
PY

# The reference, counted the same way: nginx (one worker, no master, access log on) proxying the same requests to
# the same upstream, or serving /health's body itself.
[[ ${REFERENCE:-nginx} == nginx ]] || exit 0
health='{"status":"ok","timestamp":"2026-01-01T00:00:00.000Z"}'
nginx_config "$work" "    upstream bench { server 127.0.0.1:19200; keepalive 16; }
    server {
        listen 127.0.0.1:19201;
        location = /health { default_type application/json; return 200 '$health'; }
        location / { proxy_pass http://bench; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
    }"
sed -i '1i master_process off;' "$work/nginx.conf"
start_pinned 1 valgrind --tool=callgrind --callgrind-out-file="$work/nginx.out" \
    nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" 2>"$work/nginx-valgrind.log"
nginx_pid=$started_pid
wait_for_port 19201 60
drive "$nginx_pid" 19201 /mcp
reference=$(ls -t "$work"/nginx.out* | head -1)
python3 - "$dump" "$reference" "$calls" <<'PY'
import sys
def total(path):
    return next(int(line.split()[1]) for line in open(path) if line.startswith("totals:"))
ours, nginx, calls = total(sys.argv[1]), total(sys.argv[2]), int(sys.argv[3])
print(f"nginx, the same requests: {nginx / calls:,.0f} user-space instructions per call; "
      f"switchboard/nginx: {ours / nginx:.2f}")
PY
