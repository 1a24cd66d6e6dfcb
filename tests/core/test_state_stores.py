"""The state store contract, run against every store: memory, SQLite, Redis and docs/state.md's.

A store implements the versioned pair (``load_versioned``, compare-and-set ``save_versioned``)
and ``delete``; ``save``, ``load`` and the async forms derive from them. The message path
needs exactly this of a store: one read and one conditional write per event, and a race that
loses no update. Expiry is checked on the stores that have a ``ttl``, by moving their clock
(a fake one, or the remaining time of each Redis key): no test waits in real time.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from component_framework.core import Component
from component_framework.core.exceptions import StateConflictError, StoreFullError
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import InMemoryStateStore, StateStore, StoredState
from tests._redis import RedisServer

from ._held import counter_registry, event, key

DOCS = Path(__file__).resolve().parents[2] / "docs" / "state.md"


def docs_store_class() -> type[StateStore]:
    """The store class of docs/state.md ("A store of your own"), as a reader would paste it."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.S)
    [source] = [b for b in blocks if "(StateStore):" in b]
    namespace: dict[str, Any] = {"__name__": "docs_state_store"}
    definition = source.split("\n\n\nCart.state_store")[0]  # the class, not its use
    exec(compile(definition, str(DOCS), "exec"), namespace)
    cls: type[StateStore] = namespace["DictStore"]
    return cls


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Case:
    """How to make one kind of store and move its clock."""

    make: Callable[..., StateStore]
    advance: Callable[[float], None]
    stores: list[StateStore] = field(default_factory=list)

    def store(self, **options: Any) -> StateStore:
        store = self.make(**options)
        self.stores.append(store)
        return store


def _memory(tmp_path: Path) -> Iterator[Case]:
    clock = Clock()

    def advance(seconds: float) -> None:
        clock.now += seconds

    yield Case(lambda **o: InMemoryStateStore(clock=clock, **o), advance)


def _sqlite(tmp_path: Path) -> Iterator[Case]:
    clock = Clock()

    def advance(seconds: float) -> None:
        clock.now += seconds

    path = tmp_path / "state.db"
    case = Case(lambda **o: SQLiteStateStore(path, clock=clock, **o), advance)
    yield case
    for store in case.stores:
        store.close()  # type: ignore[attr-defined]


def _redis(redis_server: RedisServer) -> Iterator[Case]:
    client = redis.Redis.from_url(redis_server.url)

    def advance(seconds: float) -> None:
        # The server's clock cannot move: each key's remaining time shrinks instead (a key
        # whose time is up expires at once, as when the time really passed), and so do the
        # expiry times the store's byte count keeps.
        index = "cf:state:~expiry"
        moved = {m: score - seconds * 1000 for m, score in client.zscan_iter(index)}
        if moved:
            client.zadd(index, moved)
        for name in client.scan_iter("cf:state:*"):
            remaining = client.pttl(name)
            if remaining < 0:
                continue  # no expiry
            left = remaining - int(seconds * 1000)
            if left > 0:
                client.pexpire(name, left)
            else:
                client.delete(name)  # its time is up: what the server's expiry does

    case = Case(lambda **o: RedisStateStore(redis_server.url, **o), advance)
    yield case
    for store in case.stores:
        store.close()  # type: ignore[attr-defined]
    client.close()


def _docs(tmp_path: Path) -> Iterator[Case]:
    cls = docs_store_class()

    def advance(seconds: float) -> None:
        raise AssertionError("the docs store keeps states for ever")

    yield Case(lambda **o: cls(**o), advance)


KINDS = ["memory", "sqlite", "redis", "docs"]
EXPIRING = ["memory", "sqlite", "redis"]
BOUNDED = EXPIRING  # the built-in stores keep a byte budget (docs/state.md's does not)


@pytest.fixture
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Case]:
    kind = request.param
    if kind == "redis":
        factory: Iterator[Case] = _redis(request.getfixturevalue("redis_server"))
    else:
        factory = {"memory": _memory, "sqlite": _sqlite, "docs": _docs}[kind](tmp_path)
    yield next(factory)
    next(factory, None)


