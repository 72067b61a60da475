"""Releases through the real binary: an external release scans a real Python MCP SDK server (behind the egress
policy, with scan credentials) and fills the server's tools, resources and prompts; its stages stream over SSE;
bad uploads are refused and store nothing."""
import json
import urllib.request
import uuid

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway
from registry_client import call, documented
from spec import schema
from upstream import Upstream

KEY = "release-scan-key"
CONFIG_SCHEMA = {
    "type": "object",
    "properties": {
        "apiKey": {"type": "string", "title": "API key", "description": "Your key", "x-from": {"header": "X-API-Key"}},
        "region": {"type": "string", "x-from": {"query": "region"}},
    },
    "required": ["apiKey"],
}


@pytest.fixture(scope="module")
def registry(connect_gateway):
    return connect_gateway


@pytest.fixture(scope="module")
def guarded_upstream():
    instance = Upstream(json_response=True, require_key=KEY).start()
    yield instance
    instance.stop()


def multipart(parts, boundary="sb-boundary"):
    body = b""
    for name, content in parts:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def upload(gateway, qualified, body, content_type="multipart/form-data; boundary=sb-boundary"):
    return gateway.request("PUT", f"/servers/{qualified}/releases", body, key=ADMIN_KEY,
                           headers={"Content-Type": content_type})


def payload(upstream_url, **extra):
    return json.dumps({"type": "external", "upstreamUrl": upstream_url, **extra}).encode()


def server(gateway):
    namespace = "rel-" + uuid.uuid4().hex[:10]
    call(gateway, "PUT", f"/namespaces/{namespace}", expect=201)
    call(gateway, "PUT", f"/servers/{namespace}/tools", {"displayName": "Tools"}, expect=201)
    return f"{namespace}/tools"


