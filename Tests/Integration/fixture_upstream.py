"""A minimal MCP server on the standard library that serves a given tools list (JSON answers, no session) and
logs every JSON-RPC method it receives; and a fake OpenAI-compatible chat-completions server."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server:
    def __init__(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.owner = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class ToolsUpstream(_Server):
    def __init__(self, tools):
        self.tools = tools
        self.methods = []
        super().__init__(_MCPHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/mcp"


class _MCPHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        method = message.get("method")
        owner.methods.append(method)
        if "id" not in message:
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if method == "initialize":
            result = {"protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
                      "capabilities": {"tools": {}}, "serverInfo": {"name": "fixture", "version": "1.0"}}
            answer = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        elif method == "tools/list":
            answer = {"jsonrpc": "2.0", "id": message["id"], "result": {"tools": owner.tools}}
        elif method == "tools/call":
            answer = {"jsonrpc": "2.0", "id": message["id"], "result": {"content": [{"type": "text", "text": "live"}]}}
        else:
            answer = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "no " + method}}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeLLM(_Server):
    """Answers each chat completion with the next of `replies` (a string content, or an int HTTP status, or
    "hang" to never answer); records every request body."""

    def __init__(self):
        self.replies = []
        self.requests = []
        super().__init__(_LLMHandler)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/v1"


class _LLMHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        owner.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                               "body": json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))})
        reply = owner.replies.pop(0) if owner.replies else 500
        if reply == "hang":
            threading.Event().wait(30)
            return
        if isinstance(reply, int):
            body, status = b'{"error":{"message":"nope"}}', reply
        else:
            body, status = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FloodingUpstream(_Server):
    """An MCP upstream whose `tools/call` answer is an SSE stream of `count` `notifications/message` events of
    `size` bytes each (event i carries `i:` and a letter of its own), then the result. `sent` counts the event bytes
    written so far and `finished` tells whether the whole stream went out: a held-back stream stops growing."""

    def __init__(self, count, size):
        self.count = count
        self.size = size
        self.sent = 0
        self.finished = False
        super().__init__(_FloodHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/mcp"

    def data(self, index):
        return f"{index}:" + chr(97 + index % 26) * self.size


class _FloodHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if "id" not in message:
            return self._answer(202, b"")
        if message.get("method") == "initialize":
            result = {"protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
                      "capabilities": {"tools": {}}, "serverInfo": {"name": "flood", "version": "1.0"}}
            return self._answer(200, json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode())
        if message.get("method") != "tools/call":
            error = {"code": -32601, "message": "no " + message.get("method", "")}
            return self._answer(200, json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": error}).encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index in range(owner.count):
            note = {"jsonrpc": "2.0", "method": "notifications/message",
                    "params": {"level": "info", "data": owner.data(index)}}
            self._chunk(b"event: message\ndata: " + json.dumps(note).encode() + b"\n\n")
            owner.sent += owner.size
        answer = {"jsonrpc": "2.0", "id": message["id"], "result": {"content": [{"type": "text", "text": "done"}]}}
        self._chunk(b"event: message\ndata: " + json.dumps(answer).encode() + b"\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        owner.finished = True

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
