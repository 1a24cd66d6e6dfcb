"""A small app for the multi-process push test: a shared list in SQLite, a per-page filter.

Each page keeps its own filter (client-held state); the list lives in a database every worker
reads, and a change anywhere is announced with ``ws_manager.push_event("shared_list",
"refresh")``, which every page handles with its own state; ``/announce?text=`` pushes
``announce``, whose handler asks for a flash and a browser event. Run as ``uvicorn
tests.browser.push_app:app`` with ``PUSH_APP_DB`` (the SQLite file) and ``CF_BROKER_URL``.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any, ClassVar

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry, ws_manager
from component_framework.core.jinja import JinjaRenderer
from component_framework.web import ComponentApp

TEMPLATE = """<div>
  <p data-testid="filter">filter={{ state.filter or "none" }}</p>
  <button cf-click="only_a" data-testid="only-a">Only items with "a"</button>
  <form cf-submit="add"><input name="text" data-testid="text"><button>Add</button></form>
  <ul data-testid="items">{% for item in state["items"] if state.filter in item %}
    <li>{{ item }}</li>{% endfor %}</ul>
</div>"""

PAGE = """<!doctype html><html><body>
{{ cf_flash() }}{{ component("shared_list") }}{{ cf_scripts() }}
</body></html>"""


def _db() -> sqlite3.Connection:
    db = sqlite3.connect(os.environ["PUSH_APP_DB"], timeout=10)
    db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, text TEXT)")
    return db


def add_item(text: str) -> None:
    """Add *text* to the shared list (any process)."""
    with _db() as db:
        db.execute("INSERT INTO items (text) VALUES (?)", (text,))


def load_items() -> list[str]:
    with _db() as db:
        return [text for (text,) in db.execute("SELECT text FROM items ORDER BY id")]


registry = ComponentRegistry()


@registry.register("shared_list")
class SharedList(Component):
    """The shared list: items from the database, a filter of the page's own."""

    template_name = "shared_list.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"shared_list.html": TEMPLATE}))
    live: ClassVar[bool] = True
    resync_event = "refresh"  # a page that missed pushes reloads the list

    def mount(self) -> None:
        super().mount()
        self.state = {"filter": "", "items": load_items()}

    async def on_refresh(self, **_: Any) -> None:
        self.state["items"] = load_items()

    async def on_only_a(self) -> None:
        self.state["filter"] = "a"

    def on_announce(self, text: str) -> None:
        # A pushed event's effects: shown on every page, as a page's own event's would be.
        self.flash("info", text)
        self.dispatch_browser_event("list:announced", {"text": text})

    async def on_add(self, form_data: dict[str, str]) -> None:
        add_item(form_data.get("text", ""))
        self.state["items"] = load_items()
        await ws_manager.push_event("shared_list", "refresh", {})


components = ComponentApp(registry=registry)
environment = components.install_jinja(jinja2.Environment(autoescape=True))


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(PAGE).render())


async def announce(request: Request) -> HTMLResponse:
    """Push ``announce`` to every page (what a background job would do)."""
    await ws_manager.push_event("shared_list", "announce", {"text": request.query_params["text"]})
    return HTMLResponse("pushed")


app = Starlette(routes=[Route("/", home), Route("/announce", announce), components.mount()])
