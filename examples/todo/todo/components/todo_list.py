"""The todo list: shared by every open page, each page with its own filter."""

from __future__ import annotations

from component_framework.core import Component, registry, ws_manager

from .. import store

FILTERS = ("all", "open", "done")


@registry.register("todo_list")
class TodoList(Component):
    """Add, toggle and delete items every page sees; show all, open or done items per page."""

    template_name = "todo_list.html"
    live = True  # the page subscribes to server pushes
    resync_event = "refresh"  # a page that missed pushes (a reconnect) catches up with this

    def mount(self) -> None:
        super().mount()
        self.state["filter"] = "all"
        self.state["items"] = store.items()

    async def on_add(self, form_data: dict[str, str]) -> None:
        text = str(form_data.get("text", "")).strip()
        if not text:
            self.errors["text"] = "Write something first."
            return
        store.add(text[:200])
        await self._changed()

    async def on_toggle(self, item: int, value: bool) -> None:
        store.set_done(item, value)  # the checkbox's new checked state
        await self._changed()

    async def on_delete(self, item: int) -> None:
        store.delete(item)
        await self._changed()

    async def on_show(self, value: str) -> None:
        # This page's own state: never pushed, so other pages keep their filter.
        self.state["filter"] = value if value in FILTERS else "all"

    async def on_refresh(self) -> None:
        # Pushed to every page when the list changes: each reloads it, keeping its filter.
        self.state["items"] = store.items()

    async def _changed(self) -> None:
        self.state["items"] = store.items()
        await ws_manager.push_event("todo_list", "refresh", {})

    def before_render(self) -> None:
        shown = self.state["filter"]
        self.state["visible"] = [
            item
            for item in self.state["items"]
            if shown == "all" or item["done"] == (shown == "done")
        ]
