"""A counter with server-held state, importable by the processes a test starts."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import StateConflictError
from component_framework.core.protocol import dispatch_message_sync, render_component
from component_framework.core.signing import Signer
from component_framework.core.state import StateStore

from ._support import Plain

KEY = "test-secret-key-0123456789abcdef"


def counter_registry(
    store: StateStore, base: type[Component] = Component, **handlers: Callable[..., Any]
) -> ComponentRegistry:
    """A registry holding ``counter`` (``count`` starts at ``start``, 0 by default), whose
    state lives in *store*; *handlers* (``on_add=function``) add to or replace its own.
    """
    registry = ComponentRegistry()

    class Counter(base):
        template_name = "counter.html"
        renderer = Plain()
        state_store = store

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

        def on_increment_slowly(self) -> None:
            # Widens the window between the read and the write, so racing processes overlap.
            time.sleep(0.002)
            self.state["count"] += 1

    registry.register("counter")(type("Counter", (Counter,), handlers))
    return registry


def key(reply: dict[str, Any]) -> str:
    """The store key of the state the page holding *reply* refers to."""
    return str(json.loads(reply["state"])["key"])


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


def increment_many(url: str, reply: dict[str, Any], times: int, start: Any, out: Any) -> None:
    """In a child process: fire *times* increments at the page's reference; report counts.

    *url* names the store (``sqlite:///...``, ``redis://...``), opened in the child.
    """
    from component_framework.core.state import open_store

    os.environ.setdefault("CF_SECRET_KEY", KEY)
    store = open_store(url)
    registry = counter_registry(store)
    signer = Signer([KEY], release="1")
    applied = refused = 0
    start.wait()
    for _ in range(times):
        try:
            message = event(reply, "increment_slowly")
            dispatch_message_sync(message, registry=registry, signer=signer)
            applied += 1
        except StateConflictError:
            refused += 1
    store.close()
    out.put((applied, refused))


def race_two_processes(store: StateStore, url: str, times: int = 150) -> None:
    """Two processes fire *times* increments each at one component; assert none was lost."""
    registry = counter_registry(store)
    signer = Signer(["test-secret-key-0123456789abcdef"], release="1")
    first = render_component("counter", registry=registry, signer=signer)
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=increment_many, args=(url, first, times, start, out))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    applied = sum(a for a, _ in outcomes)
    refused = sum(r for _, r in outcomes)
    assert applied + refused == 2 * times
    # Every increment the pages were told succeeded is in the stored count; none vanished.
    stored = store.load_versioned(key(first))
    assert stored is not None
    assert stored.state == {"count": applied}
    assert stored.version == 1 + applied
