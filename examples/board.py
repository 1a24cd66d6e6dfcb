"""The live board's messages: shared by every page of every process, so kept in a store.

Data every page shares lives in a store every process reaches, never in a process's memory:
with several workers each has its own, and a page would show the list of whichever worker
renders it. Here the store is the broker's Redis when pushes cross processes
(``CF_BROKER_URL``), else this process's memory (one process: every page shares it). A real
app uses its database.
"""

from __future__ import annotations

import os

from component_framework.core import ws_manager
from component_framework.core.exceptions import StateConflictError
from component_framework.core.state import open_store

KEY = "example:live_board"
KEEP = 10  # the latest messages are kept, the older ones dropped
store = open_store(os.environ.get("CF_BROKER_URL") or "memory:", ttl=None)


def messages() -> list[str]:
    """The latest messages, oldest first."""
    stored = store.load_versioned(KEY)
    return list(stored.state["messages"]) if stored else []


async def post(text: str) -> list[str]:
    """Add *text*, have every page of every process read the board again; return the board."""
    while True:
        stored = await store.aload_versioned(KEY)
        current, version = (stored.state["messages"], stored.version) if stored else ([], 0)
        latest = [*current, text][-KEEP:]
        try:  # compare-and-set: a post another process made meanwhile is never overwritten
            await store.asave_versioned(KEY, {"messages": latest}, version)
            break
        except StateConflictError:
            continue  # add to the newer list
    await ws_manager.push_event("live_board", "refresh")
    return latest
