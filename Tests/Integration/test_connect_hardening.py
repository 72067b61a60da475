"""Connect-side defects that must not return: listings paged past the policy, credentials that no longer open,
bodies the spec requires."""
import json
import os
import sqlite3

import jsonschema

from gateway import ADMIN_KEY, Gateway
from spec import schema
from test_tokens import mint, put


def rpc(gateway, path, message, key=ADMIN_KEY):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    return gateway.request("POST", path, json.dumps(message).encode(), headers=headers, key=key)


def test_every_tools_list_page_is_filtered_whatever_the_cursor(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    token = mint(connect_gateway, {"policy": [{"namespaces": namespace, "rpcReqMatch": {"params.name": "^echo$"}}]})
    for params in [None, {}, {"cursor": None}, {"cursor": "anything"}, {"cursor": ""}]:
        message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        if params is not None:
            message["params"] = params
        status, _, body = rpc(connect_gateway, f"/connect/{namespace}/c/mcp", message, key=token)
        assert status == 200, body
        if "result" in body:
            assert [t["name"] for t in body["result"]["tools"]] == ["echo"], params


def test_headers_that_no_longer_decrypt_are_an_error_and_the_upstream_is_not_called(json_upstream, namespace):
    env = {"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}
    gateway = Gateway(env=env).start()
    try:
        put(gateway, namespace, "c", {"mcpUrl": json_upstream.url, "headers": {"X-API-Key": "secret"}})
    finally:
        gateway.stop()
    # The sealed value is damaged at rest (a restore from another key's backup, a bad write): it no longer opens.
    with sqlite3.connect(os.path.join(gateway.directory, "switchboard.db")) as db:
        (sealed,) = db.execute("SELECT sealed_headers FROM connections WHERE namespace = ?", (namespace,)).fetchone()
        damaged = bytearray(sealed)
        damaged[-1] ^= 0xFF
        db.execute("UPDATE connections SET sealed_headers = ? WHERE namespace = ?", (bytes(damaged), namespace))
    restarted = Gateway(env=env, directory=gateway.directory).start()
    try:
        before = len(json_upstream.log())
        status, _, body = rpc(restarted, f"/connect/{namespace}/c/mcp",
                              {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                               "params": {"name": "echo", "arguments": {"text": "x"}}})
        assert status == 200 and body["error"]["code"] == -32000
        assert "decrypted" in body["error"]["message"]
        assert len(json_upstream.log()) == before, "the upstream is never called without its credentials"
        _, _, connection = restarted.request("GET", f"/connect/{namespace}/c", key=ADMIN_KEY)
        jsonschema.validate(connection, schema("Connection"))
        assert connection["status"]["state"] == "error" and "decrypted" in connection["status"]["message"]
        # Storing the headers again makes the connection callable.
        put(restarted, namespace, "c", {"headers": {"X-API-Key": "secret"}})
        status, _, body = rpc(restarted, f"/connect/{namespace}/c/mcp",
                              {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                               "params": {"name": "echo", "arguments": {"text": "x"}}})
        assert body["result"]["content"][0]["text"] == "x"
    finally:
        restarted.stop()


def test_bodies_the_spec_requires(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    for method, path in [("PUT", f"/connect/{namespace}/c"), ("POST", f"/connect/{namespace}/c/.tools/echo")]:
        status, _, body = connect_gateway.request(method, path, b"", key=ADMIN_KEY)
        assert status == 400, (method, path, body)
        jsonschema.validate(body, schema("Error"))
        assert body["message"].startswith("body:")
