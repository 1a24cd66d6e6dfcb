"""RedisStateStore against a real redis-server: its keys, its round trips, several processes.

The contract every store keeps (expiry included) is tested in test_state_stores.py.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import pytest
import redis

from component_framework.core import Component
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.protocol import (
    dispatch_message,
    render_component,
)
from component_framework.core.redis_store import RedisStateStore
from component_framework.core.signing import Signer
from component_framework.core.state import open_store
from tests._redis import RedisServer

from ._held import counter_registry, event, key, race_two_processes


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of this test's own (empty) server."""
    return redis_server.url


def test_one_hash_per_state_with_a_server_expiry_a_write_starts_again(redis_url: str) -> None:
    store = RedisStateStore(redis_url, ttl=3600)
    client = redis.Redis.from_url(redis_url)
    store.save_versioned("cart:c1:00ff", {"n": 1, "s": "é"}, 0)
    # Beside the state, the store's byte count: total, each key's bytes, each key's expiry.
    assert sorted(client.keys("*")) == [
        b"cf:state:cart:c1:00ff",
        b"cf:state:~bytes",
        b"cf:state:~expiry",
        b"cf:state:~size",
    ]
    size = len("cart:c1:00ff") + len('{"n":1,"s":"é"}'.encode())
    assert client.get("cf:state:~bytes") == str(size).encode() and store.used_bytes() == size
    assert client.hgetall("cf:state:cart:c1:00ff") == {
        b"s": '{"n":1,"s":"é"}'.encode(),
        b"v": b"1",
    }
    client.pexpire("cf:state:cart:c1:00ff", 1000)  # as if most of the hour had passed
    store.save_versioned("cart:c1:00ff", {"n": 2}, 1)
    assert 3590_000 < client.pttl("cf:state:cart:c1:00ff") <= 3600_000
    RedisStateStore(redis_url, ttl=None, prefix="other:").save("k", {})
    assert client.pttl("other:k") == -1  # no expiry
    client.close()
    store.close()


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


def test_two_processes_racing_on_one_server_lose_no_update(redis_url: str) -> None:
    store = RedisStateStore(redis_url)
    race_two_processes(store, redis_url)
    store.close()


def test_url_and_missing_package(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(redis_url + "?ttl=5")
    assert isinstance(store, RedisStateStore) and store.ttl == 5.0
    assert repr(store) == f"<RedisStateStore url={redis_url!r} ttl=5.0>"
    store.close()
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
