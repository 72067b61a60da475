"""A real upstream MCP server for the integration tests, on the official Python SDK (MCPServer, Streamable HTTP).

Prints its port once listening. Options:
  --json             answer with JSON bodies instead of SSE streams
  --require-key K    answer 401 unless the request carries `X-API-Key: K`
  --log FILE         append one line per HTTP request: method, JSON-RPC method and tool name
"""
import argparse
import asyncio
import json
import socket

import uvicorn
from mcp.server.mcpserver import Context, MCPServer


def build_server() -> MCPServer:
    server = MCPServer("fixture-upstream", version="1.2.3", instructions="A test upstream.")

    @server.tool(description="Echo the text back.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Add two integers.")
    def add(a: int, b: int) -> int:
        return a + b

    @server.tool(description="Always fails.")
    def fail(message: str = "it failed") -> str:
        raise ValueError(message)

    @server.tool(description="Report progress, then finish.")
    async def progress(steps: int, ctx: Context) -> str:
        for step in range(steps):
            await ctx.report_progress(step + 1, steps, f"step {step + 1}")
            await asyncio.sleep(0.05)
        return f"done after {steps} steps"

    @server.tool(description="Sleep, then answer.")
    async def sleep(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool(name="repo.search", description="Search a repository.")
    def repo_search(query: str, kind: str = "code") -> str:
        return f"{kind}:{query}"

    return server


def guarded(app, required_key, log_path):
    async def wrapper(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = b""
        messages = []
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if log_path:
            entry = {"method": scope["method"], "rpc": None, "tool": None, "headers": headers}
            try:
                parsed = json.loads(body) if body else {}
                entry["rpc"] = parsed.get("method")
                entry["tool"] = (parsed.get("params") or {}).get("name")
            except ValueError:
                pass
            with open(log_path, "a") as log:
                log.write(json.dumps(entry) + "\n")
        if required_key is not None and headers.get("x-api-key") != required_key:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
            await send({"type": "http.response.body", "body": b'{"error":"unauthorized"}'})
            return

        async def replay():
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return wrapper


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--require-key")
    parser.add_argument("--log")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = build_server().streamable_http_app(json_response=args.json)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)  # before the port is printed, so a caller can connect at once
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(guarded(app, args.require_key, args.log), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


main()
