"""StreamingComponent frames and format_sse_frame, directly and through the message path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from component_framework.core import (
    ComponentRegistry,
    EventNotFoundError,
    StreamingComponent,
    format_sse_frame,
)
from component_framework.core._json import LossyStateWarning
from component_framework.core.exceptions import HandlerError, InvalidPayloadError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import (
    handle_message,
    signed_message,
    stream_frames,
    stream_message,
)
from component_framework.core.signing import Signer

Templates = Callable[..., JinjaRenderer]


def make_progress() -> tuple[type[StreamingComponent], list[str]]:
    log: list[str] = []

    class Progress(StreamingComponent):
        template_name = "progress.html"

        def mount(self) -> None:
            super().mount()
            self.state["step"] = 0

        def before_render(self) -> None:
            log.append(f"before_render {self.state['step']}")

        async def on_run(self, steps: int) -> Any:
            for _ in range(steps):
                self.state["step"] += 1
                yield
            self.state["done"] = True

        def on_jump(self, to: int) -> None:
            self.state["step"] = to

        async def on_ajump(self, to: int) -> None:
            self.state["step"] = to

        async def on_fail(self) -> Any:
            self.state["step"] = 1
            yield
            raise RuntimeError("internal detail")

    return Progress, log


async def collect(component: StreamingComponent, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return [frame async for frame in component.async_stream_dispatch(*args, **kwargs)]


async def test_each_yield_is_a_frame_and_the_last_is_done(templates: Templates) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}{% if state.done %} done{% endif %}</p>"})
    progress, log = make_progress()
    frames = await collect(progress(component_id="p-1"), "run", {"steps": 2})
    assert frames == [
        {
            "html": "<p>1</p>",
            "state": {"step": 1},
            "component_id": "p-1",
            "slots": {},
            "stream_done": False,
        },
        {
            "html": "<p>2</p>",
            "state": {"step": 2},
            "component_id": "p-1",
            "slots": {},
            "stream_done": False,
        },
        {
            "html": "<p>2 done</p>",
            "state": {"step": 2, "done": True},
            "component_id": "p-1",
            "slots": {},
            "stream_done": True,
        },
    ]
    # One before_render per frame (the seed called it twice per frame).
    assert log == ["before_render 1", "before_render 2", "before_render 2"]


@pytest.mark.parametrize("event", ["jump", "ajump"])
async def test_a_non_generator_handler_gives_one_final_frame(
    templates: Templates, event: str
) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, log = make_progress()
    frames = await collect(progress(component_id="p-2"), event, {"to": 7}, state={"step": 3})
    assert frames == [
        {
            "html": "<p>7</p>",
            "state": {"step": 7},
            "component_id": "p-2",
            "slots": {},
            "stream_done": True,
        }
    ]
    assert log == ["before_render 7"]


async def test_no_event_renders_once(templates: Templates) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, log = make_progress()
    frames = await collect(progress())
    assert [(f["html"], f["stream_done"]) for f in frames] == [("<p>0</p>", True)]
    assert log == ["before_render 0"]


async def test_unknown_event_and_bad_payload_raise_before_any_frame(templates: Templates) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, log = make_progress()
    with pytest.raises(EventNotFoundError, match=r"^No handler for event: nope$"):
        await collect(progress(), "nope")
    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for run: steps: "):
        await collect(progress(), "run", {"steps": {"x": 1}})
    assert log == []


async def test_a_failing_generator_raises_a_handler_error_after_its_frames(
    templates: Templates,
) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, _ = make_progress()
    frames: list[dict[str, Any]] = []
    with pytest.raises(HandlerError, match=r"^Error handling fail$") as info:
        async for frame in progress().async_stream_dispatch("fail"):
            frames.append(frame)
    assert [f["html"] for f in frames] == ["<p>1</p>"]
    assert isinstance(info.value.__cause__, RuntimeError)


def test_format_sse_frame() -> None:
    frame = {"html": "<p>1</p>", "state": {"n": 1}, "stream_done": False}
    assert format_sse_frame(frame) == (
        'data: {"html": "<p>1</p>", "state": {"n": 1}, "stream_done": false}\n\n'
    )


def test_format_sse_frame_warns_on_lossy_values() -> None:
    with pytest.warns(LossyStateWarning, match="Component state holds set"):
        text = format_sse_frame({"tags": {"b", "a"}})
    assert text == 'data: {"tags": ["a", "b"]}\n\n'


# ---------- Through the message path ----------


async def test_stream_frames_signs_every_frame(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, _ = make_progress()
    fresh_registry.register("progress")(progress)
    message = signed_message("progress", "run", {"steps": 2}, signer=signer)
    frames = [f async for f in stream_frames(message, registry=fresh_registry, signer=signer)]
    assert [(f["type"], f["html"], f["stream_done"]) for f in frames] == [
        ("component_update", "<p>1</p>", False),
        ("component_update", "<p>2</p>", False),
        ("component_update", "<p>2</p>", True),
    ]
    component_id = frames[0]["component_id"]
    for frame in frames:
        assert frame["component_id"] == component_id
        signer.verify("progress", component_id, frame["state"], frame["checksum"])
    assert json.loads(frames[-1]["state"]) == {"done": True, "step": 2}


async def test_stream_message_ends_with_an_error_reply(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, _ = make_progress()
    fresh_registry.register("progress")(progress)
    message = signed_message("progress", "fail", signer=signer)
    frames = [f async for f in stream_message(message, registry=fresh_registry, signer=signer)]
    assert [f["type"] for f in frames] == ["component_update", "error"]
    assert frames[1] == {"type": "error", "error": "Error handling fail", "code": "handler_error"}


async def test_stream_message_refuses_bad_input_with_one_error_frame(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    progress, log = make_progress()
    fresh_registry.register("progress")(progress)
    message = signed_message("progress", "_private", signer=signer)
    frames = [f async for f in stream_message(message, registry=fresh_registry, signer=signer)]
    assert frames == [
        {"type": "error", "error": "No handler for event: _private", "code": "unknown_event"}
    ]
    assert log == []


async def test_a_generator_handler_over_a_plain_message_gives_the_final_state(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    templates(**{"progress.html": "<p>{{ state.step }}</p>"})
    progress, log = make_progress()
    fresh_registry.register("progress")(progress)
    message = signed_message("progress", "run", {"steps": 3}, signer=signer)
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply["html"] == "<p>3</p>"
    assert json.loads(reply["state"]) == {"done": True, "step": 3}
    assert "stream_done" not in reply
    assert log == ["before_render 3"]
