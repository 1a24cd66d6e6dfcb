"""0.6.0's test helpers (component_framework.testing), over ComponentTester and the registry."""

from __future__ import annotations

import pytest

from component_framework.core import Component, registry
from component_framework.core.exceptions import EventNotFoundError, HandlerError
from component_framework.testing import (
    ComponentTestCase,
    IsolatedRegistry,
    MockRenderer,
    isolated_registry,  # noqa: F401  (fixture)
    make_component,
    mock_renderer,  # noqa: F401  (fixture)
    register_test_component,
)


class Tally(Component):
    template_name = "tally.html"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = self.params.get("start", 0)

    def on_add(self, amount: int = 1) -> None:
        self.state["count"] += amount

    def on_fail(self) -> None:
        raise RuntimeError("boom")


class TestTally(ComponentTestCase):
    component_class = Tally

    def test_mount_and_chained_events_through_the_message_path(self) -> None:
        assert self.mount(start=2)["state"] == {"count": 2}
        result = self.dispatch("add", {"amount": 3})
        assert result["state"] == {"count": 5}
        assert result["html"].startswith('<mock template="tally.html">')
        self.dispatch("add")
        self.assert_state(count=6)
        self.assert_renders('"count": 6')
        with pytest.raises(AssertionError):
            self.assert_state(count=7)

    def test_a_given_state_is_signed_and_hydrated_and_errors_are_the_cores(self) -> None:
        assert self.dispatch("add", {"amount": 1}, state={"count": 40})["state"] == {"count": 41}
        with pytest.raises(EventNotFoundError):
            self.dispatch("missing")
        with pytest.raises(HandlerError):
            self.dispatch("fail")

    def test_asserting_before_any_call_says_what_to_do(self) -> None:
        assert isinstance(Component.renderer, MockRenderer)
        with pytest.raises(RuntimeError, match=r"Call mount\(\) or dispatch\(\)"):
            self.assert_state(count=0)


def test_mock_renderer_escapes_what_could_open_a_tag() -> None:
    html = MockRenderer().render("x.html", {"state": {"text": "<script>"}, "when": object})
    assert "<script>" not in html
    assert html.startswith('<mock template="x.html">{"state": {"text": "\\u003cscript>"}')


def test_make_component_and_register_test_component(isolated_registry: object) -> None:  # noqa: F811
    made = make_component("widget", size=3)
    assert (made.__name__, made.template_name) == ("Widget", "widget.html")
    assert make_component().template_name == "anonymous.html"
    assert register_test_component(registry, "widget", made) is made
    component = registry["widget"]()
    component.mount()
    assert component.state == {"size": 3}


def test_isolated_registry_empties_the_global_registry_and_refills_it() -> None:
    registry.register("kept")(Tally)
    try:
        with IsolatedRegistry() as inside:
            assert inside is registry and len(registry) == 0
            inside.register("temporary")(Tally)
        assert "temporary" not in registry and "kept" in registry
    finally:
        registry.unregister("kept")


def test_mock_renderer_fixture_renders_every_component(mock_renderer: MockRenderer) -> None:  # noqa: F811
    assert Component.renderer is mock_renderer
    component = Tally()
    component.mount()
    assert '"count": 0' in component.render()
