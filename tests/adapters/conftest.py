"""Adapter tests: Django with the example site's settings on real SQLite (pytest-django).

``settings.configure()`` rather than ``DJANGO_SETTINGS_MODULE``: the variable would leak into
every ``cf`` subprocess of the rest of the suite.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import django
import pytest
from django.conf import settings
from fastapi import FastAPI
from fastapi.testclient import TestClient as FastAPIClient
from flask import Flask
from flask import Request as FlaskRequest
from flask.testing import FlaskClient
from flask_login import LoginManager, UserMixin
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.testing import TestClient as LitestarClient
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient as StarletteClient

import examples.django_site.settings as site_settings
from component_framework.core import registry
from component_framework.core.renderer import get_default_renderer, set_default_renderer
from component_framework.flask import Components
from component_framework.litestar import create_router
from component_framework.testing import isolated_defaults
from component_framework.web import ComponentApp

if not settings.configured:
    values = {name: getattr(site_settings, name) for name in dir(site_settings) if name.isupper()}
    test_db = Path(tempfile.mkdtemp(prefix="cf-django-")) / "test.sqlite3"
    values["DATABASES"]["default"]["TEST"] = {"NAME": str(test_db)}
    settings.configure(**values)
    previous = get_default_renderer()
    django.setup()
    # The app installs a default renderer when none is set; the rest of the suite expects none.
    set_default_renderer(previous)

# Imported once Django is set up: they import its models.
from django.contrib.auth.models import User
from django.test import AsyncClient, Client

from component_framework.django._config import config

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


def roots(html: str) -> dict[str, dict[str, str]]:
    """The component roots of a page: name -> their data-cf-* attributes."""
    found: dict[str, dict[str, str]] = {}
    for tag in re.findall(r"<div data-cf-component=[^>]*>", html):
        attrs = {k: unescape(v) for k, v in re.findall(r'(data-cf-[a-z-]+)(?:="([^"]*)")?', tag)}
        found[attrs["data-cf-component"]] = attrs
    return found


def message(root: dict[str, str], event: str | None, payload: Any = None) -> dict[str, Any]:
    """The message cf.js sends to fire *event* on the component of *root*."""
    return {
        "type": "component_event",
        "component": root["data-cf-component"],
        "component_id": root["data-cf-id"],
        "event": event,
        "payload": payload or {},
        "state": root["data-cf-state"],
        "checksum": root["data-cf-checksum"],
    }


def csrf_header(html: str) -> dict[str, str]:
    """The headers cf.js takes from the script tag's ``data-cf-headers``."""
    match = re.search(r'data-cf-headers="([^"]*)"', html)
    assert match, html
    headers: dict[str, str] = json.loads(unescape(match.group(1)))
    return headers


@pytest.fixture
def post_json() -> Callable[..., Any]:
    """Factory: ``post_json(client, "/cf/event", message, **headers)``."""

    def post(client: Any, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return client.post(
            path,
            data=data,
            content_type="application/json",
            headers={"X-CF-Request": "1", **headers},
        )

    return post


@contextlib.contextmanager
def example_app(module: str) -> Iterator[Any]:
    """``examples.<module>``'s ``app``; what importing it registered and set is undone after."""
    names, renderer, modules = set(registry), get_default_renderer(), set(sys.modules)
    yield importlib.import_module(f"examples.{module}").app
    for name in set(registry) - names:
        registry.unregister(name)
    set_default_renderer(renderer)
    for name in set(sys.modules) - modules:
        if name.startswith("examples."):
            del sys.modules[name]
            # The package keeps its submodule as an attribute: `from . import x` would reuse it.
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and hasattr(sys.modules[parent], child):
                delattr(sys.modules[parent], child)


# ---------- Every adapter over the example Django site's components (one contract) ----------


class HeaderBackend(AuthenticationBackend):
    """Starlette: ``X-User: name`` logs in."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        name = conn.headers.get("x-user")
        return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None


class HeaderAuth(AbstractAuthenticationMiddleware):
    """Litestar: ``X-User: name`` logs in; without it the user is None."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        name = connection.headers.get("x-user")
        return AuthenticationResult(user=SimpleUser(name) if name else None, auth=None)


class FlaskUser(UserMixin):
    """Flask-Login's user."""

    def __init__(self, name: str) -> None:
        self.id = name


def flask_app(options: dict[str, Any]) -> Flask:
    """Flask: Flask-Login's request loader logs ``X-User: name`` in."""
    app = Flask("contract")
    login = LoginManager(app)

    @login.request_loader
    def load(request: FlaskRequest) -> FlaskUser | None:
        name = request.headers.get("X-User")
        return FlaskUser(name) if name else None

    Components(app, **options)
    return app


@contextlib.contextmanager
def logged_in(name: str, django_db_blocker: Any) -> Iterator[tuple[Client, AsyncClient]]:
    """Django test clients (WSGI, ASGI) logged in as a new user *name*, deleted afterwards."""
    with django_db_blocker.unblock():
        user = User.objects.create_user(name, password=f"pw-{name}-123")
        wsgi, asgi = Client(), AsyncClient()
        wsgi.force_login(user)
        asgi.force_login(user)
    yield wsgi, asgi
    with django_db_blocker.unblock():
        user.delete()


@dataclass(frozen=True)
class Adapters:
    """A client of the site's components through each adapter; Django's by login (True)."""

    starlette: StarletteClient
    fastapi: FastAPIClient
    litestar: LitestarClient[Litestar]
    flask: FlaskClient
    wsgi: dict[bool, Client]
    asgi: dict[bool, AsyncClient]


@pytest.fixture(scope="module")
def every_adapter(alice: tuple[Client, AsyncClient]) -> Iterator[Adapters]:
    """Starlette (``ComponentApp``), FastAPI (mounted), Litestar (``create_router``) and Flask
    (``Components``) with the Django site's registry and signer, each logging ``X-User: name``
    in by its own authentication; Django's test clients anonymous and as the module's ``alice``.
    One set per module (the module's components are registered for it)."""
    settings = config()
    options = {"registry": settings.registry, "signer": settings.signer}
    login = [Middleware(AuthenticationMiddleware, backend=HeaderBackend())]
    starlette = StarletteClient(
        Starlette(routes=[ComponentApp(**options).mount()], middleware=login)
    )
    fastapi_app = FastAPI()
    fastapi_app.add_middleware(AuthenticationMiddleware, backend=HeaderBackend())
    fastapi_app.mount("/cf", ComponentApp(**options))
    fastapi = FastAPIClient(fastapi_app)
    litestar = LitestarClient(
        Litestar(
            route_handlers=[create_router(**options)],
            middleware=[DefineMiddleware(HeaderAuth)],
        )
    )
    with isolated_defaults():  # Components installs a default renderer when none is set
        flask = flask_app(options).test_client()
    with starlette, fastapi, litestar:
        yield Adapters(
            starlette=starlette,
            fastapi=fastapi,
            litestar=litestar,
            flask=flask,
            wsgi={False: Client(), True: alice[0]},
            asgi={False: AsyncClient(), True: alice[1]},
        )
