"""Real upstream MCP servers (upstream_mcp.py, the official Python SDK) started for a test, and a canary
listener that only counts the connections it receives."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

SERVER = os.path.join(os.path.dirname(__file__), "upstream_mcp.py")


class Upstream:
    def __init__(self, json_response=False, require_key=None):
        self.json_response = json_response
        self.require_key = require_key
        self.log_path = tempfile.mktemp(prefix="upstream-log-")
        self.port = 0
        self.process = None

    def start(self):
        args = [sys.executable, SERVER, "--log", self.log_path, "--port", str(self.port)]
        if self.json_response:
            args.append("--json")
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
