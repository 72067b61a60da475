"""Push-mode triggers: an upstream on the official Python SDK offers its events only by `events/stream`
(upstream_push.py); the gateway holds the stream and delivers what it carries as Standard Webhooks, verified by the
receiver with the official standardwebhooks library."""
import time

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway
from running import running
from spec import schema
from test_triggers import connection, new_secret, subscribe, trigger_config, wait_for
from trigger_upstreams import PushUpstream

PUSH = trigger_config(streamRetrySeconds=0.05, streamRetryMaxSeconds=0.5)
TRIGGER = "issue.opened"


@pytest.fixture(scope="module")
def push_upstream():
    yield from running(PushUpstream())


@pytest.fixture(scope="module")
def push_gateway():
    yield from running(Gateway(config=PUSH).start())


def issues(*numbers):
    return [{"eventId": f"evt_{n}", "data": {"title": f"issue {n}"}} for n in numbers]


def subscribed(gateway, base, receiver, arguments):
    secret = new_secret()
    status, _, body = subscribe(gateway, base, receiver.url, secret, params=arguments, name=TRIGGER)
    assert status == 200, body
    jsonschema.validate(body, schema("TriggerSubscription"))
    receiver.secrets[body["id"]] = [secret]
    return body["id"]


def delivered_ids(receiver):
    return [d["webhook_id"] for d in receiver.deliveries]


def test_a_push_mode_upstreams_events_arrive_as_webhooks(push_gateway, namespace, push_upstream, receiver):
    base = connection(push_gateway, namespace, push_upstream)
    arguments = {"repo": namespace}
    subscription = subscribed(push_gateway, base, receiver, arguments)
    # The subscribe was answered once the upstream confirmed the stream: what it emits now reaches the stream.
    assert push_upstream.streams(arguments) == [{"name": TRIGGER, "arguments": arguments, "cursor": None}]
    push_upstream.control("emit", {"arguments": arguments, "events": issues(1, 2, 3)})
    assert wait_for(lambda: len(receiver.deliveries) == 3)
    assert delivered_ids(receiver) == ["evt_1", "evt_2", "evt_3"]
    assert {d["subscription"] for d in receiver.deliveries} == {subscription}
    for number, delivery in enumerate(receiver.deliveries, start=1):
        body = delivery["body"]
        # The occurrence as a webhook-mode upstream would post it: without the stream's routing `_meta`.
        assert set(body) == {"eventId", "name", "timestamp", "data", "cursor"}, body
        assert (body["eventId"], body["name"], body["data"], body["cursor"]) == (
            f"evt_{number}", TRIGGER, {"title": f"issue {number}"}, str(number))
    assert receiver.unverified == []


def test_a_stream_dropped_by_the_upstream_is_resumed_from_its_cursor_without_loss(push_gateway, namespace,
                                                                                  push_upstream, receiver):
    base = connection(push_gateway, namespace, push_upstream)
    arguments = {"repo": namespace}
    subscribed(push_gateway, base, receiver, arguments)
    push_upstream.control("emit", {"arguments": arguments, "events": issues(1, 2)})
    assert wait_for(lambda: len(receiver.deliveries) == 2)
    # The upstream ends the stream, then has two more events that only a stream resumed from "2" replays.
    push_upstream.control("drop", {"arguments": arguments, "events": issues(3, 4)})
    assert wait_for(lambda: len(receiver.deliveries) == 4)
    assert delivered_ids(receiver) == ["evt_1", "evt_2", "evt_3", "evt_4"]
    assert [s["cursor"] for s in push_upstream.streams(arguments)] == [None, "2"]
    push_upstream.control("emit", {"arguments": arguments, "events": issues(5)})
    assert wait_for(lambda: len(receiver.deliveries) == 5)
    assert receiver.unverified == []


def test_unsubscribing_closes_the_stream(push_gateway, namespace, push_upstream, receiver):
    base = connection(push_gateway, namespace, push_upstream)
    arguments = {"repo": namespace}
    subscribed(push_gateway, base, receiver, arguments)
    body = {"params": arguments, "delivery": {"url": receiver.url}}
    status, _, answer = push_gateway.request("DELETE", f"{base}/{TRIGGER}", body, key=ADMIN_KEY)
    assert (status, answer) == (200, {"success": True})
    assert wait_for(lambda: push_upstream.closed(arguments) == 1)
    time.sleep(1.5)  # a sweep that would open it again
    assert len(push_upstream.streams(arguments)) == 1
    push_upstream.control("emit", {"arguments": arguments, "events": issues(1)})
    time.sleep(0.5)
    assert receiver.attempts == 0


def test_a_terminated_push_subscription_ends_here_too(push_gateway, namespace, push_upstream, receiver):
    base = connection(push_gateway, namespace, push_upstream)
    arguments = {"repo": namespace}
    subscription = subscribed(push_gateway, base, receiver, arguments)
    push_upstream.control("emit", {"arguments": arguments, "events": issues(1)})
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    error = {"code": -32012, "message": "Forbidden", "data": {"reason": "Access revoked"}}
    push_upstream.control("terminate", {"arguments": arguments, "error": error})
    assert wait_for(lambda: len(receiver.deliveries) == 2)
    terminated = receiver.deliveries[1]
    assert terminated["body"] == {"type": "terminated", "error": error}
    assert terminated["webhook_id"].startswith("msg_terminated_")
    time.sleep(1.5)  # a sweep that would open it again
    assert len(push_upstream.streams(arguments)) == 1
    # Subscribing again opens a fresh stream, which the upstream refuses while the cause holds.
    status, _, body = subscribe(push_gateway, base, receiver.url, receiver.secrets[subscription][0],
                                params=arguments, name=TRIGGER)
    assert status == 403, body
    assert "terminated it: Forbidden" in body["message"] and "subscribing again" in body["message"]
    assert len(receiver.deliveries) == 2
    assert receiver.unverified == []


def test_a_refused_stream_leaves_no_subscription(push_gateway, namespace, push_upstream, receiver):
    base = connection(push_gateway, namespace, push_upstream)
    arguments = {"repo": namespace}
    refusal = {"code": -32012, "message": "Forbidden"}
    push_upstream.control("terminate", {"arguments": arguments, "error": refusal})
    status, _, body = subscribe(push_gateway, base, receiver.url, new_secret(), params=arguments, name=TRIGGER)
    assert status == 403 and "the upstream refused" in body["message"], body
    delete = {"params": arguments, "delivery": {"url": receiver.url}}
    assert push_gateway.request("DELETE", f"{base}/{TRIGGER}", delete, key=ADMIN_KEY)[0] == 404


def test_a_restarted_gateway_resumes_the_stream_from_the_stored_cursor(namespace, push_upstream, receiver):
    gateway = Gateway(config=PUSH).start()
    try:
        base = connection(gateway, namespace, push_upstream)
        arguments = {"repo": namespace}
        subscribed(gateway, base, receiver, arguments)
        push_upstream.control("emit", {"arguments": arguments, "events": issues(1, 2)})
        assert wait_for(lambda: len(receiver.deliveries) == 2)
        gateway.process.kill()
        gateway.process.wait()
        assert wait_for(lambda: push_upstream.closed(arguments) == 1)
        push_upstream.control("emit", {"arguments": arguments, "events": issues(3)})  # while the gateway is down
        gateway.start()
        assert wait_for(lambda: len(receiver.deliveries) == 3)
        assert delivered_ids(receiver) == ["evt_1", "evt_2", "evt_3"]
        assert [s["cursor"] for s in push_upstream.streams(arguments)] == [None, "2"]
        assert receiver.unverified == []
    finally:
        gateway.stop()
