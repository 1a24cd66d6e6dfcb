"""The example app's components: counter, validated form, stream, live board and a slotted card.

Importing this module registers them in the global registry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from component_framework.core import (
    Component,
    FormComponent,
    StreamingComponent,
    registry,
)

from . import board

# Payload arguments come from the client: bound them (a handler doing "#" * n or 2 ** n with
# an unbounded n stalls the whole process).
Amount = Annotated[int, Field(ge=1, le=100)]


@registry.register("counter")
class Counter(Component):
    """A counter with optimistic updates; ``+1 (flaky)`` fails on the server and rolls back."""

    template_name = "counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = int(self.params.get("start", 0))

    # Handlers that only change state are `async def`: they run on the event loop, with no
    # worker-thread hop. A `def` handler runs in a worker thread (anything that may block).
    async def on_increment(self, amount: Amount = 1) -> None:
        self.state["count"] += amount

    async def on_decrement(self, amount: Amount = 1) -> None:
        self.state["count"] -= amount

    def on_flaky_increment(self) -> None:
        raise RuntimeError("the database is down (this text must never reach the browser)")

    def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        count = self.state.get("count", 0)
        if event in ("increment", "flaky_increment"):
            return {"count": count + int(payload.get("amount", 1))}
        if event == "decrement":
            return {"count": count - int(payload.get("amount", 1))}
        return None


class Signup(BaseModel):
    name: str = Field(min_length=2, max_length=40)
    email: str
    age: int = Field(ge=13, le=120)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        local, _, domain = value.partition("@")
        if not local or "." not in domain or " " in value:
            raise ValueError("Enter an email address like ada@example.com.")
        return value


@registry.register("signup")
class SignupForm(FormComponent):
    """A form validated by Pydantic: errors appear next to each field."""

    schema = Signup
    template_name = "signup.html"

    def on_submit(self) -> None:
        data = self.validated_data or {}
        self.state["welcome"] = f"Welcome, {data.get('name', '')}!"


@registry.register("progress")
class Progress(StreamingComponent):
    """A long job that reports progress: one SSE frame per step."""

    template_name = "progress.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(step=0, total=0, log=[], done=False)

    async def on_start(self, steps: Annotated[int, Field(ge=1, le=20)] = 5) -> AsyncIterator[None]:
        self.state.update(step=0, total=steps, log=[], done=False)
        for step in range(1, steps + 1):
            await asyncio.sleep(0.15)  # the "work"
            self.state["step"] = step
            self.state["log"].append(f"Step {step} of {steps} done")
            yield
        self.state["done"] = True


@registry.register("live_board")
class LiveBoard(Component):
    """A message board every open page sees: a post reaches the others by server push.

    The messages live in a store every process reaches (``examples/board.py``), so the board
    is right with any number of workers: a push tells each page to read it again.
    """

    template_name = "live_board.html"
    live = True  # the page subscribes over WebSocket for pushes
    transport = "ws"  # and sends its events on the same socket
    resync_event = "refresh"  # after a reconnect or a broker outage, read the board again

    def mount(self) -> None:
        super().mount()
        self.state["messages"] = board.messages()

    def on_refresh(self) -> None:
        self.state["messages"] = board.messages()

    async def on_post(self, form_data: dict[str, str]) -> None:
        text = str(form_data.get("message", "")).strip()[:200]
        if not text:
            self.errors["message"] = "Write something first."
            return
        self.state["messages"] = await board.post(text)


@registry.register("todo")
class TodoList(Component):
    """Key filters and change events: Enter adds, a checkbox toggles, a select filters."""

    template_name = "todo.html"

    def mount(self) -> None:
        super().mount()
        self.state.update(items=[], show="all")

    def on_add(self, value: str) -> None:
        text = value.strip()[:120]
        if text:
            self.state["items"].append({"text": text, "done": False})

    def on_toggle(self, index: int, value: bool) -> None:
        if 0 <= index < len(self.state["items"]):
            self.state["items"][index]["done"] = value

    async def on_show(self, value: Literal["all", "open", "done"]) -> None:
        self.state["show"] = value

    def before_render(self) -> None:
        show = self.state["show"]
        self.state["visible"] = [
            index
            for index, item in enumerate(self.state["items"])
            if show == "all" or item["done"] == (show == "done")
        ]


@registry.register("badge")
class Badge(Component):
    """A header badge, used in the card's ``header`` slot."""

    template_name = "badge.html"

    def mount(self) -> None:
        super().mount()
        self.state["text"] = str(self.params.get("text", ""))


@registry.register("stat")
class Stat(Component):
    """A labelled number, used in the card's ``body`` slot."""

    template_name = "stat.html"

    def mount(self) -> None:
        super().mount()
        self.state["label"] = str(self.params.get("label", ""))
        self.state["value"] = self.params.get("value", 0)


@registry.register("profile_card")
class ProfileCard(Component):
    """A card composed from slots (header: Badge, body: Stat) with a nested live counter."""

    template_name = "profile_card.html"
    slots: ClassVar[list[str]] = ["header", "body"]

    def mount(self) -> None:
        super().mount()
        self.state.update(
            title=str(self.params.get("title", "Ada Lovelace")),
            followers=int(self.params.get("followers", 0)),
            expanded=False,
        )

    def before_render(self) -> None:
        # Slots are filled on every render, after mount or hydrate, from the card's state.
        self.fill_slot("header", Badge(text=self.state["title"]))
        self.fill_slot("body", Stat(label="Followers", value=self.state["followers"]))

    async def on_toggle(self) -> None:
        self.state["expanded"] = not self.state["expanded"]

    async def on_follow(self) -> None:
        self.state["followers"] += 1
