"""Presence in one process (the in-memory registry): joins, leaves, metas, a flood, bad input."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core._json import canonical_dumps
from component_framework.core.presence import Presence, Track, apply_diff
from component_framework.core.protocol import signed_message
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer

from ._support import FakeConnection


class Online(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        online = context["state"].get("online", {})
        return ", ".join(
            f"{key}{'*' if any(m.get('typing') for m in metas) else ''}"
            for key, metas in sorted(online.items())
        )


@pytest.fixture
def manager(fresh_registry: ComponentRegistry, signer: Signer) -> ComponentWebSocketManager:
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)

    @fresh_registry.register("room")
    class Room(Component):
        template_name = "room.html"
        renderer = Online()
        live = True

        def track_presence(self) -> Track | None:
            if self.state.get("topic") == "bad":
                return Track("", "x")
            return Track(f"room:{self.state['room']}", self.state["user"], {"typing": False})

        def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
            self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

        def on_typing(self, on: bool = True) -> None:
            manager.presence.update(self, typing=on)

    return manager


def _state(room: str, user: str, **extra: Any) -> str:
    return canonical_dumps({"room": room, "user": user, "online": {}, **extra})


async def _join(
    manager: ComponentWebSocketManager, signer: Signer, n: int, room: str, user: str, **extra: Any
) -> FakeConnection:
    page = FakeConnection()
    cid = f"room-{n}"
    await manager.connect(page, f"conn-{n}")
    state = _state(room, user, **extra)
    message = {
        "type": "subscribe",
        "component_id": cid,
        "token": signer.subscription_token("room", cid),
        "state": state,
        "checksum": signer.sign("room", cid, state),
        "topic": "room:elsewhere",  # what a client says about its topic is ignored
    }
    await manager.handle_message(page, f"conn-{n}", message)
    return page


def _held(page: FakeConnection) -> dict[str, Any]:
    """The state the page holds after the pushes it got (each applied in turn)."""
    updates = [m["update"] for m in page.sent if m.get("type") == "push_event" and "update" in m]
    assert updates, page.sent
    state: dict[str, Any] = json.loads(updates[-1]["state"])
    return state


def _online(page: FakeConnection) -> dict[str, list[bool]]:
    online = _held(page)["online"]
    return {key: [m["typing"] for m in metas] for key, metas in online.items()}


async def test_pages_on_a_topic_see_each_other_join_and_leave(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    ann = await _join(manager, signer, 1, "a", "ann")
    await manager.flush()
    assert _online(ann) == {"ann": [False]}
    bob = await _join(manager, signer, 2, "a", "bob")
    other = await _join(manager, signer, 3, "b", "cid")
    await manager.flush()
    assert _online(ann) == {"ann": [False], "bob": [False]}
    assert _online(bob) == {"ann": [False], "bob": [False]}  # its first sync: everyone
    assert _online(other) == {"cid": [False]}  # another room: nothing from room a
    assert manager.presence.list("room:a").keys() == {"ann", "bob"}
    assert manager.presence.topics() == {"room:a": 2, "room:b": 1}

    await manager.disconnect("conn-2")  # bob closes his page
    await manager.flush()
    assert _online(ann) == {"ann": [False]}
    diff = [m for m in ann.sent if m.get("type") == "push_event"][-1]
    assert diff["event"] == "presence" and diff["payload"]["joins"] == {}
    assert list(diff["payload"]["leaves"]) == ["bob"]
    assert manager.presence.list("room:a").keys() == {"ann"}


async def test_one_key_on_two_pages_is_one_presence_with_two_metas(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    ann = await _join(manager, signer, 1, "a", "ann")
    await _join(manager, signer, 2, "a", "bob")
    await _join(manager, signer, 3, "a", "bob")  # bob's second tab
    await manager.flush()
    assert _online(ann) == {"ann": [False], "bob": [False, False]}
    await manager.handle_message(
        FakeConnection(), "conn-3", {"type": "unsubscribe", "component_id": "room-3"}
    )
    await manager.flush()
    assert _online(ann) == {"ann": [False], "bob": [False]}  # bob is still there once


async def test_a_meta_update_from_a_handler_reaches_the_topic(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    ann = await _join(manager, signer, 1, "a", "ann")
    bob = await _join(manager, signer, 2, "a", "bob")
    await manager.flush()
    typing = signed_message(
        "room",
        "typing",
        {"on": True},
        _held(bob),
        component_id="room-2",
        signer=signer,
        registry=manager.config.registry,
    )
    await manager.handle_message(bob, "conn-2", typing)  # a sync handler: a worker thread
    await manager.flush()
    assert _online(ann) == {"ann": [False], "bob": [True]}
    assert ann.sent[-1]["payload"]["leaves"]["bob"][0]["typing"] is False  # the old meta
    assert manager.presence.list("room:a")["bob"][0]["typing"] is True


async def test_a_flood_of_meta_updates_is_coalesced_and_others_are_unaffected(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    manager.presence = Presence(updates_per_second=2)
    published: list[str] = []
    publish = manager._publish
    manager._publish = lambda kind, **f: (published.append(kind), publish(kind, **f))  # type: ignore[method-assign]

    @fresh_registry.register("room")
    class Room(Component):
        template_name = "room.html"
        renderer = Online()
        live = True

        def track_presence(self) -> Track:
            return Track("room:a", self.state["user"], {"typing": False})

        def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
            self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

    ann = await _join(manager, signer, 1, "a", "ann")
    await _join(manager, signer, 2, "a", "bob")
    await manager.flush()
    published.clear()
    flooder, calm = Room(component_id="room-2"), Room(component_id="room-1")
    manager.presence.update(flooder, typing=True)  # the first goes out at once
    for n in range(5000):
        manager.presence.update(flooder, typing=n % 2 == 0, n=n)
    manager.presence.update(calm, typing=True)  # another page: not held back by the flood
    await manager.flush()
    assert len(published) == 2  # bob's first update and ann's; bob's flood waits
    assert _online(ann) == {"ann": [True], "bob": [True]}
    pending = manager.presence._entries[("conn-2", "room-2")].flush
    assert pending is not None
    await _wait_for(lambda: manager.presence._entries[("conn-2", "room-2")].flush is None)
    await manager.flush()
    assert len(published) == 3  # the whole flood: one more diff, with the latest meta
    [bob_meta] = manager.presence.list("room:a")["bob"]
    assert (bob_meta["n"], bob_meta["typing"]) == (4999, False)
    assert _online(ann) == {"ann": [True], "bob": [False]}


async def _wait_for(condition: Any) -> None:
    import asyncio

    async def until() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(until(), 10)  # a generous bound, not a timing


async def test_meta_that_is_not_json_or_too_large_is_refused_clearly(
    manager: ComponentWebSocketManager,
) -> None:
    room = manager.config.registry.resolve("room")(component_id="room-1")
    with pytest.raises(ValueError, match="only JSON values"):
        manager.presence.update(room, when=object())
    with pytest.raises(ValueError, match="larger than max_meta_bytes"):
        manager.presence.update(room, note="x" * 5000)


async def test_a_bad_track_leaves_the_page_subscribed_on_no_topic(
    manager: ComponentWebSocketManager, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="component_framework"):
        page = await _join(manager, signer, 1, "a", "ann", topic="bad")
    assert page.sent[-1]["type"] == "subscribed"
    assert "track_presence" in caplog.text and "non-empty string" in caplog.text
    assert manager.presence.topics() == {}


async def test_a_page_the_server_did_not_sign_joins_nothing(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    page = FakeConnection()
    await manager.connect(page, "conn-1")
    state = _state("a", "mallory")
    message = {
        "type": "subscribe",
        "component_id": "room-1",
        "token": signer.subscription_token("room", "room-1"),
        "state": state,
        "checksum": "forged",
    }
    await manager.handle_message(page, "conn-1", message)
    assert page.sent[-1]["type"] == "subscribed"
    assert manager.presence.list("room:a") == {}


def test_apply_diff_is_idempotent_and_a_reset_replaces() -> None:
    ann = {"ann": [{"ref": "w.1", "typing": False}]}
    bob = {"bob": [{"ref": "w.2", "typing": False}]}
    both = apply_diff(ann, bob, {})
    assert apply_diff(both, bob, {}) == both == {**ann, **bob}
    typing = {"bob": [{"ref": "w.2", "typing": True}]}
    assert apply_diff(both, typing, bob) == {**ann, **typing}
    assert apply_diff(both, {}, bob) == ann == apply_diff(ann, {}, bob)
    assert apply_diff(both, ann, {}, reset=True) == ann


async def test_a_component_with_server_held_state_joins_from_its_stored_state(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    from component_framework.core import InMemoryStateStore
    from component_framework.core import _held_state as held_state

    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)

    @fresh_registry.register("held_room")
    class HeldRoom(Component):
        template_name = "room.html"
        renderer = Online()
        live = True
        state_store = InMemoryStateStore()

        def track_presence(self) -> Track:
            return Track(f"room:{self.state['room']}", self.state["user"], {"typing": False})

        def on_presence(self, joins: dict, leaves: dict, reset: bool = False) -> None:
            self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

    page = FakeConnection()
    await manager.connect(page, "conn-1")
    held = {"room": "a", "user": "ann", "online": {}}
    ref = held_state.reference_for(manager.config, "held_room", "held-1", held)
    assert ref is not None
    state = canonical_dumps(ref)
    message = {
        "type": "subscribe",
        "component_id": "held-1",
        "token": signer.subscription_token("held_room", "held-1"),
        "state": state,
        "checksum": signer.sign("held_room", "held-1", state),
    }
    await manager.handle_message(page, "conn-1", message)
    await manager.flush()
    assert manager.presence.list("room:a").keys() == {"ann"}
    assert page.sent[-1]["update"]["html"] == "ann"
