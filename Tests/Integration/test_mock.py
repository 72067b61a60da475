"""Mock connections: tools listed once at creation, every call answered by the schema engine, never upstream."""
import glob
import json
import os

import jsonschema
import pytest

from fixture_upstream import ToolsUpstream
from gateway import ADMIN_KEY, Gateway
from running import running
from spec import schema

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "fixtures", "output_schemas", "*.json")))
TOOLS = [json.load(open(path)) for path in FIXTURES]
LOOPBACK = {"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}


@pytest.fixture(scope="module")
def tools_upstream():
    yield from running(ToolsUpstream(TOOLS))


def create(gateway, namespace, connection_id, url, scenario="A small startup's engineering workspace."):
    body = {"mcpUrl": url, "mock": {"enabled": True, "scenario": scenario}}
    status, _, created = gateway.request("PUT", f"/connect/{namespace}/{connection_id}", body, key=ADMIN_KEY)
    assert status == 201, created
    return created


def call(gateway, namespace, connection_id, tool, arguments):
    status, _, result = gateway.request(
        "POST", f"/connect/{namespace}/{connection_id}/.tools/{tool}", arguments, key=ADMIN_KEY)
    return status, result


def arguments_for(tool):
    """Arguments valid against the tool's input schema: a plain value for each required property."""
    samples = {"string": "x-1", "integer": 1, "number": 1.5, "boolean": True}
    properties = tool["inputSchema"].get("properties", {})
    out = {}
    for name in tool["inputSchema"].get("required", []):
        prop = properties[name]
        out[name] = prop["enum"][0] if "enum" in prop else samples[prop.get("type", "string")]
        if prop.get("format") == "date-time":
            out[name] = "2025-05-01T10:00:00Z"
        if prop.get("format") == "date":
            out[name] = "2025-05-01"
        if prop.get("format") == "email":
            out[name] = "a@example.com"
    return out


def test_the_corpus_has_enough_real_world_shapes():
    assert len(TOOLS) >= 30
    text = json.dumps(TOOLS)
    for keyword in ['"oneOf"', '"anyOf"', '"$ref"', '"$defs"', '"enum"', '"format"', '"null"']:
        assert keyword in text


def test_every_result_validates_against_its_output_schema(connect_gateway, namespace, tools_upstream):
    created = create(connect_gateway, namespace, "m", tools_upstream.url)
    assert created["mock"] == {"enabled": True, "scenario": "A small startup's engineering workspace."}
    jsonschema.validate(created, schema("Connection"))
    for tool in TOOLS:
        for seed in range(3):
            arguments = arguments_for(tool)
            if "title" in tool["inputSchema"].get("properties", {}):
                arguments["title"] = f"seed {seed}"
            status, result = call(connect_gateway, namespace, "m", tool["name"], arguments)
            if status == 422:  # a get/update/delete of a record this world does not hold
                continue
            assert status == 200, (tool["name"], result)
            jsonschema.validate(result["structuredContent"], tool["outputSchema"])
            assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
            assert result["_meta"] == {"switchboard/simulated": True, "engine": "schema"}


def test_the_same_call_gives_the_same_answer(connect_gateway, namespace, tools_upstream):
    create(connect_gateway, namespace, "a", tools_upstream.url, scenario="same")
    create(connect_gateway, namespace, "b", tools_upstream.url, scenario="same")
    create(connect_gateway, namespace, "c", tools_upstream.url, scenario="another world")
    args = {"owner": "acme", "repo": "api"}
    first = call(connect_gateway, namespace, "a", "github_search_repositories", args)
    assert first == call(connect_gateway, namespace, "a", "github_search_repositories", args)
    assert first == call(connect_gateway, namespace, "b", "github_search_repositories", args)
    assert first != call(connect_gateway, namespace, "c", "github_search_repositories", args)


def test_create_get_list_update_delete_share_one_world_across_restarts(tmp_path, tools_upstream, namespace):
    gateway = Gateway(env=LOOPBACK, directory=str(tmp_path)).start()
    try:
        create(gateway, namespace, "w", tools_upstream.url)
        status, made = call(gateway, namespace, "w", "todo_create_task", {"title": "Book the venue"})
        assert status == 200 and made["structuredContent"]["title"] == "Book the venue"
        task_id = made["structuredContent"]["id"]
        status, got = call(gateway, namespace, "w", "todo_get_task", {"id": task_id})
        assert status == 200 and got["structuredContent"] == made["structuredContent"]
    finally:
        gateway.stop()
    gateway = Gateway(env=LOOPBACK, directory=str(tmp_path)).start()
    try:
        status, listed = call(gateway, namespace, "w", "todo_list_tasks", {})
        assert status == 200 and [t["id"] for t in listed["structuredContent"]["tasks"]] == [task_id]
        status, changed = call(gateway, namespace, "w", "todo_update_task", {"id": task_id, "done": True})
        assert status == 200 and changed["structuredContent"]["done"] is True
        status, got = call(gateway, namespace, "w", "todo_get_task", {"id": task_id})
        assert got["structuredContent"]["done"] is True and got["structuredContent"]["title"] == "Book the venue"
        status, _ = call(gateway, namespace, "w", "todo_delete_task", {"id": task_id})
        assert status == 200
        status, listed = call(gateway, namespace, "w", "todo_list_tasks", {})
        assert listed["structuredContent"]["tasks"] == []
        status, missing = call(gateway, namespace, "w", "todo_get_task", {"id": task_id})
        assert status == 422 and task_id in missing["message"]
        # Deleting the connection clears its world: a new one of the same id starts afresh.
        status, _, _ = gateway.request("DELETE", f"/connect/{namespace}/w", key=ADMIN_KEY)
        assert status == 200
        create(gateway, namespace, "w", tools_upstream.url)
        status, made_again = call(gateway, namespace, "w", "todo_create_task", {"title": "Book the venue"})
        assert made_again["structuredContent"]["id"] == task_id  # the same first creation, seeded alike
        status, listed = call(gateway, namespace, "w", "todo_list_tasks", {})
        assert [t["id"] for t in listed["structuredContent"]["tasks"]] == [task_id]
    finally:
        gateway.stop()


def test_mock_is_fixed_at_creation_and_nothing_goes_upstream_after_it(connect_gateway, namespace, tools_upstream):
    before = len(tools_upstream.methods)
    create(connect_gateway, namespace, "f", tools_upstream.url)
    assert "tools/list" in tools_upstream.methods[before:]
    after_creation = len(tools_upstream.methods)
    status, _, body = connect_gateway.request(
        "PUT", f"/connect/{namespace}/f", {"mock": {"enabled": False}}, key=ADMIN_KEY)
    assert status == 409 and "mock" in body["message"]
    status, _, body = connect_gateway.request("PUT", f"/connect/{namespace}/f", {"name": "renamed"}, key=ADMIN_KEY)
    assert status == 200 and body["mock"]["enabled"] is True
    status, result = call(connect_gateway, namespace, "f", "slack_post_message", {"channel": "C1", "text": "hi"})
    assert status == 200 and result["structuredContent"]["ok"] is True
    status, result = call(connect_gateway, namespace, "f", "slack_post_message", {"channel": 5, "text": "hi"})
    assert status == 400 and "channel" in result["message"]
    status, _, listing = connect_gateway.request("GET", f"/connect/{namespace}/f/.tools", key=ADMIN_KEY)
    assert status == 200 and len(listing["tools"]) == len(TOOLS)
    assert tools_upstream.methods[after_creation:] == []


def test_an_upstream_that_cannot_be_listed_refuses_the_creation(connect_gateway, namespace):
    body = {"mcpUrl": "http://127.0.0.1:9/mcp", "mock": {"enabled": True}}
    status, _, error = connect_gateway.request("PUT", f"/connect/{namespace}/x", body, key=ADMIN_KEY)
    assert status == 502 and "mock" in error["message"]
    status, _, _ = connect_gateway.request("GET", f"/connect/{namespace}/x", key=ADMIN_KEY)
    assert status == 404
