"""The LLM engine against a local OpenAI-compatible server: the prompt, the repair round, and clear tool errors."""
import json
import urllib.request

import pytest

from fixture_upstream import FakeLLM, ToolsUpstream
from gateway import ADMIN_KEY, Gateway
from running import running

TOOL = {"name": "create_task", "description": "Creates a task.",
        "inputSchema": {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]},
        "outputSchema": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}},
                         "required": ["id", "title"]}}
SCENARIO = "A bakery's task board with three open orders."


@pytest.fixture(scope="module")
def llm():
    yield from running(FakeLLM())


@pytest.fixture(scope="module")
def llm_gateway(llm):
    upstream = ToolsUpstream([TOOL])
    config = {"mock": {"engine": "llm", "llm": {"baseUrl": llm.base_url, "model": "tiny", "timeoutSeconds": 1}}}
    instance = Gateway(config=config, env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8",
                                           "SWITCHBOARD_MOCK_LLM_API_KEY": "sk-test"}).start()
    body = {"mcpUrl": upstream.url, "mock": {"enabled": True, "scenario": SCENARIO}}
    status, _, created = instance.request("PUT", "/connect/llm/m", body, key=ADMIN_KEY)
    assert status == 201, created
    upstream.stop()
    yield from running(instance)


def call(gateway, title):
    return gateway.request("POST", "/connect/llm/m/.tools/create_task", {"title": title}, key=ADMIN_KEY)


def test_the_prompt_carries_scenario_schemas_and_history(llm_gateway, llm):
    llm.requests.clear()
    llm.replies[:] = [json.dumps({"id": "t1", "title": "Rye"}), json.dumps({"id": "t2", "title": "Spelt"})]
    status, _, first = call(llm_gateway, "Rye")
    assert status == 200 and first["structuredContent"] == {"id": "t1", "title": "Rye"}
    assert first["_meta"] == {"switchboard/simulated": True, "engine": "llm"}
    status, _, second = call(llm_gateway, "Spelt")
    assert status == 200
    request = llm.requests[1]
    assert request["path"] == "/v1/chat/completions" and request["authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "tiny"
    assert body["response_format"]["json_schema"]["schema"] == TOOL["outputSchema"]
    system = body["messages"][0]["content"]
    assert SCENARIO in system and json.dumps(TOOL["inputSchema"], separators=(",", ":")) in system
    assert '"Rye"' in system and '"t1"' in system, "the earlier call and its result are in the prompt"
    assert '"Spelt"' in body["messages"][1]["content"]


def test_an_invalid_reply_gets_one_repair_round(llm_gateway, llm):
    llm.requests.clear()
    llm.replies[:] = ["not json", json.dumps({"id": "t3", "title": "Oat"})]
    status, _, repaired = call(llm_gateway, "Oat")
    assert status == 200 and repaired["structuredContent"]["id"] == "t3"
    assert len(llm.requests) == 2 and "invalid" in llm.requests[1]["body"]["messages"][-1]["content"]
    llm.requests.clear()
    llm.replies[:] = [json.dumps({"id": 5}), json.dumps({"title": "no id"})]
    status, _, failed = call(llm_gateway, "Oat")
    assert status == 422 and "output schema" in failed["message"]
    assert len(llm.requests) == 2, "exactly one repair round"


@pytest.mark.parametrize("reply, words", [(429, "rate limiting"), (503, "HTTP 503"), ("hang", "did not answer")])
def test_endpoint_failures_become_clear_tool_errors(llm_gateway, llm, reply, words):
    llm.replies[:] = [reply]
    status, _, failed = call(llm_gateway, "Rye")
    assert status == 422 and words in failed["message"]
    with urllib.request.urlopen(llm_gateway.url + "/metrics") as response:
        metrics = response.read().decode()
    assert "switchboard_mock_llm_failures_total{reason=" in metrics
