"""Server push under hostile or faulty clients (issue 11: items 2, 4, 6 and token lifetime)."""

from __future__ import annotations

import asyncio
import threading
import tracemalloc
from typing import Any

import pytest

from component_framework.core import (
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
    WebSocketConnection,
)
from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer


class Page(WebSocketConnection):
    """A page's socket; ``stuck`` ones never finish a send (a client that stopped reading)."""

    def __init__(self, *, stuck: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.stuck = stuck
        self.closed = False

    async def send(self, data: dict[str, Any]) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.sent.append(data)

    async def receive(self) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        if self.stuck:
            await asyncio.Event().wait()  # closing waits on a buffer that never drains
        self.closed = True


class Counting(Renderer):
    def __init__(self, with_id: bool = False) -> None:
        self.renders: list[threading.Thread] = []
        self.with_id = with_id

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        self.renders.append(threading.current_thread())
        suffix = f" id={context['component_id']}" if self.with_id else ""
        return f"<p>{context['state'].get('text', '')}{suffix}</p>"


@pytest.fixture
def board(fresh_registry: ComponentRegistry) -> ComponentRegistry:
    @fresh_registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Counting()

        async def on_post(self, text: str) -> None:
            await manager_of(self).push_state("board", {"text": text})

    return fresh_registry


_managers: dict[str, ComponentWebSocketManager] = {}


def manager_of(component: Component) -> ComponentWebSocketManager:
    return _managers["current"]


async def subscribed(
    manager: ComponentWebSocketManager, signer: Signer, cid: str, connection: Page
) -> Page:
    await manager.connect(connection, f"conn-{cid}")
    token = signer.subscription_token("board", cid)
    message = {"type": "subscribe", "component_id": cid, "token": token}
    await manager.handle_message(connection, f"conn-{cid}", message)
    return connection


# ---------- Item 2: one subscriber that stops reading ----------


async def test_a_page_that_stops_reading_delays_no_one_and_is_dropped(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer, max_queued=8)
    stuck = await subscribed(manager, signer, "b-0", Page())
    stuck.stuck = True  # from now on it never reads
    normal = await subscribed(manager, signer, "b-1", Page())
    normal.sent.clear()
    big = "x" * 400_000
    tracemalloc.start()
    try:
        for n in range(20):  # twenty 400 KB pushes, each returning at once
            await manager.push_event("board", "refresh", {"text": big, "n": n})
        await manager.flush()
        for message in normal.sent:
            message.get("payload", {}).pop("text", None)  # what the normal page keeps
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The page listed alongside the stuck one got every push, in order.
    assert [m["payload"]["n"] for m in normal.sent] == list(range(20))
    # The stuck page was dropped once its queue was full: it holds nothing any more.
    assert manager.component_subscribers == {"b-1": {"conn-b-1"}}
    assert "conn-b-0" not in manager.connections
    # Memory held afterwards is bounded: the review measured 40 MB held for this.
    assert held < 2 * 1024 * 1024


async def test_a_send_that_never_finishes_is_timed_out(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer, send_timeout=0.05)
    stuck = await subscribed(manager, signer, "b-0", Page())
    stuck.stuck = True
    await manager.push_event("board", "refresh", {"n": 1})
    await manager.flush()  # waits for the send, which times out
    assert manager.component_subscribers == {}


async def test_a_handler_that_pushes_never_waits_on_delivery(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    _managers["current"] = manager
    stuck = await subscribed(manager, signer, "b-0", Page())
    stuck.stuck = True
    message = signed_message(
        "board", "post", {"text": "hi"}, {"text": ""}, component_id="b-0", signer=signer
    )
    reply = await asyncio.wait_for(handle_message(message, registry=board, signer=signer), 30)
    assert reply["type"] == "component_update"


# ---------- Item 4: ids the client chose ----------


async def test_a_client_chosen_id_never_becomes_subscribable(
    board: ComponentRegistry, signer: Signer
) -> None:
    mount = signed_message("board", component_id="victim-1")
    mount["state"] = mount["checksum"] = None
    first = await handle_message(mount, registry=board, signer=signer)
    assert first["subscribe_token"] is None
    # Sending the state signed for that id straight back still gets no token.
    again = {**mount, "state": first["state"], "checksum": first["checksum"]}
    second = await handle_message(again, registry=board, signer=signer)
    assert second["type"] == "component_update"
    assert second["subscribe_token"] is None


async def test_an_id_cannot_be_relabelled_to_steal_its_pushes(
    board: ComponentRegistry, signer: Signer, fresh_registry: ComponentRegistry
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    victim = await subscribed(manager, signer, "b-1", Page())
    # The attacker's token for another component under the victim's id is refused...
    attacker = Page()
    await manager.connect(attacker, "conn-attacker")
    await manager.handle_message(
        attacker,
        "conn-attacker",
        {"type": "subscribe", "component_id": "b-1", "token": "other:1:" + "0" * 64},
    )
    assert attacker.sent[-1]["code"] == "tampered_state"
    # ...and the victim still gets its pushes.
    await manager.push_update("b-1", "<p>x</p>", {"text": "x"})
    await manager.flush()
    assert victim.sent[-1]["html"] == "<p>x</p>"
    assert attacker.sent[-1]["type"] == "error"


def test_server_issued_ids_carry_128_random_bits() -> None:
    ids = {Component().id for _ in range(1000)}
    assert len(ids) == 1000
    for cid in ids:
        digits = cid.removeprefix("component-")
        assert len(digits) == 32 and int(digits, 16) >= 0


# ---------- Item 6: subscriptions multiply the cost of every push ----------


async def test_subscriptions_per_connection_are_limited(
    board: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=board, signer=signer, max_subscriptions=3)
    page = Page()
    await manager.connect(page, "conn-1")
    for n in range(4):
        token = signer.subscription_token("board", f"b-{n}")
        message = {"type": "subscribe", "component_id": f"b-{n}", "token": token}
        await manager.handle_message(page, "conn-1", message)
    assert [m["type"] for m in page.sent] == ["subscribed"] * 3 + ["error"]
    assert page.sent[-1]["code"] == "too_many_subscriptions"
    assert "already holds 3 subscriptions" in page.sent[-1]["error"]
    assert len({sub.component_id for sub in manager.subscriptions("board")}) == 3


@pytest.mark.parametrize("with_id", [False, True])
async def test_a_pushed_state_renders_once_per_component_off_the_loop(
    board: ComponentRegistry, signer: Signer, with_id: bool
) -> None:
    renderer = Counting(with_id=with_id)
    board.resolve("board").renderer = renderer
    manager = ComponentWebSocketManager(registry=board, signer=signer)
    pages = [await subscribed(manager, signer, f"b-{n}", Page()) for n in range(50)]
    await manager.push_state("board", {"text": "hello"})
    await manager.flush()
    for n, page in enumerate(pages):
        update = page.sent[-1]
        assert update["html"] == (f"<p>hello id=b-{n}</p>" if with_id else "<p>hello</p>")
        signer.verify("board", f"b-{n}", update["state"], update["checksum"])
    # Once (plus the probe) when the HTML does not depend on the id, else once per id; in
    # either case in one worker thread, never on the event loop's.
    assert len(renderer.renders) == (51 if with_id else 1)
    assert len(set(renderer.renders)) == 1
    assert renderer.renders[0] is not threading.current_thread()
