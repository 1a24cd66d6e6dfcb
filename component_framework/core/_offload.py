"""Run sync component code off the event loop, on as few worker threads as keep up.

``asyncio.to_thread`` hands each call to a pool of up to ``cpu_count + 4`` threads through
``concurrent.futures``. For short CPU-bound calls (a handler and a template render take a few
hundred microseconds) the hop can cost as much as the work: every call wakes another idle
thread, the threads and the event loop then trade the GIL, and each call builds two futures
with their locks. Measured in one uvicorn process under load (bench/README.md), the hop added
about 250 us of CPU per counter event through ``asyncio.to_thread`` and about 100 us through
this pool.

A call goes to a sleeping (or new) worker unless a worker is busy with a call it started less
than ``patience`` seconds ago; then it waits in a queue that the busy workers drain as soon as
they finish, so a burst of short calls runs back to back on one thread. A timer on the caller's
event loop makes sure no call waits much longer than ``patience`` behind workers that are
blocked (a database query, ``time.sleep``): it wakes or starts another worker, up to
``max_workers``, so slow handlers still run side by side. (A watcher thread would do the same
without a loop, but its wake-ups every few milliseconds under load cost as much as the pool
saves.) Workers idle for ``idle_timeout`` seconds exit. Results go back through a per-loop
outbox that the loop drains in one callback, so a burst costs one wake-up of the loop, not one
per call.

Like ``asyncio.to_thread``: the caller's context variables are visible in the call; a call
whose caller was cancelled before it started does not run; at interpreter exit, calls in
progress get up to 30 seconds to finish. Unlike it, one pool serves every event loop of the
process.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["WorkerPool", "run_sync"]

logger = logging.getLogger("component_framework")

T = TypeVar("T")

_Job = tuple[
    float,
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
]


# (future, result, error) of a finished call
_Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


class _Worker:
    __slots__ = ("started", "wake")

    def __init__(self) -> None:
        self.started = 0.0  # when the call in progress began; 0.0 while idle
        self.wake = threading.Lock()  # held while the worker sleeps; released to wake it
        self.wake.acquire()


class WorkerPool:
    """Threads for sync calls from async code; see the module docstring.

    Args:
        max_workers: Most threads at once (default: ``min(32, cpu_count + 4)``, as asyncio's).
        patience: Seconds a call may wait behind a busy worker before another one takes it.
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
        this = weakref.ref(self)
        # A forked child (a pre-forking server) has none of the parent's threads.
        os.register_at_fork(after_in_child=lambda: _call(this, "_reset"))
        atexit.register(_call, this, "_wait_idle")

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)  # notified when nothing is left to do
        self._jobs: deque[_Job] = deque()
        self._idle: list[_Worker] = []  # a stack: the most recently busy worker is woken first
        self._busy: list[_Worker] = []
        self._threads = 0
        # Event loops with a relief timer pending: one per loop, so a loop that stops or
        # closes never leaves the calls of another loop without one.
        self._timed: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self._outbox: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}

    @property
    def workers(self) -> int:
        """How many worker threads are alive (busy or idle)."""
        return self._threads

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        """Call ``func(*args)`` in a worker thread and return (or raise) its result.

        Raises:
            RuntimeError: No worker thread could be started and none is running.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        now = time.monotonic()
        job: _Job = (now, loop, future, contextvars.copy_context(), func, args)
        with self._lock:
            self._jobs.append(job)
            try:
                handed = self._all_blocked(now) and self._add_worker()
            except RuntimeError:
                if not self._threads:  # nobody would ever run it
                    self._jobs.remove(job)
                    raise
                handed = False
            timer_needed = not handed and loop not in self._timed
            if timer_needed:
                self._timed.add(loop)
        if timer_needed:
            loop.call_later(self.patience, self._relieve, loop)
        return await future

    def _all_blocked(self, now: float) -> bool:
        """Whether no busy worker started its call recently; call with the lock held."""
        horizon = now - self.patience
        return all(worker.started < horizon for worker in self._busy)

    def _add_worker(self) -> bool:
        """Wake the most recently idle worker, or start one; call with the lock held.

        Raises:
            RuntimeError: The thread could not be started.
        """
        if self._idle:
            worker = self._idle.pop()
            worker.started = time.monotonic()  # committed to a call: not a blocked worker
            self._busy.append(worker)
            worker.wake.release()
            return True
        if self._threads >= self.max_workers:
            return False
        worker = _Worker()
        worker.started = time.monotonic()
        thread = threading.Thread(target=self._work, args=(worker,), name="cf-worker", daemon=True)
        thread.start()  # raises before any bookkeeping changes
        self._threads += 1
        self._busy.append(worker)
        return True

    # ---------- Worker threads ----------

    def _work(self, me: _Worker) -> None:
        while True:
            with self._lock:
                if self._jobs:
                    job: _Job | None = self._jobs.popleft()
                    me.started = time.monotonic()
                else:
                    job = None
                    me.started = 0.0
                    self._busy.remove(me)
                    self._idle.append(me)
                    if not self._busy:
                        self._settled.notify_all()
            if job is not None:
                self._execute(job)
                continue
            if not me.wake.acquire(timeout=self.idle_timeout):
                with self._lock:
                    if me in self._idle:  # nobody woke us meanwhile: retire
                        self._idle.remove(me)
                        self._threads -= 1
                        return
                me.wake.acquire()  # a waker popped us just now; take its release

    def _execute(self, job: _Job) -> None:
        _, loop, future, context, func, args = job
        if future.cancelled():  # the caller gave up before the call started
            return
        try:
            outcome: _Outcome = (future, context.run(func, *args), None)
        except StopIteration as exc:  # a future cannot carry it (PEP 479 does the same)
            error = RuntimeError("StopIteration raised in a sync handler")
            error.__cause__ = exc
            outcome = (future, None, error)
        except BaseException as exc:  # delivered to the awaiting coroutine
            outcome = (future, None, exc)
        # Results wait in the loop's outbox; only the first of a batch wakes the loop. Each
        # wake-up is a write to the loop's self-pipe after which the loop and the worker trade
        # the GIL: one per result would interleave every call with the loop's work (about
        # three times the thread switches, measured). A result never waits for another call:
        # the loop drains the outbox as soon as it gets the GIL.
        with self._lock:
            box = self._outbox.setdefault(loop, [])
            box.append(outcome)
            first = len(box) == 1
        if first:
            try:
                loop.call_soon_threadsafe(self._drain, loop)
            except RuntimeError:  # the loop closed meanwhile: nobody is waiting
                with self._lock:
                    self._outbox.pop(loop, None)

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            outcomes = self._outbox.pop(loop, [])
        for future, result, error in outcomes:
            if future.cancelled():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _relieve(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give every call that has waited ``patience`` seconds a worker of its own."""
        with self._lock:
            now = time.monotonic()
            stale = sum(1 for job in self._jobs if job[0] <= now - self.patience)
            try:
                while stale and self._all_blocked(now) and self._add_worker():
                    stale -= 1
            except RuntimeError:
                logger.exception("Could not start a worker thread for a waiting handler")
            waiting = any(job[1] is loop for job in self._jobs)
            if not waiting:
                self._timed.discard(loop)
        if waiting:
            loop.call_later(self.patience, self._relieve, loop)

    def _wait_idle(self, timeout: float = 30) -> None:
        """Wait, at most *timeout* seconds, until no call is queued or running (at exit)."""
        with self._lock:
            self._settled.wait_for(lambda: not self._busy, timeout)


def _call(ref: weakref.ref[WorkerPool], method: str) -> None:
    pool = ref()
    if pool is not None:
        getattr(pool, method)()


_pool = WorkerPool()


async def run_sync(func: Callable[..., T], /, *args: Any) -> T:
    """Run ``func(*args)`` on the shared worker pool: ``await run_sync(render, component)``."""
    return await _pool.run(func, *args)
