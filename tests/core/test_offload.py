"""The worker pool that runs sync component code off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from component_framework.core._offload import WorkerPool

_request: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")


async def test_a_call_returns_its_result_from_another_thread() -> None:
    pool = WorkerPool()
    loop_thread = threading.current_thread()
    thread, total = await pool.run(lambda a, b: (threading.current_thread(), a + b), 2, 3)
    assert total == 5
    assert thread is not loop_thread


async def test_a_call_raises_its_exception_in_the_caller() -> None:
    def fail() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        await WorkerPool().run(fail)


async def test_the_caller_s_context_variables_are_visible() -> None:
    _request.set("GET /")
    assert await WorkerPool().run(_request.get) == "GET /"


async def test_a_burst_of_short_calls_runs_on_one_thread() -> None:
    pool = WorkerPool(patience=60)
    threads = await asyncio.gather(*(pool.run(threading.current_thread) for _ in range(50)))
    assert len(set(threads)) == 1
    assert pool.workers == 1


async def test_a_blocked_worker_does_not_hold_up_other_calls() -> None:
    pool = WorkerPool(patience=0.01)
    release = threading.Event()
    blocked = asyncio.ensure_future(pool.run(release.wait, 10))
    await asyncio.sleep(0.05)  # the first call is running and blocked
    # Another worker takes the call after the patience delay; the first one is still blocked.
    assert await asyncio.wait_for(pool.run(lambda: "quick"), timeout=5) == "quick"
    assert not blocked.done()
    release.set()
    assert await blocked is True
    assert pool.workers == 2


async def test_slow_calls_run_side_by_side_up_to_max_workers() -> None:
    pool = WorkerPool(max_workers=3, patience=0.005)
    gate = threading.Barrier(3, timeout=10)
    # Three calls that each wait for the other two: they finish only if all run at once.
    assert sorted(await asyncio.gather(*(pool.run(gate.wait) for _ in range(3)))) == [0, 1, 2]
    assert pool.workers == 3
    done = await asyncio.gather(*(pool.run(time.sleep, 0.02) for _ in range(6)))
    assert done == [None] * 6
    assert pool.workers == 3


async def test_idle_workers_exit_and_new_ones_start_on_demand() -> None:
    pool = WorkerPool(idle_timeout=0.05)
    assert await pool.run(lambda: 1) == 1
    deadline = time.monotonic() + 5
    while pool.workers and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert pool.workers == 0
    assert await pool.run(lambda: 2) == 2


async def test_a_cancelled_caller_drops_the_result() -> None:
    pool = WorkerPool()
    release = threading.Event()
    waiting = asyncio.ensure_future(pool.run(release.wait, 10))
    await asyncio.sleep(0.02)
    waiting.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The pool goes on working after the dropped result.
    assert await pool.run(lambda: "next") == "next"


def test_calls_from_several_event_loops() -> None:
    pool = WorkerPool()
    assert [asyncio.run(pool.run(lambda i=i: i * 2)) for i in range(3)] == [0, 2, 4]
