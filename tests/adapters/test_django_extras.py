"""The Jinja2 backend globals, the live-component system check, and async handlers on models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.test import AsyncClient, RequestFactory

from component_framework.core import Component, DjangoModelPermission
from component_framework.core.protocol import signed_message
from component_framework.django import DjangoModelMixin
from component_framework.django._checks import check_live_components
from component_framework.django._config import config
from component_framework.django.jinja2 import environment
from examples.django_site.shop.components import renderer
from examples.django_site.shop.models import Article


@pytest.fixture
def register() -> Iterator[Any]:
    """Factory: ``register("name")(cls)`` in the site's registry, undone afterwards."""
    registry = config().registry
    names: list[str] = []

    def add(name: str) -> Any:
        names.append(name)
        return registry.register(name)

    yield add
    for name in names:
        registry.unregister(name)


def test_jinja2_backend_environment_has_the_globals() -> None:
    env = environment(autoescape=True)
    page = env.from_string('{{ component("counter", start=2) }}{{ cf_scripts() }}')
    html = page.render(request=RequestFactory().get("/"))
    assert 'data-cf-component="counter"' in html and 'data-testid="count">2</strong>' in html
    assert 'data-cf-base="/cf"' in html and "X-CSRFToken" in html


def test_cf_scripts_without_the_request_is_a_clear_error_not_a_page_without_csrf() -> None:
    # Without the request the tag cannot put Django's CSRF token in the page, and every event
    # would be refused with a bare 403: say so where the page is rendered instead.
    page = engines["django"].from_string("{% load cf %}{% cf_scripts %}")
    with pytest.raises(ImproperlyConfigured, match=r"request=request.*context_processors\.request"):
        page.render({})
    assert "X-CSRFToken" in page.render({}, request=RequestFactory().get("/"))


def test_a_live_component_without_channels_is_a_check_warning(register: Any) -> None:
    class Ticker(Component):
        template_name = "counter.html"
        renderer = renderer
        live = True

    assert check_live_components() == []
    register("ticker")(Ticker)
    warnings = check_live_components()
    assert [w.id for w in warnings] == ["cf.W001"]
    assert "'ticker' is live, but Django Channels is not set up" in warnings[0].msg
    # Channels is installed here, the routing may be too: the missing piece is named.
    assert "ASGI_APPLICATION is not set" in (warnings[0].hint or "")


class Renamer(DjangoModelMixin, Component):
    """An async handler on a model: Django's async ORM API."""

    model = Article
    template_name = "counter.html"
    renderer = renderer
    permission_classes: ClassVar[list[Any]] = [DjangoModelPermission]
    permission_required = "shop.view_article"

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    async def on_rename(self, title: str) -> None:
        article = await self.aget_instance()
        article.title = title
        await self.asave_instance()


@pytest.mark.django_db(transaction=True)
async def test_async_handlers_use_the_async_orm(register: Any) -> None:
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import Permission, User

    register("renamer")(Renamer)

    def setup() -> tuple[User, int]:
        user = User.objects.create_user("async-editor")
        user.user_permissions.add(Permission.objects.get(codename="view_article"))
        return user, Article.objects.create(title="Old", body="").pk

    user, pk = await sync_to_async(setup)()
    client = AsyncClient()
    await client.aforce_login(user)
    state = {"pk": pk, "count": 0}
    message = signed_message("renamer", "rename", {"title": "New title"}, state, component_id="r-1")
    response = await client.post(
        "/cf/event",
        json.dumps(message),
        content_type="application/json",
        headers={"X-CF-Request": "1"},
    )
    assert response.status_code == 200, response.content
    assert (await Article.objects.aget(pk=pk)).title == "New title"
    message["payload"] = {"title": ""}  # blank: the model's own validation refuses it
    refused = await client.post(
        "/cf/event",
        json.dumps(message),
        content_type="application/json",
        headers={"X-CF-Request": "1"},
    )
    assert refused.status_code == 200
    assert (await Article.objects.aget(pk=pk)).title == "New title"


def test_runserver_without_an_asgi_server_app_is_a_check_warning(settings: Any) -> None:
    from component_framework.django._checks import check_runserver_serves_the_socket

    assert check_runserver_serves_the_socket() == []  # no ASGI_APPLICATION: no socket
    settings.ASGI_APPLICATION = "mysite.asgi.application"
    (warning,) = check_runserver_serves_the_socket()
    assert warning.id == "cf.W002" and "runserver' serves WSGI only" in warning.msg
    assert "Add 'daphne' at the top of INSTALLED_APPS" in (warning.hint or "")
    settings.INSTALLED_APPS = ["daphne", *settings.INSTALLED_APPS]
    assert check_runserver_serves_the_socket() == []
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "daphne"]
    settings.CF_WEBSOCKET = False  # HTTP on purpose: no socket, nothing to warn about
    assert check_runserver_serves_the_socket() == []
