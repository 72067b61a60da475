"""Starts the real switchboard binary on a free loopback port and talks to it over sockets."""
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

BINARY = os.environ.get("SWITCHBOARD_BINARY", ".build/debug/switchboard")
ADMIN_KEY = "sbk_test_admin_key_0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    def __init__(self, config=None, env=None, admin_key=ADMIN_KEY, directory=None, connect_listener=False):
        self.directory = directory or tempfile.mkdtemp(prefix="switchboard-test-")
        self.port = free_port()
        self.config_path = os.path.join(self.directory, "switchboard.json")
        settings = {"loops": 2, "database": os.path.join(self.directory, "switchboard.db")}
        if connect_listener:  # connect.listen: the connect routes at the root of a second port
            self.connect_port = next(port for port in iter(free_port, None) if port != self.port)
            settings["connect"] = {"listen": f"127.0.0.1:{self.connect_port}"}
        settings.update(config or {})
        with open(self.config_path, "w") as f:
            json.dump(settings, f)
        self.env = dict(os.environ, SWITCHBOARD_LISTEN=f"127.0.0.1:{self.port}", **(env or {}))
        if admin_key:
            self.env["SWITCHBOARD_ADMIN_KEY"] = admin_key
        self.admin_key = admin_key
        self.stderr_path = os.path.join(self.directory, f"stderr-{self.port}.log")
        self.process = None

    def start(self):
        self.stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--config", self.config_path], env=self.env,
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.process.returncode}: {self.stderr_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gateway did not start listening")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.stderr.close()

    def stderr_text(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def connect_url(self):
        return f"http://127.0.0.1:{self.connect_port}"

    def request(self, method, path, body=None, headers=None, key=None, base=None):
        """(status, headers, parsed-or-raw body) through urllib, one connection per call; `base` replaces `url`."""
        all_headers = dict(headers or {})
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request((base or self.url) + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, response.headers, decode(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, decode(error.read())

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return sock


def decode(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def read_response(sock, buffer=b""):
    """Reads one HTTP/1.1 response (Content-Length framed) from a raw socket.
    Returns (status, headers dict lower-cased, body bytes, leftover bytes)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head; got {buffer!r}")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def closed_by_peer(sock, timeout=5):
    """True when the peer closes the connection (EOF or reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
