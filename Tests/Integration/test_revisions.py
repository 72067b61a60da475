"""Protocol revisions end to end, through the gateway and direct, with real SDKs on both sides: the 2.x client in
mode "auto" (2026-07-28 when offered) and "legacy" (initialize), and the 1.x client, against a 2026-capable upstream
(SDK 2.x) and a handshake-only one (SDK 1.x). The gateway must look to each client like the upstream does direct."""
import asyncio
import base64
import json
import threading
import time

import anyio
import httpx
import pytest

from clients import GENERATIONS, run_steps
from gateway import ADMIN_KEY
from outcomes import call_outcome
from test_mcp import put, sse_or_json, with_client
from upstream import Upstream

MODERN = "2026-07-28"
LATEST_HANDSHAKE = "2025-11-25"
UPSTREAM_KINDS = ["modern", "handshake"]


def envelope(version=MODERN):
    return {"io.modelcontextprotocol/protocolVersion": version, "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "1"}}


MODERN_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                  "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "echo"}
HANDSHAKE_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                     "MCP-Protocol-Version": LATEST_HANDSHAKE, "Authorization": f"Bearer {ADMIN_KEY}"}

STEPS = [
    {"op": "list_tools"},
    {"op": "call", "name": "echo", "arguments": {"text": "hello"}},
    {"op": "call", "name": "add", "arguments": {"a": 2, "b": 3}},
    {"op": "call", "name": "progress", "arguments": {"steps": 3}},
    {"op": "call", "name": "fail", "arguments": {"message": "boom"}},
    {"op": "call", "name": "nope", "arguments": {}},
    {"op": "list_resources"},
    {"op": "list_templates"},
    {"op": "read", "uri": "text://greeting"},
    {"op": "read", "uri": "text://notes/gateways"},
    {"op": "list_prompts"},
    {"op": "get_prompt", "name": "review", "arguments": {"code": "x = 1"}},
]


@pytest.fixture(scope="module")
def upstreams():
    """SSE-mode upstreams of both generations, with the extra `large` tool."""
    started = {"modern": Upstream(extra_tools=True).start(),
               "handshake": Upstream(generation=1, extra_tools=True).start()}
    yield started
    for instance in started.values():
        instance.stop()


def connection_url(gateway, namespace, target, connection_id="c"):
    put(gateway, namespace, connection_id, {"mcpUrl": target.url})
    return f"{gateway.url}/connect/{namespace}/{connection_id}/mcp"


@pytest.mark.parametrize("upstream_kind", UPSTREAM_KINDS)
@pytest.mark.parametrize("generation", GENERATIONS)
def test_each_client_generation_sees_through_the_gateway_what_it_sees_direct(
        connect_gateway, namespace, upstreams, generation, upstream_kind):
    target = upstreams[upstream_kind]
    direct = run_steps(generation, target.url, STEPS)
    seen_before = len(target.log())
    via = run_steps(generation, connection_url(connect_gateway, namespace, target), STEPS)
    assert via["steps"] == direct["steps"]
    assert (via["serverName"], via["instructions"]) == (direct["serverName"], direct["instructions"])
    tools, echoed, added, progressed, failed, unknown, resources, templates, greeting, note, prompts, prompt = \
        via["steps"]
    assert {"echo", "add", "fail", "progress", "sleep", "repo.search", "large"} <= set(tools)
    assert echoed == {"texts": ["hello"], "isError": False, "progress": []}
    assert added["texts"] == ["5"] and not added["isError"]
    assert [step[0] for step in progressed["progress"]] == [1, 2, 3], "progress passes through, in order"
    assert failed["isError"] and unknown["isError"]
    assert resources == ["text://greeting"] and templates == ["text://notes/{topic}"] and prompts == ["review"]
    assert greeting[0]["text"].startswith("Hello from fixture-upstream") and note[0]["uri"] == "text://notes/gateways"
    assert prompt[0]["text"].endswith(": x = 1")
    assert via["protocolVersion"] == (MODERN if generation == "auto" else LATEST_HANDSHAKE)
    received = [e for e in target.log()[seen_before:] if e["method"] == "POST"]
    if upstream_kind == "modern":
        assert all(e["headers"].get("mcp-protocol-version") == MODERN for e in received), received
        assert not any("mcp-session-id" in e["headers"] for e in received), "2026-07-28 is stateless"
        assert not any(e["rpc"] == "initialize" for e in received)
        calls = [e for e in received if e["rpc"] == "tools/call"]
        assert calls and all(e["headers"]["mcp-method"] == "tools/call" for e in calls)
        assert all(e["headers"]["mcp-name"] == e["tool"] for e in calls)
    else:
        assert any(e["rpc"] == "initialize" for e in received), "a handshake-only upstream gets a session"
        calls = [e for e in received if e["rpc"] == "tools/call"]
        assert calls and all(e["headers"].get("mcp-session-id") for e in calls)
        # Only the gateway's server/discover probe (which a 1.x server refuses) speaks 2026-07-28 to it.
        assert all(e["headers"].get("mcp-protocol-version") != MODERN for e in received
                   if e["rpc"] != "server/discover")


