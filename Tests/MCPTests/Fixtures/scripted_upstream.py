"""A scripted MCP upstream for the session tests (stdlib only). Prints its port once listening.

A handshake-era server unless --modern: server/discover gets a JSON-RPC error, initialize opens a session
(Mcp-Session-Id s1, s2, ...), every other request needs a live session. tools/call echoes its arguments and the
id it was sent under; an even `arguments.n` is answered over SSE (a progress notification at once, then a
response under another request's id, then the answer), an odd one as JSON; one with `arguments.wait` is
answered only once a notifications/cancelled names it (as SDK servers do: error -32800).

  --discover-error 400|404  how server/discover is refused (FastMCP's 400 "Missing session ID", or 404 -32601)
  --modern                  serve 2026-07-28 statelessly: discover answers, every request is checked against
                            the 2026-07-28 header and envelope rules
  --hold N                  hold tools/call answers until N have arrived (10 s at most), then answer them in
                            the reverse order of their arrival
  --expire-first            the first session expires on its first tools/call: 404 to everything sent in it
  --negotiate V             the protocolVersion initialize answers (2025-11-25 unless given)
  --unauthorized            401 to every POST, as an upstream that wants credentials the gateway lacks
GET /log answers what was received: one entry per POST, and the count of foreign-id responses sent.
It exits when its stdin closes, so that it never outlives the test process that started it.
"""
import argparse
import base64
import json
import os
import sys
import threading
import http.server

VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
NAME_BEARING = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


class Hold:
    """Keeps the first `count` callers until all have arrived, then lets them answer newest first."""

    def __init__(self, count):
        self.count = count
        self.condition = threading.Condition()
        self.arrived = 0
        self.released = count == 0
        self.next = None

    def enter(self):
        with self.condition:
            if self.released:
                return None
            index = self.arrived
            self.arrived += 1
            if self.arrived >= self.count or not self.condition.wait_for(lambda: self.released, timeout=10):
                self._release()
            self.condition.wait_for(lambda: self.next == index)
            return index

    def leave(self, index):
        if index is None:
            return
        with self.condition:
            self.next -= 1
            self.condition.notify_all()

    def _release(self):
        if not self.released:
            self.released = True
            self.next = self.arrived - 1
            self.condition.notify_all()


class State:
    def __init__(self, options):
        self.options = options
        self.lock = threading.Lock()
        self.sessions = {}  # id -> expired
        self.log = []
        self.foreign = 0
        self.in_flight = []  # upstream ids of tool calls being answered
        self.hold = Hold(options.hold)
        self.cancelled = {}  # upstream id -> Event set by notifications/cancelled


