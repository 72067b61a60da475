"""Connections made from registry servers (`server: "ns/name"`): created against the server's deployment, and
`input_required` while the credential profile's required inputs are missing, with the upstream never called;
a PUT that supplies them makes the connection callable."""
import json
import urllib.request
import uuid

import jsonschema
import pytest

from gateway import ADMIN_KEY
from registry_client import call
from spec import schema
from test_registry_releases import CONFIG_SCHEMA, KEY, multipart, payload, server, stream, upload
from upstream import Upstream


@pytest.fixture(scope="module")
def registry(connect_gateway):
    return connect_gateway


def publish(registry, qualified, upstream):
    body = multipart([("payload", payload(upstream.url, configSchema=CONFIG_SCHEMA,
                                          scanCredentials={"X-API-Key": KEY}))])
    status, _, answer = upload(registry, qualified, body)
    assert status == 202
    assert stream(registry, qualified, answer["deploymentId"])[-1][1]["status"] == "SUCCESS"


@pytest.fixture(scope="module")
def published(registry):
    upstream = Upstream(json_response=True, require_key=KEY).start()
    qualified = server(registry)
    publish(registry, qualified, upstream)
    yield qualified, upstream
    upstream.stop()


def rpc(gateway, path, message):
    request = urllib.request.Request(
        gateway.url + path, data=json.dumps(message).encode(), method="POST",
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json",
                 "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def connection_call(gateway, method, path, body=None, expect=200):
    status, _, answer = gateway.request(method, path, body, key=ADMIN_KEY)
    assert status == expect, answer
    return answer


def test_input_required_until_a_put_adds_the_header(registry, published):
    qualified, upstream = published
    namespace = "conn-" + uuid.uuid4().hex[:10]
    created = connection_call(registry, "PUT", f"/connect/{namespace}/weather", {"server": qualified}, expect=201)
    jsonschema.validate(created, schema("Connection"))
    assert created["mcpUrl"] == upstream.url
    assert created["status"]["state"] == "input_required"
    assert created["status"]["missing"] == {"headers": ["X-API-Key"], "query": []}
    assert created["status"]["http"]["headers"]["X-API-Key"] == {"label": "API key", "description": "Your key",
                                                                 "required": True}
    requests_before = len(upstream.log())
    listed = rpc(registry, f"/connect/{namespace}/weather/mcp", {"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
    jsonschema.validate(listed, schema("InputRequiredError"))
    assert listed["id"] == 7 and listed["error"]["data"]["missing"]["headers"] == ["X-API-Key"]
    status, _, answer = registry.request("GET", f"/connect/{namespace}/weather/.tools", key=ADMIN_KEY)
    assert status == 424
    jsonschema.validate(answer, schema("InputRequiredError"))
    status, _, answer = registry.request("POST", f"/connect/{namespace}/weather/.tools/echo", {"text": "hi"},
                                         key=ADMIN_KEY)
    assert status == 424 and answer["error"]["code"] == -32002
    assert len(upstream.log()) == requests_before, "the upstream is not called"
    # A PUT without the header keeps the connection waiting for it.
    renamed = connection_call(registry, "PUT", f"/connect/{namespace}/weather", {"name": "Weather"})
    assert renamed["status"]["state"] == "input_required"
    updated = connection_call(registry, "PUT", f"/connect/{namespace}/weather", {"headers": {"x-api-key": KEY}})
    assert updated["status"]["state"] != "input_required"
    answer = rpc(registry, f"/connect/{namespace}/weather/mcp",
                 {"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "echo",
                                                                                "arguments": {"text": "hello"}}})
    assert answer["result"]["content"][0]["text"] == "hello"
    assert connection_call(registry, "GET", f"/connect/{namespace}/weather")["status"]["state"] == "connected"


def test_a_connection_with_its_header_from_the_start_is_callable(registry, published):
    qualified, _ = published
    namespace = "conn-" + uuid.uuid4().hex[:10]
    created = connection_call(registry, "POST", f"/connect/{namespace}",
                              {"server": qualified, "headers": {"X-API-Key": KEY}}, expect=201)
    assert created["status"]["state"] == "disconnected"
    tools = connection_call(registry, "GET", f"/connect/{namespace}/{created['connectionId']}/.tools")
    assert "echo" in [tool["name"] for tool in tools["tools"]]


def test_unknown_and_unpublished_servers_are_refused(registry, published):
    qualified, upstream = published
    namespace = "conn-" + uuid.uuid4().hex[:10]
    for body in [{"server": "nobody/none"}, {"server": qualified, "mcpUrl": upstream.url}, {"server": 3}]:
        answer = connection_call(registry, "POST", f"/connect/{namespace}", body, expect=400)
        assert answer["message"].startswith("server")
    unpublished = server(registry)
    answer = connection_call(registry, "POST", f"/connect/{namespace}", {"server": unpublished}, expect=400)
    assert "no published deployment" in answer["message"]
    plain = connection_call(registry, "PUT", f"/connect/{namespace}/plain", {"mcpUrl": upstream.url}, expect=201)
    assert plain["status"]["state"] == "disconnected"
    connection_call(registry, "PUT", f"/connect/{namespace}/plain", {"server": qualified}, expect=409)


def test_a_namespace_with_connections_is_not_deleted(registry, published):
    qualified, _ = published
    namespace = "conn-" + uuid.uuid4().hex[:10]
    connection_call(registry, "PUT", f"/connect/{namespace}/held", {"server": qualified}, expect=201)
    assert namespace in [entry["name"] for entry in call(registry, "GET", "/namespaces")["namespaces"]], \
        "a namespace /connect created is a registry namespace"
    call(registry, "DELETE", f"/namespaces/{namespace}", expect=409)
    connection_call(registry, "DELETE", f"/connect/{namespace}/held")
    call(registry, "DELETE", f"/namespaces/{namespace}")


def test_a_namespace_deleted_and_taken_by_another_key_is_theirs_on_connect(published):
    from gateway import Gateway
    from registry_client import OTHER_KEY, add_other_key
    _, upstream = published
    gateway = Gateway(env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
    try:
        add_other_key(gateway)
        namespace = "conn-" + uuid.uuid4().hex[:10]
        connection_call(gateway, "PUT", f"/connect/{namespace}/first", {"mcpUrl": upstream.url}, expect=201)
        connection_call(gateway, "DELETE", f"/connect/{namespace}/first")
        call(gateway, "DELETE", f"/namespaces/{namespace}")
        call(gateway, "PUT", f"/namespaces/{namespace}", expect=201, key=OTHER_KEY)
        status, _, answer = gateway.request("PUT", f"/connect/{namespace}/second", {"mcpUrl": upstream.url},
                                            key=OTHER_KEY)
        assert status == 201, answer
        status, _, answer = gateway.request("PUT", f"/connect/{namespace}/third", {"mcpUrl": upstream.url},
                                            key=ADMIN_KEY)
        assert status == 404, "the namespace is no longer the first key's"
    finally:
        gateway.stop()


def test_use_count_and_is_deployed_follow_connections_and_releases(registry, published):
    _, upstream = published
    namespace = "use-" + uuid.uuid4().hex[:10]
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    for name in ["idle", "tools"]:  # created in this order: only its use count can put "tools" first
        call(registry, "PUT", f"/servers/{namespace}/{name}", expect=201)
    qualified = f"{namespace}/tools"

    def summary():
        [found] = call(registry, "GET", f"/servers?qualifiedName={qualified}")["servers"]
        return found

    def deployed(flag):
        answer = call(registry, "GET", f"/servers?namespace={namespace}&isDeployed={flag}")
        return [entry["qualifiedName"] for entry in answer["servers"]]
    assert summary()["isDeployed"] is False and summary()["useCount"] == 0
    publish(registry, qualified, upstream)
    assert summary()["isDeployed"] is True
    assert deployed("1") == [qualified] and deployed("false") == [f"{namespace}/idle"]
    # Each connection created against the server counts; updating one does not, nor does one without a server.
    users = "conn-" + uuid.uuid4().hex[:10]
    connection_call(registry, "PUT", f"/connect/{users}/first", {"server": qualified}, expect=201)
    connection_call(registry, "PUT", f"/connect/{users}/first", {"name": "First"})
    connection_call(registry, "POST", f"/connect/{users}", {"server": qualified}, expect=201)
    connection_call(registry, "PUT", f"/connect/{users}/plain", {"mcpUrl": upstream.url}, expect=201)
    connection_call(registry, "DELETE", f"/connect/{users}/first")
    connection_call(registry, "PUT", f"/connect/{users}/first", {"server": qualified}, expect=201)
    assert summary()["useCount"] == 3
    browsed = call(registry, "GET", f"/servers?namespace={namespace}")["servers"]
    assert [entry["qualifiedName"] for entry in browsed] == [qualified, f"{namespace}/idle"], "most used first"
