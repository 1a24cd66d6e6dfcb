"""What the security tests share: a small app of components, and the requests an attacker sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import jinja2
from starlette.applications import Starlette

from component_framework.core import Component, ComponentRegistry, StreamingComponent
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

KEY = "security-tests-secret-key-0123456789"
HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}

TEMPLATES = {
    "counter.html": "<p>{{ state.count }} {{ state.label }}</p>",
    "steps.html": "<p>{{ state.step }}</p>",
}

RENDERER = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))
STEPS_RUN: list[int] = []
"""Every step a ``steps`` stream rendered (to see whether a stream stopped)."""


def build_registry() -> ComponentRegistry:
    """A fresh registry with ``counter`` (sync handlers) and ``steps`` (streaming)."""
    registry = ComponentRegistry()

    @registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = RENDERER

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)
            self.state["label"] = self.params.get("label", "")

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

        def on_label(self, text: str) -> None:
            self.state["label"] = text

    @registry.register("steps")
    class Steps(StreamingComponent):
        template_name = "steps.html"
        renderer = RENDERER

        def mount(self) -> None:
            super().mount()
            self.state["step"] = 0

        async def on_run(self, count: int = 2) -> AsyncIterator[None]:
            for step in range(1, count + 1):
                self.state["step"] = step
                STEPS_RUN.append(step)
                yield

    return registry


def build_app(signer: Signer | None = None, **options: Any) -> tuple[ComponentApp, Starlette]:
    """A production ``ComponentApp`` over :func:`build_registry`, and a Starlette app for it."""
    components = ComponentApp(registry=build_registry(), signer=signer or Signer([KEY]), **options)
    return components, Starlette(routes=[components.mount()])


def message(reply: dict[str, Any], event: str | None = None, **fields: Any) -> dict[str, Any]:
    """The message that sends *reply*'s state back, firing *event*; *fields* override any key."""
    return {
        "type": "component_event",
        "component": fields.pop("component", "counter"),
        "component_id": reply["component_id"],
        "event": event,
        "payload": {},
        "state": reply["state"],
        "checksum": reply["checksum"],
        **fields,
    }
