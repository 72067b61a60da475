"""The /connect/{namespace} connections API through the real binary, validated against the spec."""
import re
import sqlite3

import jsonschema
import pytest

from gateway import ADMIN_KEY
from spec import schema


def create(gateway, namespace, body, expect=201):
    status, _, created = gateway.request("POST", f"/connect/{namespace}", body, key=ADMIN_KEY)
    assert status == expect, created
    return created


def test_post_creates_a_connection_with_a_generated_id(connect_gateway, namespace, upstream):
    body = create(connect_gateway, namespace, {"mcpUrl": upstream.url, "name": "Fixture", "metadata": {"team": "eng"}})
    jsonschema.validate(body, schema("Connection"))
    assert re.fullmatch(r"[a-z]+-[a-z]+-[A-Za-z0-9]{4}", body["connectionId"])
    assert body["name"] == "Fixture"
    assert body["mcpUrl"] == upstream.url
    assert body["metadata"] == {"team": "eng"}
    assert body["status"] == {"state": "disconnected"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["createdAt"])
    status, _, fetched = connect_gateway.request("GET", f"/connect/{namespace}/{body['connectionId']}", key=ADMIN_KEY)
    assert status == 200 and fetched["connectionId"] == body["connectionId"]


def test_name_defaults_to_the_id(connect_gateway, namespace, upstream):
    body = create(connect_gateway, namespace, {"mcpUrl": upstream.url})
    assert body["name"] == body["connectionId"]


def test_headers_are_never_returned_logged_or_stored_in_clear(connect_gateway, namespace, upstream):
    secret = "very-secret-header-value-31337"
    body = create(connect_gateway, namespace, {"mcpUrl": upstream.url, "headers": {"X-API-Key": secret}})
    assert "headers" not in body
    _, _, listed = connect_gateway.request("GET", f"/connect/{namespace}", key=ADMIN_KEY)
    assert secret not in str(listed)
    assert secret not in connect_gateway.stderr_text()
    database = sqlite3.connect(f"file:{connect_gateway.directory}/switchboard.db?mode=ro", uri=True)
    rows = database.execute("SELECT sealed_headers FROM connections WHERE id = ?", (body["connectionId"],)).fetchall()
    assert rows and secret.encode() not in rows[0][0]


@pytest.mark.parametrize("body, field", [
    ({"mcpUrl": "http://x/mcp", "colour": "red"}, "colour"),
    ({"mcpUrl": "not a url"}, "mcpUrl"),
    ({"mcpUrl": "ftp://x/mcp"}, "mcpUrl"),
    ({"mcpUrl": 7}, "mcpUrl"),
    ({"mcpUrl": "http://x/mcp", "name": ""}, "name"),
    ({"mcpUrl": "http://x/mcp", "name": "n" * 256}, "name"),
    ({"mcpUrl": "http://x/mcp", "transport": "carrier-pigeon"}, "transport"),
    ({"mcpUrl": "http://x/mcp", "metadata": [1, 2]}, "metadata"),
    ({"mcpUrl": "http://x/mcp", "headers": {"X-A": 1}}, "headers.X-A"),
    ({"mcpUrl": "http://x/mcp", "headers": {"X-A": "a\r\nInjected: 1"}}, "headers.X-A"),
    ({"mcpUrl": "http://x/mcp", "headers": {"X-A": "a\u0000b"}}, "headers.X-A"),
    ({"mcpUrl": "http://x/mcp", "headers": {"Bad Name": "v"}}, "headers.Bad Name"),
    ({"mcpUrl": "http://x/mcp", "mock": {"enabled": "yes"}}, "mock.enabled"),
    ({"mcpUrl": "http://x/mcp", "mock": {"enabled": True, "extra": 1}}, "mock.extra"),
    ({"name": "no url"}, "mcpUrl"),
])
def test_invalid_bodies_get_400_naming_the_field(connect_gateway, namespace, body, field):
    created = create(connect_gateway, namespace, body, expect=400)
    jsonschema.validate(created, schema("ValidationError"))
    assert created["error"] == "validation_error"
    assert created["message"].startswith(field + ":"), created["message"]
    _, _, listed = connect_gateway.request("GET", f"/connect/{namespace}", key=ADMIN_KEY)
    assert listed["connections"] == []


def test_invalid_json_body_is_a_validation_error(connect_gateway, namespace):
    status, _, body = connect_gateway.request("POST", f"/connect/{namespace}", b"{nope", key=ADMIN_KEY)
    assert status == 400 and body["error"] == "validation_error"


def test_put_creates_then_updates(connect_gateway, namespace, upstream):
    path = f"/connect/{namespace}/my-conn"
    status, _, created = connect_gateway.request(
        "PUT", path, {"mcpUrl": upstream.url, "mock": {"enabled": True}}, key=ADMIN_KEY)
    assert status == 201, created
    jsonschema.validate(created, schema("Connection"))
    assert created["connectionId"] == "my-conn" and created["mock"] == {"enabled": True}
    status, _, refused = connect_gateway.request(
        "PUT", path, {"name": "Renamed", "mock": {"enabled": False}}, key=ADMIN_KEY)
    assert status == 409 and refused["message"].startswith("mock:"), "mock is frozen at creation"
    status, _, updated = connect_gateway.request(
        "PUT", path, {"name": "Renamed", "metadata": {"a": 1}, "mock": {"enabled": True}}, key=ADMIN_KEY)
    assert status == 200, updated
    assert updated["name"] == "Renamed" and updated["metadata"] == {"a": 1}
    assert updated["mcpUrl"] == upstream.url
    assert updated["mock"] == {"enabled": True}, "mock is frozen at creation"
    assert updated["createdAt"] == created["createdAt"]


