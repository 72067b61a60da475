"""Triggers: subscriptions on the connect API, the signed ingress for upstream events, the durable outbox and
signed delivery to subscribers. The upstream speaks the MCP Events methods (upstream_events.py); the receiver
verifies every delivery with the official standardwebhooks library (webhook_receiver.py)."""
import base64
import json
import os
import subprocess
import threading
import time

import jsonschema
import pytest

from gateway import ADMIN_KEY, Gateway, free_port
from running import running
from spec import schema
from trigger_upstreams import EventsUpstream
from webhook_receiver import Receiver

FAST = {"retryUnitSeconds": 0.001, "pollIntervalSeconds": 0.05, "allowHttpHosts": ["127.0.0.1", "127.0.0.2"]}


@pytest.fixture(scope="module")
def trigger_gateway():
    # Loopback 127.0.0.1 only: the upstream and receivers live there; 127.0.0.2 stands for a forbidden address.
    yield from running(Gateway(config={"triggers": FAST, "egress": {"allow": ["127.0.0.1/32"]}}).start())


def new_secret():
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def event(number=1):
    return {"eventId": f"evt_{number}", "name": "page.updated", "timestamp": "2026-01-01T00:00:00Z",
            "data": {"title": f"page {number}"}, "cursor": None}


def wait_for(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def connection(gateway, namespace, upstream):
    status, _, body = gateway.request("PUT", f"/connect/{namespace}/c", {"mcpUrl": upstream.url}, key=ADMIN_KEY)
    assert status in (200, 201), body
    return f"/connect/{namespace}/c/.triggers"


def subscribe(gateway, base, url, secret, params=None, name="page.updated"):
    body = {"params": {"space": "eng"} if params is None else params, "delivery": {"url": url, "secret": secret}}
    return gateway.request("POST", f"{base}/{name}", body, key=ADMIN_KEY)


def subscribed(gateway, base, receiver, secret=None):
    secret = secret or new_secret()
    status, _, body = subscribe(gateway, base, receiver.url, secret)
    assert status == 200, body
    jsonschema.validate(body, schema("TriggerSubscription"))
    receiver.secrets[body["id"]] = [secret]
    return body["id"]


def metric(gateway, name):
    _, _, text = gateway.request("GET", "/metrics")
    total = 0.0
    for line in text.decode().splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_lists_and_describes_the_upstreams_triggers(trigger_gateway, namespace, events_upstream):
    base = connection(trigger_gateway, namespace, events_upstream)
    status, _, listing = trigger_gateway.request("GET", base, key=ADMIN_KEY)
    assert status == 200, listing
    jsonschema.validate(listing, schema("TriggerDefinitionList"))
    assert [t["name"] for t in listing] == ["page.updated", "poll.only"]
    status, _, definition = trigger_gateway.request("GET", f"{base}/page.updated", key=ADMIN_KEY)
    assert status == 200 and definition["inputSchema"]["required"] == ["space"]
    jsonschema.validate(definition, schema("TriggerDefinition"))
    status, _, body = trigger_gateway.request("GET", f"{base}/nope", key=ADMIN_KEY)
    assert status == 404, body


def test_the_trigger_list_is_cached_until_the_upstream_says_it_changed(namespace, events_upstream, receiver):
    upstream = EventsUpstream()  # its event types change in this test
    gateway = Gateway(config={"triggers": FAST, "egress": {"allow": ["127.0.0.1/32"]}}).start()
    try:
        base = connection(gateway, namespace, upstream)
        names = lambda: [t["name"] for t in gateway.request("GET", base, key=ADMIN_KEY)[2]]  # noqa: E731
        assert names() == ["page.updated", "poll.only"]
        upstream.control("events", {"name": "page.created", "delivery": ["webhook"]})
        assert names() == ["page.updated", "poll.only"]
        assert len(upstream.log("events/list")) == 1
        status, _, body = subscribe(gateway, base, receiver.url, new_secret(), params={"space": "announce"})
        assert status == 200, body
        assert names() == ["page.updated", "poll.only", "page.created"]
        assert len(upstream.log("events/list")) == 2
    finally:
        gateway.stop()
        upstream.stop()


def test_an_event_is_delivered_signed_with_the_subscription_id(trigger_gateway, namespace, events_upstream,
                                                                receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    assert subscription.startswith("trg_")
    upstream_subscribe = events_upstream.log("events/subscribe")[-1]
    assert upstream_subscribe["name"] == "page.updated" and upstream_subscribe["arguments"] == {"space": "eng"}
    assert upstream_subscribe["delivery"]["url"].endswith(f"/ingress/triggers/{subscription}")
    assert upstream_subscribe["delivery"]["secret"] not in json.dumps(receiver.secrets)
    assert events_upstream.post(subscription, event(), webhook_id="evt_1") == (200, {"received": True})
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    delivered = receiver.deliveries[0]
    assert (delivered["subscription"], delivered["webhook_id"], delivered["body"]) == (subscription, "evt_1", event())
    assert receiver.unverified == []
    # Neither secret is logged or stored in the clear.
    stored = b"".join(open(os.path.join(trigger_gateway.directory, name), "rb").read()
                      for name in os.listdir(trigger_gateway.directory) if name.startswith("switchboard.db"))
    for secret in [upstream_subscribe["delivery"]["secret"], receiver.secrets[subscription][0]]:
        assert secret not in trigger_gateway.stderr_text()
        assert secret.encode() not in stored and secret[6:].encode() not in stored


def test_subscribing_again_is_the_same_subscription(trigger_gateway, namespace, events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    secret = new_secret()
    first = subscribed(trigger_gateway, base, receiver, secret)
    status, _, again = subscribe(trigger_gateway, base, receiver.url, secret, params={"space": "eng"})
    assert status == 200 and again["id"] == first
    status, _, other = subscribe(trigger_gateway, base, receiver.url, secret, params={"space": "ops"})
    assert status == 200 and other["id"] != first


def test_invalid_subscriptions_get_400_naming_the_field(trigger_gateway, namespace, events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    cases = [
        ({}, receiver.url, new_secret(), "params.space: required"),
        ({"space": 5}, receiver.url, new_secret(), "params.space: expected string"),
        ({"space": "eng"}, receiver.url, "whsec_c2hvcnQ=", "delivery.secret"),
        ({"space": "eng"}, receiver.url, "not-a-secret", "delivery.secret"),
        ({"space": "eng"}, "http://example.com/hook", new_secret(), "delivery.url: must be https"),
        ({"space": "eng"}, "ftp://example.com/hook", new_secret(), "delivery.url"),
    ]
    for params, url, secret, message in cases:
        status, _, body = subscribe(trigger_gateway, base, url, secret, params=params)
        assert status == 400, body
        assert message in body["message"], body
        jsonschema.validate(body, schema("ValidationError"))
    status, _, body = subscribe(trigger_gateway, base, receiver.url, new_secret(), name="nope")
    assert status == 404, body


def test_upstream_refusals_become_clear_api_errors_and_leave_no_subscription(trigger_gateway, namespace,
                                                                            events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    expected = {"invalid": 400, "gone": 404, "forbidden": 403, "full": 429, "unsupported": 400, "unreachable": 502}
    for space, status in expected.items():
        code, _, body = subscribe(trigger_gateway, base, receiver.url, new_secret(), params={"space": space})
        assert code == status, body
        assert "the upstream refused" in body["message"]
        delete = {"params": {"space": space}, "delivery": {"url": receiver.url}}
        assert trigger_gateway.request("DELETE", f"{base}/page.updated", delete, key=ADMIN_KEY)[0] == 404


def test_a_poll_only_trigger_is_polled_and_delivered_as_webhooks(trigger_gateway, namespace, events_upstream,
                                                                 receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    secret = new_secret()
    status, _, body = subscribe(trigger_gateway, base, receiver.url, secret, params={"inbox": namespace},
                                name="poll.only")
    assert status == 200, body
    receiver.secrets[body["id"]] = [secret]
    events = [dict(event(n), name="poll.only") for n in range(5)]
    events_upstream.control("queue", {"arguments": {"inbox": namespace}, "events": events})
    assert wait_for(lambda: len(receiver.deliveries) == 5)
    assert [d["body"] for d in receiver.deliveries] == events
    assert {d["subscription"] for d in receiver.deliveries} == {body["id"]}
    cursors = lambda: [p["cursor"] for p in events_upstream.log("events/poll")  # noqa: E731
                       if p["arguments"] == {"inbox": namespace}]
    # Each poll goes on from the cursor the one before returned (polls before the events came repeat theirs).
    distinct = lambda seen: [c for i, c in enumerate(seen) if i == 0 or c != seen[i - 1]]  # noqa: E731
    assert wait_for(lambda: distinct(cursors())[-3:] == ["2", "4", "5"])
    assert receiver.unverified == []


def test_a_receiver_down_for_several_attempts_gets_the_event_exactly_once(trigger_gateway, namespace,
                                                                         events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    receiver.script = [500, 503, (429, {"retry-after": "0"}), 302]
    assert events_upstream.post(subscription, event())[0] == 200
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    # Another sweep of the outbox finds nothing left to send.
    assert wait_for(lambda: metric(trigger_gateway, "switchboard_webhook_outbox_depth") == 0)
    time.sleep(1.5)
    assert len(receiver.deliveries) == 1 and receiver.attempts == 5
    assert receiver.unverified == []


def test_events_of_one_subscription_arrive_in_order(trigger_gateway, namespace, events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    receiver.script = [503, 503]
    for number in range(1, 6):
        assert events_upstream.post(subscription, event(number), webhook_id=f"evt_{number}")[0] == 200
    assert wait_for(lambda: len(receiver.deliveries) == 5)
    assert [d["webhook_id"] for d in receiver.deliveries] == [f"evt_{n}" for n in range(1, 6)]


def test_a_slow_receiver_does_not_delay_another_subscriptions_events(trigger_gateway, namespace,
                                                                      events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    slow = Receiver()
    slow.hold = threading.Event()
    try:
        held = subscribed(trigger_gateway, base, slow)
        prompt = subscribed(trigger_gateway, base, receiver)
        assert events_upstream.post(held, event(1))[0] == 200
        assert wait_for(lambda: slow.server_busy())
        assert events_upstream.post(prompt, event(2))[0] == 200
        assert wait_for(lambda: len(receiver.deliveries) == 1)
        assert slow.deliveries == []
        slow.hold.set()
        assert wait_for(lambda: len(slow.deliveries) == 1)
    finally:
        slow.hold.set()
        slow.close()


def test_410_disables_the_subscription_and_unsubscribes_upstream(trigger_gateway, namespace, events_upstream,
                                                                 receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    receiver.script = [410]
    assert events_upstream.post(subscription, event(1))[0] == 200
    ingress = f"/ingress/triggers/{subscription}"
    assert wait_for(lambda: any(p["delivery"]["url"].endswith(ingress)
                                for p in events_upstream.log("events/unsubscribe")))
    status, _ = events_upstream.post(subscription, event(2), webhook_id="evt_after_410")
    assert status == 410
    assert receiver.attempts == 1 and receiver.deliveries == []


def test_a_rotated_secret_and_the_old_one_both_verify_during_the_overlap(trigger_gateway, namespace,
                                                                          events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    old, new = new_secret(), new_secret()
    subscription = subscribed(trigger_gateway, base, receiver, old)
    status, _, body = subscribe(trigger_gateway, base, receiver.url, new)
    assert status == 200 and body["id"] == subscription
    receiver.secrets[subscription] = [old, new]  # the receiver checks each secret on its own
    assert events_upstream.post(subscription, event())[0] == 200
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    assert receiver.unverified == []


def test_forged_stale_and_replayed_upstream_posts_are_refused(trigger_gateway, namespace, events_upstream,
                                                              receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    before = {result: metric(trigger_gateway, f'switchboard_trigger_ingress_total{{result="{result}"}}')
              for result in ["unsigned", "bad_signature", "stale", "replayed"]}
    assert events_upstream.post(subscription, event(1), webhook_id="evt_real")[0] == 200
    assert events_upstream.post(subscription, replay=True)[0] == 401
    assert events_upstream.post(subscription, event(2), sign="bad")[0] == 401
    assert events_upstream.post(subscription, event(3), sign="none")[0] == 401
    assert events_upstream.post(subscription, event(4), age=600)[0] == 401
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    assert wait_for(lambda: metric(trigger_gateway, "switchboard_webhook_outbox_depth") == 0)
    assert [d["webhook_id"] for d in receiver.deliveries] == ["evt_real"]
    for result, count in before.items():
        assert metric(trigger_gateway, f'switchboard_trigger_ingress_total{{result="{result}"}}') == count + 1


def test_the_ingress_answers_a_verification_challenge_and_refuses_oversized_events(trigger_gateway, namespace,
                                                                                   events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    status, body = events_upstream.post(subscription, {"type": "verification", "challenge": "nonce-123"})
    assert (status, body) == (200, {"challenge": "nonce-123"})
    large = dict(event(), data={"blob": "x" * 300_000})
    assert events_upstream.post(subscription, large)[0] == 413
    assert events_upstream.post(subscription, {"type": "gap", "cursor": "c9"}, webhook_id="msg_gap_1")[0] == 200
    assert wait_for(lambda: len(receiver.deliveries) == 1)
    assert receiver.deliveries[0]["body"] == {"type": "gap", "cursor": "c9"}


def test_unsubscribe_removes_here_and_upstream(trigger_gateway, namespace, events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    subscription = subscribed(trigger_gateway, base, receiver)
    body = {"params": {"space": "eng"}, "delivery": {"url": receiver.url}}
    status, _, answer = trigger_gateway.request("DELETE", f"{base}/page.updated", body, key=ADMIN_KEY)
    assert (status, answer) == (200, {"success": True})
    status, _, answer = trigger_gateway.request("DELETE", f"{base}/page.updated", body, key=ADMIN_KEY)
    assert status == 404, answer
    ingress = f"/ingress/triggers/{subscription}"
    assert wait_for(lambda: any(p["delivery"]["url"].endswith(ingress)
                                for p in events_upstream.log("events/unsubscribe")))
    assert events_upstream.post(subscription, event())[0] == 410


def test_a_delivery_url_at_a_forbidden_address_is_refused(trigger_gateway, namespace, events_upstream):
    forbidden = Receiver(host="127.0.0.2")
    try:
        base = connection(trigger_gateway, namespace, events_upstream)
        subscription = subscribed(trigger_gateway, base, forbidden)
        refused = metric(trigger_gateway, 'switchboard_webhook_deliveries_total{outcome="refused"}')
        assert events_upstream.post(subscription, event())[0] == 200
        assert wait_for(lambda: metric(
            trigger_gateway, 'switchboard_webhook_deliveries_total{outcome="refused"}') == refused + 1)
        assert forbidden.attempts == 0
    finally:
        forbidden.close()


def test_an_expired_subscription_is_unsubscribed_upstream_and_delivers_nothing(namespace, events_upstream,
                                                                               receiver):
    gateway = Gateway(config={"triggers": dict(FAST, subscriptionTtlSeconds=1),
                              "egress": {"allow": ["127.0.0.1/32"]}}).start()
    try:
        base = connection(gateway, namespace, events_upstream)
        subscription = subscribed(gateway, base, receiver)
        ingress = f"/ingress/triggers/{subscription}"
        assert wait_for(lambda: any(p["delivery"]["url"].endswith(ingress)
                                    for p in events_upstream.log("events/unsubscribe")))
        assert events_upstream.post(subscription, event())[0] == 410
        assert receiver.attempts == 0
    finally:
        gateway.stop()


def test_a_killed_gateway_delivers_every_accepted_event_after_restart(namespace, events_upstream):
    gateway = Gateway(config={"triggers": FAST, "egress": {"allow": ["127.0.0.1/32"]}}).start()
    port = free_port()  # nothing listens here until after the restart
    down = type("Down", (), {"url": f"http://127.0.0.1:{port}/hook", "secrets": {}})()
    try:
        base = connection(gateway, namespace, events_upstream)
        subscription = subscribed(gateway, base, down)
        for number in range(100):
            assert events_upstream.post(subscription, event(number), webhook_id=f"evt_{number}")[0] == 200
        gateway.process.kill()
        gateway.process.wait()
        receiver = Receiver(port=port)
        receiver.secrets = down.secrets
        try:
            gateway.start()
            assert wait_for(lambda: len({d["webhook_id"] for d in receiver.deliveries}) == 100, timeout=60)
            ids = [d["webhook_id"] for d in receiver.deliveries]
            print(f"after kill -9: 100 events delivered, {len(ids) - len(set(ids))} repeats")
            assert set(ids) == {f"evt_{n}" for n in range(100)}
            assert ids == sorted(ids, key=lambda i: int(i[4:]))  # in order, repeats next to their first
            assert receiver.unverified == []
        finally:
            receiver.close()
    finally:
        gateway.stop()


def test_subscribing_is_checked_as_events_subscribe_against_the_token(trigger_gateway, namespace,
                                                                      events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)

    def token(policy):
        status, _, answer = trigger_gateway.request("POST", "/tokens", {"policy": [policy]}, key=ADMIN_KEY)
        assert status == 200, answer
        return answer["token"]

    def attempt(key, space):
        body = {"params": {"space": space}, "delivery": {"url": receiver.url, "secret": new_secret()}}
        return trigger_gateway.request("POST", f"{base}/page.updated", body, key=key)[0]

    only_eng = token({"namespaces": namespace, "rpcReqMatch": {"params.arguments.space": "^eng$"}})
    assert attempt(only_eng, "eng") == 200
    assert attempt(only_eng, "ops") == 403
    read_only = token({"namespaces": namespace, "operations": ["read"]})
    assert trigger_gateway.request("GET", base, key=read_only)[0] == 200
    assert attempt(read_only, "eng") == 403


def test_operators_list_and_retry_failed_deliveries(namespace, events_upstream, receiver):
    gateway = Gateway(config={"triggers": FAST, "egress": {"allow": ["127.0.0.1/32"]}}).start()

    def cli(*arguments):
        result = subprocess.run(
            [os.environ.get("SWITCHBOARD_BINARY", ".build/debug/switchboard"), "deliveries", *arguments,
             "--config", gateway.config_path], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    try:
        base = connection(gateway, namespace, events_upstream)
        subscription = subscribed(gateway, base, receiver)
        receiver.script = [413]  # not retried: the delivery fails at once
        assert events_upstream.post(subscription, event(), webhook_id="evt_big")[0] == 200
        assert wait_for(lambda: metric(gateway, 'switchboard_webhook_deliveries_total{outcome="failed"}') == 1)
        failed = [json.loads(line) for line in cli("list", "--failed").splitlines()]
        assert [(d["webhookId"], d["state"], d["attempts"]) for d in failed] == [("evt_big", "failed", 1)]
        assert "413" in failed[0]["lastError"]
        assert receiver.attempts == 1
        assert "pending again" in cli("retry", str(failed[0]["id"]))
        assert wait_for(lambda: len(receiver.deliveries) == 1)
        assert receiver.deliveries[0]["webhook_id"] == "evt_big"
        assert wait_for(lambda: "delivered" in cli("list"))
        assert "purged 1" in cli("purge", "--before", "2999-01-01")
        assert cli("list") == ""
    finally:
        gateway.stop()


def subscribes_of(upstream, subscription):
    ingress = f"/ingress/triggers/{subscription}"
    return [entry for entry in upstream.calls("events/subscribe")
            if entry["params"]["delivery"]["url"].endswith(ingress)]


def trigger_config(**settings):
    return {"triggers": dict(FAST, **settings), "egress": {"allow": ["127.0.0.1/32"]}}


def test_the_last_cursor_received_is_passed_whenever_the_gateway_subscribes_again(namespace, receiver):
    upstream = EventsUpstream()
    upstream.control("grant", {"ttlMs": 2000})  # renewed every second
    gateway = Gateway(config=trigger_config())
    try:
        gateway.start()
        base = connection(gateway, namespace, upstream)
        subscription = subscribed(gateway, base, receiver)
        cursors = lambda: [e["params"]["cursor"] for e in subscribes_of(upstream, subscription)]  # noqa: E731
        assert cursors() == [None]
        assert upstream.post(subscription, dict(event(1), cursor="c1"), webhook_id="evt_1")[0] == 200
        assert wait_for(lambda: cursors()[-1] == "c1")
        # A gap's fresh cursor counts as much as an event's.
        assert upstream.post(subscription, {"type": "gap", "cursor": "c9"}, webhook_id="msg_gap_1")[0] == 200
        assert wait_for(lambda: cursors()[-1] == "c9")
        gateway.stop()
        seen = len(cursors())
        gateway.start()
        assert wait_for(lambda: len(cursors()) > seen)
        assert set(cursors()[seen:]) == {"c9"}, "a restarted gateway subscribes again from the stored cursor"
        assert wait_for(lambda: len(receiver.deliveries) == 2)
        assert receiver.unverified == []
    finally:
        gateway.stop()
        upstream.stop()


def test_a_restarted_gateway_renews_on_the_stored_schedule_and_retries_a_failed_renewal(namespace, receiver):
    upstream = EventsUpstream()
    upstream.control("grant", {"ttlMs": 10_000})  # renewed halfway, 5 s after each grant
    gateway = Gateway(config=trigger_config(renewRetrySeconds=0.2))
    try:
        gateway.start()
        base = connection(gateway, namespace, upstream)
        subscription = subscribed(gateway, base, receiver)
        granted_at = subscribes_of(upstream, subscription)[0]["at"]
        gateway.stop()
        upstream.control("refuse", {"space": "eng", "code": -32603, "times": 1})  # the next renewal fails
        gateway.start()
        assert wait_for(lambda: len(subscribes_of(upstream, subscription)) >= 2, timeout=20)
        failed = subscribes_of(upstream, subscription)[1]
        assert failed["at"] >= granted_at + 5, "not renewed at start: at the renewal time stored before the restart"
        assert wait_for(lambda: len(subscribes_of(upstream, subscription)) >= 3, timeout=20)
        renewed = subscribes_of(upstream, subscription)[2]
        assert renewed["late"] is False, "retried after triggers.renewRetrySeconds, before the grant ran out"
    finally:
        gateway.stop()
        upstream.stop()


def test_a_terminated_subscription_ends_here_too(namespace, receiver):
    upstream = EventsUpstream()
    upstream.control("grant", {"ttlMs": 1000})  # renewed at every sweep
    gateway = Gateway(config=trigger_config())
    try:
        gateway.start()
        base = connection(gateway, namespace, upstream)
        subscription = subscribed(gateway, base, receiver)
        assert wait_for(lambda: len(subscribes_of(upstream, subscription)) >= 2)
        assert upstream.post(subscription, event(1), webhook_id="evt_1")[0] == 200
        terminated = {"type": "terminated",
                      "error": {"code": -32012, "message": "Forbidden", "data": {"reason": "Access revoked"}}}
        upstream.control("refuse", {"space": "eng", "code": -32012})  # the cause still holds upstream
        assert upstream.post(subscription, terminated, webhook_id="msg_terminated_1")[0] == 200
        renewals = len(subscribes_of(upstream, subscription))
        assert upstream.post(subscription, event(2), webhook_id="evt_2")[0] == 410
        assert wait_for(lambda: len(receiver.deliveries) == 2)
        assert [d["body"] for d in receiver.deliveries] == [event(1), terminated]
        time.sleep(2)  # two sweeps that would have renewed it
        assert len(subscribes_of(upstream, subscription)) == renewals
        # Subscribing again is a fresh subscribe upstream: refused while the cause holds, saying what happened.
        status, _, body = subscribe(gateway, base, receiver.url, receiver.secrets[subscription][0])
        assert status == 403, body
        assert "terminated it: Forbidden" in body["message"] and "subscribing again" in body["message"]
        assert upstream.post(subscription, event(3), webhook_id="evt_3")[0] == 410
        # Once the upstream takes it again, it lives again.
        upstream.control("refuse", {"space": "eng", "code": -32012, "times": 0})
        status, _, body = subscribe(gateway, base, receiver.url, receiver.secrets[subscription][0])
        assert status == 200 and body["id"] == subscription, body
        assert upstream.post(subscription, event(4), webhook_id="evt_4")[0] == 200
        assert wait_for(lambda: len(receiver.deliveries) == 3)
        assert receiver.unverified == []
    finally:
        gateway.stop()
        upstream.stop()


def test_a_poll_refused_for_good_ends_the_subscription(trigger_gateway, namespace, events_upstream, receiver):
    base = connection(trigger_gateway, namespace, events_upstream)
    secret = new_secret()
    status, _, body = subscribe(trigger_gateway, base, receiver.url, secret, params={"inbox": namespace},
                                name="poll.only")
    assert status == 200, body
    polls = lambda: [p for p in events_upstream.log("events/poll") if p["arguments"] == {"inbox": namespace}]  # noqa
    assert wait_for(lambda: len(polls()) >= 2)
    # Counted before the refusal: a poll already on its way when it comes is the one refused.
    refused = len(polls())
    events_upstream.control("refuse", {"space": namespace, "code": -32011})
    assert wait_for(lambda: len(polls()) > refused)
    time.sleep(0.3)  # a poll in flight when the refusal came
    stopped = len(polls())
    time.sleep(1.5)  # thirty poll intervals and a sweep
    assert len(polls()) == stopped
    events_upstream.control("refuse", {"space": namespace, "code": -32011, "times": 0})
    status, _, body = subscribe(trigger_gateway, base, receiver.url, secret, params={"inbox": namespace},
                                name="poll.only")
    assert status == 200, body
    assert wait_for(lambda: len(polls()) > stopped + 2)
