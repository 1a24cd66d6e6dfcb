"""Every misuse of an effect method raises ``EffectError`` where it is made; over the wire the
code's own mistakes are a 500 with the generic message (the log has what and where), while what
a client's input can cause is a 4xx with a message safe to show (docs/core.md, "Effects")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from component_framework.core import Component, ComponentRegistry, navigation
from component_framework.core import exceptions as exc
from component_framework.core._reply import http_status
from component_framework.core.config import AppConfig
from component_framework.core.protocol import handle_message, render_component
from component_framework.core.signing import Signer
from component_framework.core.streams import Stream

from ._support import Plain

GENERIC = "Internal error while handling the event; it has been logged."

CASES: dict[str, Callable[[Component, str], None]] = {
    "redirect_off_site": lambda c, v: c.redirect(v),
    "redirect_no_route": lambda c, v: c.redirect(v),
    "redirect_route_args": lambda c, v: c.redirect("product", pk=3),
    "redirect_not_str": lambda c, v: c.redirect(3),  # type: ignore[arg-type]
    "navigate_off_site": lambda c, v: c.navigate(v),
    "patch_url_bad_value": lambda c, v: c.patch_url(query={"when": object()}),
    "flash_level": lambda c, v: c.flash("fatal", v),
    "flash_not_str": lambda c, v: c.flash("info", 3),  # type: ignore[arg-type]
    "flash_too_long": lambda c, v: c.flash("info", f"Saved {v}."),
    "flash_blank": lambda c, v: c.flash("info", v),
    "browser_event_name": lambda c, v: c.dispatch_browser_event("cf:update"),
    "browser_event_detail": lambda c, v: c.dispatch_browser_event("a:b", {1, 2}),
    "emit_no_target": lambda c, v: c.emit("go"),
    "emit_payload": lambda c, v: c.emit("go", [1], to="target"),  # type: ignore[arg-type]
    "emit_bad_id": lambda c, v: c.emit("go", component_id=v),
    "emit_unknown_target": lambda c, v: c.emit("go", to="nobody"),
    "stream_unknown": lambda c, v: c.stream_insert("itemz", {"id": 1}),
    "stream_at": lambda c, v: c.stream_insert("items", {"id": 1}, at=5),  # type: ignore[arg-type]
    "stream_key": lambda c, v: c.stream_delete("items", {"text": "no id"}),
    "task_no_handler": lambda c, v: c.start_task(print, event="nothing"),
}


class Asker(Component):
    renderer = Plain()
    template_name = "asker.html"
    streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html")}

    def on_ask(self, case: str, value: str = "") -> None:
        CASES[case](self, value)


@pytest.fixture(autouse=True)
def no_url_resolver() -> Any:
    # Django's set-up installs a process-wide resolver; these cases are about a bare process.
    previous = navigation._snapshot()
    navigation.set_url_resolver(None)
    yield
    navigation.set_url_resolver(previous)


@pytest.fixture
def config(fresh_registry: ComponentRegistry) -> AppConfig:
    fresh_registry.register("asker")(Asker)
    return AppConfig(registry=fresh_registry, signer=Signer(["effect-errors-key-0123456789"]))


def ask(config: AppConfig, case: str, value: str = "") -> dict[str, Any]:
    first = render_component("asker", config=config)
    message = {
        "component": "asker",
        "component_id": first["component_id"],
        "event": "ask",
        "payload": {"case": case, "value": value},
        "state": first["state"],
        "checksum": first["checksum"],
    }
    return asyncio.run(handle_message(message, config=config))


@pytest.mark.parametrize(
    ("case", "value", "error", "message"),
    [
        ("redirect_off_site", "https://evil.example/", exc.UnsafeUrlError, "leads to another"),
        ("redirect_no_route", "nowhere", exc.UnsafeUrlError, "'nowhere' is not a URL path"),
        ("navigate_off_site", "//evil.example", exc.UnsafeUrlError, "leads to another site"),
        ("flash_too_long", "x" * 600, exc.InvalidEffectError, "Flash text must be 1-500"),
        ("flash_blank", "  ", exc.InvalidEffectError, "Flash text must be 1-500"),
        ("emit_bad_id", "a b", exc.InvalidEffectError, "'a b', which is no component id"),
    ],
)
def test_what_a_clients_input_can_cause_is_a_4xx_with_its_message(
    config: AppConfig, case: str, value: str, error: type[exc.EffectError], message: str
) -> None:
    with pytest.raises(error, match=message):
        CASES[case](Asker(), value)
    reply = ask(config, case, value)
    assert reply["code"] == error.code and message in reply["error"]
    assert http_status(reply) == 400


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("redirect_route_args", "Asker.redirect(): Cannot resolve the URL name 'product'"),
        ("redirect_not_str", "Asker.redirect(): A target must be a URL path or a URL name"),
        ("patch_url_bad_value", "Asker.patch_url(): Query parameter 'when' must be a string"),
        ("flash_level", "Asker.flash(): Flash level must be one of debug, info, success"),
        ("flash_not_str", "Asker.flash(): Flash text must be a string, got int"),
        ("browser_event_name", "Asker.dispatch_browser_event(): Browser event name 'cf:update'"),
        ("browser_event_detail", "Asker.dispatch_browser_event(): detail must be JSON"),
        ("emit_no_target", "Asker.emit(): emit('go') needs exactly one target"),
        ("emit_payload", "Asker.emit(): The payload of emit('go') must be a dict"),
        ("emit_unknown_target", "asker emitted 'go' to 'nobody', which is not a registered"),
        ("stream_unknown", "Asker.stream_insert(): Asker has no stream 'itemz'; did you mean"),
        ("stream_at", "Asker.stream_insert(): Stream 'items': at=5 is not an end"),
        ("stream_key", "Asker.stream_delete(): An item of stream 'items' has no 'id' key"),
        ("task_no_handler", "Asker.start_task(): event='nothing' names no handler"),
    ],
)
def test_the_codes_own_mistakes_are_a_500_told_to_the_log_not_the_client(
    config: AppConfig, caplog: pytest.LogCaptureFixture, case: str, message: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="component_framework"):
        reply = ask(config, case)
    assert reply == {"type": "error", "error": GENERIC, "code": "bad_effect"}
    assert http_status(reply) == 500
    [record] = [r for r in caplog.records if r.exc_info]
    assert isinstance(record.exc_info[1], exc.EffectError)  # type: ignore[index]
    assert message in record.getMessage()


def test_the_refused_event_changes_nothing(config: AppConfig) -> None:
    reply = ask(config, "flash_level")
    assert "state" not in reply and "effects" not in reply


def test_a_handler_may_catch_the_refusal(fresh_registry: ComponentRegistry) -> None:
    class Careful(Asker):
        def on_ask(self, case: str, value: str = "") -> None:
            try:
                self.redirect(value)
            except exc.UnsafeUrlError:
                self.redirect("/")

    fresh_registry.register("careful")(Careful)
    result = Careful().dispatch("ask", {"case": "", "value": "https://evil.example/"})
    assert result["effects"] == [{"type": "redirect", "url": "/"}]
