"""Rendering a story for a preview: its root element, with a given state, and the app's CSS.

``render_root`` renders a component as ``{{ component(...) }}`` does (the root element cf.js
makes live), then, when a state is given, renders that state instead of the mounted one (merged
over it) and signs it: the dev server trusts its developer, the public endpoint never does.

``scope_css`` rewrites ``:root``, ``html`` and ``body`` selectors of the app's stylesheet to
``:host``, so the gallery's shadow-root previews get the variables and base styles the app sets
on the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import escape

from component_framework.core._url_claims import forget_url_names
from component_framework.core.protocol import dispatch_message_sync, signed_message
from component_framework.web import ComponentApp

__all__ = ["render_root", "scope_css", "served_file", "style_urls"]

_OPEN_TAG = re.compile(r"^<div([^>]*)>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)(?:="([^"]*)")?')
_PRELUDE = re.compile(r"([^{}]+)\{")
_PAGE_SELECTOR = re.compile(r"(?<![\w.#:-])(:root|html|body)(?![\w-])")

PROJECT_PREFIX = "/__cf__/project/"


def render_root(
    components: ComponentApp,
    name: str,
    request: Any,
    params: dict[str, Any],
    state: dict[str, Any] | None = None,
) -> str:
    """Render component *name*'s root element with *params*, then with *state* if given.

    Raises:
        ComponentError: The component failed to mount or render, or *state* was refused.
    """
    forget_url_names(request)  # each preview stands for a page of its own
    root = str(components.render(name, request, **params))
    match = _OPEN_TAG.match(root)
    if state is None or match is None:
        return root
    attributes = {key: value for key, value in _ATTRIBUTE.findall(match.group(1))}
    if "data-cf-id" not in attributes:
        return root  # a refusal (permissions): nothing to put a state into
    component_id = _unescape(attributes["data-cf-id"])
    try:
        mounted = json.loads(_unescape(attributes.get("data-cf-state", "{}")) or "{}")
    except ValueError:  # a server-held state: the page holds a reference, not the state
        mounted = None
    merged = {**mounted, **state} if isinstance(mounted, dict) else dict(state)
    message = signed_message(
        name,
        None,
        None,
        merged,
        component_id=component_id,
        signer=components.signer,
        registry=components.registry,
    )
    reply = dispatch_message_sync(
        message, request, registry=components.registry, signer=components.signer, params=params
    )
    attributes["data-cf-state"] = str(escape(reply["state"]))
    attributes["data-cf-checksum"] = str(escape(reply["checksum"]))
    opening = "".join(f' {k}="{v}"' if v else f" {k}" for k, v in attributes.items())
    return f"<div{opening}>{reply['html']}</div>"


def _unescape(value: str) -> str:
    return (
        value.replace("&#34;", '"')
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def style_urls(root: Path, styles: Sequence[Path], *, scoped: bool = False) -> list[str]:
    """The URLs the previews load the app's *styles* from (cache-busted by modification time)."""
    urls = []
    for style in styles:
        try:
            relative = style.resolve().relative_to(root.resolve()).as_posix()
            version = int(style.stat().st_mtime_ns // 1000)
        except (ValueError, OSError):
            continue
        scope = "&scope=host" if scoped else ""
        urls.append(f"{PROJECT_PREFIX}{relative}?v={version}{scope}")
    return urls


def served_file(root: Path, styles: Sequence[Path], relative: str) -> Path | None:
    """The file at *relative* under the folder of one of *styles*, or None (never outside)."""
    if not relative or relative.startswith("/") or "\\" in relative:
        return None
    base = root.resolve()
    path = (base / relative).resolve()
    if any(part.startswith(".") for part in Path(relative).parts):
        return None
    for style in styles:
        folder = style.resolve().parent
        if path.is_relative_to(folder) and path.is_relative_to(base) and path.is_file():
            return path
    return None


def scope_css(text: str) -> str:
    """Rewrite page-level selectors (``:root``, ``html``, ``body``) to ``:host``."""

    def prelude(match: re.Match[str]) -> str:
        selector = match.group(1)
        if selector.lstrip().startswith("@"):
            return match.group(0)
        return _PAGE_SELECTOR.sub(":host", selector) + "{"

    return _PRELUDE.sub(prelude, text)