every_store = pytest.mark.parametrize("case", KINDS, indirect=True)
expiring_stores = pytest.mark.parametrize("case", EXPIRING, indirect=True)
bounded_stores = pytest.mark.parametrize("case", BOUNDED, indirect=True)


# ---------- The versioned pair and what derives from it ----------


@every_store
def test_compare_and_set(case: Case) -> None:
    store = case.store()
    assert store.load_versioned("k") is None
    assert store.save_versioned("k", {"n": 1}, 0) == 1
    assert store.load_versioned("k") == StoredState({"n": 1}, 1)
    assert store.save_versioned("k", {"n": 2}, 1) == 2
    with pytest.raises(StateConflictError):
        store.save_versioned("k", {"n": 99}, 1)  # a writer that read version 1 lost the race
    with pytest.raises(StateConflictError):
        store.save_versioned("k", {"n": 99}, 0)  # a first write finds one stored
    with pytest.raises(StateConflictError):
        store.save_versioned("new", {"n": 99}, 3)  # nothing stored is version 0
    assert store.load_versioned("k") == StoredState({"n": 2}, 2)
    assert store.save_versioned("k", {"n": 3}, None) == 3  # unconditional


@every_store
def test_save_load_and_delete_derive_from_the_pair(case: Case) -> None:
    store = case.store()
    assert store.load("k") is None
    store.save("k", {"n": 1})
    store.save("k", {"n": 2})
    assert store.load("k") == {"n": 2}
    assert store.load_versioned("k") == StoredState({"n": 2}, 2)
    store.delete("k")
    assert store.load("k") is None
    store.delete("k")  # deleting what is not there is fine


@every_store
def test_a_stored_state_is_a_copy_and_keeps_its_text(case: Case) -> None:
    store = case.store()
    state: dict[str, Any] = {"items": [1], "name": "Zoë ✓", "nested": {"deep": [None, True]}}
    store.save("k", state)
    state["items"].append(2)
    loaded = store.load("k")
    assert loaded == {"items": [1], "name": "Zoë ✓", "nested": {"deep": [None, True]}}
    assert loaded is not None
    loaded["items"].append(3)
    assert store.load("k") == {"items": [1], "name": "Zoë ✓", "nested": {"deep": [None, True]}}


@every_store
def test_async_forms(case: Case) -> None:
    store = case.store()

    async def run() -> Any:
        await store.asave("k", {"n": 1})
        version = await store.asave_versioned("k", {"n": 2}, 1)
        with pytest.raises(StateConflictError):
            await store.asave_versioned("k", {"n": 3}, 1)
        got = (version, await store.aload_versioned("k"), await store.aload("k"))
        await store.adelete("k")
        got += (await store.aload("k"),)
        if isinstance(store, RedisStateStore):
            await store.aclose()
        return got

    assert asyncio.run(run()) == (2, StoredState({"n": 2}, 2), {"n": 2}, None)


# ---------- What the message path needs ----------


@every_store
def test_a_component_keeps_its_state_in_the_store(case: Case, signer: Signer) -> None:
    store = case.store()

    async def on_add(self: Component, n: int) -> None:
        self.state["count"] += n

    registry = counter_registry(store, on_add=on_add)
    page = render_component("counter", registry=registry, signer=signer)
    reference = json.loads(page["state"])
    assert set(reference) == {"component", "id", "key", "version"}
    assert reference["version"] == 1 and store.load(key(page)) == {"count": 0}
    one = asyncio.run(handle_message(event(page), registry=registry, signer=signer))  # def
    two = asyncio.run(handle_message(event(one, "add", n=5), registry=registry, signer=signer))
    assert (one["html"], two["html"]) == ("<p>1</p>", "<p>6</p>")
    assert store.load_versioned(key(page)) == StoredState({"count": 6}, 3)
    assert set(json.loads(two["state"])) == {"component", "id", "key", "version"}
    if isinstance(store, RedisStateStore):
        asyncio.run(store.aclose())