def stream(gateway, qualified, release_id):
    """The SSE events of the release's stream, read to its end: (event, data) pairs."""
    request = urllib.request.Request(f"{gateway.url}/servers/{qualified}/releases/{release_id}/stream",
                                     headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    events, event = [], None
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                events.append((event, json.loads(line[5:].strip())))
    return events


def test_external_release_scans_a_real_server(registry, guarded_upstream):
    qualified = server(registry)
    body = multipart([("payload", payload(guarded_upstream.url, configSchema=CONFIG_SCHEMA,
                                          scanCredentials={"X-API-Key": KEY}))])
    status, _, answer = upload(registry, qualified, body)
    assert status == 202, answer
    jsonschema.validate(answer, documented(f"/servers/{qualified}/releases", "PUT", 202))
    release_id = answer["deploymentId"]
    events = stream(registry, qualified, release_id)
    assert events[0][0] == "init" and events[-1] == ("complete", {"status": "SUCCESS"})
    logs = events[0][1]["logs"] + [data for event, data in events if event == "log"]
    for entry in logs:
        jsonschema.validate(entry, schema("DeploymentLogEntry"))
    assert [entry["stage"] for entry in logs if entry["level"] == "success"] == ["deploy", "scan", "metadata", "publish"]
    published = call(registry, "GET", f"/servers/{qualified}")
    assert {"echo", "add", "repo.search"} <= {tool["name"] for tool in published["tools"]}
    assert [resource["uri"] for resource in published["resources"]] == ["text://greeting"]
    assert [prompt["name"] for prompt in published["prompts"]] == ["review"]
    assert published["deploymentUrl"] == guarded_upstream.url and published["remote"] is True
    assert published["connections"][0]["configSchema"] == CONFIG_SCHEMA
    info = call(registry, "GET", f"/servers/{qualified}/releases/{release_id}")
    assert info["status"] == "SUCCESS" and info["type"] == "external_shttp" and len(info["logs"]) == len(logs)
    listing = call(registry, "GET", f"/servers/{qualified}/releases")
    assert [release["id"] for release in listing["releases"]] == [release_id]
    # A finished stream replays its logs and completes at once.
    assert stream(registry, qualified, release_id)[-1] == ("complete", {"status": "SUCCESS"})
    status, _, answer = registry.request("POST", f"/servers/{qualified}/releases/{release_id}/resume", key=ADMIN_KEY)
    assert status == 400, "a published release is not resumed"
    jsonschema.validate(answer, schema("DeploymentError"))
    searched = call(registry, "GET", "/servers?q=echo&namespace=" + qualified.split("/")[0])
    assert [entry["qualifiedName"] for entry in searched["servers"]] == [qualified], "tools are searchable"


def test_a_scan_without_the_key_fails_and_can_be_resumed(registry, guarded_upstream):
    qualified = server(registry)
    status, _, answer = upload(registry, qualified, multipart([("payload", payload(guarded_upstream.url))]))
    assert status == 202
    release_id = answer["deploymentId"]
    events = stream(registry, qualified, release_id)
    assert events[-1][1]["status"] == "AUTH_REQUIRED"
    # The stream's `init` holds what was logged before it was opened; `log` events bring the rest.
    logs = events[0][1]["logs"] + [data for event, data in events if event == "log"]
    failures = [entry for entry in logs if entry["level"] == "failure"]
    assert failures and failures[0]["stage"] == "scan" and failures[0]["error"]["message"]
    assert call(registry, "GET", f"/servers/{qualified}")["tools"] is None, "nothing published"
    resumed = call(registry, "POST", f"/servers/{qualified}/releases/{release_id}/resume", expect=202)
    assert resumed == {"status": "WORKING", "deploymentId": release_id}
    assert stream(registry, qualified, release_id)[-1][1]["status"] == "AUTH_REQUIRED"


def test_unreachable_and_refused_upstreams(registry):
    qualified = server(registry)
    # Egress allows loopback only here: a private address is refused before anything is dialled.
    status, _, answer = upload(registry, qualified, multipart([("payload", payload("http://10.0.0.1/mcp"))]))
    assert status == 202
    assert stream(registry, qualified, answer["deploymentId"])[-1][1]["status"] == "FAILURE_SCAN"


@pytest.mark.parametrize("body,content_type,expect", [
    (multipart([("payload", b'{"type":"external","upstreamUrl":"http://127.0.0.1:1/mcp"}')])[:-20],
     "multipart/form-data; boundary=sb-boundary", 400),
    (multipart([("payload", b"{}")]), "multipart/form-data", 400),
    (multipart([("payload", b"{}")]), "application/json", 400),
    (multipart([("payload", b" " * 300_000)]), "multipart/form-data; boundary=sb-boundary", 413),
    (multipart([("payload", b"not json")]), "multipart/form-data; boundary=sb-boundary", 400),
    (multipart([("other", b"x")]), "multipart/form-data; boundary=sb-boundary", 400),
    (multipart([("payload", b'{"type":"hosted","stateful":false,"hasAuthAdapter":false}')]),
     "multipart/form-data; boundary=sb-boundary", 400),
    (multipart([("payload", b'{"type":"external"}')]), "multipart/form-data; boundary=sb-boundary", 400),
    (multipart([("payload", b'{"type":"external","upstreamUrl":"http://127.0.0.1:1/mcp","x":1}')]),
     "multipart/form-data; boundary=sb-boundary", 400),
])
def test_bad_uploads_are_refused_and_store_nothing(registry, body, content_type, expect):
    qualified = server(registry)
    status, _, answer = upload(registry, qualified, body, content_type)
    assert status == expect, answer
    jsonschema.validate(answer, schema("DeploymentError"))
    assert call(registry, "GET", f"/servers/{qualified}/releases")["releases"] == []


def test_unknown_servers_and_releases_are_404(registry):
    qualified = server(registry)
    status, _, _ = upload(registry, "nobody/none", multipart([("payload", payload("http://127.0.0.1:1/mcp"))]))
    assert status == 404
    for path in [f"/servers/{qualified}/releases/{uuid.uuid4()}", f"/servers/{qualified}/releases/{uuid.uuid4()}/stream",
                 "/servers/nobody/none/releases"]:
        call(registry, "GET", path, expect=404)
    far = call(registry, "GET", f"/servers/{qualified}/releases?page=9007199254740991")
    assert far["releases"] == [] and far["pagination"]["currentPage"] == 9007199254740991
    call(registry, "POST", f"/servers/{qualified}/releases/{uuid.uuid4()}/resume", expect=404)


def test_a_release_interrupted_by_a_restart_is_resumed(tmp_path):
    import socket
    gateway = Gateway(env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start()
    # A listener that never accepts: the scan waits on it until the gateway stops.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    upstream = None
    try:
        qualified = server(gateway)
        url = f"http://127.0.0.1:{port}/mcp"
        status, _, answer = upload(gateway, qualified, multipart([("payload", payload(url))]))
        assert status == 202
        release_id = answer["deploymentId"]
        assert call(gateway, "GET", f"/servers/{qualified}/releases/{release_id}")["status"] == "WORKING"
        gateway.stop()
        gateway.start()
        interrupted = call(gateway, "GET", f"/servers/{qualified}/releases/{release_id}")
        assert interrupted["status"] == "WORKING" and interrupted["logs"][-1]["stage"] == "scan"
        silent.close()
        upstream = Upstream(json_response=True)
        upstream.port = port
        upstream.start()
        call(gateway, "POST", f"/servers/{qualified}/releases/{release_id}/resume", expect=202)
        assert stream(gateway, qualified, release_id)[-1][1]["status"] == "SUCCESS"
        assert "echo" in [tool["name"] for tool in call(gateway, "GET", f"/servers/{qualified}")["tools"]]
    finally:
        silent.close()
        if upstream:
            upstream.stop()
        gateway.stop()


def mcpb(files):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


STDIO = json.dumps({"type": "stdio", "runtime": "node", "configSchema": CONFIG_SCHEMA,
                    "serverCard": {"tools": [{"name": "local_search", "description": "Search local files",
                                              "inputSchema": {"type": "object", "properties": {}}}]}}).encode()


def test_stdio_release_stores_its_bundle_for_download(registry):
    qualified = server(registry)
    bundle = mcpb({"manifest.json": '{"name": "tools"}', "server/index.js": "console.log(1)"})
    status, _, answer = upload(registry, qualified, multipart([("payload", STDIO), ("bundle", bundle)]))
    assert status == 202, answer
    assert stream(registry, qualified, answer["deploymentId"])[-1][1]["status"] == "SUCCESS"
    published = call(registry, "GET", f"/servers/{qualified}")
    connection = published["connections"][0]
    assert connection["type"] == "stdio" and connection["runtime"] == "node"
    assert connection["bundleUrl"].endswith(f"/servers/{qualified}/download")
    assert published["remote"] is False and [tool["name"] for tool in published["tools"]] == ["local_search"]
    [summary] = call(registry, "GET", f"/servers?qualifiedName={qualified}&isDeployed=1")["servers"]
    assert summary["isDeployed"] is True and summary["remote"] is False, "a stored bundle is a deployment"
    status, headers, body = registry.request("GET", f"/servers/{qualified}/download", key=ADMIN_KEY)
    assert status == 200 and headers["Content-Type"] == "application/zip" and body == bundle
    info = call(registry, "GET", f"/servers/{qualified}/releases/{answer['deploymentId']}")
    assert info["type"] == "stdio"


@pytest.mark.parametrize("parts", [
    [("payload", STDIO)],
    [("payload", STDIO), ("bundle", b"PK\x03\x04 not really a zip")],
    [("payload", STDIO), ("bundle", mcpb({"index.js": "x"}))],
    [("payload", STDIO), ("bundle", mcpb({"manifest.json": "{}"})[:-10])],
    [("payload", STDIO.replace(b'"node"', b'"cobol"')), ("bundle", mcpb({"manifest.json": "{}"}))],
])
def test_bad_stdio_uploads_store_nothing(registry, parts):
    qualified = server(registry)
    status, _, answer = upload(registry, qualified, multipart(parts))
    assert status == 400, answer
    jsonschema.validate(answer, schema("DeploymentError"))
    assert call(registry, "GET", f"/servers/{qualified}/releases")["releases"] == []
    call(registry, "GET", f"/servers/{qualified}/download", expect=404)


def test_a_match_in_tool_text_alone_ranks_after_names_and_descriptions(registry):
    namespace = "tier-" + uuid.uuid4().hex[:10]
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    servers = {"polyglot-translate": "Languages", "babel": "Translate documents between languages",
               "lingo": "Language drills"}
    for name, description in servers.items():
        call(registry, "PUT", f"/servers/{namespace}/{name}", {"description": description}, expect=201)
    # lingo's tool says "translate" five times; the others mention it once, in a name or a description.
    card = {"type": "stdio", "runtime": "node", "serverCard": {"tools": [
        {"name": f"translate_{n}", "description": "Translate, translate", "inputSchema": {"type": "object"}}
        for n in range(2)]}}
    status, _, answer = upload(registry, f"{namespace}/lingo", multipart([
        ("payload", json.dumps(card).encode()), ("bundle", mcpb({"manifest.json": "{}"}))]))
    assert status == 202, answer
    assert stream(registry, f"{namespace}/lingo", answer["deploymentId"])[-1][1]["status"] == "SUCCESS"
    expected = ["polyglot-translate", "babel", "lingo"]
    filtered = call(registry, "GET", f"/servers?q=translate&namespace={namespace}")["servers"]
    assert [server["slug"] for server in filtered] == expected
    everywhere = call(registry, "GET", "/servers?q=translate&pageSize=100")["servers"]
    assert [server["slug"] for server in everywhere if server["namespace"] == namespace] == expected
