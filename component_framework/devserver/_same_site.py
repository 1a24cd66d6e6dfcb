"""Refuse cross-site requests to the dev server's routes that run component code.

A page on another site could otherwise link to ``/components/<name>?params=...`` and run the
developer's ``mount()`` with its own parameters (mount params are trusted input). Browsers say
where a request comes from in ``Sec-Fetch-Site``; without it (older browsers) the ``Origin`` or
``Referer`` host must be the dev server's own host. A request that names no origin at all (an
address typed into the browser, curl, a test client) is the developer's own and is served.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SameSiteOnly", "is_cross_site"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cross-site request refused</title></head>
<body><h1>Cross-site request refused</h1>
<p>Another site sent your browser to <code>{url}</code>. The dev server runs component code
there, so it only answers requests from its own pages.</p>
<p>If you meant to open it, type or paste the address into the address bar.</p></body></html>
"""
_MESSAGE = "Cross-site request refused: the dev server runs component code only for its own pages."


def is_cross_site(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a request with these (lower-cased ASGI) headers came from another site."""
    found: dict[bytes, str] = {}
    for key, value in headers:
        if key in (b"sec-fetch-site", b"origin", b"referer", b"host"):
            found.setdefault(key, value.decode("latin-1").strip())
    site = found.get(b"sec-fetch-site")
    if site is not None:
        return site.lower() == "cross-site"
    source = found.get(b"origin") or found.get(b"referer")
    if source is None:
        return False
    if source == "null":  # a sandboxed frame or a redirect chain that hides its origin
        return True
    return _hostname(source) != _hostname("//" + found.get(b"host", ""))


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


class SameSiteOnly:
    """ASGI middleware: a 403 for cross-site HTTP requests whose path starts with *guarded*."""

    def __init__(self, app: ASGIApp, guarded: Sequence[str]) -> None:
        self.app = app
        self.guarded = tuple(guarded)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith(self.guarded)
            and is_cross_site(scope["headers"])
        ):
            await self._refuse(scope, send)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        url = scope["path"] + (f"?{query}" if query else "")
        if scope["method"] == "GET":
            body = _PAGE.format(url=html.escape(url)).encode()
            media_type = b"text/html; charset=utf-8"
        else:
            error = {"type": "error", "error": _MESSAGE, "code": "cross_site"}
            body = json.dumps(error).encode()
            media_type = b"application/json"
        headers = [
            (b"content-type", media_type),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
        ]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
