"""Component: lifecycle order, dispatch results, handler errors, rendering and slots."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from component_framework.core import (
    Component,
    ComponentError,
    EventNotFoundError,
)
from component_framework.core.exceptions import HandlerError, InvalidPayloadError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import Renderer, set_default_renderer

Templates = Callable[..., JinjaRenderer]


class RecordingRenderer(Renderer):
    """Renders ``<p>{state}</p>`` and records every call."""

    def __init__(self, log: list[str] | None = None) -> None:
        self.log = log if log is not None else []

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        self.log.append(f"render:{template_name}")
        return f"<p>{context['state']}</p>"


@pytest.fixture
def no_default_renderer() -> Iterator[None]:
    previous = set_default_renderer(None)
    yield
    set_default_renderer(previous)


def make_recorder() -> tuple[type[Component], list[str]]:
    log: list[str] = []

    class Recorder(Component):
        template_name = "recorder.html"
        renderer = RecordingRenderer(log)

        def __init__(self, **params: Any) -> None:
            log.append("init")
            super().__init__(**params)

        def mount(self) -> None:
            log.append("mount")
            super().mount()
            self.state["count"] = 0

        def hydrate(self, state: dict[str, Any]) -> None:
            log.append("hydrate")
            super().hydrate(state)

        def on_increment(self, amount: int = 1) -> None:
            log.append("handler")
            self.state["count"] += amount

        async def on_async_increment(self, amount: int = 1) -> None:
            log.append("async handler")
            self.state["count"] += amount

        def before_render(self) -> None:
            log.append("before_render")

        def dehydrate(self) -> dict[str, Any]:
            log.append("dehydrate")
            return super().dehydrate()

    return Recorder, log


# ---------- Lifecycle ----------


def test_first_load_mounts_then_handles_then_renders_then_dehydrates() -> None:
    recorder, log = make_recorder()
    result = recorder(component_id="c-1").dispatch("increment", {"amount": 2})
    assert log == [
        "init",
        "mount",
        "handler",
        "before_render",
        "render:recorder.html",
        "dehydrate",
    ]
    assert result == {
        "html": "<p>{'count': 2}</p>",
        "state": {"count": 2},
        "component_id": "c-1",
        "slots": {},
    }


def test_state_hydrates_instead_of_mounting() -> None:
    recorder, log = make_recorder()
    result = recorder(component_id="c-1").dispatch("increment", {}, state={"count": 5})
    assert log == [
        "init",
        "hydrate",
        "handler",
        "before_render",
        "render:recorder.html",
        "dehydrate",
    ]
    assert result["state"] == {"count": 6}


def test_an_empty_state_hydrates_it_does_not_mount_again() -> None:
    # mount() OR hydrate(state): a component whose state is {} was mounted once already; its
    # events must not re-run mount() (its queries, its side effects).
    recorder, log = make_recorder()
    recorder().dispatch(state={})
    assert log[:2] == ["init", "hydrate"]
    assert "mount" not in log


async def test_an_empty_state_hydrates_in_async_dispatch_and_streams() -> None:
    from component_framework.core import StreamingComponent

    recorder, log = make_recorder()
    await recorder().async_dispatch(state={})
    assert log[:2] == ["init", "hydrate"]

    class Streamer(StreamingComponent, recorder):  # type: ignore[misc, valid-type]
        pass

    log.clear()
    frames = [f async for f in Streamer().async_stream_dispatch(state={})]
    assert log[:2] == ["init", "hydrate"]
    assert "mount" not in log
    assert frames[-1]["stream_done"] is True


def test_an_empty_event_name_is_refused_not_taken_for_no_event() -> None:
    recorder, log = make_recorder()
    with pytest.raises(EventNotFoundError):
        recorder().dispatch(event="", state={"count": 1})
    assert "handler" not in log


def test_dispatch_without_event_only_renders() -> None:
    recorder, log = make_recorder()
    result = recorder(component_id="c-2").dispatch()
    assert log == ["init", "mount", "before_render", "render:recorder.html", "dehydrate"]
    assert result == {
        "html": "<p>{'count': 0}</p>",
        "state": {"count": 0},
        "component_id": "c-2",
        "slots": {},
    }


async def test_async_dispatch_has_the_same_order_and_keys() -> None:
    recorder, log = make_recorder()
    result = await recorder(component_id="c-3").async_dispatch(
        "async_increment", {"amount": 4}, state={"count": 1}
    )
    assert log == [
        "init",
        "hydrate",
        "async handler",
        "before_render",
        "render:recorder.html",
        "dehydrate",
    ]
    assert result == {
        "html": "<p>{'count': 5}</p>",
        "state": {"count": 5},
        "component_id": "c-3",
        "slots": {},
    }


async def test_async_dispatch_runs_sync_handlers_too() -> None:
    recorder, log = make_recorder()
    result = await recorder().async_dispatch("increment", {"amount": 3})
    assert "handler" in log
    assert result["state"] == {"count": 3}


# ---------- resolve: the lifecycle without rendering ----------


def test_resolve_mounts_handles_and_returns_the_state_without_rendering() -> None:
    recorder, log = make_recorder()
    assert recorder().resolve("increment", {"amount": 2}) == {"count": 2}
    assert log == ["init", "mount", "handler", "dehydrate"]


def test_resolve_hydrates_a_given_state_and_without_event_only_returns_it() -> None:
    recorder, log = make_recorder()
    assert recorder().resolve(state={"count": 5}) == {"count": 5}
    assert log == ["init", "hydrate", "dehydrate"]


def test_resolve_raises_what_handle_event_raises() -> None:
    recorder, _ = make_recorder()
    with pytest.raises(EventNotFoundError):
        recorder().resolve("missing", state={"count": 0})
    with pytest.raises(InvalidPayloadError):
        recorder().resolve("increment", {"amount": "many"}, state={"count": 0})
    with pytest.raises(ComponentError, match="async_dispatch"):
        recorder().resolve("async_increment", state={"count": 0})


async def test_async_resolve_runs_sync_and_async_handlers_without_rendering() -> None:
    recorder, log = make_recorder()
    assert await recorder().async_resolve("async_increment", {"amount": 3}) == {"count": 3}
    assert await recorder().async_resolve("increment", state={"count": 1}) == {"count": 2}
    assert log == [
        *("init", "mount", "async handler", "dehydrate"),
        *("init", "hydrate", "handler", "dehydrate"),
    ]
    with pytest.raises(EventNotFoundError):
        await recorder().async_resolve("missing")


async def test_async_resolve_runs_a_streaming_handler_to_its_end() -> None:
    from component_framework.core import StreamingComponent

    class Words(StreamingComponent):
        async def on_spell(self, word: str) -> Any:
            for letter in word:
                self.state["text"] = self.state.get("text", "") + letter
                yield

    assert await Words().async_resolve("spell", {"word": "abc"}) == {"text": "abc"}


def test_dehydrate_returns_a_copy() -> None:
    component = Component()
    component.state["a"] = 1
    snapshot = component.dehydrate()
    snapshot["a"] = 2
    assert component.state == {"a": 1}


def test_hydrate_merges_state() -> None:
    component = Component()
    component.state["keep"] = True
    component.hydrate({"count": 1})
    assert component.state == {"keep": True, "count": 1}


# ---------- Identity ----------


def test_generated_id_and_params() -> None:
    component = Component(title="x")
    assert re.fullmatch(r"component-[0-9a-f]{32}", component.id)
    assert component.params == {"title": "x"}
    assert component.state == {}
    assert component.errors == {}
    assert Component().id != component.id


def test_component_id_param_is_the_id() -> None:
    assert Component(component_id="component-abc").id == "component-abc"


def test_repr_shows_class_id_and_state() -> None:
    component = Component(component_id="c-9")
    component.state["count"] = 3
    assert repr(component) == "<Component id='c-9' count=3>"


def test_optimistic_patch_defaults_to_none() -> None:
    assert Component().get_optimistic_patch("increment", {"amount": 1}) is None


# ---------- Events ----------


def test_sync_handle_event_refuses_an_async_handler() -> None:
    recorder, log = make_recorder()
    component = recorder()
    component.mount()
    with pytest.raises(ComponentError) as info:
        component.handle_event("async_increment", {})
    assert str(info.value) == (
        "Handler 'on_async_increment' is async — use async_dispatch() or "
        "async_handle_event() instead of the sync variants."
    )
    assert "async handler" not in log
    assert component.state == {"count": 0}


def test_sync_dispatch_refuses_an_async_generator_handler() -> None:
    ran: list[str] = []

    class Gen(Component):
        renderer = RecordingRenderer()
        template_name = "gen.html"

        async def on_steps(self) -> Any:
            ran.append("steps")
            yield

    with pytest.raises(ComponentError, match=r"^Handler 'on_steps' is async — use async_"):
        Gen().dispatch("steps")
    assert ran == []


def test_unknown_event() -> None:
    recorder, log = make_recorder()
    with pytest.raises(EventNotFoundError, match=r"^No handler for event: missing$"):
        recorder().dispatch("missing")
    assert "render:recorder.html" not in log


async def test_unknown_event_async() -> None:
    recorder, _ = make_recorder()
    with pytest.raises(EventNotFoundError, match=r"^No handler for event: missing$"):
        await recorder().async_handle_event("missing", {})


class Faulty(Component):
    renderer = RecordingRenderer()
    template_name = "faulty.html"

    def on_type_error(self) -> None:
        # A bug inside the handler, not a payload problem.
        len(5)  # type: ignore[arg-type]

    async def on_async_type_error(self) -> None:
        None + 1  # type: ignore[operator]  # noqa: B018

    def on_value_error(self) -> None:
        raise ValueError("secret detail")

    def on_refuse(self) -> None:
        raise ComponentError("Refused by the handler")


def test_type_error_inside_a_handler_is_a_handler_error_not_an_invalid_payload() -> None:
    with pytest.raises(HandlerError, match=r"^Error handling type_error$") as info:
        Faulty().handle_event("type_error", {})
    assert isinstance(info.value.__cause__, TypeError)
    assert not isinstance(info.value, InvalidPayloadError)
    assert info.value.code == "handler_error"


async def test_type_error_inside_an_async_handler_is_a_handler_error() -> None:
    with pytest.raises(HandlerError, match=r"^Error handling async_type_error$") as info:
        await Faulty().async_handle_event("async_type_error", {})
    assert isinstance(info.value.__cause__, TypeError)


def test_any_exception_in_a_handler_becomes_a_handler_error_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(HandlerError, match=r"^Error handling value_error$") as info:
        Faulty().dispatch("value_error")
    assert isinstance(info.value.__cause__, ValueError)
    assert "secret detail" not in str(info.value)
    assert "Error handling value_error in Faulty" in caplog.text


def test_a_component_error_from_a_handler_passes_through() -> None:
    with pytest.raises(ComponentError, match=r"^Refused by the handler$") as info:
        Faulty().dispatch("refuse")
    assert type(info.value) is ComponentError


def test_a_payload_that_does_not_fit_is_invalid_and_the_handler_does_not_run() -> None:
    recorder, log = make_recorder()
    with pytest.raises(
        InvalidPayloadError, match=r"^Invalid payload for increment: amount: Input should be"
    ):
        recorder().dispatch("increment", {"amount": {"x": 1}})
    assert "handler" not in log


# ---------- Rendering ----------


def test_render_with_jinja_and_exact_html(templates: Templates) -> None:
    templates(**{"counter.html": "<p id='{{ component_id }}'>Count: {{ state.count }}</p>"})

    class Counter(Component):
        template_name = "counter.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

    result = Counter(component_id="c-1", start=3).dispatch("increment")
    assert result["html"] == "<p id='c-1'>Count: 4</p>"


def test_get_context_keys() -> None:
    component = Component(component_id="c-1")
    component.state["a"] = 1
    component.errors["form"] = "bad"
    assert component.get_context() == {
        "state": {"a": 1},
        "errors": {"form": "bad"},
        "component_id": "c-1",
        "slots": {},
    }


def test_render_without_a_renderer(no_default_renderer: None) -> None:
    class Bare(Component):
        template_name = "bare.html"

    with pytest.raises(ComponentError, match=r"^No renderer configured for Bare"):
        Bare().render()


def test_render_without_a_template_name() -> None:
    class Nameless(Component):
        renderer = RecordingRenderer()

    with pytest.raises(ComponentError, match=r"^No template_name specified on Nameless"):
        Nameless().render()


def test_before_render_runs_once_per_render() -> None:
    calls: list[str] = []

    class Derived(Component):
        renderer = RecordingRenderer()
        template_name = "derived.html"

        def before_render(self) -> None:
            calls.append("before_render")
            self.state["double"] = self.state.get("n", 0) * 2

    result = Derived().dispatch(state={"n": 4})
    assert calls == ["before_render"]
    assert result["state"] == {"n": 4, "double": 8}


# ---------- Slots ----------


class Child(Component):
    template_name = "child.html"
    renders = 0

    def mount(self) -> None:
        super().mount()
        self.state["text"] = self.params.get("text", "")

    def render(self) -> str:
        type(self).renders += 1
        return super().render()


def test_fill_slot_refuses_an_undeclared_slot() -> None:
    class Card(Component):
        slots = ["header", "body"]

    with pytest.raises(ComponentError) as info:
        Card().fill_slot("footer", Component())
    assert str(info.value) == "Unknown slot 'footer'. Available: ['header', 'body']"


def test_fill_slot_accepts_any_name_when_no_slots_are_declared(templates: Templates) -> None:
    templates(**{"child.html": "<b>{{ state.text }}</b>"})
    parent = Component()
    parent.fill_slot("anything", Child(text="hi"))
    assert parent.render_slots() == {"anything": "<b>hi</b>"}


def test_dispatch_renders_slot_children_once(templates: Templates) -> None:
    templates(
        **{
            "child.html": "<b>{{ state.text }}</b>",
            "card.html": "<div>{{ slots.header }}|{{ slots.body }}</div>",
        }
    )

    class CountingChild(Child):
        renders = 0

    class Card(Component):
        template_name = "card.html"
        slots = ["header", "body"]

    card = Card(component_id="card-1")
    card.fill_slot("header", CountingChild(text="Title"))
    card.fill_slot("body", CountingChild(text="<i>x</i>"))
    result = card.dispatch()
    assert CountingChild.renders == 2  # one render per child, not two
    assert result == {
        "html": "<div><b>Title</b>|<b>&lt;i&gt;x&lt;/i&gt;</b></div>",
        "state": {},
        "component_id": "card-1",
        "slots": {"header": "<b>Title</b>", "body": "<b>&lt;i&gt;x&lt;/i&gt;</b>"},
    }


async def test_async_dispatch_renders_slot_children_once(templates: Templates) -> None:
    templates(**{"child.html": "<b>{{ state.text }}</b>", "wrap.html": "[{{ slots.main }}]"})

    class CountingChild(Child):
        renders = 0

    class Wrap(Component):
        template_name = "wrap.html"

    wrap = Wrap()
    wrap.fill_slot("main", CountingChild(text="a"))
    result = await wrap.async_dispatch()
    assert CountingChild.renders == 1
    assert result["html"] == "[<b>a</b>]"
    assert result["slots"] == {"main": "<b>a</b>"}


def test_render_slots_renders_the_children_again_on_each_call(templates: Templates) -> None:
    templates(**{"child.html": "<b>{{ state.text }}</b>"})

    class CountingChild(Child):
        renders = 0

    parent = Component()
    child = CountingChild(text="a")
    parent.fill_slot("main", child)
    assert parent.render_slots() == {"main": "<b>a</b>"}
    child.state["text"] = "b"
    assert parent.render_slots() == {"main": "<b>b</b>"}
    assert CountingChild.renders == 2


def test_dispatch_slots_are_those_of_its_own_render(templates: Templates) -> None:
    templates(**{"child.html": "<b>{{ state.text }}</b>", "wrap.html": "[{{ slots.main }}]"})

    class CountingChild(Child):
        renders = 0

    class Wrap(Component):
        template_name = "wrap.html"

    wrap = Wrap()
    child = CountingChild(text="a")
    wrap.fill_slot("main", child)
    wrap.render_slots()
    child.state["text"] = "b"
    result = wrap.dispatch()
    assert (result["html"], result["slots"]) == ("[<b>b</b>]", {"main": "<b>b</b>"})
    assert CountingChild.renders == 2


def test_a_get_context_without_slots_still_gets_its_slots_rendered_once(
    templates: Templates,
) -> None:
    templates(**{"child.html": "<b>{{ state.text }}</b>", "own.html": "own"})

    class CountingChild(Child):
        renders = 0

    class OwnContext(Component):
        template_name = "own.html"

        def get_context(self) -> dict[str, Any]:
            return {"state": self.state}

    own = OwnContext()
    own.fill_slot("main", CountingChild(text="a"))
    assert own.dispatch()["slots"] == {"main": "<b>a</b>"}
    assert CountingChild.renders == 1


# ---------- locked_fields: state only the server sets ----------


class Account(Component):
    template_name = "account.html"
    renderer = RecordingRenderer()
    locked_fields = ("is_admin",)

    def hydrate(self, state: dict[str, Any]) -> None:
        super().hydrate(state)
        self.state["is_admin"] = False  # the server decides, on every request

    def on_rename(self, name: str) -> None:
        self.state["name"] = name


def test_locked_fields_never_leave_the_server_nor_come_back_from_the_page(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = Account().dispatch("rename", {"name": "ada"}, state={"is_admin": True})
    assert result["state"] == {"name": "ada"}
    assert "'is_admin': False" in result["html"]  # the server's value rendered
    assert "Dropped locked fields ['is_admin']" in caplog.text
    assert Component.locked_fields == frozenset()


def test_an_override_reading_its_argument_after_hydrate_never_sees_a_locked_field() -> None:
    seen: list[dict[str, Any]] = []

    class Reads(Component):
        template_name = "reads.html"
        locked_fields = ["owner"]  # any collection of names

        def hydrate(self, state: dict[str, Any]) -> None:
            super().hydrate(state)
            seen.append(dict(state))

    Reads().hydrate({"owner": 7, "title": "x"})
    assert seen == [{"title": "x"}]