def test_put_without_url_on_a_new_connection_is_400(connect_gateway, namespace):
    status, _, body = connect_gateway.request("PUT", f"/connect/{namespace}/fresh", {"name": "x"}, key=ADMIN_KEY)
    assert status == 400 and body["message"].startswith("mcpUrl:")


def test_put_with_a_different_url_is_409(connect_gateway, namespace, upstream):
    path = f"/connect/{namespace}/pinned"
    assert connect_gateway.request("PUT", path, {"mcpUrl": upstream.url}, key=ADMIN_KEY)[0] == 201
    status, _, body = connect_gateway.request("PUT", path, {"mcpUrl": "http://other.example/mcp"}, key=ADMIN_KEY)
    assert status == 409
    jsonschema.validate(body, schema("Error"))
    assert connect_gateway.request("PUT", path, {"mcpUrl": upstream.url}, key=ADMIN_KEY)[0] == 200


def test_uplink_connections_have_no_url_and_stay_disconnected(connect_gateway, namespace):
    body = create(connect_gateway, namespace, {"transport": "uplink", "name": "laptop"})
    jsonschema.validate(body, schema("Connection"))
    assert body["transport"] == "uplink" and body["mcpUrl"] is None
    assert body["status"] == {"state": "disconnected"}


def test_delete_removes_the_connection(connect_gateway, namespace, upstream):
    connection_id = create(connect_gateway, namespace, {"mcpUrl": upstream.url})["connectionId"]
    path = f"/connect/{namespace}/{connection_id}"
    status, _, body = connect_gateway.request("DELETE", path, key=ADMIN_KEY)
    assert status == 200 and body == {"success": True}
    jsonschema.validate(body, schema("Success"))
    status, _, body = connect_gateway.request("GET", path, key=ADMIN_KEY)
    assert status == 404 and body["error"] == "not_found"
    assert connect_gateway.request("DELETE", path, key=ADMIN_KEY)[0] == 404


def test_unknown_connection_is_404(connect_gateway, namespace):
    status, _, body = connect_gateway.request("GET", f"/connect/{namespace}/nope", key=ADMIN_KEY)
    assert status == 404
    jsonschema.validate(body, schema("Error"))


def test_filters_by_name_url_and_metadata(connect_gateway, namespace, upstream, json_upstream):
    create(connect_gateway, namespace, {"mcpUrl": upstream.url, "name": "a", "metadata": {"team": "eng", "tier": 1}})
    create(connect_gateway, namespace, {"mcpUrl": json_upstream.url, "name": "b", "metadata": {"team": "eng", "tier": 2}})
    create(connect_gateway, namespace, {"mcpUrl": upstream.url, "name": "c", "metadata": {"team": "ops"}})

    def names(query):
        status, _, body = connect_gateway.request("GET", f"/connect/{namespace}?{query}", key=ADMIN_KEY)
        assert status == 200, body
        jsonschema.validate(body, schema("ConnectionsListResponse"))
        return sorted(c["name"] for c in body["connections"])

    assert names("name=b") == ["b"]
    assert names(f"mcpUrl={upstream.url}") == ["a", "c"]
    assert names("metadata.team=eng") == ["a", "b"]
    assert names("metadata.team=eng&metadata.tier=2") == ["b"]
    assert names("metadata.team=eng&name=c") == []
    assert names("metadata.missing=x") == []


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "cursor=garbage!", "cursor=Zm9v", "sort=name",
                                   "limit=%zz", "cursor=%%%x", "name=%zz", "%zz=1", "name=%FF"])
def test_bad_list_parameters_are_400(connect_gateway, namespace, query):
    status, _, body = connect_gateway.request("GET", f"/connect/{namespace}?{query}", key=ADMIN_KEY)
    assert status == 400
    jsonschema.validate(body, schema("Error"))


def test_pagination_is_stable_under_inserts_and_deletes(connect_gateway, namespace, upstream):
    originals = [create(connect_gateway, namespace, {"mcpUrl": upstream.url, "name": f"c{i}"})["connectionId"]
                 for i in range(250)]
    seen = []
    cursor = None
    pages = 0
    while True:
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, _, body = connect_gateway.request("GET", f"/connect/{namespace}?{query}", key=ADMIN_KEY)
        assert status == 200
        jsonschema.validate(body, schema("ConnectionsListResponse"))
        seen += [c["connectionId"] for c in body["connections"]]
        pages += 1
        # Between pages: a new row and a deleted row that was already served.
        create(connect_gateway, namespace, {"mcpUrl": upstream.url, "name": f"late{pages}"})
        connect_gateway.request("DELETE", f"/connect/{namespace}/{seen[0]}", key=ADMIN_KEY)
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "no connection is served twice"
    assert set(originals) <= set(seen), "every connection that existed throughout is served"
    assert pages >= 3


def test_another_keys_namespace_is_invisible(tmp_path, upstream):
    from gateway import Gateway
    gateway = Gateway(env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
    try:
        create(gateway, "owned", {"mcpUrl": upstream.url, "name": "mine"})
        # A second key, inserted as an operator would; its hash only.
        from registry_client import add_other_key
        other = "sbk_second_key_for_tests_0123456789"
        add_other_key(gateway, other)
        status, _, body = gateway.request("GET", "/connect/owned", key=other)
        assert status == 200 and body["connections"] == []
        status, _, _ = gateway.request("POST", "/connect/owned", {"mcpUrl": upstream.url}, key=other)
        assert status == 404
        status, _, body = gateway.request("GET", "/connect/owned", key=ADMIN_KEY)
        assert [c["name"] for c in body["connections"]] == ["mine"], "the owner still sees its connection"
    finally:
        gateway.stop()
