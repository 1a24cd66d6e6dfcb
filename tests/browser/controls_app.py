"""A small live app for the browser tests of form controls, offline marking and the script tag.

Served by uvicorn (``--app-dir tests/browser controls_app:app``). Its state is shared by every
page, as a live todo app's would be: each change is pushed to every open page with the public
``ws_manager.push_state`` API. Components are mounted under ``/live`` so the tests can tell
``data-cf-base`` from the default ``/cf``.
"""

from __future__ import annotations

import copy
import html
import threading
from collections.abc import AsyncIterator
from typing import Any, ClassVar, Literal

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from component_framework.core import Component, StreamingComponent, registry, ws_manager
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.web import ComponentApp

TEMPLATES = {
    "checklist.html": """<div class="checklist">
  <ul data-testid="items">{% for item in state["items"] %}
    <li id="item-{{ loop.index0 }}" class="{{ 'done' if item.done else 'open' }}"><label>
      <input type="checkbox" cf-change="toggle" cf-payload='{"index": {{ loop.index0 }}}'
             {%- if item.done %} checked{% endif %}> {{ item.text }}</label></li>{% endfor %}
  </ul>
  <label>Note <input name="note" value="{{ state.note }}" cf-keydown.enter="save_note"></label>
  <p data-testid="saved-note">{{ state.note }}</p>
  <label>Colour <select name="colour" cf-change="colour">{% for c in ["red", "green", "blue"] %}
    <option value="{{ c }}"{% if state.colour == c %} selected{% endif %}>{{ c }}</option>
  {%- endfor %}</select></label>
  <label>Size {% for s in ["small", "large"] %}<input type="radio" name="size"
    value="{{ s }}" aria-label="{{ s }}" cf-change="size"
    {%- if state.size == s %} checked{% endif %}>{% endfor %}</label>
  <label>Comment <textarea name="comment" cf-change="comment">{{ state.comment }}</textarea></label>
</div>""",
    "composer.html": """<div class="composer">
  <ol data-testid="messages">{% for text in state.messages %}<li>{{ text }}</li>{% endfor %}</ol>
  <form cf-submit="send">
    <label>Message <input name="text" autocomplete="off" cf-input="typing"></label>
    <button>Send</button>
  </form>
  <p data-testid="keys">{{ state.get("keys", 0) }} keys seen</p>
</div>""",
    "ticker.html": """<div><output data-testid="ticks">{{ state.ticks }}</output>
  <button type="button" cf-click="tick">Tick</button></div>""",
}

INITIAL: dict[str, Any] = {
    "items": [
        {"text": "Milk", "done": False, "locked": False},
        {"text": "Locked chore", "done": False, "locked": True},
    ],
    "note": "",
    "colour": "red",
    "size": "small",
    "comment": "",
    "messages": [],
}
_shared: dict[str, Any] = copy.deepcopy(INITIAL)
_lock = threading.Lock()


def shared() -> dict[str, Any]:
    """A copy of the state every page shares."""
    with _lock:
        return copy.deepcopy(_shared)


async def change(**values: Any) -> None:
    """Change the shared state and push it to every open page."""
    with _lock:
        _shared.update(values)
    await ws_manager.push_state("checklist", {})


@registry.register("checklist")
class Checklist(Component):
    """A shared checklist; the item marked ``locked`` refuses to be toggled."""

    template_name = "checklist.html"
    live: ClassVar[bool] = True

    def before_render(self) -> None:
        self.state.update(shared())

    async def on_toggle(self, index: int, value: bool) -> None:
        items = shared()["items"]
        if 0 <= index < len(items) and not items[index]["locked"]:
            items[index]["done"] = value
            await change(items=items)

    async def on_save_note(self, value: str) -> None:
        await change(note=value[:100])

    async def on_colour(self, value: Literal["red", "green", "blue"]) -> None:
        await change(colour=value)

    async def on_size(self, value: Literal["small", "large"]) -> None:
        await change(size=value)

    async def on_comment(self, value: str) -> None:
        await change(comment=value[:200])


@registry.register("composer")
class Composer(Component):
    """A shared room: a message sent is pushed to every page. ``typing`` counts the keys and
    keeps no text, so the field renders empty: what is typed in it is the page's."""

    template_name = "composer.html"
    live: ClassVar[bool] = True

    def before_render(self) -> None:
        self.state["messages"] = shared()["messages"]

    def on_typing(self, value: str) -> None:
        self.state["keys"] = self.state.get("keys", 0) + 1

    async def on_send(self, form_data: dict[str, str]) -> None:
        text = str(form_data.get("text", "")).strip()
        if text:
            with _lock:
                _shared["messages"] = [*_shared["messages"], text]
            await ws_manager.push_state("composer", {})


@registry.register("ticker")
class Ticker(StreamingComponent):
    """A streaming component: its events go to ``/live/stream``."""

    template_name = "ticker.html"

    def mount(self) -> None:
        super().mount()
        self.state["ticks"] = 0

    async def on_tick(self) -> AsyncIterator[None]:
        self.state["ticks"] += 1
        yield


renderer = JinjaRenderer(loader=jinja2.DictLoader(TEMPLATES))
set_default_renderer(renderer)
cf = ComponentApp(prefix="/live", debug=True)
cf.install_jinja(renderer)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>controls</title></head>
<body>{body}{script}</body></html>"""


async def home(request: Request) -> Response:
    body = cf.render("checklist", request) + cf.render("ticker", request)
    script = '<script src="/live/cf.js" defer></script>'
    return HTMLResponse(PAGE.format(body=body, script=script))


async def compose(request: Request) -> Response:
    script = '<script src="/live/cf.js" defer></script>'
    return HTMLResponse(PAGE.format(body=cf.render("composer", request), script=script))


async def configured(request: Request) -> Response:
    """Roots without data-cf-endpoint; the script tag gives the base and extra headers."""
    body = (cf.render("checklist", request) + cf.render("ticker", request)).replace(
        ' data-cf-endpoint="/live"', ""
    )
    headers = html.escape(request.query_params.get("headers", '{"X-CSRFToken": "token-123"}'))
    script = (
        '<script src="/live/cf.js" data-cf-base="/live" '
        f"data-cf-headers='{headers}' defer></script>"
    )
    return HTMLResponse(PAGE.format(body=body, script=script))


async def reset(request: Request) -> Response:
    with _lock:
        _shared.clear()
        _shared.update(copy.deepcopy(INITIAL))
    return Response(status_code=204)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/compose", compose),
        Route("/configured", configured),
        Route("/reset", reset, methods=["POST"]),
        cf.mount(),
    ]
)
