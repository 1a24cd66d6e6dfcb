"""0.6.0's module paths: each a shim over this project's adapter, serving the same endpoints."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import signed_message

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("adapters.fastapi", {"ComponentApp": "web"}),
        ("adapters.litestar", {"create_router": "litestar", "template_globals": "litestar"}),
        ("adapters.django_views", {"event": "django.views", "stream": "django.views"}),
        ("adapters.django_model", {"DjangoModelMixin": "django"}),
        ("adapters.django_permissions", {"IsAuthenticated": "core.permissions"}),
        ("adapters.django_websocket", {"ComponentConsumer": "django.consumers"}),
        ("templatetags.components", {"register": "django.templatetags.cf"}),
        ("adapters.flask", {"Components": "flask"}),
        ("adapters.django_renderer", {"DjangoRenderer": "django.renderers"}),
        ("adapters.jinjax_renderer", {"JinjaxRenderer": "jinjax"}),
    ],
)
def test_old_paths_re_export_this_projects_objects(path: str, names: dict[str, str]) -> None:
    shim = importlib.import_module(f"component_framework.{path}")
    renamed = {"DjangoRenderer": "DjangoTemplateRenderer", "JinjaxRenderer": "JinjaXRenderer"}
    for name, home in names.items():
        assert getattr(shim, name) is getattr(
            importlib.import_module(f"component_framework.{home}"), renamed.get(name, name)
        )


def _event(client: TestClient, reply: dict[str, Any], event: str, **payload: Any) -> Any:
    message = signed_message("counter", event, payload, component_id=reply["component_id"])
    message["state"], message["checksum"] = reply["state"], reply["checksum"]
    return client.post("/cf/event", json=message, headers=HEADERS)


def test_create_component_routes_mounts_the_component_app_and_the_counter_counts(
    cf_defaults: None, tmp_path: Any
) -> None:
    from component_framework.adapters.fastapi import ComponentApp, create_component_routes
    from component_framework.core.renderer import set_default_renderer

    for name in list(registry):
        registry.unregister(name)
    from component_framework.components.counter import Counter

    registry.register("counter")(Counter)  # a second import of the module registers nothing
    (tmp_path / "counter.html").write_text("<p>{{ state.count }}</p>")
    set_default_renderer(JinjaRenderer([str(tmp_path)]))
    app = Starlette()
    components = create_component_routes(app, secret_key="k" * 32)
    assert isinstance(components, ComponentApp)
    with TestClient(app) as client:
        first = signed_message("counter", None, {}, {"count": 5}, component_id="c-1")
        reply = client.post("/cf/event", json=first, headers=HEADERS).json()
        reply = _event(client, reply, "increment", amount=3).json()
        assert reply["html"].count("<p>8</p>") == 1
        reply = _event(client, reply, "decrement").json()
        assert "<p>7</p>" in reply["html"]
        assert "<p>0</p>" in _event(client, reply, "reset").json()["html"]
        refused = _event(client, reply, "increment", amount=10_000)
        assert refused.status_code == 400  # amounts are bounded
        assert client.get("/cf/cf.js").status_code == 200


def test_litestar_create_component_routes_registers_the_router(cf_defaults: None) -> None:
    from litestar import Litestar
    from litestar.testing import TestClient as LitestarClient

    from component_framework.adapters.litestar import create_component_routes

    app = Litestar(route_handlers=[])
    create_component_routes(app, secret_key="k" * 32)
    with LitestarClient(app) as client:
        assert client.get("/cf/cf.js").status_code == 200
