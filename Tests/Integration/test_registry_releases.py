"""Releases through the real binary: an external release scans a real Python MCP SDK server (behind the egress
policy, with scan credentials) and fills the server's tools, resources and prompts; its stages stream over SSE;
bad uploads are refused and store nothing."""
import json
import os
import signal
import socket
import sqlite3
import struct
import time
import urllib.request
import uuid
import zlib

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway
from registry_client import call, documented
from running import running
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
    yield from running(Upstream(json_response=True, require_key=KEY).start())


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


EXTERNAL = b'{"type":"external","upstreamUrl":"http://127.0.0.1:1/mcp"}'
FORM = "multipart/form-data; boundary=sb-boundary"
BAD_UPLOADS = [
    ("truncated", multipart([("payload", EXTERNAL)])[:-20], FORM, 400),
    ("no-boundary-parameter", multipart([("payload", b"{}")]), "multipart/form-data", 400),
    ("json", multipart([("payload", b"{}")]), "application/json", 400),
    ("oversize-payload", multipart([("payload", b" " * 300_000)]), FORM, 413),
    ("not-json", multipart([("payload", b"not json")]), FORM, 400),
    ("unknown-part", multipart([("other", b"x")]), FORM, 400),
    ("hosted", multipart([("payload", b'{"type":"hosted","stateful":false,"hasAuthAdapter":false}')]), FORM, 400),
    ("no-upstream-url", multipart([("payload", b'{"type":"external"}')]), FORM, 400),
    ("unknown-member", multipart([("payload", EXTERNAL.replace(b"}", b',"x":1}'))]), FORM, 400),
    ("no-closing-boundary", multipart([("payload", EXTERNAL)])[:-len("--sb-boundary--\r\n")], FORM, 400),
    ("preamble", b"preamble\r\n" + multipart([("payload", EXTERNAL)]), FORM, 400),
    ("another-boundary", multipart([("payload", EXTERNAL)]), "multipart/form-data; boundary=other", 400),
    ("boundary-run-on", multipart([("payload", EXTERNAL)]).replace(b"\r\n--sb-boundary--", b"\r\n--sb-boundaryX--"),
     FORM, 400),
    ("no-part-headers", b"--sb-boundary\r\n\r\n" + EXTERNAL + b"\r\n--sb-boundary--\r\n", FORM, 400),
    ("folded-header", multipart([("payload", EXTERNAL)]).replace(b'name="payload"', b'name="payload"\r\n folded'),
     FORM, 400),
    ("no-disposition", multipart([("payload", EXTERNAL)]).replace(b"Content-Disposition", b"Content-Type"), FORM, 400),
    ("two-names", multipart([("payload", EXTERNAL)]).replace(b'name="payload"', b'name="payload"; name="bundle"'),
     FORM, 400),
    ("two-payloads", multipart([("payload", EXTERNAL), ("payload", EXTERNAL)]), FORM, 400),
    ("oversize-part-headers",
     multipart([("payload", EXTERNAL)]).replace(b'name="payload"', b'name="payload"\r\nX-Pad: ' + b"p" * 5000),
     FORM, 413),
    ("three-parts", multipart([("payload", EXTERNAL), ("bundle", b"x"), ("extra", b"y")]), FORM, 413),
    ("hosted-module", multipart([("payload", EXTERNAL), ("module", b"export default {}")]), FORM, 400),
    ("external-bundle", multipart([("payload", EXTERNAL), ("bundle", b"PK")]), FORM, 400),
]


@pytest.mark.parametrize("body,content_type,expect", [case[1:] for case in BAD_UPLOADS],
                         ids=[case[0] for case in BAD_UPLOADS])
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
    assert far["pagination"]["pageSize"] == 20, "the contract's default page size for releases"
    call(registry, "POST", f"/servers/{qualified}/releases/{uuid.uuid4()}/resume", expect=404)


def sealed_credentials(gateway, release_id):
    """The release's sealed scan credentials as stored, `None` once deleted."""
    with sqlite3.connect(os.path.join(gateway.directory, "switchboard.db")) as database:
        row = database.execute("SELECT sealed_scan_credentials FROM releases WHERE id = ?", (release_id,)).fetchone()
    return row[0]


def stored_bytes(gateway):
    """Everything the gateway wrote to disk: the database, its WAL, and its stderr."""
    data = b""
    for name in os.listdir(gateway.directory):
        with open(os.path.join(gateway.directory, name), "rb") as f:
            data += f.read()
    return data


