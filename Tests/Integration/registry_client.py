"""Helpers of the registry tests: a second API key, and requests whose answers are validated against the schema
the contract documents for their path, method and status."""
import hashlib
import re
import sqlite3

import jsonschema

from gateway import ADMIN_KEY
from spec import SPEC

OTHER_KEY = "sbk_registry_second_key_0123456789"


def add_other_key(gateway, key=OTHER_KEY):
    """Inserts a second API key's hash as an operator would, with the gateway stopped; restarts it."""
    digest = hashlib.sha256(key.encode()).digest()
    gateway.stop()
    database = sqlite3.connect(f"{gateway.directory}/switchboard.db")
    database.execute("INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, 'second', ?, '2026-01-01')",
                     (digest.hex()[:16], digest))
    database.commit()
    database.close()
    gateway.start()


def template(path):
    """The contract's path template for a concrete path (`/servers/ns/name` is `/servers/ns%2Fname`)."""
    path = path.split("?")[0]
    candidates = [path, re.sub(r"^(/servers/[^/]+)/", r"\1%2F", path)]
    for candidate in candidates:
        for pattern in SPEC["paths"]:
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", pattern), candidate):
                return pattern
    raise AssertionError(f"no path of the contract matches {path}")


def documented(path, method, status):
    """The schema the contract gives for this answer, resolvable against the whole document."""
    responses = SPEC["paths"][template(path)][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, which the contract does not document"
    return dict(responses[str(status)]["content"]["application/json"]["schema"], components=SPEC["components"])


def call(gateway, method, path, body=None, expect=200, key=ADMIN_KEY):
    """The answer's body, after checking its status and validating it against the contract."""
    status, _, answer = gateway.request(method, path, body, key=key)
    assert status == expect, (method, path, status, answer)
    jsonschema.validate(answer, documented(path, method, status))
    return answer
