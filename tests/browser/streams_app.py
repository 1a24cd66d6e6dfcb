"""A small app for the streams browser tests: a feed whose items live outside its state.

``/`` holds the feed's state in the page, ``/held`` on the server; ``announce`` pushes an item
to every page showing a feed. ``/preview`` (events over HTTP) and ``/preview-ws`` (over the
socket) start background tasks. Run as ``uvicorn tests.browser.streams_app:app``.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import ClassVar

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry, InMemoryStateStore, ws_manager
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.streams import Stream
from component_framework.web import ComponentApp

FEED = """<div>
  <p data-testid="renders">renders={{ state.renders }}</p>
  <button cf-click="bump" data-testid="bump">Bump</button>
  <form cf-submit="add"><input name="text" data-testid="text">
    <button data-testid="add">Add</button></form>
  <button cf-click="prepend" data-testid="prepend">Prepend</button>
  <button cf-click="edit" cf-payload='{"id": 1, "text": "one, edited"}'
    data-testid="edit">Edit</button>
  <button cf-click="search" data-testid="search">Search</button>
  <button cf-click="ghost" data-testid="ghost">Ghost</button>
  <button cf-click="announce" data-testid="announce">Announce</button>
  <ul cf-stream="items" data-testid="items">{{ streams.items }}</ul>
</div>"""

ITEM = """<li id="{{ dom_id }}"><span>{{ item.text }}</span>
  <button cf-click="remove" cf-payload='{"id": {{ item.id|tojson }}}'>remove</button></li>"""

HISTORY = """<div>
  <div style="height: 2000px" data-testid="spacer"></div>
  {% if state.oldest > 1 %}<p cf-visible="older" data-testid="older">older...</p>{% endif %}
  <ol cf-stream="posts" data-testid="posts">{{ streams.posts }}</ol>
  {% if state.newest < 100 %}<p cf-visible="newer" data-testid="newer">newer...</p>{% endif %}
</div>"""

POST = '<li id="{{ dom_id }}" style="height: 60px">post {{ item }}</li>'

PREVIEW = """<div>
  <button cf-click="share" data-testid="share">Share</button>
  <button cf-click="share" cf-payload='{"url": "broken"}' data-testid="break">Break</button>
  <button cf-click="wait" data-testid="wait">Wait</button>
  <p data-testid="shared">shared={{ state.shared }}</p>
  <p data-testid="preview">{{ state.title or "no preview" }}</p>
  <p data-testid="problem">{{ state.problem }}</p>
</div>"""

PAGE = """<!doctype html><html><body>
{{ component(name) }}{{ cf_scripts() }}
</body></html>"""

registry = ComponentRegistry()
_ids = itertools.count(100)


@registry.register("feed")
class Feed(Component):
    """Three items at first, at most five on the page."""

    template_name = "feed.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"feed.html": FEED, "item.html": ITEM}))
    streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html", limit=5)}
    live: ClassVar[bool] = True

    def mount(self) -> None:
        super().mount()
        self.state["renders"] = 0
        self.stream_extend("items", [{"id": n, "text": f"item {n}"} for n in (1, 2, 3)])

    def on_bump(self) -> None:
        self.state["renders"] += 1

    def on_add(self, form_data: dict[str, str]) -> None:
        self.stream_insert("items", {"id": next(_ids), "text": form_data.get("text", "")})

    def on_prepend(self) -> None:
        self.stream_insert("items", {"id": next(_ids), "text": "on top"}, at=0)

    def on_edit(self, id: int, text: str) -> None:
        self.stream_update("items", {"id": id, "text": text})

    def on_remove(self, id: int) -> None:
        self.stream_delete("items", id)

    def on_search(self) -> None:
        self.stream_reset("items", [{"id": "found", "text": "the one result"}])

    def on_ghost(self) -> None:
        self.stream_update("items", {"id": "gone", "text": "never shown"})

    def on_announce(self) -> None:
        ws_manager.stream("feed", "items").insert({"id": next(_ids), "text": "for everyone"})


@registry.register("held_feed")
class HeldFeed(Feed):
    """The same feed with its state on the server."""

    state_store = InMemoryStateStore()


@registry.register("history")
class History(Component):
    """Infinite scroll both ways: posts 41-50 first, ten more as either end comes into view;
    the state keeps only the ids at both ends, the page at most 25 posts."""

    template_name = "history.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"history.html": HISTORY, "post.html": POST}))
    streams: ClassVar[dict[str, Stream]] = {"posts": Stream("post.html", limit=25)}

    def mount(self) -> None:
        super().mount()
        self.state.update(oldest=41, newest=50)
        self.stream_extend("posts", range(41, 51))

    def on_older(self) -> None:
        first = max(1, self.state["oldest"] - 10)
        for n in reversed(range(first, self.state["oldest"])):
            self.stream_insert("posts", n, at=0)
        self.state["oldest"] = first

    def on_newer(self) -> None:
        last = min(100, self.state["newest"] + 10)
        self.stream_extend("posts", range(self.state["newest"] + 1, last + 1))
        self.state["newest"] = last


async def fetch_preview(url: str) -> dict[str, str]:
    """A slow link preview (a real app fetches the page)."""
    await asyncio.sleep(0.2)
    if url == "broken":
        raise ConnectionError("upstream said: internal detail")
    return {"title": f"A page at {url}"}


@registry.register("preview")
class Preview(Component):
    """A link preview fetched in the background; ``shared`` counts the shares."""

    template_name = "preview.html"
    renderer = JinjaRenderer(loader=jinja2.DictLoader({"preview.html": PREVIEW}))
    live: ClassVar[bool] = True

    def mount(self) -> None:
        super().mount()
        self.state.update(shared=0, title="", problem="")

    def on_share(self, url: str = "https://example.com/a") -> None:
        self.state["shared"] += 1
        self.start_task(fetch_preview, url, event="preview_ready")

    def on_wait(self) -> None:
        self.start_task(asyncio.sleep, 30, event="preview_ready", timeout=0.3)

    def on_preview_ready(self, result: dict[str, str] | None) -> None:
        self.state["title"] = (result or {}).get("title", "")

    def on_preview_ready_error(self, error: str) -> None:
        self.state["problem"] = f"The preview could not be fetched ({error})."


@registry.register("preview_ws")
class PreviewOverSocket(Preview):
    """The same, its events over the socket (the server runs the result's event)."""

    transport = "ws"


components = ComponentApp(registry=registry)
environment = components.install_jinja(jinja2.Environment(autoescape=True))


async def feed_page(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(PAGE).render(name="feed"))


async def held_page(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(PAGE).render(name="held_feed"))


async def preview_page(request: Request) -> HTMLResponse:
    name = "preview_ws" if request.url.path.endswith("-ws") else "preview"
    return HTMLResponse(environment.from_string(PAGE).render(name=name))


async def history_page(request: Request) -> HTMLResponse:
    return HTMLResponse(environment.from_string(PAGE).render(name="history"))


app = Starlette(
    routes=[
        Route("/", feed_page),
        Route("/held", held_page),
        Route("/history", history_page),
        Route("/preview", preview_page),
        Route("/preview-ws", preview_page),
        components.mount(),
    ]
)
