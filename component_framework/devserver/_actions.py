"""The dev-only POST endpoints: render a state the developer typed, export a session as a test.

Both take JSON with the ``X-CF-Dev`` header: a cross-site page can send neither without a
CORS preflight this server never grants.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from component_framework._editor import EditorError, configured, open_in_editor
from component_framework.core.exceptions import ComponentError
from component_framework.core.protocol import handle_message, http_status, signed_message

from ._export import ExportError, export_in_fresh_process

if TYPE_CHECKING:
    from .app import DevState

__all__ = ["export", "held_state", "open_file", "render"]

DEV_HEADER = "x-cf-dev"
_NO_STORE = {"Cache-Control": "no-store"}


def _dev(request: Request) -> DevState:
    state: DevState = request.app.state.dev
    return state


def refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"type": "error", "error": message, "code": "bad_request"}, status)


async def dev_json(request: Request) -> dict[str, Any] | JSONResponse:
    """The JSON object body of a dev-only POST, or the refusal to send."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" or not request.headers.get(DEV_HEADER):
        # A cross-site page can send neither without a CORS preflight this server never grants.
        return refuse(400, "Send JSON with the X-CF-Dev header (the playground does).")
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        return refuse(400, f"Body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return refuse(400, "Body must be a JSON object.")
    return body


async def export(request: Request) -> Response:
    """Write the playground's session as a pytest file in the project's tests folder."""
    body = await dev_json(request)
    if isinstance(body, JSONResponse):
        return body
    dev = _dev(request)
    name, params = body.get("component"), body.get("params") or {}
    component_id = body.get("component_id")
    if not isinstance(name, str) or not isinstance(params, dict):
        return refuse(400, "'component' must be a string and 'params' an object.")
    if component_id is not None and not isinstance(component_id, str):
        return refuse(400, "'component_id' must be a string.")
    root = Path(dev.project.root)
    try:
        path = await asyncio.to_thread(
            export_in_fresh_process,
            root,
            list(dev.project.components),
            name,
            params,
            body.get("events"),
            component_id,
        )
    except ExportError as exc:
        return refuse(400, str(exc))
    shown = path.relative_to(root).as_posix()
    return JSONResponse({"path": shown, "command": f"pytest {shown}"}, headers=_NO_STORE)


async def render(request: Request) -> Response:
    """Render a component with a developer-supplied state or mount params (dev server only)."""
    body = await dev_json(request)
    if isinstance(body, JSONResponse):
        return body
    name = body.get("component")
    component_id = body.get("component_id")
    state = body.get("state")
    params = body.get("params") or {}
    if not isinstance(name, str) or not isinstance(params, dict):
        return refuse(400, "'component' must be a string and 'params' an object.")
    if state is not None and not isinstance(state, dict):
        return refuse(400, f"State must be a JSON object, got {type(state).__name__}.")
    if component_id is not None and not isinstance(component_id, str):
        return refuse(400, "'component_id' must be a string.")
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
        return refuse(400, f"State cannot be signed: {exc}")
    reply = await handle_message(
        message,
        request,
        registry=dev.registry,
        signer=dev.components.signer,
        params=params,
    )
    return JSONResponse(reply, status_code=http_status(reply), headers=_NO_STORE)


async def open_file(request: Request) -> Response:
    """Open ``{"file", "line"}`` in the configured editor command (loopback only)."""
    body = await dev_json(request)
    if isinstance(body, JSONResponse):
        return body
    file, line = body.get("file"), body.get("line") or 1
    if not isinstance(file, str) or not isinstance(line, int):
        return refuse(400, "'file' must be a string and 'line' an integer.")
    dev = _dev(request)
    setting = configured(dev.project.editor)
    client = request.client.host if request.client else None
    try:
        open_in_editor(setting, Path(dev.project.root), file, line, client)
    except EditorError as exc:
        return refuse(403, str(exc))
    return JSONResponse({"opened": file, "line": line}, headers=_NO_STORE)


async def held_state(request: Request) -> Response:
    """Return the state a server-held component keeps in its store (dev server only)."""
    from component_framework.core._held_state import key_of, store_for

    body = await dev_json(request)
    if isinstance(body, JSONResponse):
        return body
    name, reference = body.get("component"), body.get("reference")
    if not isinstance(name, str) or not isinstance(reference, str):
        return refuse(
            400, "'component' and 'reference' (the page's data-cf-state) must be strings."
        )
    dev = _dev(request)
    component_cls = dev.registry.get(name)
    store = store_for(component_cls, dev.components.config) if component_cls is not None else None
    if store is None:
        return refuse(400, f"Component {name!r} keeps its state in the page.")
    key = key_of(reference)
    if key is None or not key.startswith(f"{name}:"):
        return refuse(400, f"'reference' is not a reference to a state of {name!r}.")
    state = await store.aload(key)
    return JSONResponse({"type": "state", "state": state}, headers=_NO_STORE)
