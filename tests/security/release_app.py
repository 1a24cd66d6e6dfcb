"""An app as one release of a deploy serves it, for the remount attacks (uvicorn).

``profile`` shows whose profile a page opened; ``CF_TEST_REMOUNTABLE=0`` serves the release
that declared it ``remountable = False``. ``GET /mounts`` lists the parameters of every mount
this process ran (to see whether a refused remount ran component code).

Run: CF_SECRET_KEY=... CF_RELEASE=... CF_TEST_REMOUNTABLE=0 uvicorn tests.security.release_app:app
"""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.renderer import Renderer
from component_framework.web import ComponentApp

MOUNTS: list[dict[str, Any]] = []


class Text(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('owner', '')}</p>"


registry = ComponentRegistry()


@registry.register("profile")
class Profile(Component):
    template_name = "profile.html"
    renderer = Text()
    remountable = os.environ.get("CF_TEST_REMOUNTABLE", "1") == "1"

    def mount(self) -> None:
        super().mount()
        MOUNTS.append(dict(self.params))
        self.state["owner"] = self.params.get("owner", "")


components = ComponentApp(registry=registry)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(components.render("profile", request, owner="alice"))


async def mounts(request: Request) -> JSONResponse:
    return JSONResponse(MOUNTS)


app = Starlette(
    routes=[Route("/", page), Route("/mounts", mounts), components.mount()],
)
