"""component_framework.testing.ComponentTester: the helper users write their tests with."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from component_framework.core import (
    BasePermission,
    Component,
    ComponentRegistry,
    FormComponent,
    IsAuthenticated,
    StreamingComponent,
)
from component_framework.core.exceptions import (
    ComponentNotFoundError,
    EventNotFoundError,
    HandlerError,
    InvalidPayloadError,
    NotAuthenticatedError,
)
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.signing import Signer
from component_framework.testing import ComponentTester

Templates = Callable[..., JinjaRenderer]

TEMPLATES = {
    "counter.html": "<p>Count: {{ state.count }}</p><i>{{ state.note }}</i>",
    "form.html": "<form>{{ state.form_data.name }}</form>",
    "progress.html": "<p>{{ state.step }}</p>",
    "likes.html": '<button cf-click="like">{{ state.likes }}</button>',
}


class Counter(Component):
    template_name = "counter.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)
        self.state["note"] = ""

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount

    async def on_async_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount

    def on_note(self, text: str) -> None:
        self.state["note"] = text

    def on_fail(self) -> None:
        self.state["count"] = -1
        raise RuntimeError("boom")


class Signup(BaseModel):
    name: str
    age: int


class SignupForm(FormComponent):
    schema = Signup
    template_name = "form.html"

    def on_submit(self) -> None:
        self.state["saved"] = True


class Progress(StreamingComponent):
    template_name = "progress.html"

    def mount(self) -> None:
        super().mount()
        self.state["step"] = 0

    async def on_run(self, steps: int) -> Any:
        for _ in range(steps):
            self.state["step"] += 1
            yield


@pytest.fixture
def registry(fresh_registry: ComponentRegistry, templates: Templates) -> ComponentRegistry:
    templates(**TEMPLATES)
    fresh_registry.register("counter")(Counter)
    fresh_registry.register("signup")(SignupForm)
    fresh_registry.register("progress")(Progress)
    return fresh_registry


def test_the_chain_by_class(registry: ComponentRegistry, signer: Signer) -> None:
    tester = ComponentTester(Counter, registry=registry, signer=signer, start=1)
    assert tester.name == "counter"
    result = (
        tester.assert_see("Count: 1")
        .call("increment", amount=2)
        .assert_set("count", 3)
        .assert_set("note")
        .assert_state(count=3, note="")
        .assert_see("Count: 3")
        .assert_dont_see("Count: 1")
    )
    assert result is tester
    assert tester.html == "<p>Count: 3</p><i></i>"
    assert tester.state == {"count": 3, "note": ""}


def test_by_registered_name(registry: ComponentRegistry, signer: Signer) -> None:
    tester = ComponentTester("counter", registry=registry, signer=signer)
    tester.call("increment").call("increment").assert_set("count", 2)


def test_an_unregistered_class_gets_a_private_registry(templates: Templates) -> None:
    templates(**TEMPLATES)

    class UnlistedCounter(Counter):
        pass

    tester = ComponentTester(UnlistedCounter)
    assert tester.name == "unlisted_counter"
    tester.call("increment", amount=5).assert_set("count", 5)


def test_an_unknown_name_raises(registry: ComponentRegistry) -> None:
    with pytest.raises(ComponentNotFoundError, match=r"^Component 'countr' not found\. Did you"):
        ComponentTester("countr", registry=registry)


def test_the_component_id_is_stable_and_the_reply_is_the_wire_reply(
    registry: ComponentRegistry, signer: Signer
) -> None:
    tester = ComponentTester(Counter, registry=registry, signer=signer)
    first_id = tester.component_id
    tester.call("increment")
    assert tester.component_id == first_id
    reply = tester.reply
    assert reply["type"] == "component_update"
    signer.verify("counter", first_id, reply["state"], reply["checksum"])
    assert repr(tester) == (
        f"<ComponentTester 'counter' id={first_id!r} state={{'count': 1, 'note': ''}}>"
    )


def test_assert_see_escapes_unless_told_not_to(registry: ComponentRegistry) -> None:
    tester = ComponentTester(Counter, registry=registry).call("note", text="<b>hi</b>")
    tester.assert_see("<b>hi</b>").assert_see("&lt;b&gt;", escape=False)
    tester.assert_dont_see("<b>hi</b>", escape=False)


def test_failed_assertions_say_what_was_there(registry: ComponentRegistry) -> None:
    tester = ComponentTester(Counter, registry=registry)
    with pytest.raises(AssertionError, match=r"'Count: 9' not found in HTML:\n<p>Count: 0</p>"):
        tester.assert_see("Count: 9")
    with pytest.raises(AssertionError, match=r"'Count: 0' unexpectedly found in HTML"):
        tester.assert_dont_see("Count: 0")
    with pytest.raises(AssertionError, match=r"^state\['count'\] is 0, expected 1$"):
        tester.assert_set("count", 1)
    with pytest.raises(
        AssertionError, match=r"^state has no 'missing'; keys: \['count', 'note'\]$"
    ):
        tester.assert_set("missing")
    with pytest.raises(AssertionError, match=r"^state\['note'\] is '', expected 'x'$"):
        tester.assert_state(count=0, note="x")


def test_async_handlers_work(registry: ComponentRegistry) -> None:
    ComponentTester(Counter, registry=registry).call("async_increment", amount=4).assert_set(
        "count", 4
    )


@pytest.mark.parametrize(
    ("event", "payload", "error", "message"),
    [
        ("increment", {"amount": {"x": 1}}, InvalidPayloadError, r"^Invalid payload for increment"),
        ("increment", {"bogus": 1}, InvalidPayloadError, r"bogus: unexpected argument"),
        ("nope", {}, EventNotFoundError, r"^No handler for event: nope$"),
        ("fail", {}, HandlerError, r"^Error handling fail$"),
    ],
)
def test_errors_are_core_exceptions_and_the_state_is_kept(
    registry: ComponentRegistry,
    event: str,
    payload: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    tester = ComponentTester(Counter, registry=registry).call("increment", amount=2)
    with pytest.raises(error, match=message):
        tester.call(event, **payload)
    tester.assert_state(count=2).assert_see("Count: 2")
    tester.call("increment").assert_set("count", 3)


def test_form_submit_and_field_errors(registry: ComponentRegistry) -> None:
    form = ComponentTester(SignupForm, registry=registry)
    form.assert_state(form_data={}, submitted=False, is_valid=False)
    form.submit(name="Ada", age="old")
    form.assert_state(submitted=True, is_valid=False).assert_field_error("age")
    form.assert_field_error("age", contains="whole number")
    with pytest.raises(AssertionError, match=r"^no error for field 'name'"):
        form.assert_field_error("name")
    with pytest.raises(AssertionError, match=r"^no error for 'age' contains 'zzz'"):
        form.assert_field_error("age", contains="zzz")
    with pytest.raises(AssertionError, match=r"^unexpected field errors"):
        form.assert_no_field_errors()
    form.set("age", 36).submit().assert_state(is_valid=True, saved=True)
    form.assert_no_field_errors().assert_see("<form>Ada</form>", escape=False)


def test_form_submit_with_a_bad_shape_is_refused(registry: ComponentRegistry) -> None:
    form = ComponentTester(SignupForm, registry=registry)
    with pytest.raises(InvalidPayloadError, match=r"unknown field 'admin'"):
        form.set("admin", True)
    form.assert_state(form_data={})


def test_stream_returns_every_frame(registry: ComponentRegistry) -> None:
    tester = ComponentTester(Progress, registry=registry)
    frames = tester.stream("run", steps=3)
    assert [(f["html"], f["stream_done"]) for f in frames] == [
        ("<p>1</p>", False),
        ("<p>2</p>", False),
        ("<p>3</p>", False),
        ("<p>3</p>", True),
    ]
    assert tester.frames == frames
    tester.assert_set("step", 3).call("run", steps=1).assert_set("step", 4)


def test_permissions_see_the_request(
    fresh_registry: ComponentRegistry, templates: Templates
) -> None:
    templates(**TEMPLATES)

    @dataclass
    class User:
        is_authenticated: bool

    @dataclass
    class Request:
        user: User

    @fresh_registry.register("members_counter")
    class MembersCounter(Counter):
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]

    with pytest.raises(NotAuthenticatedError):
        ComponentTester(MembersCounter, registry=fresh_registry)
    member = ComponentTester(
        MembersCounter, registry=fresh_registry, request=Request(User(is_authenticated=True))
    )
    member.call("increment").assert_set("count", 1)


async def test_works_inside_an_async_test(registry: ComponentRegistry) -> None:
    tester = ComponentTester(Counter, registry=registry, start=10)
    tester.call("increment").call("async_increment").assert_set("count", 12)
    await tester.acall("increment", amount=3)
    tester.assert_set("count", 15)
    frames = ComponentTester(Progress, registry=registry).stream("run", steps=1)
    assert [f["stream_done"] for f in frames] == [False, True]


def test_optimistic_patches_are_shown(registry: ComponentRegistry) -> None:
    class Likes(Component):
        template_name = "likes.html"

        def mount(self) -> None:
            super().mount()
            self.state["likes"] = 0

        def on_like(self) -> None:
            self.state["likes"] += 1

        def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
            return {"likes": self.state["likes"] + 1}

    tester = ComponentTester(Likes)
    assert tester.optimistic == {"like|": {"likes": 1}}
    assert tester.call("like").optimistic == {"like|": {"likes": 2}}
    assert ComponentTester("counter", registry=registry).optimistic == {}


# ---------- Server-held state ----------


def test_server_held_component_runs_against_a_private_in_memory_store(
    templates: Templates,
) -> None:
    from component_framework.core.redis_store import RedisStateStore
    from component_framework.core.state import InMemoryStateStore

    templates(**TEMPLATES)

    class Held(Counter):
        # Nothing listens there: the tester must never reach the store the class names.
        state_store = RedisStateStore("redis://127.0.0.1:9/0")

    tester = ComponentTester(Held, start=2).call("increment", amount=3).assert_set("count", 5)
    tester.assert_see("Count: 5")
    ref = json.loads(tester.reply["state"])
    assert ref == {"component": "held", "id": tester.component_id, "key": ref["key"], "version": 2}
    store = InMemoryStateStore()
    shared = ComponentTester(Held, state_store=store).call("async_increment")
    assert store.load(json.loads(shared.reply["state"])["key"]) == {"count": 1, "note": ""}
    assert shared.state == {"count": 1, "note": ""}


# ---------- The process-wide defaults, restored ----------


def test_isolated_defaults_restores_every_process_wide_default(tmp_path: Any) -> None:
    from component_framework.core import Component, registry, ws_manager
    from component_framework.core import state as state_module
    from component_framework.core.renderer import get_default_renderer, set_default_renderer
    from component_framework.core.signing import configure, get_signer
    from component_framework.core.threads import set_thread_limit, thread_limit
    from component_framework.testing import isolated_defaults

    names, renderer, signer = registry.items(), get_default_renderer(), get_signer()
    store, limit, broker = state_module.get_default_store(), thread_limit(), ws_manager.broker
    with isolated_defaults():
        registry.register("isolated-only")(type("Isolated", (Component,), {}))
        set_default_renderer(None)
        configure("another-secret-key-0123456789")
        opened = state_module.configure(f"sqlite:///{tmp_path}/s.db")
        set_thread_limit(limit + 1)
        ws_manager.use_broker("memory://")
    assert registry.items() == names
    assert get_default_renderer() is renderer
    assert get_signer() is signer
    assert state_module.get_default_store() is store
    assert opened is not None and opened._opened == []  # type: ignore[attr-defined]
    assert thread_limit() == limit
    assert ws_manager.broker is broker


def test_a_template_nesting_a_component_renders_it_from_the_testers_registry(
    fresh_registry: ComponentRegistry, templates: Templates
) -> None:
    templates(
        **TEMPLATES, **{"card.html": '<article>{{ component("members", start=7) }}</article>'}
    )

    @dataclass
    class User:
        is_authenticated: bool

    @dataclass
    class Request:
        user: User

    @fresh_registry.register("card")
    class Card(Component):
        template_name = "card.html"

    @fresh_registry.register("members")
    class MembersCounter(Counter):
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]

    # Looked up in the tester's registry (not the global one), for the tester's request.
    ComponentTester(Card, registry=fresh_registry).assert_see("Authentication required.")
    member = ComponentTester(Card, registry=fresh_registry, request=Request(User(True)))
    member.assert_see('data-cf-component="members"', "<p>Count: 7</p>", escape=False)
