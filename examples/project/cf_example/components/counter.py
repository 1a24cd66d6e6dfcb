"""A counter: the smallest useful component."""

from __future__ import annotations

from component_framework.core import Component, registry


@registry.register("counter")
class Counter(Component):
    """Counts clicks. Mount with ``start`` to begin elsewhere than zero."""

    template_name = "counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount

    def on_decrement(self, amount: int = 1) -> None:
        self.state["count"] -= amount

    def on_reset(self) -> None:
        self.state["count"] = 0
