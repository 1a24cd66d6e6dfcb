"""A feed that loads more posts as its last one scrolls into view."""

from __future__ import annotations

from component_framework.core import Component, registry

PAGE = 10
TOTAL = 50


@registry.register("feed")
class Feed(Component):
    template_name = "feed.html"

    def mount(self) -> None:
        super().mount()
        self.state["shown"] = PAGE

    async def on_more(self) -> None:
        self.state["shown"] = min(self.state["shown"] + PAGE, TOTAL)

    def get_context(self) -> dict[str, object]:
        return {**super().get_context(), "total": TOTAL}
