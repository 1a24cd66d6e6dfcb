"""Sync handlers that provably cannot block run on the event loop; anything else takes the hop."""

from __future__ import annotations

import datetime
import functools
import json
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

import jinja2
import pytest
from pydantic import BaseModel, Field

import component_framework.core._offload as offload
from component_framework.core import Component, ComponentRegistry
from component_framework.core._nonblocking import runs_on_loop
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_message, make_message, parse_message
from component_framework.core.signing import Signer

from ._support import Plain

COUNTER = (
    "<p>{{ state.count }}</p>"
    '<ul>{% for item in state["items"] %}<li>{{ item }}</li>{% endfor %}</ul>'
)
STEP = 1


def renderer(source: str = COUNTER, **filters: Callable[..., Any]) -> JinjaRenderer:
    made = JinjaRenderer(loader=jinja2.DictLoader({"c.html": source}))
    made.environment.filters.update(filters)
    return made


def counter_class(
    handler: Callable[..., Any], *, render: Any = None, **attributes: Any
) -> type[Component]:
    namespace = {
        "template_name": "c.html",
        "renderer": render or renderer(),
        "on_go": handler,
        **attributes,
    }
    return type("Counter", (Component,), namespace)


def on_loop(
    cls: type[Component],
    signer: Signer,
    payload: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
) -> bool:
    registry = ComponentRegistry()
    registry.register("counter")(cls)
    state = {"count": 1, "items": ["a"]} if state is None else state
    message = make_message("counter", "go", payload or {}, state, component_id="c-1", signer=signer)
    return runs_on_loop(parse_message(message, registry=registry, signer=signer))


def increment(self: Any, amount: int = 1) -> None:
    self.state["count"] += amount


def test_a_handler_that_only_changes_state_runs_on_the_loop(signer: Signer) -> None:
    assert on_loop(counter_class(increment), signer)


def _compare_and_format(self: Any, step: int = 1, label: str | None = None) -> None:
    total = self.state["count"] + step if step > 0 else self.state["count"]
    self.state["summary"] = f"{label or 'total'}: {total:>4} {[step, total]!r}"
    self.errors = {}


def test_comparisons_and_formatting_are_provably_safe(signer: Signer) -> None:
    assert on_loop(counter_class(_compare_and_format), signer, {"step": 2, "label": "x"})


def _counts_down(self: Any, n: int = 0) -> None:
    while n > 0:
        n -= 1


def _sums(self: Any) -> None:
    for item in self.state["items"]:
        self.state["count"] += len(item)


def test_a_loop_takes_the_hop(signer: Signer) -> None:
    # The client picks n: on the loop it could hold every connection; a worker thread gives
    # the GIL back every few milliseconds.
    assert not on_loop(counter_class(_counts_down), signer, {"n": 10**9})
    assert not on_loop(counter_class(_sums), signer)


def _sleeps(self: Any) -> None:
    time.sleep(0)


def _calls_len(self: Any) -> None:
    self.state["count"] = len(self.state["items"])


def _reads_global(self: Any) -> None:
    self.state["count"] += STEP


def _reads_other_attribute(self: Any) -> None:
    self.state["count"] = self.template_name


def _raises(self: Any) -> None:
    raise ValueError


def _catches(self: Any) -> None:
    try:
        self.state["count"] += 1
    except KeyError:
        self.state["count"] = 1


def _logged(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    "handler",
    [
        _sleeps,
        _calls_len,
        _reads_global,
        _reads_other_attribute,
        _raises,
        _catches,
        _logged(increment),
    ],
)
def test_a_handler_that_may_run_other_code_takes_the_hop(
    handler: Callable[..., Any], signer: Signer
) -> None:
    assert not on_loop(counter_class(handler), signer)


class Amount(BaseModel):
    value: int


def _typed(hint: Any) -> Callable[..., Any]:
    def on_go(self: Any, amount: Any = None) -> None:
        self.state["last"] = amount

    on_go.__annotations__ = {"amount": hint, "return": None}
    return on_go


@pytest.mark.parametrize(
    ("hint", "runs_on_loop_"),
    [
        (int, True),
        (int | None, True),
        (Literal["a", "b"], True),
        (list[int], True),
        (dict[str, str], True),
        (Annotated[int, Field(ge=0)], True),
        (Any, True),
        (Amount, False),
        (datetime.date, False),
        (list[Amount], False),
    ],
)
def test_arguments_must_be_plain_json_values(
    hint: Any, runs_on_loop_: bool, signer: Signer
) -> None:
    assert on_loop(counter_class(_typed(hint)), signer) is runs_on_loop_


def _noop(self: Any, *args: Any) -> None:
    pass


@pytest.mark.parametrize(
    "override",
    [
        {"hydrate": lambda self, state: Component.hydrate(self, state)},
        {"before_render": _noop},
        {"get_context": lambda self: Component.get_context(self)},
        {"__init__": lambda self, **params: Component.__init__(self, **params)},
        {"state": property(lambda self: {})},
        {"template_name": property(lambda self: "c.html")},
    ],
    ids=["hydrate", "before_render", "get_context", "__init__", "state property", "template"],
)
def test_a_component_with_its_own_lifecycle_takes_the_hop(
    override: dict[str, Any], signer: Signer
) -> None:
    assert not on_loop(counter_class(increment, **override), signer)


