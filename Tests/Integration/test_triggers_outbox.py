"""The webhook outbox under concurrent upstream posts: accepted events share commits, and each subscription's events
reach its receiver in the order the outbox accepted them, retries included."""
import json
import os
import subprocess
import threading

from gateway import ADMIN_KEY, Gateway
from test_triggers import FAST, connection, event, metric, new_secret, subscribe, wait_for


def outbox(gateway, *arguments):
    """`switchboard deliveries list` on the gateway's database, oldest first."""
    result = subprocess.run(
        [os.environ.get("SWITCHBOARD_BINARY", ".build/debug/switchboard"), "deliveries", "list", "--limit", "10000",
         *arguments, "--config", gateway.config_path], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in reversed(result.stdout.splitlines())]


def post_concurrently(upstream, subscriptions, count, threads=8):
    """Posts `count` events to each subscription from `threads` threads at once; the statuses answered."""
    statuses = []
    jobs = [(s, n) for n in range(count) for s in subscriptions]

    def work(mine):
        for subscription, number in mine:
            statuses.append(upstream.post(subscription, event(number), webhook_id=f"evt_{subscription}_{number}")[0])

    workers = [threading.Thread(target=work, args=(jobs[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


def subscribed_to(gateway, base, receiver, space):
    secret = new_secret()
    status, _, body = subscribe(gateway, base, receiver.url, secret, params={"space": space})
    assert status == 200, body
    receiver.secrets[body["id"]] = [secret]
    return body["id"]


def test_concurrent_posts_reach_each_receiver_in_the_order_they_were_accepted(namespace, events_upstream, receiver):
    # Reads of four events at most: lanes take turns between reading the outbox and being handed new events.
    triggers = dict(FAST, deliveryBatchEvents=4)
    gateway = Gateway(config={"triggers": triggers, "egress": {"allow": ["127.0.0.1/32"]}}).start()
    try:
        base = connection(gateway, namespace, events_upstream)
        subscriptions = [subscribed_to(gateway, base, receiver, space) for space in ("eng", "ops")]
        # A few refusals on the way: a retried head still goes before everything accepted after it.
        receiver.script = [503, 500, 503]
        statuses = post_concurrently(events_upstream, subscriptions, 60)
        assert statuses == [200] * 120
        assert wait_for(lambda: len(receiver.deliveries) == 120)
        accepted = outbox(gateway)
        assert {d["state"] for d in accepted} == {"delivered"}
        for subscription in subscriptions:
            order = [d["webhookId"] for d in accepted if d["subscriptionId"] == subscription]
            arrived = [d["webhook_id"] for d in receiver.deliveries if d["subscription"] == subscription]
            assert arrived == order and len(order) == 60
        assert receiver.unverified == []
        commits = metric(gateway, "switchboard_webhook_outbox_commits_total")
        print(f"120 events from 8 concurrent posters, {receiver.attempts} attempts: {commits:.0f} outbox commits")
        assert commits > 0
    finally:
        gateway.stop()


def test_events_abandoned_by_an_unsubscribe_stay_undelivered_when_the_same_subscription_is_made_again(
        namespace, events_upstream, receiver):
    gateway = Gateway(config={"triggers": FAST, "egress": {"allow": ["127.0.0.1/32"]}}).start()
    receiver.hold = threading.Event()
    try:
        base = connection(gateway, namespace, events_upstream)
        first = subscribed_to(gateway, base, receiver, "eng")
        assert events_upstream.post(first, event(0), webhook_id="evt_0")[0] == 200
        assert wait_for(receiver.server_busy)
        for number in range(1, 4):
            assert events_upstream.post(first, event(number), webhook_id=f"evt_{number}")[0] == 200
        # evt_0 goes through; then evt_1 is at the receiver, and evt_2 and evt_3, read with it, wait behind it: the
        # unsubscribe abandons them.
        held, receiver.hold = receiver.hold, threading.Event()
        held.set()
        assert wait_for(lambda: receiver.waiting == 2)
        body = {"params": {"space": "eng"}, "delivery": {"url": receiver.url}}
        status, _, answer = gateway.request("DELETE", f"{base}/page.updated", body, key=ADMIN_KEY)
        assert status == 200, answer
        again = subscribed_to(gateway, base, receiver, "eng")
        assert again == first
        receiver.hold.set()
        assert events_upstream.post(again, event(4), webhook_id="evt_4")[0] == 200
        assert wait_for(lambda: "evt_4" in [d["webhook_id"] for d in receiver.deliveries])
        assert [d["webhook_id"] for d in receiver.deliveries] == ["evt_0", "evt_1", "evt_4"]
        abandoned = [d for d in outbox(gateway) if d["webhookId"] in ("evt_2", "evt_3")]
        assert [d["state"] for d in abandoned] == ["failed", "failed"]
    finally:
        receiver.hold.set()
        gateway.stop()
