"""The gateway binary over real sockets: health, auth, errors, keep-alive, hardened parsing, shutdown."""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time

import jsonschema
import pytest

from gateway import ADMIN_KEY, BINARY, Gateway, closed_by_peer, read_response
from spec import schema


def test_health_matches_the_spec(gateway):
    status, headers, body = gateway.request("GET", "/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    jsonschema.validate(body, schema("Health"))
    assert body["status"] == "ok"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["timestamp"])


def test_requests_without_a_valid_key_get_401(gateway):
    for key in [None, "wrong", ADMIN_KEY + "x", ADMIN_KEY[:-1]]:
        status, headers, body = gateway.request("GET", "/connect/ns", key=key)
        assert status == 401
        assert body["error"] == "unauthorized" and body["message"]
        jsonschema.validate(body, schema("Error"))
        assert headers["WWW-Authenticate"] == "Bearer"


def test_unknown_routes_get_404_and_wrong_methods_405(gateway):
    status, _, body = gateway.request("GET", "/no/such/route", key=ADMIN_KEY)
    assert status == 404 and body["error"] == "not_found"
    jsonschema.validate(body, schema("Error"))
    status, headers, body = gateway.request("DELETE", "/health", key=ADMIN_KEY)
    assert status == 405 and body["error"] == "method_not_allowed"
    assert headers["Allow"] == "GET"


def test_request_id_is_echoed_or_generated(gateway):
    _, headers, _ = gateway.request("GET", "/health", headers={"X-Request-Id": "abc-123"})
    assert headers["X-Request-Id"] == "abc-123"
    _, first, _ = gateway.request("GET", "/health", headers={"X-Request-Id": "bad id with spaces"})
    _, second, _ = gateway.request("GET", "/health")
    assert first["X-Request-Id"] != second["X-Request-Id"]
    assert first["X-Request-Id"] != "bad id with spaces"


def test_one_json_log_line_per_request(gateway):
    gateway.request("GET", "/health", headers={"X-Request-Id": "log-probe-1"})
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = [json.loads(l) for l in gateway.stderr_text().splitlines() if l.startswith("{")]
        probe = [l for l in lines if l.get("requestId") == "log-probe-1"]
        if probe:
            break
        time.sleep(0.05)
    assert len(probe) == 1
    assert probe[0]["method"] == "GET" and probe[0]["path"] == "/health" and probe[0]["status"] == 200
    assert probe[0]["durationMs"] >= 0
    assert ADMIN_KEY not in gateway.stderr_text()


