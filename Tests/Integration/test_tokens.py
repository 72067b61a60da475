"""Service tokens through the real binary: minting, attenuation, expiry, tampering, revocation, and the policy on
the MCP endpoint with the official Python SDK client in front of a real SDK upstream."""
import asyncio
import base64
import json
import re
import subprocess
import time

import httpx2
import jsonschema
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from gateway import ADMIN_KEY, BINARY, Gateway
from spec import schema


def mint(gateway, body, key=ADMIN_KEY, expect=200):
    status, _, answer = gateway.request("POST", "/tokens", body, key=key)
    assert status == expect, answer
    if status == 200:
        jsonschema.validate(answer, schema("CreateTokenResponse"))
        return answer["token"]
    jsonschema.validate(answer, schema("TokenError"))
    return answer


def token_id(token):
    payload = token[4:].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


def put(gateway, namespace, connection_id, body):
    status, _, created = gateway.request("PUT", f"/connect/{namespace}/{connection_id}", body, key=ADMIN_KEY)
    assert status in (200, 201), created


def call_tool(gateway, namespace, tool, arguments, key):
    return gateway.request("POST", f"/connect/{namespace}/c/.tools/{tool}", arguments, key=key)


def test_minting_with_an_api_key(connect_gateway):
    status, _, answer = connect_gateway.request("POST", "/tokens", {}, key=ADMIN_KEY)
    assert status == 200
    jsonschema.validate(answer, schema("CreateTokenResponse"))
    assert answer["token"].startswith("sbt_")
    expires = time.mktime(time.strptime(answer["expiresAt"], "%Y-%m-%dT%H:%M:%S.000Z")) - time.timezone
    assert abs(expires - (time.time() + 3600)) < 60


@pytest.mark.parametrize("body, fragment", [
    ({"policy": []}, "policy"),
    ({"policy": [{"ttl": "25h"}]}, "policy[0].ttl"),
    ({"policy": [{}, {"operations": "delete"}]}, "policy[1].operations"),
    ({"policy": [{"rpcReqMatch": {"params.name": "(?<=a)b"}}]}, 'policy[0].rpcReqMatch["params.name"]'),
    ({"policy": [{"rpcReqMatch": {"params.name": "x" * 501}}]}, 'policy[0].rpcReqMatch["params.name"]'),
    ({"policy": [{"rpcReqMatch": {"k" * 201: "x"}}]}, "policy[0].rpcReqMatch"),
    ({"policy": [{"metadata": {"a": 1}}]}, "policy[0].metadata"),
    ({"scope": "all"}, "scope"),
])
def test_invalid_mints_name_the_constraint(connect_gateway, body, fragment):
    answer = mint(connect_gateway, body, expect=400)
    assert fragment in answer["message"], answer


def test_organization_scoping_needs_an_admin(connect_gateway):
    answer = mint(connect_gateway, {"organizationId": "org_123"}, expect=403)
    assert answer["error"] == "forbidden"


def test_bad_credentials_all_get_the_same_401(connect_gateway, namespace):
    token = mint(connect_gateway, {"policy": [{"ttl": 60}]})
    answers = set()
    for credential in [None, "sbt_", "sbt_x.y.z", token[:-3], token + "x", token.replace(".", "", 1)]:
        status, _, body = connect_gateway.request("GET", f"/connect/{namespace}", key=credential)
        assert status == 401
        jsonschema.validate(body, schema("TokenError"))
        answers.add(json.dumps(body))
    assert len(answers) == 1, "a refusal never says which check failed"


def test_every_tampered_byte_is_refused(connect_gateway, namespace):
    token = mint(connect_gateway, {"policy": [{"namespaces": namespace}]})
    assert connect_gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 200
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index in range(4, len(token), 3):
        replacement = alphabet[(alphabet.find(token[index]) + 7) % len(alphabet)] if token[index] != "." else "A"
        tampered = token[:index] + replacement + token[index + 1:]
        assert connect_gateway.request("GET", f"/connect/{namespace}", key=tampered)[0] == 401, index


def test_expired_tokens_are_refused(connect_gateway, namespace):
    # Expiry is in whole seconds from the second of minting, so a token lives between ttl - 1 and ttl seconds: with
    # a ttl of 1 the first request could already come too late.
    token = mint(connect_gateway, {"policy": [{"ttl": 2}]})
    assert connect_gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 200
    time.sleep(3.1)
    assert connect_gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 401


