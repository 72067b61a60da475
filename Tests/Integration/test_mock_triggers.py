"""Simulated triggers: a subscription to a mock connection's trigger is served by the simulator, never upstream.
Its events (fired by `switchboard mock fire`, or every `mock.eventIntervalSeconds`) go through the same outbox
and signing as real ones; the receiver verifies each with the official `standardwebhooks` library."""
import os
import subprocess
import time

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway
from test_triggers import FAST, new_secret, wait_for

EGRESS = {"allow": ["127.0.0.1/32"]}


def mock_connection(gateway, namespace, upstream, connection_id="sim"):
    body = {"mcpUrl": upstream.url, "mock": {"enabled": True, "scenario": "A wiki for a small team."}}
    status, _, created = gateway.request("PUT", f"/connect/{namespace}/{connection_id}", body, key=ADMIN_KEY)
    assert status == 201, created
    return f"/connect/{namespace}/{connection_id}/.triggers"


def subscribe(gateway, base, receiver, name="page.updated", params=None):
    secret = new_secret()
    body = {"params": {"space": "eng"} if params is None else params, "delivery": {"url": receiver.url, "secret": secret}}
    status, _, answer = gateway.request("POST", f"{base}/{name}", body, key=ADMIN_KEY)
    assert status == 200, answer
    receiver.secrets[answer["id"]] = [secret]
    return answer["id"], body


def fire(gateway, *arguments):
    return subprocess.run(
        [os.environ.get("SWITCHBOARD_BINARY", ".build/debug/switchboard"), "mock", "fire", *arguments,
         "--config", gateway.config_path], capture_output=True, text=True, timeout=30)


def payload_schema(gateway, base, name="page.updated"):
    status, _, definition = gateway.request("GET", f"{base}/{name}", key=ADMIN_KEY)
    assert status == 200, definition
    return definition["payloadSchema"]


def assert_simulated(delivery, subscription, schema):
    body = delivery["body"]
    assert delivery["subscription"] == subscription and delivery["webhook_id"] == body["eventId"]
    assert body["name"] == "page.updated" and body["_meta"] == {"switchboard/simulated": True}
    assert set(body) == {"eventId", "name", "timestamp", "data", "cursor", "_meta"}
    jsonschema.validate(body["data"], schema)


def test_fired_events_are_delivered_signed_and_valid_and_nothing_goes_upstream(namespace, events_upstream,
                                                                               receiver):
    gateway = Gateway(config={"triggers": FAST, "egress": EGRESS}).start()
    try:
        base = mock_connection(gateway, namespace, events_upstream)
        schema = payload_schema(gateway, base)
        subscription, request = subscribe(gateway, base, receiver)
        result = fire(gateway, f"{namespace}/sim", "page.updated", "--count", "3")
        assert result.returncode == 0, result.stderr
        assert "for each of 1 live subscription" in result.stdout
        assert wait_for(lambda: len(receiver.deliveries) == 3)
        assert receiver.unverified == []
        for delivery in receiver.deliveries:
            assert_simulated(delivery, subscription, schema)
        assert len({d["webhook_id"] for d in receiver.deliveries}) == 3
        # Unsubscribed: nothing is fired for it any more.
        status, _, body = gateway.request(
            "DELETE", f"{base}/page.updated", {"params": request["params"], "delivery": {"url": receiver.url}},
            key=ADMIN_KEY)
        assert status == 200, body
        assert "for each of 0 live subscription" in fire(gateway, f"{namespace}/sim", "page.updated").stdout
        assert events_upstream.log("events/subscribe") == [] and events_upstream.log("events/unsubscribe") == []
        assert events_upstream.log("events/poll") == []
    finally:
        gateway.stop()


def test_events_arrive_on_the_interval_until_unsubscribed(namespace, events_upstream, receiver):
    gateway = Gateway(config={"triggers": FAST, "egress": EGRESS, "mock": {"eventIntervalSeconds": 0.1}}).start()
    try:
        base = mock_connection(gateway, namespace, events_upstream)
        schema = payload_schema(gateway, base)
        subscription, request = subscribe(gateway, base, receiver)
        assert wait_for(lambda: len(receiver.deliveries) >= 3)
        assert receiver.unverified == []
        for delivery in receiver.deliveries[:3]:
            assert_simulated(delivery, subscription, schema)
        # Each is the next of the sequence, so the payloads are generated afresh.
        assert [d["body"]["cursor"] for d in receiver.deliveries[:3]] == ["1", "2", "3"]
        status, _, body = gateway.request(
            "DELETE", f"{base}/page.updated", {"params": request["params"], "delivery": {"url": receiver.url}},
            key=ADMIN_KEY)
        assert status == 200, body
        time.sleep(0.5)  # settle: a poll in flight at the DELETE may still deliver its event
        settled = len(receiver.deliveries)
        time.sleep(1)
        assert len(receiver.deliveries) == settled
        assert events_upstream.log("events/subscribe") == [] and events_upstream.log("events/poll") == []
    finally:
        gateway.stop()


def test_fire_refuses_what_it_cannot_fire(namespace, events_upstream):
    gateway = Gateway(config={"triggers": FAST, "egress": EGRESS}).start()
    try:
        mock_connection(gateway, namespace, events_upstream)
        status, _, body = gateway.request(
            "PUT", f"/connect/{namespace}/live", {"mcpUrl": events_upstream.url}, key=ADMIN_KEY)
        assert status == 201, body
        cases = [
            ([f"{namespace}/live", "page.updated"], 1, "not a mock connection"),
            ([f"{namespace}/nope", "page.updated"], 1, "no connection"),
            ([f"{namespace}/sim", "nope"], 1, "no trigger nope"),
            ([f"{namespace}/sim", "page.updated", "--count", "0"], 2, "--count"),
            (["no-slash", "page.updated"], 2, "usage"),
        ]
        for arguments, code, message in cases:
            result = fire(gateway, *arguments)
            assert result.returncode == code and message in result.stderr, (arguments, result.stderr)
    finally:
        gateway.stop()
