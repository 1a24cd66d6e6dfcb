"""0.6.0's module paths: each a shim over this project's adapter, serving the same endpoints."""

from __future__ import annotations

import importlib
import re
import sys
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
        ("adapters.django_permissions", {"IsAuthenticated": "core.permissions"}),
        ("adapters.django_websocket", {"ComponentConsumer": "django.consumers"}),
        ("templatetags.components", {"component": "django.templatetags.cf"}),
        ("adapters.flask", {"Components": "flask"}),
        ("adapters.django_renderer", {"DjangoCottonRenderer": "django.renderers"}),
        ("adapters.jinjax_renderer", {"JinjaXRenderer": "jinjax"}),
    ],
)
def test_old_paths_re_export_this_projects_objects(path: str, names: dict[str, str]) -> None:
    shim = importlib.import_module(f"component_framework.{path}")
    for name, home in names.items():
        assert getattr(shim, name) is getattr(
            importlib.import_module(f"component_framework.{home}"), name
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


def test_a_shim_whose_library_is_missing_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from component_framework.adapters import _require_extra

    error = _require_extra("jinjax", "jinjax", "fastapi")
    assert str(error) == (
        "jinjax is not installed: pip install 'cf-components[jinjax]' "
        "(it replaces 0.6.0's [fastapi] extra)."
    )
    monkeypatch.setitem(sys.modules, "flask", None)  # importing it raises ImportError
    monkeypatch.delitem(sys.modules, "component_framework.adapters.flask", raising=False)
    with pytest.raises(ImportError, match=re.escape("pip install 'cf-components[flask]'")):
        importlib.import_module("component_framework.adapters.flask")


def test_flask_renderer_renders_the_apps_templates_autoescaped(cf_defaults: None) -> None:
    from flask import Flask
    from jinja2 import DictLoader

    from component_framework.adapters.flask import FlaskRenderer, register_component_routes

    app = Flask(__name__)
    app.jinja_env.loader = DictLoader({"hi.html": "{{ greet }} {{ name }}"})
    app.jinja_env.globals["greet"] = "Hello"
    renderer = FlaskRenderer(app)
    assert renderer.render("hi.html", {"name": "<b>"}) == "Hello &lt;b&gt;"
    components = register_component_routes(app, secret_key="k" * 32)
    assert app.extensions["component_framework"] is components
    assert app.test_client().get("/cf/cf.js").status_code == 200


def test_jinjax_renderer_shares_the_catalog_it_is_given(tmp_path: Any) -> None:
    import jinjax

    from component_framework.adapters.jinjax_renderer import JinjaxRenderer

    (tmp_path / "Shout.jinja").write_text("{#def name #}<p>{{ name | shout }} {{ home }}</p>")
    catalog = jinjax.Catalog()
    catalog.jinja_env.filters["shout"] = str.upper
    catalog.jinja_env.globals["home"] = "/home/"
    catalog.add_folder(str(tmp_path))
    assert JinjaxRenderer(catalog).render("Shout", {"name": "hey"}) == "<p>HEY /home/</p>"
    assert JinjaxRenderer([str(tmp_path)]).folders == [str(tmp_path)]
