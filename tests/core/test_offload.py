"""The worker pool that runs sync component code off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
import threading
import time
from pathlib import Path

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


async def test_a_call_cancelled_before_it_started_does_not_run() -> None:
    pool = WorkerPool(max_workers=1)
    release = threading.Event()
    ran: list[int] = []
    first = asyncio.ensure_future(pool.run(release.wait, 10))
    await asyncio.sleep(0.02)
    later = [asyncio.ensure_future(pool.run(ran.append, i)) for i in range(3)]
    await asyncio.sleep(0.02)
    for call in later:
        call.cancel()
    release.set()
    assert await first is True
    assert await pool.run(ran.append, 99) is None
    assert ran == [99]


async def test_stop_iteration_reaches_the_caller_as_a_runtime_error() -> None:
    def stop() -> None:
        raise StopIteration

    with pytest.raises(RuntimeError, match="StopIteration"):
        await asyncio.wait_for(WorkerPool().run(stop), timeout=10)


async def test_a_thread_that_cannot_start_is_an_error_and_the_pool_recovers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = WorkerPool()
    start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        if self.name == "cf-worker":
            raise RuntimeError("can't start new thread")
        start(self)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        await pool.run(lambda: 1)
    monkeypatch.setattr(threading.Thread, "start", start)
    assert await pool.run(lambda: 2) == 2
    assert pool.workers == 1


def test_a_call_from_one_loop_is_not_held_up_by_a_blocked_call_from_another() -> None:
    pool = WorkerPool(patience=0.01)
    release = threading.Event()
    blocked = threading.Thread(target=lambda: asyncio.run(pool.run(release.wait, 10)))
    blocked.start()
    time.sleep(0.05)
    try:
        assert asyncio.run(asyncio.wait_for(pool.run(lambda: "free"), timeout=5)) == "free"
    finally:
        release.set()
        blocked.join()


def test_calls_in_progress_finish_before_the_interpreter_exits(tmp_path: Path) -> None:
    marker = tmp_path / "written"
    code = (
        "import asyncio, time\n"
        "from component_framework.core._offload import run_sync\n"
        "def slow_write():\n"
        "    time.sleep(0.3)\n"
        f"    open({str(marker)!r}, 'w').write('done')\n"
        "async def main():\n"
        "    try:\n"
        "        await asyncio.wait_for(run_sync(slow_write), timeout=0.05)\n"
        "    except asyncio.TimeoutError:\n"
        "        pass\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "done"
