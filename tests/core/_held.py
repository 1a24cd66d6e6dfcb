"""A counter with server-held state, importable by the processes a test starts."""

from __future__ import annotations

import os
from typing import Any

from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import StateConflictError
from component_framework.core.protocol import dispatch_message_sync
from component_framework.core.signing import Signer
from component_framework.core.state import StateStore

from ._support import Plain

KEY = "test-secret-key-0123456789abcdef"


def counter_registry(store: StateStore) -> ComponentRegistry:
    """A registry holding ``counter``, whose state lives in *store*."""
    registry = ComponentRegistry()

    @registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = Plain()
        state_store = store

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

    return registry


def event(reply: dict[str, Any], name: str = "increment", **payload: Any) -> dict[str, Any]:
    """The message a page holding *reply* sends for event *name*."""
    return {
        "type": "component_event",
        "component": "counter",
        "component_id": reply["component_id"],
        "event": name,
        "payload": payload,
        "state": reply["state"],
        "checksum": reply["checksum"],
    }


def increment_many(path: str, reply: dict[str, Any], times: int, start: Any, out: Any) -> None:
    """In a child process: fire *times* increments at the page's reference; report counts."""
    from component_framework.core.sqlite_store import SQLiteStateStore

    os.environ.setdefault("CF_SECRET_KEY", KEY)
    registry = counter_registry(SQLiteStateStore(path))
    signer = Signer([KEY], release="1")
    applied = refused = 0
    start.wait()
    for _ in range(times):
        try:
            dispatch_message_sync(event(reply), registry=registry, signer=signer)
            applied += 1
        except StateConflictError:
            refused += 1
    out.put((applied, refused))
