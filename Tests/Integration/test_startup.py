"""Start-up safety: a busy address, a key file others can read, a new store beside an old key, the metrics address."""
import os
import random
import re
import subprocess
import urllib.request

from gateway import ADMIN_KEY, BINARY, Gateway, free_port


def run_to_exit(gateway):
    """Runs the gateway's command expecting it to exit by itself; returns (exit code, stderr)."""
    result = subprocess.run(
        [BINARY, "serve", "--config", gateway.config_path], env=gateway.env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    return result.returncode, result.stderr.decode(errors="replace")


def own_key_file(directory):
    return {"secretKeyFile": os.path.join(directory, "secret.key")}


def test_a_second_gateway_on_a_busy_address_refuses_to_start_and_the_first_keeps_serving(tmp_path):
    first_directory = str(tmp_path / "first")
    os.makedirs(first_directory)
    first = Gateway(directory=first_directory, config=own_key_file(first_directory)).start()
    try:
        second_directory = str(tmp_path / "second")
        os.makedirs(second_directory)
        second = Gateway(directory=second_directory, config=own_key_file(second_directory))
        second.env["SWITCHBOARD_LISTEN"] = f"127.0.0.1:{first.port}"
        code, stderr = run_to_exit(second)
        assert code != 0
        lines = [line for line in stderr.splitlines() if "already in use" in line]
        assert lines == [f"switchboard: listen 127.0.0.1:{first.port} is already in use by another process "
                         "(another gateway?); not starting"], stderr
        third_directory = str(tmp_path / "third")
        os.makedirs(third_directory)
        metrics_on_busy = dict(own_key_file(third_directory), metrics={"listen": f"127.0.0.1:{first.port}"})
        code, stderr = run_to_exit(Gateway(directory=third_directory, config=metrics_on_busy))
        assert code != 0
        assert (f"switchboard: metrics.listen 127.0.0.1:{first.port} is already in use by another process "
                "(another gateway?); not starting") in stderr.splitlines(), stderr
        for _ in range(20):  # every loop of the first gateway still answers, none was shared
            assert first.request("GET", "/health")[0] == 200
    finally:
        first.stop()


def test_a_key_file_others_can_read_is_refused(tmp_path):
    directory = str(tmp_path)
    key_path = os.path.join(directory, "secret.key")
    with open(key_path, "w") as f:
        f.write("ab" * 32 + "\n")
    os.chmod(key_path, 0o644)
    code, stderr = run_to_exit(Gateway(directory=directory, config={"secretKeyFile": key_path}))
    assert code != 0
    assert f"{key_path} is accessible by group or others (mode 644); run chmod 600 {key_path}" in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert not os.path.exists(os.path.join(directory, "switchboard.db")), "nothing is created before refusing"


def test_a_new_store_beside_an_existing_key_is_reported_and_the_gateway_starts(tmp_path):
    directory = str(tmp_path)
    config = own_key_file(directory)
    first = Gateway(directory=directory, config=config).start()
    first.stop()
    assert "new, empty store" not in first.stderr_text(), "a first start creates both, which is expected"
    database = os.path.join(directory, "switchboard.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
    again = Gateway(directory=directory, config=config).start()
    try:
        warnings = [line for line in again.stderr_text().splitlines() if "new, empty store" in line]
        assert warnings == [
            f"switchboard: warning: created a new, empty store at {database} although the secret key "
            f"{config['secretKeyFile']} already exists: secrets sealed earlier are not in this store"]
        assert again.request("GET", "/health")[0] == 200
    finally:
        again.stop()
    third = Gateway(directory=directory, config=config).start()
    third.stop()
    assert "new, empty store" not in third.stderr_text(), "a store that exists is not new"


def fetch(url, key=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_metrics_on_their_own_address_and_not_on_the_api_address(tmp_path):
    directory = str(tmp_path)
    metrics_port = free_port()
    config = dict(own_key_file(directory), metrics={"listen": f"127.0.0.1:{metrics_port}"})
    gateway = Gateway(directory=directory, config=config)
    while gateway.port == metrics_port:  # two free ports asked in a row can be the same one
        gateway = Gateway(directory=directory, config=config)
    gateway.start()
    try:
        metrics_url = f"http://127.0.0.1:{metrics_port}"
        assert gateway.request("GET", "/metrics", key=ADMIN_KEY)[0] == 404
        assert gateway.request("GET", "/metrics")[0] == 401
        gateway.request("GET", "/health")
        status, text = fetch(metrics_url + "/metrics")
        assert status == 200
        assert re.search(r'switchboard_http_requests_total\{route="/health",method="GET",status="200"\} \d+', text)
        assert 'switchboard_upstream_pool_connections{state="idle"}' in text
        assert fetch(metrics_url + "/health")[0] == 404
        assert fetch(metrics_url + "/connect/ns", key=ADMIN_KEY)[0] == 404
    finally:
        gateway.stop()


def test_made_up_methods_share_one_metrics_label(gateway):
    for _ in range(30):
        method = "X" + "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(12))
        sock = gateway.connect()
        sock.sendall(f"{method} /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        while sock.recv(65536):
            pass
        sock.close()
    text = gateway.request("GET", "/metrics")[2]
    text = text.decode() if isinstance(text, bytes) else str(text)
    methods = set(re.findall(r'switchboard_http_requests_total\{[^}]*method="([^"]*)"', text))
    assert "other" in methods
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods


def test_the_binary_loads_neither_foundation_nor_dispatch_nor_the_unused_runtime_libraries():
    # Each library merely loaded costs resident code pages in every gateway process (Foundation alone ~8 MiB).
    dynamic = subprocess.run(["readelf", "-d", BINARY], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    assert needed, dynamic
    unwanted = re.compile(r"lib(Foundation|_Foundation|dispatch|swiftDispatch|swift_StringProcessing|"
                          r"swift_RegexParser|swift_Concurrency)")
    assert [name for name in needed if unwanted.search(name)] == []
