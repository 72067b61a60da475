"""Webhook relay figures: events/s accepted at the ingress and delivered end to end, delivery latency p50/p99,
then the outbox depth while the receiver answers 503 for 10 s and after it recovers, with loss and repeats.
Not a test: it prints figures. Uses the integration suite's events upstream and verifying receiver."""
import json
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../Tests/Integration"))
from gateway import ADMIN_KEY, Gateway  # noqa: E402
from test_triggers import EventsUpstream, metric, new_secret, wait_for  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def burst(upstream, subscription, count, prefix):
    body = json.dumps({"subscription": subscription, "count": count, "concurrency": 16, "prefix": prefix}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{upstream.port}/control/burst", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def main():
    gateway = Gateway(config={"logRequests": False, "egress": {"allow": ["127.0.0.1/32"]},
                              "triggers": {"allowHttpHosts": ["127.0.0.1"], "retryUnitSeconds": 0.001}}).start()
    upstream, receiver = EventsUpstream(), Receiver()
    try:
        status, _, _ = gateway.request("PUT", "/connect/bench/c", {"mcpUrl": upstream.url}, key=ADMIN_KEY)
        secret = new_secret()
        body = {"params": {"space": "bench"}, "delivery": {"url": receiver.url, "secret": secret}}
        _, _, answer = gateway.request("POST", "/connect/bench/c/.triggers/page.updated", body, key=ADMIN_KEY)
        subscription = answer["id"]
        receiver.secrets[subscription] = [secret]

        started = time.time()
        statuses = burst(upstream, subscription, COUNT, "a")
        accepted_in = time.time() - started
        wait_for(lambda: len(receiver.deliveries) >= COUNT, timeout=600)
        delivered_in = time.time() - started
        latencies = sorted(d["received_at"] - d["body"]["data"]["sentAt"] for d in receiver.deliveries)
        print(f"{COUNT} events, one subscription, 16 concurrent upstream posts: ingress answers {statuses}")
        print(f"  accepted {COUNT / accepted_in:.0f}/s, delivered end to end {COUNT / delivered_in:.0f}/s")
        print(f"  post to delivery p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")

        receiver.deliveries.clear()
        receiver.refusing = 503
        outage = time.time()
        burst(upstream, subscription, COUNT // 4, "b")
        depths = []
        while time.time() - outage < 10:
            depths.append(metric(gateway, "switchboard_webhook_outbox_depth"))
            time.sleep(1)
        receiver.refusing = None
        recovered = time.time()
        wait_for(lambda: len({d["webhook_id"] for d in receiver.deliveries}) >= COUNT // 4, timeout=600)
        ids = [d["webhook_id"] for d in receiver.deliveries]
        print(f"{COUNT // 4} events while the receiver answered 503 for 10 s: outbox depth each second "
              f"{[int(d) for d in depths]}")
        print(f"  drained {time.time() - recovered:.1f} s after recovery (retry unit 0.001 s: the schedule's "
              f"next attempt); lost {COUNT // 4 - len(set(ids))}, repeats {len(ids) - len(set(ids))}, "
              f"unverified {len(receiver.unverified)}")
    finally:
        receiver.close()
        upstream.stop()
        gateway.stop()


main()
