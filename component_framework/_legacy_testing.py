"""The test helpers of component-framework 0.6.0, as thin layers over ``ComponentTester`` and
the registry; re-exported by ``component_framework.testing`` (see docs/migrating.md).

New tests are better written with ``ComponentTester`` and the ``cf_defaults`` fixture.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import Any

from .core.component import Component
from .core.registry import ComponentRegistry
from .core.renderer import Renderer
from .testing import ComponentTester, _registry_restored

__all__ = [
    "ComponentTestCase",
    "IsolatedRegistry",
    "MockRenderer",
    "isolated_registry",
    "make_component",
    "mock_renderer",
    "register_test_component",
]


class MockRenderer(Renderer):
    """Renders ``<mock template="NAME">CONTEXT AS JSON</mock>``, with no template engine.

    Values JSON cannot carry are written with ``str()``; ``<`` is written as ``\\u003c`` so
    no state text can open a tag.
    """

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        """Return the template name and the whole context, as JSON."""
        data = json.dumps(context, default=str).replace("<", "\\u003c")
        return f'<mock template="{template_name}">{data}</mock>'


def make_component(name: str | None = None, **state_defaults: Any) -> type[Component]:
    """Return a new component class whose ``mount()`` sets *state_defaults*.

    Its ``template_name`` is ``"<name>.html"`` (``"anonymous.html"`` without a name).
    """
    defaults = dict(state_defaults)

    class Made(Component):
        template_name = f"{name}.html" if name else "anonymous.html"

        def mount(self) -> None:
            super().mount()
            self.state.update(defaults)

    Made.__name__ = Made.__qualname__ = name.capitalize() if name else "AnonymousComponent"
    return Made


def register_test_component(
    reg: ComponentRegistry, name: str, component_cls: type[Component]
) -> type[Component]:
    """Register *component_cls* under *name* in *reg* and return it (``reg.register(name)``)."""
    return reg.register(name)(component_cls)


class IsolatedRegistry:
    """Within the block the global ``registry`` starts empty; afterwards it holds the names it
    held before. ``with IsolatedRegistry() as registry:`` gives the registry itself.

    The global registry stays the same object (every transport uses it): it is emptied and
    refilled, not replaced.
    """

    def __init__(self) -> None:
        self._block = _registry_restored(empty=True)

    def __enter__(self) -> ComponentRegistry:
        return self._block.__enter__()

    def __exit__(self, *exc_info: Any) -> None:
        self._block.__exit__(*exc_info)


class ComponentTestCase:
    """A pytest base class: each test gets a ``MockRenderer`` on ``Component`` and drives
    ``component_class`` through a ``ComponentTester`` (the browser's message path).

    Set ``component_class`` (and ``renderer_class`` for another renderer). ``mount()`` and
    ``dispatch()`` return ``{"html", "state", "component_id"}``; ``dispatch()`` goes on from
    the state of the test's previous call unless given *state*.
    """

    component_class: type[Component]
    renderer_class: type[Renderer] = MockRenderer
    _tester: ComponentTester | None = None

    def setup_method(self, method: Any = None) -> None:
        """Install ``renderer_class()`` on ``Component`` (pytest calls it before each test)."""
        self._saved_renderer = Component.renderer
        Component.renderer = self.renderer_class()
        self._tester = None

    def teardown_method(self, method: Any = None) -> None:
        """Put the renderer back (pytest calls it after each test)."""
        Component.renderer = self._saved_renderer

    def _result(self, tester: ComponentTester) -> dict[str, Any]:
        self._tester = tester
        return {"html": tester.html, "state": tester.state, "component_id": tester.component_id}

    def mount(self, **params: Any) -> dict[str, Any]:
        """Mount ``component_class`` with *params*; return the result."""
        return self._result(ComponentTester(self.component_class, **params))

    def dispatch(
        self,
        event: str,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Send *event* with *payload*, from *state* or the previous call's; return the result.

        Raises:
            ComponentError: The event was refused or its handler failed.
        """
        tester = self._tester
        if tester is None or params:
            previous = tester.state if tester is not None else None
            tester = ComponentTester(self.component_class, **params)
            state = previous if state is None else state
        if state is not None:
            tester.hold(state)
        return self._result(tester.call(event, **(payload or {})))

    def _last(self, what: str) -> ComponentTester:
        if self._tester is None:
            raise RuntimeError(f"Call mount() or dispatch() before {what}().")
        return self._tester

    def assert_state(self, **expected: Any) -> None:
        """Assert the last result's state holds every key of *expected* with that value."""
        self._last("assert_state").assert_state(**expected)

    def assert_renders(self, substring: str) -> None:
        """Assert the last result's HTML contains *substring* (as written, not escaped)."""
        self._last("assert_renders").assert_see(substring, escape=False)


def _isolated_registry() -> Iterator[ComponentRegistry]:
    """The global registry, empty for the test and refilled after it."""
    with IsolatedRegistry() as registry:
        yield registry


def _mock_renderer() -> Iterator[MockRenderer]:
    """A ``MockRenderer`` on ``Component`` for the test, the previous renderer after it."""
    saved, Component.renderer = Component.renderer, MockRenderer()
    try:
        yield Component.renderer
    finally:
        Component.renderer = saved


isolated_registry: Any = _isolated_registry  # without pytest, plain generators
mock_renderer: Any = _mock_renderer
if importlib.util.find_spec("pytest") is not None:
    import pytest

    isolated_registry = pytest.fixture(_isolated_registry, name="isolated_registry")
    mock_renderer = pytest.fixture(_mock_renderer, name="mock_renderer")
