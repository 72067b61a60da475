"""A test upstream that speaks the MCP Events methods in webhook mode (the Python SDK has none), as a small
Starlette JSON-RPC app on Streamable HTTP (JSON responses). It posts events to the delivery URL it was given,
signed with the `standardwebhooks` library under the secret it was given.

Prints its port once listening. Besides `POST /mcp`:
  POST /control/post   {"subscription": trg id, "body": {...}, "sign": "good"|"bad"|"none", "age": seconds,
                        "webhook_id": id, "replay": bool} -> {"status", "body"} of the gateway's answer
  GET  /control/log    the JSON-RPC requests received, in order
  POST /control/events an event type to list from now on, without a list_changed notification
  POST /control/queue  {"arguments", "events"}: what `events/poll` with these arguments returns next (two a page)
  POST /control/target {"subscription"} -> {"url", "secret"}: where and how the upstream posts its events
  POST /control/grant  {"ttlMs"}: the longest subscription it grants from now on
  POST /control/refuse {"space", "code", "times"}: refuse the next `times` subscribes with that space, or polls
                       with that `inbox` (every one: `times` null)

Each log entry carries `at` (Unix seconds) and, for `events/subscribe`, `late`: whether it came after the grant
before it for the same subscription ran out.
"""
import argparse
import datetime
import json
import socket
import time
import uuid

import httpx
import uvicorn
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

EVENTS = [
    {
        "name": "page.updated",
        "description": "A page changed.",
        "delivery": ["webhook"],
        "inputSchema": {"type": "object", "properties": {"space": {"type": "string"}}, "required": ["space"]},
        "payloadSchema": {"type": "object", "properties": {"title": {"type": "string"}}},
        "_meta": {"not": "in the API"},
    },
    {"name": "poll.only", "delivery": ["poll"], "inputSchema": {"type": "object"}},
]

# A subscription to these spaces is refused with the Events error codes.
REFUSALS = {"invalid": -32602, "gone": -32011, "forbidden": -32012, "full": -32013, "unsupported": -32014,
            "unreachable": -32015}
subscriptions = {}  # (name, canonical arguments, url) -> {"url", "secret", "name"}
polled = {}  # canonical arguments -> the events a poll returns, in order
ever = {}  # url -> the latest subscription to it, kept after an unsubscribe to test posts that come too late
scripted = {}  # space -> {"code", "times"}: refusals ordered through /control/refuse
grant_cap = {"ttlMs": None}
log = []
last_post = {}


def key(params):
    return (params.get("name"), json.dumps(params.get("arguments") or {}, sort_keys=True),
            (params.get("delivery") or {}).get("url"))


def answer(request_id, result=None, error=None):
    body = {"jsonrpc": "2.0", "id": request_id}
    body.update({"error": error} if error else {"result": result})
    return JSONResponse(body)


