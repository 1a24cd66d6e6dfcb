"""A counter whose label comes from Python, so a Python edit shows in the page."""

from __future__ import annotations

from typing import Any

from component_framework.core import Component, registry

LABEL = "Count"


@registry.register("counter")
class Counter(Component):
    """Counts clicks."""

    template_name = "counter.html"
    stories = {
        "zero": {"doc": "As mounted."},
        "busy": {"params": {"start": 40}, "doc": "A large count."},
        "stepped": {"state": {"count": 3, "step": 5}},
    }

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)
        self.state["step"] = self.params.get("step", 1)

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount

    def on_reset(self) -> None:
        self.state["count"] = 0
        # What the page is asked to do, for the event log: a browser event, an emitted event.
        self.dispatch_browser_event("counter:reset", {"count": 0})
        self.emit("increment", {"amount": 0}, to="counter")

    def get_context(self) -> dict[str, Any]:
        return {**super().get_context(), "label": LABEL}
