"""A streaming countdown: each ``yield`` sends one frame to the page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from component_framework.core import StreamingComponent, registry


@registry.register("countdown")
class Countdown(StreamingComponent):
    """Counts down to zero, one frame per step."""

    template_name = "countdown.html"

    def mount(self) -> None:
        super().mount()
        self.state["left"] = self.params.get("start", 3)

    async def on_run(self) -> AsyncIterator[None]:
        while self.state["left"] > 0:
            self.state["left"] -= 1
            yield
