"""The MCP endpoint /connect/{namespace}/{id}/mcp with the official Python SDK client in front and real SDK
upstreams behind, in SSE and JSON-response modes."""
import asyncio
import json
import threading
import time
import urllib.request

import httpx2
import jsonschema
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from gateway import ADMIN_KEY, Gateway
from spec import schema
from upstream import Canary, Upstream


def put(gateway, namespace, connection_id, body):
    status, _, created = gateway.request("PUT", f"/connect/{namespace}/{connection_id}", body, key=ADMIN_KEY)
    assert status in (200, 201), created
    return created


def rpc(gateway, path, message, headers=None):
    all_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    all_headers.update(headers or {})
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return gateway.request("POST", path, body, headers=all_headers, key=ADMIN_KEY)


def sse_messages(raw):
    """The JSON messages of an SSE body."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    return [json.loads(line[5:].strip()) for line in text.splitlines() if line.startswith("data:")]


async def with_client(url, mode, body):
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            return await body(client)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("upstream_kind", ["upstream", "json_upstream"])
def test_sdk_client_lists_calls_and_sees_progress_and_errors(connect_gateway, namespace, mode, upstream_kind, request):
    target = request.getfixturevalue(upstream_kind)
    put(connect_gateway, namespace, "c", {"mcpUrl": target.url})
    url = f"{connect_gateway.url}/connect/{namespace}/c/mcp"

    async def session(client):
        tools = await client.list_tools()
        echoed = await client.call_tool("echo", {"text": "hello"})
        updates = []

        async def on_progress(progress, total, message):
            updates.append((progress, total, message))

        progressed = await client.call_tool("progress", {"steps": 3}, progress_callback=on_progress)
        failed = await client.call_tool("fail", {"message": "boom"})
        return tools, echoed, progressed, updates, failed

    tools, echoed, progressed, updates, failed = asyncio.run(with_client(url, mode, session))
    assert {t.name for t in tools.tools} >= {"echo", "add", "fail", "progress", "sleep", "repo.search"}
    assert echoed.content[0].text == "hello" and not echoed.is_error
    assert progressed.content[0].text == "done after 3 steps"
    if upstream_kind == "upstream":
        assert [u[0] for u in updates] == [1, 2, 3], "progress notifications pass through as they come"
    assert failed.is_error


def test_initialize_and_discover_are_answered_from_the_cached_handshake(connect_gateway, namespace, upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url})
    path = f"/connect/{namespace}/c/mcp"
    status, _, first = rpc(connect_gateway, path, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    assert status == 200
    assert first["result"]["protocolVersion"] == "2025-06-18"
    assert first["result"]["serverInfo"] == {"name": "fixture-upstream", "version": "1.2.3"}
    handshakes = len([e for e in upstream.log() if e["rpc"] == "initialize"])
    status, _, discovered = rpc(connect_gateway, path, {"jsonrpc": "2.0", "id": "d", "method": "server/discover"})
    assert status == 200 and discovered["id"] == "d"
    assert "tools" in discovered["result"]["capabilities"]
    rpc(connect_gateway, path, {"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    assert len([e for e in upstream.log() if e["rpc"] == "initialize"]) == handshakes, "no new upstream handshake"
    _, _, connection = connect_gateway.request("GET", f"/connect/{namespace}/c", key=ADMIN_KEY)
    jsonschema.validate(connection, schema("Connection"))
    assert connection["status"] == {"state": "connected"}
    assert connection["serverInfo"]["name"] == "fixture-upstream"


def test_stored_headers_go_upstream_and_the_clients_authorization_does_not(connect_gateway, namespace, upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url, "headers": {"X-Upstream-Token": "tok-123"}})
    rpc(connect_gateway, f"/connect/{namespace}/c/mcp",
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "h"}}})
    call = upstream.tool_calls("echo")[-1]
    assert call["headers"].get("x-upstream-token") == "tok-123"
    assert ADMIN_KEY not in json.dumps(call["headers"])


@pytest.mark.parametrize("upstream_kind", ["upstream", "json_upstream"])
def test_a_large_call_and_answer_arrive_through_the_gateway_as_they_do_direct(
        connect_gateway, namespace, upstream_kind, request):
    # About 700 KB each way, escapes and two-byte characters throughout: many reads, each split anywhere.
    target = request.getfixturevalue(upstream_kind)
    put(connect_gateway, namespace, "c", {"mcpUrl": target.url})
    text = "".join(f'{n}:caf\u00e9 "quoted" \\ back\nslash\t' for n in range(20_000))

    async def echo(client):
        return (await client.call_tool("echo", {"text": text})).content[0].text

    through = asyncio.run(with_client(f"{connect_gateway.url}/connect/{namespace}/c/mcp", "auto", echo))
    direct = asyncio.run(with_client(target.url, "auto", echo))
    assert direct == text
    assert through == direct


def test_100_concurrent_calls_with_the_same_id_each_get_their_own_answer(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    path = f"/connect/{namespace}/c/mcp"
    results = {}

    def call(n):
        status, _, body = rpc(connect_gateway, path, {
            "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": f"m{n}"}}})
        results[n] = (status, body)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(100):
        status, body = results[n]
        assert status == 200 and body["id"] == 7
        assert body["result"]["content"][0]["text"] == f"m{n}"


def test_upstream_killed_mid_call_fails_that_call_and_recovers_after_restart(connect_gateway, namespace):
    target = Upstream(json_response=True).start()
    try:
        put(connect_gateway, namespace, "c", {"mcpUrl": target.url})
        path = f"/connect/{namespace}/c/mcp"
        outcome = {}

        def slow():
            outcome["slow"] = rpc(connect_gateway, path, {
                "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "sleep", "arguments": {"seconds": 5}}})

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(1)
        target.stop()
        thread.join(timeout=15)
        status, _, body = outcome["slow"]
        assert status == 200 and body["error"]["code"] == -32000 and "Upstream error" in body["error"]["message"]
        _, _, connection = connect_gateway.request("GET", f"/connect/{namespace}/c", key=ADMIN_KEY)
        assert connection["status"]["state"] == "error" and connection["status"]["message"]

        target.start()  # same port
        status, _, body = rpc(connect_gateway, path, {
            "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "back"}}})
        assert status == 200 and body.get("result", {}).get("content", [{}])[0].get("text") == "back", body
        _, _, connection = connect_gateway.request("GET", f"/connect/{namespace}/c", key=ADMIN_KEY)
        assert connection["status"] == {"state": "connected"}
    finally:
        target.stop()


def test_upstream_401_means_auth_required_and_later_calls_never_reach_it(connect_gateway, namespace):
    target = Upstream(json_response=True, require_key="right").start()
    try:
        put(connect_gateway, namespace, "c", {"mcpUrl": target.url, "headers": {"X-API-Key": "wrong"}})
        path = f"/connect/{namespace}/c/mcp"
        message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "x"}}}
        status, _, body = rpc(connect_gateway, path, message)
        assert status == 200
        jsonschema.validate(body, schema("AuthRequiredError"))
        assert body["error"]["data"]["authorizationUrl"].endswith(f"/connect/{namespace}/c")
        requests_so_far = len(target.log())
        status, _, body = rpc(connect_gateway, path, message)
        jsonschema.validate(body, schema("AuthRequiredError"))
        assert len(target.log()) == requests_so_far, "an auth_required connection is not called"
        _, _, connection = connect_gateway.request("GET", f"/connect/{namespace}/c", key=ADMIN_KEY)
        jsonschema.validate(connection, schema("Connection"))
        assert connection["status"]["state"] == "auth_required"
        assert connection["status"]["setupUrl"] == connection["status"]["authorizationUrl"]
        # Fixing the headers re-evaluates the connection.
        put(connect_gateway, namespace, "c", {"headers": {"X-API-Key": "right"}})
        status, _, body = rpc(connect_gateway, path, message)
        assert body["result"]["content"][0]["text"] == "x"
    finally:
        target.stop()


@pytest.mark.parametrize("generation, reaches_upstream", [(1, 1), (2, 3)])
def test_tools_list_is_cached_as_the_upstream_allows(connect_gateway, namespace, generation, reaches_upstream):
    """A handshake-era upstream's listing is kept until it announces a change; a 2026-07-28 upstream says how long
    it may be kept (`ttlMs`, 0 for the SDK's: not at all), so every listing reaches it."""
    target = Upstream(json_response=True, generation=generation).start()
    try:
        put(connect_gateway, namespace, "c", {"mcpUrl": target.url})
        path = f"/connect/{namespace}/c/mcp"
        for n in range(3):
            _, _, body = rpc(connect_gateway, path, {"jsonrpc": "2.0", "id": n, "method": "tools/list"})
            assert body["id"] == n and len(body["result"]["tools"]) == 6
        assert len([e for e in target.log() if e["rpc"] == "tools/list"]) == reaches_upstream
    finally:
        target.stop()


@pytest.mark.parametrize("name, headers, body, status, code", [
    ("bad origin", {"Origin": "https://evil.example"}, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, 403, None),
    ("bad protocol version", {"MCP-Protocol-Version": "1999-01-01"}, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, 400, -32022),
    ("invalid JSON", {}, b"{not json", 400, -32700),
    ("batch", {}, [{"jsonrpc": "2.0", "id": 1, "method": "ping"}], 400, -32600),
    ("wrong version", {}, {"jsonrpc": "1.0", "id": 1, "method": "ping"}, 400, -32600),
    ("object id", {}, {"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}, 400, -32600),
    ("notification", {}, {"jsonrpc": "2.0", "method": "notifications/initialized"}, 202, None),
    ("response", {}, {"jsonrpc": "2.0", "id": 3, "result": {}}, 202, None),
    ("Mcp-Method disagrees", {"Mcp-Method": "tools/list"}, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, 400, -32020),
    ("Mcp-Name disagrees", {"Mcp-Method": "tools/call", "Mcp-Name": "echo"},
     {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 1, "b": 2}}}, 400, -32020),
    ("Mcp-Method agrees", {"Mcp-Method": "ping"}, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, 200, None),
])
def test_mcp_endpoint_rejections(connect_gateway, namespace, upstream, name, headers, body, status, code):
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url})
    got_status, _, got = rpc(connect_gateway, f"/connect/{namespace}/c/mcp",
                             body if isinstance(body, bytes) else json.dumps(body).encode(), headers)
    assert got_status == status, got
    if code is not None:
        jsonschema.validate(got, schema("JsonRpcError"))
        assert got["error"]["code"] == code
        assert got["id"] == (1 if name.startswith("Mcp-") or code == -32022 else None)
    elif status >= 400:
        jsonschema.validate(got, schema("Error"))


