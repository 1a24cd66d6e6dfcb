"""The thread limit of sync messages: a setting, and what happens when it is reached."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import component_framework.core.threads as threads
from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.protocol import dispatch_message
from component_framework.core.signing import Signer
from component_framework.core.threads import set_thread_limit, thread_limit

from ._support import Plain


@pytest.fixture
def limit(cf_defaults: None) -> None:
    """The process-wide thread limit, restored after the test (cf_defaults)."""


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, limit: None) -> None:
    monkeypatch.setenv("CF_THREAD_LIMIT", "7")
    assert thread_limit() == 7
    set_thread_limit(3)
    assert thread_limit() == 3


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_a_bad_limit_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, value: str, limit: None
) -> None:
    monkeypatch.setenv("CF_THREAD_LIMIT", value)
    with pytest.raises(ConfigurationError, match=f"CF_THREAD_LIMIT must be .* got {value!r}"):
        thread_limit()
    with pytest.raises(ConfigurationError, match="thread limit must be"):
        set_thread_limit(0)


async def test_when_every_thread_is_busy_async_events_run_and_sync_ones_wait(
    fresh_registry: ComponentRegistry, signer: Signer, limit: None
) -> None:
    release = threading.Event()
    started: list[str] = []

    @fresh_registry.register("worker")
    class Worker(Component):
        renderer = Plain()
        template_name = "worker.html"

        def on_block(self) -> None:
            started.append("block")
            release.wait(30)

        def on_quick(self) -> None:
            started.append("quick")

        async def on_async_quick(self) -> None:
            started.append("async")

    set_thread_limit(2)

    def send(event: str) -> asyncio.Task[dict[str, Any]]:
        message = {"component": "worker", "event": event}
        return asyncio.create_task(
            dispatch_message(message, registry=fresh_registry, signer=signer)
        )

    blocked = [send("block"), send("block")]
    while started.count("block") < 2:  # both threads are now held by on_block
        await asyncio.sleep(0.001)
    waiting = send("quick")
    reply = await send("async_quick")  # runs on the loop: nothing holds it up
    assert reply["type"] == "component_update"
    assert "quick" not in started and not waiting.done()  # no thread is free for it
    release.set()
    await asyncio.gather(*blocked, waiting)
    assert started == ["block", "block", "async", "quick"]


async def test_wrap_sync_hops_enters_the_setup_in_the_worker_thread() -> None:
    seen: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def setup() -> Iterator[None]:
        seen.append(("enter", threading.current_thread().name))
        yield
        seen.append(("exit", threading.current_thread().name))

    def work() -> str:
        seen.append(("work", threading.current_thread().name))
        return "done"

    async def one_request() -> str:
        threads.wrap_sync_hops(setup)  # per request: this task's context only
        return await threads.run_sync(work)

    assert await asyncio.create_task(one_request()) == "done"
    assert [step for step, _ in seen] == ["enter", "work", "exit"]
    assert {name for _, name in seen} == {seen[1][1]} and seen[1][1].startswith("cf-sync")
    seen.clear()
    assert await threads.run_sync(work) == "done"  # another context: no setup
    assert [step for step, _ in seen] == ["work"]
