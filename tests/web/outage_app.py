"""The app of ``test_broker_outage.py``: a live board showing a counter, pushes through Redis.

``POST /bump`` counts up and pushes the new state to every board; a page that missed pushes
re-syncs with ``refresh``, which reads the counter again.

Run: CF_BROKER_URL=redis://... uvicorn tests.web.outage_app:app
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.renderer import Renderer
from component_framework.web import ComponentApp

COUNTER = {"n": 0}


class _Plain(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('n', 0)}</p>"


registry = ComponentRegistry()


@registry.register("board")
class Board(Component):
    template_name = "board.html"
    renderer = _Plain()
    live = True
    resync_event = "refresh"

    def mount(self) -> None:
        super().mount()
        self.state["n"] = COUNTER["n"]

    async def on_refresh(self) -> None:
        self.state["n"] = COUNTER["n"]


components = ComponentApp(registry=registry)


async def bump(request: Request) -> JSONResponse:
    COUNTER["n"] += 1
    await components.push_state("board", {"n": COUNTER["n"]})
    return JSONResponse(COUNTER)


app = Starlette(routes=[Route("/bump", bump, methods=["POST"]), components.mount()])