@every_store
def test_racing_events_lose_no_update(case: Case, signer: Signer) -> None:
    calls: list[int] = []
    gate: list[asyncio.Barrier] = []

    async def on_add(self: Component, n: int) -> None:
        calls.append(n)
        if len(calls) <= 2:
            await gate[0].wait()  # both events have read version 1 before either writes
        self.state["count"] += n

    store = case.store()
    registry = counter_registry(store, on_add=on_add)
    page = render_component("counter", registry=registry, signer=signer)

    async def race() -> list[dict[str, Any]]:
        gate.append(asyncio.Barrier(2))
        replies = await asyncio.gather(
            handle_message(event(page, "add", n=1), registry=registry, signer=signer),
            handle_message(event(page, "add", n=10), registry=registry, signer=signer),
        )
        if isinstance(store, RedisStateStore):
            await store.aclose()
        return list(replies)

    replies = asyncio.run(race())
    assert [r["type"] for r in replies] == ["component_update", "component_update"]
    assert len(calls) == 3  # the loser ran again on the winner's state
    assert store.load(key(page)) == {"count": 11}
    assert sorted(json.loads(r["state"])["version"] for r in replies) == [2, 3]


# ---------- Expiry after idle time ----------


@expiring_stores
def test_a_state_expires_after_its_idle_time(case: Case) -> None:
    store = case.store(ttl=60)
    store.save_versioned("k", {"n": 1}, 0)
    store.save_versioned("old", {"n": 1}, 0)
    case.advance(50)
    store.save_versioned("k", {"n": 2}, 1)  # a write starts the idle clock again
    case.advance(50)
    assert store.load("k") == {"n": 2}
    assert store.load_versioned("old") is None
    with pytest.raises(StateConflictError):
        store.save_versioned("old", {"n": 2}, 1)  # the version read before expiry is gone
    case.advance(20)
    assert store.load("k") is None


@expiring_stores
def test_without_a_ttl_a_state_stays(case: Case) -> None:
    store = case.store(ttl=None)
    store.save("k", {"n": 1})
    case.advance(10**8)
    assert store.load("k") == {"n": 1}


@expiring_stores
def test_an_expired_state_is_a_reload_the_page_reply(case: Case, signer: Signer) -> None:
    store = case.store(ttl=60)
    registry = counter_registry(store)
    page = render_component("counter", registry=registry, signer=signer)
    case.advance(59)
    one = asyncio.run(handle_message(event(page), registry=registry, signer=signer))
    case.advance(59)  # 118 s since the render, 59 since the event's write: still there
    assert store.load(key(page)) == {"count": 1}
    case.advance(2)
    reply = asyncio.run(handle_message(event(one), registry=registry, signer=signer))
    assert (reply["code"], reply["error"]) == (
        "stale_state",
        "This component's state is no longer held on the server (it expired or was removed). "
        "Reload the page to continue.",
    )


# ---------- The byte budget: what a store keeps at most ----------

ROW = {"text": "x" * 90}
ROW_BYTES = len("s-00") + len(json.dumps(ROW, separators=(",", ":")))  # key and JSON: 105
BUDGET = 2000  # 19 rows


def _held(store: StateStore, keys: list[str]) -> dict[str, int]:
    """The bytes each of *keys* still holds (key and JSON), for the keys still stored."""
    held = {}
    for name in keys:
        state = store.load(name)
        if state is not None:
            held[name] = len(name) + len(json.dumps(state, separators=(",", ":")))
    return held


def _fill(case: Case, store: StateStore, count: int, prefix: str = "s") -> list[str]:
    """Write *count* rows, one a second (so each was written after the one before)."""
    keys = [f"{prefix}-{n:02d}" for n in range(count)]
    for name in keys:
        store.save_versioned(name, ROW, 0)
        case.advance(1)
    return keys


