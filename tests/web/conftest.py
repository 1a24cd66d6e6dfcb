"""Web fixtures: test components in a fresh registry, mounted in a Starlette app with auth."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
    UnauthenticatedUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient

from component_framework.core import (
    Component,
    ComponentRegistry,
    FormComponent,
    IsAuthenticated,
    IsStaff,
    StreamingComponent,
)
from component_framework.web import ComponentApp

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}

TEMPLATES = {
    "counter.html": '<p>Count: <b cf-text="count">{{ state.count }}</b></p>'
    '<button cf-click="increment" cf-payload=\'{"amount": 2}\'>+2</button>',
    "plain.html": "<p>{{ state.value }}</p>",
    "steps.html": "<p>{{ state.step }}</p>",
    "signup.html": "<form>{% for f, m in field_errors.items() %}<i>{{ f }}</i>{% endfor %}</form>",
    "page.html": "<main>{{ component('counter', start=start) }}</main>{{ cf_scripts() }}",
}

calls: list[str] = []


class User(SimpleUser):
    def __init__(self, username: str, is_staff: bool) -> None:
        super().__init__(username)
        self.is_staff = is_staff


class HeaderAuth(AuthenticationBackend):
    """``X-User: name`` or ``X-User: name:staff`` logs in; no header is anonymous."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        value = conn.headers.get("x-user")
        if not value:
            return AuthCredentials(), UnauthenticatedUser()
        name, _, role = value.partition(":")
        return AuthCredentials(["authenticated"]), User(name, role == "staff")


class SignupSchema(BaseModel):
    name: str = Field(min_length=2)


def define(registry: ComponentRegistry) -> None:
    @registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = self.params.get("start", 0)

        def on_increment(self, amount: int = 1) -> None:
            calls.append("increment")
            self.state["count"] += amount

        def on_explode(self) -> None:
            calls.append("explode")
            raise RuntimeError("secret database password is hunter2")

        def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
            return {"count": self.state["count"] + payload.get("amount", 1)}

    @registry.register("members_only")
    class MembersOnly(Component):
        template_name = "plain.html"
        permission_classes: ClassVar[list[Any]] = [IsAuthenticated]

        def mount(self) -> None:
            super().mount()
            self.state["value"] = "members"

        def on_touch(self) -> None:
            calls.append("touch")

    @registry.register("staff_only")
    class StaffOnly(MembersOnly):
        permission_classes: ClassVar[list[Any]] = [IsAuthenticated, IsStaff]

    @registry.register("steps")
    class Steps(StreamingComponent):
        template_name = "steps.html"
        permission_classes: ClassVar[list[Any]] = []

        def mount(self) -> None:
            super().mount()
            self.state["step"] = 0

        async def on_run(self, count: int = 3) -> AsyncIterator[None]:
            for step in range(1, count + 1):
                self.state["step"] = step
                yield

        async def on_fail_midway(self) -> AsyncIterator[None]:
            self.state["step"] = 1
            yield
            raise RuntimeError("stream internals leaked")

    @registry.register("signup")
    class Signup(FormComponent):
        schema = SignupSchema
        template_name = "signup.html"

        def on_submit(self) -> None:
            calls.append("submit")


@pytest.fixture
def components(
    fresh_registry: ComponentRegistry, templates: Callable[..., Any]
) -> Iterator[ComponentApp]:
    """A ComponentApp over a fresh registry holding the test components."""
    renderer = templates(**TEMPLATES)
    define(fresh_registry)
    calls.clear()
    app = ComponentApp(registry=fresh_registry)
    app.install_jinja(renderer)
    yield app


@pytest.fixture
def client(components: ComponentApp) -> Iterator[TestClient]:
    """A TestClient on a Starlette app that mounts *components* and authenticates X-User."""
    app = Starlette(
        routes=[components.mount()],
        middleware=[Middleware(AuthenticationMiddleware, backend=HeaderAuth())],
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def mounted(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Factory: ``mounted("counter")`` returns the first render's reply (state, checksum...)."""

    def mount(name: str, **headers: str) -> dict[str, Any]:
        response = client.post(
            "/cf/event", json={"component": name}, headers={**HEADERS, **headers}
        )
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply

    return mount


def event(reply: dict[str, Any], name: str, event: str, payload: Any = None) -> dict[str, Any]:
    """The message that fires *event* on the component *reply* rendered."""
    return {
        "type": "component_event",
        "component": name,
        "component_id": reply["component_id"],
        "event": event,
        "payload": payload or {},
        "state": reply["state"],
        "checksum": reply["checksum"],
    }
