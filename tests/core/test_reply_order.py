"""A reply goes after the pushes its message made are with the broker.

With two workers, a page's next event may reach the other worker: had this one replied before
publishing, the other's pushes could reach the broker first and every page would see a
person's second message before the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from component_framework.core import Component, ComponentRegistry
from component_framework.core.broker import BrokerUnavailable, InMemoryBroker
from component_framework.core.config import AppConfig
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_batch, handle_message, signed_message
from component_framework.core.websocket import ComponentWebSocketManager

from ._support import FakeConnection


class SlowBroker(InMemoryBroker):
    """Takes a while to accept each push (a network round trip), and notes what it has."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[str] = []
        self.down = False

    async def publish(self, message: str) -> None:
        if self.down:
            raise BrokerUnavailable("down for the test")
        for _ in range(5):
            await asyncio.sleep(0)  # the reply would be out by now if it did not wait
        self.published.append(message)
        await super().publish(message)


@pytest.fixture
def broker() -> SlowBroker:
    return SlowBroker()


@pytest.fixture
def config(
    fresh_registry: ComponentRegistry,
    templates: Callable[..., JinjaRenderer],
    broker: SlowBroker,
) -> AppConfig:
    templates(**{"poster.html": "<p>{{ state.sent }}</p>"})
    manager = ComponentWebSocketManager(registry=fresh_registry, broker=broker)

    @fresh_registry.register("poster")
    class Poster(Component):
        template_name = "poster.html"

        async def on_send(self, text: str) -> None:
            await manager.push_event("board", "added", {"text": text})
            self.state["sent"] = text

        def on_send_sync(self, text: str) -> None:
            manager.push_event_nowait("board", "added", {"text": text})
            self.state["sent"] = text

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "poster.html"

        def on_added(self, text: str) -> None:
            self.state["sent"] = text

    return AppConfig(registry=fresh_registry, ws_manager=manager)


def send(config: AppConfig, event: str) -> dict[str, object]:
    return signed_message("poster", event, {"text": "first"}, {"sent": ""}, config=config)


@pytest.mark.parametrize("event", ["send", "send_sync"])
async def test_the_reply_waits_until_the_broker_has_the_push(
    config: AppConfig, broker: SlowBroker, event: str
) -> None:
    assert config.ws_manager is not None
    await config.ws_manager.connect(FakeConnection(), "a-page")  # the app's loop delivers
    reply = await handle_message(send(config, event), config=config)
    assert reply["type"] == "component_update", reply
    assert len(broker.published) == 1 and "first" in broker.published[0]


async def test_a_batch_reply_waits_too(config: AppConfig, broker: SlowBroker) -> None:
    batch = {"type": "component_batch", "messages": [send(config, "send")]}
    reply = await handle_batch(batch, config=config)
    assert reply["type"] == "batch_reply", reply
    assert len(broker.published) == 1


async def test_a_broker_down_does_not_hold_the_reply(config: AppConfig, broker: SlowBroker) -> None:
    broker.down = True
    reply = await handle_message(send(config, "send"), config=config)
    assert reply["type"] == "component_update", reply  # not held: the push waits for the broker
    reply = await handle_message(send(config, "send"), config=config)
    assert reply["type"] == "component_update", reply
    assert broker.published == []
