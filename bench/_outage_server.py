"""The server of ``broker_outage.py``: one ComponentApp with a live board, pushes through Redis.

``board`` is a live component showing the server's counter; its ``resync_event`` reads the
counter again, as a page that missed pushes must. ``POST /bump`` counts up and pushes the new
state to every board; ``POST /noise?size=N`` pushes a state of N bytes to ``ticker``, which no
page watches (while the broker is down such pushes only fill the backlog). ``GET /stats`` gives
the process's resident memory, and the times (``time.monotonic``) at which resync events
arrived (``?clear=1`` forgets them).

Run: CF_BROKER_URL=redis://... uvicorn _outage_server:app --port N
"""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.renderer import Renderer
from component_framework.web import ComponentApp

COUNTER = {"n": 0}
RESYNCS: list[float] = []


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
        RESYNCS.append(time.monotonic())
        self.state["n"] = COUNTER["n"]


@registry.register("ticker")
class Ticker(Component):
    template_name = "ticker.html"
    renderer = _Plain()
    live = True


components = ComponentApp(registry=registry)


async def bump(request: Request) -> JSONResponse:
    COUNTER["n"] += 1
    await components.push_state("board", {"n": COUNTER["n"]})
    return JSONResponse(COUNTER)


async def noise(request: Request) -> JSONResponse:
    size = int(request.query_params.get("size", "1000"))
    await components.push_state("ticker", {"n": 0, "text": "x" * size})
    return JSONResponse({"size": size})


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def stats(request: Request) -> JSONResponse:
    times = list(RESYNCS)
    if request.query_params.get("clear"):
        RESYNCS.clear()
    return JSONResponse(
        {"rss": _rss(), "resyncs": times, "n": COUNTER["n"], "now": time.monotonic()}
    )


app = Starlette(
    routes=[
        Route("/bump", bump, methods=["POST"]),
        Route("/noise", noise, methods=["POST"]),
        Route("/stats", stats),
        components.mount(),
    ]
)
