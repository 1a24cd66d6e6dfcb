"""The back office: the product pages, and the component endpoints under /cf.

Run it with: uvicorn admin.app:app --workers 2
"""

from __future__ import annotations

import os
from pathlib import Path

from component_framework.core.exceptions import ConfigurationError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.project import load_project
from component_framework.web import ComponentApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import db, media
from .components.product_form import back_url

# DEBUG=0 in production: the app then refuses to start without CF_SECRET_KEY. Every worker
# must sign with the same key (in development: the project's key, kept in .cf/secret-key).
DEBUG = os.environ.get("DEBUG", "1") != "0"

project = load_project(__file__)
renderer = JinjaRenderer(project.templates, auto_reload=DEBUG)
set_default_renderer(renderer)
project.import_components()
db.init()

try:
    components = ComponentApp(debug=DEBUG)
except ConfigurationError as error:
    raise SystemExit(f"Error: {error}") from None
components.install_jinja(renderer)  # component(...), cf_scripts(), cf_flash()
templates = Jinja2Templates(env=renderer.environment)


async def home(request: Request) -> Response:
    return RedirectResponse("/products", status_code=303)


def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    # Live data: back and forward must not show the browser's cached copy of a page.
    headers = {"Cache-Control": "no-store"}
    return templates.TemplateResponse(request, template, context, status, headers)


async def products(request: Request) -> Response:
    return page(request, "products.html", section="list")


async def new_product(request: Request) -> Response:
    back = back_url(request.query_params.get("back"))
    context = {"section": "new", "heading": "New product", "product_id": None, "back": back}
    return page(request, "product_page.html", **context)


async def edit_product(request: Request) -> Response:
    product_id = request.path_params["product_id"]
    product = db.get(product_id)
    if product is None:
        return page(request, "not_found.html", 404, section="list", product_id=product_id)
    back = back_url(request.query_params.get("back"))
    return page(
        request,
        "product_page.html",
        section="list",
        heading=product.name,
        product_id=product_id,
        back=back,
    )


static = StaticFiles(directory=Path(__file__).parent / "static")
app = Starlette(
    debug=DEBUG,
    routes=[
        Route("/", home),
        Route("/products", products),
        Route("/products/new", new_product),
        Route("/products/{product_id:int}", edit_product),
        Mount("/static", static, name="static"),
        Mount("/media", StaticFiles(directory=media.directory()), name="media"),
        components.mount(),
    ],
)
