"""The REST tools API, the namespace-wide listing and the namespace toolbox, against real SDK upstreams."""
import asyncio

import httpx2
import jsonschema
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from gateway import ADMIN_KEY
from spec import schema
from upstream import Upstream


def put(gateway, namespace, connection_id, body):
    status, _, created = gateway.request("PUT", f"/connect/{namespace}/{connection_id}", body, key=ADMIN_KEY)
    assert status in (200, 201), created


def test_tool_list_get_and_category(connect_gateway, namespace, upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url})
    base = f"/connect/{namespace}/c/.tools"
    status, _, listing = connect_gateway.request("GET", base, key=ADMIN_KEY)
    assert status == 200
    jsonschema.validate(listing, schema("ToolList"))
    assert {t["name"] for t in listing["tools"]} == {"echo", "add", "fail", "progress", "sleep", "repo.search"}
    status, _, tool = connect_gateway.request("GET", f"{base}/echo", key=ADMIN_KEY)
    assert status == 200 and tool["name"] == "echo"
    jsonschema.validate(tool, schema("ToolResponse"))
    status, _, tool = connect_gateway.request("GET", f"{base}/repo/search", key=ADMIN_KEY)
    assert status == 200 and tool["name"] == "repo.search"
    status, _, category = connect_gateway.request("GET", f"{base}/repo", key=ADMIN_KEY)
    assert status == 200 and [t["name"] for t in category["tools"]] == ["repo.search"]
    for missing in [f"{base}/nope", f"/connect/{namespace}/ghost/.tools", f"/connect/{namespace}/ghost/.tools/echo"]:
        status, _, body = connect_gateway.request("GET", missing, key=ADMIN_KEY)
        assert status == 404
        jsonschema.validate(body, schema("Error"))


def test_tool_calls_validate_arguments_and_report_tool_errors(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    base = f"/connect/{namespace}/c/.tools"
    status, _, result = connect_gateway.request("POST", f"{base}/add", {"a": 2, "b": 3}, key=ADMIN_KEY)
    assert status == 200 and result["content"][0]["text"] == "5"
    status, _, result = connect_gateway.request("POST", f"{base}/repo/search", {"query": "q", "kind": "issues"}, key=ADMIN_KEY)
    assert status == 200 and result["content"][0]["text"] == "issues:q"
    calls_before = len(json_upstream.tool_calls())
    for body, field in [({"a": 1}, "arguments.b"), ({"a": "one", "b": 2}, "arguments.a"), ({"a": 1.5, "b": 2}, "arguments.a")]:
        status, _, error = connect_gateway.request("POST", f"{base}/add", body, key=ADMIN_KEY)
        assert status == 400, error
        jsonschema.validate(error, schema("ValidationError"))
        assert error["message"].startswith(field), error["message"]
    status, _, error = connect_gateway.request("POST", f"{base}/add", b"[1, 2]", key=ADMIN_KEY)
    assert status == 400 and error["error"] == "validation_error"
    assert len(json_upstream.tool_calls()) == calls_before, "invalid arguments never reach the upstream"
    status, _, error = connect_gateway.request("POST", f"{base}/fail", {"message": "boom"}, key=ADMIN_KEY)
    assert status == 422
    jsonschema.validate(error, schema("Error"))
    status, _, error = connect_gateway.request("POST", f"{base}/nope", {}, key=ADMIN_KEY)
    assert status == 404


def test_namespace_listing_survives_failing_and_unauthorised_upstreams(connect_gateway, namespace, upstream):
    dead = Upstream().start()
    dead.stop()
    locked = Upstream(json_response=True, require_key="k").start()
    try:
        put(connect_gateway, namespace, "good", {"mcpUrl": upstream.url})
        put(connect_gateway, namespace, "dead", {"mcpUrl": dead.url})
        put(connect_gateway, namespace, "locked", {"mcpUrl": locked.url})
        put(connect_gateway, namespace, "laptop", {"transport": "uplink"})
        # The first call finds out that `locked` needs authorization.
        status, _, first = connect_gateway.request("GET", f"/connect/{namespace}/.tools", key=ADMIN_KEY)
        assert status == 200
        calls_to_locked = len(locked.log())
        status, _, body = connect_gateway.request("GET", f"/connect/{namespace}/.tools", key=ADMIN_KEY)
        assert status == 200
        envelopes = {e["connectionId"]: e for e in body["connections"]}
        assert set(envelopes) == {"good", "dead", "locked", "laptop"}
        assert len(envelopes["good"]["tools"]) == 6 and envelopes["good"]["status"] == {"state": "connected"}
        assert "error" in envelopes["dead"] and envelopes["dead"]["status"]["state"] == "error"
        assert envelopes["locked"]["status"]["state"] == "auth_required" and "error" in envelopes["locked"]
        assert envelopes["laptop"]["status"] == {"state": "disconnected"}
        assert len(locked.log()) == calls_to_locked, "auth_required connections are skipped, not called"
    finally:
        locked.stop()


def test_toolbox_exposes_every_connection_and_routes_calls(connect_gateway, namespace, upstream, json_upstream):
    put(connect_gateway, namespace, "alpha", {"mcpUrl": upstream.url})
    put(connect_gateway, namespace, "beta.v2", {"mcpUrl": json_upstream.url})
    url = f"{connect_gateway.url}/connect/{namespace}/mcp"

    async def session():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                tools = await client.list_tools()
                first = await client.call_tool("alpha.echo", {"text": "to alpha"})
                second = await client.call_tool("beta.v2.add", {"a": 40, "b": 2})
                return tools, first, second

    before = len(json_upstream.tool_calls("add"))
    tools, first, second = asyncio.run(session())
    names = {t.name for t in tools.tools}
    assert {"alpha.echo", "alpha.repo.search", "beta.v2.echo", "beta.v2.add"} <= names
    assert first.content[0].text == "to alpha"
    assert second.content[0].text == "42"
    assert len(json_upstream.tool_calls("add")) == before + 1, "the call went to beta.v2's upstream"
