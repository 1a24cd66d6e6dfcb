"""The workbench pages: the story gallery, the preview frame and the app's own static files.

- ``GET /``: every component, each with a live preview of each story (a shadow root holding
  the rendered root element and the app's CSS, so the dev pages' styles never reach it).
- ``GET /__cf__/previews?component=NAME``: the previews of some components, re-rendered (the
  gallery asks after a save).
- ``GET /__cf__/frame/NAME?story=&params=&state=&theme=``: one story as a page of its own
  (the app's CSS and cf.js, nothing of the dev server), shown in the playground's iframe.
- ``GET /__cf__/project/PATH``: a file next to one of ``[tool.cf] styles``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from component_framework._dev_users import request_as
from component_framework.core.exceptions import NotAuthenticatedError, PermissionDeniedError
from component_framework.core.permissions import check_permissions

from ._errors import describe_error
from ._inspect import describe_component
from ._preview import render_root, scope_css, served_file, style_urls
from ._stories import DEFAULT_STORY, Story, StoryError, stories_of

if TYPE_CHECKING:
    from .app import DevState

__all__ = ["frame", "gallery", "previews", "project_file", "story_request"]

_NO_STORE = {"Cache-Control": "no-store"}
_THEMES = ("light", "dark")


def _dev(request: Request) -> DevState:
    state: DevState = request.app.state.dev
    return state


def _styles(dev: DevState) -> list[Path]:
    return list(dev.project.styles)


def _render_story(dev: DevState, story: Story, request: Any) -> dict[str, Any]:
    try:
        if story.user is not None:
            request = request_as(dev.project, story.user)
        html = render_root(dev.components, story.component, request, story.params, story.state)
    except Exception as exc:  # a broken story shows its error in its own box
        error = describe_error(exc, [dev.project.root], components=dev.registry)
        return {**story.to_json(), "html": "", "error": error.message, "where": error.location}
    refusal = _refusal(dev, story, request)
    return {**story.to_json(), "html": html, "error": None, "where": "", "refusal": refusal}


def _refusal(dev: DevState, story: Story, request: Any) -> str | None:
    """What refused the preview, for its developer: the class, the missing permissions."""
    cls = dev.registry.get(story.component)
    if cls is None or not cls.permission_classes:
        return None
    try:
        check_permissions(cls, request)
    except (NotAuthenticatedError, PermissionDeniedError) as exc:
        who = f"user {story.user!r}" if story.user else "no user"
        lacks = f", which needs {', '.join(exc.missing)}" if exc.missing else ""
        return (
            f"{exc.refused_by} refused {who}{lacks}. Preview it as a user: a story with "
            '"user": "NAME", or ?user=NAME in the playground.'
        )
    return None


# A class is described once: a Python reload registers new class objects, so a stale entry is
# never looked up again (and goes with its class).
_described: weakref.WeakKeyDictionary[type, dict[str, Any]] = weakref.WeakKeyDictionary()


def _describe(name: str, cls: type) -> dict[str, Any]:
    cached = _described.get(cls)
    if cached is None or cached["name"] != name:
        try:
            cached = describe_component(name, cls).to_json()
            cached["file"], cached["line"] = _source_of(cls)
        except Exception as exc:  # introspection must never take the gallery down
            cached = {"name": name, "class": repr(cls), "kind": "?", "error": str(exc)}
        _described[cls] = cached
    return dict(cached)


def _source_of(cls: type) -> tuple[str, int]:
    try:
        return inspect.getsourcefile(cls) or "", inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return "", 0


def _catalogue(dev: DevState, names: list[str] | None = None) -> list[dict[str, Any]]:
    items = []
    for name, cls in sorted(dev.registry.items()):
        if names is not None and name not in names:
            continue
        item = _describe(name, cls)
        try:
            stories = stories_of(name, cls)
            item["stories"] = [_render_story(dev, story, None) for story in stories]
        except StoryError as exc:
            item["stories"] = []
            item["stories_error"] = str(exc)
        items.append(item)
    return items


async def gallery(request: Request) -> Response:
    """The gallery: every component and a live preview of each of its stories."""
    dev = _dev(request)
    items = await asyncio.to_thread(_catalogue, dev)
    template = dev.pages.get_template("gallery.html")
    html = template.render(
        components=items,
        styles=style_urls(dev.project.root, _styles(dev), scoped=True),
        query=request.query_params.get("q", ""),
        hello=dev.hello(),
        request=request,
    )
    return HTMLResponse(html, headers=_NO_STORE)


async def previews(request: Request) -> Response:
    """``{story id: {"html", "error"}}`` for the components named (all when none)."""
    dev = _dev(request)
    names = request.query_params.getlist("component") or None
    items = await asyncio.to_thread(_catalogue, dev, names)
    result = {
        story["id"]: {"html": story["html"], "error": story["error"]}
        for item in items
        for story in item.get("stories", [])
    }
    return JSONResponse(result, headers=_NO_STORE)


def story_request(request: Request, name: str, cls: Any) -> tuple[Story, str | None]:
    """The story a URL asks for: ``story=`` picks one, ``params=`` / ``state=`` override it.

    Returns the story and an error message (None when the URL is fine).
    """
    query = request.query_params
    wanted = query.get("story") or ""
    try:
        stories = stories_of(name, cls)
    except StoryError as exc:
        return Story(name, DEFAULT_STORY), str(exc)
    story = next((s for s in stories if s.name == wanted), stories[0])
    error = None
    if wanted and story.name != wanted:
        known = ", ".join(s.name for s in stories)
        error = f"No story {wanted!r} for {name}; its stories: {known}."
    params, state = story.params, story.state
    user = query.get("user") or story.user
    for key in ("params", "state"):
        raw = query.get(key)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            return story, f"{key.capitalize()} in the URL is not valid JSON: {exc}"
        if not isinstance(value, dict):
            kind = type(value).__name__
            return story, f"{key.capitalize()} in the URL must be a JSON object, got {kind}."
        if key == "params":
            params = value
        else:
            state = value
    return Story(name, story.name, params, state, story.doc, user), error


async def frame(request: Request) -> Response:
    """One story as a page of its own: the app's CSS, cf.js and the component, nothing else."""
    dev = _dev(request)
    # It signs the state in its URL: like the playground, it is refused to other sites
    # (``SameSiteOnly`` guards its path).
    name = request.path_params["name"]
    cls = dev.registry.get(name)
    if cls is None:
        return HTMLResponse(f"<p>{dev.registry.not_found_message(name)}</p>", 404)
    story, error = story_request(request, name, cls)
    rendered = None if error else await asyncio.to_thread(_render_story, dev, story, request)
    theme = request.query_params.get("theme", "light")
    template = dev.pages.get_template("frame.html")
    html = template.render(
        story=rendered or story.to_json(),
        error=error or (rendered or {}).get("error"),
        refusal=(rendered or {}).get("refusal"),
        where=(rendered or {}).get("where", ""),
        theme=theme if theme in _THEMES else "light",
        styles=style_urls(dev.project.root, _styles(dev)),
        cf_scripts=dev.components.templates.cf_scripts,
    )
    return HTMLResponse(html, headers=_NO_STORE)


async def project_file(request: Request) -> Response:
    """A file beside one of the app's stylesheets (CSS, fonts, images), never elsewhere."""
    dev = _dev(request)
    path = served_file(dev.project.root, _styles(dev), request.path_params["path"])
    if path is None:
        return Response("Not found", status_code=404)
    # A versioned URL (?v=, what the pages link) never changes: the 600 previews of a large
    # gallery share one download. Anything else (url() in the CSS) is revalidated each time.
    versioned = "v" in request.query_params
    headers = {"Cache-Control": "max-age=31536000, immutable" if versioned else "no-cache"}
    if path.suffix == ".css" and request.query_params.get("scope") == "host":
        text = scope_css(path.read_text(encoding="utf-8", errors="replace"))
        return Response(text, media_type="text/css; charset=utf-8", headers=headers)
    return FileResponse(path, headers=headers)
