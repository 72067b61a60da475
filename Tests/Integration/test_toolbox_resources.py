"""The namespace toolbox /connect/{ns}/mcp serves its connections' resources and prompts to every SDK client
generation: resource URIs become switchboard://<connectionId>/<percent-encoded upstream URI>, prompts
<connectionId>.<prompt>, and reading or getting one answers what the upstream answers direct."""
import urllib.parse

import pytest

from clients import GENERATIONS, run_steps
from test_mcp import put
from upstream import Upstream

CONNECTIONS = ("alpha", "beta")


@pytest.fixture(scope="module")
def toolbox_upstreams():
    """alpha: a 2026-capable upstream (SDK 2.x); beta: a handshake-only one (SDK 1.x)."""
    started = {"alpha": Upstream().start(), "beta": Upstream(generation=1).start()}
    yield started
    for instance in started.values():
        instance.stop()


@pytest.fixture
def toolbox_url(connect_gateway, namespace, toolbox_upstreams):
    """The toolbox of a fresh namespace holding the connections alpha and beta."""
    for connection, target in toolbox_upstreams.items():
        put(connect_gateway, namespace, connection, {"mcpUrl": target.url})
    return f"{connect_gateway.url}/connect/{namespace}/mcp"


def toolbox_uri(connection, uri):
    return f"switchboard://{connection}/{urllib.parse.quote(uri, safe='')}"


def original_uri(uri):
    """(connection, upstream URI) of a toolbox resource URI."""
    assert uri.startswith("switchboard://"), uri
    connection, _, encoded = uri[len("switchboard://"):].partition("/")
    return connection, urllib.parse.unquote(encoded)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_the_toolbox_lists_reads_and_gets_its_connections_resources_and_prompts(
        toolbox_url, toolbox_upstreams, generation):
    direct_steps = [{"op": "list_resources"}, {"op": "read", "uri": "text://greeting"},
                    {"op": "read", "uri": "text://notes/gateways"},
                    {"op": "get_prompt", "name": "review", "arguments": {"code": "x = 1"}},
                    {"op": "call", "name": "progress", "arguments": {"steps": 2}}]
    direct = {c: run_steps(generation, t.url, direct_steps)["steps"] for c, t in toolbox_upstreams.items()}

    listed = run_steps(generation, toolbox_url, [{"op": "list_resources"}, {"op": "list_prompts"}])
    assert listed["protocolVersion"] == ("2026-07-28" if generation == "auto" else "2025-11-25")
    resources, prompts = listed["steps"]
    assert sorted(original_uri(uri) for uri in resources) == \
        sorted((c, uri) for c in CONNECTIONS for uri in direct[c][0])
    assert all("/" not in uri[len("switchboard://"):].partition("/")[2] for uri in resources), \
        "the upstream URI is percent-encoded"
    assert sorted(prompts) == ["alpha.review", "beta.review"]

    steps = []
    for connection in CONNECTIONS:
        steps += [{"op": "read", "uri": toolbox_uri(connection, "text://greeting")},
                  {"op": "read", "uri": toolbox_uri(connection, "text://notes/gateways")},
                  {"op": "get_prompt", "name": f"{connection}.review", "arguments": {"code": "x = 1"}},
                  {"op": "call", "name": f"{connection}.progress", "arguments": {"steps": 2}}]
    got = run_steps(generation, toolbox_url, steps)["steps"]
    for index, connection in enumerate(CONNECTIONS):
        greeting, note, prompt, progressed = got[4 * index:4 * index + 4]
        _, direct_greeting, direct_note, direct_prompt, direct_progressed = direct[connection]
        assert progressed == direct_progressed and len(progressed["progress"]) == 2
        assert greeting == [dict(direct_greeting[0], uri=toolbox_uri(connection, "text://greeting"))]
        assert note == [dict(direct_note[0], uri=toolbox_uri(connection, "text://notes/gateways"))]
        assert prompt == direct_prompt
    assert got[0][0]["text"] == "Hello from fixture-upstream" and got[4][0]["text"] == "Hello from fixture-upstream-1"


@pytest.mark.parametrize("generation", GENERATIONS)
def test_the_toolbox_lists_its_connections_resource_templates(toolbox_url, generation):
    templates = run_steps(generation, toolbox_url, [{"op": "list_templates"}])["steps"][0]
    assert len(templates) == 2 and all("{topic}" in template for template in templates)
    # Whatever the form, a URI expanded from a listed template reads the note of that template's connection.
    reads = [{"op": "read", "uri": template.replace("{topic}", "gateways")} for template in templates]
    texts = sorted(outcome[0]["text"] for outcome in run_steps(generation, toolbox_url, reads)["steps"])
    assert texts == ["fixture-upstream note on gateways", "fixture-upstream-1 note on gateways"]
