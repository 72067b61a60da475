"""The registry's namespaces and servers through the real binary: every success and documented error, bodies
validated against the contract, and the policy of service tokens."""
import subprocess
import uuid

import jsonschema
import pytest

from gateway import ADMIN_KEY, BINARY, Gateway
from registry_client import OTHER_KEY, add_other_key, call
from running import running
from spec import schema
from test_tokens import mint


@pytest.fixture(scope="module")
def registry():
    instance = Gateway().start()
    add_other_key(instance)
    yield from running(instance)


def fresh():
    return "reg-" + uuid.uuid4().hex[:10]


def test_namespace_lifecycle(registry):
    name = fresh()
    created = call(registry, "PUT", f"/namespaces/{name}", expect=201)
    assert created["name"] == name
    again = call(registry, "PUT", f"/namespaces/{name}", expect=201)
    assert again["createdAt"] == created["createdAt"], "idempotent for its owner"
    call(registry, "PUT", f"/namespaces/{name}", expect=409, key=OTHER_KEY)
    mine = call(registry, "GET", "/namespaces")
    assert name in [entry["name"] for entry in mine["namespaces"]]
    theirs = call(registry, "GET", "/namespaces", key=OTHER_KEY)
    assert name not in [entry["name"] for entry in theirs["namespaces"]]
    call(registry, "DELETE", f"/namespaces/{name}", expect=403, key=OTHER_KEY)
    deleted = call(registry, "DELETE", f"/namespaces/{name}")
    assert deleted == {"success": True, "name": name}
    call(registry, "DELETE", f"/namespaces/{name}", expect=404)


@pytest.mark.parametrize("bad", ["ab", "a" * 40, "Upper", "-lead", "trail-", "under_score"])
def test_namespace_names_follow_the_rules(registry, bad):
    call(registry, "PUT", f"/namespaces/{bad}", expect=400)


def test_generated_namespace_and_prefix_search(registry):
    generated = call(registry, "POST", "/namespaces", expect=201)["name"]
    stem = fresh()
    for suffix in ["a", "b", "c"]:
        call(registry, "PUT", f"/namespaces/{stem}-{suffix}", expect=201)
    page = call(registry, "GET", f"/namespaces?q={stem}&pageSize=2")
    assert [entry["name"] for entry in page["namespaces"]] == [f"{stem}-a", f"{stem}-b"]
    assert page["pagination"] == {"currentPage": 1, "pageSize": 2, "totalPages": 2, "totalCount": 3}
    second = call(registry, "GET", f"/namespaces?q={stem}&pageSize=2&page=2")
    assert [entry["name"] for entry in second["namespaces"]] == [f"{stem}-c"]
    call(registry, "PUT", f"/servers/{stem}-b/tool", expect=201)
    holding = call(registry, "GET", f"/namespaces?q={stem}&hasServers=1")
    assert [entry["name"] for entry in holding["namespaces"]] == [f"{stem}-b"]
    # Bad queries get a clear 400, a status the contract leaves out for this path, in its error shape.
    for bad in [f"?q={stem}&pageSize=51", "?page=9007199254740992", "?hasServers=maybe", "?colour=red"]:
        status, _, answer = registry.request("GET", "/namespaces" + bad, key=ADMIN_KEY)
        assert status == 400, answer
        jsonschema.validate(answer, schema("NamespacesError"))
    assert generated in [entry["name"] for entry in call(registry, "GET", "/namespaces")["namespaces"]]
    # An empty projection is no projection, nor is one naming only fields a namespace does not have (the contract
    # types `fields` as any string): every entry keeps its name.
    for fields in ["", "owner", "owner,,colour"]:
        projected = call(registry, "GET", f"/namespaces?q={stem}&fields={fields}")
        assert [entry["name"] for entry in projected["namespaces"]] == [f"{stem}-a", f"{stem}-b", f"{stem}-c"]
    # Pages run to 2^53 - 1, as the contract bounds them; past the last one they are empty.
    far = call(registry, "GET", f"/namespaces?q={stem}&page=9007199254740991")
    assert far["namespaces"] == [] and far["pagination"]["totalCount"] == 3


