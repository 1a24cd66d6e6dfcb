"""Effects: asked for by a component during a dispatch, carried by the result and the reply.

``dispatch_browser_event`` and ``emit`` collect effects in call order for the current dispatch;
the result, each stream frame, a push's update and the wire reply carry them as ``effects``
only when there are any, so the documented shape stays exact otherwise. Bad calls fail where
they are made; an emit to a component the app does not know fails the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from component_framework.core import Component, ComponentRegistry, StreamingComponent
from component_framework.core import exceptions as exc
from component_framework.core._push import Subscription, render_state_updates
from component_framework.core._reply import http_status
from component_framework.core.config import AppConfig
from component_framework.core.protocol import (
    dispatch_message,
    dispatch_message_sync,
    handle_message,
    render_component,
    signed_message,
    stream_frames,
)
from component_framework.core.signing import Signer

from ._support import Plain


class Chart(Component):
    renderer = Plain()
    template_name = "chart.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    def on_plot(self, points: list[int]) -> None:
        self.state["count"] = len(points)
        self.dispatch_browser_event("chart:data", {"points": points})
        self.emit("plotted", {"count": len(points)}, to="legend")
        self.dispatch_browser_event("chart:done")

    async def on_async_plot(self) -> None:
        self.emit("plotted", {"count": 0}, parent=True)

    def on_quiet(self) -> None:
        self.state["count"] += 1


class Legend(Component):
    renderer = Plain()
    template_name = "legend.html"

    def on_plotted(self, count: int) -> None:
        self.state["count"] = count


@pytest.fixture
def config(fresh_registry: ComponentRegistry) -> AppConfig:
    fresh_registry.register("chart")(Chart)
    fresh_registry.register("legend")(Legend)
    return AppConfig(registry=fresh_registry, signer=Signer(["effects-test-key-0123456789"]))


def event(config: AppConfig, name: str, event: str, payload: dict[str, Any] | None = None) -> Any:
    first = render_component(name, config=config)
    message = signed_message(
        name, event, payload, component_id=first["component_id"], config=config
    )
    message["state"], message["checksum"] = first["state"], first["checksum"]
    return message


PLOT_EFFECTS = [
    {"type": "browser_event", "name": "chart:data", "detail": {"points": [1, 2]}},
    {"type": "emit", "event": "plotted", "payload": {"count": 2}, "to": "legend"},
    {"type": "browser_event", "name": "chart:done", "detail": None},
]


def test_the_result_carries_the_effects_in_call_order() -> None:
    result = Chart().dispatch("plot", {"points": [1, 2]}, {"count": 0})
    assert result["effects"] == PLOT_EFFECTS


def test_without_effects_the_result_has_its_documented_shape() -> None:
    result = Chart().dispatch("quiet", {}, {"count": 0})
    assert set(result) == {"html", "state", "component_id", "slots"}


def test_effects_belong_to_one_dispatch() -> None:
    chart = Chart()
    chart.dispatch("plot", {"points": [1]}, {"count": 0})
    assert chart.effects == []
    assert "effects" not in chart.dispatch("quiet", {}, {"count": 0})


def test_the_wire_reply_carries_them_only_when_there_are_any(config: AppConfig) -> None:
    reply = dispatch_message_sync(event(config, "chart", "plot", {"points": [1, 2]}), config=config)
    assert reply["type"] == "component_update"
    assert reply["effects"] == PLOT_EFFECTS
    quiet = dispatch_message_sync(event(config, "chart", "quiet"), config=config)
    assert "effects" not in quiet


async def test_an_async_handlers_effects_travel_the_same_way(config: AppConfig) -> None:
    reply = await dispatch_message(event(config, "chart", "async_plot"), config=config)
    assert reply["effects"] == [
        {"type": "emit", "event": "plotted", "payload": {"count": 0}, "parent": True}
    ]


def test_mount_and_before_render_may_ask_for_effects(fresh_registry: ComponentRegistry) -> None:
    @fresh_registry.register("greeter")
    class Greeter(Component):
        renderer = Plain()
        template_name = "greeter.html"

        def mount(self) -> None:
            super().mount()
            self.dispatch_browser_event("greeter:mounted")

        def before_render(self) -> None:
            self.dispatch_browser_event("greeter:rendered", {"n": 1})

    reply = render_component("greeter", registry=fresh_registry)
    assert [effect["name"] for effect in reply["effects"]] == [
        "greeter:mounted",
        "greeter:rendered",
    ]


# ---------- Bad calls fail where they are made ----------


@pytest.mark.parametrize(
    ("name", "detail", "match"),
    [
        ("", None, "is not valid"),
        ("has space", None, "is not valid"),
        ("1st", None, "starting with a letter"),
        ("cf:update", None, "reserved"),
        ("chart:data", {1, 2}, "detail must be JSON"),
        ("chart:data", float("nan"), "detail must be JSON"),
    ],
)
def test_bad_browser_events_are_refused_at_the_call(name: str, detail: Any, match: str) -> None:
    with pytest.raises(exc.EffectError, match=match) as raised:
        Chart().dispatch_browser_event(name, detail)
    assert str(raised.value).startswith("Chart.dispatch_browser_event(): ")
    assert raised.value.status == 500


def test_a_declared_component_dispatches_only_its_declared_browser_events() -> None:
    class Declared(Chart):
        browser_events: ClassVar[tuple[str, ...]] = ("chart:data",)

    Declared().dispatch_browser_event("chart:data")
    with pytest.raises(exc.EffectError, match=r"'chart:other' is not declared in browser_events"):
        Declared().dispatch_browser_event("chart:other")


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("plotted",), {}, exc.EffectError, "exactly one target"),
        (("plotted",), {"to": "legend", "parent": True}, exc.EffectError, "exactly one target"),
        (("_private",), {"to": "legend"}, exc.EffectError, "not an event name"),
        (("on-x",), {"to": "legend"}, exc.EffectError, "not an event name"),
        (("plotted", [1]), {"to": "legend"}, exc.EffectError, "must be a dict"),
        (("plotted", {"when": object()}), {"to": "legend"}, exc.EffectError, "must be JSON"),
        (("plotted",), {"to": ""}, exc.EffectError, "needs a registered component name"),
        (("plotted",), {"component_id": 3}, exc.EffectError, "needs a string id"),
        (("plotted",), {"component_id": ""}, exc.InvalidEffectError, "is no component id"),
        (("plotted",), {"component_id": "a b"}, exc.InvalidEffectError, "is no component id"),
    ],
)
def test_bad_emits_are_refused_at_the_call(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Chart().emit(*args, **kwargs)


def test_a_declared_component_emits_only_its_declared_events() -> None:
    class Declared(Chart):
        emits: ClassVar[tuple[str, ...]] = ("plotted",)

    Declared().emit("plotted", to="legend")
    with pytest.raises(exc.EffectError, match=r"'cleared' is not declared in emits"):
        Declared().emit("cleared", to="legend")


def test_a_bad_call_in_a_handler_fails_the_event_where_it_is_made(
    config: AppConfig, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Chart):
        def on_quiet(self) -> None:
            self.dispatch_browser_event("cf:update")

    config.registry.register("broken")(Broken)
    with pytest.raises(exc.EffectError, match=r"^Broken.dispatch_browser_event\(\): .*reserved"):
        dispatch_message_sync(event(config, "broken", "quiet"), config=config)
    # Over the wire: a 500 with the generic message; the log has what was wrong, and where.
    reply = asyncio.run(handle_message(event(config, "broken", "quiet"), config=config))
    assert reply == {
        "type": "error",
        "error": "Internal error while handling the event; it has been logged.",
        "code": "bad_effect",
    }
    assert http_status(reply) == 500
    assert "Broken.dispatch_browser_event(): Browser event name 'cf:update' is reserved" in (
        caplog.text
    )
    assert "on_quiet" in caplog.text  # the traceback leads to the handler's line


# ---------- What only the app's registry knows ----------


def test_an_emit_to_an_unknown_component_fails_the_message(
    config: AppConfig, caplog: pytest.LogCaptureFixture
) -> None:
    class Typo(Chart):
        def on_quiet(self) -> None:
            self.emit("plotted", {"count": 1}, to="legnd")

    config.registry.register("typo")(Typo)
    with pytest.raises(exc.EffectError) as raised:
        dispatch_message_sync(event(config, "typo", "quiet"), config=config)
    assert str(raised.value) == (
        "typo emitted 'plotted' to 'legnd', which is not a registered component: did you mean "
        "'legend'? (in on_quiet)"
    )
    with caplog.at_level(logging.ERROR):
        reply = asyncio.run(handle_message(event(config, "typo", "quiet"), config=config))
    assert reply["code"] == "bad_effect" and "legnd" not in reply["error"]
    assert "did you mean 'legend'?" in caplog.text


def test_an_emit_of_an_event_the_target_does_not_handle_fails_the_message(
    config: AppConfig, caplog: pytest.LogCaptureFixture
) -> None:
    class Unheard(Chart):
        def on_quiet(self) -> None:
            self.emit("cleared", to="legend")

    config.registry.register("unheard")(Unheard)
    with pytest.raises(exc.EffectError, match="which has no handler on_cleared: add it"):
        dispatch_message_sync(event(config, "unheard", "quiet"), config=config)


def test_emits_by_id_or_to_the_parent_are_checked_by_the_page(config: AppConfig) -> None:
    class ById(Chart):
        def on_quiet(self) -> None:
            self.emit("anything", component_id="component-elsewhere")

    config.registry.register("by_id")(ById)
    reply = dispatch_message_sync(event(config, "by_id", "quiet"), config=config)
    assert reply["effects"][0]["component_id"] == "component-elsewhere"


# ---------- Streams and pushes ----------


class Steps(StreamingComponent):
    renderer = Plain()
    template_name = "steps.html"

    async def on_run(self) -> AsyncIterator[None]:
        self.dispatch_browser_event("steps:one")
        yield
        yield
        self.dispatch_browser_event("steps:last")


async def test_each_stream_frame_carries_the_effects_since_the_one_before(
    config: AppConfig,
) -> None:
    config.registry.register("steps")(Steps)
    frames = [frame async for frame in stream_frames(event(config, "steps", "run"), config=config)]
    assert [[e["name"] for e in f.get("effects", [])] for f in frames] == [
        ["steps:one"],
        [],
        ["steps:last"],
    ]
    assert "effects" not in frames[1]


def test_a_pushed_state_carries_the_effects_of_its_render(config: AppConfig) -> None:
    class Board(Chart):
        def before_render(self) -> None:
            self.dispatch_browser_event("board:pushed", {"count": self.state["count"]})

    subs = [Subscription(f"conn-{n}", f"board-{n}", "board", config) for n in range(2)]
    updates = render_state_updates(Board, {"count": 7}, subs, {})
    for _, update in updates:
        assert update["effects"] == [
            {"type": "browser_event", "name": "board:pushed", "detail": {"count": 7}}
        ]


def test_a_push_that_leaves_the_page_carries_its_flash_signed(config: AppConfig) -> None:
    class Closed(Chart):
        def before_render(self) -> None:
            self.flash("info", "The board was closed.")
            self.redirect("/boards")

    subs = [Subscription("conn-0", "board-0", "board", config)]
    [(_, update)] = render_state_updates(Closed, {"count": 1}, subs, {})
    flash, redirect = update["effects"]
    assert flash == {"type": "flash", "level": "info", "text": "The board was closed."}
    assert redirect["url"] == "/boards"
    carried = config.signer.verify_value("cf.flash", redirect["flash"], 60)
    assert carried == [["info", "The board was closed."]]


def test_a_push_whose_effects_name_the_page_renders_for_each_page(config: AppConfig) -> None:
    class Self(Chart):
        def before_render(self) -> None:
            self.emit("refresh", component_id=self.id)

    subs = [Subscription(f"conn-{n}", f"self-{n}", "self", config) for n in range(2)]
    updates = render_state_updates(Self, {"count": 1}, subs, {})
    assert [u["effects"][0]["component_id"] for _, u in updates] == ["self-0", "self-1"]