def test_a_child_cannot_widen_its_parent(connect_gateway, namespace, upstream):
    other = namespace + "-other"
    put(connect_gateway, namespace, "c", {"mcpUrl": upstream.url})
    put(connect_gateway, other, "c", {"mcpUrl": upstream.url})
    parent = mint(connect_gateway, {"policy": [{"namespaces": namespace, "operations": "read", "ttl": 120}]})
    child = mint(connect_gateway, {"policy": [{"namespaces": [namespace, other], "operations": ["read", "write"], "ttl": "24h"}]}, key=parent)
    assert connect_gateway.request("GET", f"/connect/{namespace}/c", key=child)[0] == 200
    assert connect_gateway.request("GET", f"/connect/{other}/c", key=child)[0] == 403
    status, _, body = connect_gateway.request("PUT", f"/connect/{namespace}/c", {"name": "x"}, key=child)
    assert status == 403
    jsonschema.validate(body, schema("TokenError"))
    # The child's expiry is capped by its parent's.
    _, _, parent_answer = connect_gateway.request("POST", "/tokens", {}, key=parent)
    _, _, child_answer = connect_gateway.request("POST", "/tokens", {}, key=child)
    assert child_answer["expiresAt"] <= parent_answer["expiresAt"]


def test_metadata_scoped_tokens_filter_lists_and_refuse_others(connect_gateway, namespace, upstream):
    put(connect_gateway, namespace, "alice1", {"mcpUrl": upstream.url, "metadata": {"user": "alice"}})
    put(connect_gateway, namespace, "bob1", {"mcpUrl": upstream.url, "metadata": {"user": "bob"}})
    token = mint(connect_gateway, {"policy": [{"namespaces": namespace, "metadata": {"user": "alice"}}]})
    status, _, listing = connect_gateway.request("GET", f"/connect/{namespace}", key=token)
    assert status == 200 and [c["connectionId"] for c in listing["connections"]] == ["alice1"]
    assert connect_gateway.request("GET", f"/connect/{namespace}/alice1", key=token)[0] == 200
    assert connect_gateway.request("GET", f"/connect/{namespace}/bob1", key=token)[0] == 403
    status, _, tools = connect_gateway.request("GET", f"/connect/{namespace}/.tools", key=token)
    assert status == 200 and [e["connectionId"] for e in tools["connections"]] == ["alice1"]
    # A token cannot create a connection outside its metadata.
    status, _, _ = connect_gateway.request("POST", f"/connect/{namespace}", {"mcpUrl": upstream.url, "metadata": {"user": "bob"}}, key=token)
    assert status == 403


