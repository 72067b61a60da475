"""The connect routes on both bases a client may be given: `/connect` on the main listener, and the root of the
`connect.listen` address. Same credential, same handlers, same answers."""
import json

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway
from running import running
from spec import schema
from test_startup import own_key_file, run_to_exit

RPC_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def two_listeners():
    yield from running(Gateway(env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}, connect_listener=True).start())


@pytest.fixture(params=["main /connect", "connect.listen root"])
def base(request, two_listeners):
    return two_listeners.url + "/connect" if request.param == "main /connect" else two_listeners.connect_url


def test_connect_routes_answer_alike_on_both_bases(two_listeners, json_upstream, namespace, base):
    def call(method, path, body=None, headers=None, key=ADMIN_KEY):
        return two_listeners.request(method, path, body, headers=headers, key=key, base=base)

    status, headers, body = call("GET", f"/{namespace}", key=None)
    assert status == 401 and body["error"] == "unauthorized" and headers["WWW-Authenticate"] == "Bearer"

    status, _, created = call("POST", f"/{namespace}", {"mcpUrl": json_upstream.url, "name": "first"})
    assert status == 201, created
    jsonschema.validate(created, schema("Connection"))
    status, _, put = call("PUT", f"/{namespace}/c", {"mcpUrl": json_upstream.url})
    assert status == 201, put
    status, _, updated = call("PUT", f"/{namespace}/c", {"name": "renamed"})
    assert status == 200 and updated["name"] == "renamed"
    status, headers, conflict = call("PUT", f"/{namespace}/c", {"mcpUrl": "http://127.0.0.1:1/mcp"})
    assert status == 409 and conflict["error"] == "conflict" and headers["x-should-retry"] == "false"

    status, _, listing = call("GET", f"/{namespace}")
    assert status == 200 and {c["connectionId"] for c in listing["connections"]} == {created["connectionId"], "c"}
    status, _, got = call("GET", f"/{namespace}/c")
    assert status == 200 and got["name"] == "renamed"

    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi"}}}
    status, _, answer = call("POST", f"/{namespace}/c/mcp", json.dumps(message).encode(), headers=RPC_HEADERS)
    assert status == 200 and answer["result"]["content"][0]["text"] == "hi", answer
    status, headers, _ = call("GET", f"/{namespace}/c/mcp")
    assert status == 405 and headers["Allow"] == "POST"

    status, _, tools = call("GET", f"/{namespace}/c/.tools")
    assert status == 200 and "echo" in {t["name"] for t in tools["tools"]}
    status, _, result = call("POST", f"/{namespace}/c/.tools/add", {"a": 2, "b": 3})
    assert status == 200 and result["content"][0]["text"] == "5", result
    status, headers, invalid = call("POST", f"/{namespace}/c/.tools/add", {"a": "two", "b": 3})
    assert status == 400 and invalid["error"] == "validation_error" and headers["x-should-retry"] == "false"
    status, _, everything = call("GET", f"/{namespace}/.tools")
    assert status == 200 and {e["connectionId"] for e in everything["connections"]} == {created["connectionId"], "c"}
    listed = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    status, _, toolbox = call("POST", f"/{namespace}/mcp", json.dumps(listed).encode(), headers=RPC_HEADERS)
    assert status == 200 and "c.echo" in {t["name"] for t in toolbox["result"]["tools"]}, toolbox

    status, _, deleted = call("DELETE", f"/{namespace}/c")
    assert status == 200 and deleted == {"success": True}
    status, headers, missing = call("GET", f"/{namespace}/c")
    assert status == 404 and missing["error"] == "not_found" and headers["x-should-retry"] == "false"
    jsonschema.validate(missing, schema("Error"))


def test_the_connect_listener_has_no_connect_prefix(two_listeners):
    status, _, body = two_listeners.request("GET", "/connect/ns/c", key=ADMIN_KEY, base=two_listeners.connect_url)
    assert status == 404 and body["error"] == "not_found"


def test_a_busy_connect_address_stops_the_start(tmp_path, two_listeners):
    directory = str(tmp_path)
    config = dict(own_key_file(directory), connect={"listen": f"127.0.0.1:{two_listeners.connect_port}"})
    code, stderr = run_to_exit(Gateway(directory=directory, config=config))
    assert code != 0
    assert (f"switchboard: connect.listen 127.0.0.1:{two_listeners.connect_port} is already in use by another "
            "process (another gateway?); not starting") in stderr.splitlines(), stderr
