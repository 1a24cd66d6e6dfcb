"""The Litestar WebSocket (events, pushes through ``ws_manager``, the Origin check) and
Litestar's CSRF middleware with cf.js's ``data-cf-headers``, with Litestar's test client."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import jinja2
import pytest
from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import WebSocketDisconnect
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.testing import TestClient

from component_framework.core import Component, ws_manager
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import signed_message
from component_framework.core.registry import registry as default_registry
from component_framework.litestar import create_router, template_globals

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
PAGE = '{{ component("ls-counter", start=3) }}{{ cf_scripts() }}'


class LsCounter(Component):
    """A live counter in the process-wide registry, so ``ws_manager`` can push to it."""

    template_name = "count.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"count.html": "<b>{{ state.count }}</b>"}))
    live = True

    def mount(self) -> None:
        super().mount()
        self.state["count"] = int(self.params.get("start", 0))

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] += amount


@pytest.fixture(autouse=True)
def counter() -> Iterator[None]:
    default_registry.register("ls-counter")(LsCounter)
    yield
    default_registry.unregister("ls-counter")


def _app(**options: Any) -> Litestar:
    env = jinja2.Environment(autoescape=True)
    env.globals.update(template_globals())

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Template:
        return Template(template_str=PAGE, context={"request": request})

    return Litestar(
        route_handlers=[home, create_router(debug=True)],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        **options,
    )


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(_app()) as test_client:
        yield test_client


def _root(html: str) -> dict[str, str]:
    tag = re.search(r"<div data-cf-component=[^>]*>", html)
    assert tag, html
    return {k: unescape(v) for k, v in re.findall(r'(data-cf-[a-z-]+)(?:="([^"]*)")?', tag[0])}


def test_events_over_the_socket_echo_the_ref(client: TestClient[Litestar]) -> None:
    message = signed_message(
        "ls-counter", "increment", {"amount": 2}, {"count": 1}, component_id="c-ws"
    )
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json({**message, "ref": 7})
        reply = ws.receive_json()
        assert (reply["type"], reply["ref"]) == ("component_update", 7)
        assert json.loads(reply["state"]) == {"count": 3}
        ws.send_json({**message, "state": '{"count": 99}'})
        assert ws.receive_json()["code"] == "tampered_state"
        ws.send_text("not json")
        assert ws.receive_json()["code"] == "bad_message"


def test_a_live_page_subscribes_and_receives_pushes_from_ws_manager(
    client: TestClient[Litestar],
) -> None:
    root = _root(client.get("/").text)
    assert "data-cf-live" in root
    subscribe = {
        "type": "subscribe",
        "component_id": root["data-cf-id"],
        "token": root["data-cf-token"],
    }
    with client.websocket_connect("/cf/ws") as one, client.websocket_connect("/cf/ws") as two:
        for ws in (one, two):
            ws.send_json(subscribe)
            assert ws.receive_json()["type"] == "subscribed"
        client.blocking_portal.call(ws_manager.push_state, "ls-counter", {"count": 41})
        for ws in (one, two):
            pushed = ws.receive_json()
            assert pushed["type"] == "component_update"
            assert pushed["component_id"] == root["data-cf-id"]
            assert "<b>41</b>" in pushed["html"]


def test_a_socket_from_another_site_is_refused(client: TestClient[Litestar]) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/cf/ws", headers={"Origin": "http://evil.example"}) as ws,
    ):
        ws.receive_json()
    same_site = {"Origin": "http://testserver.local"}
    with client.websocket_connect("/cf/ws", headers=same_site) as ws:
        ws.send_json({"type": "component_event", "component": "ls-counter"})
        assert ws.receive_json()["type"] == "component_update"


def test_allowed_origins_open_the_socket_to_named_sites() -> None:
    app = Litestar(
        route_handlers=[create_router(debug=True, allowed_origins=["https://app.example"])]
    )
    origin = {"Origin": "https://app.example"}
    with TestClient(app) as client, client.websocket_connect("/cf/ws", headers=origin) as ws:
        ws.send_json({"type": "component_event", "component": "ls-counter"})
        assert ws.receive_json()["type"] == "component_update"


def test_litestar_csrf_middleware_with_cf_js_headers() -> None:
    config = CSRFConfig(secret="a-long-test-secret-for-csrf-tokens")
    with TestClient(_app(csrf_config=config)) as client:
        page = client.get("/")
        match = re.search(r'data-cf-headers="([^"]*)"', page.text)
        assert match, page.text
        headers = json.loads(unescape(match.group(1)))
        assert list(headers) == ["x-csrftoken"] and headers["x-csrftoken"]
        assert "csrftoken" in client.cookies
        message = json.dumps({"component": "ls-counter", "event": "increment"})
        refused = client.post("/cf/event", content=message, headers=HEADERS)
        assert refused.status_code == 403  # Litestar's middleware, before cf runs
        accepted = client.post("/cf/event", content=message, headers={**HEADERS, **headers})
        assert accepted.status_code == 200, accepted.text
        assert json.loads(accepted.json()["state"]) == {"count": 1}


def test_cf_scripts_carries_extra_headers() -> None:
    env = jinja2.Environment(autoescape=True)
    env.globals.update(template_globals(path="/components"))
    html = env.from_string('{{ cf_scripts(headers={"X-Tenant": "acme"}) }}').render()
    assert 'src="/components/cf.js?v=' in html
    assert json.loads(unescape(re.findall(r'data-cf-headers="([^"]*)"', html)[0])) == {
        "X-Tenant": "acme"
    }
