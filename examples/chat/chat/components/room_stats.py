"""The room statistics panel: counted after the page has loaded (a lazy component)."""

from __future__ import annotations

from typing import Any, ClassVar

from component_framework.core import Component, registry

from .. import db


@registry.register("room_stats")
class RoomStats(Component):
    """Counts over a room's messages. The page shows a placeholder until they are ready,
    and a click on "Refresh" counts again."""

    template_name = "room_stats.html"
    placeholder_template = "room_stats_placeholder.html"
    lazy: ClassVar[bool] = True
    stories: ClassVar[dict[str, Any]] = {"general": {"params": {"room": "general"}}}

    def mount(self) -> None:
        super().mount()
        self.state["room"] = self.params["room"]
        self.on_refresh()

    def on_refresh(self) -> None:
        stats = db.stats(self.state["room"])
        self.state.update(
            messages=stats.messages,
            authors=stats.authors,
            busiest=stats.busiest,
            today=stats.today,
        )
