"""Django templates and django-cotton as component renderers: the project's tags, filters and
context processors, nested components, cotton components, strict names in dev, ``cf check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.test import RequestFactory
from starlette.testclient import TestClient

from component_framework.checks import run_checks
from component_framework.core import Component, ComponentRegistry
from component_framework.devserver import create_dev_app
from component_framework.django._config import config
from component_framework.django.renderers import (
    DjangoCottonRenderer,
    DjangoTemplateRenderer,
    UndefinedVariable,
)
from component_framework.project import Project
from component_framework.testing import ComponentTester

TEMPLATES = {
    "cf_tests/card.html": (
        "<article>{{ state.title|title }} {% component 'counter' start=7 %}"
        "{% if user.is_authenticated %}for {{ user.username }}{% endif %}"
        "<i>{{ user.get_username }}</i></article>"
    ),
    "cf_tests/typo.html": "<p>{{ state.cnt }}</p>",
    "cf_tests/broken.html": "{% if %}",
    # The site's cotton component (shop/templates/cotton/tally_button.html).
    "cf_tests/cotton_card.html": '<c-tally-button label="{{ state.title }}" />',
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, source in TEMPLATES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    return tmp_path


@pytest.fixture
def registry(folder: Path) -> Any:
    """Components of the site's registry rendered with Django templates (undone afterwards)."""
    site = config().registry
    renderer = DjangoTemplateRenderer(dirs=[str(folder)])

    class Card(Component):
        template_name = "cf_tests/card.html"

        def mount(self) -> None:
            super().mount()
            self.state["title"] = "hello world"

    class Typo(Component):
        template_name = "cf_tests/typo.html"

    class CottonCard(Card):
        template_name = "cf_tests/cotton_card.html"
        renderer = DjangoCottonRenderer(dirs=[str(folder)])

    Card.renderer = Typo.renderer = renderer
    names = {"dj_card": Card, "dj_typo": Typo, "dj_cotton": CottonCard}
    for name, cls in names.items():
        site.register(name)(cls)
    yield site
    for name in names:
        site.unregister(name)


def _request(user: Any = None) -> Any:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return request


def test_a_django_template_uses_filters_nested_components_and_the_request(
    registry: ComponentRegistry, django_user_model: Any
) -> None:
    anonymous = ComponentTester("dj_card", registry=registry, request=_request())
    anonymous.assert_see("Hello World").assert_dont_see("for ")
    anonymous.assert_see('data-cf-component="counter"', "Count: <strong", escape=False)
    user = django_user_model(username="ann")
    ComponentTester("dj_card", registry=registry, request=_request(user)).assert_see("for ann")


def test_django_cotton_components_in_a_component_template(registry: ComponentRegistry) -> None:
    tester = ComponentTester("dj_cotton", registry=registry, request=_request())
    tester.assert_see('<button type="button" cf-click="add">hello world</button>', escape=False)


def test_undefined_variables_are_errors_only_when_strict(folder: Path) -> None:
    renderer = DjangoTemplateRenderer(dirs=[str(folder)])
    assert renderer.render("cf_tests/typo.html", {"state": {}}) == "<p></p>"
    renderer.strict = True
    with pytest.raises(UndefinedVariable, match=r"'state\.cnt' is not defined"):
        renderer.render("cf_tests/typo.html", {"state": {}})


def test_a_strict_render_without_a_request_sees_an_anonymous_visitors_context(
    folder: Path,
) -> None:
    # cf check and cf dev previews render strictly with no page request: the names the
    # context processors add (user, perms, request) are those of an anonymous visitor.
    (folder / "cf_tests/visitor.html").write_text(
        "<p>{{ user.username|default:'anon' }} {{ perms.shop.add_article }} {{ request.path }}</p>"
    )
    strict = DjangoTemplateRenderer(dirs=[str(folder)], strict=True)
    assert strict.render("cf_tests/visitor.html", {"state": {}}) == "<p>anon False /</p>"
    with pytest.raises(UndefinedVariable, match=r"'state\.cnt' is not defined"):
        strict.render("cf_tests/typo.html", {"state": {}})


def test_compile_template_and_clear_cache(folder: Path) -> None:
    renderer = DjangoTemplateRenderer(dirs=[str(folder)])
    with pytest.raises(TemplateDoesNotExist):
        renderer.compile_template("cf_tests/nope.html")
    with pytest.raises(TemplateSyntaxError):
        renderer.compile_template("cf_tests/broken.html")
    assert renderer.render("cf_tests/typo.html", {"state": {"cnt": 1}}) == "<p>1</p>"
    (folder / "cf_tests/typo.html").write_text("<b>{{ state.cnt }}</b>")
    renderer.clear_cache()  # what cf dev does when a template file changes
    assert renderer.render("cf_tests/typo.html", {"state": {"cnt": 1}}) == "<b>1</b>"


def test_cf_check_renders_django_templates_strictly(
    registry: ComponentRegistry, tmp_path: Path
) -> None:
    report = run_checks(Project(tmp_path), registry=registry, import_errors=[])
    problems = [str(problem) for problem in report.problems]
    assert any("dj_typo" in p and "'state.cnt' is not defined" in p for p in problems), problems
    assert not any("dj_card" in p or "dj_cotton" in p for p in problems), problems


class _Missing(Component):
    template_name = "cf_tests/missing.html"
    renderer: ClassVar[Any] = None


def test_cf_check_reports_a_missing_django_template(folder: Path, tmp_path: Path) -> None:
    registry = ComponentRegistry()
    _Missing.renderer = DjangoTemplateRenderer(dirs=[str(folder)])
    registry.register("missing")(_Missing)
    report = run_checks(Project(tmp_path), registry=registry, import_errors=[])
    (problem,) = [str(p) for p in report.problems]
    assert "template 'cf_tests/missing.html' cannot be loaded by DjangoTemplateRenderer" in problem
    assert "TemplateDoesNotExist" in problem


def test_the_workbench_previews_django_template_and_cotton_components(
    project_state: None, registry: ComponentRegistry, tmp_path: Path
) -> None:
    # cf dev's gallery and playground, as a Django project's developer opens them.
    app = create_dev_app(Project(tmp_path), registry=registry, reload=False, report=None)
    with TestClient(app) as client:
        (card,) = client.get("/__cf__/previews", params={"component": "dj_card"}).json().values()
        (cotton,) = (
            client.get("/__cf__/previews", params={"component": "dj_cotton"}).json().values()
        )
        (typo,) = client.get("/__cf__/previews", params={"component": "dj_typo"}).json().values()
        frame = client.get("/__cf__/frame/dj_cotton").text
    assert "Hello World" in card["html"] and 'data-cf-component="counter"' in card["html"]
    assert '<button type="button" cf-click="add">hello world</button>' in cotton["html"]
    assert '<button type="button" cf-click="add">hello world</button>' in frame
    # Strict in dev: a misspelt name is an error in the preview, not an empty paragraph.
    assert typo["html"] == "" and "'state.cnt' is not defined" in typo["error"]
