"""Server-run pushed events with the state in Redis, across two managers (two processes in
production) joined by a Redis broker: each runs its own pages, once per distinct state."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._json import canonical_dumps
from component_framework.core.redis_broker import RedisBroker
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from tests._redis import RedisServer

from ._support import FakeConnection
from .test_push_events import ListRenderer


async def _subscribed(
    manager: ComponentWebSocketManager, signer: Signer, cid: str, ref: str
) -> FakeConnection:
    page = FakeConnection()
    await manager.connect(page, f"conn-{cid}")
    subscribe = {
        "type": "subscribe",
        "component_id": cid,
        "token": signer.subscription_token("board", cid),
        "state": ref,
        "checksum": signer.sign("board", cid, ref),
    }
    await manager.handle_message(page, f"conn-{cid}", subscribe)
    assert page.sent.pop()["type"] == "subscribed"
    return page


async def _until_each_has(pages: list[FakeConnection], count: int) -> None:
    async def arrived() -> None:
        while any(len(page.sent) < count for page in pages):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(arrived(), 30)  # a generous bound, not a timing


async def test_two_processes_on_redis_run_once_each_and_write_a_state_every_page_can_use(
    fresh_registry: ComponentRegistry,
    signer: Signer,
    redis_server: RedisServer,
    closing: Callable[[Any], Any],
) -> None:
    store = closing(RedisStateStore(redis_server.url))
    ran: list[tuple[str, bool]] = []

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "b.html"
        renderer = ListRenderer()
        state_store = store
        live = True

        def on_refresh(self, item: str) -> None:  # sync: the store's sync calls, off the loop
            ran.append((item, threading.current_thread() is threading.main_thread()))
            self.state["items"] = [*self.state["items"], item]

        async def on_clear(self) -> None:  # async: the store's async calls, on the loop
            ran.append(("clear", threading.current_thread() is threading.main_thread()))
            self.state["items"] = []

        def on_filter(self, text: str) -> None:
            self.state["filter"] = text

    managers = []
    for _ in range(2):
        manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
        manager.use_broker(RedisBroker(redis_server.url))
        managers.append(manager)
    key = "board:*:" + "cd" * 16
    version = store.save_versioned(key, {"filter": "", "items": []}, 0)
    pages: list[FakeConnection] = []
    for n in range(6):
        cid = f"board-{n}"
        ref = canonical_dumps({"component": "board", "id": cid, "key": key, "version": version})
        pages.append(await _subscribed(managers[n % 2], signer, cid, ref))
    for manager in managers:
        await manager.flush()  # subscribed to the broker

    await managers[0].push_event("board", "refresh", {"item": "milk"})
    await _until_each_has(pages, 1)
    assert ran == [("milk", False), ("milk", False)]  # once in each process, in a worker thread
    updates = [page.sent[-1]["update"] for page in pages]
    for n, update in enumerate(updates):
        assert update["html"] == "<ul><li>milk</li></ul>"
        ref = json.loads(update["state"])
        assert ref["id"] == f"board-{n}" and "milk" not in update["state"]  # a reference only
        assert store.load(ref["key"]) == {"filter": "", "items": ["milk"]}
        signer.verify("board", f"board-{n}", update["state"], update["checksum"])

    # A page that applied the update sends its own event on it: the written state is usable.
    update = updates[0]
    event = {
        "type": "component_event",
        "component": "board",
        "component_id": "board-0",
        "event": "filter",
        "payload": {"text": "tea"},
        "state": update["state"],
        "checksum": update["checksum"],
    }
    await managers[0].handle_message(pages[0], "conn-board-0", event)
    reply = pages[0].sent[-1]
    assert reply["type"] == "component_update" and reply["html"] == "<ul></ul>"

    # The next push runs from what each page holds now: three distinct states, two processes.
    ran.clear()
    for page in pages:
        page.sent.clear()
    await managers[1].push_event("board", "refresh", {"item": "tea"})
    await _until_each_has(pages, 1)
    # Each process wrote its own key for the first push, and page 0 moved on by itself.
    assert sorted(item for item, _ in ran) == ["tea", "tea", "tea"]
    assert pages[0].sent[-1]["base"] == reply["checksum"]
    assert pages[0].sent[-1]["update"]["html"] == "<ul><li>tea</li></ul>"
    both = "<ul><li>milk</li><li>tea</li></ul>"
    assert all(page.sent[-1]["update"]["html"] == both for page in pages[1:])

    ran.clear()
    for page in pages:
        page.sent.clear()
    await managers[0].push_event("board", "clear", {})
    await _until_each_has(pages, 1)
    assert ran == [("clear", True)] * 3  # on the loop, once per distinct state again
    assert all(page.sent[-1]["update"]["html"] == "<ul></ul>" for page in pages)
    for manager in managers:
        await manager.close()
