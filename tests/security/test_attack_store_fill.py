"""Anonymous traffic cannot fill a state store, and a full store fails only what it must.

A POST naming a server-held component with no state mounted it, ran the handler on the
client's payload and stored the result under a new key for a day: 30 such requests pinned
13.5 MB, and with Redis at its memory limit (noeviction) 70 of them made every other user's
mount fail with a 500 until the keys expired. Now:

- a message without state may only mount a server-held component (what a page's first render
  does); an event needs the state reference and checksum of a render (400 otherwise, before
  any component code runs, nothing stored);
- every built-in store keeps at most ``max_bytes`` of state: a write beyond evicts the states
  written longest ago, so a flood is served, the store stays within its budget, and a page
  whose events go on through it keeps its state (a page idle through it recovers by remount:
  ``test_attack_store_evict.py``);
- a Redis that is itself out of memory is a clear 503 ``store_full``, not a 500.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from component_framework.core import (
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
)
from component_framework.core import state as state_module
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import StateStore
from tests._redis import RedisServer
from tests.core._support import FakeConnection, Plain

from ._hostile import HEADERS, STEPS_RUN, build_app, message

PAGE = 20_000  # what one attacker request makes the store keep: a 20 KB label
FULL = "The server cannot keep more component state right now"


@pytest.fixture
def serve(cf_defaults: None) -> Iterator[Callable[[StateStore], TestClient]]:
    """A Starlette app whose components keep their state in the given store."""
    opened: list[tuple[TestClient, StateStore]] = []

    def start(store: StateStore) -> TestClient:
        state_module.configure(store)
        _, app = build_app()
        client = TestClient(app)
        client.__enter__()
        opened.append((client, store))
        return client

    yield start
    for client, store in opened:
        client.__exit__(None, None, None)
        store.close()


def _post(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post("/cf/event", content=json.dumps(body), headers=HEADERS)


def _flood(client: TestClient, limit: int = 2000) -> Any:
    """Mount and grow states as an anonymous client can, until a request is refused."""
    for _ in range(limit):
        mounted = _post(client, {"component": "counter"})
        if mounted.status_code != 200:
            return mounted
        grown = _post(client, message(mounted.json(), "label", payload={"text": "x" * PAGE}))
        if grown.status_code != 200:
            return grown
    raise AssertionError(f"{limit} attacker pages were all kept")


def _rows(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        count: int = db.execute("SELECT count(*) FROM cf_state").fetchone()[0]
    return count


def test_a_message_without_state_may_mount_but_not_run_an_event(
    serve: Callable[[StateStore], TestClient], tmp_path: Path
) -> None:
    client = serve(SQLiteStateStore(tmp_path / "state.db"))
    for path in ("/cf/event", "/cf/stream"):
        body = {"component": "counter", "event": "label", "payload": {"text": "x" * 400_000}}
        refused = client.post(path, content=json.dumps(body), headers=HEADERS)
        assert refused.status_code == 400, refused.text[:300]
        error = refused.json() if path == "/cf/event" else json.loads(refused.text[6:])
        assert error["code"] == "bad_message"
        assert "keeps its state on the server" in error["error"]
    assert _rows(tmp_path / "state.db") == 0
    streamed = {"component": "steps", "event": "run", "payload": {"count": 3}}
    STEPS_RUN.clear()
    refused = client.post("/cf/stream", content=json.dumps(streamed), headers=HEADERS)
    assert refused.status_code == 400 and STEPS_RUN == []  # no component code ran
    mounted = _post(client, {"component": "counter"})  # a first render, as a page's
    assert mounted.status_code == 200 and _rows(tmp_path / "state.db") == 1


def _flood_beside(client: TestClient, victim: dict[str, Any], pages: int) -> dict[str, Any]:
    """An attacker's *pages* (each 20 KB), served while the victim's page sends an event every
    ten of them; return the victim's last reply."""
    for n in range(pages):
        mounted = _post(client, {"component": "counter"})
        assert mounted.status_code == 200, mounted.text[:300]
        grown = _post(client, message(mounted.json(), "label", payload={"text": "x" * PAGE}))
        assert grown.status_code == 200, grown.text[:300]
        if n % 10 == 0:
            reply = _post(client, message(victim, "increment"))
            assert reply.status_code == 200, reply.text[:300]
            victim = reply.json()
    return victim


