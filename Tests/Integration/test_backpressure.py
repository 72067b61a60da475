"""A client that reads a streamed answer slowly holds the upstream back: the gateway keeps no more than its bound
for that client, and everything arrives, intact and in order, once the client reads."""
import json
import socket
import time

from fixture_upstream import FloodingUpstream
from gateway import ADMIN_KEY, Gateway
from test_abuse import MIB, rss
from test_tokens import put

BOUND = 262_144
EVENT = 65_536
# 40 MiB: several times what the kernel's socket buffers between upstream, gateway and client can hold.
COUNT = 640


def metric(gateway, name):
    _, _, text = gateway.request("GET", "/metrics")
    for line in text.decode().splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    return None


def wait_until_held_back(upstream):
    """Until the upstream has sent everything or has stopped getting rid of bytes (its reader holds it back)."""
    last, unchanged = -1, 0
    for _ in range(600):
        time.sleep(0.1)
        if upstream.finished:
            return
        unchanged = unchanged + 1 if upstream.sent == last else 0
        last = upstream.sent
        if unchanged >= 20:
            return


def read_chunked_body(sock, buffer):
    """The decoded body of a chunked response whose head ends in `buffer`."""
    head, _, rest = buffer.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0], head
    assert b"chunked" in head.lower(), head
    body = bytearray()
    pending = rest
    while True:
        while b"\r\n" not in pending:
            pending += sock.recv(1 << 20)
        size_line, _, pending = pending.partition(b"\r\n")
        size = int(size_line, 16)
        while len(pending) < size + 2:
            more = sock.recv(1 << 20)
            assert more, "closed inside the body"
            pending += more
        if size == 0:
            return bytes(body)
        body += pending[:size]
        pending = pending[size + 2:]


def test_a_client_that_stops_reading_holds_the_upstream_back_and_loses_nothing(namespace):
    upstream = FloodingUpstream(COUNT, EVENT)
    gateway = Gateway(config={"http": {"maxPendingOutputBytes": BOUND}},
                      env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
    try:
        put(gateway, namespace, "c", {"mcpUrl": upstream.url})
        baseline = rss(gateway)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(60)
        sock.connect(("127.0.0.1", gateway.port))
        body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                           "params": {"name": "flood", "arguments": {}}}).encode()
        sock.sendall(b"POST /connect/%s/c/mcp HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
                     b"Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (namespace.encode(), ADMIN_KEY.encode(), len(body), body))
        wait_until_held_back(upstream)
        held_rss = rss(gateway)
        peak = metric(gateway, "switchboard_http_peak_pending_output_bytes")
        assert not upstream.finished, "the whole stream was taken from the upstream while the client read nothing"
        # One read of the upstream's stream (and the event it completes) may go out past the bound.
        assert peak is not None and peak <= BOUND + 4 * EVENT, peak
        assert held_rss < baseline + 16 * MIB, (baseline, held_rss)

        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(65536)
        events = [block for block in read_chunked_body(sock, buffer).split(b"\n\n") if block]
        messages = [json.loads(block.split(b"data: ", 1)[1]) for block in events]
        assert len(messages) == COUNT + 1
        for index, message in enumerate(messages[:-1]):
            assert message["method"] == "notifications/message"
            assert message["params"]["data"] == upstream.data(index), index
        assert messages[-1]["id"] == 7 and messages[-1]["result"]["content"][0]["text"] == "done"
        assert upstream.finished
        assert metric(gateway, "switchboard_http_peak_pending_output_bytes") <= BOUND + 4 * EVENT
        sock.close()
    finally:
        gateway.stop()
        upstream.stop()
