"""Live pages through a broker outage, end to end: uvicorn, a real Redis stopped and restarted.

Pages (``websockets`` clients behaving as cf.js: a push replaces the HTML and state, a
``resync`` is answered with the resync event after a random part of its ``jitter``) stay
subscribed while Redis is down and the board is bumped; once Redis is back every page is told
to re-sync, spread over a window that grows with the pages of the process, and every page ends
showing the server's counter. bench/broker_outage.py runs the same server with 1,000 pages.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests._redis import RedisServer
from tests.browser.conftest import serve_app

PAGES = 50
BENCH = Path(__file__).resolve().parents[2] / "bench"  # the soak's server: _outage_server.py


class Page:
    def __init__(self, ws: ClientConnection, render: dict[str, Any]) -> None:
        self.ws, self.render = ws, render
        self.resyncs: list[dict[str, Any]] = []

    async def read(self) -> None:
        async for text in self.ws:
            message = json.loads(text)
            if message["type"] == "component_update":
                self.render = {**self.render, **message}
            elif message["type"] == "resync":
                self.resyncs.append(message)
                await asyncio.sleep(random.random() * message["jitter"] / 1000)
                event = {
                    "type": "component_event",
                    "component": "board",
                    "component_id": self.render["component_id"],
                    "event": message["event"],
                    "payload": {},
                    "state": self.render["state"],
                    "checksum": self.render["checksum"],
                }
                await self.ws.send(json.dumps(event))


async def _in_step(pages: list[Page], n: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(page.render["html"] == f"<p>{n}</p>" for page in pages):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_every_page_is_back_in_step_after_an_outage_with_its_resync_spread(
    redis_server: RedisServer,
) -> None:
    env = {
        "CF_BROKER_URL": redis_server.url,
        "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")]),
    }
    with serve_app("_outage_server:app", env=env) as base:
        ws_url = base.replace("http", "ws") + "/cf/ws"
        async with httpx.AsyncClient(base_url=base, headers={"X-CF-Request": "1"}) as http:
            pages, readers = [], []
            for _ in range(PAGES):
                render = (await http.post("/cf/event", json={"component": "board"})).json()
                ws = await connect(ws_url)
                subscribe = {
                    "type": "subscribe",
                    "component_id": render["component_id"],
                    "token": render["subscribe_token"],
                }
                await ws.send(json.dumps(subscribe))
                assert json.loads(await ws.recv())["type"] == "subscribed"
                pages.append(Page(ws, render))
                readers.append(asyncio.create_task(pages[-1].read()))
            n = (await http.post("/bump")).json()["n"]
            assert await _in_step(pages, n)

            redis_server.stop()
            for _ in range(3):  # pushes made during the outage
                n = (await http.post("/bump")).json()["n"]
            redis_server.start()

            assert await _in_step(pages, n)
            # Every page was told to re-sync within 250 ms: 50 pages at about 200 a second.
            assert all(page.resyncs for page in pages)
            assert {m["jitter"] for page in pages for m in page.resyncs} == {250}
            for page, reader in zip(pages, readers, strict=True):
                await page.ws.close()
                reader.cancel()
