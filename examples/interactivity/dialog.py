"""A dialog that Escape and a click outside it close."""

from __future__ import annotations

from component_framework.core import Component, registry


@registry.register("rename_dialog")
class RenameDialog(Component):
    template_name = "rename_dialog.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(name="Untitled", open=False)

    async def on_open(self) -> None:
        self.state["open"] = True

    async def on_close(self) -> None:
        self.state["open"] = False

    async def on_rename(self, form_data: dict[str, str]) -> None:
        self.state.update(name=form_data.get("name", "").strip()[:60] or "Untitled", open=False)
