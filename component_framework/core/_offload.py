"""Run sync component code off the event loop, on as few worker threads as keep up.

``asyncio.to_thread`` hands each call to a pool of up to ``cpu_count + 4`` threads through
``concurrent.futures``. For short CPU-bound calls (a handler and a template render take a few
hundred microseconds) the hop can cost as much as the work: every call wakes another idle
thread, the threads and the event loop then trade the GIL, and each call builds two futures
with their locks. Measured in one uvicorn process under load (bench/README.md), the hop added
about 250 us of CPU per counter event through ``asyncio.to_thread`` and about 100 us through
this pool.

The pool hands a call to a waiting worker only when no worker is busy. Otherwise the call
waits in a queue that the busy worker drains as soon as it finishes, so a burst of short calls
runs back to back on one thread. A call that has waited ``patience`` seconds means the busy
workers are blocked (a database query, ``time.sleep``): another worker is woken or started for
it, up to ``max_workers``, so slow handlers still run side by side. Workers idle for
``idle_timeout`` seconds exit. Results go back to the loop with ``call_soon_threadsafe``; the
caller's context variables are visible in the call, as with ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["WorkerPool", "run_sync"]

T = TypeVar("T")

_Job = tuple[
    float,
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
]


class _Worker:
    __slots__ = ("wake",)

    def __init__(self) -> None:
        self.wake = threading.Lock()  # held while the worker sleeps; released to wake it
        self.wake.acquire()


class WorkerPool:
    """Threads for sync calls from async code; see the module docstring.

    Args:
        max_workers: Most threads at once (default: ``min(32, cpu_count + 4)``, as asyncio's).
        patience: Seconds a queued call waits for a busy worker before another one takes it.
        idle_timeout: Seconds an idle worker waits for work before it exits.

    Example::

        pool = WorkerPool()
        html = await pool.run(template.render, context)
    """

    def __init__(
        self, max_workers: int | None = None, *, patience: float = 0.005, idle_timeout: float = 30
    ) -> None:
        self.max_workers = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self.patience = patience
        self.idle_timeout = idle_timeout
        self._reset()
        # A forked child (a pre-forking server) has none of the parent's threads.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._jobs: deque[_Job] = deque()
        self._idle: list[_Worker] = []  # a stack: the most recently busy worker is woken first
        self._busy = 0
        self._threads = 0
        self._relief: tuple[asyncio.AbstractEventLoop, asyncio.TimerHandle] | None = None

    @property
    def workers(self) -> int:
        """How many worker threads are alive (busy or idle)."""
        return self._threads

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        """Call ``func(*args)`` in a worker thread and return (or raise) its result.

        Context variables of the caller are visible in the call. If the awaiting task is
        cancelled, the call still runs to its end (a thread cannot be interrupted); its
        result is dropped.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        job: _Job = (time.monotonic(), loop, future, contextvars.copy_context(), func, args)
        with self._lock:
            self._jobs.append(job)
            handed = self._busy == 0 and self._start_worker()
        if not handed:
            self._watch(loop)
        return await future

    def _start_worker(self) -> bool:
        """Wake the most recently idle worker, or start one; call with the lock held."""
        if self._idle:
            worker = self._idle.pop()
            self._busy += 1
            worker.wake.release()
            return True
        if self._threads >= self.max_workers:
            return False
        self._threads += 1
        self._busy += 1
        thread = threading.Thread(
            target=self._work, args=(_Worker(),), name="cf-worker", daemon=True
        )
        thread.start()
        return True

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        # One pending check is enough: it re-arms itself while calls are waiting.
        if self._relief is None or self._relief[0].is_closed():
            self._relief = (loop, loop.call_later(self.patience, self._relieve))

    def _relieve(self) -> None:
        """Give every call that has waited ``patience`` seconds a worker of its own."""
        self._relief = None
        deadline = time.monotonic() - self.patience
        with self._lock:
            stale = 0
            for job in self._jobs:
                if job[0] > deadline:
                    break
                stale += 1
            while stale and self._start_worker():
                stale -= 1
            waiting = bool(self._jobs)
        if waiting:
            self._watch(asyncio.get_running_loop())

    def _work(self, me: _Worker) -> None:
        while True:
            with self._lock:
                job = self._jobs.popleft() if self._jobs else None
                if job is None:
                    self._busy -= 1
                    self._idle.append(me)
            if job is None:
                if not me.wake.acquire(timeout=self.idle_timeout):
                    with self._lock:
                        if me in self._idle:  # nobody woke us meanwhile: retire
                            self._idle.remove(me)
                            self._threads -= 1
                            return
                    me.wake.acquire()  # a waker popped us just now; take its release
                continue
            _execute(job)  # a call of its own, so an idle worker holds no result


def _execute(job: _Job) -> None:
    _, loop, future, context, func, args = job
    try:
        result = context.run(func, *args)
    except BaseException as exc:  # delivered to the awaiting coroutine
        _deliver(loop, future, None, exc)
    else:
        _deliver(loop, future, result, None)


def _deliver(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


_pool = WorkerPool()


async def run_sync(func: Callable[..., T], /, *args: Any) -> T:
    """Run ``func(*args)`` on the shared worker pool: ``await run_sync(render, component)``."""
    return await _pool.run(func, *args)