def test_get_on_the_mcp_endpoint_is_405(connect_gateway, namespace, upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url})
    status, headers, _ = connect_gateway.request("GET", f"/connect/{namespace}/c/mcp", key=ADMIN_KEY)
    assert status == 405 and headers["Allow"] == "POST"


def test_a_blocked_address_is_refused_and_never_dialled(namespace):
    canary = Canary()
    gateway = Gateway().start()  # default egress policy: loopback is special-purpose
    try:
        put(gateway, namespace, "c", {"mcpUrl": f"http://127.0.0.1:{canary.port}/mcp"})
        status, _, body = rpc(gateway, f"/connect/{namespace}/c/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert status == 200 and body["error"]["code"] == -32000
        assert "egress policy" in body["error"]["message"] and "127.0.0.1" in body["error"]["message"]
        put(gateway, namespace, "d", {"mcpUrl": f"http://localhost:{canary.port}/mcp"})
        _, _, body = rpc(gateway, f"/connect/{namespace}/d/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert "egress policy" in body["error"]["message"]
        time.sleep(0.2)
        assert canary.accepted == 0
    finally:
        gateway.stop()
        canary.close()


@pytest.mark.parametrize("json_response", [False, True])
def test_an_upstream_answer_over_the_limit_is_an_error_not_a_buffer(namespace, json_response):
    target = Upstream(json_response=json_response).start()
    gateway = Gateway(config={"mcp": {"maxUpstreamMessageBytes": 2048}},
                      env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
    try:
        put(gateway, namespace, "c", {"mcpUrl": target.url})
        path = f"/connect/{namespace}/c/mcp"
        small = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "ok"}}}
        assert sse_or_json(rpc(gateway, path, small)[2])["result"]["content"][0]["text"] == "ok"
        big = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "x" * 5000}}}
        answer = sse_or_json(rpc(gateway, path, big)[2])
        assert answer["id"] == 2 and answer.get("error", {}).get("code") == -32000, str(answer)[:300]
        assert "larger than 2048 bytes" in answer["error"]["message"]
    finally:
        gateway.stop()
        target.stop()


def sse_or_json(body):
    """The answer of a JSON body, or the last message of an SSE body."""
    return body if isinstance(body, dict) else sse_messages(body)[-1]