def test_a_flood_stays_within_the_sqlite_budget_and_a_page_in_use_goes_on(
    serve: Callable[[StateStore], TestClient], tmp_path: Path
) -> None:
    client = serve(SQLiteStateStore(tmp_path / "state.db", max_bytes=1_000_000))
    victim = _post(client, {"component": "counter"}).json()  # a user's page, open before
    victim = _flood_beside(client, victim, pages=150)  # 3 MB written
    with contextlib.closing(sqlite3.connect(tmp_path / "state.db")) as db:
        held = db.execute("SELECT sum(length(id) + length(state)) FROM cf_state").fetchone()[0]
    assert 900_000 < held <= 1_000_000
    assert _rows(tmp_path / "state.db") < 60  # the attacker's oldest pages were evicted
    assert victim["html"] == "<p>15 </p>"
    assert _post(client, {"component": "counter"}).status_code == 200  # a new visitor


def test_a_flood_stays_within_the_redis_budget_before_redis_fills(
    serve: Callable[[StateStore], TestClient], tmp_path_factory: pytest.TempPathFactory
) -> None:
    server = RedisServer(
        tmp_path_factory.mktemp("redis"),
        arguments=["--maxmemory", "12mb", "--maxmemory-policy", "noeviction"],
    )
    server.start()
    try:
        store = RedisStateStore(server.url, max_bytes=3_000_000)
        client = serve(store)
        victim = _post(client, {"component": "counter"}).json()
        victim = _flood_beside(client, victim, pages=300)  # 6 MB written
        assert 2_900_000 < store.used_bytes() <= 3_000_000
        assert victim["html"] == "<p>30 </p>"
        assert _post(client, {"component": "counter"}).status_code == 200
    finally:
        server.stop()


def test_a_redis_out_of_memory_is_a_clear_503_not_a_500(
    serve: Callable[[StateStore], TestClient], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A store without a budget of its own, on a Redis that fills first (the setup to avoid:
    # docs/state.md says to keep max_bytes below maxmemory).
    server = RedisServer(
        tmp_path_factory.mktemp("redis"),
        arguments=["--maxmemory", "4mb", "--maxmemory-policy", "noeviction"],
    )
    server.start()
    try:
        client = serve(RedisStateStore(server.url, max_bytes=None))
        refused = _flood(client)
        assert refused.status_code == 503, refused.text[:300]
        assert refused.json()["code"] == "store_full" and FULL in refused.json()["error"]
    finally:
        server.stop()


async def test_a_page_that_got_a_push_goes_on_when_new_pages_filled_the_store(
    tmp_path: Path, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    # After a push, a page's next event keeps its state under a key of its own: a new key in a
    # full store, written by evicting the oldest states (the flood's), not refused.
    store = SQLiteStateStore(tmp_path / "state.db", max_bytes=100_000)

    @fresh_registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Plain()
        state_store = store

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_increment(self) -> None:
            self.state["count"] += 1

    page = render_component("board", registry=fresh_registry, signer=signer)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    connection = FakeConnection()
    await manager.connect(connection, "victim")
    manager.subscribe("victim", page["component_id"], "board")
    for _ in range(2_000):  # an anonymous flood of first renders: 100 KB twice over
        render_component("board", registry=fresh_registry, signer=signer)
    assert store.load(json.loads(page["state"])["key"]) is None  # its own state was evicted
    await manager.push_state("board", {"count": 41, "padding": "x" * 2000})
    await manager.flush()
    pushed = connection.sent[-1]
    event = {**message(pushed, "increment"), "component": "board"}
    reply = await handle_message(event, registry=fresh_registry, signer=signer)
    assert reply["type"] == "component_update", reply
    assert reply["html"] == "<p>42</p>"
    store.close()
