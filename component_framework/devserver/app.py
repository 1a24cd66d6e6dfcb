"""``create_dev_app``: the Starlette app behind ``cf dev``.

It mounts the real web transport (``ComponentApp``) under ``/cf`` and adds the dev pages:

- ``GET /``: the gallery: every component with a live preview of each story (see ``_pages``).
- ``GET /components/<name>?story=&params=&state=&viewport=&theme=``: the playground of one
  story, in an isolated frame with the app's CSS, with the state inspector, the event panel,
  the event log (step back and forward, fork, replay, export as a test).
- ``GET /__cf__/frame/<name>``, ``/__cf__/previews``, ``/__cf__/project/<path>``: see ``_pages``.
- ``POST /__cf__/export``: writes the session as a pytest file into the project's tests.
- ``GET /__cf__/live``: the live-reload channel (Server-Sent Events).
- ``POST /__cf__/render``: dev-only; renders a component with a state or mount params the
  developer typed, signing that state (the dev server trusts its developer; the public
  ``/cf/event`` endpoint never does).
- ``POST /__cf__/state``: dev-only; the state a server-held component keeps in its store
  (the page holds only a reference), for the state inspector.
- ``GET /__cf__/components``: the gallery's data as JSON.
- ``GET /__cf__/status``: the reload version and the current errors, as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from component_framework._editor import configured, editor_url
from component_framework._logs import WarningLines
from component_framework.core._http import NO_STORE as _NO_STORE
from component_framework.core.protocol import render_component
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

from . import _pages
from ._actions import export, held_state, open_file, render
from ._assets import watch_styles
from ._channel import LiveChannel
from ._console import print_error, print_recovered
from ._docs import component_docs
from ._errors import DevError
from ._inspect import describe_component
from ._recorder import EventRecorder
from ._reloader import DevReloader, ErrorLogHandler
from ._same_site import SameSiteOnly
from ._signing import dev_signer
from ._stories import StoryError, stories_of

__all__ = ["DevProject", "DevState", "create_dev_app"]

logger = logging.getLogger("component_framework.devserver")

DEV_PREFIX = "/__cf__"


class DevProject(Protocol):
    """What the dev server needs of a project (``component_framework.project.Project`` is one)."""

    root: Path
    """The project's folder: on ``sys.path``, and the root of the files the pages may show."""
    components: list[str]
    """Modules or packages whose components the gallery shows (imported, and watched)."""
    templates: list[Path]
    """Template folders: the default renderer's search path (watched)."""
    styles: list[Path]
    """The app's stylesheets, loaded by every preview (watched)."""
    editor: str | None
    """What file:line links open (``vscode``, ``pycharm``, a URL pattern; None: CF_EDITOR)."""
    users: str | None
    """``module:function`` finding the user of a name, for stories run as a user."""
    django_settings: str | None
    """The Django settings module of a Django project (stories then find Django's users)."""

    def setup_framework(self) -> None:
        """Set up the project's web framework before its components import (Django)."""

    def watched_sources(self) -> tuple[list[str], list[Path]]:
        """The component modules and template folders to reload (a Django project: its apps')."""

    def install_renderer(self) -> None:
        """Make the template folders the default renderer's search path."""


@dataclass
class DevState:
    """Everything the dev app shares between requests: ``app.state.dev``."""

    project: DevProject
    registry: ComponentRegistry
    channel: LiveChannel
    reloader: DevReloader
    components: ComponentApp
    reload: bool
    pages: jinja2.Environment

    def hello(self) -> dict[str, Any]:
        """The first message of every live connection: what is broken right now."""
        return {
            "version": self.reloader.version,
            "errors": [e.to_json() for e in self.reloader.errors],
            "reload": self.reload,
        }


