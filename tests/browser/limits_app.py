"""A small app for the browser tests of rate limits and htmx: served by uvicorn
(``--app-dir tests/browser limits_app:app``)."""

from __future__ import annotations

from typing import ClassVar, Literal

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.web import ComponentApp

TEMPLATES = {
    "vote.html": """<output data-testid="votes">{{ state.votes }}</output>
<button type="button" cf-click="up">Vote</button>""",
    "page.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Rate limits</title></head><body>
<section id="http">{{ component("vote_http") }}</section>
<section id="ws">{{ component("vote_ws") }}</section>
{{ cf_scripts() }}</body></html>""",
}


class Vote(Component):
    """Two votes a minute per visitor, then the page shows the refusal."""

    template_name = "vote.html"
    rate_limits: ClassVar[dict[str, str]] = {"up": "2/min"}

    def mount(self) -> None:
        super().mount()
        self.state["votes"] = 0

    async def on_up(self) -> None:
        self.state["votes"] += 1


@registry.register("vote_http")
class HttpVote(Vote):
    """Its events over HTTP."""


@registry.register("vote_ws")
class SocketVote(Vote):
    """Its events over the WebSocket."""

    transport: ClassVar[Literal["http", "ws"]] = "ws"


renderer = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))
set_default_renderer(renderer)
components = ComponentApp()
components.install_jinja(renderer)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(renderer.render("page.html", {"request": request}))


app = Starlette(routes=[Route("/", page), components.mount()])
