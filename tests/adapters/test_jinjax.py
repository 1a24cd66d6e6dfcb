"""JinjaX as a component renderer: JinjaX components as templates, nesting, strict names in
dev, ``cf check``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jinja2
import jinjax
import pytest

from component_framework.checks import run_checks
from component_framework.core import Component, ComponentRegistry
from component_framework.core.config import AppConfig
from component_framework.core.signing import Signer
from component_framework.jinjax import JinjaXRenderer
from component_framework.project import Project
from component_framework.testing import ComponentTester

COUNTER = """{#def state, errors={}, component_id="", slots={} #}
<p>Count: {{ state.count }}</p><Button label="+1" />"""
BUTTON = """{#def label #}
<button type="button" cf-click="increment">{{ label }}</button>"""
CARD = """{#def state, component_id="" #}
<article>{{ state.title|upper }} {{ component("jx_counter") }}</article>"""
TYPO = """{#def state #}<p>{{ state.cnt }}</p>"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, source in {"Counter": COUNTER, "Button": BUTTON, "Card": CARD, "Typo": TYPO}.items():
        (tmp_path / f"{name}.jinja").write_text(source)
    return tmp_path


@pytest.fixture
def registry(fresh_registry: ComponentRegistry, folder: Path) -> ComponentRegistry:
    renderer = JinjaXRenderer([folder])

    @fresh_registry.register("jx_counter")
    class Counter(Component):
        template_name = "Counter"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def on_increment(self) -> None:
            self.state["count"] += 1

    @fresh_registry.register("jx_card")
    class Card(Component):
        template_name = "Card"

        def mount(self) -> None:
            super().mount()
            self.state["title"] = "hello"

    @fresh_registry.register("jx_typo")
    class Typo(Component):
        template_name = "Typo"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 1

    Counter.renderer = Card.renderer = Typo.renderer = renderer
    return fresh_registry


def test_a_jinjax_component_is_a_components_template(registry: ComponentRegistry) -> None:
    tester = ComponentTester("jx_counter", registry=registry, start=2)
    tester.assert_see("<p>Count: 2</p>", escape=False)
    tester.assert_see('<button type="button" cf-click="increment">+1</button>', escape=False)
    tester.call("increment").assert_see("Count: 3")


def test_a_nested_component_renders_from_a_jinjax_template(registry: ComponentRegistry) -> None:
    tester = ComponentTester("jx_card", registry=registry)
    tester.assert_see("HELLO").assert_see('data-cf-component="jx_counter"', escape=False)


def test_undefined_names_are_errors_only_when_strict(folder: Path) -> None:
    renderer = JinjaXRenderer([folder])
    assert renderer.render("Typo", {"state": {"count": 1}}) == "<p></p>"
    renderer.strict = True
    with pytest.raises(jinja2.UndefinedError, match="cnt"):
        renderer.render("Typo", {"state": {"count": 1}})


def test_compile_template_finds_missing_and_broken_components(folder: Path) -> None:
    (folder / "Broken.jinja").write_text("{#def x #}{% if %}")
    renderer = JinjaXRenderer([folder])
    renderer.compile_template("Counter")
    with pytest.raises(jinjax.ComponentNotFound):
        renderer.compile_template("Nope")
    with pytest.raises(jinja2.TemplateSyntaxError):
        renderer.compile_template("Broken")


def test_cf_check_renders_jinjax_templates_strictly(
    registry: ComponentRegistry, tmp_path: Path
) -> None:
    report = run_checks(Project(tmp_path), registry=registry, import_errors=[])
    problems = [str(problem) for problem in report.problems]
    assert any("jx_typo" in p and "cnt" in p for p in problems), problems
    assert not any("jx_counter" in p or "jx_card" in p for p in problems), problems


def test_the_renderer_config_signs_like_any_other(registry: ComponentRegistry) -> None:
    # The message path does not care which language rendered the HTML.
    config = AppConfig(registry=registry, signer=Signer(["k" * 40]))
    tester = ComponentTester("jx_counter", registry=config.registry)
    assert tester.reply["checksum"].startswith("1:")


def test_without_jinjax_the_error_names_the_extra() -> None:
    code = "import sys; sys.modules['jinjax'] = None; import component_framework.jinjax"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "pip install 'cf-components[jinjax]'" in result.stderr
