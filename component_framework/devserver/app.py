"""``create_dev_app``: the Starlette app behind ``cf dev``.

It mounts the real web transport (``ComponentApp``) under ``/cf`` and adds the dev pages:

- ``GET /``: the gallery of every registered component (search, kind, events).
- ``GET /components/<name>``: the playground of one component, rendered live through the
  transport, with the state inspector, the event panel, the event log and replay.
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

from component_framework._logs import WarningLines
from component_framework.core.exceptions import ComponentError
from component_framework.core.protocol import handle_message, http_status, signed_message
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp
from component_framework.web._encoding import NO_STORE as _NO_STORE

from ._channel import LiveChannel
from ._console import print_error, print_recovered
from ._errors import DevError, describe_error
from ._inspect import describe_component
from ._recorder import EventRecorder
from ._reloader import DevReloader, ErrorLogHandler
from ._same_site import SameSiteOnly
from ._signing import dev_signer

__all__ = ["DevProject", "DevState", "create_dev_app"]

logger = logging.getLogger("component_framework.devserver")

DEV_PREFIX = "/__cf__"
DEV_HEADER = "x-cf-dev"


class DevProject(Protocol):
    """What the dev server needs of a project (``component_framework.project.Project``)."""

    root: Path
    components: list[str]
    templates: list[Path]


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
    setup_framework = getattr(project, "setup_framework", None)
    if callable(setup_framework):
        setup_framework()  # a Django project: django.setup() before its components import
    _install_renderer(project)
    channel = LiveChannel()
    reloader = DevReloader(
        project.components,
        project.templates,
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
    pages.globals["dev_prefix"] = DEV_PREFIX
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
            ErrorLogHandler(channel, report or (lambda e: None), [Path(root)]),
            WarningLines(),
        ]
        propagate = core_logger.propagate
        core_logger.propagate = False
        for handler in handlers:
            core_logger.addHandler(handler)
        stop = asyncio.Event()
        task = asyncio.create_task(reloader.watch(stop)) if reload else None
        try:
            yield
        finally:
            stop.set()
            channel.close()
            for handler in handlers:
                core_logger.removeHandler(handler)
            core_logger.propagate = propagate
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 2)

    routes = [
        Route("/", _gallery, name="gallery"),
        Route("/components/{name}", _playground, name="playground"),
        Route(f"{DEV_PREFIX}/live", _live, name="live"),
        Route(f"{DEV_PREFIX}/components", _components_json, name="components"),
        Route(f"{DEV_PREFIX}/status", _status, name="status"),
        Route(f"{DEV_PREFIX}/render", _render, methods=["POST"], name="render"),
        Route(f"{DEV_PREFIX}/state", _held_state, methods=["POST"], name="held_state"),
        Route(f"{DEV_PREFIX}/static/{{file}}", _static, name="static"),
        Mount(prefix, app=EventRecorder(components, channel, registry), name="cf"),
    ]
    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    # Cross-site pages must not run component code (mount params are trusted input), nor read
    # a server-held state.
    guarded = ("/components/", f"{DEV_PREFIX}/render", f"{DEV_PREFIX}/state", f"{prefix}/")
    middleware.append(Middleware(SameSiteOnly, guarded=guarded))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.dev = state
    app.state.components = components
    return app


def _announce(message: dict[str, Any]) -> None:
    files = [Path(f).name for f in message["files"]]
    print_recovered(message["kind"], files, message["reload_ms"])


def _install_renderer(project: DevProject) -> None:
    install = getattr(project, "install_renderer", None)
    if callable(install):
        install()
        return
    from component_framework.core.jinja import JinjaRenderer
    from component_framework.core.renderer import set_default_renderer

    if project.templates:
        set_default_renderer(JinjaRenderer(project.templates))


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


def _catalogue(dev: DevState) -> list[dict[str, Any]]:
    items = []
    for name, cls in sorted(dev.registry.items()):
        try:
            items.append(describe_component(name, cls).to_json())
        except Exception as exc:  # introspection must never take the gallery down
            items.append({"name": name, "class": repr(cls), "kind": "?", "error": str(exc)})
    return items


async def _gallery(request: Request) -> Response:
    dev = _dev(request)
    template = dev.pages.get_template("gallery.html")
    html = template.render(
        components=_catalogue(dev),
        errors=[e.to_json() for e in dev.reloader.errors],
        query=request.query_params.get("q", ""),
        hello=dev.hello(),
    )
    return HTMLResponse(html, headers=_NO_STORE)


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
    params, params_error = _params(request)
    rendered = ""
    render_error: dict[str, Any] | None = None
    if params_error is None:
        try:
            rendered = await asyncio.to_thread(
                dev.components.render, name, request, **(params or {})
            )
        except Exception as exc:
            error = describe_error(exc, [dev.project.root])
            render_error = error.to_json()
    template = dev.pages.get_template("playground.html")
    html = template.render(
        info=info.to_json(),
        rendered=rendered,
        render_error=render_error,
        params=params or {},
        params_error=params_error,
        prefix=dev.components.prefix,
        hello=dev.hello(),
    )
    return HTMLResponse(html, headers=_NO_STORE)


def _params(request: Request) -> tuple[dict[str, Any] | None, str | None]:
    raw = request.query_params.get("params")
    if not raw:
        return {}, None
    try:
        params = json.loads(raw)
    except ValueError as exc:
        return None, f"Mount params are not valid JSON: {exc}"
    if not isinstance(params, dict):
        return None, f"Mount params must be a JSON object, got {type(params).__name__}."
    return params, None


async def _components_json(request: Request) -> Response:
    return JSONResponse(_catalogue(_dev(request)), headers=_NO_STORE)


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


# ---------- The dev-only render endpoint ----------


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"type": "error", "error": message, "code": "bad_request"}, status)


async def _held_state(request: Request) -> Response:
    """Return the state a server-held component keeps in its store (dev server only)."""
    from component_framework.core._held_state import store_for

    if not request.headers.get(DEV_HEADER):
        return _refuse(400, "Send JSON with the X-CF-Dev header (the playground does).")
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        return _refuse(400, f"Body is not valid JSON: {exc}")
    name = body.get("component") if isinstance(body, dict) else None
    component_id = body.get("component_id") if isinstance(body, dict) else None
    if not isinstance(name, str) or not isinstance(component_id, str):
        return _refuse(400, "'component' and 'component_id' must be strings.")
    component_cls = _dev(request).registry.get(name)
    store = store_for(component_cls) if component_cls is not None else None
    if store is None:
        return _refuse(400, f"Component {name!r} keeps its state in the page.")
    state = await store.aload(component_id)
    return JSONResponse({"type": "state", "state": state}, headers=_NO_STORE)


async def _render(request: Request) -> Response:
    """Render a component with a developer-supplied state or mount params (dev server only)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" or not request.headers.get(DEV_HEADER):
        # A cross-site page can send neither without a CORS preflight this server never grants.
        return _refuse(400, "Send JSON with the X-CF-Dev header (the playground does).")
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        return _refuse(400, f"Body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return _refuse(400, "Body must be a JSON object.")
    name = body.get("component")
    component_id = body.get("component_id")
    state = body.get("state")
    params = body.get("params") or {}
    if not isinstance(name, str) or not isinstance(params, dict):
        return _refuse(400, "'component' must be a string and 'params' an object.")
    if state is not None and not isinstance(state, dict):
        return _refuse(400, f"State must be a JSON object, got {type(state).__name__}.")
    if component_id is not None and not isinstance(component_id, str):
        return _refuse(400, "'component_id' must be a string.")
    dev = _dev(request)
    try:
        if state is not None:
            message = signed_message(
                name,
                None,
                None,
                state,
                component_id=component_id or "component-dev",
                signer=dev.components.signer,
                registry=dev.registry,  # a server-held state is stored, the page gets a reference
            )
        else:
            message = {"type": "component_event", "component": name, "component_id": component_id}
    except (ComponentError, TypeError, ValueError) as exc:
        return _refuse(400, f"State cannot be signed: {exc}")
    reply = await handle_message(
        message,
        request,
        registry=dev.registry,
        signer=dev.components.signer,
        params=params,
    )
    return JSONResponse(reply, status_code=http_status(reply), headers=_NO_STORE)
