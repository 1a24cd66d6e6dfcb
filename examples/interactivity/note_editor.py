"""A note: saving shows its progress, deleting asks first, unsaved changes are marked."""

from __future__ import annotations

import asyncio

from component_framework.core import Component, registry

SAVE_SECONDS = 0.4  # a slow save, so the page's loading state shows


@registry.register("note_editor")
class NoteEditor(Component):
    template_name = "note_editor.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(title="Shopping", body="Milk, bread", saves=0, deleted=False, error="")

    async def on_check_title(self, value: str) -> None:
        self.state["error"] = "" if value.strip() else "A note needs a title."

    async def on_save(self, form_data: dict[str, str]) -> None:
        await asyncio.sleep(SAVE_SECONDS)
        title = form_data.get("title", "").strip()[:80]
        if not title:
            self.state["error"] = "A note needs a title."
            return
        body = form_data.get("body", "")[:2000]
        self.state.update(title=title, body=body, error="", saves=self.state["saves"] + 1)

    async def on_delete(self) -> None:
        self.state["deleted"] = True
