"""A small app whose pages load only ``{{ cf_scripts() }}`` yet use live navigation: a
``cf-navigate`` nav and a component whose handler asks for the ``navigate`` effect. cf.js
fetches cf-navigate.js from the server on first use. Run as ``uvicorn
tests.browser.autoload_app:app``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.web import ComponentApp

PAGE = """<!doctype html><html><head><title>{{ title }}</title></head><body>
<nav cf-navigate><a href="/">One</a> <a href="/two">Two</a></nav>
<h1>{{ title }}</h1>{{ component("mover") }}{{ cf_scripts() }}
</body></html>"""

registry = ComponentRegistry()


@registry.register("mover")
class Mover(Component):
    """A button whose handler sends the page to /two."""

    template_name = "mover.html"
    renderer = JinjaRenderer(
        loader=jinja2.DictLoader({"mover.html": '<button cf-click="go">Go to two</button>'})
    )

    def on_go(self) -> None:
        self.navigate("/two")


components = ComponentApp(registry=registry)
environment = components.install_jinja(jinja2.Environment(autoescape=True))


def page(title: str) -> Callable[[Request], Awaitable[HTMLResponse]]:
    async def render(request: Request) -> HTMLResponse:
        return HTMLResponse(environment.from_string(PAGE).render(title=title))

    return render


app = Starlette(routes=[Route("/", page("One")), Route("/two", page("Two")), components.mount()])
