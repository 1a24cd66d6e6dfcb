"""RedisStateStore against a real redis-server (the ``redis_server`` fixture)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis

from component_framework.core import Component
from component_framework.core.exceptions import ConfigurationError, StateConflictError
from component_framework.core.protocol import (
    dispatch_message,
    dispatch_message_sync,
    handle_message,
    render_component,
)
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from component_framework.core.state import StoredState, open_store
from tests._redis import RedisServer

from ._held import counter_registry, event, key, race_two_processes


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of this test's own (empty) server."""
    return redis_server.url


def test_versioned_writes(redis_url: str) -> None:
    store = RedisStateStore(redis_url)
    assert store.load_versioned("c") is None
    assert store.save_versioned("c", {"n": 1, "s": "é"}, 0) == 1
    assert store.save_versioned("c", {"n": 2, "s": "é"}, 1) == 2
    with pytest.raises(StateConflictError, match="changed while this event ran"):
        store.save_versioned("c", {"n": 9}, 1)
    with pytest.raises(StateConflictError, match="already holds"):
        store.save_versioned("c", {"n": 9}, 0)
    assert RedisStateStore(redis_url).load_versioned("c") == StoredState({"n": 2, "s": "é"}, 2)
    store.save("c", {"n": 3})
    assert store.load("c") == {"n": 3}
    store.delete("c")
    assert store.load("c") is None
    client = redis.Redis.from_url(redis_url)
    store.save("k", {})
    assert client.keys("*") == [b"cf:state:k"]
    assert 0 < client.pttl("cf:state:k") <= 24 * 3600 * 1000
    RedisStateStore(redis_url, ttl=None).save("k", {})
    assert client.pttl("cf:state:k") == -1  # no expiry
    client.close()
    store.close()


def test_async_twins_are_native(redis_url: str) -> None:
    store = RedisStateStore(redis_url)

    async def run() -> Any:
        await store.asave("c", {"n": 1})
        version = await store.asave_versioned("c", {"n": 2}, 1)
        with pytest.raises(StateConflictError):
            await store.asave_versioned("c", {"n": 2}, 1)
        got = (version, await store.aload_versioned("c"), await store.aload("c"))
        await store.adelete("c")
        got += (await store.aload("c"),)
        await store.aclose()
        return got

    assert asyncio.run(run()) == (2, StoredState({"n": 2}, 2), {"n": 2}, None)


def test_state_expires_after_idle_time(redis_url: str, signer: Signer) -> None:
    # Generous margins (seconds, not tenths): a loaded machine must not decide the outcome.
    store = RedisStateStore(redis_url, ttl=3)
    registry = counter_registry(store)
    first = render_component("counter", registry=registry, signer=signer)
    time.sleep(2)
    second = dispatch_message_sync(event(first), registry=registry, signer=signer)
    time.sleep(2)  # 4 s since the render, 2 s since the last write: still there
    assert store.load(key(first)) == {"count": 1}
    time.sleep(4)
    reply = asyncio.run(handle_message(event(second), registry=registry, signer=signer))
    assert reply["code"] == "stale_state"
    assert "Reload the page" in reply["error"]


def _commands(url: str, run: Callable[[], None]) -> list[str]:
    """Every command clients sent while *run* ran (Redis MONITOR; not those a script ran)."""
    watcher, client = redis.Redis.from_url(url), redis.Redis.from_url(url)
    client.ping()  # connected before: its handshake is not counted
    sentinel = "cf-test-monitor-end"
    with watcher.monitor() as monitor:
        run()
        client.echo(sentinel)
        seen = []
        while True:
            entry = monitor.next_command()
            if sentinel in entry["command"]:
                break
            if entry["client_type"] != "lua":
                seen.append(entry["command"].split()[0].upper())
    watcher.close()
    client.close()
    return seen


def test_one_read_and_one_write_per_event_in_a_worker_thread(
    redis_url: str, signer: Signer
) -> None:
    store = RedisStateStore(redis_url)
    registry = counter_registry(store)
    first = render_component("counter", registry=registry, signer=signer)  # connects
    reply = first

    def fire() -> None:
        nonlocal reply
        reply = asyncio.run(dispatch_message(event(first), registry=registry, signer=signer))

    assert _commands(redis_url, fire) == ["HMGET", "EVAL"]
    assert reply["html"] == "<p>1</p>"
    store.close()


def test_one_read_and_one_write_per_event_on_the_loop(redis_url: str, signer: Signer) -> None:
    async def on_increment(self: Component) -> None:
        self.state["count"] += 1

    store = RedisStateStore(redis_url)
    registry = counter_registry(store, on_increment=on_increment)
    first = render_component("counter", registry=registry, signer=signer)

    async def run() -> list[str]:
        await dispatch_message(event(first), registry=registry, signer=signer)  # connects

        async def second() -> None:
            await dispatch_message(event(first), registry=registry, signer=signer)

        loop = asyncio.get_running_loop()
        # MONITOR blocks; the event runs on this loop from a thread's point of view.
        seen = await loop.run_in_executor(
            None,
            lambda: _commands(
                redis_url, lambda: asyncio.run_coroutine_threadsafe(second(), loop).result()
            ),
        )
        await store.aclose()
        return seen

    assert asyncio.run(run()) == ["HMGET", "EVAL"]
    assert store.load(key(first)) == {"count": 2}


def test_racing_async_events_lose_no_update(redis_url: str, signer: Signer) -> None:
    calls: list[int] = []

    async def on_add(self: Component, n: int) -> None:
        calls.append(n)
        if len(calls) <= 2:
            await gate.wait()  # both events have read version 1 before either writes
        self.state["count"] += n

    store = RedisStateStore(redis_url)
    registry = counter_registry(store, on_add=on_add)
    first = render_component("counter", registry=registry, signer=signer)

    async def race() -> list[dict[str, Any]]:
        global gate
        gate = asyncio.Barrier(2)
        replies = await asyncio.gather(
            handle_message(event(first, "add", n=1), registry=registry, signer=signer),
            handle_message(event(first, "add", n=10), registry=registry, signer=signer),
        )
        await store.aclose()
        return list(replies)

    replies = asyncio.run(race())
    assert [r["type"] for r in replies] == ["component_update", "component_update"]
    assert len(calls) == 3  # the loser ran again on the winner's state
    assert store.load(key(first)) == {"count": 11}
    assert sorted(json.loads(r["state"])["version"] for r in replies) == [2, 3]


gate: asyncio.Barrier


def test_two_processes_racing_on_one_server_lose_no_update(redis_url: str) -> None:
    race_two_processes(RedisStateStore(redis_url), redis_url)


def test_url_and_missing_package(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(redis_url + "?ttl=5")
    assert isinstance(store, RedisStateStore) and store.ttl == 5.0
    assert repr(store) == f"<RedisStateStore url={redis_url!r} ttl=5.0>"
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'cf-components\[redis\]'"):
        RedisStateStore(redis_url)


def test_core_imports_no_redis() -> None:
    import subprocess

    code = (
        "import sys, component_framework.core, component_framework.core.redis_store, "
        "component_framework.core.sqlite_store, component_framework.core._held_state; "
        "assert 'redis' not in sys.modules, 'redis imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
