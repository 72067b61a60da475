"""Real upstream MCP servers started for a test (upstream_mcp.py on the official Python SDK 2.x, upstream_mcp1.py on
the 1.x SDK in its own venv), and a canary listener that only counts the connections it receives."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "upstream_mcp.py")
SERVER_1X = os.path.join(HERE, "upstream_mcp1.py")
# The 1.x SDK lives in a venv of its own (scripts/setup makes it), as it cannot share site-packages with 2.x.
PYTHON_1X = os.environ.get("MCP1_PYTHON", os.path.join(HERE, "..", "..", ".build", "venv-mcp1", "bin", "python"))


class Upstream:
    def __init__(self, json_response=False, require_key=None, generation=2, extra_tools=False):
        self.json_response = json_response
        self.require_key = require_key
        self.command = [sys.executable, SERVER] if generation == 2 else [PYTHON_1X, SERVER_1X]
        self.extra_tools = extra_tools
        self.log_path = tempfile.mktemp(prefix="upstream-log-")
        self.port = 0
        self.process = None

    def start(self):
        args = self.command + ["--log", self.log_path, "--port", str(self.port)]
        if self.json_response:
            args.append("--json")
        if self.extra_tools:
            args.append("--extra-tools")
        if self.require_key:
            args += ["--require-key", self.require_key]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.process.stdout.readline())
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self):
        self.stop()
        return self.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/mcp"

    def log(self):
        """One entry per HTTP request the upstream received."""
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def tool_calls(self, name=None):
        return [e for e in self.log() if e["rpc"] == "tools/call" and (name is None or e["tool"] == name)]

    def events(self, tool):
        """The events the fixture recorded for `tool` (e.g. "cancelled", "finished"), in order."""
        return [e["event"] for e in self.log() if e.get("event") and e["tool"] == tool]


class Canary:
    """Listens on a loopback port and counts accepted connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()
