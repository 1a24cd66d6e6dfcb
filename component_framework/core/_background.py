"""The process's background event loop, for code that has none (a WSGI server, a script).

A WSGI host (Flask under Werkzeug or gunicorn) runs ``async def`` handlers, the WebSocket and
push delivery on it; a push made where no app loop runs (a management command, a job) is
published from it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["BackgroundLoop", "background_loop"]

T = TypeVar("T")


class BackgroundLoop:
    """One event loop in a daemon thread, for a process whose server has none.

    Started on first use, and again in a forked child (a loop's thread does not survive a
    fork), so a gunicorn worker gets its own whether the app was loaded before the fork or not.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0

    def __repr__(self) -> str:
        running = self._loop is not None and self._pid == os.getpid()
        return f"<BackgroundLoop running={running}>"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (started now if it is not)."""
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="cf-background-loop", daemon=True
                )
                self._thread.start()
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run *coroutine* on the loop and wait for its result (from any other thread).

        Raises:
            RuntimeError: Called on the loop itself (an ``async def`` handler): await there.
        """
        loop = self.loop
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError(
                "This runs on the background event loop already (an async def handler): "
                "await the coroutine (await ws_manager.push_event(...)) instead."
            )
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def stop(self) -> None:
        """Cancel what runs on the loop, then stop it and its thread (a process exiting needs
        none of this: the thread is a daemon)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or self._pid != os.getpid():
            return
        asyncio.run_coroutine_threadsafe(_cancel_tasks(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


async def _cancel_tasks() -> None:
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_background = BackgroundLoop()


def background_loop() -> BackgroundLoop:
    """The process's background loop, started on first use."""
    return _background