def create_dev_app(
    project: DevProject,
    *,
    registry: ComponentRegistry = default_registry,
    reload: bool = True,
    prefix: str = "/cf",
    report: Callable[[DevError], None] | None = print_error,
    step_ms: int = 20,
    allowed_hosts: Sequence[str] | None = None,
) -> Starlette:
    """Return the dev server's Starlette app for *project*.

    Imports the project's components (errors become overlay messages, not crashes), makes the
    project's template folders the default renderer's search path, and, with *reload*, watches
    both while the app runs (started by the app's lifespan).

    Args:
        project: A ``component_framework.project.Project`` (or anything with ``root``,
            ``components`` and ``templates``).
        registry: The registry the components register into.
        reload: Watch the files and reload in process.
        prefix: Where the web transport is mounted.
        report: Prints each new error in the terminal (None: silent).
        step_ms: How long a burst of saves may take to settle before a reload.
        allowed_hosts: ``Host`` headers served (None: any). ``run`` passes the loopback
            names, so a web page cannot reach the dev server by DNS rebinding.
    """
    signer: Signer = dev_signer()
    root = str(Path(project.root).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    project.setup_framework()  # a Django project: django.setup() before its components import
    _install_renderer(project)
    channel = LiveChannel()
    modules, template_dirs = project.watched_sources()
    reloader = DevReloader(
        modules,
        template_dirs,
        channel,
        registry=registry,
        report=report or (lambda error: None),
        announce=_announce if report is not None else None,
        step_ms=step_ms,
    )
    reloader.load()
    components = ComponentApp(prefix=prefix, registry=registry, signer=signer, debug=True)
    _install_globals(components)
    pages = jinja2.Environment(
        loader=jinja2.PackageLoader("component_framework.devserver", "templates"),
        autoescape=True,
    )
    pages.globals["cf_scripts"] = components.templates.cf_scripts
    # A preview's flash messages show where the app's would (no "place cf_flash()" warning).
    pages.globals["cf_flash"] = components.templates.cf_flash
    pages.globals["dev_prefix"] = DEV_PREFIX
    pages.globals["editor_url"] = editor_url(configured(project.editor))
    pages.filters["tojson_attr"] = lambda value: json.dumps(value, separators=(",", ":"))
    state = DevState(project, registry, channel, reloader, components, reload, pages)
    channel.hello = state.hello

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        channel.bind(asyncio.get_running_loop())
        # Errors of the user's code go to the overlay and, once, to the terminal as a rich
        # message; warnings stay one line. Nothing is printed twice through the root logger.
        core_logger = logging.getLogger("component_framework")
        handlers = [
            ErrorLogHandler(channel, report or (lambda e: None), [Path(root)], registry),
            WarningLines(),
        ]
        propagate = core_logger.propagate
        core_logger.propagate = False
        for handler in handlers:
            core_logger.addHandler(handler)
        stop = asyncio.Event()
        tasks = []
        if reload:
            tasks.append(asyncio.create_task(reloader.watch(stop)))
            watching = watch_styles(Path(root), list(project.styles), channel, stop)
            tasks.append(asyncio.create_task(watching))
        try:
            yield
        finally:
            stop.set()
            channel.close()
            for handler in handlers:
                core_logger.removeHandler(handler)
            core_logger.propagate = propagate
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 2)

    routes = [
        Route("/", _pages.gallery, name="gallery"),
        Route("/components/{name}", _playground, name="playground"),
        Route(f"{DEV_PREFIX}/frame/{{name}}", _pages.frame, name="frame"),
        Route(f"{DEV_PREFIX}/previews", _pages.previews, name="previews"),
        Route(f"{DEV_PREFIX}/project/{{path:path}}", _pages.project_file, name="project"),
        Route(f"{DEV_PREFIX}/export", export, methods=["POST"], name="export"),
        Route(f"{DEV_PREFIX}/open", open_file, methods=["POST"], name="open"),
        Route(f"{DEV_PREFIX}/live", _live, name="live"),
        Route(f"{DEV_PREFIX}/components", _components_json, name="components"),
        Route(f"{DEV_PREFIX}/status", _status, name="status"),
        Route(f"{DEV_PREFIX}/render", render, methods=["POST"], name="render"),
        Route(f"{DEV_PREFIX}/state", held_state, methods=["POST"], name="held_state"),
        Route(f"{DEV_PREFIX}/static/{{file}}", _static, name="static"),
        Mount(prefix, app=EventRecorder(components, channel, registry), name="cf"),
    ]
    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    # Cross-site pages must not run component code (mount params are trusted input), nor read
    # a server-held state.
    guarded = (
        "/components/",
        f"{DEV_PREFIX}/render",
        f"{DEV_PREFIX}/state",
        f"{DEV_PREFIX}/frame/",
        f"{DEV_PREFIX}/previews",
        f"{DEV_PREFIX}/export",
        f"{DEV_PREFIX}/open",
        f"{prefix}/",
    )
    middleware.append(Middleware(SameSiteOnly, guarded=guarded))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.dev = state
    app.state.components = components
    return app


