"""ComponentApp configuration: secret key required outside debug, prefix, mounting."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from component_framework.core import ComponentRegistry, ComponentWebSocketManager, signing
from component_framework.core import state as state_module
from component_framework.core.exceptions import ConfigurationError
from component_framework.web import ComponentApp

from .conftest import HEADERS


@pytest.fixture
def restore_signer(cf_defaults: None) -> None:
    """ComponentApp configures the process-wide signer: cf_defaults restores it."""


def test_production_refuses_to_start_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, restore_signer: None
) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    with pytest.raises(ConfigurationError, match="CF_SECRET_KEY"):
        ComponentApp()


def test_debug_signs_with_the_projects_development_key(
    monkeypatch: pytest.MonkeyPatch, restore_signer: None, tmp_path: Path
) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    (tmp_path / "pyproject.toml").write_text('[tool.cf]\ncomponents = ["shop.components"]\n')
    monkeypatch.chdir(tmp_path)
    app = ComponentApp(debug=True)
    assert app.signer is signing.get_signer()
    state_json, checksum = app.signer.sign_state("counter", "component-1", {"count": 1})
    # The server restarts (uvicorn --reload): the page's state is still its own.
    restarted = ComponentApp(debug=True)
    again = restarted.signer.verify_state("counter", "component-1", state_json, checksum)
    assert again == {"count": 1}
    assert (tmp_path / ".cf" / "secret-key").is_file()


def test_a_configured_key_never_makes_or_uses_the_development_key(
    monkeypatch: pytest.MonkeyPatch, restore_signer: None, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    app = ComponentApp(debug=True)  # CF_SECRET_KEY is set
    state_json, checksum = app.signer.sign_state("c", "component-1", {})
    signing.Signer([os.environ["CF_SECRET_KEY"]]).verify("c", "component-1", state_json, checksum)
    assert not (tmp_path / ".cf").exists()


def test_explicit_secret_key_configures_the_signer(restore_signer: None) -> None:
    app = ComponentApp(secret_key="an-explicit-key-0123456789")
    state_json, checksum = app.signer.sign_state("c", "component-1", {})
    signing.Signer(["an-explicit-key-0123456789"]).verify("c", "component-1", state_json, checksum)


@pytest.mark.parametrize("prefix", ["cf", "/cf/", ""])
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ConfigurationError, match="must start with '/'"):
        ComponentApp(prefix=prefix)


def test_mount_and_repr(fresh_registry: ComponentRegistry) -> None:
    app = ComponentApp(prefix="/components", registry=fresh_registry)
    route = app.mount()
    assert isinstance(route, Mount)
    assert route.path == "/components"
    assert repr(app) == "<ComponentApp prefix='/components' components=0>"
    assert app.manager is not None


def test_a_component_app_is_mountable_and_serves_alone(fresh_registry: ComponentRegistry) -> None:
    components = ComponentApp(prefix="/live", registry=fresh_registry)
    with TestClient(components) as client:  # on its own: paths under its prefix
        assert client.get("/live/cf.js").status_code == 200
        assert client.get("/cf/cf.js").status_code == 404
    app = Starlette()
    app.mount("/live", components)  # mounted: the same paths
    with TestClient(app) as client:
        assert client.get("/live/cf.js").status_code == 200
        response = client.post("/live/event", json={"component": "nope"}, headers=HEADERS)
        assert response.status_code == 404


@pytest.fixture
def example_app() -> Iterator[Any]:
    """Import examples.app into an emptied global registry; put everything back afterwards."""
    import importlib
    import sys

    from component_framework.core import registry
    from component_framework.core.renderer import get_default_renderer, set_default_renderer

    saved = registry.items()
    renderer = get_default_renderer()
    for name, _ in saved:
        registry.unregister(name)
    try:
        yield importlib.import_module("examples.app").app
    finally:
        for name in list(registry):
            registry.unregister(name)
        for name, cls in saved:
            registry.register(name)(cls)
        set_default_renderer(renderer)
        for module in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
            del sys.modules[module]


def test_example_app_serves_its_page_without_javascript(example_app: Any) -> None:
    app = example_app

    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    for name in ("counter", "signup", "progress", "live_board", "profile_card"):
        assert f'data-cf-component="{name}"' in page.text
    assert "data-cf-live" in page.text
    assert "data-cf-stream" in page.text


def test_one_hostile_board_post_cannot_break_the_example_page(example_app: Any) -> None:
    """A lone surrogate ("\\ud800") posted to the shared board is refused, not stored."""
    message = {
        "component": "live_board",
        "event": "post",
        "payload": {"form_data": {"message": "X"}},
    }
    body = json.dumps(message).replace('"X"', '"\\ud800"')
    with TestClient(example_app) as client:
        refused = client.post("/cf/event", content=body, headers=HEADERS)
        assert refused.status_code == 400
        assert refused.json()["code"] == "invalid_payload"
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("variable", ["CF_BROKER_URL", "CF_STATE_STORE"])
def test_a_redis_url_without_redis_py_stops_start_up_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, cf_defaults: None
) -> None:
    # redis-py not installed: importing it fails, as it does in an environment without it.
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    state_module._restore((None, False, False))  # no default store yet: CF_STATE_STORE is read
    monkeypatch.setenv(variable, "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigurationError, match=r"pip install 'cf-components\[redis\]'") as info:
        ComponentApp(manager=ComponentWebSocketManager())
    assert "\n" not in str(info.value)
