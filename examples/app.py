"""The example app: every kind of component in one page, served by uvicorn.

Run it from the repository root::

    python -m examples.app            # http://127.0.0.1:8000
    python -m examples.app --port 9000

Without ``CF_SECRET_KEY`` it runs in debug mode with the repository's development key
(``.cf/secret-key``, so open pages survive a restart); set ``CF_SECRET_KEY`` to run it as in
production.
"""

from __future__ import annotations

import argparse
import inspect
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from component_framework.core import registry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.web import ComponentApp

from . import components as components  # registers the example components
from . import interactivity  # and those of the second page

TEMPLATES = Path(__file__).parent / "templates"

renderer = JinjaRenderer([TEMPLATES, interactivity.TEMPLATES])
set_default_renderer(renderer)
cf = ComponentApp(debug="CF_SECRET_KEY" not in os.environ)
cf.install_jinja(renderer)  # component templates may nest components too
templates = Jinja2Templates(env=renderer.environment)


# What the page shows: (section id, title, component name, mount parameters), in order.
DEMOS = [
    ("counter", "Counter (optimistic)", "counter", {"start": 3}),
    ("signup", "Validated form", "signup", {}),
    ("progress", "Streaming", "progress", {}),
    ("todo", "Key filters and change events", "todo", {}),
    ("live", "Live board (server push to every open page)", "live_board", {}),
    ("card", "Composed card (slots)", "profile_card", {"title": "Ada Lovelace", "followers": 42}),
]
# The second page, /interactivity: feedback, confirmations, more events, transitions.
INTERACTIVITY = [
    ("note", "Loading states, confirmation, unsaved changes", "note_editor", {}),
    ("dialog", "Escape and click-away", "rename_dialog", {}),
    ("feed", "Infinite scroll (cf-visible)", "feed", {}),
    ("tasks", "Transitions and optimistic classes", "tasks", {}),
    ("chart", "A hook fed by browser events", "bar_chart", {}),
    ("shop", "Events between components: products", "product_list", {}),
    ("cart", "Events between components: the cart", "cart", {}),
    ("search", "Two-way binding on any component", "city_search", {}),
]


def _code(name: str) -> dict[str, str]:
    """The component's Python class and its template, shown beside its demo."""
    cls = registry[name]
    template = renderer.environment.loader.get_source(  # type: ignore[union-attr]
        renderer.environment, cls.template_name or ""
    )[0]
    return {"python": inspect.getsource(cls), "template": template.rstrip()}


CODE = {name: _code(name) for _, _, name, _ in DEMOS + INTERACTIVITY}


def home(request: Request) -> Response:
    # A sync endpoint (run in a worker thread): the components' mounts read their stores.
    return templates.TemplateResponse(request, "index.html", {"demos": DEMOS, "code": CODE})


async def interactivity_page(request: Request) -> Response:
    # The bar chart's hook (cf-hooks.js runs it: the page's own JavaScript, loaded after cf.js)
    # and the task list's transitions (cf-transitions.js).
    context = {
        "demos": INTERACTIVITY,
        "code": CODE,
        "features": ["hooks", "transitions"],
        "scripts": ["/static/bars.js"],
    }
    return templates.TemplateResponse(request, "index.html", context)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/interactivity", interactivity_page),
        Mount("/static", StaticFiles(directory=interactivity.STATIC)),
        cf.mount(),
    ]
)


def main() -> None:
    """Serve the example app with uvicorn."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if "CF_SECRET_KEY" not in os.environ:
        print("CF_SECRET_KEY is not set: debug mode, signing with the key in .cf/secret-key.")
    print(f"component_framework examples on http://{args.host}:{args.port}/")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
