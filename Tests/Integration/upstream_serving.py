"""What both upstream fixtures share, whichever SDK generation they run on: the command line, the request log and
the ASGI guard that writes it, and serving an app on a loopback port printed once listening.

Log lines are JSON objects: one per HTTP request (`method`, `rpc`, `tool`, `headers`, `query`, the JSON-RPC `id`,
and a cancel's `requestId`) and one per tool event the
fixtures record themselves (`event`, `tool`, with `rpc` null), e.g. a `sleep` that was cancelled."""
import argparse
import json
import socket

import uvicorn


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="answer with JSON bodies instead of SSE streams")
    parser.add_argument("--require-key", help="answer 401 unless the request carries `X-API-Key: K`")
    parser.add_argument("--log", help="append one JSON line per HTTP request and per recorded tool event")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--extra-tools", action="store_true", help="also serve `large` (a string of `size` bytes)")
    return parser.parse_args()


def append_log(log_path, entry):
    if log_path:
        with open(log_path, "a") as log:
            log.write(json.dumps(entry) + "\n")


def record_event(log_path, event, tool):
    append_log(log_path, {"method": None, "rpc": None, "tool": tool, "headers": {}, "event": event})


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
        entry = {"method": scope["method"], "rpc": None, "tool": None, "headers": headers,
                 "query": scope.get("query_string", b"").decode()}
        try:
            parsed = json.loads(body) if body else {}
            params = parsed.get("params") or {}
            entry.update(rpc=parsed.get("method"), tool=params.get("name"), id=parsed.get("id"))
            if "requestId" in params:
                entry["requestId"] = params["requestId"]
        except (ValueError, AttributeError):
            pass
        append_log(log_path, entry)
        if required_key is not None and headers.get("x-api-key") != required_key:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
            await send({"type": "http.response.body", "body": b'{"error":"unauthorized"}'})
            return

        async def replay():
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return wrapper


def serve(app, args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)  # before the port is printed, so a caller can connect at once
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(guarded(app, args.require_key, args.log), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