async def mcp(request):
    message = json.loads(await request.body())
    method, params, request_id = message.get("method"), message.get("params") or {}, message.get("id")
    log.append({"method": method, "params": params, "at": time.time()})
    if request_id is None:
        return Response(status_code=202)
    if method == "initialize":
        return answer(request_id, {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"events": {"listChanged": True}, "tools": {}},
            "serverInfo": {"name": "events-upstream", "version": "0.1"}})
    if method == "tools/list":
        return answer(request_id, {"tools": []})
    if method == "events/list":
        return answer(request_id, {"events": EVENTS})
    if method == "events/subscribe":
        delivery = params.get("delivery") or {}
        if params.get("name") not in [e["name"] for e in EVENTS]:
            return answer(request_id, error={"code": -32011, "message": "no such event"})
        space = (params.get("arguments") or {}).get("space")
        refusal = REFUSALS.get(space) or refused_now(space)
        if refusal:
            return answer(request_id, error={"code": refusal, "message": f"refused with {refusal}"})
        if not str(delivery.get("secret", "")).startswith("whsec_"):
            return answer(request_id, error={"code": -32602, "message": "bad secret"})
        previous = subscriptions.get(key(params))
        log[-1]["late"] = previous is not None and time.time() > previous["expires"]
        ttl = min(params["ttlMs"], grant_cap["ttlMs"] or params["ttlMs"])
        subscriptions[key(params)] = {"url": delivery["url"], "secret": delivery["secret"], "name": params["name"],
                                      "expires": time.time() + ttl / 1000}
        ever[delivery["url"]] = subscriptions[key(params)]
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(milliseconds=ttl)
        # The answer's cursor is a watermark at or behind what was delivered: the one the subscriber last had.
        result = {"id": "sub_" + uuid.uuid4().hex[:8], "cursor": params.get("cursor"),
                  "refreshBefore": expires.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        if (params.get("arguments") or {}).get("space") == "announce":
            # The answer streams, after a notification that the event types changed.
            changed = {"jsonrpc": "2.0", "method": "notifications/events/list_changed"}
            stream = "".join(f"event: message\ndata: {json.dumps(m)}\n\n"
                             for m in [changed, {"jsonrpc": "2.0", "id": request_id, "result": result}])
            return Response(stream, media_type="text/event-stream")
        return answer(request_id, result)
    if method == "events/poll":
        refusal = refused_now((params.get("arguments") or {}).get("inbox"))
        if refusal:
            return answer(request_id, error={"code": refusal, "message": f"refused with {refusal}"})
        queued = polled.setdefault(json.dumps(params.get("arguments") or {}, sort_keys=True), [])
        start = int(params.get("cursor") or 0)
        return answer(request_id, {"events": queued[start:start + 2], "cursor": str(min(start + 2, len(queued))),
                                   "hasMore": start + 2 < len(queued), "nextPollMs": 50})
    if method == "events/unsubscribe":
        if subscriptions.pop(key(params), None) is None:
            return answer(request_id, error={"code": -32011, "message": "no such subscription"})
        return answer(request_id, {})
    return answer(request_id, error={"code": -32601, "message": f"method not found: {method}"})


def refused_now(space):
    order = scripted.get(space)
    if not order or order["times"] == 0:
        return None
    if order["times"] is not None:
        order["times"] -= 1
    return order["code"]


async def control_grant(request):
    grant_cap.update(json.loads(await request.body()))
    return JSONResponse({})


async def control_refuse(request):
    order = json.loads(await request.body())
    scripted[order["space"]] = {"code": order.get("code", -32012), "times": order.get("times")}
    return JSONResponse({})


async def control_post(request):
    order = json.loads(await request.body())
    if order.get("replay"):
        url, headers, data = last_post["url"], last_post["headers"], last_post["data"]
    else:
        target = next(s for url, s in ever.items() if url.endswith("/" + order["subscription"]))
        data = json.dumps(order["body"])
        webhook_id = order.get("webhook_id") or "evt_" + uuid.uuid4().hex
        sent_at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=order.get("age", 0))
        secret = target["secret"] if order.get("sign", "good") != "bad" else "whsec_" + "QUFB" * 8
        headers = {"content-type": "application/json", "webhook-id": webhook_id,
                   "webhook-timestamp": str(int(sent_at.timestamp()))}
        if order.get("sign", "good") != "none":
            headers["webhook-signature"] = Webhook(secret).sign(webhook_id, sent_at, data)
        url = target["url"]
        last_post.update(url=url, headers=headers, data=data)
    async with httpx.AsyncClient() as client:
        response = await client.post(url, content=data, headers=headers, timeout=10)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return JSONResponse({"status": response.status_code, "body": body})


async def control_target(request):
    """Where and with which secret the upstream posts the events of one subscription (for a faster poster)."""
    order = json.loads(await request.body())
    target = next(s for url, s in ever.items() if url.endswith("/" + order["subscription"]))
    return JSONResponse({"url": target["url"], "secret": target["secret"]})


async def control_queue(request):
    """Queues events for `events/poll` with these arguments."""
    order = json.loads(await request.body())
    polled.setdefault(json.dumps(order["arguments"], sort_keys=True), []).extend(order["events"])
    return JSONResponse({})


async def control_events(request):
    """Adds an event type without announcing it."""
    EVENTS.append(json.loads(await request.body()))
    return JSONResponse({})


async def control_log(request):
    return JSONResponse(log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = Starlette(routes=[
        Route("/mcp", mcp, methods=["POST"]),
        Route("/control/post", control_post, methods=["POST"]),
        Route("/control/log", control_log, methods=["GET"]),
        Route("/control/target", control_target, methods=["POST"]),
        Route("/control/events", control_events, methods=["POST"]),
        Route("/control/queue", control_queue, methods=["POST"]),
        Route("/control/grant", control_grant, methods=["POST"]),
        Route("/control/refuse", control_refuse, methods=["POST"]),
    ])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


main()
