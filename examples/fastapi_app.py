"""The FastAPI example (docs/fastapi.md): components mounted in one line, users from a dependency.

Run it from the repository root::

    uvicorn examples.fastapi_app:app        # http://127.0.0.1:8000/?user=ann

The demo "login" is a ``user`` cookie set by ``/login?name=ann`` (``name=boss`` is staff): a
real app reads its session or token in ``current_user`` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.authentication import AuthCredentials, AuthenticationBackend
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection

from component_framework.core import Component, IsAuthenticated, IsStaff, registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.web import ComponentApp

from . import components as components  # registers counter, signup, ...

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class User:
    """The app's user; permission classes read ``is_authenticated`` and ``is_staff``."""

    username: str
    is_staff: bool = False
    is_authenticated: bool = True


def current_user(request: HTTPConnection) -> User | None:
    """The dependency every route uses, and the components' authentication backend."""
    name = request.cookies.get("user")
    return User(name, is_staff=name == "boss") if name else None


class DependencyAuth(AuthenticationBackend):
    """Runs ``current_user`` for the component endpoints: it sets ``request.user``."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, Any] | None:
        user = current_user(conn)
        return (AuthCredentials(["authenticated"]), user) if user else None


@registry.register("staff_note")
class StaffNote(Component):
    """Visible to staff only: ``IsStaff`` reads the user ``current_user`` returned."""

    template_name = "staff_note.html"
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated, IsStaff]

    def mount(self) -> None:
        super().mount()
        self.state["notes"] = 0

    def on_add(self) -> None:
        self.state["notes"] += 1


renderer = JinjaRenderer([TEMPLATES])
set_default_renderer(renderer)
cf = ComponentApp(debug="CF_SECRET_KEY" not in os.environ)
templates = cf.install_jinja(Jinja2Templates(env=renderer.environment))

app = FastAPI()
app.add_middleware(AuthenticationMiddleware, backend=DependencyAuth())
app.mount("/cf", cf)  # the one line


@app.get("/", response_class=HTMLResponse)
def home(request: Request, user: Annotated[User | None, Depends(current_user)]) -> Any:
    """The page: a counter for everyone, the staff note for staff."""
    return templates.TemplateResponse(request, "fastapi_page.html", {"user": user})


@app.get("/login")
def login(name: str) -> RedirectResponse:
    """Demo login: remember *name* in a cookie."""
    response = RedirectResponse("/", status_code=303)
    response.set_cookie("user", name, httponly=True, samesite="lax")
    return response