@bounded_stores
@pytest.mark.parametrize("ttl", [3600.0, None])
def test_a_full_store_evicts_the_states_written_longest_ago(case: Case, ttl: float | None) -> None:
    store = case.store(max_bytes=BUDGET, ttl=ttl)
    keys = _fill(case, store, BUDGET // ROW_BYTES)
    assert len(_held(store, keys)) == 19  # the budget is full
    assert store.save_versioned(keys[0], ROW, 1) == 2  # written again: now the newest
    case.advance(1)
    # A new state is written: the state written longest ago goes, not the one written again.
    assert store.save_versioned("late", ROW, 0) == 1
    assert store.load(keys[1]) is None and store.load(keys[0]) == ROW
    assert store.load("late") == ROW
    case.advance(1)
    # A held state grows: the oldest go until it fits, never the state being written.
    grown = {"text": "z" * 600}
    assert store.save_versioned(keys[2], grown, 1) == 2
    held = _held(store, [*keys, "late"])
    assert store.load(keys[2]) == grown
    assert sum(held.values()) <= BUDGET
    # 505 bytes over: five rows of 105 go, the oldest after the one already evicted.
    assert [key for key in keys if key not in held] == keys[1:2] + keys[3:8]
    # A deleted state frees its bytes: the next write evicts nothing.
    store.delete("late")
    store.save_versioned("later", ROW, 0)
    assert set(_held(store, [*keys, "later"])) == (set(held) - {"late"}) | {"later"}


@bounded_stores
def test_only_a_state_larger_than_the_whole_budget_is_refused(case: Case) -> None:
    store = case.store(max_bytes=BUDGET)
    keys = _fill(case, store, 10)
    with pytest.raises(StoreFullError, match="cannot keep more component state"):
        store.save_versioned("huge", {"text": "x" * BUDGET}, 0)
    with pytest.raises(StoreFullError):
        store.save_versioned(keys[0], {"text": "x" * BUDGET}, 1)
    assert store.load("huge") is None and store.load(keys[0]) == ROW
    assert len(_held(store, keys)) == 10  # nothing was evicted for it


@bounded_stores
def test_expired_states_go_before_live_ones(case: Case) -> None:
    store = case.store(max_bytes=BUDGET, ttl=60)
    old = _fill(case, store, 10, "o")
    case.advance(61)  # the ten expire
    live = _fill(case, store, 9, "l")
    _fill(case, store, 10, "n")
    assert len(_held(store, live)) == 9 and _held(store, old) == {}


@bounded_stores
def test_racing_writes_to_a_full_store_keep_compare_and_set(case: Case) -> None:
    store = case.store(max_bytes=BUDGET)
    _fill(case, store, 19)
    store.save_versioned("held", ROW, 0)
    barrier = threading.Barrier(2)  # the two writers start together, each round
    for version in range(1, 6):
        grown = [{"text": f"{writer}" * (100 + 50 * version)} for writer in "ab"]

        def write(state: dict[str, Any], version: int = version) -> str:
            barrier.wait()
            try:
                store.save_versioned("held", state, version)
            except StateConflictError:
                return "lost"
            return "won"

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(write, grown))
        assert sorted(outcomes) == ["lost", "won"]  # both needed evictions; one write won
        stored = store.load_versioned("held")
        assert stored is not None and stored.version == version + 1
        assert stored.state == grown[outcomes.index("won")]
        case.advance(1)


@bounded_stores
def test_a_store_without_a_budget_keeps_what_it_is_given(case: Case) -> None:
    store = case.store(max_bytes=None)
    for n in range(100):
        store.save_versioned(f"s-{n}", {"text": "x" * 10_000}, 0)
    assert store.load("s-99") == {"text": "x" * 10_000}


def test_the_budgets_by_default_and_by_url(tmp_path: Path) -> None:
    from component_framework.core.state import open_store

    assert InMemoryStateStore().max_bytes == 64 * 1024 * 1024
    sqlite = SQLiteStateStore(tmp_path / "s.db")
    assert sqlite.max_bytes == 256 * 1024 * 1024
    sqlite.close()
    assert RedisStateStore("redis://127.0.0.1:1/0").max_bytes == 256 * 1024 * 1024
    assert open_store("memory:?max_bytes=5000").max_bytes == 5000
    assert open_store("memory:?max_bytes=none").max_bytes is None
