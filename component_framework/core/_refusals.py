"""The refusals every HTTP transport makes before a message reaches the message path.

A request is refused, with nothing run, unless its body is ``application/json`` (415), it
carries the ``X-CF-Request`` header (400: a cross-site form cannot send it) and it stays under
the size limit (413). The reply has core's error shape. The one implementation, used by the
Starlette transport and the framework adapters alike.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Refused", "check_body_size", "check_headers"]


class Refused(Exception):
    """An HTTP request refused by the transport itself; nothing was run."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reply: dict[str, Any] = {"type": "error", "error": message, "code": code}

    def body(self) -> dict[str, Any]:
        """The wire reply: the same error shape core uses."""
        return dict(self.reply)


def check_headers(content_type: str | None, marked: bool, length: str | None, limit: int) -> None:
    """Check the media type, the ``X-CF-Request`` marker and the declared length.

    Raises:
        Refused: The first problem found.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise Refused(
            415,
            "unsupported_media_type",
            f"Content-Type must be application/json, got {media_type or 'none'!r}.",
        )
    if not marked:
        raise Refused(
            400,
            "missing_header",
            "Missing the X-CF-Request header: component events are sent by cf.js; "
            "other clients must send 'X-CF-Request: 1'.",
        )
    if length and length.isdigit():
        check_body_size(int(length), limit)


def check_body_size(size: int, limit: int) -> None:
    """Refuse a body of *size* bytes over *limit*.

    Raises:
        Refused: 413 too_large.
    """
    if size > limit:
        raise Refused(413, "too_large", f"Request body is {size:,} bytes (limit: {limit:,}).")
