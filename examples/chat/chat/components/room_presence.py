"""Who is in a room, and who is typing: presence on the topic ``room:<slug>``.

Every page of the room tracks one entry there, keyed by the name of the person signed in, with
``{"typing": ...}`` as its metadata; every page gets each join, leave and change as a diff, on
every process (through Redis). The room's form says when its person starts or stops typing
(``Room.on_typing`` emits ``typing`` to this panel).
"""

from __future__ import annotations

from typing import Any, ClassVar

from component_framework.core import Component, registry, ws_manager
from component_framework.core.permissions import BasePermission, IsAuthenticated
from component_framework.core.presence import Track, apply_diff


def topic(room: str) -> str:
    """The presence topic of *room*: ``room:general``."""
    return f"room:{room}"


@registry.register("room_presence")
class RoomPresence(Component):
    """The people on the room's pages (``room``), as ``name`` (the person signed in) sees it."""

    template_name = "room_presence.html"
    live: ClassVar[bool] = True  # presence rides on the page's socket
    permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]
    stories: ClassVar[dict[str, Any]] = {
        "general": {"params": {"room": "general", "name": "ada"}, "user": "ada"}
    }

    def mount(self) -> None:
        super().mount()
        # Both set by the page's view, from the session: signed with the state.
        self.state["room"] = self.params["room"]
        self.state["name"] = self.params["name"]
        self.state["online"] = ws_manager.presence.list(topic(self.params["room"]))

    def track_presence(self) -> Track:
        return Track(topic(self.state["room"]), self.state["name"], {"typing": False})

    def on_presence(
        self, joins: dict[str, Any], leaves: dict[str, Any], reset: bool = False
    ) -> None:
        self.state["online"] = apply_diff(self.state["online"], joins, leaves, reset)

    def on_typing(self, on: bool) -> None:
        """Sent by the room's form of this page: its person started or stopped typing."""
        ws_manager.presence.update(self, typing=on)

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        online: dict[str, list[dict[str, Any]]] = self.state["online"]
        # One person may have the room open in two tabs: typing in either counts.
        typing = [
            name
            for name, metas in sorted(online.items())
            if name != self.state["name"] and any(meta.get("typing") for meta in metas)
        ]
        context.update(online=sorted(online), typing=typing)
        return context
