"""A small app for the browser tests of back and forward: two lists with URL state (one
restored from the history entry, one rendered again from the URL) over rows the test changes,
and a save that flashes "Saved." and redirects. Served by uvicorn (``--app-dir tests/browser
history_app:app``), one process: the rows live in this module."""

from __future__ import annotations

from typing import ClassVar

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam
from component_framework.web import ComponentApp

ROWS = ["Oak", "Ash"]


class Rows(Component):
    """The rows as they are now, and a page number in the URL (a new entry per page)."""

    def render(self) -> str:
        page = self.state["page"]
        return (
            f'<p data-testid="page">Page {page}</p><p data-testid="rows">{", ".join(ROWS)}</p>'
            '<button type="button" cf-click="next">Next</button>'
        )

    def on_next(self) -> None:
        self.state["page"] += 1


@registry.register("kept_rows")
class KeptRows(Rows):
    url_state: ClassVar = {"page": UrlParam(int, default=1, name="kept", history="push")}


@registry.register("fresh_rows")
class FreshRows(Rows):
    url_state: ClassVar = {"page": UrlParam(int, default=1, name="fresh", history="push")}
    restore_from_history = False


@registry.register("saver")
class Saver(Component):
    def render(self) -> str:
        return '<button type="button" cf-click="save">Save</button>'

    def on_save(self) -> None:
        self.flash("success", "Saved.")
        self.redirect("/list")


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>History</title>
</head><body>{{ cf_flash() }}{{ body }}{{ cf_scripts() }}</body></html>"""
environment = jinja2.Environment(autoescape=True)
components = ComponentApp()
components.install_jinja(environment)
template = environment.from_string(PAGE)


def _page(request: Request, body: str) -> HTMLResponse:
    return HTMLResponse(template.render(request=request, body=Markup(body)))


async def rows_page(request: Request) -> Response:
    kept = components.render("kept_rows", request)
    fresh = components.render("fresh_rows", request)
    return _page(
        request, f'<section id="kept">{kept}</section><section id="fresh">{fresh}</section>'
    )


async def add_row(request: Request) -> Response:
    ROWS.append((await request.body()).decode())
    return Response(status_code=204)


async def edit_page(request: Request) -> Response:
    return _page(request, "<h1>Edit</h1>" + components.render("saver", request))


async def list_page(request: Request) -> Response:
    # No Cache-Control: the browser may keep the page and show it again on back and forward.
    return _page(request, "<h1>List</h1><a href='/edit'>Edit</a>")


app = Starlette(
    routes=[
        Route("/", rows_page),
        Route("/rows", add_row, methods=["POST"]),
        Route("/edit", edit_page),
        Route("/list", list_page),
        components.mount(),
    ]
)
