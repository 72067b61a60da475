"""Runs MCP steps with the 1.x Python SDK client (`mcp<2`) and prints their outcomes as one JSON object, for tests
that compare its view of a server with the 2.x client's. Run with the 1.x venv's python:

    python client_mcp1.py URL BEARER_KEY STEPS_JSON

STEPS_JSON is a list of steps: {"op": "list_tools"}, {"op": "call", "name": ..., "arguments": {...}},
{"op": "list_resources"}, {"op": "read", "uri": ...}, {"op": "list_prompts"}, {"op": "get_prompt", "name": ...,
"arguments": {...}}. Prints {"protocolVersion": ..., "steps": [outcome, ...]} with outcomes shaped by outcomes.py."""
import asyncio
import json
import sys
from datetime import timedelta

from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client

from outcomes import call_outcome, prompt_outcome, read_outcome


async def run(url, key, steps):
    async with streamablehttp_client(url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as streams:
        read, write, _ = streams
        async with ClientSession(read, write, read_timeout_seconds=timedelta(seconds=30)) as session:
            initialized = await session.initialize()
            outcomes = [await step_outcome(session, step) for step in steps]
            return {"protocolVersion": initialized.protocolVersion, "steps": outcomes}


async def step_outcome(session, step):
    op = step["op"]
    if op == "list_tools":
        return sorted(tool.name for tool in (await session.list_tools()).tools)
    if op == "call":
        updates = []

        async def on_progress(progress, total, message):
            updates.append([progress, total, message])

        result = await session.call_tool(step["name"], step.get("arguments"), progress_callback=on_progress)
        return call_outcome([c.model_dump(exclude_none=True) for c in result.content], result.isError, updates)
    if op == "list_resources":
        return sorted(str(resource.uri) for resource in (await session.list_resources()).resources)
    if op == "read":
        result = await session.read_resource(step["uri"])
        return read_outcome([c.model_dump(mode="json", exclude_none=True) for c in result.contents])
    if op == "list_prompts":
        return sorted(prompt.name for prompt in (await session.list_prompts()).prompts)
    if op == "get_prompt":
        result = await session.get_prompt(step["name"], step.get("arguments"))
        return prompt_outcome([m.model_dump(mode="json", exclude_none=True) for m in result.messages])
    raise ValueError(f"unknown step {op}")


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))))
