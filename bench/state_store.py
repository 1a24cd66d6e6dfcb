"""Server-held state: the counter event with SQLite and Redis stores against client-held state.

Every variant runs the same counter (a count and a 50-item list, rendered by Jinja2) through the
whole message path (``core.protocol.handle_message``), one event after another, each with the
reply of the previous one as the page would. Variants are interleaved round by round in one
process, so machine noise hits them alike. For each store it reports the median per event, the
cost added over the client-held counter, and the store round trips per event: counted by a
wrapper around the real store's methods, and for Redis also by the server itself
(the ``HMGET`` and ``EVAL`` calls of ``INFO commandstats``).

Sync handlers (one worker-thread hop per message; the store IO goes into that same hop):
client-held, SQLite, Redis. Async handlers (on the loop): client-held, SQLite (the async store
methods run in a worker thread), Redis (``redis.asyncio`` on the loop).

With ``--evict``: the cost of eviction instead. For each store (memory, SQLite, Redis), a save
of a new state (what a first render writes) into a store with room, against the same save into
a full store, where each write first evicts the state written longest ago; interleaved, median
per save and the ratio.

Run:  python bench/state_store.py [--rounds 2000] [--redis redis://127.0.0.1:6379/0] [--evict]
(without --redis a redis-server is started on a free port in a temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jinja2
from _counter import KEY, TEMPLATE

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import InMemoryStateStore, StateStore, StoredState

renderer = JinjaRenderer(loader=jinja2.DictLoader({"counter.html": TEMPLATE}))


def counting(store: StateStore) -> StateStore:
    """Wrap *store* so every read and write it serves is counted in ``store.calls``."""
    base = type(store)

    class Counting(base):  # type: ignore[valid-type, misc]
        def load_versioned(self, key: str) -> StoredState | None:
            self.calls += 1
            return super().load_versioned(key)

        def save_versioned(self, key: str, state: Any, expected: int | None) -> int:
            self.calls += 1
            return super().save_versioned(key, state, expected)

        async def aload_versioned(self, key: str) -> StoredState | None:
            if base.aload_versioned is StateStore.aload_versioned:
                return await super().aload_versioned(key)  # counted by the sync one
            self.calls += 1
            return await super().aload_versioned(key)

        async def asave_versioned(self, key: str, state: Any, expected: Any) -> int:
            if base.asave_versioned is StateStore.asave_versioned:
                return await super().asave_versioned(key, state, expected)
            self.calls += 1
            return await super().asave_versioned(key, state, expected)

    store.__class__ = Counting
    store.calls = 0  # type: ignore[attr-defined]
    return store


def define(registry: ComponentRegistry, name: str, store: StateStore | None) -> None:
    @registry.register(name)
    class Counter(Component):
        template_name = "counter.html"
        state_store = store if store is not None else False

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0
            self.state["items"] = [f"item {i}" for i in range(50)]

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

        async def on_increment_async(self, amount: int = 1) -> None:
            self.state["count"] += amount

    Counter.renderer = renderer


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    executable = shutil.which("redis-server")
    if executable is None:
        sys.exit("redis-server not found: apt-get install redis-server, or pass --redis URL")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tempfile.mkdtemp()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


class Variant:
    def __init__(self, label: str, component: str, event: str, store: StateStore | None) -> None:
        self.label, self.component, self.event, self.store = label, component, event, store
        self.samples: list[float] = []
        self.page: dict[str, Any] = {}

    def message(self) -> str:
        return json.dumps(
            {
                "type": "component_event",
                "component": self.component,
                "component_id": self.page["component_id"],
                "event": self.event,
                "payload": {},
                "state": self.page["state"],
                "checksum": self.page["checksum"],
            }
        )


async def run(rounds: int, redis_url: str) -> None:
    folder = tempfile.mkdtemp()
    sqlite = counting(SQLiteStateStore(os.path.join(folder, "state.db")))
    redis_store = counting(RedisStateStore(redis_url))
    registry = ComponentRegistry()
    define(registry, "page", None)
    define(registry, "sqlite", sqlite)
    define(registry, "redis", redis_store)
    signer = Signer([KEY], release="1")
    variants = [
        Variant("client-held", "page", "increment", None),
        Variant("SQLite store", "sqlite", "increment", sqlite),
        Variant("Redis store", "redis", "increment", redis_store),
        Variant("client-held, async handler", "page", "increment_async", None),
        Variant("SQLite store, async handler", "sqlite", "increment_async", sqlite),
        Variant("Redis store, async handler", "redis", "increment_async", redis_store),
    ]
    for variant in variants:
        variant.page = render_component(variant.component, registry=registry, signer=signer)
    calls: dict[str, int] = {v.label: 0 for v in variants}
    import redis

    info = redis.Redis.from_url(redis_url)
    for index in range(rounds + 200):
        warm = index < 200
        if index == 200:
            first = _client_commands(info)
        for variant in variants:
            raw = variant.message()
            before = variant.store.calls if variant.store is not None else 0  # type: ignore[attr-defined]
            start = time.perf_counter_ns()
            reply = await handle_message(raw, registry=registry, signer=signer)
            elapsed = (time.perf_counter_ns() - start) / 1000
            if reply["type"] != "component_update":
                sys.exit(f"{variant.label}: {reply}")
            variant.page = reply
            if not warm:
                variant.samples.append(elapsed)
                if variant.store is not None:
                    calls[variant.label] += variant.store.calls - before  # type: ignore[attr-defined]
    commands = _client_commands(info) - first
    info.close()
    await redis_store.aclose()  # type: ignore[attr-defined]
    sqlite.close()

    sync_floor = statistics.median(variants[0].samples)
    async_floor = statistics.median(variants[3].samples)
    print(f"{rounds} interleaved rounds per variant; median microseconds per event\n")
    print("| variant | median | added over client-held | store round trips per event |")
    print("| --- | ---: | ---: | ---: |")
    for index, variant in enumerate(variants):
        median = statistics.median(variant.samples)
        floor = async_floor if index >= 3 else sync_floor
        added = "" if variant.store is None else f"+{median - floor:.1f} us"
        trips = "0" if variant.store is None else f"{calls[variant.label] / rounds:.2f}"
        print(f"| {variant.label} | {median:.1f} us | {added} | {trips} |")
    redis_events = 2 * rounds
    print(f"\nRedis server: {commands / redis_events:.2f} client commands per event (commandstats)")


def evict_rounds(rounds: int, redis_url: str) -> None:
    """Median save of a new state into a store with room and into a full one (one eviction)."""
    folder = tempfile.mkdtemp()
    state = {"count": 0, "items": [f"item {n}" for n in range(50)]}
    size = len("new:000000") + len(json.dumps(state, separators=(",", ":")))
    full_bytes = 1000 * size  # a full store holds 1,000 states: each new one evicts one
    room_bytes = 1000 * full_bytes  # the same checks, far from the budget

    def pair(kind: str) -> tuple[StateStore, StateStore]:
        if kind == "memory":
            return InMemoryStateStore(max_bytes=room_bytes), InMemoryStateStore(
                max_bytes=full_bytes
            )
        if kind == "SQLite":
            return (
                SQLiteStateStore(os.path.join(folder, "room.db"), max_bytes=room_bytes),
                SQLiteStateStore(os.path.join(folder, "full.db"), max_bytes=full_bytes),
            )
        return (
            RedisStateStore(redis_url, max_bytes=room_bytes, prefix="room:"),
            RedisStateStore(redis_url, max_bytes=full_bytes, prefix="full:"),
        )

    stores = {kind: pair(kind) for kind in ("memory", "SQLite", "Redis")}
    for room, full in stores.values():
        for n in range(1000):  # both hold 1,000 states; the full one is at its budget
            room.save_versioned(f"old:{n:06d}", state, 0)
            full.save_versioned(f"old:{n:06d}", state, 0)
    samples: dict[tuple[str, str], list[float]] = {}
    for index in range(rounds + 200):
        for kind, (room, full) in stores.items():
            for label, store in (("room", room), ("full", full)):
                key = f"new:{index:06d}"
                start = time.perf_counter_ns()
                store.save_versioned(key, state, 0)
                elapsed = (time.perf_counter_ns() - start) / 1000
                if index >= 200:
                    samples.setdefault((kind, label), []).append(elapsed)
    print(f"{rounds} interleaved saves of a new {size}-byte state per variant\n")
    print("| store | with room | full (evicts one) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for kind, (room, full) in stores.items():
        assert full.load("old:000000") is None and room.load("old:000000") is not None
        spare, evicting = (statistics.median(samples[kind, label]) for label in ("room", "full"))
        print(f"| {kind} | {spare:.1f} us | {evicting:.1f} us | {evicting / spare:.2f} |")
        room.close()
        full.close()


def _client_commands(info: Any) -> int:
    """HMGET and EVAL calls the server counted (what the store sends; not the script's calls)."""
    stats = info.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("hmget", "eval"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--redis", default=None, help="an existing server's URL")
    parser.add_argument("--evict", action="store_true", help="measure eviction instead")
    args = parser.parse_args()
    with redis_server(args.redis) as url:
        if args.evict:
            evict_rounds(args.rounds, url)
        else:
            asyncio.run(run(args.rounds, url))


if __name__ == "__main__":
    main()
