"""A small app for the lazy and polling browser tests. Run as
``uvicorn tests.browser.loading_app:app``.

``/lazy``: a slow lazy panel, one mounted when it comes into view (below a tall spacer) and one
whose mount fails. ``/poll``: a counter polled every second and a live one.
"""

from __future__ import annotations

import time
from typing import ClassVar

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.web import ComponentApp

TEMPLATES = {
    "stats.html": '<p data-testid="{{ state.name }}">{{ state.name }}: {{ state.total }}</p>',
    "placeholder.html": '<p data-testid="waiting">Counting {{ params.name }}...</p>',
    "ticker.html": '<p data-testid="{{ state.name }}">ticks={{ state.ticks }}</p>',
}
LAZY_PAGE = """<!doctype html><html><body>
{{ component("stats", name="slow") }}
<div style="height: 3000px"></div>
{{ component("below", name="below") }}
{{ component("broken") }}
{{ cf_scripts() }}</body></html>"""
POLL_PAGE = """<!doctype html><html><body>
{{ component("ticker", name="polled") }}{{ component("live_ticker", name="live") }}
{{ cf_scripts() }}</body></html>"""

registry = ComponentRegistry()
renderer = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))


@registry.register("stats")
class Stats(Component):
    """A report too slow for the page's own render."""

    template_name = "stats.html"
    placeholder_template = "placeholder.html"
    renderer = renderer
    lazy: ClassVar[bool] = True

    def mount(self) -> None:
        super().mount()
        time.sleep(0.3)  # a slow query
        self.state.update(name=self.params["name"], total=42)


@registry.register("below")
class Below(Stats):
    lazy: ClassVar[str] = "visible"  # type: ignore[assignment]


@registry.register("broken")
class Broken(Component):
    template_name = "stats.html"
    renderer = renderer
    lazy: ClassVar[bool] = True

    def mount(self) -> None:
        raise RuntimeError("the report's database is down")


@registry.register("ticker")
class Ticker(Component):
    template_name = "ticker.html"
    renderer = renderer
    poll: ClassVar[float] = 1
    poll_event: ClassVar[str] = "tick"

    def mount(self) -> None:
        super().mount()
        self.state.update(name=self.params["name"], ticks=0)

    def on_tick(self) -> None:
        self.state["ticks"] += 1


@registry.register("live_ticker")
class LiveTicker(Ticker):
    live: ClassVar[bool] = True


components = ComponentApp(registry=registry)
environment = components.install_jinja(jinja2.Environment(autoescape=True))


async def lazy_page(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(LAZY_PAGE).render())


async def poll_page(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(POLL_PAGE).render())


app = Starlette(routes=[Route("/lazy", lazy_page), Route("/poll", poll_page), components.mount()])