# 2 MB of text: the upstream sends it twice (content and structuredContent), which stays under the gateway's default
# mcp.maxUpstreamMessageBytes (4 MiB); 2 MiB would not.
LARGE = 2_000_000


@pytest.mark.parametrize("upstream_kind", UPSTREAM_KINDS)
@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_2_mb_result_from_an_sse_upstream_reaches_every_client_generation(
        connect_gateway, namespace, upstreams, generation, upstream_kind):
    """Direct, the 2.x client refuses an SSE event over 1 MiB (legacy mode against the 2.x upstream, every mode
    against the 1.x one, whose answers are always SSE); through the gateway the final answer comes as plain JSON."""
    target = upstreams[upstream_kind]
    steps = [{"op": "call", "name": "large", "arguments": {"size": LARGE}}]
    expected = call_outcome([{"text": "x" * LARGE}], False, [])
    via = run_steps(generation, connection_url(connect_gateway, namespace, target), steps)
    assert via["steps"] == [expected]
    if generation == "1.x" or (generation, upstream_kind) == ("auto", "modern"):
        assert run_steps(generation, target.url, steps)["steps"] == [expected]


@pytest.mark.parametrize("upstream_kind", UPSTREAM_KINDS)
@pytest.mark.parametrize("era", ["handshake", "2026"])
def test_an_sse_answer_that_is_only_the_final_message_comes_as_plain_json(
        connect_gateway, namespace, upstreams, era, upstream_kind):
    url = connection_url(connect_gateway, namespace, upstreams[upstream_kind])
    call = ("tools/call", {"name": "large", "arguments": {"size": LARGE}})
    if era == "2026":
        response = post_raw(url, routed(call), body_of(call))
    else:
        response = httpx.post(url, headers=HANDSHAKE_HEADERS, json=body_of(call, with_meta=False), timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["result"]["content"][0]["text"] == "x" * LARGE


def wait_for_sleep_event(target, seen_before, timeout=15):
    """The first `sleep` event the upstream recorded after `seen_before` events ("cancelled" or "finished")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = target.events("sleep")[seen_before:]
        if events:
            return events[0]
        time.sleep(0.1)
    return None


def cancel_a_slow_call(url, mode):
    """Calls `sleep` for 3 s and gives up after 1 s; True when the client got no answer (it cancelled)."""
    async def body(client):
        with anyio.move_on_after(1) as scope:
            await client.call_tool("sleep", {"seconds": 3})
        await asyncio.sleep(0.5)  # lets the cancellation leave the client before the session closes
        return scope.cancelled_caught

    return asyncio.run(asyncio.wait_for(with_client(url, mode, body), 30))


# (client mode, upstream kind, route): mode "legacy" cancels with notifications/cancelled, mode "auto" (2026-07-28
# through the gateway, and direct to the 2.x upstream) by closing its request.
CANCEL_CASES = [(mode, kind, "direct") for mode in ("legacy", "auto") for kind in UPSTREAM_KINDS] + [
    ("legacy", "modern", "gateway"),
    ("legacy", "handshake", "gateway"),
    ("auto", "modern", "gateway"),
    ("auto", "handshake", "gateway"),
]


@pytest.mark.parametrize("mode, upstream_kind, route", CANCEL_CASES)
def test_a_call_the_client_cancels_is_cancelled_upstream(
        connect_gateway, namespace, upstreams, mode, upstream_kind, route):
    target = upstreams[upstream_kind]
    url = target.url if route == "direct" else connection_url(connect_gateway, namespace, target)
    seen_before, received_before = len(target.events("sleep")), len(target.log())
    assert cancel_a_slow_call(url, mode)
    assert wait_for_sleep_event(target, seen_before) == "cancelled"
    received = target.log()[received_before:]
    cancels = [e for e in received if e["rpc"] == "notifications/cancelled"]
    if upstream_kind == "handshake":
        call = [e for e in received if e["rpc"] == "tools/call" and e["tool"] == "sleep"][-1]
        assert [e["requestId"] for e in cancels] == [call["id"]], "the cancel names the upstream's own request id"
        assert cancels[0]["headers"].get("mcp-session-id") == call["headers"].get("mcp-session-id")
    elif route == "gateway":
        assert cancels == [], "the gateway speaks 2026-07-28 to this upstream, whose cancel is closing the request"


@pytest.mark.parametrize("upstream_kind", UPSTREAM_KINDS)
@pytest.mark.parametrize("route", ["connection", "toolbox"])
def test_a_handshake_era_cancel_answers_the_call_with_32800(
        connect_gateway, namespace, upstreams, upstream_kind, route):
    target = upstreams[upstream_kind]
    url = connection_url(connect_gateway, namespace, target)
    tool = "sleep"
    if route == "toolbox":  # the namespace's toolbox names the tool after its connection
        url, tool = f"{connect_gateway.url}/connect/{namespace}/mcp", "c.sleep"
    seen_before = len(target.events("sleep"))
    answer = {}

    def call():
        answer["call"] = httpx.post(url, headers=HANDSHAKE_HEADERS, timeout=20, json={
            "jsonrpc": "2.0", "id": "slow-1", "method": "tools/call",
            "params": {"name": tool, "arguments": {"seconds": 3}}})

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(1)
    cancelled = httpx.post(url, headers=HANDSHAKE_HEADERS, timeout=10, json={
        "jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "slow-1", "reason": "test"}})
    thread.join(timeout=25)
    assert cancelled.status_code == 202
    response = answer["call"]
    body = response.json() if response.headers["content-type"].startswith("application/json") else \
        sse_or_json(response.text)
    assert body["id"] == "slow-1" and body["error"]["code"] == -32800, body
    # Whether the upstream saw the cancel is test_a_call_the_client_cancels_is_cancelled_upstream's; this waits
    # for the upstream's tool to end, so its event cannot land in a later test.
    wait_for_sleep_event(target, seen_before)


ECHO = ("tools/call", {"name": "echo", "arguments": {"text": "hi"}})
READ = ("resources/read", {"uri": "text://greeting"})
PROMPT = ("prompts/get", {"name": "review", "arguments": {"code": "c"}})


def body_of(call, meta=None, with_meta=True):
    method, params = call
    return {"jsonrpc": "2.0", "id": 9, "method": method,
            "params": {**params, **({"_meta": meta or envelope()} if with_meta else {})}}


def routed(call, **changes):
    """The header changes that route `call` (MODERN_HEADERS are tools/call of echo), then `changes`."""
    method, params = call
    return {"Mcp-Method": method, "Mcp-Name": params.get("name") or params.get("uri"), **changes}


def base64_name(name):
    return "=?base64?" + base64.b64encode(name.encode()).decode() + "?="


# (name, headers changed (None = removed), body, status, code, whether the SDK server direct answers the same bytes
# alike: without MCP-Protocol-Version it routes a request to its handshake-era side, which no gateway needs to copy)
HEADER_CASES = [
    ("agreeing headers", {}, body_of(ECHO), 200, None, True),
    ("agreeing headers, resources/read", routed(READ), body_of(READ), 200, None, True),
    ("agreeing headers, prompts/get", routed(PROMPT), body_of(PROMPT), 200, None, True),
    ("Mcp-Name in base64", {"Mcp-Name": base64_name("echo")}, body_of(ECHO), 200, None, True),
    ("Mcp-Method missing", {"Mcp-Method": None}, body_of(ECHO), 400, -32020, True),
    ("Mcp-Method disagrees", {"Mcp-Method": "tools/list"}, body_of(ECHO), 400, -32020, True),
    ("Mcp-Name missing", {"Mcp-Name": None}, body_of(ECHO), 400, -32020, True),
    ("Mcp-Name disagrees", {"Mcp-Name": "add"}, body_of(ECHO), 400, -32020, True),
    ("Mcp-Name in base64 disagrees", {"Mcp-Name": base64_name("add")}, body_of(ECHO), 400, -32020, True),
    ("resources/read Mcp-Name disagrees", routed(READ, **{"Mcp-Name": "text://other"}), body_of(READ), 400, -32020,
     True),
    ("prompts/get Mcp-Name disagrees", routed(PROMPT, **{"Mcp-Name": "other"}), body_of(PROMPT), 400, -32020, True),
    ("MCP-Protocol-Version disagrees with _meta", {}, body_of(ECHO, envelope(LATEST_HANDSHAKE)), 400, -32020, True),
    ("MCP-Protocol-Version missing", {"MCP-Protocol-Version": None}, body_of(ECHO), 400, -32020, False),
    ("unsupported version", {"MCP-Protocol-Version": "2027-01-01"}, body_of(ECHO, envelope("2027-01-01")), 400,
     -32022, True),
    ("unsupported header version, 2026-07-28 in _meta", {"MCP-Protocol-Version": "2027-01-01"}, body_of(ECHO), 400,
     -32020, True),
    ("2026-07-28 header, unsupported version in _meta", {}, body_of(ECHO, envelope("2027-01-01")), 400, -32020, True),
    ("no _meta envelope", {}, body_of(ECHO, with_meta=False), 400, -32602, True),
]


def post_raw(url, changes, body):
    headers = {"Authorization": f"Bearer {ADMIN_KEY}", **MODERN_HEADERS}
    for name, value in changes.items():
        headers.pop(name)
        if value is not None:
            headers[name] = value
    return httpx.post(url, headers=headers, content=json.dumps(body).encode(), timeout=20)


def answer_of(response):
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return sse_or_json(response.text)
    return response.json()


@pytest.mark.parametrize("name, changes, body, status, code, comparable", HEADER_CASES,
                         ids=[(c.values if hasattr(c, "values") else c)[0] for c in HEADER_CASES])
def test_2026_headers_are_checked_against_the_body_as_the_sdk_server_does(
        connect_gateway, namespace, upstreams, name, changes, body, status, code, comparable):
    target = upstreams["modern"]
    via = post_raw(connection_url(connect_gateway, namespace, target), changes, body)
    answer = answer_of(via)
    assert via.status_code == status, answer
    assert answer["id"] == 9
    if code is None:
        assert answer["result"]["resultType"] == "complete"
    else:
        assert answer["error"]["code"] == code, answer
        assert via.headers["content-type"].startswith("application/json")
    if code == -32022:
        assert MODERN in answer["error"]["data"]["supported"]
        assert answer["error"]["data"]["requested"] == "2027-01-01"
    if comparable:
        direct = post_raw(target.url, changes, body)
        direct_answer = answer_of(direct)
        assert (via.status_code, answer.get("error", {}).get("code")) == \
            (direct.status_code, direct_answer.get("error", {}).get("code")), direct_answer
        if code is None:
            assert without_meta(answer["result"]) == without_meta(direct_answer["result"])


def without_meta(result):
    return {k: v for k, v in result.items() if k != "_meta"}
