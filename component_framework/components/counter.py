"""A counter, registered as ``"counter"`` on import (0.6.0's ready-made example component).

Its template is yours: ``counter.html``, reading ``state.count``. Mount it with
``initial`` (default 0); its events are ``increment``, ``decrement`` (both with ``amount``,
default 1, at most 1000 at a time) and ``reset``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from component_framework.core.component import Component
from component_framework.core.registry import registry

__all__ = ["Counter"]

Amount = Annotated[int, Field(ge=0, le=1000)]


@registry.register("counter")
class Counter(Component):
    """A count that the page increments, decrements and resets."""

    template_name = "counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("initial", 0)

    def on_increment(self, amount: Amount = 1) -> None:
        self.state["count"] += amount

    def on_decrement(self, amount: Amount = 1) -> None:
        self.state["count"] -= amount

    def on_reset(self) -> None:
        self.state["count"] = 0
