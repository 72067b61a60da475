"""Each loop reads connections and upstream sessions from its own copy: a committed change must reach the next
request on every loop, over connections that were kept open across it."""
import http.client
import json

from gateway import ADMIN_KEY
from test_tokens import mint, put

CALL = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                   "params": {"name": "echo", "arguments": {"text": "hi"}}})


def held(gateway, count=6):
    """Keep-alive connections spread over the gateway's loops."""
    return [http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10) for _ in range(count)]


def call(connection, path, key):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}
    connection.request("POST", path, CALL, headers)
    response = connection.getresponse()
    raw = response.read()
    return response.status, json.loads(raw) if raw else None


def test_a_deleted_connection_is_refused_on_every_loop_from_the_next_request(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    path = f"/connect/{namespace}/c/mcp"
    connections = held(connect_gateway)
    for connection in connections:
        status, answer = call(connection, path, ADMIN_KEY)
        assert status == 200 and "result" in answer, answer
    status, _, _ = connect_gateway.request("DELETE", f"/connect/{namespace}/c", key=ADMIN_KEY)
    assert status in (200, 204)
    for connection in connections:
        assert call(connection, path, ADMIN_KEY)[0] == 404


def test_an_updated_connection_is_served_as_updated_on_every_loop(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url, "metadata": {"team": "eng"}})
    path = f"/connect/{namespace}/c/mcp"
    token = mint(connect_gateway, {"policy": [{"namespaces": namespace, "metadata": {"team": "eng"}}]})
    connections = held(connect_gateway)
    for connection in connections:
        status, answer = call(connection, path, token)
        assert status == 200 and "result" in answer, answer
    # The metadata no longer matches the token's policy: refused before anything is sent upstream.
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url, "metadata": {"team": "ops"}})
    for connection in connections:
        status, answer = call(connection, path, token)
        assert status == 200 and answer["error"]["code"] == -32003, answer
    # Made again with a new URL, it has a new upstream session: nothing listens there, so every loop's next call
    # fails upstream.
    assert connect_gateway.request("DELETE", f"/connect/{namespace}/c", key=ADMIN_KEY)[0] in (200, 204)
    put(connect_gateway, namespace, "c", {"mcpUrl": "http://127.0.0.1:1/mcp", "metadata": {"team": "eng"}})
    for connection in connections:
        status, answer = call(connection, path, token)
        assert status == 200 and "error" in answer and "result" not in answer, answer
