"""The chat: sign in by name, then the rooms; the component endpoints under /cf.

Run it with: CF_BROKER_URL=redis://127.0.0.1:6379/0 uvicorn chat.app:app --workers 2
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs

from component_framework.core.exceptions import ConfigurationError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.renderer import set_default_renderer
from component_framework.project import load_project
from component_framework.web import ComponentApp
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import db, media
from .components import room_component
from .users import SignedInByName

# DEBUG=0 in production: the app then refuses to start without CF_SECRET_KEY. Every worker
# must sign with the same key, and reach the same Redis (CF_BROKER_URL) for the pushes.
DEBUG = os.environ.get("DEBUG", "1") != "0"
MAX_NAME = 30
_NAME = re.compile(r"[\w .'-]+")

project = load_project(__file__)
renderer = JinjaRenderer(project.templates, auto_reload=DEBUG)
set_default_renderer(renderer)
project.import_components()
db.init()

try:
    components = ComponentApp(debug=DEBUG)
except ConfigurationError as error:
    raise SystemExit(f"Error: {error}") from None
components.install_jinja(renderer)  # component(...), cf_scripts()
templates = Jinja2Templates(env=renderer.environment)
# The session cookie is signed with the key the components sign with (in development: the
# project's key, which ComponentApp(debug=True) keeps in .cf/secret-key).
SESSION_KEY = os.environ.get("CF_SECRET_KEY") or (project.root / ".cf" / "secret-key").read_text()


def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    user = request.user.display_name if request.user.is_authenticated else None
    context = {"rooms": db.ROOMS, "room": None, "user": user, **context}
    # Live data: back and forward must not show the browser's cached copy of a page.
    headers = {"Cache-Control": "no-store"}
    return templates.TemplateResponse(request, template, context, status, headers)


def _next(value: object) -> str:
    """Where to go after signing in: a room of this site, else #general."""
    if isinstance(value, str) and value.startswith("/rooms/") and value[7:] in db.ROOMS:
        return value
    return "/rooms/general"


async def _form(request: Request) -> dict[str, str]:
    """The sign-in form's fields (urlencoded: no multipart parser needed for one name)."""
    body = await request.body()
    fields = parse_qs(body[:4096].decode("utf-8", "replace"), max_num_fields=10)
    return {key: values[0] for key, values in fields.items()}


async def home(request: Request) -> Response:
    return RedirectResponse("/rooms/general", status_code=303)


def sign_in_page(request: Request, after: object, name: str = "", error: str = "") -> Response:
    context = {"next": _next(after), "name": name, "error": error, "max_name": MAX_NAME}
    return page(request, "sign_in.html", 400 if error else 200, **context)


async def sign_in(request: Request) -> Response:
    if request.method == "GET":
        return sign_in_page(request, request.query_params.get("next"))
    form = await _form(request)
    name = " ".join(form.get("name", "").split())
    error = ""
    if not name:
        error = "Enter a name: it is shown beside your messages."
    elif len(name) > MAX_NAME:
        error = f"Use at most {MAX_NAME} characters."
    elif not _NAME.fullmatch(name):
        error = "Use letters, digits, spaces and . ' _ - only."
    if error:
        return sign_in_page(request, form.get("next"), name, error)
    request.session["name"] = name
    return RedirectResponse(_next(form.get("next")), status_code=303)


async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


async def room(request: Request) -> Response:
    slug = request.path_params["room"]
    if not request.user.is_authenticated:
        return RedirectResponse(f"/sign-in?next=/rooms/{slug}", status_code=303)
    if slug not in db.ROOMS:
        return page(request, "not_found.html", 404, room=slug)
    return page(request, "room_page.html", room=slug, room_component=room_component(slug))


async def attachment(request: Request) -> Response:
    """A file sent with a message: for people who signed in only."""
    if not request.user.is_authenticated:
        return PlainTextResponse("Sign in to see attachments.", status_code=403)
    found = media.path(request.path_params["stored"])
    if found is None:
        return PlainTextResponse("There is no such attachment.", status_code=404)
    # Its type was read from its bytes when it arrived; the browser must not guess another.
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"}
    return FileResponse(found, headers=headers)


static = StaticFiles(directory=Path(__file__).parent / "static")
app = Starlette(
    debug=DEBUG,
    routes=[
        Route("/", home),
        Route("/sign-in", sign_in, methods=["GET", "POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
        Route("/rooms/{room}", room),
        Route("/attachments/{stored}", attachment),
        Mount("/static", static, name="static"),
        components.mount(),
    ],
    middleware=[
        Middleware(SessionMiddleware, secret_key=SESSION_KEY, same_site="lax"),
        Middleware(AuthenticationMiddleware, backend=SignedInByName()),
    ],
)
