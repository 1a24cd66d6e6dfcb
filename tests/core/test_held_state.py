"""Server-held state through the one message path: references, races, expiry, opt-in."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, InMemoryStateStore
from component_framework.core import _held_state as held_state
from component_framework.core import state as state_module
from component_framework.core.exceptions import StaleStateError, StateConflictError
from component_framework.core.protocol import (
    dispatch_message,
    dispatch_message_sync,
    handle_message,
    http_status,
    render_component,
    signed_message,
    stream_frames,
)
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import StateStore
from component_framework.core.streaming import StreamingComponent
from tests._resources import Closing

from ._held import counter_registry, event, key
from ._support import FakeConnection, Plain


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_page_holds_only_a_signed_reference(signer: Signer) -> None:
    store = InMemoryStateStore()
    registry = counter_registry(store)
    start = 9876543210  # a value no random component id contains
    first = render_component("counter", params={"start": start}, registry=registry, signer=signer)
    cid = first["component_id"]
    ref = json.loads(first["state"])
    assert ref == {"component": "counter", "id": cid, "key": ref["key"], "version": 1}
    assert re.fullmatch(rf"counter:{cid}:[0-9a-f]{{32}}", ref["key"])
    assert str(start) not in first["state"]
    assert store.load(ref["key"]) == {"count": start}
    # The checksum signs the reference like any state: the page cannot change it.
    signer.verify("counter", cid, first["state"], first["checksum"])
    reply = dispatch_message_sync(event(first, amount=2), registry=registry, signer=signer)
    assert reply["html"] == f"<p>{start + 2}</p>"
    assert json.loads(reply["state"]) == {**ref, "version": 2}  # the same key: the same state
    assert store.load(ref["key"]) == {"count": start + 2}


def test_forged_reference_is_refused(signer: Signer) -> None:
    registry = counter_registry(InMemoryStateStore())
    first = render_component("counter", registry=registry, signer=signer)
    forged = event(first)
    forged["state"] = forged["state"].replace('"version":1', '"version":9')
    reply = asyncio.run(handle_message(forged, registry=registry, signer=signer))
    assert reply["code"] == "tampered_state"


def test_expired_state_gets_the_stale_release_reply(signer: Signer) -> None:
    clock = Clock()
    store = InMemoryStateStore(ttl=600, clock=clock)
    registry = counter_registry(store)
    first = render_component("counter", registry=registry, signer=signer)
    clock.now += 599
    second = dispatch_message_sync(event(first), registry=registry, signer=signer)
    clock.now += 599  # idle time counts from the last event
    dispatch_message_sync(event(second), registry=registry, signer=signer)
    clock.now += 601
    reply = asyncio.run(handle_message(event(second), registry=registry, signer=signer))
    stale = StaleStateError("x")
    assert reply["code"] == stale.code == "stale_state"
    assert http_status(reply) == 409
    assert "Reload the page" in reply["error"]


def test_page_state_from_before_the_opt_in_is_stale(signer: Signer) -> None:
    registry = counter_registry(InMemoryStateStore())
    message = signed_message(
        "counter", "increment", state={"count": 1}, component_id="c-1", signer=signer
    )
    # signed_message stored the state and signed a reference; a page's old signed state is not.
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    message.update(state=state_json, checksum=checksum)
    with pytest.raises(StaleStateError, match="before this component kept its state"):
        dispatch_message_sync(message, registry=registry, signer=signer)


def test_a_client_cannot_mount_over_another_pages_state(signer: Signer) -> None:
    store = InMemoryStateStore()
    registry = counter_registry(store)
    victim = render_component("counter", params={"start": 7}, registry=registry, signer=signer)
    mount = {"component": "counter", "component_id": victim["component_id"], "event": None}
    reply = asyncio.run(handle_message(mount, registry=registry, signer=signer))
    # A mount under the victim's id gets a state of its own; the victim's is untouched.
    assert reply["type"] == "component_update" and key(reply) != key(victim)
    assert store.load(key(victim)) == {"count": 7}
    after = dispatch_message_sync(event(victim), registry=registry, signer=signer)
    assert after["html"] == "<p>8</p>"
    # A fresh id of the client's choosing mounts normally (and gets no subscription token).
    fresh = asyncio.run(handle_message({**mount, "component_id": "mine"}, registry=registry))
    assert fresh["type"] == "component_update" and fresh["subscribe_token"] is None
    assert store.load(key(fresh)) == {"count": 0}


def _gated_registry(store: StateStore, calls: list[int]) -> ComponentRegistry:
    """``counter`` whose first two ``add`` events both read before either writes."""
    gate = threading.Barrier(2, timeout=30)

    def on_add(self: Component, n: int) -> None:
        calls.append(n)
        if len(calls) <= 2:
            gate.wait()
        self.state["count"] += n

    return counter_registry(store, on_add=on_add)


def _race(registry: ComponentRegistry, first: dict[str, Any], signer: Signer) -> list[Any]:
    replies: list[Any] = [None, None]

    def fire(index: int, n: int) -> None:
        replies[index] = asyncio.run(
            handle_message(event(first, "add", n=n), registry=registry, signer=signer)
        )

    threads = [threading.Thread(target=fire, args=(i, n)) for i, n in ((0, 1), (1, 10))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return replies


def test_racing_events_retry_the_loser_on_the_newer_state(
    signer: Signer, tmp_path: Path, closing: Closing
) -> None:
    calls: list[int] = []
    store = closing(SQLiteStateStore(tmp_path / "s.db"))
    registry = _gated_registry(store, calls)
    first = render_component("counter", registry=registry, signer=signer)
    replies = _race(registry, first, signer)
    assert [r["type"] for r in replies] == ["component_update", "component_update"]
    assert sorted(calls[:2]) == [1, 10] and len(calls) == 3  # the loser ran again
    assert store.load(key(first)) == {"count": 11}
    winner, loser = sorted((r for r in replies), key=lambda r: json.loads(r["state"])["version"])
    assert winner["html"] in ("<p>1</p>", "<p>10</p>")
    assert loser["html"] == "<p>11</p>"  # the retry saw the winner's write
    assert [json.loads(r["state"])["version"] for r in (winner, loser)] == [2, 3]
    store.close()


def test_a_race_lost_more_often_than_retried_reaches_the_page(
    signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(held_state, "RETRIES", 0)
    calls: list[int] = []
    store = InMemoryStateStore()
    registry = _gated_registry(store, calls)
    first = render_component("counter", registry=registry, signer=signer)
    replies = _race(registry, first, signer)
    errors = [r for r in replies if r["type"] == "error"]
    updates = [r for r in replies if r["type"] == "component_update"]
    assert len(errors) == 1 and len(updates) == 1
    assert errors[0]["code"] == StateConflictError.code == "state_conflict"
    assert http_status(errors[0]) == 409
    # The store holds exactly the winner's write: nothing lost silently, nothing half-applied.
    winner = updates[0]["html"]
    assert store.load(key(first)) == {"count": int(winner[3:-4])}


def test_async_handler_uses_the_async_store_methods(signer: Signer) -> None:
    class Recording(InMemoryStateStore):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        async def aload_versioned(self, key: str) -> Any:
            self.calls.append("aload_versioned")
            return await super().aload_versioned(key)

        async def asave_versioned(self, key: str, state: Any, expected: Any) -> int:
            self.calls.append("asave_versioned")
            return await super().asave_versioned(key, state, expected)

    async def on_increment(self: Component) -> None:
        await asyncio.sleep(0)
        self.state["count"] += 1

    store = Recording()
    registry = counter_registry(store, on_increment=on_increment)
    first = render_component("counter", registry=registry, signer=signer)
    store.calls.clear()
    reply = asyncio.run(dispatch_message(event(first), registry=registry, signer=signer))
    assert reply["html"] == "<p>1</p>"
    assert store.calls == ["aload_versioned", "asave_versioned"]


def test_streaming_writes_once_at_the_end(signer: Signer) -> None:
    async def on_run(self: Component) -> Any:
        while self.state["count"]:
            self.state["count"] -= 1
            yield

    store = InMemoryStateStore()
    registry = counter_registry(store, StreamingComponent, on_run=on_run)
    first = render_component("counter", params={"start": 3}, registry=registry, signer=signer)

    async def collect() -> list[dict[str, Any]]:
        message = event(first, "run")
        return [f async for f in stream_frames(message, registry=registry, signer=signer)]

    frames = asyncio.run(collect())
    assert [f["html"] for f in frames] == ["<p>2</p>", "<p>1</p>", "<p>0</p>", "<p>0</p>"]
    assert [json.loads(f["state"])["version"] for f in frames] == [1, 1, 1, 2]
    assert store.load(key(first)) == {"count": 0}


@pytest.fixture
def no_default(cf_defaults: None) -> None:
    state_module.configure(None)


def test_project_default_and_opt_out(no_default: None, signer: Signer) -> None:
    registry = ComponentRegistry()

    @registry.register("follows")
    class Follows(Component):
        renderer = Plain()
        template_name = "x.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 5

    @registry.register("page_held")
    class PageHeld(Follows):
        state_store = False

    default = InMemoryStateStore()
    assert json.loads(render_component("follows", registry=registry)["state"]) == {"count": 5}
    state_module.configure(default)
    reply = render_component("follows", registry=registry)
    assert json.loads(reply["state"])["component"] == "follows"
    assert default.load(key(reply)) == {"count": 5}
    assert json.loads(render_component("page_held", registry=registry)["state"]) == {"count": 5}


def test_a_server_push_stores_the_state_and_sends_the_reference(signer: Signer) -> None:
    from component_framework.core.websocket import ComponentWebSocketManager

    store = InMemoryStateStore()
    registry = counter_registry(store)
    first = render_component("counter", registry=registry, signer=signer)
    cid = first["component_id"]
    manager = ComponentWebSocketManager(registry=registry, signer=signer)
    connection = FakeConnection()

    async def push() -> None:
        await manager.connect(connection, "conn-1")
        manager.subscribe("conn-1", cid, "counter")
        await manager.push_state("counter", {"count": 42})
        await manager.flush()

    asyncio.run(push())
    pushed = connection.sent[0]
    assert pushed["html"] == "<p>42</p>"
    ref = json.loads(pushed["state"])
    # A push replaces the page's whole state: a new key shared by the pages it reaches.
    assert ref == {"component": "counter", "id": cid, "key": ref["key"], "version": 1}
    assert ref["key"] != key(first) and ref["key"].startswith("counter:*:")
    assert store.load(ref["key"]) == {"count": 42}
    # The page goes on from the pushed reference, under a key of its own again.
    reply = dispatch_message_sync(event(pushed), registry=registry, signer=signer)
    assert reply["html"] == "<p>43</p>"
    assert key(reply).startswith(f"counter:{cid}:") and store.load(ref["key"]) == {"count": 42}


def test_a_sync_component_reads_and_writes_in_its_one_worker_thread_hop(
    signer: Signer, tmp_path: Path
) -> None:
    threads: dict[str, threading.Thread] = {}

    class Watched(SQLiteStateStore):
        def load_versioned(self, key: str) -> Any:
            threads["load"] = threading.current_thread()
            return super().load_versioned(key)

        def save_versioned(self, key: str, state: Any, expected: Any) -> int:
            threads["save"] = threading.current_thread()
            return super().save_versioned(key, state, expected)

    def on_increment(self: Component) -> None:
        threads["handler"] = threading.current_thread()
        self.state["count"] += 1

    registry = counter_registry(Watched(tmp_path / "s.db"), on_increment=on_increment)
    first = render_component("counter", registry=registry, signer=signer)
    reply = asyncio.run(dispatch_message(event(first), registry=registry, signer=signer))
    assert reply["html"] == "<p>1</p>"
    assert threads["load"] is threads["handler"] is threads["save"]
    assert threads["handler"] is not threading.main_thread()


def test_two_renders_of_one_fixed_id_hold_separate_states(signer: Signer) -> None:
    # A page rendering ``component("counter", component_id="cart")`` for two users.
    store = InMemoryStateStore()
    registry = counter_registry(store)
    alice = render_component(
        "counter", params={"start": 1}, component_id="cart", registry=registry, signer=signer
    )
    alice = dispatch_message_sync(event(alice, amount=10), registry=registry, signer=signer)
    bob = render_component(
        "counter", params={"start": 500}, component_id="cart", registry=registry, signer=signer
    )
    assert alice["component_id"] == bob["component_id"] == "cart"
    assert key(alice) != key(bob)
    # Bob's first render did not overwrite Alice's state; her next event shows her count.
    reply = dispatch_message_sync(event(alice), registry=registry, signer=signer)
    assert reply["html"] == "<p>12</p>"
    reply = dispatch_message_sync(event(bob), registry=registry, signer=signer)
    assert reply["html"] == "<p>501</p>"
    assert store.load(key(alice)) == {"count": 12}
    assert store.load(key(bob)) == {"count": 501}


def test_a_reference_for_one_component_cannot_load_anothers_state(signer: Signer) -> None:
    store = InMemoryStateStore()
    registry = counter_registry(store)
    other = render_component(
        "counter", params={"start": 99}, component_id="a", registry=registry, signer=signer
    )
    page = render_component("counter", component_id="x", registry=registry, signer=signer)
    # A reference signed for counter/x that names the key of counter/a's state: signed
    # correctly (as a server bug or a leaked key might), still refused by the key check.
    ref = {**json.loads(page["state"]), "key": key(other)}
    state_json, checksum = signer.sign_state("counter", "x", ref)
    message = {**event(page), "state": state_json, "checksum": checksum}
    reply = asyncio.run(handle_message(message, registry=registry, signer=signer))
    assert reply["code"] == "stale_state"
    for bad in ("counter:x:", "counter:x:zz" + "0" * 30, "counter:x", "other:x:" + "0" * 32, 7):
        ref = {**json.loads(page["state"]), "key": bad}
        state_json, checksum = signer.sign_state("counter", "x", ref)
        message = {**event(page), "state": state_json, "checksum": checksum}
        reply = asyncio.run(handle_message(message, registry=registry, signer=signer))
        assert reply["code"] == "stale_state", bad
    assert store.load(key(other)) == {"count": 99}


def test_key_of_reads_the_key_from_a_page_reference(signer: Signer) -> None:
    registry = counter_registry(InMemoryStateStore())
    page = render_component("counter", component_id="cart", registry=registry, signer=signer)
    assert held_state.key_of(page["state"]) == key(page)
    assert held_state.key_of(json.loads(page["state"])) == key(page)
    assert held_state.key_of('{"count": 1}') is None
    assert held_state.key_of("not json") is None
    assert held_state.key_of(None) is None


def test_a_push_stores_once_for_every_page_at_one_id(signer: Signer) -> None:
    from component_framework.core.websocket import ComponentWebSocketManager

    store = InMemoryStateStore()
    registry = counter_registry(store)
    pages = [
        render_component("counter", component_id="cart", registry=registry, signer=signer)
        for _ in range(2)
    ]
    manager = ComponentWebSocketManager(registry=registry, signer=signer)
    connections = [FakeConnection(), FakeConnection()]

    async def push() -> None:
        for n, connection in enumerate(connections):
            await manager.connect(connection, f"conn-{n}")
            manager.subscribe(f"conn-{n}", "cart", "counter")
        await manager.push_state("counter", {"count": 42})
        await manager.flush()

    asyncio.run(push())
    pushed = [connection.sent[0] for connection in connections]
    # push_state replaces every page's whole state: one stored state, one key for both pages;
    # each page's next event goes on from it with a state of its own.
    assert key(pushed[0]) == key(pushed[1]) not in {key(page) for page in pages}
    assert store.load(key(pushed[0])) == {"count": 42}
    replies = [dispatch_message_sync(event(p), registry=registry, signer=signer) for p in pushed]
    assert [r["html"] for r in replies] == ["<p>43</p>", "<p>43</p>"]
    assert key(replies[0]) != key(replies[1])
