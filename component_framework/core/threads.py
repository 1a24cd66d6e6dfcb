"""Worker threads for sync component code: one standard executor, one seam (``run_sync``).

A message for a component with a ``def`` handler runs whole in one call of ``run_sync``;
an ``async def`` handler runs on the event loop. The threads come from a stdlib
``ThreadPoolExecutor`` whose size is the thread limit: ``CF_THREAD_LIMIT`` in the environment,
or ``set_thread_limit`` (default 40, as Starlette's ``anyio.to_thread`` allows). When every
thread is busy, further sync messages wait for one; async handlers are not delayed.

A host framework whose per-request setup lives in thread-locals (Django's active language,
its database connections) hands a context manager factory to ``wrap_sync_hops`` while it
serves a request: every hop started from that request runs inside ``factory()``, in the
worker thread. Core knows nothing of the framework; the adapter says what to enter.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from .exceptions import ConfigurationError

__all__ = [
    "DEFAULT_THREAD_LIMIT",
    "HopSetup",
    "run_sync",
    "set_thread_limit",
    "thread_limit",
    "wrap_sync_hops",
]

T = TypeVar("T")

DEFAULT_THREAD_LIMIT = 40
"""Threads for sync handlers when ``CF_THREAD_LIMIT`` is unset (Starlette's default too)."""

HopSetup = Callable[[], AbstractContextManager[object]]
"""Makes the context manager a sync hop runs inside (see ``wrap_sync_hops``)."""

_hop_setup: contextvars.ContextVar[HopSetup | None] = contextvars.ContextVar(
    "component_framework_hop_setup", default=None
)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_limit: int | None = None


def _parse_limit(value: Any, where: str) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1:
        raise ConfigurationError(f"{where} must be a whole number of threads >= 1, got {value!r}.")
    return limit


def thread_limit() -> int:
    """The most sync messages that run at once (``CF_THREAD_LIMIT``, else 40)."""
    if _limit is not None:
        return _limit
    value = os.environ.get("CF_THREAD_LIMIT")
    return DEFAULT_THREAD_LIMIT if value is None else _parse_limit(value, "CF_THREAD_LIMIT")


def set_thread_limit(limit: int) -> None:
    """Set how many sync messages may run at once (overrides ``CF_THREAD_LIMIT``).

    Takes effect for the messages that start afterwards; running ones finish on the old threads.

    Raises:
        ConfigurationError: *limit* is not a whole number >= 1.
    """
    global _executor, _limit
    _limit = _parse_limit(limit, "The thread limit")
    with _lock:
        old, _executor = _executor, None
    if old is not None:
        old.shutdown(wait=False)


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    executor = _executor
    if executor is None:
        with _lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(thread_limit(), thread_name_prefix="cf-sync")
            executor = _executor
    return executor


def wrap_sync_hops(setup: HopSetup | None) -> contextvars.Token[HopSetup | None]:
    """Run every sync hop started from the current context inside ``setup()``.

    Set per request by a host adapter, before the message path runs; ``None`` removes it.
    Returns the token to reset the variable with.

    Example:

        wrap_sync_hops(lambda: translation.override(language))
    """
    return _hop_setup.set(setup)


def _run_inside(setup: HopSetup, func: Callable[..., T], args: tuple[Any, ...]) -> T:
    with setup():
        return func(*args)


async def run_sync(func: Callable[..., T], /, *args: Any, executor: Executor | None = None) -> T:
    """Run ``func(*args)`` in a worker thread, with the caller's context variables.

    Inside the context manager set with ``wrap_sync_hops``, when there is one. *executor*:
    another pool than the one of handlers (background tasks have their own).

    Example:

        reply = await run_sync(answer_here, parsed, request, params, config)
    """
    import asyncio  # here: core imports without an event loop library

    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    setup = _hop_setup.get()
    pool = executor or _get_executor()
    if setup is None:
        return await loop.run_in_executor(pool, context.run, func, *args)
    return await loop.run_in_executor(pool, context.run, _run_inside, setup, func, args)


def _snapshot() -> int | None:
    # For component_framework.testing: the limit as set, to restore after a test.
    return _limit


def _restore(saved: int | None) -> None:
    global _executor, _limit
    if saved == _limit:
        return
    with _lock:
        old, _executor, _limit = _executor, None, saved
    if old is not None:
        old.shutdown(wait=False)


def _forget_threads() -> None:
    # A forked child (a pre-forking server) has none of the parent's threads.
    global _executor, _lock
    _executor, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_threads)
