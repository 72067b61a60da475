"""Attacks on the gateway's resources from the unauthenticated side: each must leave a second client's /health
answered while the attack is still on, and the gateway's memory under a generous bound."""
import json
import socket
import threading
import time

import pytest

from gateway import ADMIN_KEY, Gateway, closed_by_peer, read_response

MIB = 1 << 20
# Far above what the gateway needs under these attacks once bounded; far below what they cost unbounded.
RSS_HEADROOM = 64 * MIB


def rss(gateway):
    with open(f"/proc/{gateway.process.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def health_answered(gateway):
    with gateway.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        status, _, _, _ = read_response(sock)
        return status == 200


def open_sockets(gateway, count, receive_buffer=None):
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", gateway.port))
        sockets.append(sock)
    return sockets


def send_what_fits(sock, data, seconds=1.0):
    """Sends until the peer stops taking bytes (it stopped reading) or all is sent."""
    sock.settimeout(seconds)
    try:
        sock.sendall(data)
    except (socket.timeout, OSError):
        pass


@pytest.fixture
def started():
    gateways = []

    def start(**config):
        gateway = Gateway(config=config, env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
        gateways.append(gateway)
        return gateway

    yield start
    for gateway in gateways:
        gateway.stop()


def test_pipelined_requests_with_unread_answers(started):
    gateway = started(logRequests=False)
    baseline = rss(gateway)
    attackers = open_sockets(gateway, 2, receive_buffer=4096)
    pipeline = b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n" * 60_000
    senders = [threading.Thread(target=send_what_fits, args=(sock, pipeline, 10), daemon=True) for sock in attackers]
    for sender in senders:
        sender.start()
    # Unbounded, the answers pile up at about 6 MB a second here; bounded, they stop at a few hundred KB.
    peak = max(rss(gateway) for _ in range(50) if time.sleep(0.1) is None)
    assert health_answered(gateway)
    assert peak < baseline + 16 * MIB, (baseline, peak)
    for sock in attackers:
        sock.close()


class HoldingUpstream:
    """A minimal MCP upstream: it answers initialize and notifications, and holds every other request without
    answering until the gateway closes that connection, which it counts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = 0
        self.closed_while_held = 0
        self.lock = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/mcp"

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buffer = b""
        with conn:
            while True:
                try:
                    _, headers, body, buffer = read_request(conn, buffer)
                except ConnectionError:
                    return
                message = json.loads(body)
                if message.get("method") == "initialize":
                    result = {"protocolVersion": message["params"]["protocolVersion"], "capabilities": {},
                              "serverInfo": {"name": "holding", "version": "1"}}
                    payload = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMcp-Session-Id: s1\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
                elif message.get("method") == "server/discover":
                    # A handshake-era server: it does not know the method.
                    error = {"code": -32601, "message": "Method not found"}
                    payload = json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": error}).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
                elif "id" not in message:
                    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                else:
                    with self.lock:
                        self.held += 1
                        self.lock.notify_all()
                    try:
                        while conn.recv(65536):
                            pass
                    except OSError:
                        pass
                    with self.lock:
                        self.closed_while_held += 1
                        self.lock.notify_all()
                    return

    def wait_for(self, condition, timeout=20):
        with self.lock:
            return self.lock.wait_for(condition, timeout)

    def close(self):
        self.sock.close()


def read_request(sock, buffer):
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        rest += chunk
    return head, headers, rest[:length], rest[length:]


@pytest.mark.parametrize("leave", ["half-close", "close"])
def test_clients_that_leave_while_a_slow_upstream_answer_is_pending(started, namespace, leave):
    gateway = started(logRequests=False)
    upstream = HoldingUpstream()
    status, _, _ = gateway.request("PUT", f"/connect/{namespace}/c", {"mcpUrl": upstream.url}, key=ADMIN_KEY)
    assert status in (200, 201)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x"}}).encode()
    request = (f"POST /connect/{namespace}/c/mcp HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {ADMIN_KEY}\r\n"
               f"Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    clients = open_sockets(gateway, 20)
    for sock in clients:
        sock.sendall(request)
    assert upstream.wait_for(lambda: upstream.held == 20)
    for sock in clients:
        if leave == "half-close":
            sock.shutdown(socket.SHUT_WR)
        else:
            sock.close()
    # The gateway gives up the upstream calls of clients that left ...
    assert upstream.wait_for(lambda: upstream.closed_while_held == 20)
    # ... and the upstream never answered them: still, another client is served.
    assert health_answered(gateway)
    for sock in clients:
        sock.close()
    upstream.close()


def test_idle_connections_beyond_the_cap(started):
    gateway = started(http={"maxConnections": 100})
    baseline = rss(gateway)
    attackers = open_sockets(gateway, 300)
    # Shed connections are closed as the loops get to them: look again until the count settles (or time runs out).
    # Only then is a new client the newest connection on every loop; before, a loop still accepting the flood
    # counts it older than the attackers it has yet to accept.
    still_open = attackers
    deadline = time.time() + 10
    while len(still_open) > 100 and time.time() < deadline:
        still_open = [sock for sock in still_open if not closed_by_peer(sock, timeout=0.01)]
    assert len(still_open) <= 100
    # At the cap, with the idle attackers held, a new client still sheds one of them and is answered.
    assert health_answered(gateway)
    assert rss(gateway) < baseline + RSS_HEADROOM
    for sock in attackers:
        sock.close()


def test_many_large_bodies_that_trickle(started):
    gateway = started(logRequests=False, http={"maxBufferedBodyBytesPerLoop": 8 * MIB, "bodyTimeoutSeconds": 2})
    baseline = rss(gateway)
    attackers = open_sockets(gateway, 200)
    head = b"POST /connect/x/y/mcp HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
    for sock in attackers:
        send_what_fits(sock, head + b" " * 900_000, seconds=0.2)
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.5):
            for sock in attackers:
                try:
                    sock.send(b" ", socket.MSG_DONTWAIT)
                except OSError:
                    pass

    threading.Thread(target=trickle, daemon=True).start()
    try:
        assert health_answered(gateway)
        assert rss(gateway) < baseline + RSS_HEADROOM, (baseline, rss(gateway))
        # Refused at once (503) or cut off at the body deadline (408): none holds its connection for ever.
        assert all(closed_by_peer(sock, timeout=15) for sock in attackers)
    finally:
        stop.set()
        for sock in attackers:
            sock.close()


@pytest.mark.parametrize("target", ["mcp", "put"])
def test_objects_with_ninety_thousand_keys(started, namespace, json_upstream, target):
    """A megabyte of distinct keys costs a linear parse and a clear refusal (the member limit), on the MCP endpoint
    and on a connection write alike, while a second client's /health is answered."""
    gateway = started(logRequests=False)
    status, _, _ = gateway.request("PUT", f"/connect/{namespace}/c", {"mcpUrl": json_upstream.url}, key=ADMIN_KEY)
    assert status in (200, 201)
    keys = ",".join(f'"k{n}":1' for n in range(90_000))
    if target == "mcp":
        method, path = "POST", f"/connect/{namespace}/c/mcp"
        body = ('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{' + keys
                + "}}}").encode()
    else:
        method, path = "PUT", f"/connect/{namespace}/c"
        body = ('{"metadata":{' + keys + "}}").encode()
    request = (f"{method} {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {ADMIN_KEY}\r\n"
               f"Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    attackers = open_sockets(gateway, 4)
    for sock in attackers:
        sock.sendall(request)
    try:
        assert health_answered(gateway)
        for sock in attackers:
            status, _, answer, _ = read_response(sock)
            assert status == 400 and b"maxObjectMembers" in answer, answer[:200]
    finally:
        for sock in attackers:
            sock.close()