@pytest.mark.parametrize(
    ("source", "filters"),
    [
        ("{{ helper() }}", {}),
        ("{% include 'c.html' %}", {}),
        ("{{ state.count|upper }}", {"upper": lambda value: value}),  # a user's own upper
        ("{{ state.count|shout }}", {"shout": lambda value: value}),
        ("{{ site_name }}", {}),
        ("{% macro m() %}x{% endmacro %}{{ m() }}", {}),
    ],
)
def test_a_template_that_may_run_other_code_takes_the_hop(
    source: str, filters: dict[str, Any], signer: Signer
) -> None:
    cls = counter_class(increment, render=renderer(source, **filters))
    assert not on_loop(cls, signer)


def test_jinja_s_own_filters_and_tests_are_safe(signer: Signer) -> None:
    source = "{{ state.count|default(0)|string|upper }}{% if state.count is odd %}!{% endif %}"
    assert on_loop(counter_class(increment, render=renderer(source)), signer)


def test_other_renderers_and_missing_templates_take_the_hop(signer: Signer) -> None:
    assert not on_loop(counter_class(increment, render=Plain()), signer)
    assert not on_loop(counter_class(increment, template_name="missing.html"), signer)
    finalizing = renderer()
    finalizing.environment.finalize = lambda value: value
    assert not on_loop(counter_class(increment, render=finalizing), signer)


def test_a_first_render_runs_the_loop_only_without_a_custom_mount(signer: Signer) -> None:
    def mount(self: Any) -> None:
        Component.mount(self)
        self.state["count"] = 0

    # An empty state mounts the component: the user's mount() may load data.
    assert not on_loop(counter_class(increment, mount=mount), signer, state={})
    assert on_loop(counter_class(increment), signer, state={})


