"""The app the real-server attacks of ``test_attack_real_server.py`` run against (uvicorn).

- ``notes``: keeps its state in an SQLite store (``CF_TEST_STATE_DB``), or the store
  ``CF_TEST_STATE_URL`` names (Redis), with a small budget (``CF_TEST_MAX_BYTES``), and keeps
  what a client sends (``on_add``); ``GET /page`` is a page embedding it;
- ``news``: a live component only members may watch (``MEMBERS``, the server's live record);
  ``POST /revoke?user=NAME`` takes a member out, ``POST /push`` pushes a state to every page.

Users log in with the header ``X-User: NAME`` (as a session cookie would, for this test).

Run: CF_TEST_STATE_DB=... CF_TEST_MAX_BYTES=... uvicorn tests.security.hostile_app:app
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

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
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from component_framework.core import BasePermission, Component, ComponentRegistry
from component_framework.core.renderer import Renderer
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import open_store
from component_framework.web import ComponentApp

MEMBERS = {"alice", "bob"}
BUDGET = int(os.environ["CF_TEST_MAX_BYTES"])
store = (
    open_store(f"{os.environ['CF_TEST_STATE_URL']}?max_bytes={BUDGET}")
    if os.environ.get("CF_TEST_STATE_URL")
    else SQLiteStateStore(os.environ["CF_TEST_STATE_DB"], max_bytes=BUDGET)
)


class HeaderAuth(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        name = conn.headers.get("x-user")
        if not name:
            return AuthCredentials(), UnauthenticatedUser()
        return AuthCredentials(["authenticated"]), SimpleUser(name)


class IsMember(BasePermission):
    def has_permission(self, request: Any, component_cls: type) -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.username in MEMBERS)


class Text(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        state = context["state"]
        return f"<p>{state.get('text', '')}{len(state.get('notes', []))}</p>"


registry = ComponentRegistry()


@registry.register("notes")
class Notes(Component):
    template_name = "notes.html"
    renderer = Text()
    state_store = store

    def mount(self) -> None:
        super().mount()
        self.state["notes"] = []

    def on_add(self, text: str) -> None:
        self.state["notes"].append(text)


@registry.register("news")
class News(Component):
    template_name = "news.html"
    renderer = Text()
    live = True
    permission_classes: ClassVar[list[type[BasePermission]]] = [IsMember]


components = ComponentApp(registry=registry)


async def revoke(request: Request) -> JSONResponse:
    MEMBERS.discard(request.query_params["user"])
    return JSONResponse(sorted(MEMBERS))


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(f"<main>{components.render('notes', request)}</main>")


async def push(request: Request) -> JSONResponse:
    await components.push_state("news", {"text": request.query_params["text"]})
    await components.manager.flush()
    return JSONResponse({"pushed": True})


app = Starlette(
    routes=[
        Route("/revoke", revoke, methods=["POST"]),
        Route("/push", push, methods=["POST"]),
        Route("/page", page),
        components.mount(),
    ],
    middleware=[Middleware(AuthenticationMiddleware, backend=HeaderAuth())],
)
