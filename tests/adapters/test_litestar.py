"""The Litestar adapter with Litestar's test client: endpoints, users, guards, templates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from litestar import Litestar, Request, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.testing import TestClient

from component_framework.core import (
    Component,
    ComponentRegistry,
    IsAuthenticated,
    IsStaff,
)
from component_framework.core._http import script_version
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import signed_message
from component_framework.litestar import create_router, template_globals

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
renderer = JinjaRenderer(
    loader=jinja2.DictLoader(
        {"count.html": "<b>{{ state.count }}</b>", "who.html": "<i>{{ state.who }}</i>"}
    )
)


class User:
    def __init__(self, name: str, staff: bool) -> None:
        self.username = name
        self.is_authenticated = True
        self.is_staff = staff


class HeaderAuth(AbstractAuthenticationMiddleware):
    """``X-User: name`` or ``name:staff``; no header is anonymous (user None)."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        value = connection.headers.get("x-user")
        if not value:
            return AuthenticationResult(user=None, auth=None)
        name, _, role = value.partition(":")
        return AuthenticationResult(user=User(name, role == "staff"), auth=None)


def registry() -> ComponentRegistry:
    components = ComponentRegistry()

    @components.register("counter")
    class Counter(Component):
        template_name = "count.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = int(self.params.get("start", 0))

        def on_increment(self, amount: int = 1) -> None:
            self.state["count"] += amount

    Counter.renderer = renderer

    @components.register("staff_only")
    class StaffOnly(Component):
        template_name = "who.html"
        permission_classes = [IsAuthenticated, IsStaff]

        def mount(self) -> None:
            super().mount()
            self.state["who"] = "staff"

    StaffOnly.renderer = renderer
    return components


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    components = registry()

    env = jinja2.Environment(autoescape=True)
    env.globals.update(template_globals(registry=components))

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Template:
        return Template(
            template_str='{{ component("counter", start=3) }}{{ cf_scripts() }}',
            context={"request": request},
        )

    app = Litestar(
        route_handlers=[home, create_router(registry=components)],
        middleware=[DefineMiddleware(HeaderAuth)],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
    )
    with TestClient(app) as test_client:
        yield test_client


def test_page_and_event(client: TestClient[Litestar]) -> None:
    html = client.get("/").text
    assert 'data-cf-component="counter"' in html and "<b>3</b>" in html
    assert 'data-cf-base="/cf"' in html
    message = signed_message("counter", "increment", {"amount": 2}, {"count": 3}, component_id="c1")
    response = client.post("/cf/event", content=json.dumps(message), headers=HEADERS)
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"count": 5}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-cf-version"] == script_version()  # the cf.js this server serves


def test_litestar_user_reaches_permission_classes(client: TestClient[Litestar]) -> None:
    body = json.dumps({"component": "staff_only"})
    anonymous = client.post("/cf/event", content=body, headers=HEADERS)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    member = client.post("/cf/event", content=body, headers={**HEADERS, "X-User": "ann"})
    assert (member.status_code, member.json()["code"]) == (403, "permission_denied")
    staff = client.post("/cf/event", content=body, headers={**HEADERS, "X-User": "bob:staff"})
    assert staff.status_code == 200
    assert "<i>staff</i>" in staff.json()["html"]


def test_stream_and_script(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/cf/stream", content=json.dumps({"component": "counter"}), headers=HEADERS
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")
    ]
    assert frames[-1]["stream_done"] is True
    script = client.get("/cf/cf.js")
    assert script.status_code == 200 and b"data-cf-headers" in script.content
    assert (
        client.get("/cf/cf.js", headers={"If-None-Match": script.headers["etag"]}).status_code
        == 304
    )


def test_guards_run_before_the_endpoints() -> None:
    def members_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not connection.headers.get("x-member"):
            raise NotAuthorizedException("Members only.")

    app = Litestar(route_handlers=[create_router(registry=registry(), guards=[members_only])])
    with TestClient(app) as client:
        body = json.dumps({"component": "counter"})
        assert client.post("/cf/event", content=body, headers=HEADERS).status_code == 401
        allowed = client.post("/cf/event", content=body, headers={**HEADERS, "X-Member": "1"})
        assert allowed.status_code == 200


def test_no_secret_key_outside_debug_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    with pytest.raises(ConfigurationError, match="No secret key"):
        create_router()


def test_litestar_user_reaches_permission_classes_on_the_socket(
    client: TestClient[Litestar],
) -> None:
    ask = {"type": "component_event", "component": "staff_only", "ref": "a"}
    with client.websocket_connect("/cf/ws") as anonymous:
        anonymous.send_json(ask)
        assert anonymous.receive_json()["code"] == "not_authenticated"
    with client.websocket_connect("/cf/ws", headers={"X-User": "ann"}) as member:
        member.send_json(ask)
        assert member.receive_json()["code"] == "permission_denied"
    with client.websocket_connect("/cf/ws", headers={"X-User": "bob:staff"}) as staff:
        staff.send_json(ask)
        reply = staff.receive_json()
        assert (reply["type"], reply["ref"]) == ("component_update", "a")
        assert "<i>staff</i>" in reply["html"]


def test_a_nested_child_renders_for_the_logged_in_user_on_events_and_pages() -> None:
    # The reported drift: under Litestar a nested IsAuthenticated child rendered
    # "Authentication required." for a logged-in user (Starlette rendered it).
    components = registry()
    nesting = JinjaRenderer(loader=jinja2.DictLoader({"shell.html": "{{ component('staff') }}"}))
    nesting.environment.globals.update(template_globals(registry=components))

    @components.register("shell")
    class Shell(Component):
        template_name = "shell.html"
        renderer = nesting

    @components.register("staff")
    class Staff(Component):
        template_name = "who.html"
        renderer = renderer
        permission_classes = [IsAuthenticated, IsStaff]

        def mount(self) -> None:
            super().mount()
            self.state["who"] = "staff"

    env = jinja2.Environment(autoescape=True)
    env.globals.update(template_globals(registry=components))

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Template:
        return Template(template_str='{{ component("shell") }}', context={"request": request})

    app = Litestar(
        route_handlers=[home, create_router(registry=components)],
        middleware=[DefineMiddleware(HeaderAuth)],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
    )
    body = json.dumps({"component": "shell"})
    with TestClient(app) as client:
        staff = {**HEADERS, "X-User": "bob:staff"}
        reply = client.post("/cf/event", content=body, headers=staff).json()
        assert "<i>staff</i>" in reply["html"] and "Authentication required" not in reply["html"]
        page = client.get("/", headers={"X-User": "bob:staff"}).text
        assert "<i>staff</i>" in page
        anonymous = client.post("/cf/event", content=body, headers=HEADERS).json()
        assert "Authentication required." in anonymous["html"]