def test_server_lifecycle(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    body = {"displayName": "Weather Now", "description": "Forecasts"}
    created = call(registry, "PUT", f"/servers/{namespace}/weather", body, expect=201)
    assert created["namespace"] == namespace and created["server"] == "weather"
    again = call(registry, "PUT", f"/servers/{namespace}%2Fweather", body, expect=201)
    assert again == created, "idempotent, and %2F names the same server"
    server = call(registry, "GET", f"/servers/{namespace}%2Fweather")
    assert server["qualifiedName"] == f"{namespace}/weather" and server["displayName"] == "Weather Now"
    assert server["tools"] is None and server["connections"] == []
    patched = call(registry, "PATCH", f"/servers/{namespace}/weather",
                   {"description": "Hourly forecasts", "homepage": "https://example.com", "iconUrl": None})
    assert patched == {"success": True, "namespace": namespace, "server": "weather"}
    assert call(registry, "GET", f"/servers/{namespace}/weather")["description"] == "Hourly forecasts"
    call(registry, "DELETE", f"/namespaces/{namespace}", expect=409)
    deleted = call(registry, "DELETE", f"/servers/{namespace}/weather")
    assert deleted == {"success": True, "namespace": namespace, "server": "weather"}
    call(registry, "GET", f"/servers/{namespace}/weather", expect=404)
    call(registry, "DELETE", f"/servers/{namespace}/weather", expect=404)
    call(registry, "PATCH", f"/servers/{namespace}/weather", {}, expect=404)
    call(registry, "DELETE", f"/namespaces/{namespace}")


def test_server_errors(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    call(registry, "PUT", f"/servers/{fresh()}/tool", expect=404)
    call(registry, "PUT", f"/servers/{namespace}/Bad%20Name", expect=400)
    call(registry, "PUT", f"/servers/{namespace}/tool", {"displayName": 3}, expect=400)
    call(registry, "PUT", f"/servers/{namespace}/tool", expect=403, key=OTHER_KEY)
    call(registry, "PUT", f"/servers/{namespace}/tool", expect=201)
    call(registry, "PATCH", f"/servers/{namespace}/tool", {"unlisted": "yes"}, expect=400)
    call(registry, "PUT", f"/servers/{namespace}/tool", expect=401, key=None)
    call(registry, "GET", "/servers", expect=401, key=None)


def test_open_bodies_ignore_members_they_do_not_name(registry):
    # The contract closes `CreateServerRequest` (the deprecated path's body) but leaves the bodies of
    # PUT and PATCH /servers/{qualifiedName} open: their other members are ignored, the named ones still checked.
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    created = call(registry, "PUT", f"/servers/{namespace}/tool", {"displayName": "Tool", "colour": "red"},
                   expect=201)
    assert created["displayName"] == "Tool"
    call(registry, "PATCH", f"/servers/{namespace}/tool", {"description": "Tools", "colour": "blue"})
    server = call(registry, "GET", f"/servers/{namespace}/tool")
    assert server["description"] == "Tools" and "colour" not in server
    call(registry, "PATCH", f"/servers/{namespace}/tool", {"colour": "blue", "license": 7}, expect=400)
    call(registry, "PATCH", f"/servers/{namespace}/tool", {}, expect=404, key=OTHER_KEY)
    call(registry, "DELETE", f"/servers/{namespace}/tool", expect=404, key=OTHER_KEY)


def test_deprecated_create_under_namespace(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    created = call(registry, "PUT", f"/namespaces/{namespace}/servers/legacy", {"displayName": "Legacy"}, expect=201)
    assert created["server"] == "legacy" and created["displayName"] == "Legacy"
    call(registry, "PUT", f"/namespaces/{namespace}/servers/legacy", {"other": 1}, expect=400)
    # This path bounds a server name to 3 to 39 characters, unlike /servers/{qualifiedName}.
    for name in ["ab", "a" * 40, "Legacy"]:
        call(registry, "PUT", f"/namespaces/{namespace}/servers/{name}", expect=400)
    call(registry, "PUT", f"/namespaces/{namespace}/servers/{'a' * 39}", expect=201)
    call(registry, "PUT", f"/servers/{namespace}/ab", expect=201)
    call(registry, "PUT", f"/namespaces/{namespace}/servers/xyz", expect=403, key=OTHER_KEY)
    call(registry, "PUT", f"/namespaces/{fresh()}/servers/xyz", expect=404)


def test_unlisted_servers_are_their_owners_alone(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    call(registry, "PUT", f"/servers/{namespace}/hidden", expect=201)
    call(registry, "PATCH", f"/servers/{namespace}/hidden", {"unlisted": True})
    call(registry, "GET", f"/servers/{namespace}/hidden")
    call(registry, "GET", f"/servers/{namespace}/hidden", expect=404, key=OTHER_KEY)
    assert call(registry, "GET", f"/servers?namespace={namespace}")["pagination"]["totalCount"] == 1
    assert call(registry, "GET", f"/servers?namespace={namespace}", key=OTHER_KEY)["servers"] == []


def test_token_policy_on_servers_and_namespaces(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    reader = mint(registry, {"policy": [{"resources": "servers", "operations": "read"}]})
    writer = mint(registry, {"policy": [{"resources": "servers", "operations": "write", "namespaces": namespace}]})
    call(registry, "PUT", f"/servers/{namespace}/tool", expect=403, key=reader)
    call(registry, "PUT", f"/namespaces/{fresh()}", expect=403, key=writer)
    call(registry, "PUT", f"/servers/{namespace}/tool", expect=201, key=writer)
    call(registry, "POST", "/namespaces", expect=403, key=writer)
    call(registry, "POST", "/namespaces", expect=401, key=None)
    call(registry, "PATCH", f"/servers/{namespace}/tool", {"description": "x"}, expect=403, key=reader)
    call(registry, "PATCH", f"/servers/{namespace}/tool", {"description": "new"}, key=writer)
    call(registry, "DELETE", f"/namespaces/{namespace}", expect=401, key=None)
    call(registry, "GET", f"/servers/{namespace}/tool", key=reader)
    # The contract documents no 403 for DELETE; a policy's refusal is one all the same (as on every path).
    status, _, answer = registry.request("DELETE", f"/servers/{namespace}/tool", key=reader)
    assert status == 403
    jsonschema.validate(answer, schema("RegistryError"))
    call(registry, "DELETE", f"/servers/{namespace}/tool", key=writer)


def servers_cli(gateway, *arguments):
    return subprocess.run([BINARY, "servers", *arguments, "--config", gateway.config_path], env=gateway.env,
                          capture_output=True, text=True, timeout=20)


def test_only_an_operator_verifies_a_server(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    for name in ["plain", "trusted"]:
        call(registry, "PUT", f"/servers/{namespace}/{name}", expect=201)
    call(registry, "PATCH", f"/servers/{namespace}/plain", {"verified": True})

    def verified(flag):
        answer = call(registry, "GET", f"/servers?namespace={namespace}&verified={flag}")
        return sorted(server["slug"] for server in answer["servers"])
    assert verified("1") == [] and verified("0") == ["plain", "trusted"], "the API does not set it"
    done = servers_cli(registry, "verify", f"{namespace}/trusted")
    assert done.returncode == 0 and "verified" in done.stdout, done.stderr
    assert verified("true") == ["trusted"] and verified("false") == ["plain"]
    [summary] = call(registry, "GET", f"/servers?qualifiedName={namespace}/trusted")["servers"]
    assert summary["verified"] is True
    assert servers_cli(registry, "verify", f"{namespace}/trusted", "--off").returncode == 0
    assert verified("1") == []
    missing = servers_cli(registry, "verify", f"{namespace}/none")
    assert missing.returncode == 1 and "no server" in missing.stderr
    for bad in [[], ["verify"], ["verify", "/x"], ["verify", f"{namespace}/"], ["promote", f"{namespace}/plain"]]:
        assert servers_cli(registry, *bad).returncode == 2, bad


def test_search_hides_the_unlisted_servers_of_other_keys(registry):
    namespace = fresh()
    call(registry, "PUT", f"/namespaces/{namespace}", expect=201)
    for name in ["zephyr", "zephyr-mail", "zephyr-maps"]:
        call(registry, "PUT", f"/servers/{namespace}/{name}", {"description": "Zephyr tools"}, expect=201)
    call(registry, "PATCH", f"/servers/{namespace}/zephyr", {"unlisted": True})
    # The best match is hidden from the other key, which still gets the rest of the ranking.
    theirs = call(registry, "GET", "/servers?q=zephyr", key=OTHER_KEY)
    assert sorted(server["slug"] for server in theirs["servers"]) == ["zephyr-mail", "zephyr-maps"]
    assert theirs["pagination"]["totalCount"] == 2
    mine = call(registry, "GET", "/servers?q=zephyr")
    assert mine["servers"][0]["slug"] == "zephyr" and mine["pagination"]["totalCount"] == 3