def test_echo_only_token_through_the_sdk_client(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    token = mint(connect_gateway, {"policy": [{"namespaces": namespace, "rpcReqMatch": {"params.name": "^(echo)$"}}]})
    url = f"{connect_gateway.url}/connect/{namespace}/c/mcp"
    adds_before = len(json_upstream.tool_calls("add"))

    async def session():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                tools = await client.list_tools()
                echoed = await client.call_tool("echo", {"text": "allowed"})
                with pytest.raises(MCPError) as refused:
                    await client.call_tool("add", {"a": 1, "b": 2})
                return tools, echoed, refused.value

    tools, echoed, refused = asyncio.run(session())
    assert [t.name for t in tools.tools] == ["echo"]
    assert echoed.content[0].text == "allowed"
    assert refused.error.code == -32003
    assert len(json_upstream.tool_calls("add")) == adds_before, "the refused call never reached the upstream"
    # The REST equivalent is checked as the same tools/call.
    assert call_tool(connect_gateway, namespace, "echo", {"text": "x"}, token)[0] == 200
    assert call_tool(connect_gateway, namespace, "add", {"a": 1, "b": 2}, token)[0] == 403
    status, _, listing = connect_gateway.request("GET", f"/connect/{namespace}/c/.tools", key=token)
    assert [t["name"] for t in listing["tools"]] == ["echo"]
    assert len(json_upstream.tool_calls("add")) == adds_before


# Patterns and inputs in the subset RE2 and Python's `re` agree on; the expected results come from `re`.
CORPUS_PATTERNS = [
    "^abc$", "abc", "^a.c", "a|b", "^(foo|bar)+$", "[0-9]{3}-[0-9]{4}", "^\\d+$", "\\bword\\b", "colou?r",
    "^[a-z]+@[a-z]+\\.com$", "(?i)^hello", "^$", ".*", "^a{2,3}$", "[^x]+", "\\s", "^(a+)+$", "^(a|aa)+$",
    "é", "^\\w+$", "x*y+z?", "\\.", "^[[:alpha:]]+$",
]
CORPUS_INPUTS = ["abc", "xabcx", "abd", "foo", "foobar", "barfoo", "fob", "555-1234", "12345", "a word here",
                 "sword", "color", "colour", "jo@ex.com", "jo@ex.org", "HELLO there", "", "aa", "aaaa", "café",
                 "tab\there", "xyyz", "a.b", "a" * 16 + "!", "Zebra"]
# (16 a's: Python's backtracking `re` needs 2^n steps for ^(a+)+$ on a's and a '!', RE2 needs n.)


def python_expectation(pattern, text):
    """RE2's classes are ASCII (`re.ASCII`) and it spells POSIX classes inside brackets."""
    translated = pattern.replace("[[:alpha:]]", "[a-zA-Z]")
    return re.search(translated, text, re.ASCII) is not None


def test_rpc_patterns_agree_with_an_independent_engine(connect_gateway, namespace, json_upstream):
    put(connect_gateway, namespace, "c", {"mcpUrl": json_upstream.url})
    disagreements = []
    checked = 0
    for pattern in CORPUS_PATTERNS:
        token = mint(connect_gateway, {"policy": [{"rpcReqMatch": {"params.arguments.text": pattern}}]})
        for text in CORPUS_INPUTS:
            status, _, _ = call_tool(connect_gateway, namespace, "echo", {"text": text}, token)
            assert status in (200, 403)
            if (status == 200) != python_expectation(pattern, text):
                disagreements.append((pattern, text, status))
            checked += 1
    assert checked > 500
    assert disagreements == [], disagreements


def revoke_cli(gateway, *arguments):
    result = subprocess.run([BINARY, *arguments, "--config", gateway.config_path], env=gateway.env,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_revocation_takes_effect_within_a_second_and_survives_restarts(namespace):
    gateway = Gateway().start()
    try:
        parent = mint(gateway, {"policy": [{"namespaces": namespace}]})
        child = mint(gateway, {"policy": [{"operations": "read"}]}, key=parent)
        sibling = mint(gateway, {})
        for token in (parent, child, sibling):
            assert gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 200
        revoke_cli(gateway, "token", "revoke", token_id(parent))
        time.sleep(1.2)
        assert gateway.request("GET", f"/connect/{namespace}", key=parent)[0] == 401
        assert gateway.request("GET", f"/connect/{namespace}", key=child)[0] == 401, "children go with their parent"
        assert gateway.request("GET", f"/connect/{namespace}", key=sibling)[0] == 200
        gateway.stop()
        gateway.start()
        assert gateway.request("GET", f"/connect/{namespace}", key=parent)[0] == 401
        assert gateway.request("GET", f"/connect/{namespace}", key=sibling)[0] == 200
    finally:
        gateway.stop()


def test_revoking_an_api_key_refuses_its_tokens(namespace):
    gateway = Gateway().start()
    try:
        created = revoke_cli(gateway, "keys", "create", "--name", "tenant")
        key_id = re.search(r"created API key (\w+)", created).group(1)
        key = created.strip().splitlines()[-1]
        time.sleep(1.2)
        token = mint(gateway, {}, key=key)
        assert gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 200
        listed = revoke_cli(gateway, "keys", "list")
        assert key_id in listed and key not in listed, "keys are listed by id, never by secret"
        revoke_cli(gateway, "keys", "revoke", key_id)
        time.sleep(1.2)
        assert gateway.request("GET", f"/connect/{namespace}", key=key)[0] == 401
        assert gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 401
    finally:
        gateway.stop()


def test_signing_key_rotation_keeps_old_tokens_valid(namespace):
    gateway = Gateway().start()
    try:
        old = mint(gateway, {})
        revoke_cli(gateway, "keys", "rotate-signing")
        time.sleep(1.2)
        new = mint(gateway, {})
        assert old.split(".")[0] != new.split(".")[0], "new tokens name the new key"
        for token in (old, new):
            assert gateway.request("GET", f"/connect/{namespace}", key=token)[0] == 200
    finally:
        gateway.stop()


def test_token_ids_that_begin_with_a_dash_can_be_revoked(namespace):
    """Token ids are base64url, so one in 32 begins with `-`: options all begin with `--`, and after a bare `--`
    every argument is the id."""
    gateway = Gateway().start()
    try:
        assert "-DJecLg0ZQ3iP0wKq" in revoke_cli(gateway, "token", "revoke", "-DJecLg0ZQ3iP0wKq")
        result = subprocess.run([BINARY, "token", "revoke", "--config", gateway.config_path, "--", "--weird"],
                                env=gateway.env, capture_output=True, text=True, timeout=20)
        assert result.returncode == 0 and "--weird" in result.stdout, result.stderr
    finally:
        gateway.stop()