def test_metrics_in_prometheus_format(gateway):
    gateway.request("GET", "/health")
    status, headers, body = gateway.request("GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    text = body.decode() if isinstance(body, bytes) else str(body)
    assert re.search(r'switchboard_http_requests_total\{route="/health",method="GET",status="200"\} \d+', text)
    assert 'switchboard_http_request_duration_seconds_bucket{route="/health",le="+Inf"}' in text
    assert re.search(r"^switchboard_http_open_connections \d+$", text, re.M)
    assert "# TYPE switchboard_upstream_pool_connections gauge" in text


def test_keep_alive_reuses_one_socket_for_1000_requests(gateway):
    sock = gateway.connect()
    leftover = b""
    for i in range(1000):
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, body, leftover = read_response(sock, leftover)
        assert status == 200, i
        assert headers.get("connection") != "close"
    sock.close()


def test_pipelined_requests_are_answered_in_order(gateway):
    sock = gateway.connect()
    sock.sendall(
        b"GET /health HTTP/1.1\r\nHost: t\r\nX-Request-Id: p1\r\n\r\n"
        b"GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: p2\r\n\r\n"
        b"GET /health HTTP/1.1\r\nHost: t\r\nX-Request-Id: p3\r\n\r\n")
    leftover = b""
    seen = []
    for _ in range(3):
        status, headers, _, leftover = read_response(sock, leftover)
        seen.append((status, headers["x-request-id"]))
    assert seen == [(200, "p1"), (401, "p2"), (200, "p3")]
    sock.close()


def test_expect_100_continue(gateway):
    sock = gateway.connect()
    sock.sendall(b"POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n"
                 b"Authorization: Bearer " + ADMIN_KEY.encode() + b"\r\n\r\n")
    interim = sock.recv(1024)
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    sock.sendall(b"abcd")
    status, _, _, _ = read_response(sock, interim[len(b"HTTP/1.1 100 Continue\r\n\r\n"):])
    assert status == 405


MALFORMED = [
    ("smuggling CL+TE", b"POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("duplicate Content-Length", b"POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", 400),
    ("NUL in a header", b"GET /health HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n", 400),
    ("bad chunk size", b"POST /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
    ("over-long line", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 400),
    ("oversize headers", b"GET /health HTTP/1.1\r\nHost: t\r\n" + b"X-Pad: " + b"p" * 7000 + b"\r\n" + b"X-Pad2: " + b"p" * 7000 + b"\r\n" + b"X-Pad3: " + b"p" * 7000 + b"\r\n\r\n", 431),
    ("body too large", b"POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 413),
    ("unsupported transfer coding", b"POST /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ("no Host", b"GET /health HTTP/1.1\r\n\r\n", 400),
    ("two Host fields", b"GET /health HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", 400),
    ("bare CR split across reads", [b"POST /health HTTP/1.1\r\nHost: t\r\nX: a\r",
                                    b"ZTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], 400),
]


@pytest.mark.parametrize("name,raw,expected", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_requests_get_the_right_status_and_a_close(gateway, name, raw, expected):
    sock = gateway.connect()
    for piece in raw if isinstance(raw, list) else [raw]:
        sock.sendall(piece)
        time.sleep(0.05)  # separate reads, so the pieces arrive as the test means them to
    status, headers, body, _ = read_response(sock)
    assert status == expected
    assert headers["connection"] == "close"
    assert json.loads(body)["error"]
    assert closed_by_peer(sock)
    # The gateway is unharmed.
    assert gateway.request("GET", "/health")[0] == 200


def test_slow_headers_get_408():
    gw = Gateway(config={"http": {"headerTimeoutSeconds": 0.5, "idleTimeoutSeconds": 5}}).start()
    try:
        sock = gw.connect()
        sock.sendall(b"GET /health HTTP/1.1\r\nX-Slow: ")
        status, headers, body, _ = read_response(sock)
        assert status == 408
        assert json.loads(body)["error"] == "request_timeout"
        assert closed_by_peer(sock)
    finally:
        gw.stop()


def test_idle_keep_alive_connections_are_closed():
    gw = Gateway(config={"http": {"idleTimeoutSeconds": 0.5}}).start()
    try:
        sock = gw.connect()
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert read_response(sock)[0] == 200
        assert closed_by_peer(sock, timeout=5)
    finally:
        gw.stop()


def test_sigterm_lets_the_request_in_flight_finish_then_exits_0():
    gw = Gateway().start()
    sock = gw.connect()
    sock.sendall(b"POST /health HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + ADMIN_KEY.encode()
                 + b"\r\nContent-Length: 10\r\n\r\n01234")
    time.sleep(0.2)
    gw.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", gw.port), timeout=1).close()
    assert gw.process.poll() is None, "exited with a request in flight"
    sock.sendall(b"56789")
    status, headers, _, _ = read_response(sock)
    assert status == 405
    assert headers["connection"] == "close"
    assert gw.process.wait(timeout=10) == 0
    gw.stop()


def test_admin_key_is_created_once_and_printed_once(tmp_path):
    first = Gateway(admin_key=None, directory=str(tmp_path)).start()
    first.stop()
    printed = re.findall(r"^sbk_[A-Za-z0-9_-]{43}$", first.stderr_text(), re.M)
    assert len(printed) == 1
    key = printed[0]
    second = Gateway(admin_key=None, directory=str(tmp_path)).start()
    try:
        assert re.findall(r"^sbk_", second.stderr_text(), re.M) == []
        assert second.request("GET", "/nope", key=key)[0] == 404
        assert second.request("GET", "/nope", key="sbk_" + "A" * 43)[0] == 401
    finally:
        second.stop()
    rows = sqlite3.connect(str(tmp_path / "switchboard.db")).execute("SELECT * FROM api_keys").fetchall()
    assert len(rows) == 1 and key not in repr(rows)


def test_bad_config_names_the_field_and_exits_nonzero(tmp_path):
    path = tmp_path / "bad.json"
    for content, field in [({"http": {"maxBodyBytes": "big"}}, "http.maxBodyBytes"),
                           ({"listen": "nowhere"}, "listen"),
                           ({"lopps": 2}, "lopps")]:
        path.write_text(json.dumps(content))
        result = subprocess.run([BINARY, "serve", "--config", str(path)], capture_output=True, text=True, timeout=10)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and field in lines[0], result.stderr
    path.write_text("{not json")
    result = subprocess.run([BINARY, "serve", "--config", str(path)], capture_output=True, text=True, timeout=10)
    assert result.returncode != 0 and "invalid JSON" in result.stderr


def test_help_and_version():
    version = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
    assert version.returncode == 0 and re.fullmatch(r"switchboard \d+\.\d+\.\d+\n", version.stdout)
    usage = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=10)
    assert usage.returncode == 0 and "switchboard serve" in usage.stdout
