"""Link previews: the title of the page a message links to, fetched after the message was sent.

The room starts ``preview`` as a background task (``Room.on_send``): fetching a page can take
seconds, and the sender's reply must not wait for it. The task runs in a worker thread, reads at
most ``MAX_BYTES`` of the page, gives up after ``TIMEOUT`` seconds without an answer, and keeps
the title it found in the database.

Fetching a URL a user typed lets that user make the server send requests: to services behind
your firewall, or to cloud metadata addresses (server-side request forgery). This example only
refuses schemes other than http and https; a real app fetches through an egress proxy, or
resolves the host itself and refuses private, loopback and link-local addresses (and every
redirect's), before it connects.
"""

from __future__ import annotations

import html
import re
import urllib.request
from email.message import Message
from http.client import HTTPException
from typing import IO
from urllib.parse import urlsplit

from . import db

__all__ = ["MAX_BYTES", "TIMEOUT", "first_link", "preview", "title_of"]

MAX_BYTES = 65_536
"""How much of a page is read: its title is near the top."""
TIMEOUT = 3.0
"""Seconds to wait for the page's server to connect or to send more."""
MAX_TITLE = 200

_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https pages only (urllib would follow ftp too)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in ("http", "https"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_HttpOnly)


def first_link(text: str) -> str | None:
    """The first http or https URL in *text*, without the punctuation that ends a sentence."""
    match = _LINK.search(text)
    return match.group(0).rstrip(".,;:!?)") if match else None


def title_of(url: str) -> str | None:
    """The title of the HTML page at *url*; None if it cannot be read, is not HTML or has none."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            headers = response.headers
            if headers.get_content_type() != "text/html":
                return None
            body = response.read(MAX_BYTES)
            page = body.decode(headers.get_content_charset() or "utf-8", "replace")
    except (OSError, ValueError, LookupError, HTTPException):  # unreachable, slow, bad charset
        return None
    match = _TITLE.search(page)
    title = " ".join(html.unescape(match.group(1)).split())[:MAX_TITLE] if match else ""
    return title or None


def preview(message: int, url: str) -> int | None:
    """The background task: fetch the title of *url* and keep it as *message*'s preview.

    Returns the message's id when it has a preview now, for the room to show it on every page.
    """
    title = title_of(url)
    if title is None:
        return None
    db.set_preview(message, url, title)
    return message
