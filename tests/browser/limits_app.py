"""A small app for the browser tests of rate limits, htmx and JinjaX: served by uvicorn
(``--app-dir tests/browser limits_app:app``); ``CF_TEST_HTMX`` names the htmx script it serves
at ``/htmx.min.js`` (htmx.org from npm)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from component_framework.core import Component, registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.core.url_state import UrlParam
from component_framework.jinjax import JinjaXRenderer
from component_framework.web import ComponentApp

TEMPLATES = {
    "vote.html": """<output data-testid="votes">{{ state.votes }}</output>
<button type="button" cf-click="up">Vote</button>""",
    "page.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Rate limits</title></head><body>
<section id="http">{{ component("vote_http") }}</section>
<section id="ws">{{ component("vote_ws") }}</section>
<section id="jinjax">{{ component("jx_tally") }}</section>
{{ cf_scripts() }}</body></html>""",
    "notes.html": """<output data-testid="count">{{ state.notes | length }} notes</output>
<ul>{% for note in state.notes %}<li>{{ note }}</li>{% endfor %}</ul>
<form hx-post="/cf/htmx" hx-vals='{"cf-event": "add"}'>
  <input name="text" aria-label="Note" autocomplete="off"><button>Add</button>
</form>
{% if errors.text %}<p class="field-error">{{ errors.text }}</p>{% endif %}
<button hx-post="/cf/htmx" name="cf-event" value="clear">Clear</button>""",
    "htmx_page.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>htmx</title><script src="/htmx.min.js"></script></head><body>
{{ cf_flash() }}
<h1>An htmx page</h1>
{{ component("notes") }}
<button hx-get="/plain" hx-target="#plain">Plain htmx</button><div id="plain"></div>
{{ component("hx_pager") }}
<p id="moved"></p>
<script>
document.addEventListener("pager:moved", (e) => {
  document.getElementById("moved").textContent = "moved to " + e.detail.page;
});
</script>
</body></html>""",
    "pager.html": """<output data-testid="page">Page {{ state.page }}</output>
<button hx-post="/cf/htmx" name="cf-event" value="next">Next page</button>
<button hx-post="/cf/htmx" name="cf-event" value="note">Note</button>
<button hx-post="/cf/htmx" name="cf-event" value="save">Save</button>
<button hx-post="/cf/htmx" name="cf-event" value="leave">Leave</button>""",
    "htmx_done.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Done</title><script src="/htmx.min.js"></script></head><body>
{{ cf_flash() }}
<h1>Done</h1>
</body></html>""",
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


@registry.register("notes")
class Notes(Component):
    """Driven by htmx attributes: three notes a minute, none empty."""

    template_name = "notes.html"
    transport: ClassVar[Literal["http", "ws", "htmx"]] = "htmx"
    rate_limits: ClassVar[dict[str, str]] = {"add": "3/min"}

    def mount(self) -> None:
        super().mount()
        self.state["notes"] = []

    def on_add(self, text: str = "") -> None:
        if not text.strip():
            self.errors["text"] = "Write a note first."
            return
        self.state["notes"].append(text.strip())

    def on_clear(self) -> None:
        self.state["notes"] = []


@registry.register("hx_pager")
class HtmxPager(Component):
    """Driven by htmx, asking for every effect htmx can apply."""

    template_name = "pager.html"
    transport: ClassVar[Literal["http", "ws", "htmx"]] = "htmx"
    url_state: ClassVar[dict[str, Any]] = {"page": UrlParam(int, default=1)}

    def on_next(self) -> None:
        self.state["page"] += 1  # the URL follows: ?page=2
        self.dispatch_browser_event("pager:moved", {"page": self.state["page"]})

    def on_note(self) -> None:
        self.flash("info", "Noted <b>here</b>.")

    def on_save(self) -> None:
        self.flash("success", "Saved.")
        self.redirect("/htmx/done")

    def on_leave(self) -> None:
        self.navigate("/htmx/done")


@registry.register("jx_tally")
class JinjaXTally(Component):
    """Its template is a JinjaX component (jinjax_components/Tally.jinja) using another."""

    template_name = "Tally"
    renderer = JinjaXRenderer([Path(__file__).parent / "jinjax_components"])

    def mount(self) -> None:
        super().mount()
        self.state["count"] = 0

    def on_add(self) -> None:
        self.state["count"] += 1


renderer = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))
set_default_renderer(renderer)
components = ComponentApp()
components.install_jinja(renderer)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(renderer.render("page.html", {"request": request}))


async def htmx_page(request: Request) -> HTMLResponse:
    return HTMLResponse(renderer.render("htmx_page.html", {"request": request}))


async def htmx_done(request: Request) -> HTMLResponse:
    return HTMLResponse(renderer.render("htmx_done.html", {"request": request}))


async def plain(request: Request) -> HTMLResponse:
    return HTMLResponse("<p>Plain htmx still works.</p>")


async def htmx_script(request: Request) -> Response:
    script = Path(os.environ["CF_TEST_HTMX"]).read_bytes()
    return Response(script, media_type="text/javascript")


app = Starlette(
    routes=[
        Route("/", page),
        Route("/htmx", htmx_page),
        Route("/htmx/done", htmx_done),
        Route("/plain", plain),
        Route("/htmx.min.js", htmx_script),
        components.mount(),
    ]
)
