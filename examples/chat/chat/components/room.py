"""A room: its history (a stream, scrolled up page by page), its new messages pushed to every
page in the room on every process, and the form to send one. A message with a link gets its
preview after it was sent (a background task); typing in the form tells the room's presence
panel (``room_presence.py``).

Pushes reach the pages of a component name, so each room is registered under a name of its
own (``room_general``, ``room_random``...): a message sent in one room reaches only its pages.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from component_framework.core import Component, registry, ws_manager
from component_framework.core.exceptions import TaskLimitError
from component_framework.core.permissions import BasePermission, IsAuthenticated
from component_framework.core.streams import Stream
from component_framework.core.uploads import Upload, UploadedFile

from .. import db, media, previews

MAX_LENGTH = 2000
TYPING_IDLE = 5.0  # seconds without a key after which "typing" ends


async def quiet_for(seconds: float, mark: int) -> int:
    """A background task: wait *seconds*, then hand back *mark*."""
    await asyncio.sleep(seconds)
    return mark


def room_component(room: str) -> str:
    """The registered name of *room*'s component: ``room_general``."""
    return f"room_{room}"


class Room(Component):
    """The messages of one room (``room``), oldest at the top, and the form to send one."""

    template_name = "room.html"
    streams: ClassVar[dict[str, Stream]] = {"messages": Stream("message.html")}
    live: ClassVar[bool] = True  # subscribe to pushes: the room's new messages
    permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]
    # A file picked goes up at once, in chunks; its checked bytes come with the "send" event.
    uploads: ClassVar[dict[str, Upload]] = {
        "attachment": Upload(accept=list(media.TYPES), max_size=5_000_000)
    }
    emits: ClassVar[tuple[str, ...]] = ("typing",)  # to the presence panel of the page
    room: ClassVar[str]
    stories: ClassVar[dict[str, Any]] = {
        "signed_in": {"params": {"author": "ada"}, "user": "ada", "doc": "As ada sees it."}
    }

    def mount(self) -> None:
        super().mount()
        self.state["author"] = self.params["author"]  # who signed in, signed with the state
        self.state["typing"] = False
        self.state["keys"] = 0  # "typing" events so far: the last one's idle timer ends it
        messages, more = db.history(self.room)
        self.state["oldest"] = messages[0].id if more else None
        self.stream_extend("messages", messages)

    def on_older(self) -> None:
        """The top of the history came into view: the page of messages before it."""
        if self.state["oldest"] is None:
            return
        messages, more = db.history(self.room, before=self.state["oldest"])
        for message in reversed(messages):
            self.stream_insert("messages", message, at=0)
        self.state["oldest"] = messages[0].id if more else None

    def on_send(self, form_data: dict[str, str], attachment: UploadedFile | None = None) -> None:
        text = str(form_data.get("text", "")).strip()
        if not text and attachment is None:
            self.errors["text"] = "Write a message first: an empty one is not sent."
            return
        if len(text) > MAX_LENGTH:
            self.errors["text"] = (
                f"Keep it to {MAX_LENGTH:,} characters: this one has {len(text):,}."
            )
            return
        kept = media.keep(attachment) if attachment is not None else None
        message = db.post(self.room, self.state["author"], text, kept)
        # Rendered once, sent to every page in the room (this one too) on every process.
        ws_manager.stream(room_component(self.room), "messages").insert(message)
        self.on_typing(False)
        link = previews.first_link(text)
        if link is not None:  # fetched after the reply: the sender does not wait for it
            try:
                self.start_task(previews.preview, message.id, link, event="preview", timeout=10)
            except TaskLimitError:
                pass  # this page fetches max_tasks previews already: the message goes without

    def on_preview(self, result: int | None) -> None:
        """The preview task ended: show the message with its preview on every page."""
        # Any page may send any event: the message and its preview come from the database,
        # never from the event, so this shows nothing that is not there already.
        message = db.message(self.room, result) if isinstance(result, int) else None
        if message is not None and message.preview is not None:
            ws_manager.stream(room_component(self.room), "messages").update(message)

    def on_preview_error(self, error: str) -> None:
        """The task failed or timed out (the log has why): the message stays without one."""

    def on_typing(self, on: bool = True, value: str = "") -> None:
        """Typing in the form (sent at most every 2 s, with the text so far as ``value``, which
        is not kept), or a message sent (``on`` false): the presence panel of this page says so
        to the room, once each time it changes. Typing ends by itself after ``TYPING_IDLE``
        seconds without a key (a background timer)."""
        if on:
            try:
                key = self.state["keys"] + 1
                self.start_task(quiet_for, TYPING_IDLE, key, event="typing_idle")
                self.state["keys"] = key
            except TaskLimitError:
                pass  # this page's tasks are all busy: the last timer started ends it
        if on != self.state["typing"]:
            self.state["typing"] = on
            self.emit("typing", {"on": on}, to="room_presence")

    def on_typing_idle(self, result: int) -> None:
        """A key's timer ended: no key since it (a later one started its own), typing ended."""
        if result == self.state["keys"]:
            self.on_typing(False)

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        context.update(room=self.room, max_length=MAX_LENGTH)
        return context


for _room in db.ROOMS:
    registry.register(room_component(_room))(
        type(f"Room_{_room}", (Room,), {"room": _room, "__module__": __name__})
    )