async def test_the_message_path_skips_the_worker_only_for_provable_handlers(
    monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    hops: list[Callable[..., Any]] = []
    real_run_sync = offload.run_sync

    async def counting_run_sync(func: Callable[..., Any], /, *args: Any) -> Any:
        hops.append(func)
        return await real_run_sync(func, *args)

    monkeypatch.setattr(offload, "run_sync", counting_run_sync)
    registry = ComponentRegistry()
    registry.register("fast")(counter_class(increment))
    registry.register("slow")(counter_class(_calls_len))
    state = {"count": 1, "items": ["a", "b"]}

    for name, expected_hops, expected_count in (("fast", 0, 3), ("slow", 1, 2)):
        message = make_message(name, "go", {"amount": 2}, state, component_id="c-1", signer=signer)
        if name == "slow":
            message = make_message(name, "go", {}, state, component_id="c-1", signer=signer)
        reply = await handle_message(message, registry=registry, signer=signer)
        assert reply["type"] == "component_update", reply
        assert json.loads(reply["state"])["count"] == expected_count
        assert "<p>" in reply["html"]
        assert len(hops) == expected_hops


def test_an_edited_template_is_checked_again_when_the_renderer_reloads(signer: Signer) -> None:
    templates = {"c.html": COUNTER}
    reloading = JinjaRenderer(loader=jinja2.DictLoader(templates), auto_reload=True)
    cls = counter_class(increment, render=reloading)
    assert on_loop(cls, signer)
    templates["c.html"] = "{{ fetch_rows() }}"
    assert not on_loop(cls, signer)


def test_an_environment_that_may_run_other_code_takes_the_hop(signer: Signer) -> None:
    asynchronous = renderer()
    asynchronous.environment.is_async = True
    dumping = renderer("{{ state|tojson }}")
    dumping.environment.policies["json.dumps_function"] = lambda value, **kwargs: "{}"
    fetching = JinjaRenderer(loader=jinja2.FunctionLoader(lambda name: COUNTER))
    for unprovable in (asynchronous, dumping, fetching):
        assert not on_loop(counter_class(increment, render=unprovable), signer)
    assert on_loop(counter_class(increment, render=renderer("{{ state|tojson }}")), signer)


class Money:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __radd__(self, other: Any) -> Any:
        return other


ONE = Money(1)


def _adds(self: Any, amount: Any = ONE) -> None:
    self.state["count"] += amount


def test_defaults_and_annotated_validators_must_give_json_values(signer: Signer) -> None:
    from pydantic import AfterValidator, PlainValidator

    assert not on_loop(counter_class(_adds), signer)
    made_money = Annotated[Any, PlainValidator(Money)]
    checked = Annotated[int, AfterValidator(lambda value: value)]
    assert not on_loop(counter_class(_typed(made_money)), signer)
    assert not on_loop(counter_class(_typed(checked)), signer)
    assert on_loop(counter_class(_typed(Annotated[int, Field(ge=0, default=1)])), signer)


class Indexable:
    def __getitem__(self, key: Any) -> Any:
        return key


@pytest.mark.parametrize(
    "extra",
    [
        {"__getitem__": lambda self, key: key},
        {"__bool__": lambda self: True},
        {"__del__": lambda self: None},
        {"__new__": lambda cls, **params: object.__new__(cls)},
        {"_mounted": property(lambda self: True, lambda self, value: None)},
        {"render_slots": lambda self: {}},
    ],
    ids=["__getitem__", "__bool__", "__del__", "__new__", "_mounted", "render_slots"],
)
def test_a_class_that_adds_code_to_the_message_path_takes_the_hop(
    extra: dict[str, Any], signer: Signer
) -> None:
    assert not on_loop(counter_class(increment, **extra), signer)


def test_a_mixin_after_component_counts_too(signer: Signer) -> None:
    base = counter_class(increment)
    assert not on_loop(type("Mixed", (base, Indexable), {}), signer)
    assert on_loop(type("Plain", (base,), {"helper": lambda self: 1, "slots": ["body"]}), signer)


@pytest.mark.parametrize(
    ("source", "filters", "tests"),
    [
        ('{{ state["items"]|map("shout")|join }}', {"shout": str.upper}, {}),
        ('{{ state["items"]|select("usertest")|list }}', {}, {"usertest": bool}),
        ('{{ state["items"]|selectattr("x", "usertest")|list }}', {}, {"usertest": bool}),
        ("{{ self }}", {}, {}),
        ("{{ state.__class__ }}", {}, {}),
    ],
)
def test_templates_reaching_other_code_by_name_take_the_hop(
    source: str, filters: dict[str, Any], tests: dict[str, Any], signer: Signer
) -> None:
    made = renderer(source, **filters)
    made.environment.tests.update(tests)
    assert not on_loop(counter_class(increment, render=made), signer)


def test_jinja_s_own_filters_named_by_argument_are_safe(signer: Signer) -> None:
    source = '{{ state["items"]|map("upper")|select("string")|join(",") }}'
    assert on_loop(counter_class(increment, render=renderer(source)), signer)


def test_a_filter_replaced_after_the_first_event_is_noticed(signer: Signer) -> None:
    made = renderer("{{ state.count|upper }}")
    cls = counter_class(increment, render=made)
    assert on_loop(cls, signer)
    made.environment.filters["upper"] = lambda value: value
    assert not on_loop(cls, signer)


def test_a_template_reloaded_after_clear_cache_is_checked_again(signer: Signer) -> None:
    templates = {"c.html": COUNTER}
    made = JinjaRenderer(loader=jinja2.DictLoader(templates))
    cls = counter_class(increment, render=made)
    assert on_loop(cls, signer)
    templates["c.html"] = "{{ fetch_rows() }}"
    made.clear_cache()
    assert not on_loop(cls, signer)


def test_a_user_loader_is_never_asked_on_the_loop(signer: Signer) -> None:
    asked: list[str] = []

    def load(name: str) -> str:
        asked.append(name)
        return COUNTER

    assert not on_loop(
        counter_class(increment, render=JinjaRenderer(loader=jinja2.FunctionLoader(load))), signer
    )
    assert asked == []
    caching = renderer()
    caching.environment.bytecode_cache = jinja2.FileSystemBytecodeCache()
    assert not on_loop(counter_class(increment, render=caching), signer)


def _gets(self: Any, amount: int = 1) -> None:
    self.state["count"] = self.state.get("count", 0) + amount
    self.state["label"] = self.state.get(self.errors.get("key", "label"))


def test_get_on_the_component_s_own_state_is_the_one_call_allowed(signer: Signer) -> None:
    assert on_loop(counter_class(_gets), signer)


def _pops(self: Any) -> None:
    self.state.pop("count")


def _get_with_a_call(self: Any) -> None:
    self.state["count"] = self.state.get("count", len(self.state))


def _get_through_a_local(self: Any) -> None:
    state = self.state
    self.state["count"] = state.get("count")


def _get_on_params(self: Any) -> None:
    self.state["count"] = self.params.get("count")


def _get_with_a_branch(self: Any, amount: int = 1) -> None:
    self.state["count"] = self.state.get("count", 1 if amount else 2)


def _get_after_rebinding_self(self: Any, amount: Any = None) -> None:
    self = amount
    self.state["count"] = self.state.get("count")


def _get_with_a_keyword(self: Any) -> None:
    self.state["count"] = self.state.get("count", default=0)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "handler",
    [
        _pops,
        _get_with_a_call,
        _get_through_a_local,
        _get_on_params,
        _get_with_a_branch,
        _get_after_rebinding_self,
        _get_with_a_keyword,
    ],
)
def test_other_calls_take_the_hop(handler: Callable[..., Any], signer: Signer) -> None:
    assert not on_loop(counter_class(handler), signer)


async def test_a_handler_using_get_updates_state_on_the_loop(signer: Signer) -> None:
    registry = ComponentRegistry()
    registry.register("counter")(counter_class(_gets))
    state = {"count": 1, "items": ["a"], "label": "hello"}
    message = make_message("counter", "go", {"amount": 4}, state, component_id="c-1", signer=signer)
    reply = await handle_message(message, registry=registry, signer=signer)
    assert json.loads(reply["state"])["count"] == 5
    assert json.loads(reply["state"])["label"] == "hello"
