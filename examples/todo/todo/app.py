"""The Todo web app: the page at /, and the component endpoints under /cf.

Run it with: uvicorn todo.app:app --reload
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
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

# DEBUG=0 in production: the app then refuses to start without CF_SECRET_KEY. In development
# (the default) a missing key means the project's development key, kept in .cf/secret-key.
DEBUG = os.environ.get("DEBUG", "1") != "0"

# [tool.cf] in pyproject.toml, read as cf reads it: the template folders, then every component.
project = load_project(__file__)
renderer = JinjaRenderer(project.templates, auto_reload=DEBUG)
set_default_renderer(renderer)
project.import_components()

try:
    components = ComponentApp(debug=DEBUG)
except ConfigurationError as error:  # DEBUG=0 and no CF_SECRET_KEY: say so in one line
    raise SystemExit(f"Error: {error}") from None
components.install_jinja(renderer)  # {{ component("name", ...) }} and {{ cf_scripts() }}
templates = Jinja2Templates(env=renderer.environment)


async def home(request: Request) -> Response:
    return templates.TemplateResponse(request, "index.html")


static = StaticFiles(directory=Path(__file__).parent / "static")  # app.css, images
app = Starlette(
    debug=DEBUG,
    routes=[Route("/", home), Mount("/static", static, name="static"), components.mount()],
)
