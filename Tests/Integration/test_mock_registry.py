"""Mock connections made from registry servers (`server: "ns/name"` with `mock.enabled`): they serve what the
server's last published release scanned, through the official MCP client, without dialling anything."""
from gateway import ADMIN_KEY
from test_mock_mcp import session
from test_registry_releases import multipart, payload, server, stream, upload
from test_triggers import EventsUpstream
from upstream import Upstream


def publish(gateway, upstream_url):
    qualified = server(gateway)
    status, _, answer = upload(gateway, qualified, multipart([("payload", payload(upstream_url))]))
    assert status == 202, answer
    assert stream(gateway, qualified, answer["deploymentId"])[-1][1]["status"] == "SUCCESS"
    return qualified


def described(tools):
    return [(tool.name, tool.title, tool.description, tool.input_schema, tool.output_schema) for tool in tools.tools]


def test_a_mock_of_a_registry_server_lists_the_tools_its_release_scanned(connect_gateway, namespace):
    upstream = Upstream(json_response=True).start()
    try:
        direct = session(upstream.url, ADMIN_KEY, lambda client: client.list_tools())
        qualified = publish(connect_gateway, upstream.url)
    finally:
        upstream.stop()
    # The upstream is gone: the connection can only be made, listed and called from the registry's scan.
    body = {"server": qualified, "mock": {"enabled": True, "scenario": "A calculator."}}
    status, _, created = connect_gateway.request("PUT", f"/connect/{namespace}/sim", body, key=ADMIN_KEY)
    assert status == 201, created
    assert created["mcpUrl"] == upstream.url

    async def work(client):
        return await client.list_tools(), await client.call_tool("add", {"a": 2, "b": 3}), client.server_info

    tools, added, info = session(f"{connect_gateway.url}/connect/{namespace}/sim/mcp", ADMIN_KEY, work)
    assert described(tools) == described(direct)
    assert {"echo", "add", "repo.search"} <= {tool.name for tool in tools.tools}
    assert not added.is_error and (added.meta or {}).get("switchboard/simulated") is True
    assert info.name == "fixture-upstream" and info.version == "1.2.3", "the scanned server info"
    status, _, listed = connect_gateway.request("GET", f"/connect/{namespace}/sim/.tools", key=ADMIN_KEY)
    assert status == 200 and [tool["name"] for tool in listed["tools"]] == [tool.name for tool in direct.tools]


def test_a_mock_of_a_registry_server_offers_the_triggers_its_release_scanned(connect_gateway, namespace):
    upstream = EventsUpstream()
    try:
        qualified = publish(connect_gateway, upstream.url)
        listed_before = len(upstream.log("events/list"))
        body = {"server": qualified, "mock": {"enabled": True}}
        status, _, created = connect_gateway.request("PUT", f"/connect/{namespace}/sim", body, key=ADMIN_KEY)
        assert status == 201, created
        status, _, triggers = connect_gateway.request("GET", f"/connect/{namespace}/sim/.triggers", key=ADMIN_KEY)
        assert status == 200, triggers
        assert [trigger["name"] for trigger in triggers] == ["page.updated", "poll.only"]
        assert len(upstream.log("events/list")) == listed_before, "the upstream is not asked again"
    finally:
        upstream.stop()


def test_a_mock_of_an_unpublished_registry_server_is_refused(connect_gateway, namespace):
    qualified = server(connect_gateway)
    body = {"server": qualified, "mock": {"enabled": True}}
    status, _, answer = connect_gateway.request("PUT", f"/connect/{namespace}/sim", body, key=ADMIN_KEY)
    assert status == 400 and answer["message"].startswith("server"), answer
