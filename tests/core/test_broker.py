"""Pushes through brokers: in-memory, and Redis across managers (one per process in production)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core.broker import InMemoryBroker, broker_from_url
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.redis_broker import RedisBroker
from component_framework.core.signing import Signer
from tests._redis import RedisServer

from ._support import FakeConnection, Plain


@pytest.fixture
def board(fresh_registry: ComponentRegistry) -> ComponentRegistry:
    @fresh_registry.register("board")
    class Board(Component):
        template_name = "counter.html"
        renderer = Plain()
        resync_event = "refresh"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_refresh(self, count: int = 0) -> None:
            self.state["count"] = count

    return fresh_registry


async def page(
    manager: ComponentWebSocketManager, signer: Signer, cid: str, name: str = "board"
) -> FakeConnection:
    """A connected page subscribed to *cid* with the token a render gave it."""
    connection = FakeConnection()
    await manager.connect(connection, f"conn-{cid}")
    token = signer.subscription_token(name, cid)
    subscribe = {"type": "subscribe", "component_id": cid, "token": token}
    await manager.handle_message(connection, f"conn-{cid}", subscribe)
    assert connection.sent.pop()["type"] == "subscribed"
    return connection


def events(connection: FakeConnection) -> list[Any]:
    return [(m["type"], m.get("event"), m.get("payload")) for m in connection.sent]


# ---------- In memory ----------


async def test_push_event_reaches_every_page_of_the_component_and_returns_at_once(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    one, two = await page(manager, signer, "b-1"), await page(manager, signer, "b-2")
    other = await page(manager, signer, "c-1", name="counter")
    await manager.push_event("board", "refresh", {"count": 3})
    assert one.sent == two.sent == []  # the push did not wait on delivery
    await manager.flush()
    expected = {"type": "push_event", "event": "refresh", "payload": {"count": 3}}
    assert one.sent == [{**expected, "component_id": "b-1"}]
    assert two.sent == [{**expected, "component_id": "b-2"}]
    assert other.sent == []


async def test_pushes_reach_a_page_in_the_order_they_were_made(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    connection = await page(manager, signer, "b-1")
    for n in range(50):
        if n % 10 == 5:
            await manager.push_state("board", {"count": n})
        else:
            await manager.push_event("board", "refresh", {"count": n})
    await manager.flush()
    seen = [
        m["payload"]["count"] if "payload" in m else int(m["html"][3:-4]) for m in connection.sent
    ]
    assert seen == list(range(50))


def test_push_event_nowait_works_from_a_worker_thread(
    board: ComponentRegistry, signer: Signer
) -> None:
    async def main() -> FakeConnection:
        manager = ComponentWebSocketManager(registry=board, signer=signer)
        connection = await page(manager, signer, "b-1")
        await asyncio.to_thread(manager.push_event_nowait, "board", "refresh", {"count": 1})
        await manager.flush()
        return connection

    assert events(asyncio.run(main())) == [("push_event", "refresh", {"count": 1})]


async def test_bad_pushes_are_refused_with_a_clear_error(board: ComponentRegistry) -> None:
    manager = ComponentWebSocketManager(registry=board)
    with pytest.raises(ValueError, match="'_private' is not a handler name"):
        await manager.push_event("board", "_private")
    with pytest.raises(ValueError, match="The pushed payload must hold only JSON values"):
        await manager.push_event("board", "refresh", {"when": object()})


def test_broker_from_url() -> None:
    assert isinstance(broker_from_url(""), InMemoryBroker)
    assert isinstance(broker_from_url("redis://127.0.0.1:1/0"), RedisBroker)
    with pytest.raises(ConfigurationError, match="names no known broker: use redis://"):
        broker_from_url("amqp://localhost")


def test_a_missing_redis_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'cf-components\[redis\]'"):
        RedisBroker("redis://127.0.0.1:1/0")


# ---------- Redis: several managers (processes) share one Redis ----------


async def test_a_push_on_any_process_reaches_pages_on_every_process(
    board: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> None:
    a, b, c = (
        ComponentWebSocketManager(registry=board, signer=signer, broker=redis_server.url)
        for _ in range(3)
    )
    on_a, on_b = await page(a, signer, "b-1"), await page(b, signer, "b-2")
    await c.push_event("board", "refresh", {"count": 7})  # c: a process with no pages
    # Pushes do not wait on publishing, and order is kept per publisher: let c's push reach
    # Redis before a publishes, so both pages must see c's first.
    await c.flush()
    await a.push_state("board", {"count": 8})
    await c.close()
    await a.flush()
    await b.flush()
    for connection, cid in ((on_a, "b-1"), (on_b, "b-2")):
        assert connection.sent[0] == {
            "type": "push_event",
            "component_id": cid,
            "event": "refresh",
            "payload": {"count": 7},
        }
        assert connection.sent[1]["html"] == "<p>8</p>"
        signer.verify("board", cid, connection.sent[1]["state"], connection.sent[1]["checksum"])
    await a.close()
    await b.close()


async def test_subscription_tokens_are_checked_where_the_page_is_connected(
    board: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> None:
    a = ComponentWebSocketManager(registry=board, signer=signer, broker=redis_server.url)
    b = ComponentWebSocketManager(registry=board, signer=signer, broker=redis_server.url)
    stranger = FakeConnection()
    await b.connect(stranger, "conn-x")
    forged = Signer(["another-key-0123456789abcdef"]).subscription_token("board", "b-1")
    await b.handle_message(
        stranger, "conn-x", {"type": "subscribe", "component_id": "b-1", "token": forged}
    )
    assert stranger.sent.pop()["code"] == "tampered_state"
    await a.push_event("board", "refresh", {"count": 1})
    await a.close()
    await b.flush()
    assert stranger.sent == []
    await b.close()


async def test_a_broker_outage_is_logged_once_and_pages_resync_when_it_is_back(
    board: ComponentRegistry,
    signer: Signer,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer, broker=redis_server.url)
    connection = await page(manager, signer, "b-1")
    await manager.push_event("board", "refresh", {"count": 1})
    await manager.flush()
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        for n in range(5):  # made during the outage: kept, not lost, and nothing crashes
            await manager.push_event("board", "refresh", {"count": 10 + n})
            await asyncio.sleep(0.1)
        redis_server.start()
        await manager.flush()  # returns once the broker delivers again
    outages = [r for r in caplog.records if "Push broker unavailable" in r.getMessage()]
    assert len(outages) == 1
    seen = events(connection)
    assert seen[0] == ("push_event", "refresh", {"count": 1})
    # Back in step: told to re-sync with the component's resync event, and pushes resume.
    assert ("resync", "refresh", None) in seen
    await manager.push_event("board", "refresh", {"count": 99})
    await manager.flush()
    assert events(connection)[-1] == ("push_event", "refresh", {"count": 99})
    await manager.close()


async def test_after_an_outage_pages_are_told_to_spread_their_resync(
    board: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> None:
    config = AppConfig(registry=board, signer=signer, resync_spread=1.5)
    manager = ComponentWebSocketManager(config=config, broker=redis_server.url)
    pages = [await page(manager, signer, f"b-{n}") for n in range(400)]
    redis_server.restart()
    await manager.push_event("board", "refresh", {"count": 1})  # published once it is back
    await manager.flush()
    resyncs = [m for p in pages for m in p.sent if m["type"] == "resync"]
    # 400 pages: two seconds at about 200 a second, capped by resync_spread.
    assert len(resyncs) == 400 and {m["jitter"] for m in resyncs} == {1500}
    lone = ComponentWebSocketManager(config=config, broker=redis_server.url)
    one = await page(lone, signer, "b-lone")
    redis_server.restart()
    await lone.push_event("board", "refresh", {"count": 1})
    await lone.flush()
    assert [m["jitter"] for m in one.sent if m["type"] == "resync"] == [5]
    await manager.close()
    await lone.close()


SYNC_PUSH = """
from component_framework.core import ComponentWebSocketManager

manager = ComponentWebSocketManager()  # CF_BROKER_URL: the app's Redis; no event loop here
manager.push_event_nowait("board", "refresh", {"count": 7})
"""  # then the process exits: the push must have been published


async def test_a_sync_push_from_a_process_without_a_loop_is_published_before_it_exits(
    board: ComponentRegistry, signer: Signer, redis_server: RedisServer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    manager.use_broker(RedisBroker(redis_server.url))
    connection = await page(manager, signer, "b-1")
    await manager.flush()  # subscribed to the broker
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SYNC_PUSH, env={**os.environ, "CF_BROKER_URL": redis_server.url}
    )
    assert await process.wait() == 0

    async def delivered() -> None:
        while not connection.sent:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(delivered(), 30)  # a generous bound, not a timing
    assert events(connection) == [("push_event", "refresh", {"count": 7})]
    await manager.close()
