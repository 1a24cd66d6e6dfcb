"""Pushes kept while the broker is down are bounded in bytes, not only in count.

While Redis was unreachable the manager kept up to 10,000 pushes whatever their size: with
pushes carrying client-sized payloads (a chat message, a pasted document) 300 of them held
270 MB, about 9 GB at the cap. Now the backlog is bounded in bytes too
(``AppConfig(push_backlog_bytes=...)``, 16 MiB by default): beyond it the oldest pushes are
dropped, and once the broker is back every page is told to re-sync, as after any lost push.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core.config import AppConfig
from component_framework.core.signing import Signer
from tests._redis import RedisServer
from tests.core._support import FakeConnection, Plain

PAYLOAD = "x" * 10_000  # one pasted message: about 10 KB per push


def _board(registry: ComponentRegistry) -> None:
    @registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Plain()
        resync_event = "refresh"

        def on_refresh(self, n: int = 0, text: str = "") -> None:
            self.state["count"] = n


async def _page(manager: ComponentWebSocketManager, signer: Signer) -> FakeConnection:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    token = signer.subscription_token("board", "b-1")
    await manager.handle_message(
        connection, "conn-1", {"type": "subscribe", "component_id": "b-1", "token": token}
    )
    connection.sent.clear()
    return connection


def _received(connection: FakeConnection) -> list[Any]:
    return [m["payload"]["n"] if m["type"] == "push_event" else m["type"] for m in connection.sent]


async def test_pushes_made_during_an_outage_are_kept_up_to_a_byte_bound(
    fresh_registry: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> None:
    _board(fresh_registry)
    config = AppConfig(registry=fresh_registry, signer=signer, push_backlog_bytes=100_000)
    manager = ComponentWebSocketManager(config=config, broker=redis_server.url)
    connection = await _page(manager, signer)
    redis_server.stop()
    for n in range(50):  # about 500 KB of pushes: five times the bound
        await manager.push_event("board", "refresh", {"n": n, "text": PAYLOAD})
        await asyncio.sleep(0)
    redis_server.start()  # a fresh server: its command counts start at zero
    await manager.flush()
    client = redis.asyncio.Redis.from_url(redis_server.url)
    published = (await client.info("commandstats"))["cmdstat_publish"]["calls"]
    await client.aclose()
    # At most ten of the 10 KB pushes fit: the oldest were dropped. Besides them the publisher
    # sent a resync for what was dropped and the flush's barriers (one, or two after an outage).
    assert published <= 10 + 3
    assert "resync" in _received(connection)  # the page is told to bring itself back in step
    await manager.close()


def test_the_backlog_bound_is_16_mib_unless_configured() -> None:
    assert AppConfig().push_backlog_bytes == 16 * 1024 * 1024
