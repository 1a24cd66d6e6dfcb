"""Event names are an allowlist and payloads are validated before any handler runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from component_framework.core import Component, EventNotFoundError
from component_framework.core._events import handler_spec, is_event_name, list_events
from component_framework.core.exceptions import InvalidEventError, InvalidPayloadError
from component_framework.core.renderer import Renderer

if TYPE_CHECKING:
    from decimal import Decimal  # only for type checkers: unresolvable at run time


class PlainRenderer(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return "<p></p>"


def make_target() -> tuple[type[Component], list[str]]:
    ran: list[str] = []

    class Target(Component):
        renderer = PlainRenderer()
        template_name = "target.html"
        on_flag = "not callable"
        on_number = 5

        def on__private(self) -> None:
            ran.append("on__private")

        def on_add(self, amount: int, note: str = "") -> None:
            ran.append(f"add {amount} {note!r}")

        def on_reset(self) -> None:
            ran.append("reset")

        def on_anything(self, **payload: Any) -> None:
            ran.append(f"anything {sorted(payload)}")

        def on_some(self, a: int, **rest: Any) -> None:
            ran.append(f"some {a} {sorted(rest)}")

        def on_untyped(self, value):  # type: ignore[no-untyped-def]
            ran.append(f"untyped {value!r}")

        @staticmethod
        def on_static(x: int) -> None:
            ran.append(f"static {x}")

        def helper(self) -> None:
            ran.append("helper")

    return Target, ran


# ---------- Event names ----------


@pytest.mark.parametrize(
    "event",
    ["_private", "__init__", "__class__", "_", "a.b", "a b", "1x", "é", "x" * 65, ""],
)
def test_invalid_event_names_are_refused_before_lookup(event: str) -> None:
    target, ran = make_target()
    component = target()
    with pytest.raises(InvalidEventError) as info:
        component.dispatch(event or None, {}) if event else component.handle_event(event, {})
    # To a client an invalid name is an unknown event: the seed's message, 404.
    assert str(info.value) == f"No handler for event: {event}"
    assert isinstance(info.value, EventNotFoundError)
    assert (info.value.code, info.value.status) == ("unknown_event", 404)
    assert ran == []


def test_a_private_handler_is_unreachable() -> None:
    # The seed looked up getattr(self, "on__private") and ran it.
    target, ran = make_target()
    with pytest.raises(InvalidEventError, match=r"^No handler for event: _private$"):
        target().handle_event("_private", {})
    assert ran == []


@pytest.mark.parametrize("event", [5, None, ["add"], {"x": 1}, b"add"])
def test_non_string_event_names_are_refused(event: Any) -> None:
    target, ran = make_target()
    with pytest.raises(InvalidEventError) as info:
        target().handle_event(event, {"amount": 1})
    assert str(info.value) == f"No handler for event: {event!r}"
    assert ran == []


@pytest.mark.parametrize("event", ["flag", "number"])
def test_a_non_callable_on_attribute_is_not_a_handler(event: str) -> None:
    # The seed called the attribute and reported "Invalid payload".
    target, ran = make_target()
    with pytest.raises(EventNotFoundError, match=rf"^No handler for event: {event}$") as info:
        target().handle_event(event, {})
    assert type(info.value) is EventNotFoundError
    assert info.value.code == "unknown_event"
    assert ran == []


async def test_event_names_are_checked_on_the_async_path_too() -> None:
    target, ran = make_target()
    with pytest.raises(InvalidEventError, match=r"^No handler for event: __init__$"):
        await target().async_handle_event("__init__", {})
    with pytest.raises(EventNotFoundError, match=r"^No handler for event: flag$"):
        await target().async_handle_event("flag", {})
    assert ran == []


def test_methods_without_the_on_prefix_are_not_events() -> None:
    target, ran = make_target()
    with pytest.raises(EventNotFoundError, match=r"^No handler for event: helper$"):
        target().handle_event("helper", {})
    assert ran == []


def test_is_event_name() -> None:
    assert is_event_name("increment")
    assert is_event_name("field_change")
    assert is_event_name("x" * 64)
    assert not is_event_name("x" * 65)
    assert not is_event_name("_x")
    assert not is_event_name("a-b")
    assert is_event_name("import")  # keywords name handlers fine: on_import, on_class
    assert not is_event_name(3)


def test_list_events_names_only_callable_public_handlers() -> None:
    target, _ = make_target()
    assert list_events(target) == ["add", "anything", "reset", "some", "static", "untyped"]


def test_handler_spec_is_cached_per_class_and_describes_the_handler() -> None:
    class Handlers(Component):
        def on_sync(self) -> None: ...

        async def on_coro(self) -> None: ...

        async def on_gen(self) -> Any:
            yield

    spec = handler_spec(Handlers, "sync")
    assert handler_spec(Handlers, "sync") is spec
    assert (spec.name, spec.is_async, spec.is_generator) == ("on_sync", False, False)
    coro = handler_spec(Handlers, "coro")
    assert (coro.is_async, coro.is_generator) == (True, False)
    gen = handler_spec(Handlers, "gen")
    assert (gen.is_async, gen.is_generator) == (False, True)


# ---------- Payloads ----------


def test_a_valid_payload_reaches_the_handler_coerced() -> None:
    target, ran = make_target()
    target().handle_event("add", {"amount": "5"})
    target().handle_event("add", {"amount": 2, "note": "hi"})
    assert ran == ["add 5 ''", "add 2 'hi'"]


def test_a_wrong_type_is_refused() -> None:
    target, ran = make_target()
    with pytest.raises(InvalidPayloadError) as info:
        target().handle_event("add", {"amount": {"x": 1}})
    assert str(info.value) == (
        "Invalid payload for add: amount: Input should be a valid integer (got {'x': 1})"
    )
    assert info.value.code == "invalid_payload"
    assert ran == []


def test_a_key_the_handler_does_not_accept_is_refused() -> None:
    target, ran = make_target()
    with pytest.raises(InvalidPayloadError) as info:
        target().handle_event("add", {"amount": 1, "bogus": 2})
    assert str(info.value) == "Invalid payload for add: bogus: unexpected argument"
    assert ran == []


def test_a_handler_without_arguments_takes_an_empty_payload_only() -> None:
    target, ran = make_target()
    target().handle_event("reset", {})
    with pytest.raises(InvalidPayloadError) as info:
        target().handle_event("reset", {"hard": True, "now": 1})
    assert str(info.value) == (
        "Invalid payload for reset: hard: unexpected argument; now: unexpected argument"
    )
    assert ran == ["reset"]


def test_an_empty_payload_leaves_every_optional_argument_to_its_default() -> None:
    ran: list[tuple[int, str]] = []

    class Bump(Component):
        renderer = PlainRenderer()
        template_name = "bump.html"

        def on_bump(self, by: int = 1, why: str = "click") -> None:
            ran.append((by, why))

    Bump().handle_event("bump", {})
    Bump().handle_event("bump", {"by": "4"})
    assert ran == [(1, "click"), (4, "click")]
    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for bump: by: Input should"):
        Bump().handle_event("bump", {"by": []})


def test_a_missing_argument_is_refused() -> None:
    target, ran = make_target()
    with pytest.raises(
        InvalidPayloadError, match=r"^Invalid payload for add: amount: Field required$"
    ):
        target().handle_event("add", {})
    assert ran == []


@pytest.mark.parametrize(
    ("payload", "kind"), [([1], "list"), ("x", "str"), (3, "int"), (None, "NoneType")]
)
def test_a_payload_that_is_not_an_object_is_refused(payload: Any, kind: str) -> None:
    target, ran = make_target()
    with pytest.raises(InvalidPayloadError) as info:
        target().handle_event("add", payload)
    assert str(info.value) == f"Invalid payload for add: expected a JSON object, got {kind}."
    assert ran == []


def test_several_problems_are_reported_together() -> None:
    target, _ = make_target()
    with pytest.raises(InvalidPayloadError) as info:
        target().handle_event("add", {"amount": "x", "note": 5, "extra": 1})
    message = str(info.value)
    assert message.startswith("Invalid payload for add: ")
    assert "amount: Input should be a valid integer" in message
    assert "note: Input should be a valid string" in message
    assert "extra: unexpected argument" in message


def test_var_keyword_handlers_accept_any_keys() -> None:
    target, ran = make_target()
    target().handle_event("anything", {"b": 1, "a": {"deep": [1]}})
    target().handle_event("some", {"a": "3", "z": 1})
    assert ran == ["anything ['a', 'b']", "some 3 ['z']"]


def test_var_keyword_handlers_still_check_named_arguments() -> None:
    target, ran = make_target()
    with pytest.raises(
        InvalidPayloadError,
        match=r"^Invalid payload for some: a: Input should be a valid integer",
    ):
        target().handle_event("some", {"a": "x"})
    assert ran == []


def test_untyped_arguments_accept_any_json_value_but_not_unknown_keys() -> None:
    target, ran = make_target()
    target().handle_event("untyped", {"value": {"nested": [1, 2]}})
    assert ran == ["untyped {'nested': [1, 2]}"]
    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for untyped: other: "):
        target().handle_event("untyped", {"value": 1, "other": 2})


def test_static_method_handlers_are_validated_too() -> None:
    target, ran = make_target()
    target().handle_event("static", {"x": "7"})
    assert ran == ["static 7"]
    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for static: x: "):
        target().handle_event("static", {"x": []})


class Model:
    def __init__(self, **kwargs: Any) -> None:
        raise AssertionError("client JSON must not construct a class")


def test_client_json_never_picks_a_type() -> None:
    ran: list[Any] = []

    class Typed(Component):
        def on_take(self, item: Model) -> None:
            ran.append(item)

    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for take: item: "):
        Typed().handle_event("take", {"item": {"__class__": "Model", "x": 1}})
    assert ran == []


def test_one_unresolvable_annotation_does_not_switch_off_the_other_checks() -> None:
    ran: list[Any] = []

    class Partly(Component):
        def on_pay(self, amount: int, price: Decimal | None = None) -> None:
            ran.append((amount, price))

    with pytest.raises(
        InvalidPayloadError, match=r"^Invalid payload for pay: amount: Input should be"
    ):
        Partly().handle_event("pay", {"amount": {"x": 1}})
    with pytest.raises(InvalidPayloadError, match=r"^Invalid payload for pay: extra: "):
        Partly().handle_event("pay", {"amount": 1, "extra": 2})
    Partly().handle_event("pay", {"amount": "2", "price": "1.5"})
    assert ran == [(2, "1.5")]
