"""Background tasks across processes, end to end: two uvicorn workers sharing a real Redis.

A page whose socket is on worker 2 sends its event over HTTP, and a load balancer gives the
request to worker 1: the task runs on worker 1, and its result reaches the page through Redis
and worker 2 (a ``websockets`` client behaving as cf.js: it answers the push itself).
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests._redis import RedisServer
from tests.browser.conftest import serve_app

APP = "tests.browser.streams_app:app"


async def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await ws.recv(decode=True))
        if message["type"] == kind:
            return message


async def test_a_result_reaches_the_page_through_the_other_worker(
    redis_server: RedisServer,
) -> None:
    env = {"CF_BROKER_URL": redis_server.url, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    with contextlib.ExitStack() as servers:
        one, two = (servers.enter_context(serve_app(APP, env=env)) for _ in range(2))
        headers = {"X-CF-Request": "1"}
        async with (
            httpx.AsyncClient(base_url=one, headers=headers) as http_one,
            connect(two.replace("http", "ws") + "/cf/ws") as ws,
        ):
            render = (await http_one.post("/cf/event", json={"component": "preview"})).json()
            cid = render["component_id"]
            token = render["subscribe_token"]
            subscribe = {"type": "subscribe", "component_id": cid, "token": token}
            await ws.send(json.dumps(subscribe))
            assert (await _next(ws, "subscribed"))["component_id"] == cid
            event = {
                "component": "preview",
                "component_id": cid,
                "event": "share",
                "payload": {"url": "https://example.com/b"},
                "state": render["state"],
                "checksum": render["checksum"],
            }
            reply = (await http_one.post("/cf/event", json=event)).json()
            assert json.loads(reply["state"])["shared"] == 1
            push = await _next(ws, "push_event")
            assert push == {
                "type": "push_event",
                "component_id": cid,
                "event": "preview_ready",
                "payload": {"result": {"title": "A page at https://example.com/b"}},
            }
            # The page answers it with the state it holds (here, over HTTP to worker 1).
            answer = {**event, "event": "preview_ready", "payload": push["payload"]}
            answer.update(state=reply["state"], checksum=reply["checksum"])
            done = (await http_one.post("/cf/event", json=answer)).json()
            assert json.loads(done["state"]) == {
                "shared": 1,
                "title": "A page at https://example.com/b",
                "problem": "",
            }
