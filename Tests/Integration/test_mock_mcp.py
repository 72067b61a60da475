"""A mock connection through the official MCP client: listed and called, and its upstream hears nothing."""
import asyncio

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from gateway import ADMIN_KEY


def session(url, key, work):
    async def run():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                return await work(client)

    return asyncio.run(run())


def test_a_mock_connection_lists_and_calls_tools_without_its_upstream(connect_gateway, namespace, upstream):
    body = {"mcpUrl": upstream.url, "mock": {"enabled": True, "scenario": "An arithmetic tutor."}}
    status, _, created = connect_gateway.request("PUT", f"/connect/{namespace}/m", body, key=ADMIN_KEY)
    assert status == 201, created
    after_creation = len(upstream.log())

    async def work(client):
        tools = await client.list_tools()
        added = await client.call_tool("add", {"a": 2, "b": 3})
        echoed = await client.call_tool("echo", {"text": "hi"})
        return tools, added, echoed

    tools, added, echoed = session(f"{connect_gateway.url}/connect/{namespace}/m/mcp", ADMIN_KEY, work)
    assert {"echo", "add", "repo.search"} <= {t.name for t in tools.tools}
    assert not added.is_error and added.content and echoed.content
    assert (added.meta or {}).get("switchboard/simulated") is True
    # The toolbox answers the same connection from the simulator too.
    toolbox = session(f"{connect_gateway.url}/connect/{namespace}/mcp", ADMIN_KEY,
                      lambda client: client.call_tool("m.echo", {"text": "via the toolbox"}))
    assert (toolbox.meta or {}).get("switchboard/simulated") is True
    assert upstream.log()[after_creation:] == [], "nothing reaches the upstream after creation"


def test_a_tokens_rpc_req_match_still_refuses_a_mock_call(connect_gateway, namespace, upstream):
    body = {"mcpUrl": upstream.url, "mock": {"enabled": True}}
    status, _, _ = connect_gateway.request("PUT", f"/connect/{namespace}/m", body, key=ADMIN_KEY)
    assert status == 201
    policy = {"policy": [{"namespaces": namespace, "operations": "execute", "rpcReqMatch": {"params.name": "^echo$"}}]}
    status, _, minted = connect_gateway.request("POST", "/tokens", policy, key=ADMIN_KEY)
    assert status == 200
    token = minted["token"]

    async def work(client):
        allowed = await client.call_tool("echo", {"text": "ok"})
        try:
            await client.call_tool("add", {"a": 1, "b": 2})
            return allowed, None
        except MCPError as error:
            return allowed, error

    allowed, refused = session(f"{connect_gateway.url}/connect/{namespace}/m/mcp", token, work)
    assert not allowed.is_error
    assert refused is not None and refused.error.code == -32003
    status, _, body = connect_gateway.request("POST", f"/connect/{namespace}/m/.tools/add", {"a": 1, "b": 2}, key=token)
    assert status == 403
