"""A counter: the smallest useful component."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from component_framework.core import Component, registry

# The client picks a payload: bound every argument (a huge `amount` would be absurd).
Amount = Annotated[int, Field(ge=1, le=100)]


@registry.register("counter")
class Counter(Component):
    """Counts clicks. Mount with ``start`` to begin elsewhere than zero."""

    template_name = "counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)

    # `async def` runs on the event loop: right for a handler that only changes state.
    # A `def` handler runs in a worker thread: use it for anything that may block.
    async def on_increment(self, amount: Amount = 1) -> None:
        self.state["count"] += amount

    async def on_decrement(self, amount: Amount = 1) -> None:
        self.state["count"] -= amount

    async def on_reset(self) -> None:
        self.state["count"] = 0
