"""The same MCP steps (described in outcomes.py) run by each client generation: the 2.x SDK `Client` in this
process (mode "auto" or "legacy") and the 1.x SDK client (client_mcp1.py) as a subprocess in the 1.x venv."""
import asyncio
import json
import os
import subprocess

from gateway import ADMIN_KEY
from outcomes import step_outcome
from test_mcp import with_client
from upstream import PYTHON_1X

CLIENT_1X = os.path.join(os.path.dirname(os.path.abspath(__file__)), "client_mcp1.py")
GENERATIONS = ["auto", "legacy", "1.x"]


def run_steps(generation, url, steps):
    """{"protocolVersion": the version the client ended up with, "serverName", "instructions",
    "steps": [outcome, ...]}."""
    if generation == "1.x":
        finished = subprocess.run([PYTHON_1X, CLIENT_1X, url, ADMIN_KEY, json.dumps(steps)],
                                  capture_output=True, text=True, timeout=90)
        assert finished.returncode == 0, finished.stderr[-3000:]
        return json.loads(finished.stdout)
    return asyncio.run(asyncio.wait_for(run_sdk2(url, generation, steps), 90))


async def run_sdk2(url, mode, steps):
    async def body(client):
        outcomes = [await step_outcome(client, step) for step in steps]
        server = client.server_info
        return {"protocolVersion": client.protocol_version, "serverName": server.name if server else None,
                "instructions": client.instructions, "steps": outcomes}

    return await with_client(url, mode, body)