def _announce(message: dict[str, Any]) -> None:
    files = [Path(f).name for f in message["files"]]
    print_recovered(message["kind"], files, message["reload_ms"])


def _install_renderer(project: DevProject) -> None:
    from component_framework.core.renderer import get_default_renderer

    project.install_renderer()
    # A typo such as {{ state.cnt }} is an error shown in the page, not empty text, in every
    # template language (Jinja2, Django templates, JinjaX).
    renderer = get_default_renderer()
    if renderer is not None:
        renderer.strict = True


def _install_globals(components: ComponentApp) -> None:
    # Nested components in the user's templates: {{ component("child") }} works in the dev
    # server as it does in the user's app.
    from component_framework.core.jinja import JinjaRenderer
    from component_framework.core.renderer import get_default_renderer

    renderer = get_default_renderer()
    if isinstance(renderer, JinjaRenderer):
        components.install_jinja(renderer)


def _dev(request: Request) -> DevState:
    state: DevState = request.app.state.dev
    return state


# ---------- Pages ----------


async def _playground(request: Request) -> Response:
    dev = _dev(request)
    name = request.path_params["name"]
    cls = dev.registry.get(name)
    if cls is None:
        template = dev.pages.get_template("not_found.html")
        message = dev.registry.not_found_message(name)
        html = template.render(message=message, hello=dev.hello())
        return HTMLResponse(html, status_code=404, headers=_NO_STORE)
    info = describe_component(name, cls)
    story, story_error = _pages.story_request(request, name, cls)
    try:
        stories = [s.to_json() for s in stories_of(name, cls)]
    except StoryError:
        stories = []
    docs = await asyncio.to_thread(_docs, dev, name, cls, story)
    query = request.query_params
    viewport = query.get("viewport", "desktop")
    theme = query.get("theme", "light")
    template = dev.pages.get_template("playground.html")
    html = template.render(
        info=info.to_json(),
        story=story.to_json(),
        stories=stories,
        story_error=story_error,
        docs=docs,
        frame_src=f"{DEV_PREFIX}/frame/{name}?{request.url.query}",
        viewport=viewport,
        theme=theme if theme in ("light", "dark") else "light",
        prefix=dev.components.prefix,
        hello=dev.hello(),
    )
    return HTMLResponse(html, headers=_NO_STORE)


def _docs(dev: DevState, name: str, cls: Any, story: Any) -> dict[str, Any]:
    """The docs tab; the state keys come from rendering *story* (none if it fails)."""
    try:
        reply = render_component(
            name, None, params=story.params, registry=dev.registry, signer=dev.components.signer
        )
        state = {**json.loads(reply["state"]), **(story.state or {})}
    except Exception:  # the preview shows the error; the docs still describe the class
        state = None
    return component_docs(name, cls, state)


async def _components_json(request: Request) -> Response:
    dev = _dev(request)
    items = []
    for name, cls in sorted(dev.registry.items()):
        try:
            item = describe_component(name, cls).to_json()
            item["stories"] = [s.to_json() for s in stories_of(name, cls)]
        except Exception as exc:  # introspection must never take the gallery down
            item = {"name": name, "class": repr(cls), "kind": "?", "error": str(exc)}
        items.append(item)
    return JSONResponse(items, headers=_NO_STORE)


async def _status(request: Request) -> Response:
    """The reload version and what is broken now (for tools and tests)."""
    return JSONResponse(_dev(request).hello(), headers=_NO_STORE)


async def _live(request: Request) -> Response:
    dev = _dev(request)
    headers = {**_NO_STORE, "X-Accel-Buffering": "no"}
    return StreamingResponse(dev.channel.stream(), media_type="text/event-stream", headers=headers)


_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


async def _static(request: Request) -> Response:
    file = request.path_params["file"]
    suffix = Path(file).suffix
    if "/" in file or suffix not in _STATIC_TYPES:
        return Response("Not found", status_code=404)
    try:
        data = resources.files("component_framework.devserver").joinpath("static", file)
        body = data.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return Response("Not found", status_code=404)
    return Response(body, media_type=_STATIC_TYPES[suffix], headers=_NO_STORE)
