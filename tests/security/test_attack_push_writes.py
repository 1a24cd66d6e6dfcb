"""A pushed state is stored once, however many pages and ids receive it.

One anonymous client could hold 1,000 server-issued ids of a server-held component and subscribe
to all of them on one socket; each ``push_state`` then stored the pushed state once per id
(1,001 SQLite rows per push, kept for a day) inside the delivery hop every page waits behind:
the victim's push took 152-303 ms instead of 4-15 ms, growing with the attacker's sockets. Now
a push writes its state once, under a key shared by the pages that receive it; a page's next
event reads it and keeps what it changes under a key of its own, so pages never share a state
they can change.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from component_framework.core import Component, ComponentRegistry, ComponentWebSocketManager
from component_framework.core.protocol import dispatch_message_sync, render_component
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from tests.core._support import FakeConnection, Plain

ATTACKER_IDS = 1000


def _counter(registry: ComponentRegistry, store: SQLiteStateStore) -> None:
    @registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = Plain()
        state_store = store

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_increment(self) -> None:
            self.state["count"] += 1


def _rows(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        count: int = db.execute("SELECT count(*) FROM cf_state").fetchone()[0]
    return count


def _event(reply: dict[str, Any], event: str | None) -> dict[str, Any]:
    return {
        "type": "component_event",
        "component": "counter",
        "component_id": reply["component_id"],
        "event": event,
        "payload": {},
        "state": reply["state"],
        "checksum": reply["checksum"],
    }


async def test_one_push_to_a_thousand_subscribed_ids_is_one_stored_state(
    fresh_registry: ComponentRegistry, signer: Signer, tmp_path: Path
) -> None:
    path = tmp_path / "state.db"
    store = SQLiteStateStore(path)
    _counter(fresh_registry, store)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    attacker, victim = FakeConnection(), FakeConnection()
    await manager.connect(attacker, "attacker")
    await manager.connect(victim, "victim")
    for n in range(ATTACKER_IDS):  # ids the attacker collected, each with its render's token
        cid = f"component-{n:032x}"
        token = signer.subscription_token("counter", cid)
        subscribe = {"type": "subscribe", "component_id": cid, "token": token}
        await manager.handle_message(attacker, "attacker", subscribe)
    page = render_component("counter", registry=fresh_registry, signer=signer)
    token = signer.subscription_token("counter", page["component_id"])
    subscribe = {"type": "subscribe", "component_id": page["component_id"], "token": token}
    await manager.handle_message(victim, "victim", subscribe)
    before = _rows(path)

    await manager.push_state("counter", {"count": 7})
    await manager.flush()

    assert _rows(path) == before + 1
    pushed = victim.sent[-1]
    assert pushed["html"] == "<p>7</p>"
    assert len(attacker.sent) == ATTACKER_IDS * 2  # the subscribes' replies, then the pushes
    store.close()


async def test_pages_that_got_one_pushed_state_do_not_share_what_they_change(
    fresh_registry: ComponentRegistry, signer: Signer, tmp_path: Path
) -> None:
    store = SQLiteStateStore(tmp_path / "state.db")
    _counter(fresh_registry, store)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    pages = [FakeConnection(), FakeConnection()]
    for n, page in enumerate(pages):
        rendered = render_component("counter", registry=fresh_registry, signer=signer)
        await manager.connect(page, f"conn-{n}")
        manager.subscribe(f"conn-{n}", rendered["component_id"], "counter")
    await manager.push_state("counter", {"count": 42})
    await manager.flush()
    first, second = (page.sent[-1] for page in pages)
    assert json.loads(first["state"])["key"] == json.loads(second["state"])["key"]

    def send(reply: dict[str, Any], event: str | None) -> dict[str, Any]:
        return dispatch_message_sync(_event(reply, event), registry=fresh_registry, signer=signer)

    one = send(first, "increment")
    two = send(second, "increment")
    # Each page goes on from the pushed 42 with a state of its own.
    assert one["html"] == two["html"] == "<p>43</p>"
    assert json.loads(one["state"])["key"] != json.loads(two["state"])["key"]
    assert send(one, "increment")["html"] == "<p>44</p>"
    assert send(two, None)["html"] == "<p>43</p>"
    # The pushed state itself is never changed by a page: a late page still starts from it.
    assert send(first, None)["html"] == "<p>42</p>"
    store.close()
