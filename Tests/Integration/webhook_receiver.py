"""A webhook receiver for the trigger tests: it verifies EVERY request with the official `standardwebhooks`
library (never with the gateway's code) and records what arrived. Its answers can be scripted."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, host="127.0.0.1", port=0):
        self.secrets = {}  # subscription id -> [secret, ...]; a request must verify under each of them
        self.deliveries = []  # verified requests: {"subscription", "webhook_id", "body"}
        self.unverified = []  # requests that failed verification
        self.attempts = 0
        self.script = []  # statuses (or (status, headers)) to answer with before answering 200
        self.refusing = None  # while set, a status answered to every verified request
        self.hold = None  # a threading.Event each request waits for before it is answered
        self.waiting = 0  # requests that have waited (or wait) for `hold`
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if receiver.hold:
                    receiver.waiting += 1
                    receiver.hold.wait(60)
                status, extra = receiver.record(headers, body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.host = host
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}/hook"

    def record(self, headers, body):
        with self.lock:
            self.attempts += 1
            subscription = headers.get("x-mcp-subscription-id", "")
            secrets = self.secrets.get(subscription)
            try:
                if not secrets or headers.get("content-type") != "application/json":
                    raise WebhookVerificationError("unknown subscription or wrong content type")
                for secret in secrets:
                    Webhook(secret).verify(body, headers)
            except WebhookVerificationError as error:
                self.unverified.append({"headers": headers, "error": str(error)})
                return 401, {}
            if self.refusing:
                return self.refusing, {}
            if self.script:
                step = self.script.pop(0)
                return step if isinstance(step, tuple) else (step, {})
            self.deliveries.append(
                {"subscription": subscription, "webhook_id": headers["webhook-id"], "body": json.loads(body),
                 "received_at": time.time()})
            return 200, {}

    def server_busy(self):
        """Whether a request has arrived and waits for `hold`."""
        return self.waiting > 0

    def close(self):
        self.server.shutdown()
        self.server.server_close()
