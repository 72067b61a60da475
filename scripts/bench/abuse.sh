#!/usr/bin/env bash
# /health latency from a second client, and Switchboard's memory, during each resource attack, next to the same
# figures with no attack, in one run. Switchboard runs with its default config (two loops) except a connection cap
# of 1,000 and loopback egress; the attacks and wrk share core 1.
# Attacks: 4 connections pipelining 50,000 GET /metrics each and never reading; 200 clients that leave while a
# slow upstream holds their tools/call; 3,000 idle connections; 300 bodies just under 1 MiB that then trickle.
# Usage: scripts/bench/abuse.sh [seconds per measurement]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/lib.sh

seconds=${1:-5}
scripts/setup --bench >/dev/null
swift build -c release --product switchboard >/dev/null

work=$(mktemp -d)
trap 'stop_all; rm -rf "$work"' EXIT
port=18090
admin=bench-admin-key-0123456789

python3 - "$work/switchboard.json" <<'PY'
import json, sys
config = json.load(open("Config/switchboard.json"))
config["http"]["maxConnections"] = 1000
config["logRequests"] = False
json.dump(config, open(sys.argv[1], "w"))
PY

cat >"$work/attack.py" <<'PY'
"""One attack on 127.0.0.1:PORT until SIGTERM: pipelined, leaving, idle or bodies."""
import json, signal, socket, sys, threading, time

kind, port, admin = sys.argv[1], int(sys.argv[2]), sys.argv[3]
held = []
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

def connect(receive_buffer=None):
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", port))
    held.append(sock)
    return sock

def in_background(body, *args):
    threading.Thread(target=body, args=args, daemon=True).start()

def send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass

def holding_upstream():
    """Answers initialize and notifications; holds every other request until the gateway closes it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)

    def serve(conn):
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return conn.close()
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
            while len(buffer) < length:
                buffer += conn.recv(65536)
            message, buffer = json.loads(buffer[:length]), buffer[length:]
            if message.get("method") == "initialize":
                body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {
                    "protocolVersion": message["params"]["protocolVersion"], "capabilities": {},
                    "serverInfo": {"name": "holding", "version": "1"}}}).encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
            elif "id" not in message:
                conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            else:
                while conn.recv(65536):
                    pass
                return conn.close()

    def accept():
        while True:
            conn, _ = listener.accept()
            in_background(serve, conn)

    in_background(accept)
    return listener.getsockname()[1]

if kind == "pipelined":
    for _ in range(4):
        in_background(send_quietly, connect(4096), b"GET /metrics HTTP/1.1\r\nHost: b\r\n\r\n" * 50_000)
elif kind == "leaving":
    upstream = holding_upstream()
    put = json.dumps({"mcpUrl": f"http://127.0.0.1:{upstream}/mcp"}).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"PUT /connect/bench/slow HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer %s\r\nContent-Type: "
                 b"application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (admin.encode(), len(put), put))
    sock.recv(65536)
    call = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}'
    request = (b"POST /connect/bench/slow/mcp HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer %s\r\nContent-Type: "
               b"application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: %d\r\n\r\n%s"
               % (admin.encode(), len(call), call))
    while True:  # clients keep arriving, asking, and leaving half-closed
        for _ in range(200):
            client = connect()
            client.sendall(request)
            client.shutdown(socket.SHUT_WR)
        time.sleep(1)
        for client in held:
            client.close()
        held.clear()
elif kind == "idle":
    for _ in range(3000):
        connect()
elif kind == "bodies":
    head = b"POST /connect/b/c/mcp HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n"
    for _ in range(300):
        in_background(send_quietly, connect(), head + b" " * 1_040_000)
    while True:
        time.sleep(1)
        for sock in held:
            try:
                sock.send(b" ", socket.MSG_DONTWAIT)
            except OSError:
                pass
while True:
    time.sleep(3600)
PY

SWITCHBOARD_LISTEN=127.0.0.1:$port SWITCHBOARD_DATABASE="$work/bench.db" SWITCHBOARD_ADMIN_KEY=$admin \
    SWITCHBOARD_EGRESS_ALLOW=127.0.0.0/8 \
    start_pinned 0 .build/release/switchboard serve --config "$work/switchboard.json" 2>"$work/switchboard.log"
switchboard_pid=$started_pid
wait_for_port $port

printf '%-11s %10s %10s %12s %12s %12s\n' attack "p50" "p99" "RSS before" "RSS during" "RSS after"
for attack in none pipelined leaving idle bodies; do
    before=$(rss_mb "$switchboard_pid")
    attacker=""
    if [[ $attack != none ]]; then
        taskset -c 1 python3 "$work/attack.py" "$attack" $port $admin &
        attacker=$!
        sleep 2
    fi
    measure "$attack" "" "http://127.0.0.1:$port/health" "$seconds" 4
    during=$(rss_mb "$switchboard_pid")
    if [[ -n $attacker ]]; then
        kill "$attacker"
        wait "$attacker" 2>/dev/null || true
    fi
    sleep 3
    printf '%-11s %10s %10s %10s MB %9s MB %9s MB\n' "$attack" "$p50" "$p99" "$before" "$during" "$(rss_mb "$switchboard_pid")"
done
