"""The one message path: every bad input gets an exact error code and message, and runs nothing."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, field_validator

from component_framework.core import Component, ComponentRegistry, StateSerializer
from component_framework.core import exceptions as exc
from component_framework.core.protocol import (
    Limits,
    dispatch_message,
    dispatch_message_sync,
    error_reply,
    handle_message,
    http_status,
    load_message,
    parse_message,
    render_component,
    signed_message,
    stream_frames,
)
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer

from ._support import Ledger, Plain


@pytest.fixture
def ledger(fresh_registry: ComponentRegistry) -> Ledger:
    ledger = Ledger()

    @fresh_registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = Plain()
        on_flag = True

        def __init__(self, **params: Any) -> None:
            ledger.note("init")
            super().__init__(**params)

        def mount(self) -> None:
            ledger.note("mount")
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def hydrate(self, state: dict[str, Any]) -> None:
            ledger.note("hydrate")
            super().hydrate(state)

        def before_render(self) -> None:
            ledger.note("before_render")

        def on_increment(self, amount: int = 1) -> None:
            ledger.note("increment")
            self.state["count"] += amount

        async def on_async_increment(self, amount: int = 1) -> None:
            ledger.note("async_increment")
            self.state["count"] += amount

        def on__secret(self) -> None:
            ledger.note("secret")

        def on_boom(self) -> None:
            ledger.note("boom")
            raise RuntimeError("database password is hunter2")

        def on_explode_render(self) -> None:
            ledger.note("explode_render")
            self.template_name = None  # a server bug: the render fails

    return ledger


async def call(
    message: Any, registry: ComponentRegistry, signer: Signer, **kwargs: Any
) -> dict[str, Any]:
    return await handle_message(message, registry=registry, signer=signer, **kwargs)


def event(**fields: Any) -> dict[str, Any]:
    return {"type": "component_event", "component": "counter", **fields}


# ---------- A good message ----------


async def test_a_first_render_and_an_event(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await call(event(component_id="c-1"), fresh_registry, signer)
    assert reply == {
        "type": "component_update",
        "html": "<p>0</p>",
        "state": '{"count":0}',
        "checksum": signer.sign("counter", "c-1", '{"count":0}'),
        "component_id": "c-1",
        "slots": {},
        # The client chose "c-1": no push subscription for an id the server did not vouch for.
        "subscribe_token": None,
    }
    assert http_status(reply) == 200
    message = event(
        component_id="c-1",
        event="increment",
        payload={"amount": 5},
        state=reply["state"],
        checksum=reply["checksum"],
    )
    reply = await call(message, fresh_registry, signer)
    assert (reply["html"], reply["state"]) == ("<p>5</p>", '{"count":5}')
    # Sending back state signed for a chosen id does not make that id subscribable.
    assert reply["subscribe_token"] is None
    assert ledger.calls == [
        "init",
        "mount",
        "before_render",
        "init",
        "hydrate",
        "increment",
        "before_render",
    ]


async def test_a_server_chosen_id_gets_a_subscription_token(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await call(event(), fresh_registry, signer)
    assert reply["component_id"].startswith("component-")
    assert signer.verify_subscription(reply["component_id"], reply["subscribe_token"]) == "counter"


async def test_raw_json_text_and_bytes_are_accepted(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    text = json.dumps(event(component_id="c-1", event="increment"))
    for raw in (text, text.encode()):
        reply = await call(raw, fresh_registry, signer)
        assert reply["state"] == '{"count":1}'


async def test_a_message_without_type_is_a_component_event(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await call({"component": "counter"}, fresh_registry, signer)
    assert reply["type"] == "component_update"


async def test_trusted_params_reach_mount(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await call(event(), fresh_registry, signer, params={"start": 7})
    assert reply["html"] == "<p>7</p>"


def test_render_component_is_the_first_render(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = render_component(
        "counter", params={"start": 3}, component_id="c-9", registry=fresh_registry, signer=signer
    )
    assert reply["html"] == "<p>3</p>"
    assert reply["component_id"] == "c-9"
    assert sorted(reply) == [
        "checksum",
        "component_id",
        "html",
        "slots",
        "state",
        "subscribe_token",
        "type",
    ]
    signer.verify("counter", "c-9", reply["state"], reply["checksum"])
    with pytest.raises(exc.ComponentNotFoundError):
        render_component("nope", registry=fresh_registry, signer=signer)


@pytest.mark.parametrize(
    "raw",
    [
        '{"component": "caf\u00e9"}'.encode("utf-16"),
        b"\xef\xbb\xbf" + '{"component": "caf\u00e9"}'.encode(),
        '{"component": "caf\u00e9"}'.encode(),
        '{"component": "caf\u00e9"}',
    ],
    ids=["utf-16", "utf-8 with BOM", "utf-8", "text"],
)
def test_load_message_reads_json_in_any_json_encoding(raw: str | bytes) -> None:
    assert load_message(raw) == {"component": "caf\u00e9"}


def test_load_message_refuses_text_that_starts_with_a_bom() -> None:
    with pytest.raises(exc.MessageError, match=r"^Message is not valid JSON: Unexpected UTF-8 BOM"):
        load_message("\ufeff{}")


def test_signed_message_signs_the_state(signer: Signer) -> None:
    message = signed_message("counter", "increment", {"amount": 1}, {"count": 2}, signer=signer)
    assert message == {
        "type": "component_event",
        "component": "counter",
        "component_id": "component-cli",
        "event": "increment",
        "payload": {"amount": 1},
        "state": '{"count":2}',
        "checksum": signer.sign("counter", "component-cli", '{"count":2}'),
    }
    assert signed_message("counter")["state"] is None


# ---------- Bad input: exact code and message, nothing ran ----------

DEEP: Any = 1
for _ in range(40):
    DEEP = {"a": DEEP}

BAD_INPUTS = [
    (
        '{"component": ',
        "bad_message",
        "Message is not valid JSON: Expecting value at line 1 column 15.",
    ),
    (
        '{\n  "component": "counter"\n  "event": "x"}',
        "bad_message",
        "Message is not valid JSON: Expecting ',' delimiter at line 3 column 3.",
    ),
    (
        '{"component": "counter", "event": "increment", "payload": {"amount": NaN}}',
        "bad_message",
        "Message is not valid JSON: NaN is not a JSON value.",
    ),
    (
        '{"component": "counter", "payload": {"x": -Infinity}}',
        "bad_message",
        "Message is not valid JSON: -Infinity is not a JSON value.",
    ),
    (
        '{"component": "counter", "payload": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
        "bad_message",
        "Message is nested too deeply.",
    ),
    ("[1, 2]", "bad_message", "Message must be a JSON object, got list."),
    ('"counter"', "bad_message", "Message must be a JSON object, got str."),
    (
        {"type": "subscribe", "component": "counter"},
        "bad_message",
        "Message type must be 'component_event', got 'subscribe'.",
    ),
    (
        {"type": "component_event"},
        "bad_message",
        "Field 'component' is required and must be a non-empty string.",
    ),
    (
        event(component=""),
        "bad_message",
        "Field 'component' is required and must be a non-empty string.",
    ),
    (
        event(component=5),
        "bad_message",
        "Field 'component' is required and must be a non-empty string.",
    ),
    (
        event(component=["counter"]),
        "bad_message",
        "Field 'component' is required and must be a non-empty string.",
    ),
    (
        event(component="countr"),
        "unknown_component",
        "Component 'countr' not found. Did you mean 'counter'?",
    ),
    (
        event(component="zzz"),
        "unknown_component",
        "Component 'zzz' not found. Registered: counter.",
    ),
    (event(event=5), "bad_message", "Field 'event' must be a string, got int."),
    (event(event=["increment"]), "bad_message", "Field 'event' must be a string, got list."),
    (event(event="nope"), "unknown_event", "No handler for event: nope"),
    (event(event="_secret"), "unknown_event", "No handler for event: _secret"),
    (event(event="__init__"), "unknown_event", "No handler for event: __init__"),
    (event(event="__class__"), "unknown_event", "No handler for event: __class__"),
    (
        event(event="increment.__globals__"),
        "unknown_event",
        "No handler for event: increment.__globals__",
    ),
    (event(event="flag"), "unknown_event", "No handler for event: flag"),
    (
        event(event="increment", payload=[1]),
        "bad_message",
        "Field 'payload' must be an object, got list.",
    ),
    (
        event(event="increment", payload="amount=1"),
        "bad_message",
        "Field 'payload' must be an object, got str.",
    ),
    (
        event(event="increment", payload={"amount": 1, "admin": True}),
        "invalid_payload",
        "Invalid payload for increment: admin: unexpected argument",
    ),
    (
        event(event="increment", payload={"amount": {"x": 1}}),
        "invalid_payload",
        "Invalid payload for increment: amount: Input should be a valid integer (got {'x': 1})",
    ),
    (
        event(event="increment", payload={"amount": DEEP}),
        "bad_message",
        "Payload is nested deeper than 32 levels.",
    ),
    (
        event(component_id="c 1"),
        "bad_message",
        "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters.",
    ),
    (
        event(component_id=""),
        "bad_message",
        "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters.",
    ),
    (
        event(component_id="x" * 129),
        "bad_message",
        "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters.",
    ),
    (
        event(component_id="<script>"),
        "bad_message",
        "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters.",
    ),
    (event(component_id=7), "bad_message", "Field 'component_id' must be a string, got int."),
    (
        event(component_id="c-1", state=[1]),
        "bad_message",
        "Field 'state' must be a JSON string, got list.",
    ),
    (
        event(component_id="c-1", state={"count": float("nan")}),
        "bad_message",
        "Field 'state' must hold only JSON values.",
    ),
    (
        event(state='{"count": 1}'),
        "bad_message",
        "Field 'component_id' is required when 'state' is sent.",
    ),
    (
        event(component_id="c-1", state='{"count":1}'),
        "tampered_state",
        "State has no checksum; it was refused.",
    ),
]


@pytest.mark.parametrize(
    ("message", "code", "error"),
    BAD_INPUTS,
    ids=[f"{i}-{case[1]}" for i, case in enumerate(BAD_INPUTS)],
)
async def test_bad_input_is_refused_with_a_clear_error_and_runs_nothing(
    ledger: Ledger,
    fresh_registry: ComponentRegistry,
    signer: Signer,
    message: Any,
    code: str,
    error: str,
) -> None:
    reply = await call(message, fresh_registry, signer)
    assert reply == {"type": "error", "error": error, "code": code}
    assert ledger.calls == []


@pytest.mark.parametrize(
    ("message", "code", "error"),
    BAD_INPUTS[:9],
    ids=[f"{i}-{case[1]}" for i, case in enumerate(BAD_INPUTS[:9])],
)
def test_parse_message_raises_the_matching_exception(
    ledger: Ledger,
    fresh_registry: ComponentRegistry,
    signer: Signer,
    message: Any,
    code: str,
    error: str,
) -> None:
    with pytest.raises(exc.ComponentError) as info:
        parse_message(message, registry=fresh_registry, signer=signer)
    assert (info.value.code, str(info.value)) == (code, error)
    assert ledger.calls == []


async def test_an_oversized_message_is_413(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    raw = json.dumps(event(event="increment", payload={"pad": "é" * 60}))
    reply = await call(raw, fresh_registry, signer, limits=Limits(max_message_bytes=100))
    size = len(raw.encode())
    assert reply == {
        "type": "error",
        "error": f"Message is {size:,} bytes (limit: 100).",
        "code": "too_large",
    }
    assert http_status(reply) == 413
    assert ledger.calls == []


async def test_oversized_state_is_413(
    ledger: Ledger,
    fresh_registry: ComponentRegistry,
    signer: Signer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = signed_message(
        "counter",
        "increment",
        state={"count": 1, "pad": "x" * 200},
        component_id="c-1",
        signer=signer,
    )
    monkeypatch.setattr(StateSerializer, "max_bytes", 100)
    reply = await call(message, fresh_registry, signer)
    assert reply["code"] == "too_large"
    assert reply["error"].startswith("Component state is 220 bytes (hard limit: 100).")
    assert http_status(reply) == 413
    assert ledger.calls == []


async def test_the_depth_limit_is_configurable(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    message = event(event="increment", payload={"amount": {"a": {"b": 1}}})
    reply = await call(message, fresh_registry, signer, limits=Limits(max_depth=2))
    assert reply["error"] == "Payload is nested deeper than 2 levels."
    ok = await call(
        event(event="increment", payload={"amount": 2}),
        fresh_registry,
        signer,
        limits=Limits(max_depth=1),
    )
    assert ok["state"] == '{"count":2}'


async def test_checks_run_in_order_state_before_payload(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    message = signed_message(
        "counter", "increment", {"amount": "x"}, {"count": 1}, component_id="c-1", signer=signer
    )
    message["state"] = '{"count":99}'
    reply = await call(message, fresh_registry, signer)
    assert reply["code"] == "tampered_state"
    message["event"] = "_secret"
    reply = await call(message, fresh_registry, signer)
    assert reply["code"] == "unknown_event"
    assert ledger.calls == []


async def test_a_failing_handler_gives_a_safe_message(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await call(event(event="boom"), fresh_registry, signer)
    assert reply == {"type": "error", "error": "Error handling boom", "code": "handler_error"}
    assert http_status(reply) == 500
    assert ledger.calls == ["init", "mount", "boom"]


async def test_an_unexpected_error_is_logged_and_reported_generically(
    ledger: Ledger,
    fresh_registry: ComponentRegistry,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    Counter = fresh_registry.resolve("counter")
    Counter.renderer = None  # type: ignore[assignment]

    class Broken(Renderer):
        def render(self, template_name: str, context: dict[str, Any]) -> str:
            raise RuntimeError("template secret")

    Counter.renderer = Broken()
    reply = await call(event(event="increment"), fresh_registry, signer)
    assert reply == {
        "type": "error",
        "error": "Internal error while handling the event; it has been logged.",
        "code": "internal_error",
    }
    assert http_status(reply) == 500
    assert "template secret" in caplog.text


async def test_dispatch_message_raises(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    with pytest.raises(exc.EventNotFoundError, match=r"^No handler for event: nope$"):
        await dispatch_message(event(event="nope"), registry=fresh_registry, signer=signer)


def test_dispatch_message_sync_runs_a_sync_handler_in_the_calling_thread(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = dispatch_message_sync(
        event(event="increment", payload={"amount": 3}), registry=fresh_registry, signer=signer
    )
    assert (reply["type"], reply["html"], reply["state"]) == (
        "component_update",
        "<p>3</p>",
        '{"count":3}',
    )
    assert ledger.threads["increment"] is threading.current_thread()
    # The reply is the same signed update the async path gives: it hydrates on the next event.
    again = dispatch_message_sync(
        event(event="increment", **{k: reply[k] for k in ("component_id", "state", "checksum")}),
        registry=fresh_registry,
        signer=signer,
    )
    assert again["state"] == '{"count":4}'


def test_dispatch_message_sync_runs_an_async_handler_in_its_own_loop(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = dispatch_message_sync(
        event(event="async_increment", payload={"amount": 2}),
        registry=fresh_registry,
        signer=signer,
    )
    assert reply["state"] == '{"count":2}'
    with pytest.raises(exc.EventNotFoundError, match=r"^No handler for event: nope$"):
        dispatch_message_sync(event(event="nope"), registry=fresh_registry, signer=signer)
    assert "nope" not in ledger.threads


async def test_dispatch_message_sync_refuses_an_async_handler_inside_a_running_loop(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    with pytest.raises(RuntimeError, match=r"await dispatch_message\(\)"):
        dispatch_message_sync(
            event(event="async_increment"), registry=fresh_registry, signer=signer
        )
    assert "async_increment" not in ledger.threads


# ---------- Threads: one worker hop for sync code, the loop for async handlers ----------


async def test_sync_handlers_run_in_one_worker_thread(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    loop_thread = threading.current_thread()
    await call(event(event="increment"), fresh_registry, signer)
    handler_thread = ledger.threads["increment"]
    assert handler_thread is not loop_thread
    # Mount, handler and render share the one hop.
    assert ledger.threads["mount"] is handler_thread
    assert ledger.threads["before_render"] is handler_thread


async def test_a_streaming_component_s_sync_handler_runs_in_a_worker_thread(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    from component_framework.core import StreamingComponent

    threads: dict[str, threading.Thread] = {}

    @fresh_registry.register("job")
    class Job(StreamingComponent):
        template_name = "job.html"
        renderer = Plain()

        def on_run(self) -> None:
            threads["run"] = threading.current_thread()
            self.state["count"] = 1

        async def on_steps(self):  # type: ignore[no-untyped-def]
            threads["steps"] = threading.current_thread()
            self.state["count"] = 1
            yield

    message = {"component": "job", "event": "run"}
    frames = [f async for f in stream_frames(message, registry=fresh_registry, signer=signer)]
    assert [(f["html"], f["stream_done"]) for f in frames] == [("<p>1</p>", True)]
    assert threads["run"] is not threading.current_thread()
    message = {"component": "job", "event": "steps"}
    frames = [f async for f in stream_frames(message, registry=fresh_registry, signer=signer)]
    assert [f["stream_done"] for f in frames] == [False, True]
    assert threads["steps"] is threading.current_thread()


async def test_async_handlers_run_on_the_event_loop(
    ledger: Ledger, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    loop_thread = threading.current_thread()
    reply = await call(
        event(event="async_increment", payload={"amount": 2}), fresh_registry, signer
    )
    assert reply["state"] == '{"count":2}'
    assert ledger.threads["async_increment"] is loop_thread


async def test_a_slow_sync_handler_does_not_block_the_loop(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    release = threading.Event()
    ticks: list[int] = []

    @fresh_registry.register("slow")
    class Slow(Component):
        template_name = "slow.html"
        renderer = Plain()

        def on_wait(self) -> None:
            # Blocks until the loop proves it is still running.
            assert release.wait(timeout=10)

    async def tick() -> None:
        await asyncio.sleep(0)
        ticks.append(1)
        release.set()

    reply, _ = await asyncio.gather(
        call({"component": "slow", "event": "wait"}, fresh_registry, signer), tick()
    )
    assert reply["type"] == "component_update"
    assert ticks == [1]


# ---------- Status codes ----------


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (exc.MessageError("x"), "bad_message", 400),
        (exc.InvalidPayloadError("x"), "invalid_payload", 400),
        (exc.InvalidEventError("x"), "unknown_event", 404),
        (exc.NotAuthenticatedError("x"), "not_authenticated", 401),
        (exc.PermissionDeniedError("x"), "permission_denied", 403),
        (exc.StateIntegrityError("x"), "tampered_state", 403),
        (exc.ComponentNotFoundError("x"), "unknown_component", 404),
        (exc.EventNotFoundError("x"), "unknown_event", 404),
        (exc.StaleStateError("x"), "stale_state", 409),
        (exc.StateTooLargeError("x"), "too_large", 413),
        (exc.HandlerError("x"), "handler_error", 500),
        (exc.ConfigurationError("x"), "server_misconfigured", 500),
        (exc.ComponentError("x"), "component_error", 500),
    ],
)
def test_http_status_of_each_code(error: exc.ComponentError, code: str, status: int) -> None:
    reply = error_reply(error)
    assert reply == {"type": "error", "error": "x", "code": code}
    assert http_status(reply) == status
    assert (error.code, error.status) == (code, status)


def test_http_status_of_updates_and_unknown_codes() -> None:
    assert http_status({"type": "component_update"}) == 200
    assert http_status({"type": "error", "code": "internal_error"}) == 500
    assert http_status({"type": "error", "code": "no_such_code"}) == 500
    assert http_status({"type": "error"}) == 500


def test_error_reply_hides_unexpected_exception_text(caplog: pytest.LogCaptureFixture) -> None:
    reply = error_reply(KeyError("secret"))
    assert reply == {
        "type": "error",
        "error": "Internal error while handling the event; it has been logged.",
        "code": "internal_error",
    }
    assert "secret" in caplog.text


class Item(BaseModel):
    """A payload argument whose validation leaves a trace in ``checks``."""

    checks: ClassVar[list[str]] = []
    name: str

    @field_validator("name")
    @classmethod
    def _seen(cls, value: str) -> str:
        cls.checks.append(value)
        return value


async def test_a_payload_is_validated_once_per_message(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    checks = Item.checks
    checks.clear()

    @fresh_registry.register("basket")
    class Basket(Component):
        renderer = Plain()
        template_name = "basket.html"

        def on_add(self, item: Item) -> None:
            self.state["count"] = len(item.name)

        async def on_add_async(self, item: Item) -> None:
            self.state["count"] = len(item.name)

    for event in ("add", "add_async"):
        message = signed_message(
            "basket", event, {"item": {"name": "pear"}}, {}, component_id="b-1", signer=signer
        )
        reply = await handle_message(message, registry=fresh_registry, signer=signer)
        assert json.loads(reply["state"]) == {"count": 4}
    assert checks == ["pear", "pear"]
    # Called directly, the seed's API still validates.
    assert Basket().dispatch("add", {"item": {"name": "fig"}})["state"] == {"count": 3}
    assert checks == ["pear", "pear", "fig"]


async def test_a_form_submit_shape_is_checked_once(
    fresh_registry: ComponentRegistry, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from component_framework.core import FormComponent
    from component_framework.core import form as form_module

    seen: list[Any] = []
    check = form_module._check_submit_payload

    def counted(payload: Any) -> None:
        seen.append(payload)
        check(payload)

    monkeypatch.setattr(form_module, "_check_submit_payload", counted)

    @fresh_registry.register("note_form")
    class NoteForm(FormComponent):
        renderer = Plain()
        template_name = "form.html"

    message = signed_message("note_form", "submit", {"form_data": {"x": 1}}, signer=signer)
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert json.loads(reply["state"])["is_valid"] is True
    assert len(seen) == 1


# ---------- Presence is `is not None` ----------


@pytest.mark.parametrize("handler", ["ping", "aping"])
def test_a_stateless_component_mounts_once_not_on_every_event(
    fresh_registry: ComponentRegistry, signer: Signer, handler: str
) -> None:
    mounts: list[str] = []

    @fresh_registry.register("stateless")
    class Stateless(Component):
        template_name = "stateless.html"
        renderer = Plain()

        def mount(self) -> None:
            mounts.append("mount")  # a query, a side effect: once per page, not per event
            super().mount()

        def on_ping(self) -> None:
            pass

        async def on_aping(self) -> None:
            pass

    page = render_component("stateless", registry=fresh_registry, signer=signer)
    assert page["state"] == "{}"
    message = {
        "component": "stateless",
        "component_id": page["component_id"],
        "event": handler,
        "state": page["state"],
        "checksum": page["checksum"],
    }
    reply = asyncio.run(handle_message(message, registry=fresh_registry, signer=signer))
    assert reply["type"] == "component_update", reply
    frames = asyncio.run(_collect(stream_frames(message, registry=fresh_registry, signer=signer)))
    assert frames[-1]["stream_done"] is True
    assert mounts == ["mount"]


async def _collect(frames: Any) -> list[dict[str, Any]]:
    return [frame async for frame in frames]


def test_an_empty_event_name_is_an_unknown_event(
    fresh_registry: ComponentRegistry, ledger: Ledger, signer: Signer
) -> None:
    reply = asyncio.run(
        handle_message(
            {"component": "counter", "event": ""}, registry=fresh_registry, signer=signer
        )
    )
    assert (reply["code"], http_status(reply)) == ("unknown_event", 404)
    assert ledger.calls == []
