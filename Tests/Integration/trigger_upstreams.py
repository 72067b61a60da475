"""The Events test upstreams as processes a test drives: upstream_events.py (webhook and poll mode, its own
JSON-RPC app) and upstream_push.py (push mode, on the official Python SDK). Each prints its port once listening and
takes orders on `/control/…`."""
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class ControlledUpstream:
    def __init__(self, script):
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, script)], stdout=subprocess.PIPE,
                                        text=True)
        self.port = int(self.process.stdout.readline())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/mcp"

    def control(self, path, order):
        """Posts an order to `/control/{path}`; its JSON answer."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/control/{path}", data=json.dumps(order).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.loads(response.read())

    def entries(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/control/log", timeout=10) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.kill()
        self.process.wait()


class EventsUpstream(ControlledUpstream):
    def __init__(self):
        super().__init__("upstream_events.py")

    def post(self, subscription, body=None, **order):
        """Has the upstream post to the gateway's ingress; the gateway's (status, body)."""
        answer = self.control("post", dict(order, subscription=subscription, body=body))
        return answer["status"], answer["body"]

    def calls(self, method):
        """The JSON-RPC requests of `method` it received, each with `at` and (subscribes) `late`."""
        return [entry for entry in self.entries() if entry["method"] == method]

    def log(self, method):
        return [entry["params"] for entry in self.calls(method)]


class PushUpstream(ControlledUpstream):
    def __init__(self):
        super().__init__("upstream_push.py")

    def streams(self, arguments):
        """The `events/stream` requests with these arguments, in order."""
        return [entry["stream"] for entry in self.entries() if entry.get("stream", {}).get("arguments") == arguments]

    def closed(self, arguments):
        """How many streams with these arguments ended."""
        return sum(1 for entry in self.entries() if entry.get("closed") == arguments)
