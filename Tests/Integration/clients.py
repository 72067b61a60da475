"""The same MCP steps run by each client generation, with results in the shape of outcomes.py:
the 2.x SDK `Client` in this process (mode "auto" or "legacy") and the 1.x SDK client (client_mcp1.py) as a
subprocess in the 1.x venv. Steps are described in client_mcp1.py."""
import asyncio
import json
import os
import subprocess

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from gateway import ADMIN_KEY
from outcomes import call_outcome, prompt_outcome, read_outcome
from upstream import PYTHON_1X

CLIENT_1X = os.path.join(os.path.dirname(os.path.abspath(__file__)), "client_mcp1.py")
GENERATIONS = ["auto", "legacy", "1.x"]


def run_steps(generation, url, steps):
    """{"protocolVersion": the version the client ended up with, "steps": [outcome, ...]}."""
    if generation == "1.x":
        finished = subprocess.run([PYTHON_1X, CLIENT_1X, url, ADMIN_KEY, json.dumps(steps)],
                                  capture_output=True, text=True, timeout=90)
        assert finished.returncode == 0, finished.stderr[-3000:]
        return json.loads(finished.stdout)
    return asyncio.run(asyncio.wait_for(run_sdk2(url, generation, steps), 90))


async def with_sdk2(url, mode, body):
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            return await body(client)


async def run_sdk2(url, mode, steps):
    async def body(client):
        outcomes = [await step_outcome(client, step) for step in steps]
        return {"protocolVersion": client.protocol_version, "steps": outcomes}

    return await with_sdk2(url, mode, body)


def dumped(models):
    return [m.model_dump(mode="json", by_alias=True, exclude_none=True) for m in models]


async def step_outcome(client, step):
    op = step["op"]
    if op == "list_tools":
        return sorted(tool.name for tool in (await client.list_tools()).tools)
    if op == "call":
        updates = []

        async def on_progress(progress, total, message):
            updates.append([progress, total, message])

        result = await client.call_tool(step["name"], step.get("arguments"), progress_callback=on_progress)
        return call_outcome(dumped(result.content), result.is_error, updates)
    if op == "list_resources":
        return sorted(str(resource.uri) for resource in (await client.list_resources()).resources)
    if op == "read":
        return read_outcome(dumped((await client.read_resource(step["uri"])).contents))
    if op == "list_prompts":
        return sorted(prompt.name for prompt in (await client.list_prompts()).prompts)
    if op == "get_prompt":
        return prompt_outcome(dumped((await client.get_prompt(step["name"], step.get("arguments"))).messages))
    raise ValueError(f"unknown step {op}")
