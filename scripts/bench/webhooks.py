"""Webhook relay figures: events/s accepted at the ingress and delivered end to end, latency from the upstream's post
to the receiver (p50/p99), for one subscription (as fast as the poster is answered, then offered at a steady rate)
and for several; then the outbox depth while the receiver answers 503 for 10 s and after it recovers, with loss
and repeats. Not a test: it prints figures.

The poster and the receiver are webhook-load (webhook-load.c, one epoll thread each, keep-alive): the reference
line is the poster straight to the receiver, the ceiling the load tools allow. The events upstream of the
integration suite only takes the subscriptions, and tells the poster where and with which secret to post."""
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../Tests/Integration"))
from gateway import ADMIN_KEY, Gateway  # noqa: E402
from test_triggers import metric, new_secret, wait_for  # noqa: E402
from trigger_upstreams import EventsUpstream  # noqa: E402

COUNT, CONNECTIONS = 20000, 64
# The paced run's rate: the relay's target on a 2-core machine.
OFFERED = 5000
LOAD = os.environ["WEBHOOK_LOAD"]
SUBSCRIPTIONS = 8


class LoadReceiver:
    def __init__(self):
        self.process = subprocess.Popen([LOAD, "receive"], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def call(self, method, path):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def stats(self):
        return self.call("GET", "/stats")

    def stop(self):
        self.process.kill()
        self.process.wait()


def post(address, count, prefix, targets, connections=CONNECTIONS, rate=0):
    """Posts `count` events spread over `targets` ([(path, secret)]), `rate` a second (0: as fast as answered); the
    poster's {"statuses", "seconds"}."""
    arguments = [LOAD, "post", address, str(count), str(connections), str(rate), prefix]
    for path, secret in targets:
        arguments += [path, secret]
    return json.loads(subprocess.run(arguments, capture_output=True, text=True, check=True).stdout)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def subscribe(gateway, upstream, receiver, space):
    body = {"params": {"space": space}, "delivery": {"url": receiver.url, "secret": new_secret()}}
    _, _, answer = gateway.request("POST", "/connect/bench/c/.triggers/page.updated", body, key=ADMIN_KEY)
    target = upstream.control("target", {"subscription": answer["id"]})
    return target["url"].split(f":{gateway.port}", 1)[1], target["secret"]


def relay(gateway, receiver, targets, prefix, label, rate=0):
    receiver.call("POST", "/reset")
    cpu_before = cpu_seconds(gateway.process.pid)
    started = time.time()
    answer = post(f"127.0.0.1:{gateway.port}", COUNT, prefix, targets, rate=rate)
    wait_for(lambda: receiver.stats()["distinct"] >= COUNT, timeout=600)
    delivered_in = time.time() - started
    cpu = cpu_seconds(gateway.process.pid) - cpu_before
    stats = receiver.stats()
    print(f"{label}: ingress answers {answer['statuses']}")
    print(f"  accepted {COUNT / answer['seconds']:,.0f}/s, delivered end to end {COUNT / delivered_in:,.0f}/s, "
          f"post to delivery p50 {stats['p50_ms']:.1f} ms, p99 {stats['p99_ms']:.1f} ms; "
          f"lost {COUNT - stats['distinct']}, repeats {stats['repeats']}; "
          f"gateway CPU {cpu / COUNT * 1e6:.0f} µs/event")


def main():
    receiver = LoadReceiver()
    try:
        secret = new_secret()
        for connections in (CONNECTIONS, 1):
            answer = post(f"127.0.0.1:{receiver.port}", COUNT, f"ref{connections}_", [("/hook", secret)], connections)
            print(f"reference, the poster straight to the receiver on {connections} connection(s): "
                  f"{COUNT / answer['seconds']:,.0f} events/s")
        gateway = Gateway(config={"logRequests": False, "egress": {"allow": ["127.0.0.1/32"]},
                                  "triggers": {"allowHttpHosts": ["127.0.0.1"], "retryUnitSeconds": 0.001}}).start()
        try:
            upstream = EventsUpstream()
            try:
                through_the_gateway(gateway, upstream, receiver)
            finally:
                upstream.stop()
        finally:
            gateway.stop()
    finally:
        receiver.stop()


def through_the_gateway(gateway, upstream, receiver):
    status, _, _ = gateway.request("PUT", "/connect/bench/c", {"mcpUrl": upstream.url}, key=ADMIN_KEY)
    assert status in (200, 201)
    one = subscribe(gateway, upstream, receiver, "bench")
    relay(gateway, receiver, [one], "a_", f"{COUNT} events, one subscription, {CONNECTIONS} upstream connections")
    relay(gateway, receiver, [one], "p_", f"the same, offered at {OFFERED:,} events/s", rate=OFFERED)
    several = [one] + [subscribe(gateway, upstream, receiver, f"bench{n}") for n in range(1, SUBSCRIPTIONS)]
    relay(gateway, receiver, several, "b_", f"{COUNT} events over {SUBSCRIPTIONS} subscriptions")

    receiver.call("POST", "/reset")
    receiver.call("POST", "/refuse/503")
    outage = time.time()
    post(f"127.0.0.1:{gateway.port}", COUNT // 4, "c_", [one])
    depths = []
    while time.time() - outage < 10:
        depths.append(metric(gateway, "switchboard_webhook_outbox_depth"))
        time.sleep(1)
    receiver.call("POST", "/refuse/0")
    recovered = time.time()
    wait_for(lambda: receiver.stats()["distinct"] >= COUNT // 4, timeout=600)
    stats = receiver.stats()
    print(f"{COUNT // 4} events while the receiver answered 503 for 10 s: outbox depth each second "
          f"{[int(d) for d in depths]}")
    print(f"  drained {time.time() - recovered:.1f} s after recovery (retry unit 0.001 s: the schedule's "
          f"next attempt), at {COUNT // 4 / stats['span_s']:,.0f} events/s once the head went through; "
          f"lost {COUNT // 4 - stats['distinct']}, repeats {stats['repeats']}")


if __name__ == "__main__":
    COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else COUNT
    CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else CONNECTIONS
    main()
