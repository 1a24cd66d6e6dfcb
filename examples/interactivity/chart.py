"""Bars drawn by the page's own JavaScript (a hook), fed by the server's browser events."""

from __future__ import annotations

import random
from typing import Annotated

from pydantic import Field

from component_framework.core import Component, registry

BARS = 6


@registry.register("bar_chart")
class BarChart(Component):
    template_name = "bar_chart.html"
    browser_events = ("bars:data",)

    def mount(self) -> None:
        super().mount()
        self.state.update(values=[3, 5, 2, 6, 4, 1], picked=None)

    async def on_shuffle(self) -> None:
        self.state["values"] = [random.randint(1, 9) for _ in range(BARS)]
        self.state["picked"] = None
        self.dispatch_browser_event("bars:data", {"values": self.state["values"]})

    async def on_pick(self, index: Annotated[int, Field(ge=0, lt=BARS)]) -> None:
        self.state["picked"] = index
