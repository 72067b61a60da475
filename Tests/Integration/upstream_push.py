"""A push-mode test upstream on the official Python SDK 2.x: an MCPServer whose Events extension serves `events/list`
and `events/stream`, each stream a held SSE answer carrying `notifications/events/active`, `…/event`,
`…/heartbeat` and `…/terminated`. Every event type that matches the same arguments shares one log; a cursor is a
position in it, so a stream opened again with its last cursor replays what it missed.

Prints its port once listening. Besides `POST /mcp`:
  POST /control/emit       {"arguments", "events"}: appended to the log; open streams send them at once
  POST /control/drop       {"arguments", "events"}: the open streams end first (the final `StreamEventsResult`),
                           then the events are appended, so only a stream resumed from its cursor sees them
  POST /control/terminate  {"arguments", "error"}: the open streams send `notifications/events/terminated`, and
                           every later stream with these arguments is refused with that error
  GET  /control/log        what happened, in order: {"stream": params} per `events/stream`, {"closed": arguments}
                           per stream that ended (whoever ended it)
"""
import asyncio
import datetime
import json
from typing import Any

import mcp_types as types
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from pydantic import ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from upstream_serving import arguments, serve

SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"
HEARTBEAT_SECONDS = 0.5
EVENTS = [
    {
        "name": "issue.opened",
        "description": "An issue was opened.",
        "delivery": ["push"],
        "inputSchema": {"type": "object", "properties": {"repo": {"type": "string"}}, "required": ["repo"]},
        "payloadSchema": {"type": "object", "properties": {"title": {"type": "string"}}},
    },
]

logs = {}  # canonical arguments -> the events so far, in order
streams = {}  # canonical arguments -> the open streams' state
terminations = {}  # canonical arguments -> the error every stream with them gets
record = []


def canonical(arguments_):
    return json.dumps(arguments_ or {}, sort_keys=True)


class StreamParams(types.RequestParams):
    model_config = ConfigDict(extra="allow")
    name: str
    arguments: dict[str, Any] = {}
    cursor: str | None = None


class ListParams(types.RequestParams):
    model_config = ConfigDict(extra="allow")
    cursor: str | None = None


class Stream:
    """One open stream: woken when its log grows, told to end or to terminate."""

    def __init__(self):
        self.wake = asyncio.Event()
        self.ending = False
        self.terminated = None


async def notify(ctx, method, params):
    params = dict(params, _meta={SUBSCRIPTION_ID: ctx.request_id})
    notification = types.Notification[dict[str, Any], str](method=method, params=params)
    await ctx.session.send_notification(notification, related_request_id=ctx.request_id)


async def list_events(ctx, params):
    return {"events": EVENTS}


async def stream_events(ctx, params):
    if params.name not in [event["name"] for event in EVENTS]:
        raise MCPError(-32011, "no such event")
    key = canonical(params.arguments)
    record.append({"stream": params.model_dump(exclude={"meta"})})
    if key in terminations:
        raise MCPError(terminations[key]["code"], terminations[key]["message"])
    log = logs.setdefault(key, [])
    stale = params.cursor is not None and not (params.cursor.isdigit() and int(params.cursor) <= len(log))
    position = len(log) if params.cursor is None or stale else int(params.cursor)
    state = Stream()
    streams.setdefault(key, []).append(state)
    try:
        await notify(ctx, "notifications/events/active", {"cursor": str(position), "truncated": stale})
        while True:
            while position < len(log) and not state.ending:
                position += 1
                await notify(ctx, "notifications/events/event", dict(log[position - 1], cursor=str(position)))
            if state.terminated:
                await notify(ctx, "notifications/events/terminated", {"error": state.terminated})
                return {"_meta": {}}
            if state.ending:
                return {"_meta": {}}
            try:
                await asyncio.wait_for(state.wake.wait(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                await notify(ctx, "notifications/events/heartbeat", {"cursor": str(position)})
            state.wake.clear()
    finally:
        streams[key].remove(state)
        record.append({"closed": params.arguments})


class Events(Extension):
    identifier = "io.modelcontextprotocol/events"

    def methods(self):
        return [MethodBinding("events/list", ListParams, list_events),
                MethodBinding("events/stream", StreamParams, stream_events)]


def occurrence(event):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"eventId": event["eventId"], "name": event.get("name", "issue.opened"), "timestamp": now,
            "data": event.get("data", {})}


def wake(key, ending=False, terminated=None):
    for state in list(streams.get(key, [])):
        state.ending = state.ending or ending
        state.terminated = state.terminated or terminated
        state.wake.set()


async def until_closed(key):
    while streams.get(key):
        await asyncio.sleep(0.01)


async def control_emit(request: Request):
    order = await request.json()
    key = canonical(order["arguments"])
    logs.setdefault(key, []).extend(occurrence(event) for event in order["events"])
    wake(key)
    return JSONResponse({})


async def control_drop(request: Request):
    order = await request.json()
    key = canonical(order["arguments"])
    wake(key, ending=True)
    await until_closed(key)
    logs.setdefault(key, []).extend(occurrence(event) for event in order.get("events", []))
    return JSONResponse({})


async def control_terminate(request: Request):
    order = await request.json()
    key = canonical(order["arguments"])
    terminations[key] = order["error"]
    wake(key, terminated=order["error"])
    await until_closed(key)
    return JSONResponse({})


async def control_log(request: Request):
    return JSONResponse(record)


def main():
    args = arguments(__doc__)
    server = MCPServer("push-upstream", version="0.1", extensions=[Events()])
    app = server.streamable_http_app(streamable_http_path="/mcp", json_response=False)
    app.router.routes.extend([
        Route("/control/emit", control_emit, methods=["POST"]),
        Route("/control/drop", control_drop, methods=["POST"]),
        Route("/control/terminate", control_terminate, methods=["POST"]),
        Route("/control/log", control_log, methods=["GET"]),
    ])
    serve(app, args)


main()