@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_a_release_interrupted_during_its_scan_resumes_with_its_scan_credentials(stop):
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
        credentials = {"X-API-Key": KEY, "region": "eu-west-7"}
        body = multipart([("payload", payload(url, configSchema=CONFIG_SCHEMA, scanCredentials=credentials))])
        status, _, answer = upload(gateway, qualified, body)
        assert status == 202
        release_id = answer["deploymentId"]
        path = f"/servers/{qualified}/releases/{release_id}"
        deadline = time.time() + 10
        while call(gateway, "GET", path)["logs"][-1]["stage"] != "scan" and time.time() < deadline:
            time.sleep(0.05)
        assert call(gateway, "GET", path)["status"] == "WORKING"
        if stop == "kill":
            gateway.process.send_signal(signal.SIGKILL)
            gateway.process.wait()
            gateway.stderr.close()
        else:
            gateway.stop()
        sealed = sealed_credentials(gateway, release_id)
        assert sealed and KEY.encode() not in sealed, "kept for the resume, sealed"
        assert KEY.encode() not in stored_bytes(gateway) and b"eu-west-7" not in stored_bytes(gateway)
        gateway.start()
        interrupted = call(gateway, "GET", path)
        assert interrupted["status"] == "WORKING" and interrupted["logs"][-1]["stage"] == "scan"
        assert KEY not in json.dumps(interrupted), "never returned"
        silent.close()
        upstream = Upstream(json_response=True, require_key=KEY)
        upstream.port = port
        upstream.start()
        call(gateway, "POST", f"{path}/resume", expect=202)
        assert stream(gateway, qualified, release_id)[-1][1]["status"] == "SUCCESS"
        published = call(gateway, "GET", f"/servers/{qualified}")
        assert "echo" in [tool["name"] for tool in published["tools"]]
        assert published["deploymentUrl"] == url, "query credentials are the scan's alone"
        scanned = [entry for entry in upstream.log() if entry["rpc"] == "tools/list"]
        assert scanned and all(entry["headers"].get("x-api-key") == KEY for entry in scanned)
        assert all(entry["query"] == "region=eu-west-7" for entry in scanned)
        assert sealed_credentials(gateway, release_id) is None, "deleted once published"
        assert KEY.encode() not in stored_bytes(gateway), "never logged"
    finally:
        silent.close()
        if upstream:
            upstream.stop()
        gateway.stop()


def test_a_failed_release_keeps_no_scan_credentials(registry, guarded_upstream):
    qualified = server(registry)
    body = multipart([("payload", payload(guarded_upstream.url, scanCredentials={"X-API-Key": "wrong-key"}))])
    status, _, answer = upload(registry, qualified, body)
    assert status == 202
    assert stream(registry, qualified, answer["deploymentId"])[-1][1]["status"] == "AUTH_REQUIRED"
    assert sealed_credentials(registry, answer["deploymentId"]) is None


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


def overlapping_zip(copies=16, size=1_000_000):
    """A zip bomb's trick (the non-recursive kind): many directory entries over one small compressed stream, each
    unpacking to `size` bytes, with no entry larger than its declared size."""
    data = zlib.compress(b"\0" * size, 9)[2:-4]  # raw deflate
    crc = zlib.crc32(b"\0" * size)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, 13, 0) + b"manifest.json"
    directory = b""
    for index in range(copies):
        name = b"manifest.json" if index == 0 else f"copy{index}.bin".encode()
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                                 len(name), 0, 0, 0, 0, 0, 0) + name
    archive = local + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(directory), len(archive), 0)
    return archive + directory + end


def declared_bomb(size):
    """A ZIP whose one large entry of zeros deflates to almost nothing."""
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "{}")
        with archive.open("zeros.bin", "w") as entry:
            for _ in range(size >> 20):
                entry.write(bytes(1 << 20))
    return buffer.getvalue()


@pytest.mark.parametrize("bundle,expect", [
    pytest.param(overlapping_zip(), 400, id="overlapping-entries"),
    pytest.param(declared_bomb(80 << 20), 413, id="declares-80-MiB"),
    pytest.param(mcpb({"manifest.json": "{}", "../escape.js": "x"}), 400, id="escaping-name"),
    pytest.param(mcpb({"manifest.json": "{}"}) + b"trailing", 400, id="trailing-bytes"),
])
def test_zip_bombs_and_escaping_bundles_store_nothing(registry, bundle, expect):
    qualified = server(registry)
    assert len(bundle) < 1 << 20, "each fits the body and bundle limits"
    status, _, answer = upload(registry, qualified, multipart([("payload", STDIO), ("bundle", bundle)]))
    assert status == expect, answer
    jsonschema.validate(answer, schema("DeploymentError"))
    assert call(registry, "GET", f"/servers/{qualified}/releases")["releases"] == []
    call(registry, "GET", f"/servers/{qualified}/download", expect=404)


def test_a_bundle_over_the_registrys_limits_is_413_and_stores_nothing():
    gateway = Gateway(config={"registry": {"maxBundleBytes": 4096, "maxBundleUnpackedBytes": 100_000}}).start()
    try:
        for bundle, error in [(mcpb({"manifest.json": "{}", "noise.bin": os.urandom(8_000)}), "part bundle exceeds 4096"),
                              (mcpb({"manifest.json": "{}", "zeros.bin": bytes(200_000)}), "bundle: it unpacks to")]:
            qualified = server(gateway)
            status, _, answer = upload(gateway, qualified, multipart([("payload", STDIO), ("bundle", bundle)]))
            assert status == 413 and answer["error"].startswith(error), answer
            assert call(gateway, "GET", f"/servers/{qualified}/releases")["releases"] == []
    finally:
        gateway.stop()


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
