"""Runs MCP steps (described in outcomes.py) with the 1.x Python SDK client (`mcp<2`) and prints
{"protocolVersion", "serverName", "instructions", "steps": [outcome, ...]} as one JSON object, for tests that
compare its view of a server with the 2.x client's. Run with the 1.x venv's python:

    python client_mcp1.py URL BEARER_KEY STEPS_JSON"""
import asyncio
import json
import sys
from datetime import timedelta

from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client

from outcomes import step_outcome


async def run(url, key, steps):
    async with streamablehttp_client(url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as streams:
        read, write, _ = streams
        async with ClientSession(read, write, read_timeout_seconds=timedelta(seconds=30)) as session:
            initialized = await session.initialize()
            outcomes = [await step_outcome(session, step) for step in steps]
            return {"protocolVersion": initialized.protocolVersion, "serverName": initialized.serverInfo.name,
                    "instructions": initialized.instructions, "steps": outcomes}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))))
