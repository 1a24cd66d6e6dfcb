"""Worker threads for sync component code: one standard executor, one seam (``run_sync``).

A message for a component with a ``def`` handler runs whole in one call of :func:`run_sync`;
an ``async def`` handler runs on the event loop. The threads come from a stdlib
``ThreadPoolExecutor`` whose size is the thread limit: ``CF_THREAD_LIMIT`` in the environment,
or :func:`set_thread_limit` (default 40, as Starlette's ``anyio.to_thread`` allows). When every
thread is busy, further sync messages wait for one; async handlers are not delayed.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .exceptions import ConfigurationError

__all__ = ["DEFAULT_THREAD_LIMIT", "run_sync", "set_thread_limit", "thread_limit"]

T = TypeVar("T")

DEFAULT_THREAD_LIMIT = 40
"""Threads for sync handlers when ``CF_THREAD_LIMIT`` is unset (Starlette's default too)."""

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


async def run_sync(func: Callable[..., T], /, *args: Any) -> T:
    """Run ``func(*args)`` in a worker thread, with the caller's context variables.

    Example::

        reply = await run_sync(run_message_in_thread, parsed, params, signer)
    """
    import asyncio  # here: core imports without an event loop library

    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(_get_executor(), context.run, func, *args)


def _forget_threads() -> None:
    # A forked child (a pre-forking server) has none of the parent's threads.
    global _executor, _lock
    _executor, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_threads)
