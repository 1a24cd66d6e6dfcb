"""Presence across two processes on a real Redis: a join and a meta update on one are seen
on the other, and when that worker is killed (-9) its pages leave, announced by the survivor."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from component_framework.core import ComponentWebSocketManager
from tests._redis import RedisServer

from ._presence_room import join, room_manager
from ._support import FakeConnection

ROOT = Path(__file__).resolve().parents[2]


def _online(page: FakeConnection) -> dict[str, list[Any]]:
    updates = [m["update"] for m in page.sent if m.get("type") == "push_event" and "update" in m]
    if not updates:
        return {}
    online: dict[str, list[Any]] = json.loads(updates[-1]["state"])["online"]
    return {key: [m["typing"] for m in metas] for key, metas in online.items()}


async def _until(condition: Callable[[], bool]) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), 30)  # a generous bound, not a timing


async def _line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return await asyncio.get_running_loop().run_in_executor(None, process.stdout.readline)


async def test_two_processes_see_each_other_and_a_killed_worker_s_pages_leave(
    redis_server: RedisServer,
) -> None:
    manager = room_manager(redis_server.url)
    ann = await join(manager, 0, "ann")
    await manager.flush()
    with subprocess.Popen(
        [sys.executable, "-m", "tests.core._presence_room", redis_server.url, "bob"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as other:
        try:
            await _seen_then_killed(manager, ann, other)
        finally:
            if other.poll() is None:
                other.kill()
            await manager.close()


async def _seen_then_killed(
    manager: ComponentWebSocketManager, ann: FakeConnection, other: subprocess.Popen[str]
) -> None:
    assert await _line(other) == "joined\n"
    await _until(lambda: _online(ann) == {"ann": [False], "bob": [False]})
    assert manager.presence.list("room:a").keys() == {"ann", "bob"}

    assert other.stdin is not None
    other.stdin.write("typing\n")
    other.stdin.flush()
    assert await _line(other) == "typed\n"
    await _until(lambda: _online(ann) == {"ann": [False], "bob": [True]})

    other.send_signal(signal.SIGKILL)  # its socket closes nothing: the worker is gone
    other.wait()
    await _until(lambda: _online(ann) == {"ann": [False]})
    assert manager.presence.list("room:a").keys() == {"ann"}


async def test_a_worker_taken_for_dead_puts_its_live_pages_back(
    redis_server: RedisServer,
) -> None:
    # No background heartbeat: the test's own beat is the one that must put the page back.
    manager = room_manager(redis_server.url, heartbeat=3600)
    try:
        await join(manager, 0, "ann")
        await manager.flush()
        presence = manager.presence
        # As after a Redis outage longer than the TTL: another worker reaped this one.
        [(topic, _, key, _)] = await presence.registry.reap(-60)
        assert (topic, key) == ("room:a", "ann")
        assert presence.list("room:a") == {}
        await presence._beat_once()  # its next heartbeat
        assert presence.list("room:a").keys() == {"ann"}
    finally:
        await manager.close()