def decoded(value):
    if value and value.startswith("=?base64?") and value.endswith("?=") and len(value) >= 11:
        try:
            return base64.b64decode(value[9:-2], validate=True).decode()
        except ValueError:
            return value
    return value


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/log":
            with self.state.lock:
                self.send_json(200, {"posts": self.state.log, "foreign": self.state.foreign,
                                     "held": self.state.hold.arrived})
        else:
            self.send_json(405, {"error": "method_not_allowed"})

    def do_DELETE(self):
        with self.state.lock:
            self.state.sessions.pop(self.headers.get("Mcp-Session-Id"), None)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        message = json.loads(body)
        method, rpc_id = message.get("method"), message.get("id")
        session = self.headers.get("Mcp-Session-Id")
        with self.state.lock:
            self.state.log.append({
                "method": method, "id": rpc_id, "session": session,
                "protocolVersion": self.headers.get("MCP-Protocol-Version"),
                "mcpMethod": self.headers.get("Mcp-Method"), "mcpName": self.headers.get("Mcp-Name"),
                "meta": (message.get("params") or {}).get("_meta"),
                "requestId": (message.get("params") or {}).get("requestId"),
            })
        if self.state.options.unauthorized:
            return self.send_json(401, error(rpc_id, -32001, "Unauthorized"))
        if self.state.options.modern:
            return self.modern(message)
        if method == "server/discover":
            if self.state.options.discover_error == 404:
                return self.send_json(404, error(rpc_id, -32601, "Method not found"))
            return self.send_json(400, error("server-error", -32600, "Bad Request: Missing session ID"))
        if method == "initialize":
            with self.state.lock:
                session = "s%d" % (len(self.state.sessions) + 1)
                self.state.sessions[session] = False
            result = {
                "protocolVersion": self.state.options.negotiate, "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "scripted", "version": "1"},
            }
            return self.send_json(200, {"jsonrpc": "2.0", "id": rpc_id, "result": result}, session=session)
        with self.state.lock:
            known = session in self.state.sessions
            expired = self.state.sessions.get(session, True)
            if known and not expired and method == "tools/call" and self.state.options.expire_first \
                    and session == "s1":
                self.state.sessions[session] = expired = True
        if not known:
            return self.send_json(400, error("server-error", -32600, "Bad Request: Missing session ID"))
        if expired:
            return self.send_json(404, error("server-error", -32600, "Session not found"))
        self.answer(message)

    def modern(self, message):
        method, rpc_id = message.get("method"), message.get("id")
        if rpc_id is None:
            return self.accepted()
        meta = (message.get("params") or {}).get("_meta")
        if not isinstance(meta, dict) or VERSION_KEY not in meta or CAPABILITIES_KEY not in meta:
            return self.send_json(400, error(rpc_id, -32602, "params._meta is missing the envelope"))
        if self.headers.get("MCP-Protocol-Version") != meta[VERSION_KEY]:
            return self.send_json(400, error(rpc_id, -32020, "mcp-protocol-version header does not match"))
        if self.headers.get("Mcp-Method") != method:
            return self.send_json(400, error(rpc_id, -32020, "mcp-method header does not match"))
        key = NAME_BEARING.get(method)
        body_name = (message.get("params") or {}).get(key) if key else None
        if body_name is not None and decoded(self.headers.get("Mcp-Name")) != body_name:
            return self.send_json(400, error(rpc_id, -32020, "mcp-name header does not match"))
        if method == "server/discover":
            result = {
                "supportedVersions": ["2026-07-28"], "capabilities": {"tools": {"listChanged": True}},
                "resultType": "complete", "ttlMs": 0, "cacheScope": "private",
                "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "scripted-modern", "version": "2"}},
            }
            return self.send_json(200, {"jsonrpc": "2.0", "id": rpc_id, "result": result})
        self.answer(message)

    def answer(self, message):
        method, rpc_id = message.get("method"), message.get("id")
        if method == "notifications/cancelled":
            with self.state.lock:
                self.state.cancelled.setdefault(message["params"]["requestId"], threading.Event()).set()
        if rpc_id is None:
            return self.accepted()
        if method == "tools/list":
            with self.state.lock:
                listing = len([post for post in self.state.log if post["method"] == "tools/list"])
            # Each listing differs (the tool's description counts them); at 2026-07-28 it is stale at once.
            tool = {"name": "echo", "description": "listing %d" % listing, "inputSchema": {"type": "object"}}
            result = {"tools": [tool]}
            if self.state.options.modern:
                result.update({"resultType": "complete", "ttlMs": 0, "cacheScope": "private"})
            return self.send_json(200, {"jsonrpc": "2.0", "id": rpc_id, "result": result})
        if method != "tools/call":
            return self.send_json(404, error(rpc_id, -32601, "Method not found"))
        arguments = message["params"].get("arguments", {})
        if arguments.get("wait"):
            with self.state.lock:
                cancelled = self.state.cancelled.setdefault(rpc_id, threading.Event())
            cancelled.wait(timeout=10)
            return self.send_json(200, error(rpc_id, -32800, "Request cancelled"))
        result = {
            "content": [{"type": "text", "text": json.dumps(arguments)}],
            "echo": {"id": rpc_id, "arguments": arguments, "session": self.headers.get("Mcp-Session-Id")},
        }
        answer = {"jsonrpc": "2.0", "id": rpc_id, "result": result}
        streamed = arguments.get("n", 1) % 2 == 0
        with self.state.lock:
            self.state.in_flight.append(rpc_id)
        if streamed:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            progress = {"jsonrpc": "2.0", "method": "notifications/progress",
                        "params": {"progressToken": arguments.get("n"), "progress": 0.5}}
            self.event(progress)
        turn = self.state.hold.enter()
        try:
            if not streamed:
                return self.send_json(200, answer)
            with self.state.lock:
                others = [other for other in self.state.in_flight if other != rpc_id]
                self.state.foreign += 1
            foreign = others[-1] if others else "sb-forged"
            self.event({"jsonrpc": "2.0", "id": foreign, "result": {"content": [], "forged": True}})
            self.event(answer)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            with self.state.lock:
                self.state.in_flight.remove(rpc_id)
            self.state.hold.leave(turn)

    def event(self, message):
        frame = b"event: message\r\ndata: " + json.dumps(message).encode() + b"\r\n\r\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
        self.wfile.flush()

    def accepted(self):
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_json(self, status, value, session=None):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if session:
            self.send_header("Mcp-Session-Id", session)
        self.end_headers()
        self.wfile.write(body)


def error(rpc_id, code, text):
    return {"jsonrpc": "2.0", "id": rpc_id, "error": {"code": code, "message": text}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--discover-error", type=int, default=400, choices=[400, 404])
    parser.add_argument("--modern", action="store_true")
    parser.add_argument("--hold", type=int, default=0)
    parser.add_argument("--expire-first", action="store_true")
    parser.add_argument("--negotiate", default="2025-11-25")
    parser.add_argument("--unauthorized", action="store_true")
    options = parser.parse_args()
    Handler.state = State(options)
    http.server.ThreadingHTTPServer.request_queue_size = 256
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()


main()
