"""Tasks that fade in and out, ticked and removed at once (optimistically)."""

from __future__ import annotations

from typing import Any

from component_framework.core import Component, registry


@registry.register("tasks")
class Tasks(Component):
    template_name = "tasks.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(items=[{"id": 1, "text": "Water the plants", "done": False}], next=2)

    async def on_add(self, value: str) -> None:
        text = value.strip()[:80]
        if text:
            self.state["items"].append({"id": self.state["next"], "text": text, "done": False})
            self.state["next"] += 1

    async def on_toggle(self, id: int) -> None:
        for item in self.state["items"]:
            if item["id"] == id:
                item["done"] = not item["done"]

    async def on_remove(self, id: int) -> None:
        self.state["items"] = [item for item in self.state["items"] if item["id"] != id]

    def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        # What the page shows at once: the items with the clicked one ticked, or flagged gone.
        if event not in ("toggle", "remove"):
            return None
        items = [dict(item) for item in self.state["items"]]
        for item in items:
            if item["id"] == payload.get("id"):
                if event == "toggle":
                    item["done"] = not item["done"]
                else:
                    item["gone"] = True
        return {"items": items}
